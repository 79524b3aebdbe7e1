"""Rendering on a real Dask cluster (``dask scheduler`` and ``dask worker`` processes on loopback):
the same files as a local run, byte for byte; a worker killed mid-batch loses no unit; a lost
scheduler stops the batch; a cluster that cannot serve is refused before anything is rendered.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import psutil
import pytest

from ecoscore import load_spec, score
from ecoscore.batch.distributed import DaskPool
from ecoscore.batch.render import RESULT_FILE, file_names
from ecoscore.batch.workers import FAILED_DIR, RenderPool, UnitJob
from ecoscore.errors import EcoscoreError, RenderFailure
from ecoscore.scoring.result import ScoredCohort
from tests.conftest import FIXTURES, ROOT

DOC = FIXTURES / "render_doc.yaml"  # three units
ODD = FIXTURES / "odd_unit_names.yaml"  # six units with awkward names
MINIMAL = FIXTURES / "minimal_report.ipynb"
FAILING = FIXTURES / "failing.ipynb"  # raises for the document's second unit
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_cluster(base: Path, workers: int = 2) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """Start a ``dask scheduler`` and ``workers`` ``dask worker`` processes (each a nanny and one
    single-threaded worker) on loopback; yield the address and the processes (scheduler first);
    end every process afterwards and check none is left, kernels included.
    """
    from distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    commands = [[str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                 "--no-dashboard"]]
    commands += [[str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                  "--name", f"w{i}", "--local-directory", str(base / f"w{i}")] for i in range(workers)]
    procs, logs = [], []
    try:
        for i, cmd in enumerate(commands):
            logs.append(open(base / f"{i}.log", "wb"))  # noqa: SIM115 - closed with the processes below
            procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=logs[-1], stderr=subprocess.STDOUT,
                                          start_new_session=True))
        if workers:
            with Client(address, timeout=30, set_as_default=False) as client:
                client.wait_for_workers(workers, timeout=60)
        yield address, procs
    finally:
        started = [c for p in procs for c in _family(p.pid)]
        for p in procs[::-1]:
            _signal_group(p, signal.SIGTERM)  # workers first: a clean shutdown closes their kernels
        for p in procs[::-1]:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(p, signal.SIGKILL)
                p.wait()
        for log in logs:
            log.close()
        left = [c for c in started if _alive(c)]
        for c in left:
            c.kill()
        assert left == [], f"processes left running after the cluster stopped: {left}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Return the address of a scheduler with two workers, shared by this module's tests."""
    with running_cluster(tmp_path_factory.mktemp("dask")) as (address, _):
        yield address


def _family(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _signal_group(p: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(p.pid, sig)
    except OSError:
        pass


def _alive(proc: psutil.Process, wait: float = 10) -> bool:
    try:
        proc.wait(timeout=wait)
        return False
    except psutil.TimeoutExpired:
        return True
    except psutil.Error:
        return False


def make_job(spec_path: Path, notebook: Path | nbformat.NotebookNode, folder: Path, published: Path) -> tuple:
    """Return ``(job, jobs)`` as ``render()`` builds them: the scored result saved in ``folder``."""
    spec = load_spec(spec_path)
    cohort = ScoredCohort(spec, spec.year, score(spec), None, {"source": "无数据", "sample": False})
    result = cohort.save(folder / RESULT_FILE)
    template = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(notebook, as_version=4)
    job = UnitJob(template, folder, file_names(spec), f"{spec.short_title} — {{unit}}", 60, str(MINIMAL.parent),
                  None, published)
    jobs = [(u, {"doc": str(spec_path), "unit": u, "result": str(result.resolve())}) for u in spec.unit_names]
    return job, jobs


def test_a_batch_on_the_cluster_writes_the_files_of_a_local_run(cluster, tmp_path):
    runs = {}
    for name in ("local", "dask"):
        folder = tmp_path / name / ".staging"
        job, jobs = make_job(DOC, FAILING, folder, tmp_path / name / "2022")
        pool = RenderPool(job, 2) if name == "local" else DaskPool(job, cluster)
        with pool:
            came = list(pool.map(jobs, progress=False))
        assert sorted(u for u, _, _ in came) == sorted(u for u, _ in jobs)  # each unit once
        runs[name] = {u: (outcome, seconds) for u, outcome, seconds in came}
    local, remote = runs["local"], runs["dask"]
    bad = load_spec(DOC).unit_names[1]
    for unit, (outcome, seconds) in remote.items():
        assert seconds > 0
        if unit == bad:
            continue
        assert isinstance(outcome, Path), outcome
        assert outcome == tmp_path / "dask" / ".staging" / local[unit][0].name
        assert outcome.read_bytes() == local[unit][0].read_bytes(), unit
    failure, expected = remote[bad][0], local[bad][0]
    assert isinstance(failure, RenderFailure)
    assert (failure.unit, failure.message, failure.kind) == (expected.unit, expected.message, expected.kind)
    assert Path(failure.notebook) == tmp_path / "dask" / ".staging" / FAILED_DIR / Path(expected.notebook).name
    kept = nbformat.read(failure.notebook, as_version=4)
    injected = next(c.source for c in kept.cells if "injected-parameters" in c.metadata.get("tags", []))
    # the worker's own copy of the result is named as the client named it, where it is published
    assert f'result = "{tmp_path / "dask" / "2022" / RESULT_FILE}"' in injected
    assert kept.metadata.papermill.parameters["result"] == str(tmp_path / "dask" / ".staging" / RESULT_FILE)
    assert [o.ename for c in kept.cells for o in c.get("outputs", []) if o.output_type == "error"] == ["RuntimeError"]
    names = sorted(p.relative_to(tmp_path / "dask").as_posix() for p in (tmp_path / "dask").rglob("*"))
    assert names == sorted(p.relative_to(tmp_path / "local").as_posix() for p in (tmp_path / "local").rglob("*"))


def slow_notebook(unit: str) -> nbformat.NotebookNode:
    """Return the minimal report notebook that records each run in ``marker`` and, the first time
    it runs ``unit``, says which worker runs it and then sleeps.
    """
    nb = nbformat.read(MINIMAL, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source += '\nmarker = None'
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json, os, pathlib, time\n"
        "_runs = pathlib.Path(marker)\n"
        "(_runs / f'{os.getpid()}-{time.monotonic_ns()}.json').write_text(json.dumps(\n"
        "    {'unit': unit, 'kernel': os.getpid(), 'worker': os.getppid(), 'result': result}))\n"
        f"if unit == {unit!r} and not (_runs / 'slow').exists():\n"
        "    (_runs / 'slow').write_text(str(os.getppid()))\n"
        "    time.sleep(60)\n"))
    return nb


def test_a_worker_killed_mid_batch_loses_no_unit(cluster, tmp_path):
    spec = load_spec(ODD)
    slow = spec.unit_names[0]
    runs = tmp_path / "runs"
    runs.mkdir()
    folder = tmp_path / "out"
    job, jobs = make_job(ODD, slow_notebook(slow), folder, None)
    jobs = [(u, {**p, "marker": str(runs)}) for u, p in jobs]
    killed = {}

    def kill_the_slow_units_worker():
        if not _wait_for(runs / "slow"):
            return
        killed["worker"] = int((runs / "slow").read_text())
        killed["kernels"] = _family(killed["worker"])
        os.kill(killed["worker"], signal.SIGKILL)

    killer = threading.Thread(target=kill_the_slow_units_worker)
    outcomes = []
    with DaskPool(job, cluster) as pool:
        killer.start()
        consumer = threading.Thread(target=lambda: outcomes.extend(pool.map(jobs, progress=False)))
        consumer.start()
        consumer.join(timeout=75)
        if consumer.is_alive():
            pool.abort()
            consumer.join()
            pytest.fail(f"the batch did not finish; came back: {[u for u, *_ in outcomes]}")
    killer.join()
    assert killed, "the slow unit never started"
    units = [u for u, _, _ in outcomes]
    assert sorted(units) == sorted(spec.unit_names)  # every unit, each exactly once
    for unit, outcome, _ in outcomes:
        assert isinstance(outcome, Path), (unit, outcome)
        assert outcome == folder / f"{job.stems[unit]}.html"
        assert f"<h1>{html.escape(unit)}</h1>" in outcome.read_text("utf-8")
    done = [json.loads(p.read_text()) for p in runs.glob("*.json")]
    ran_slow = [d for d in done if d["unit"] == slow]
    assert len(ran_slow) == 2 and ran_slow[0]["worker"] != ran_slow[1]["worker"]  # run again, elsewhere
    # each worker read its own copy of the result, named by its content
    digest = hashlib.sha256((folder / RESULT_FILE).read_bytes()).hexdigest()
    assert {Path(d["result"]).parent.name for d in done} == {digest}
    assert len({d["result"] for d in done}) >= 2 and str(folder) not in str({d["result"] for d in done})
    # the killed worker's kernel ended with it
    assert [k for k in killed["kernels"] if _alive(k)] == []


def test_a_scheduler_that_cannot_be_reached_is_refused_in_chinese(tmp_path):
    job, _ = make_job(DOC, MINIMAL, tmp_path, None)
    with pytest.raises(EcoscoreError, match="无法连接 Dask 调度器"):
        DaskPool(job, f"tcp://127.0.0.1:{free_port()}", connect_timeout=2)



def test_a_scheduler_without_workers_is_refused_in_chinese(tmp_path):
    job, _ = make_job(DOC, MINIMAL, tmp_path, None)
    with running_cluster(tmp_path, workers=0) as (address, _):
        with pytest.raises(EcoscoreError, match="1 秒内没有可用的工作节点"):
            DaskPool(job, address, worker_timeout=1)


def test_workers_with_another_ecoscore_version_are_refused(cluster, tmp_path, monkeypatch):
    import ecoscore

    monkeypatch.setattr(ecoscore, "__version__", "0.0.0-another")
    job, _ = make_job(DOC, MINIMAL, tmp_path, None)
    with pytest.raises(EcoscoreError, match=re.escape("ecoscore 版本与本机(0.0.0-another)不同")) as e:
        DaskPool(job, cluster)
    assert str(e.value).count("tcp://127.0.0.1:") == 2  # both workers named


def test_a_worker_of_another_version_that_joins_later_renders_nothing(cluster, tmp_path, monkeypatch):
    """The pool checked the workers when it connected; a task on a worker whose version differs
    from the client's (here: the client's changes after connecting) fails in Chinese, writes nothing."""
    import ecoscore

    job, jobs = make_job(DOC, MINIMAL, tmp_path, None)
    with DaskPool(job, cluster) as pool:
        monkeypatch.setattr(ecoscore, "__version__", "0.0.0-another")
        came = list(pool.map(jobs, progress=False))
    assert sorted(u for u, *_ in came) == sorted(u for u, _ in jobs)
    for unit, outcome, _ in came:
        assert isinstance(outcome, RenderFailure), unit
        assert "与本机(0.0.0-another)不同,未生成" in outcome.message
    assert not list(tmp_path.glob("*.html"))


def test_a_lost_scheduler_stops_the_batch(tmp_path):
    """Every unit out would fail for it: the batch stops, as for a file that cannot be written."""
    runs = tmp_path / "runs"
    runs.mkdir()
    job, jobs = make_job(DOC, slow_notebook("乙区"), tmp_path / "out", None)
    jobs = [(u, {**p, "marker": str(runs)}) for u, p in jobs]
    with running_cluster(tmp_path, workers=1) as (address, procs):
        killer = threading.Thread(target=lambda: _wait_for(runs / "slow") and _signal_group(procs[0], signal.SIGKILL))
        came = []
        with DaskPool(job, address) as pool:
            killer.start()
            with pytest.raises(EcoscoreError, match=f"与 Dask 调度器 {address} 的连接中断"):
                came.extend(pool.map(jobs, progress=False))
        killer.join()
        assert procs[0].poll() is not None, "the scheduler was never killed"
        assert [u for u, *_ in came] == ["甲区"]  # before the slow unit, on the one worker


def _wait_for(path: Path, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text()):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_ecoscore_render_with_a_scheduler_publishes_the_set_of_a_local_run(cluster, tmp_path, sample_data):
    """The command a user types: ``ecoscore render zhoushan-2020 --scheduler tcp://…`` against a
    local render of the same sample data: every page byte for byte (the index but for the time
    it was made), the same manifest, and a second run on the cluster keeps every report.
    """
    from ecoscore.cli.main import main

    with sample_data("zhoushan-2020"):
        assert main(["render", "zhoushan-2020", "--out-dir", str(tmp_path / "local"), "--quiet"]) == 0
        assert main(["render", "zhoushan-2020", "--out-dir", str(tmp_path / "dask"), "--quiet",
                     "--scheduler", cluster]) == 0
        local, remote = (tmp_path / x / "zhoushan-2020" / "2020" for x in ("local", "dask"))
        pages = sorted(p.name for p in local.glob("*.html"))
        assert pages == sorted(p.name for p in remote.glob("*.html")) and len(pages) > 5
        for name in pages:
            a, b = ((f / name).read_text(encoding="utf-8") for f in (local, remote))
            if name == "index.html":
                a, b = (re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?", "", x) for x in (a, b))
            assert a == b, name
        assert (local / "manifest.json").read_bytes() == (remote / "manifest.json").read_bytes()
        assert main(["render", "zhoushan-2020", "--out-dir", str(tmp_path / "dask"), "--quiet",
                     "--scheduler", cluster]) == 0
    assert (remote / "manifest.json").read_bytes() == (local / "manifest.json").read_bytes()
