"""Run notebook after notebook in one long-lived kernel, through papermill.

Starting a kernel and importing pandas, matplotlib and ecoscore costs more than running a
report notebook. ``KernelSession`` keeps one kernel per worker thread and resets its
namespace between notebooks (IPython's ``reset``, figures closed, working directory restored),
so only the first notebook of a worker pays for the start, and ``warm`` lets even that
happen while the caller is busy elsewhere. After a failure the kernel is restarted, so a
broken state never leaks into the next unit.

The session plugs into papermill as the engine ``"ecoscore"`` (papermill's own engine
registry), so parameters are injected and cell metadata recorded exactly as
``papermill.execute_notebook`` does it.

Connection files. A kernel manager given no connection file writes one with
``tempfile.mkstemp`` in the system temp folder and removes it at shutdown, so a killed render
left them there for good. A batch's kernels instead write theirs into one ``KernelRuntime``
folder (``<Jupyter runtime dir>/ecoscore/<pid>-<random>/``, private like Jupyter's own), held
by a ``FileLock`` for as long as the batch lives. Every new batch first removes the folders
whose lock is free (their owner is dead) and kills any kernel still started from one. Kernels
also watch their parent themselves (jupyter_client sets ``JPY_PARENT_PID``, ipykernel exits
within a second of the parent's death), so that sweep is the second line of defence.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import queue
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbformat import NotebookNode
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from ecoscore.batch.locks import FileLock

ENGINE_NAME = "ecoscore"
log = logging.getLogger(__name__)

#: run before a kernel's first notebook: the notebook's imports, then the state every unit starts from
_FIRST = """\
{imports}
import ecoscore.batch.isolation as _isolation
_isolation.snapshot({cwd})
del _isolation
"""
#: run before every later notebook: the state put back (``batch.isolation``), the namespace cleared
_RESET = """\
import ecoscore.batch.isolation as _isolation
_changed = _isolation.restore()
if _changed:
    import logging as _logging
    _logging.getLogger("ecoscore.batch.isolation").info("restored after the last unit: %s", _changed)
def _ecoscore_reset():  # (a function: its locals outlive the namespace it clears)
    import gc
    collect, gc.collect = gc.collect, lambda *a, **k: 0  # reset's full collection costs ~0.15 s a unit
    try:
        get_ipython().reset(new_session=True)  # namespace cleared, a new history session, In [1] again
    finally:
        gc.collect = collect
_ecoscore_reset()
"""


class _ReusingClient(PapermillNotebookClient):
    """A papermill client that resets a kernel it does not own, then runs the notebook."""

    def execute(self, session: KernelSession, **kwargs):
        self.reset_execution_trackers()
        self.kc = session.client()  # the session's client, channels open across notebooks
        reset_code = session.reset_code()
        with self.setup_kernel(**kwargs):
            try:
                if reset_code:
                    reply = self.wait_for_reply(self.kc.execute(reset_code, silent=True, store_history=False))
                    content = reply["content"] if reply else {}
                    if content.get("status") != "ok":
                        raise RuntimeError(f"内核重置失败:{content.get('ename')}: {content.get('evalue')}")
                self.papermill_execute_cells()
                if session.language_info is None:
                    info = self.wait_for_reply(self.kc.kernel_info())
                    session.language_info = info["content"]["language_info"]
                self.nb.metadata["language_info"] = session.language_info
                self.set_widgets_metadata()
            finally:
                self.kc = None  # the session keeps it (and closes it with the kernel)
        return self.nb


class ReusedKernelEngine(NBClientEngine):
    """Papermill engine that executes in the ``session`` passed through ``execute_notebook``."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, session=None, execution_timeout=None,
                                 start_timeout=60, **kwargs):
        """Execute ``nb_man.nb`` in ``session``'s kernel; remember the notebook for post-mortems."""
        if session is None:
            return super().execute_managed_notebook(nb_man, kernel_name, execution_timeout=execution_timeout,
                                                    start_timeout=start_timeout, **kwargs)
        session.last_nb = nb_man.nb
        client = _ReusingClient(
            nb_man, km=session.km, kernel_name=kernel_name, timeout=execution_timeout,
            startup_timeout=start_timeout, log=papermill.log.logger,
            shell_timeout_interval=1,  # a kernel killed during the reset is noticed within a second, not five
        )
        return client.execute(session)


papermill_engines.register(ENGINE_NAME, ReusedKernelEngine)


class KernelSession:
    """One kernel, reused for notebook after notebook; use from a single thread only
    (except ``kill``, which any thread may call).

    ``runtime`` is the folder for the kernel's connection file (a ``KernelRuntime``'s path;
    ``None``: jupyter_client's default, a temporary file).
    """

    def __init__(self, kernel_name: str = "python3", cwd: str | None = None, runtime: str | Path | None = None):
        self.kernel_name = kernel_name
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.runtime = Path(runtime) if runtime is not None else None
        self.km: AsyncKernelManager | None = None
        self.runs = 0
        self.imports = ""  # the notebooks' imports (``warm``), done before the state is recorded
        self.kc = None  # one client for every notebook: starting one and waiting for the kernel costs ~0.2 s
        self.language_info: dict | None = None
        self.last_nb: NotebookNode | None = None
        self.killed = False

    def reset_code(self) -> str:
        """Return the code run before the next notebook: on a fresh kernel, the imports and a
        snapshot of the process state (``batch.isolation``); after that, the state put back and
        the namespace cleared, so no unit's report depends on the unit before it.
        """
        self.runs += 1
        if self.runs > 1:
            return _RESET
        return _FIRST.format(imports=self.imports, cwd=json.dumps(self.cwd))

    def start(self) -> None:
        """Start the kernel (idempotent)."""
        if self.killed:
            raise RuntimeError("渲染已中止,不再启动内核")
        if self.km is None:
            km = AsyncKernelManager(kernel_name=self.kernel_name)
            if self.runtime is not None:
                km.connection_file = str(self.runtime / f"kernel-{uuid.uuid4()}.json")
            # The kernel's own log (not the notebook's output) would clutter the progress bar.
            # History in memory, as nbclient does for the kernels it starts (no shared sqlite file).
            run_sync(km.start_kernel)(cwd=self.cwd, stderr=subprocess.DEVNULL,
                                      extra_arguments=["--HistoryManager.hist_file=:memory:"])
            self.km, self.runs = km, 0

    def warm(self, code: str, timeout: float = 120) -> bool:
        """Start the kernel and run ``code`` (typically the notebook's imports); return success.

        Runs while the caller does other work, so the first notebook does not pay for the
        imports. The namespace is reset before the next notebook, as after any run.
        """
        self.imports = code
        try:
            kc = self.client(timeout)
            first = _FIRST.format(imports=code, cwd=json.dumps(self.cwd))
            reply = run_sync(self._reply)(kc, kc.execute(first, silent=True, store_history=False), timeout)
            return reply is not None and reply["content"]["status"] == "ok"
        finally:
            self.runs = max(self.runs, 1)

    def client(self, timeout: float = 60):
        """Return the kernel's client, started (with the kernel) and ready on first use."""
        self.start()
        if self.kc is None:
            kc = self.km.client()
            kc.start_channels()
            try:
                run_sync(kc.wait_for_ready)(timeout=timeout)
            except BaseException:
                kc.stop_channels()
                raise
            kc.allow_stdin = False
            self.kc = kc
        return self.kc

    async def _reply(self, kc, msg_id: str, timeout: float):
        """Return the kernel's reply to ``msg_id``, or ``None`` once the kernel is dead or the time is up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = await kc.get_shell_msg(timeout=1)
            except queue.Empty:
                if self.killed or self.km is None or not await self.km.is_alive():
                    return None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return reply
        return None

    def restart(self) -> None:
        """Throw the kernel away and start a fresh one."""
        self.close()
        self.start()

    def kill(self) -> None:
        """Kill the kernel at once (from any thread) and refuse to start another.

        A notebook running in it fails within a second (the kernel is dead); ``close`` then
        removes the connection file as usual.
        """
        self.killed = True
        provisioner = getattr(self.km, "provisioner", None)
        _kill(getattr(provisioner, "pid", None), getattr(provisioner, "pgid", None))

    def close(self) -> None:
        """Shut the kernel down."""
        if self.kc is not None:
            kc, self.kc = self.kc, None
            kc.stop_channels()
        if self.km is not None:
            km, self.km = self.km, None
            try:
                run_sync(km.shutdown_kernel)(now=True)
            finally:
                run_sync(km.cleanup_resources)()

    def run(self, nb: NotebookNode, parameters: dict, timeout: float | None = None) -> NotebookNode:
        """Execute ``nb`` with ``parameters`` injected (papermill) and return the executed notebook.

        Raises what ``papermill.execute_notebook`` raises (``PapermillExecutionError`` when a
        cell fails); ``last_nb`` then holds the notebook as far as it ran.
        """
        self.start()
        self.last_nb = None
        return papermill.execute_notebook(
            nb, None, parameters=parameters, engine_name=ENGINE_NAME, progress_bar=False,
            kernel_name=self.kernel_name, session=self, execution_timeout=timeout,
        )

    def __enter__(self) -> KernelSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def import_code(nb: NotebookNode) -> str:
    """Return the top-level ``import`` statements of ``nb``'s code cells, for ``KernelSession.warm``."""
    lines: dict[str, None] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics; such a cell is simply not scanned
            continue
        for node in tree.body:
            if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and not node.level):
                lines[ast.unparse(node)] = None
    return "\n".join(lines)


def _kill(pid: int | None, pgid: int | None = None) -> None:
    """Kill process ``pid`` (its whole process group if it leads one); ignore one already gone."""
    sig = getattr(signal, "SIGKILL", signal.SIGTERM)
    try:
        if pgid is not None and pgid == pid and hasattr(os, "killpg"):
            os.killpg(pgid, sig)
        elif pid:
            os.kill(pid, sig)
    except OSError:
        pass


def runtime_root() -> Path:
    """Return the folder holding every batch's ``KernelRuntime`` (inside Jupyter's runtime dir)."""
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir()) / "ecoscore"


class KernelRuntime:
    """The folder for one batch's kernel connection files, held (locked) while the batch lives.

    Use as a context manager: entering removes what dead batches left (``clean_stale``) and
    creates ``path``; leaving removes it. ``root`` defaults to ``runtime_root()``.
    """

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else runtime_root()
        self.id = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.path: Path | None = self.root / self.id
        self.lock = FileLock(self.root / f"{self.id}.lock")

    def __enter__(self) -> KernelRuntime:
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            clean_stale(self.root)
            self.lock.acquire(blocking=False)  # a new, unique name: free
            self.path.mkdir(mode=0o700)
        except OSError as e:  # kernels still run; their files go where jupyter_client puts them
            log.warning("无法建立内核运行目录 %s(%s),内核连接文件将写入系统临时目录", self.path, e)
            self.lock.release()
            self.path = None
        return self

    def __exit__(self, *exc) -> None:
        if self.path is not None:
            kill_kernels(self.path)  # normally none: each session shut its kernel down
            shutil.rmtree(self.path, ignore_errors=True)
        self.lock.release()


def clean_stale(root: str | Path) -> list[Path]:
    """Remove the runtime folders under ``root`` whose batch is dead, killing kernels started
    from them; return the folders removed.

    A folder's batch is dead when its lock file can be locked, or when there is no lock file
    (a batch takes the lock before it makes the folder and removes the folder before the lock).
    """
    root = Path(root)
    removed = []
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if entry.suffix == ".lock" and entry.is_file():
            lock = FileLock(entry)
            if not lock.acquire(blocking=False):
                continue  # alive
            try:
                folder = entry.parent / entry.name[: -len(".lock")]
                if folder.is_dir():
                    kill_kernels(folder)
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder)
            finally:
                lock.release()
        elif entry.is_dir() and not (entry.parent / f"{entry.name}.lock").exists():
            kill_kernels(entry)
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def kill_kernels(folder: str | Path) -> list[int]:
    """Kill every process started with a connection file in ``folder``; return their ids.

    Identified by their command line (``-f <folder>/kernel-….json``), never by process id
    alone, so a process id reused by something else is never touched. Needs ``psutil``
    (installed with ipykernel); without it, nothing is killed.
    """
    try:
        import psutil
    except ImportError:
        return []
    inside = os.path.realpath(folder) + os.sep
    killed = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            cmd = proc.info.get("cmdline") or []
            if any(os.path.realpath(a).startswith(inside) for a in cmd[1:] if a.endswith(".json")):
                proc.kill()
                killed.append(proc.pid)
        except (psutil.Error, OSError):
            continue
    if killed:
        log.info("已结束遗留的内核进程:%s", killed)
    return killed
