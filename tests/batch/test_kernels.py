"""One kernel reused for notebook after notebook, through papermill's engine registry."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from papermill.exceptions import PapermillExecutionError

from ecoscore.batch.kernels import KernelRuntime, KernelSession, clean_stale, import_code


def nb(*sources, params="x = 0"):
    cells = [new_code_cell(params, metadata={"tags": ["parameters"]}), *map(new_code_cell, sources)]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})


def test_notebooks_share_the_kernel_but_not_the_namespace(tmp_path):
    probe = nb("import os\nleft_over = globals().get('mine')\nmine = x\nprint(os.getpid(), left_over, os.getcwd())")
    with KernelSession(cwd=tmp_path) as s:
        outs = [s.run(probe, {"x": i}).cells[-1].outputs[0].text.split() for i in (1, 2)]
        s.run(nb("import os; os.chdir('/')"), {})
        after = s.run(probe, {"x": 3}).cells[-1].outputs[0].text.split()
    assert outs[0][0] == outs[1][0] == after[0]  # the same kernel process
    assert [o[1] for o in outs] == ["None", "None"]  # nothing left from the notebook before
    assert after[2] == str(tmp_path)  # working directory restored


def test_a_failure_keeps_the_notebook_as_far_as_it_ran_and_restart_gives_a_fresh_kernel():
    with KernelSession() as s:
        pid = s.run(nb("import os; print(os.getpid())"), {}).cells[-1].outputs[0].text
        with pytest.raises(PapermillExecutionError, match="ZeroDivisionError"):
            s.run(nb("print('before')", "1/0", "print('never')"), {})
        code = {c.source: c for c in s.last_nb.cells if c.cell_type == "code"}
        assert code["print('before')"].outputs[0].text == "before\n"
        assert code["1/0"].outputs[0].ename == "ZeroDivisionError"
        assert code["print('never')"].outputs == []
        s.restart()
        assert s.run(nb("import os; print(os.getpid())"), {}).cells[-1].outputs[0].text != pid


def test_warm_runs_imports_before_the_first_notebook():
    with KernelSession() as s:
        assert s.warm("import json")
        assert not s.warm("import no_such_module_here")
        out = s.run(nb("print('json' in dir())"), {}).cells[-1].outputs[0].text
    assert out == "False\n"  # warmed modules are cached, the namespace is still clean


def test_import_code_collects_top_level_imports_once():
    book = nb("from ecoscore import report\nimport os\nx = 1", "%matplotlib inline\nimport sys",
              "import os\nfrom . import rel\ndef f():\n    import json")
    assert import_code(book) == "from ecoscore import report\nimport os"


def test_connection_files_live_in_the_batch_runtime_folder_and_dead_batches_are_swept(tmp_path):
    root = tmp_path / "runtime"
    (root / "1-dead").mkdir(parents=True)  # a batch killed after making its folder: no lock file
    (root / "2-dead").mkdir()
    (root / "2-dead.lock").write_text("2\n")  # a batch killed while holding its lock: the lock is free
    orphans = [KernelSession(runtime=root / name) for name in ("1-dead", "2-dead")]
    for s in orphans:
        s.start()
        assert Path(s.km.connection_file).parent in (root / "1-dead", root / "2-dead")
    procs = [psutil.Process(s.km.provisioner.pid) for s in orphans]
    try:
        with KernelRuntime(root) as batch:  # entering sweeps the dead batches and kills their kernels
            assert sorted(p.name for p in root.iterdir()) == [batch.id, f"{batch.id}.lock"]
            deadline = time.monotonic() + 10
            while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in procs):
                assert time.monotonic() < deadline, "orphaned kernels still running"
                time.sleep(0.05)
            assert clean_stale(root) == []  # a live batch is never swept
            with KernelSession(runtime=batch.path) as s:
                s.start()
                assert Path(s.km.connection_file).parent == batch.path
                assert Path(s.km.connection_file).exists()
        assert list(root.iterdir()) == []
    finally:
        for s in orphans:
            s.close()
