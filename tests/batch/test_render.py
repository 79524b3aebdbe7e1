"""Batch rendering: stand-alone reports, the cohort index, failure isolation, safe and atomic files."""

from __future__ import annotations

import os
import re
import stat
from html import unescape
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoscore import cli, list_documents, load_spec, score
from ecoscore.atomic import write_text
from ecoscore.batch.render import RESULT_FILE, file_names, render, safe_filename
from ecoscore.errors import FactsError, Problem
from ecoscore.reports.standalone import external_references
from ecoscore.rules.base import fmt
from ecoscore.scoring.result import ScoredCohort
from tests.conftest import FIXTURES

MINIMAL = FIXTURES / "minimal_report.ipynb"
FAILING = FIXTURES / "failing.ipynb"
ODD = FIXTURES / "odd_unit_names.yaml"
DOC = str(FIXTURES / "render_doc.yaml")  # for the mechanics: three units, no facts needed


def offline_problems(html: str) -> list[str]:
    """Return every sign that a page would reach the network (data: URIs removed first)."""
    text = re.sub(r"data:[^\"')\s]+", "data:", html)
    bad = [m for m in ("<script src=", "https://", "http://", "cdn", "<link ") if m in text.lower()]
    return bad + external_references(html)


def assert_standalone(html: str) -> None:
    assert '<html lang="zh-CN">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html or \
        '<meta content="width=device-width, initial-scale=1" name="viewport"' in html
    assert offline_problems(html) == []
    for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', html):
        assert src.startswith("data:image/"), src[:60]


@pytest.fixture
def stub_facts(monkeypatch):
    """Score every unit on no facts: these tests are about files and failures, not facts."""
    def no_facts(spec, facts=None, previous=None, *, year=None, **kw):
        return ScoredCohort(spec, year or spec.year, score(spec), None, {"source": "无数据", "sample": False})

    monkeypatch.setattr("ecoscore.batch.render.score_cohort", no_facts)


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]


# --- safe file names -------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("江干区", "江干区"),
    ("a/b:c*?", "a_b_c__"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("..", "unit"),
    ("  ", "unit"),
    ("a\x00b\nc", "a_b_c"),
    ('说"明"\'', "说_明__"),
    ("东\u3000区", "东 区"),
])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_avoids_collisions_case_insensitively():
    taken = {"index"}
    assert [safe_filename(n, taken) for n in ["A", "a", "a/", "a:", "index", "Index"]] == \
        ["A", "a-2", "a_", "a_-2", "index-2", "Index-3"]


def test_file_names_are_stable_and_unique_for_a_whole_document():
    spec = load_spec(ODD)
    stems = file_names(spec)
    assert len(set(s.casefold() for s in stems.values())) == len(spec.units)
    assert stems["江干区"] == "江干区"
    assert file_names(spec) == stems


@given(st.text(min_size=0, max_size=300))
def test_safe_filename_is_always_a_plain_file_name(name):
    s = safe_filename(name)
    assert s and s == s.strip(" .")
    assert not re.search(r'[\\/:*?"<>|\x00-\x1f\x7f]', s)
    assert len((s + "-99.html").encode("utf-8")) <= 255
    assert not re.match(r"(?i)^(con|prn|aux|nul|com\d|lpt\d)(\.|$)", s)


# --- end to end --------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["lishui-2024", "zhoushan-2020"])
def rendered(request, tmp_path_factory, sample_data):
    """Two units of a points and a compliance document, with their own notebooks and sample data.

    (tests/test_notebooks.py runs every notebook; here the batch path is what is tested.)
    """
    doc = request.param
    out = tmp_path_factory.mktemp(doc)
    spec = load_spec(doc)
    units = spec.unit_names[:2]
    with sample_data(doc):
        summary = render(doc, units=units, workers=2, out_dir=out, progress=False)
    return summary, ScoredCohort.load(summary.out_dir / RESULT_FILE).current, units


def test_render_writes_one_standalone_report_per_unit(rendered):
    summary, result, units = rendered
    assert summary.ok, summary.describe()
    assert list(summary.written) == units
    umask = os.umask(0)
    os.umask(umask)
    for unit in units:
        path = summary.written[unit]
        assert path.parent == summary.out_dir and path.suffix == ".html"
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
        html = path.read_text(encoding="utf-8")
        assert_standalone(html)
        row = result.unit_summary(unit)
        assert unit in html
        if row["total"] == row["total"]:
            assert fmt(row["total"]) in html
        for key in ("grade", "verdict"):
            if row[key]:
                assert row[key] in html, key
        assert "import " not in html and "report.build(" not in html  # no code
        assert "ERROR!" not in html and "Traceback" not in html
        assert "In&nbsp;[" not in html and "Out[" not in html
    assert leftovers(summary.out_dir) == []


def test_index_ranks_the_cohort_and_links_the_reports(rendered):
    summary, result, units = rendered
    html = summary.index.read_text(encoding="utf-8")
    assert_standalone(html)
    assert ("<svg" in html and "cohort-chart" in html) == (result.spec.ranking.basis != "none")
    for unit in result.spec.unit_names:
        assert unit in html
    for path in summary.written.values():
        assert f'href="{quote(path.name)}"' in html
    ranking = html[html.index('class="ranking"'):html.index("</table>", html.index('class="ranking"'))]
    shown = [unescape(u) for u in re.findall(r'<tr data-unit="([^"]*)">', ranking)]
    # ranked documents: by rank within each rank group; the others in the document's order
    s = result.summary
    own, added = s[s["added"] == ""], s[s["added"] != ""]
    groups = dict.fromkeys(u.rank_group or "" for u in result.spec.units)
    expected = [u for g in groups for u in own[own["rank_group"] == g].sort_values("rank", kind="stable")["unit"]]
    assert shown == expected
    # units an analyst added (the sample shows the use) are listed apart, labelled, never ranked with the document's
    if len(added):
        table = html[html.index('class="added-units"'):html.index("</table>", html.index('class="added-units"'))]
        assert [unescape(u) for u in re.findall(r'<tr data-unit="([^"]*)">', table)] == list(added["unit"])
        assert result.spec.analyst_units.label in html


def test_one_failing_unit_does_not_stop_the_others(tmp_path, stub_facts):
    spec = load_spec(DOC)
    units = spec.unit_names[:3]
    bad = spec.unit_names[1]  # failing.ipynb raises for the document's second unit
    stale = tmp_path / spec.id / str(spec.year) / f"{file_names(spec)[bad]}.html"
    write_text(stale, "a report from an earlier run")
    summary = render(DOC, units=units, workers=2, out_dir=tmp_path, progress=False, notebook=FAILING)
    assert not summary.ok
    assert [f.unit for f in summary.failures] == [bad]
    assert set(summary.written) == set(units) - {bad}
    for path in summary.written.values():
        assert path.exists()
    assert not stale.exists()
    failure = summary.failures[0]
    kept = nbformat.read(failure.notebook, as_version=4)
    errors = [(c.execution_count, o) for c in kept.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert len(errors) == 1 and errors[0][1].traceback  # the English traceback stays in the kept notebook
    n = errors[0][0]
    assert failure.message == f"报告笔记本第{n}个单元(In [{n}])执行出错:RuntimeError: 故意失败:{bad} <b>&"
    assert failure.kind == "cell"
    assert f"失败 {bad}:{failure.message}" in summary.describe()
    index = summary.index.read_text(encoding="utf-8")
    assert "生成失败" in index
    assert "故意失败" in index and "&lt;b&gt;&amp;" in index and "<b>&" not in index
    assert "_failed/" in index
    assert leftovers(summary.out_dir) == []
    with pytest.raises(Exception, match="报告生成失败"):
        summary.raise_for_failures()


def test_a_unit_that_fails_after_a_failure_gets_a_fresh_kernel(tmp_path, stub_facts):
    spec = load_spec(DOC)
    units = spec.unit_names[:3]
    summary = render(DOC, units=units, workers=1, out_dir=tmp_path, progress=False, notebook=FAILING)
    assert [f.unit for f in summary.failures] == [spec.unit_names[1]]
    assert len(summary.written) == len(units) - 1


@pytest.mark.parametrize("trouble, expected", [
    ("import time; time.sleep(60)", "单元执行超时(超过3秒)"),
    ("import os; os._exit(3)", "内核意外退出"),
])
def test_a_hung_or_crashed_kernel_fails_only_its_unit(tmp_path, stub_facts, trouble, expected):
    spec = load_spec(DOC)
    bad = spec.unit_names[0]
    nb = nbformat.read(MINIMAL, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"if unit == {bad!r}:\n    {trouble}"))
    path = tmp_path / "trouble.ipynb"
    nbformat.write(nb, path)
    summary = render(DOC, workers=1, out_dir=tmp_path / "out", progress=False, notebook=path,
                     cell_timeout=3)
    assert [f.unit for f in summary.failures] == [bad]
    assert summary.failures[0].message == expected
    assert set(summary.written) == set(spec.unit_names) - {bad}


def test_odd_unit_names_get_safe_files_and_escaped_index(tmp_path, stub_facts):
    spec = load_spec(ODD)
    summary = render(str(ODD), out_dir=tmp_path, workers=2, progress=False, notebook=MINIMAL)
    assert summary.ok, summary.describe()
    folder = tmp_path / "odd-names" / "2021"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == len(spec.units) + 3  # the reports, index.html, scored.json and manifest.json
    assert all(p.parent == folder for p in summary.written.values())
    index = summary.index.read_text(encoding="utf-8")
    assert "<img src=x" not in index and "&lt;img src=x onerror=alert(1)&gt;" in index
    report = summary.written["<img src=x onerror=alert(1)>&\"'"].read_text(encoding="utf-8")
    assert "<img src=x" not in report
    assert offline_problems(index) == []


def test_facts_error_means_nothing_is_written(tmp_path, monkeypatch):
    def bad(spec, facts=None, previous=None, *, year=None, **kw):
        raise FactsError([Problem("f.xlsx", "Sheet1", 3, "比例", "甲区", "数字", "abc")])

    monkeypatch.setattr("ecoscore.batch.render.score_cohort", bad)
    with pytest.raises(FactsError):
        render(DOC, out_dir=tmp_path, progress=False, notebook=MINIMAL)
    assert list(tmp_path.iterdir()) == []


def test_invalid_facts_file_is_refused_before_anything_is_written(tmp_path):
    bad = tmp_path / "facts.csv"
    bad.write_text("单位,不认识的列\n甲区,abc\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(FactsError):
        render(list_documents()[0], facts=bad, out_dir=out, progress=False, notebook=MINIMAL)
    assert not out.exists()


def test_notebook_without_a_needed_parameter_is_refused(tmp_path, stub_facts):
    nb = nbformat.read(MINIMAL, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace('result = None', "")
    path = tmp_path / "no_result.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(Exception, match="缺少参数:result"):
        render(DOC, out_dir=tmp_path / "out", progress=False, notebook=path)
    assert not (tmp_path / "out").exists()


def test_unknown_unit_is_refused_before_anything_is_written(tmp_path, stub_facts):
    with pytest.raises(Exception, match="未知单位"):
        render(DOC, units=["不存在的区"], out_dir=tmp_path, progress=False, notebook=MINIMAL)
    assert list(tmp_path.iterdir()) == []


# --- command line ------------------------------------------------------------------------------

def test_cli_render_exits_non_zero_and_says_which_unit_failed(tmp_path, stub_facts, capsys):
    spec = load_spec(DOC)
    code = cli.main(["render", DOC, "--units", ",".join(spec.unit_names[:2]), "--out-dir", str(tmp_path),
                     "--notebook", str(FAILING), "--quiet", "--workers", "2"])
    out = capsys.readouterr().out
    assert code == 1
    assert "失败 1 个" in out and spec.unit_names[1] in out and "index.html" in out


def test_cli_render_succeeds(tmp_path, stub_facts, capsys):
    spec = load_spec(DOC)
    code = cli.main(["render", DOC, "--units", spec.unit_names[0], "--out-dir", str(tmp_path),
                     "--notebook", str(MINIMAL), "--quiet"])
    assert code == 0, capsys.readouterr()
    assert "成功 1 个,失败 0 个" in capsys.readouterr().out


def test_cli_render_reads_a_params_file(tmp_path, capsys, stub_facts):
    spec = load_spec(DOC)
    params = tmp_path / "p.yaml"
    params.write_text(f"doc: {DOC}\nunits: [{spec.unit_names[1]}]\nfacts: null\nreadings: []\n", encoding="utf-8")
    code = cli.main(["render", "--params", str(params), "--out-dir", str(tmp_path / "out"),
                     "--notebook", str(MINIMAL), "--quiet"])
    assert code == 0, capsys.readouterr()
    written = list((tmp_path / "out" / spec.id / str(spec.year)).glob("*.html"))
    assert sorted(p.stem for p in written) == sorted(["index", file_names(spec)[spec.unit_names[1]]])


def test_params_file_with_unknown_keys_is_refused(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text(f"doc: {DOC}\nunit: 甲区\n", encoding="utf-8")
    assert cli.main(["render", "--params", str(params), "--out-dir", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
