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
"""

from __future__ import annotations

import ast
import json
import os
import subprocess

import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbformat import NotebookNode
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

ENGINE_NAME = "ecoscore"

_RESET = """\
import os as _os, sys as _sys
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
_os.chdir({cwd})
get_ipython().reset(new_session=True)  # namespace cleared, a new history session, In [1] again
"""


class _ReusingClient(PapermillNotebookClient):
    """A papermill client that resets a kernel it does not own, then runs the notebook."""

    def execute(self, reset_code: str = "", **kwargs):
        self.reset_execution_trackers()
        with self.setup_kernel(**kwargs):
            try:
                if reset_code:
                    reply = self.wait_for_reply(self.kc.execute(reset_code, silent=True, store_history=False))
                    content = reply["content"] if reply else {}
                    if content.get("status") != "ok":
                        raise RuntimeError(f"内核重置失败:{content.get('ename')}: {content.get('evalue')}")
                self.papermill_execute_cells()
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                self.set_widgets_metadata()
            finally:
                self.kc.stop_channels()
                self.kc = None
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
        )
        return client.execute(reset_code=session.reset_code())


papermill_engines.register(ENGINE_NAME, ReusedKernelEngine)


class KernelSession:
    """One kernel, reused for notebook after notebook; use from a single thread only."""

    def __init__(self, kernel_name: str = "python3", cwd: str | None = None):
        self.kernel_name = kernel_name
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.km: AsyncKernelManager | None = None
        self.runs = 0
        self.last_nb: NotebookNode | None = None

    def reset_code(self) -> str:
        """Return the code that clears the namespace before the next notebook ("" on a fresh kernel)."""
        self.runs += 1
        return _RESET.format(cwd=json.dumps(self.cwd)) if self.runs > 1 else ""

    def start(self) -> None:
        """Start the kernel (idempotent)."""
        if self.km is None:
            km = AsyncKernelManager(kernel_name=self.kernel_name)
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
        self.start()
        if not code.strip():
            return True
        kc = self.km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=timeout)
            reply = run_sync(kc.execute_interactive)(code, silent=True, store_history=False, timeout=timeout,
                                                     output_hook=lambda msg: None)
            return reply["content"]["status"] == "ok"
        finally:
            kc.stop_channels()
            self.runs = max(self.runs, 1)

    def restart(self) -> None:
        """Throw the kernel away and start a fresh one."""
        self.close()
        self.start()

    def close(self) -> None:
        """Shut the kernel down."""
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
