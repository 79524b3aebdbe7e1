"""Report notebooks: thin, generated from ``ecoscore.reports.notebooks``, and runnable through papermill.

Each notebook runs for two units in a real ``python3`` kernel on the sample data (示例数据);
the numbers in its output are compared with the same report built in this process.
When ``data/<doc>/`` holds no sample workbook yet, one is generated into a temporary
folder (``ECOSCORE_DATA``) so that the report content is still exercised.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import papermill
import pytest

from ecoscore import facts, list_documents, load_spec, words
from ecoscore.reports import narrative, report
from ecoscore.reports import notebooks as notebook
from ecoscore.rules.base import fmt
from tests.conftest import ROOT

DOCS = list_documents()
#: Two units per document: the notebook's default and a unit of another kind.
UNITS = {
    "xx-2020": ["江干区", "拱墅区"],
    "lishui-2024": ["市生态环境局", "市委组织部"],
    "dongtou-2017": ["洞头区", "环保局"],
    "shengzhou-2024": ["嵊州市", "生态环境分局"],
    "zhoushan-2020": ["舟山市", "定海区"],
}
CALL = re.compile(r"^rep\.[a-z_]+\(\)$")


def path_of(doc: str) -> Path:
    return ROOT / "notebooks" / f"{doc}.ipynb"


def test_every_document_has_a_notebook_and_nothing_else_is_there():
    # a report notebook per document, and the what-if workbench (issue 12)
    assert sorted(p.name for p in (ROOT / "notebooks").iterdir() if not p.name.startswith(".")) == sorted(
        [f"{d}.ipynb" for d in DOCS] + ["whatif.ipynb"])


@pytest.mark.parametrize("doc", DOCS)
def test_committed_notebook_matches_its_outline(doc):
    committed = nbformat.read(str(path_of(doc)), as_version=4)
    made = notebook.make(doc)
    assert [(c.cell_type, c.source, c.metadata) for c in committed.cells] == [
        (c.cell_type, c.source, c.metadata) for c in made.cells
    ], "run `python -m ecoscore.reports.notebooks` and commit the notebooks"


def test_outline_follows_the_family_in_the_documents_words():
    fixtures = ROOT / "tests" / "fixtures"
    points = notebook.outline(load_spec(fixtures / "points_doc.yaml"))
    assert ("各区、县(市)总分比较", "rep.cohort_chart()") in points
    compliance = notebook.outline(load_spec(fixtures / "compliance_doc.yaml"))
    assert ("指标达标一览", "rep.compliance_grid()") in compliance
    # the compliance fixture, like 002 and 003, does not rank its units: no comparison section
    assert not [s for s in compliance if s[1] == "rep.cohort_chart()"]
    taskbook = notebook.outline(load_spec(fixtures / "taskbook_doc.yaml"))
    assert taskbook[0] == ("总体评价", "rep.narrative()") and taskbook[-1] == ("附录:评分过程", "rep.appendix()")


@pytest.mark.parametrize("doc", DOCS)
def test_notebook_is_thin(doc):
    nb = nbformat.read(str(path_of(doc)), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata["tags"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert all(c.metadata["jupyter"]["source_hidden"] for c in code)
    imports = [ln for c in code for ln in c.source.splitlines() if "import" in ln]
    assert imports == ["from ecoscore.reports import report"]
    assert [c.source for c in nb.cells[2:4]] == ["rep.summary()", "rep.header()"]  # the summary leads
    sections = nb.cells[4:]
    assert len(sections) % 2 == 0 and len(sections) >= 14
    for heading, call in zip(sections[::2], sections[1::2]):
        assert heading.cell_type == "markdown" and heading.source.startswith("## ")
        assert CALL.match(call.source), call.source
    declared = papermill.inspect_notebook(str(path_of(doc)))
    assert set(declared) == {"doc", "unit", "result"}


@pytest.fixture
def sample_data(monkeypatch, tmp_path_factory):
    """Return ``use(doc)``: point the loader at the committed sample workbooks of ``doc``,
    or, when there are none yet, at freshly generated ones (``ECOSCORE_DATA``).
    """

    def use(doc: str) -> None:
        if facts.sample_path(doc, load_spec(doc).year).exists():
            return
        from ecoscore.facts import samples

        folder = tmp_path_factory.getbasetemp() / "samples"
        if not (folder / doc).exists():
            samples.write_samples(doc, folder)
        monkeypatch.setenv("ECOSCORE_DATA", str(folder))
        monkeypatch.setattr(facts, "DATA_DIR", folder)

    return use


def outputs_html(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise AssertionError(f"{o['ename']}: {o['evalue']}")
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                assert "missing from font" not in o["text"], o["text"]
            data = o.get("data", {})
            if "text/html" in data:
                out.append(data["text/html"])
    return out


@pytest.mark.parametrize(("doc", "unit"), [(d, u) for d in DOCS for u in UNITS.get(d) or load_spec(d).unit_names[:2]])
def test_notebook_runs_and_shows_the_unit_numbers(doc, unit, sample_data, tmp_path):
    sample_data(doc)
    out = tmp_path / f"{doc}.ipynb"
    nb = papermill.execute_notebook(str(path_of(doc)), str(out), parameters={"unit": unit},
                                    kernel_name="python3", progress_bar=False, cwd=str(ROOT))
    pages = outputs_html(nb)
    lead, header, narr = pages[0], pages[1], pages[2]
    rep = report.build(doc, unit)
    row = rep.row
    assert '<section class="summary">' in lead and f"{html.escape(rep.name)} {rep.year}年度考核结果摘要" in lead
    if rep.scored:
        assert f"总分{fmt(row['total'])}分" in lead
    assert f"<h1>{html.escape(unit)}</h1>" in header
    assert "示例数据,非官方数据" in header
    if rep.scored:
        assert f"<b>{fmt(row['total'])}</b><span>总分" in header
    if row["binding"]:
        assert f"<b>{row['binding_met']}/{row['binding']}</b><span>约束性指标达标" in header
    if row["tasks"]:
        assert f"<b>{row['tasks_done']}/{row['tasks']}</b><span>任务完成" in header
    rank = words.rank(row, rep.spec)  # within the unit's rank group, only where the document ranks
    if rank:
        assert f"<b>{rank}</b>" in header
    else:
        assert "名</b>" not in header
    if rep.department is None:
        overall = narrative.overall(rep.audit, rep.result.summary, unit, out_of=rep.spec.total,
                                    rank_text=words.rank_sentence(row, rep.spec))
        assert f"<dt>总体结果</dt><dd>{html.escape(overall)}</dd>" in narr
    else:  # a department's report: what it answers for, on the plan's unit
        assert f"<dt>职责</dt><dd>《{rep.spec.short_title}》中,{unit}对{rep.unit}的{len(rep.audit)}项" in narr
    # charts are HTML bars (legible on a phone, light): at least the sections chart, and no images
    assert any('<figure class="eco-chart' in p for p in pages)
    assert not any("data:image/" in p for p in pages)
    assert any('<details class="eco-clause">' in p for p in pages)
    assert not any(re.search(r"""(src|href)=["']https?:""", p) for p in pages)
