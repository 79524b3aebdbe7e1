"""Exclusive file locks that the operating system releases when their holder dies.

A render holds a ``FileLock`` on a small hidden file while it writes (``ecoscore.batch.publish``)
and while its kernels run (``ecoscore.batch.kernels``). The lock is ``flock`` (POSIX; on
Windows ``msvcrt.locking``), so a killed render never leaves a lock that blocks the next one,
and "I could take the lock" proves that whoever made a folder is gone, so its litter may be
removed. (``filelock`` would do the same; it is not among the project's dependencies.)

The holder removes the lock file as it lets go (while still holding it). A process that was
waiting on the removed file notices that the path no longer names the file it locked and
locks the new one instead, so two processes can never both believe they hold the lock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


class FileLock:
    """An exclusive lock on ``path`` (created if missing, removed on release); not re-entrant."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self, *, blocking: bool = True, on_wait: Callable[[int | None], None] | None = None) -> bool:
        """Take the lock; return whether it was taken (always, when ``blocking``).

        If the lock is held elsewhere, ``on_wait`` is called once with the holder's process id
        (``None`` if unknown) before waiting. Waiting can be interrupted (Ctrl-C).
        """
        while True:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if not _lock(fd, blocking=False):
                    if not blocking:
                        os.close(fd)
                        return False
                    if on_wait is not None:
                        on_wait(_holder(fd))
                        on_wait = None
                    _lock(fd, blocking=True)
                if _names(self.path, fd):
                    break
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # the holder removed this file as it let go: lock the file now at the path
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:  # the holder's id is only a courtesy to whoever waits
            pass
        self.fd = fd
        return True

    def release(self) -> None:
        """Remove the lock file and let go (idempotent)."""
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            if _names(self.path, fd):
                os.unlink(self.path)
        except OSError:  # Windows cannot remove an open file; the lock is released all the same
            pass
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        """Return whether this object holds the lock."""
        return self.fd is not None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _lock(fd: int, *, blocking: bool) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True
    import msvcrt

    while True:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            if not blocking:
                return False
            time.sleep(0.2)


def _names(path: Path, fd: int) -> bool:
    """Return whether ``path`` still names the file open as ``fd``."""
    try:
        a, b = os.stat(path), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _holder(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode().strip())
    except (OSError, ValueError):
        return None
