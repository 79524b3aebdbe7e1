"""Worker threads for batch rendering: each owns one kernel and one HTML exporter.

The threads start (and their kernels import what the notebook imports) as soon as the pool
is made, while the caller is still validating facts and scoring the cohort; units are then
handed out from a queue. A unit's failure is returned as a ``RenderFailure``, never raised,
so it cannot stop the others. The heavy work runs in the kernels (separate processes), so
threads are enough to keep every core busy.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ecoscore import atomic
from ecoscore.batch.kernels import KernelSession, import_code
from ecoscore.errors import RenderFailure

FAILED_DIR = "_failed"
log = logging.getLogger(__name__)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class UnitJob:
    """What every unit of one batch shares: the notebook, where files go, how pages are titled."""

    template: nbformat.NotebookNode
    folder: Path
    stems: dict[str, str]
    title: str
    timeout: float | None
    cwd: str

    @property
    def kernel(self) -> str:
        """Return the kernel named by the notebook (default ``python3``)."""
        return self.template.metadata.get("kernelspec", {}).get("name") or "python3"


class RenderPool:
    """``n`` threads rendering units of ``job``; use as a context manager."""

    def __init__(self, job: UnitJob, n: int):
        self.job = job
        self.todo: queue.Queue = queue.Queue()
        self.done: queue.Queue = queue.Queue()
        warmup = import_code(job.template)
        self.threads = [threading.Thread(target=self._work, args=(warmup,), name=f"ecoscore-render-{i}",
                                         daemon=True) for i in range(n)]
        for t in self.threads:
            t.start()

    def map(self, jobs: list[tuple[str, dict]], *, progress: bool = True, desc: str = "") -> Iterator:
        """Render ``(unit, parameters)`` jobs; yield ``(unit, Path | RenderFailure, seconds)`` as they finish."""
        from tqdm.auto import tqdm

        for j in jobs:
            self.todo.put(j)
        with tqdm(total=len(jobs), desc=desc, unit="个单位", disable=not progress) as bar:
            for _ in jobs:
                item = self.done.get()
                bar.update(1)
                if isinstance(item[1], RenderFailure):
                    bar.write(f"失败:{item[0]}")
                yield item

    def close(self) -> None:
        """Drop the units not yet started, let the running ones finish, stop every kernel."""
        while True:
            try:
                self.todo.get_nowait()
            except queue.Empty:
                break
        for _ in self.threads:
            self.todo.put(None)
        for t in self.threads:
            t.join()

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _work(self, warmup: str) -> None:
        from ecoscore.reports.standalone import make_exporter

        with KernelSession(self.job.kernel, cwd=self.job.cwd) as session:
            try:
                session.warm(warmup)
            except Exception as e:  # each unit then retries the start and reports the reason
                log.warning("内核预热失败:%s", describe(e))
            exporter = make_exporter()
            while (item := self.todo.get()) is not None:
                unit, params = item
                t0 = time.perf_counter()
                outcome = render_unit(self.job, session, exporter, unit, params)
                self.done.put((unit, outcome, time.perf_counter() - t0))


def render_unit(job: UnitJob, session: KernelSession, exporter, unit: str, params: dict):
    """Render one unit to ``<folder>/<stem>.html``; return that path, or a ``RenderFailure``.

    On failure the executed notebook is kept in ``_failed/<stem>.ipynb``, a report left by
    an earlier run is removed (it would mislead), and the kernel is restarted.
    """
    from ecoscore.reports.standalone import to_html

    stem = job.stems[unit]
    html_path = job.folder / f"{stem}.html"
    failed_path = job.folder / FAILED_DIR / f"{stem}.ipynb"
    try:
        nb = session.run(job.template, params, timeout=job.timeout)
        atomic.write_text(html_path, to_html(nb, job.title.format(unit=unit), exporter))
    except Exception as e:  # one unit's failure must not stop the others
        message, kept = describe(e), ""
        if session.last_nb is not None:
            try:
                atomic.write_text(failed_path, nbformat.writes(session.last_nb))
                kept = str(failed_path)
            except OSError as w:
                message += f"\n(调试笔记本未能保存:{w})"
        html_path.unlink(missing_ok=True)
        try:
            session.restart()
        except Exception as k:  # the next unit retries the start and reports it
            message += f"\n(内核重启失败:{describe(k)})"
        return RenderFailure(unit, message, kept)
    failed_path.unlink(missing_ok=True)
    return html_path


def describe(e: BaseException) -> str:
    """Return a short account of a failure: papermill's cell error, or the exception."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(e, PapermillExecutionError):
        where = f"(出错单元 In [{e.exec_count}])" if e.exec_count else ""
        return _ANSI.sub("", f"{e.ename}: {e.evalue}{where}")
    text = str(e).strip()
    return _ANSI.sub("", f"{type(e).__name__}: {text}" if text else type(e).__name__)
