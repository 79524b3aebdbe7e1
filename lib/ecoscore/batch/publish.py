"""Publish a batch's reports as one set: staged beside the folder, then swapped in whole.

A render never writes into ``outputs/<doc>/<year>/`` itself. ``Staging`` does this:

1. **Lock.** ``outputs/<doc>/.<year>.lock`` (a ``FileLock``) is held from before the first
   file is written until the set is published or dropped, so two renders into one folder
   never interleave. A second render *waits* for the first (``on_wait`` is told once, so the
   user reads "另一个渲染正在写入 …,等待中"), then publishes its own set: the folder ends up
   holding the run that started last, whole. A killed holder's lock is released by the OS.
2. **Recover and sweep.** Holding the lock, anything a previous run left beside the folder
   is the litter of a dead run (live runs hold the lock): a swap cut short between its two
   renames is rolled back (the previous set is put back), then every ``.<year>.staging-*``
   and ``.<year>.old-*`` folder is removed.
3. **Stage.** Every file of the set (reports, ``index.html``, ``scored.json``, ``_failed/``)
   is written into ``outputs/<doc>/.<year>.staging-<id>/``, a hidden sibling on the same
   file system. Files a user put in the published folder that ecoscore never writes (not
   ``.html``, ``scored.json`` or ``_failed``) are linked (or copied) into the staged set, so a
   render never drops them.
4. **Swap.** ``<year>`` → ``.<year>.old-<id>``, ``.<year>.staging-<id>`` → ``<year>``, then the
   old set is removed. Each rename is atomic; between the two, for a moment, there is no
   ``<year>`` folder (a kill there is rolled back by step 2 of the next run).

Why a swapped real folder rather than a symlink swapped atomically: users open
``outputs/<doc>/<year>/index.html`` straight from disk, zip the folder and copy it to share it;
a symlink is zipped or copied as a link by some tools, cannot be made without privileges on
Windows and cannot live on a FAT stick. A folder is what they expect. The price is the
moment without a folder during the swap, and that a kill mid-render costs the run (never the
previous set).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from ecoscore.batch.locks import FileLock
from ecoscore.errors import RenderWriteError

log = logging.getLogger(__name__)


class Staging:
    """One render's private copy of the set in ``final``; use as a context manager.

    ``own`` says which names in the folder ecoscore writes (the rest are a user's and are kept);
    ``on_wait(pid)`` is called once if another render holds the folder (we then wait for it).
    Leaving the context without ``publish()`` (an error, Ctrl-C) removes the staged set and
    leaves the published one untouched.
    """

    def __init__(self, final: str | Path, *, own: Callable[[str], bool],
                 on_wait: Callable[[int | None], None] | None = None):
        self.final = Path(final)
        self.parent, self.name = self.final.parent, self.final.name
        self.id = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.path = self.parent / f".{self.name}.staging-{self.id}"
        self.own = own
        self.on_wait = on_wait
        self.lock = FileLock(self.parent / f".{self.name}.lock")
        self.previous = False  # whether a set was published before this run
        self.published = False
        self._made: list[Path] = []  # folders this run created to hold the lock

    # ------------------------------------------------------------------ context
    def __enter__(self) -> Staging:
        self._made = [p for p in (self.parent, *self.parent.parents) if not p.exists()][::-1]
        try:
            with self.disk_errors():
                self.lock.acquire(on_wait=self.on_wait)
                recover(self.final)
                self.previous = self.final.is_dir()
                self.path.mkdir()
        except BaseException:
            self._drop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._drop()

    def _drop(self) -> None:
        try:
            if not self.published:
                shutil.rmtree(self.path, ignore_errors=True)
        finally:
            self.lock.release()
            if not self.published:
                for folder in reversed(self._made):  # only if still empty
                    try:
                        folder.rmdir()
                    except OSError:
                        break

    # ------------------------------------------------------------------ writing
    @contextmanager
    def disk_errors(self):
        """Turn an ``OSError`` raised inside into a ``RenderWriteError`` naming the path."""
        try:
            yield
        except OSError as e:
            raise self.write_error(e) from None

    def write_error(self, e: OSError) -> RenderWriteError:
        """Return the Chinese error for ``e``, naming the file as the user will know it."""
        path = self.shown(e.filename) if e.filename else self.final
        return RenderWriteError.from_os_error(e, self.final, path, previous=self.previous)

    def shown(self, path: str | Path) -> Path:
        """Return ``path`` as it is named once published (a staged file's place in ``final``)."""
        path = Path(path)
        try:
            return self.final / path.relative_to(self.path)
        except ValueError:
            return path

    def keep(self, stems: dict[str, str], units: Iterable[str], suffixes: Iterable[str] = (".html",)) -> dict[str, Path]:
        """Stage the published reports of ``units`` as they are (hard links where the file system
        allows: not rewritten); return ``{unit: staged path}`` of their ``.html``. Files of the
        same stem with the other ``suffixes`` (a report's ``.pdf``) go with their report where
        they exist. The caller has checked the reports are still valid (``batch.manifest``).
        """
        kept = {}
        if not self.previous:
            return kept
        for unit in units:
            page = self.final / f"{stems[unit]}.html"
            if not page.is_file():
                continue
            for f in [page, *(self.final / f"{stems[unit]}{x}" for x in suffixes if x != ".html")]:
                if f.is_file() and not (self.path / f.name).exists():
                    _link_or_copy(f, self.path / f.name)
            kept[unit] = self.path / page.name
        return kept

    # ------------------------------------------------------------------ publishing
    def publish(self) -> None:
        """Keep the user's own files, then swap the staged set in for the published one."""
        old = self.parent / f".{self.name}.old-{self.id}"
        with self.disk_errors():
            if self.previous:
                for entry in sorted(self.final.iterdir()):
                    if not self.own(entry.name) and not (self.path / entry.name).exists():
                        _link_or_copy(entry, self.path / entry.name)
                os.rename(self.final, old)
            try:
                os.rename(self.path, self.final)
            except BaseException:
                if self.previous:
                    os.rename(old, self.final)
                raise
        self.published = True
        if self.previous:
            _remove(old)


def recover(final: str | Path) -> list[Path]:
    """Clean up beside ``final`` after dead runs (call holding its lock); return what was removed.

    A swap cut short between its renames (``final`` gone, the old set and the staged set both
    still there) is rolled back: the old set is put back. Then every staging and old folder of
    ``final`` is removed.
    """
    final = Path(final)
    parent, name = final.parent, final.name
    try:
        entries = sorted(parent.iterdir())
    except FileNotFoundError:
        return []
    stage, olds = f".{name}.staging-", f".{name}.old-"
    for old in (e for e in entries if e.name.startswith(olds)):
        if not final.exists() and (parent / (stage + old.name[len(olds):])).exists():
            os.rename(old, final)
            log.warning("上次渲染在替换 %s 时中断,已恢复原有的报告", final)
    removed = []
    for litter in (e for e in entries if e.name.startswith((stage, olds)) and e.exists()):
        _remove(litter)
        removed.append(litter)
    return removed


def _link_or_copy(src: Path, dst: Path) -> None:
    """Put ``src`` at ``dst``: a hard link where the file system allows (no space taken), else a copy."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_file)
    else:
        _link_file(src, dst)


def _link_file(src, dst) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        log.warning("未能删除 %s(下次渲染时再清理)", folder)
