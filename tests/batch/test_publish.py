"""Publishing a set whole: kills, races, subsets, full disks (real renders of render_doc.yaml).

The renders that are killed or raced run in processes of their own (``render_child``); the
others run here, with every unit scored on one value of the document's only fact.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import nbformat
import psutil
import pytest
from bs4 import BeautifulSoup

from ecoscore import cli, load_spec
from ecoscore.batch.publish import recover
from ecoscore.batch.render import RESULT_FILE, file_names, render
from ecoscore.errors import RenderWriteError
from ecoscore.scoring.result import ScoredCohort
from tests.batch.render_child import DOC, stub_scoring
from tests.conftest import ROOT

SPEC = load_spec(DOC)
UNITS = SPEC.unit_names  # 甲区, 乙区, 丙县
STEMS = file_names(SPEC)


def scoring(monkeypatch, value: float) -> None:
    monkeypatch.setattr("ecoscore.batch.render.score_cohort", stub_scoring(value))


def final_of(out: Path) -> Path:
    return out / SPEC.id / str(SPEC.year)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def beside(final: Path) -> list[str]:
    """Everything next to the published folder (staging, old sets, the lock): litter after a run."""
    return sorted(p.name for p in final.parent.iterdir() if p != final)


def published(final: Path) -> dict:
    """Parse the published set and check it is one run; return what it shows.

    Every report the index links exists and shows the total that scored.json holds for its
    unit; the index shows the same totals and data source; no report lies there unlinked.
    """
    cohort = ScoredCohort.load(final / RESULT_FILE)
    totals = dict(zip(cohort.current.summary["unit"], cohort.current.summary["total"]))
    index = BeautifulSoup((final / "index.html").read_text(encoding="utf-8"), "html.parser")
    links, shown = {}, {}
    for row in index.select("table.ranking tr[data-unit]"):
        unit = row["data-unit"]
        shown[unit] = float(row.select_one('td[data-col="总分"]').get_text())
        a = row.select_one('td[data-col="报告"] a')
        if a is not None:
            links[unit] = unquote(a["href"])
    assert shown == totals
    assert f"数据来源:{cohort.source}" in index.get_text()
    for unit, href in links.items():
        assert href == f"{STEMS[unit]}.html"
        report = BeautifulSoup((final / href).read_text(encoding="utf-8"), "html.parser")
        assert report.find_all("h1")[-1].get_text() == unit
        assert float(report.select_one("span.total").get_text()) == totals[unit], unit
    assert sorted(p.name for p in final.glob("*.html")) == sorted([*links.values(), "index.html"])
    return {"source": cohort.source, "links": links, "totals": totals}


#: A report notebook that starts fast (no pandas, no charts): heading, then the unit's total.
LEAN = [
    'doc = "render-doc"\nunit = "甲区"\nresult = None',
    "import html, json\n"
    "from IPython.display import HTML, display\n"
    "with open(result, encoding='utf-8') as f:\n"
    "    t = json.load(f)['tables']['current.summary']['columns']\n"
    "u = t['unit']\n"
    "units = [u['text'][c] for c in u['codes']] if isinstance(u, dict) else u\n"
    "total = t['total'][units.index(unit)]\n"
    "display(HTML(f\"<h1>{html.escape(unit)}</h1><p>总分 <span class='total'>{total:.2f}</span></p>\"))",
]


def notebook(folder: Path, extra: str = "", name: str = "lean.ipynb") -> Path:
    """Write the lean report notebook, with ``extra`` code run after it; return its path."""
    cells = [nbformat.v4.new_code_cell(LEAN[0], metadata={"tags": ["parameters"]}),
             *map(nbformat.v4.new_code_cell, [LEAN[1], extra] if extra else [LEAN[1]])]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    path = folder / name
    nbformat.write(nb, path)
    return path


def child(out: Path, notebook: Path, value: float, runtime: Path) -> subprocess.Popen:
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    return subprocess.Popen([sys.executable, "-m", "tests.batch.render_child", str(out), str(notebook), str(value)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, timeout: float = 60, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def gone(procs: list[psutil.Process]) -> bool:
    def dead(p):
        try:
            return not p.is_running() or p.status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    return all(dead(p) for p in procs)


@pytest.fixture(scope="module")
def lean(tmp_path_factory) -> Path:
    return notebook(tmp_path_factory.mktemp("notebooks"))


@pytest.fixture(scope="module")
def previous_set(tmp_path_factory, lean):
    """A published set of all three units (each scored on 95: 10 points), made once."""
    out = tmp_path_factory.mktemp("previous")
    with pytest.MonkeyPatch.context() as mp:
        scoring(mp, 95)
        summary = render(DOC, workers=2, out_dir=out, progress=False, notebook=lean)
    assert summary.ok, summary.describe()
    return out


@pytest.fixture
def out(tmp_path, previous_set, monkeypatch):
    """A copy of the previous set to render into; kernels keep their files under tmp_path."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    shutil.copytree(previous_set, tmp_path / "out")
    return tmp_path / "out"


# --- killed renders ----------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["KILL", "TERM", "INT"])
def test_a_render_killed_mid_batch_leaves_the_previous_set_and_no_litter(out, tmp_path, monkeypatch, sig, lean):
    final = final_of(out)
    before = snapshot(final)
    runtime = tmp_path / "runtime"
    slow = notebook(tmp_path, f"if unit != {UNITS[0]!r}:\n    import time; time.sleep(60)", "slow.ipynb")
    proc = child(out, slow, 50, runtime)
    try:
        first = wait_for(lambda: list(final.parent.glob(f".{final.name}.staging-*/{STEMS[UNITS[0]]}.html")),
                         what="the first report in the staging folder")
        kernels = psutil.Process(proc.pid).children(recursive=True)
        assert kernels
        connection = [Path(a) for k in kernels for a in k.cmdline() if a.endswith(".json")]
        assert connection and all(runtime in p.parents for p in connection), connection  # not the system temp folder
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode != 0
    assert snapshot(final) == before  # the previous set, byte for byte

    if sig == signal.SIGKILL:  # nothing could clean up: the next run does
        assert first[0].parent.exists()
        scoring(monkeypatch, 95)
        again = render(DOC, units=[UNITS[0]], workers=1, out_dir=out, progress=False, notebook=lean)
        assert again.ok and set(again.carried) == set(UNITS[1:])
        assert published(final)["links"].keys() == set(UNITS)
    # Ctrl-C and SIGTERM clean up at once
    assert beside(final) == []
    assert [p for p in connection if p.exists()] == []
    assert list((runtime / "ecoscore").iterdir()) == []
    wait_for(lambda: gone(kernels), timeout=10, what="the killed run's kernels to end")


# --- two renders at once -----------------------------------------------------------------------

def test_two_renders_into_one_folder_publish_one_whole_run(tmp_path):
    out = tmp_path / "out"
    final = final_of(out)
    gate = tmp_path / "go"  # the first render holds the folder until the second is seen waiting
    held = notebook(tmp_path, f"import os, time\nwhile not os.path.exists({str(gate)!r}):\n    time.sleep(0.05)",
                    "held.ipynb")
    first = child(out, held, 95, tmp_path / "runtime")
    second = None
    try:
        wait_for(lambda: list(final.parent.glob(f".{final.name}.staging-*")), what="the first render's staging")
        second = child(out, notebook(tmp_path), 50, tmp_path / "runtime")
        said = []
        reader = threading.Thread(target=lambda: said.extend(second.stderr), daemon=True)
        reader.start()
        wait_for(lambda: any("等待中" in line for line in said), what="the second render to wait")
        gate.touch()
        results = [first.communicate(timeout=120), second.wait(timeout=120)]
        reader.join()
    finally:
        for p in (first, second):
            if p is not None:
                p.kill()
    assert [first.returncode, second.returncode] == [0, 0], (results, second.stdout.read(), said)
    assert any(line.startswith(f"另一个渲染(进程 {first.pid})正在写入 {final},等待中") for line in said), said
    shown = published(final)
    assert shown["source"] == "测试数据50"  # the render that started last
    assert set(shown["links"]) == set(UNITS) and set(shown["totals"].values()) == {0.0}
    assert beside(final) == []


# --- subsets -----------------------------------------------------------------------------------

def test_a_subset_keeps_the_other_reports_only_if_made_from_the_same_result(out, monkeypatch, lean):
    final = final_of(out)
    before = snapshot(final)
    (final / "说明.txt").write_text("分析人员放在这里的说明", encoding="utf-8")

    scoring(monkeypatch, 95)  # the same result: the other units' reports are kept, byte for byte
    same = render(DOC, units=[UNITS[0]], workers=1, out_dir=out, progress=False, notebook=lean, force=True)
    assert (list(same.written), list(same.carried), same.not_rendered) == ([UNITS[0]], UNITS[1:], [])
    assert all(p.parent == final for p in [*same.written.values(), *same.carried.values()])
    for unit in UNITS[1:]:
        assert (final / f"{STEMS[unit]}.html").read_bytes() == before[f"{STEMS[unit]}.html"]
    assert set(published(final)["links"]) == set(UNITS)
    assert "沿用上次生成的其他单位报告 2 份" in same.describe()

    scoring(monkeypatch, 50)  # another result: the other reports would disagree, so they go
    other = render(DOC, units=[UNITS[0]], workers=1, out_dir=out, progress=False, notebook=lean)
    assert (list(other.written), other.carried, other.not_rendered) == ([UNITS[0]], {}, UNITS[1:])
    shown = published(final)
    assert set(shown["links"]) == {UNITS[0]} and shown["source"] == "测试数据50"
    index = BeautifulSoup((final / "index.html").read_text(encoding="utf-8"), "html.parser")
    for unit in UNITS[1:]:
        assert index.select_one(f'tr[data-unit="{unit}"] td[data-col="报告"]').get_text() == "本次未生成"
    assert f"本次未生成报告 2 份:{'、'.join(UNITS[1:])}" in other.describe()
    assert (final / "说明.txt").read_text(encoding="utf-8") == "分析人员放在这里的说明"  # a user's file stays
    assert beside(final) == []


# --- full disks --------------------------------------------------------------------------------

def test_a_full_disk_leaves_the_previous_set_and_says_so_in_chinese(out, monkeypatch, lean):
    final = final_of(out)
    before = snapshot(final)
    real = __import__("ecoscore.atomic", fromlist=["write_bytes"]).write_bytes

    def full(path, data):
        if Path(path).name == "index.html":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr("ecoscore.atomic.write_bytes", full)
    scoring(monkeypatch, 50)
    with pytest.raises(RenderWriteError) as caught:
        render(DOC, workers=2, out_dir=out, progress=False, notebook=lean)
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value) == (f"无法写出报告:磁盘空间不足(写入 {final / 'index.html'} 时)。"
                                 f"{final} 中原有的报告保持不变,未完成的文件已清除。")
    assert snapshot(final) == before
    assert beside(final) == []


def test_cli_says_a_report_could_not_be_written_without_a_traceback(out, monkeypatch, capsys, lean):
    final = final_of(out)
    before = snapshot(final)
    real = os.replace

    def read_only(src, dst):
        if Path(dst).name == f"{STEMS[UNITS[1]]}.html":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", read_only)
    scoring(monkeypatch, 50)
    code = cli.main(["render", DOC, "--out-dir", str(out), "--notebook", str(lean), "--quiet", "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"无法写出报告:磁盘为只读(写入 {final / (STEMS[UNITS[1]] + '.html')} 时)" in err
    assert "Traceback" not in err
    assert snapshot(final) == before
    assert beside(final) == []


def test_a_first_render_that_fails_to_write_leaves_nothing(tmp_path, monkeypatch, lean):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    real = os.replace

    def full(src, dst):
        if Path(dst).name == RESULT_FILE:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", full)
    scoring(monkeypatch, 50)
    with pytest.raises(RenderWriteError, match="磁盘空间不足.*未写出任何报告"):
        render(DOC, workers=1, out_dir=tmp_path / "out", progress=False, notebook=lean)
    assert not (tmp_path / "out").exists()


# --- recovery after a swap cut short -------------------------------------------------------------

def test_a_swap_cut_short_is_rolled_back_and_litter_removed(tmp_path):
    final = tmp_path / "render-doc" / "2022"
    old, staged = final.parent / ".2022.old-7-ab", final.parent / ".2022.staging-7-ab"
    for folder, text in ((old, "previous"), (staged, "new"), (final.parent / ".2022.staging-8-cd", "dead")):
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(text, encoding="utf-8")
    recover(final)  # killed between its renames: the previous set goes back, never the unfinished run's
    assert (final / "index.html").read_text(encoding="utf-8") == "previous"
    assert beside(final) == []

    (final.parent / ".2022.old-9-ef").mkdir()  # killed while removing the old set: the new one stays
    recover(final)
    assert (final / "index.html").read_text(encoding="utf-8") == "previous"
    assert beside(final) == []
