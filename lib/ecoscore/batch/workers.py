"""Worker threads for batch rendering: each owns one kernel and one HTML exporter.

The threads start (and their kernels import what the notebook imports) as soon as the pool
is made, while the caller is still validating facts and scoring the cohort; units are then
handed out from a queue. A unit's failure is returned as a ``RenderFailure`` with a Chinese
message (``describe``), never raised, so it cannot stop the others; a file that cannot be
written (disk full, no permission) is returned as the ``OSError`` itself, for the caller to
stop the batch. The heavy work runs in the kernels (separate processes), so threads are
enough to keep every core busy. Leaving the pool because of an exception (Ctrl-C, SIGTERM, a
write error) kills every kernel at once rather than waiting for the running notebooks.
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
    #: where the kernels' connection files go (``KernelRuntime.path``; ``None``: jupyter's default)
    runtime: Path | None = None
    #: the folder ``folder`` is published as: kept notebooks name the result file there
    published: Path | None = None

    @property
    def kernel(self) -> str:
        """Return the kernel named by the notebook (default ``python3``)."""
        return self.template.metadata.get("kernelspec", {}).get("name") or "python3"


class Pool:
    """What every render pool shares: leaving it normally closes it (the running units finish);
    leaving it through an exception aborts it (kernels killed at once). Subclasses define
    ``map``, ``close`` and ``abort``.
    """

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class RenderPool(Pool):
    """``n`` threads rendering units of ``job``; use as a context manager."""

    def __init__(self, job: UnitJob, n: int):
        self.job = job
        self.todo: queue.Queue = queue.Queue()
        self.done: queue.Queue = queue.Queue()
        self.sessions: list[KernelSession] = []
        self.aborted = False
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

    def abort(self) -> None:
        """Drop the units not yet started and kill every kernel now (running units fail at once)."""
        self.aborted = True
        for session in list(self.sessions):
            session.kill()
        self.close()

    def _work(self, warmup: str) -> None:
        from ecoscore.reports.standalone import make_exporter

        with KernelSession(self.job.kernel, cwd=self.job.cwd, runtime=self.job.runtime) as session:
            self.sessions.append(session)
            if self.aborted:  # abort() ran before this session was listed
                session.kill()
            try:
                session.warm(warmup)
            except Exception as e:  # each unit then retries the start and reports the reason
                if not (self.aborted or session.killed):  # a batch stopped kills its kernels: not news
                    log.warning("内核预热失败:%s", describe(e)[1])
            exporter = make_exporter()
            while (item := self.todo.get()) is not None:
                unit, params = item
                t0 = time.perf_counter()
                outcome = render_unit(self.job, session, exporter, unit, params)
                self.done.put((unit, outcome, time.perf_counter() - t0))


def render_unit(job: UnitJob, session: KernelSession, exporter, unit: str, params: dict):
    """Render one unit to ``<folder>/<stem>.html``; return that path, a ``RenderFailure``, or the
    ``OSError`` that kept a file from being written (the batch cannot be completed).

    On failure the executed notebook is kept in ``_failed/<stem>.ipynb`` (with the English
    traceback) and the kernel is restarted.
    """
    from ecoscore.reports.standalone import to_html

    stem = job.stems[unit]
    html_path = job.folder / f"{stem}.html"
    failed_path = job.folder / FAILED_DIR / f"{stem}.ipynb"
    try:
        nb = session.run(job.template, params, timeout=job.timeout)
        page = to_html(nb, job.title.format(unit=unit), exporter)
    except Exception as e:  # one unit's failure must not stop the others
        kind, message = describe(e, timeout=job.timeout)
        kept = ""
        if session.last_nb is not None:
            try:
                atomic.write_text(failed_path, nbformat.writes(_as_published(session.last_nb, job)))
                kept = str(failed_path)
            except OSError as w:
                return w
        try:
            session.restart()
        except Exception as k:  # the next unit retries the start and reports it
            message += f"\n(内核重启失败:{describe(k)[1]})"
        return RenderFailure(unit, message, kept, kind)
    try:
        atomic.write_text(html_path, page)
    except OSError as w:
        return w
    return html_path


def _as_published(nb: nbformat.NotebookNode, job: UnitJob) -> nbformat.NotebookNode:
    """Return ``nb`` with its injected parameters naming the files where they are published."""
    if job.published is not None:
        for cell in nb.cells:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                cell.source = cell.source.replace(str(job.folder), str(job.published))
    return nb


def describe(e: BaseException, timeout: float | None = None) -> tuple[str, str]:
    """Return ``(kind, Chinese message)`` for a unit's failure: a Chinese lead, then the
    exception's name and value (no traceback; the kept notebook has it).

    ``kind`` is ``"cell"`` (a cell raised), ``"timeout"`` (a cell ran longer than ``timeout``
    seconds), ``"kernel"`` (the kernel died) or ``"other"``.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(e, PapermillExecutionError):
        where = f"第{e.exec_count}个单元(In [{e.exec_count}])" if e.exec_count else f"第{e.cell_index + 1}个单元"
        value = f"{e.ename}: {e.evalue}" if str(e.evalue).strip() else str(e.ename)
        return "cell", _ANSI.sub("", f"报告笔记本{where}执行出错:{value}")
    if isinstance(e, CellTimeoutError):
        limit = f"(超过{timeout:g}秒)" if timeout else ""
        return "timeout", f"单元执行超时{limit}"
    if isinstance(e, DeadKernelError):
        return "kernel", "内核意外退出"
    text = _ANSI.sub("", str(e).strip())
    what = f"{type(e).__name__}: {text}" if text else type(e).__name__
    if isinstance(e, TimeoutError):
        return "timeout", f"内核无响应(超时):{what}"
    return "other", f"报告生成出错:{what}"
