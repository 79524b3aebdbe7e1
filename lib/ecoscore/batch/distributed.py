"""Render a batch on a Dask distributed cluster: ``DaskPool``, a drop-in for ``RenderPool``.

``DaskPool(job, "tcp://HOST:PORT")`` connects to a running ``dask scheduler`` and offers what
``workers.RenderPool`` offers (a context manager with ``map``, ``abort`` and ``close``), so
``render()`` picks one or the other with one line. One task renders one unit:

* The scored result and the notebook are sent to the scheduler once per batch, compressed, as
  Dask ``Variable`` values (held by the scheduler, not by a worker, so a lost worker cannot
  lose them, and no task depends on data held by one worker, which would pull every unit to
  that worker). A worker fetches them once, at its first unit of the batch, into its own
  scratch folder, keyed by their SHA-256: workers need no shared file system. The ``result``
  parameter each notebook gets names that local copy (same file name as the original).
* On the worker, each worker thread keeps one ``KernelSession`` (``kernels.py``) and one HTML
  exporter from unit to unit and batch to batch (the namespace is reset between notebooks,
  the kernel restarted after a failure), and the task returns the page as text, or the
  failure's kind, Chinese message and executed notebook.
* The client writes every file into ``job.folder`` exactly as ``workers.render_unit`` does
  (same names, ``_failed/<stem>.ipynb``, ``RenderFailure`` built here, ``OSError`` returned),
  so the outputs are local and byte for byte those of a local run.

A worker lost mid-batch loses nothing: the scheduler runs its units again elsewhere (a unit
whose workers died ``distributed.scheduler.allowed-failures`` + 1 times, 4 by default, comes
back as a failure of kind ``"kernel"``); ``map`` yields every unit exactly once. A kernel on a
worker ends with it: at a clean shutdown through ``KernelCleanup`` (a worker plugin), at exit
through ``atexit``, and when the worker process is killed because the kernel watches its
parent (ipykernel exits within a second of its parent's death).

What a worker machine needs: the same ecoscore version (checked when the pool connects, and by
every task: a worker that joins later with another version renders nothing) with
its dependencies and the notebook's kernel (``python3``); the same Python, dask and distributed
versions as the client; the paths the notebook and the result name besides the result itself
(a spec given by path, ``ECOSCORE_DATA`` if a notebook reads sample data); and the notebook's
folder (``job.cwd``) at the same path, or else kernels start in the worker's own working
directory (logged). Start workers with one thread per kernel wanted, e.g.
``dask worker tcp://HOST:8786 --nworkers 4 --nthreads 1``.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import logging
import os
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
from distributed.diagnostics.plugin import WorkerPlugin

from ecoscore import atomic
from ecoscore.batch.workers import FAILED_DIR, Pool, UnitJob, _as_published, describe
from ecoscore.errors import EcoscoreError, RenderFailure

log = logging.getLogger(__name__)
PLUGIN_NAME = "ecoscore-kernels"


@dataclass(frozen=True)
class _Shared:
    """A file shared with the workers through the scheduler: a ``Variable`` and its content's hash."""

    variable: str
    digest: str
    name: str


class DaskPool(Pool):
    """Render units of ``job`` on the Dask cluster whose scheduler is at ``scheduler``; use as a
    context manager, like ``RenderPool``.

    Raises ``EcoscoreError`` (in Chinese) when the scheduler cannot be reached within
    ``connect_timeout`` seconds, no worker joins within ``worker_timeout`` seconds, or a
    worker runs another ecoscore version (or none).
    """

    def __init__(self, job: UnitJob, scheduler: str, *, connect_timeout: float = 30,
                 worker_timeout: float = 60):
        from distributed import Client

        self.job = job
        self.scheduler = scheduler
        self.batch = uuid.uuid4().hex
        self.futures: dict = {}
        self.variables: list = []
        self.aborted = False
        try:
            self.client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, asyncio.TimeoutError, ValueError) as e:
            raise EcoscoreError(f"无法连接 Dask 调度器 {scheduler}:{e}") from e
        try:
            try:
                self.client.wait_for_workers(1, timeout=worker_timeout)
            except (TimeoutError, asyncio.TimeoutError) as e:  # the same class from Python 3.11 on
                raise EcoscoreError(f"Dask 调度器 {scheduler} 在 {worker_timeout:g} 秒内没有可用的工作节点"
                                    f"(请先启动 dask worker {scheduler})") from e
            self._check_workers()
            self.client.register_plugin(KernelCleanup(), name=PLUGIN_NAME)
        except BaseException:
            self.client.close()
            raise

    def _check_workers(self) -> None:
        """Refuse workers that run another ecoscore version, or cannot import it."""
        from ecoscore import __version__

        found = self.client.run(_worker_version, on_error="return")
        wrong = {w: v for w, v in found.items() if v != __version__}
        if wrong:
            said = "、".join(f"{w}({v if isinstance(v, str) else f'无法运行 ecoscore:{type(v).__name__}: {v}'})"
                            for w, v in sorted(wrong.items(), key=lambda kv: str(kv[0])))
            raise EcoscoreError(f"Dask 工作节点的 ecoscore 版本与本机({__version__})不同:{said};"
                                "请在每台工作节点上安装相同版本的 ecoscore")

    def _share(self, data: bytes, name: str) -> _Shared:
        """Hand ``data`` to the scheduler once (compressed); return how a task finds it."""
        from distributed import Variable

        digest = hashlib.sha256(data).hexdigest()
        variable = Variable(f"ecoscore-{self.batch}-{digest[:16]}", client=self.client)
        variable.set(zlib.compress(data, 6))
        self.variables.append(variable)
        return _Shared(variable.name, digest, name)

    def map(self, jobs: list[tuple[str, dict]], *, progress: bool = True, desc: str = "") -> Iterator:
        """Render ``(unit, parameters)`` jobs on the cluster; yield ``(unit, Path | RenderFailure |
        OSError, seconds)`` as they finish, each unit exactly once.

        Raises ``EcoscoreError`` if the connection to the scheduler is lost: every unit still
        out would fail for it, so the caller stops the batch as for an ``OSError``.
        """
        from distributed import as_completed
        from tqdm.auto import tqdm

        from ecoscore import __version__

        job = self.job
        notebook = self._share(nbformat.writes(job.template).encode("utf-8"), "template.ipynb")
        results: dict[str, _Shared] = {}
        todo: dict = {}
        for i, (unit, params) in enumerate(jobs):
            shared = None
            if params.get("result") is not None:
                path = str(params["result"])
                if path not in results:
                    results[path] = self._share(Path(path).read_bytes(), Path(path).name)
                shared = results[path]
            future = self.client.submit(
                _render_remote, self.batch, unit, params, shared, notebook, job.title.format(unit=unit),
                job.timeout, job.kernel, job.cwd, __version__, key=f"ecoscore-render-{self.batch}-{i}", pure=False)
            self.futures[future.key] = future
            todo[future.key] = (unit, params, time.perf_counter())
        with tqdm(total=len(todo), desc=desc, unit="个单位", disable=not progress) as bar:
            for future in as_completed(list(self.futures.values()), loop=self.client.loop):
                if self.aborted:
                    return
                unit, params, submitted = todo.pop(future.key)
                outcome, seconds = self._outcome(unit, params, future, submitted)
                self.futures.pop(future.key, None)  # its page is written: the cluster may forget it
                bar.update(1)
                if isinstance(outcome, RenderFailure):
                    bar.write(f"失败:{unit}")
                yield unit, outcome, seconds

    def _outcome(self, unit: str, params: dict, future, submitted: float):
        """Write what the task returned, as ``render_unit`` does; return ``(outcome, seconds)``."""
        from distributed import KilledWorker

        job = self.job
        try:
            answer = future.result()
        except KilledWorker as e:
            return RenderFailure(unit, f"承担该单位的 Dask 工作节点先后 {e.allowed_failures + 1} 次意外退出,"
                                       "已不再重试", "", "kernel"), time.perf_counter() - submitted
        except Exception as e:  # cancelled, a task that could not run: this unit only
            if self.client.status != "running" or getattr(e, "reason", "") == "scheduler-connection-lost":
                # not this unit's fault, nor the next one's: the batch stops and nothing is published
                raise EcoscoreError(f"与 Dask 调度器 {self.scheduler} 的连接中断,批量渲染未能完成") from e
            kind, message = describe(e, timeout=job.timeout)
            return RenderFailure(unit, message, "", kind), time.perf_counter() - submitted
        stem = job.stems[unit]
        if "html" in answer:
            path = job.folder / f"{stem}.html"
            try:
                atomic.write_text(path, answer["html"])
            except OSError as w:
                return w, answer["seconds"]
            return path, answer["seconds"]
        kept = ""
        if answer["notebook"] is not None:
            failed = job.folder / FAILED_DIR / f"{stem}.ipynb"
            nb = _as_published(nbformat.reads(answer["notebook"], as_version=4), job)
            try:
                atomic.write_text(failed, nbformat.writes(nb))
            except OSError as w:
                return w, answer["seconds"]
            kept = str(failed)
        return RenderFailure(unit, answer["message"], kept, answer["kind"]), answer["seconds"]

    def close(self) -> None:
        """Drop the units not yet finished, forget the shared files, disconnect.

        The kernels on the workers stay up for the next batch; they end with their worker.
        """
        if self.client.status in ("running", "connecting"):
            if self.futures:
                self.client.cancel(list(self.futures.values()), force=True)
            for variable in self.variables:
                variable.delete()
        self.futures.clear()
        self.variables.clear()
        self.client.close()

    def abort(self) -> None:
        """Kill the kernels running this batch's units now, drop the others, disconnect."""
        self.aborted = True
        if self.client.status == "running":
            try:
                self.client.run(_kill_batch, self.batch, on_error="ignore")  # quick: a signal per kernel
            except Exception as e:  # the scheduler is gone: its workers end their kernels with them
                log.warning("无法通知工作节点结束内核:%s", describe(e)[1])
        self.close()


# --- on the workers ------------------------------------------------------------------------------

class _Slot:
    """One worker thread's kernel and exporter."""

    def __init__(self, kernel: str, cwd: str, runtime: Path | None):
        from ecoscore.batch.kernels import KernelSession
        from ecoscore.reports.standalone import make_exporter

        self.thread = threading.current_thread()
        self.session = KernelSession(kernel, cwd=cwd, runtime=runtime)
        self.exporter = make_exporter()
        self.kind = (kernel, cwd)
        self.batch: str | None = None


class _WorkerKernels:
    """The kernels of one worker process: one per worker thread, kept from unit to unit
    (a ``KernelSession`` is used from one thread only), killed and closed with the process.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.slots: dict[int, _Slot] = {}
        self.files: dict[str, Path] = {}
        self.notebooks: dict[str, nbformat.NotebookNode] = {}
        self.runtime = None
        self.closed = False

    def acquire(self, kernel: str, cwd: str, template: nbformat.NotebookNode, batch: str) -> _Slot:
        """Return this thread's kernel for ``(kernel, cwd)``, started and warmed if new."""
        from ecoscore.batch.kernels import KernelRuntime, import_code

        me = threading.get_ident()
        with self.lock:
            if self.closed:
                raise RuntimeError("工作节点正在关闭,不再启动内核")
            if self.runtime is None:
                self.runtime = KernelRuntime().__enter__()
                atexit.register(self.close)
            stale = [i for i, s in self.slots.items() if not s.thread.is_alive()]
            old = [self.slots.pop(i) for i in stale]
            slot = self.slots.get(me)
            if slot is not None and (slot.kind != (kernel, cwd) or slot.session.killed):
                old.append(self.slots.pop(me))
                slot = None
        for s in old:
            _shut(s)
        if slot is None:
            slot = _Slot(kernel, cwd, self.runtime.path)
            with self.lock:
                self.slots[me] = slot
            try:
                slot.session.warm(import_code(template))
            except Exception as e:  # the unit retries the start and reports the reason
                log.warning("内核预热失败:%s", describe(e)[1])
        slot.batch = batch
        return slot

    def release(self, slot: _Slot) -> None:
        slot.batch = None

    def kill(self, batch: str) -> int:
        """Kill the kernels running units of ``batch`` (their units fail at once); return how many."""
        with self.lock:
            hit = [s for s in self.slots.values() if s.batch == batch]
        for s in hit:
            s.session.kill()
        return len(hit)

    def local_copy(self, shared: _Shared) -> Path:
        """Return the path of ``shared`` on this worker, fetched from the scheduler the first time."""
        with self.lock:
            path = self.files.get(shared.digest)
        if path is not None and path.exists():
            return path
        from distributed import Variable, get_client, get_worker

        data = zlib.decompress(Variable(shared.variable, client=get_client()).get(timeout=120))
        if hashlib.sha256(data).hexdigest() != shared.digest:
            raise ValueError(f"从调度器取得的 {shared.name} 已损坏(SHA-256 不符)")
        path = Path(get_worker().local_directory) / "ecoscore" / shared.digest / shared.name
        atomic.write_bytes(path, data)
        with self.lock:
            self.files[shared.digest] = path
        return path

    def notebook(self, shared: _Shared) -> nbformat.NotebookNode:
        nb = self.notebooks.get(shared.digest)
        if nb is None:
            nb = nbformat.read(self.local_copy(shared), as_version=4)
            self.notebooks[shared.digest] = nb
        return nb

    def close(self) -> None:
        """Kill and close every kernel, remove the connection files' folder (idempotent)."""
        with self.lock:
            self.closed = True
            slots, self.slots = list(self.slots.values()), {}
            runtime, self.runtime = self.runtime, None
        for s in slots:
            _shut(s)
        if runtime is not None:
            runtime.__exit__(None, None, None)


def _shut(slot: _Slot) -> None:
    """End a slot's kernel: killed first (from any thread), then its files removed."""
    try:
        slot.session.kill()
        slot.session.close()
    except Exception as e:  # the kernel is dead either way; its connection file goes with the runtime folder
        log.warning("关闭内核时出错:%s", describe(e)[1])


_KERNELS = _WorkerKernels()


class KernelCleanup(WorkerPlugin):
    """Worker plugin: a worker that shuts down ends the kernels of ecoscore's units."""

    idempotent = True

    async def teardown(self, worker) -> None:
        await asyncio.to_thread(_KERNELS.close)  # off the worker's event loop: kernels are closed synchronously


def _worker_version() -> str:
    from ecoscore import __version__

    return __version__


def _kill_batch(batch: str) -> int:
    return _KERNELS.kill(batch)


def _render_remote(batch: str, unit: str, params: dict, result: _Shared | None, notebook: _Shared,
                   title: str, timeout: float | None, kernel: str, cwd: str, version: str) -> dict:
    """Render one unit on a worker; return ``{"html", "seconds"}`` or ``{"kind", "message",
    "notebook", "seconds"}`` (the executed notebook as JSON text, or ``None``).

    A worker running another ecoscore ``version`` than the client's (one that joined after the
    pool checked the workers) renders nothing: its page could differ from a local run's.
    """
    from ecoscore import __version__
    from ecoscore.reports.standalone import to_html

    started = time.perf_counter()
    if __version__ != version:
        return {"kind": "other", "notebook": None, "seconds": 0.0,
                "message": f"Dask 工作节点的 ecoscore 版本({__version__})与本机({version})不同,未生成;"
                           "请在该节点安装相同版本后重新渲染"}
    original = params.get("result")
    if not os.path.isdir(cwd):
        log.warning("工作节点上没有报告笔记本所在的文件夹 %s,内核改在 %s 中运行", cwd, os.getcwd())
        cwd = os.getcwd()
    slot = None
    try:
        template = _KERNELS.notebook(notebook)
        if result is not None:
            params = {**params, "result": str(_KERNELS.local_copy(result))}
        slot = _KERNELS.acquire(kernel, cwd, template, batch)
        nb = slot.session.run(template, params, timeout=timeout)
        page = to_html(nb, title, slot.exporter)
    except Exception as e:  # one unit's failure must not stop the others
        kind, message = describe(e, timeout=timeout)
        executed = None
        if slot is not None and slot.session.last_nb is not None:
            executed = nbformat.writes(_as_given(slot.session.last_nb, params.get("result"), original))
        if slot is not None and not slot.session.killed:
            try:
                slot.session.restart()
            except Exception as k:  # the next unit retries the start and reports it
                message += f"\n(内核重启失败:{describe(k)[1]})"
        return {"kind": kind, "message": message, "notebook": executed, "seconds": time.perf_counter() - started}
    finally:
        if slot is not None:
            _KERNELS.release(slot)
    return {"html": page, "seconds": time.perf_counter() - started}


def _as_given(nb: nbformat.NotebookNode, local: str | None, original: str | None) -> nbformat.NotebookNode:
    """Return ``nb`` with the worker's copy of the result named as the client named it."""
    if local and original and local != original:
        for cell in nb.cells:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                cell.source = cell.source.replace(local, original)
        given = nb.metadata.get("papermill", {}).get("parameters", {})
        if given.get("result") == local:
            given["result"] = original
    return nb
