"""Department reports (documents that task departments with one unit's indicators: 002, 003)
and units an analyst adds through the facts file.

The fixture ``department_doc.yaml`` is one county (本县) whose plan names a lead and sharing
departments on each line; indicator 3 has two parts with their own leads (part 1 县住建局,
part 2 县治水办 with 县生态环境局). Its facts add two counties the text does not name
(邻县 平原, 远县 山区) with their category entered.
"""

from __future__ import annotations

import re
from html import unescape

import nbformat
import pytest

from ecoscore.batch.render import render
from ecoscore.errors import EcoscoreError
from ecoscore.reports import departments, notebooks, report
from ecoscore.reports.index_page import index_html
from ecoscore.scoring.cohort import score_cohort
from ecoscore.spec import load_spec
from tests.conftest import FIXTURES

DOC = str(FIXTURES / "department_doc.yaml")
FACTS = str(FIXTURES / "department_doc_facts.csv")


def text(block) -> str:
    html = block.html if hasattr(block, "html") else block
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def rows(block) -> list[list[str]]:
    out = []
    for tr in re.findall(r"<tr>(.*?)</tr>", block.html, flags=re.S):
        out.append([text(td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)])
    return [r for r in out if r]


@pytest.fixture(scope="module")
def cohort():
    return score_cohort(DOC, FACTS)


def test_roles_follow_the_lines_and_their_parts():
    spec = load_spec(DOC)
    # 县生态环境局 leads 1, and on 3 it is named only in part 2 after 县治水办 (and as responsible): shares
    assert departments.lines_of(spec, "县生态环境局") == {"1": "牵头", "3": "配合"}
    assert departments.lines_of(spec, "县治水办") == {"3": "牵头"}
    assert departments.lines_of(spec, "县住建局") == {"2": "配合", "3": "牵头"}
    assert departments.lines_of(spec, "县统计局") == {"任务1": "牵头"}
    assert departments.parts_named(spec.line("3"), "县生态环境局") == [2]
    assert spec.department_names() == ["县生态环境局", "县林业局", "县住建局", "县治水办", "县统计局"]


def test_a_department_report_shows_only_its_lines_with_status_gap_and_action(cohort):
    rep = report.load(cohort, "县生态环境局")
    assert (rep.name, rep.unit) == ("县生态环境局", "本县")
    assert list(rep.audit["line_id"]) == ["1", "3"]
    head = text(rep.header())
    assert "县生态环境局" in head and "本县" in head
    # both lines are binding indicators and both are missed: 83 < 85; part 2 of 3: 90 < 100
    assert re.search(r"0/2\s*约束性指标达标", head)
    table = rows(rep.department_view())
    by_id = {r[0]: r for r in table}
    assert set(by_id) == {"1", "3"}
    one = by_id["1"]
    assert one[2] == "牵头" and one[5] == "未达标"
    assert one[6] == f"{85 - 83}个百分点"
    assert one[3] == "≥85%" and "牵头推动本项达到目标(≥85%)" in one[7]
    three = by_id["3"]
    assert three[2] == "配合第2项(牵头:县治水办)"
    # part 1 is met (96 ≥ 95); part 2 fails: 90 against 100, its own target and gap
    assert three[3] == "黑臭水体消除率≥100%" and three[4] == "黑臭水体消除率90%" and three[6] == f"{100 - 90}个百分点"
    assert three[7] == "配合牵头单位推动本项达到目标(黑臭水体消除率≥100%),目前差距10个百分点。"
    assert "环境空气质量优良天数比例 % ≥85 县生态环境局" in one[8]  # the clause, verbatim


def test_a_category_target_is_the_units_own(cohort):
    # 森林覆盖率 山区≥70,平原≥19: 本县 is 山区
    by_id = {r[0]: r for r in rows(report.load(cohort, "县林业局").department_view())}
    assert by_id["2"][3] == "≥70%" and by_id["2"][4] == "72%" and by_id["2"][5] == "达标"


def test_a_task_department_is_told_what_remains(cohort):
    rep = report.load(cohort, "县统计局")
    view = rep.department_view()
    (row,) = rows(view)
    # a task only: the indicator columns (目标, 实际, 差距) have nothing in them and are not shown
    assert "<th>目标</th>" not in view.html and "<th>差距</th>" not in view.html
    assert row[0] == "任务1" and row[3] == "未完成"
    assert row[4] == "牵头完成本项任务,目前完成60%。"
    narr = text(rep.narrative())
    # named by its title, never by its id, and never said to be 已完成
    assert "牵头1项,配合0项" in narr and "「开展自然资源资产负债表编制」未完成,目前完成60%。" in narr
    assert "任务1" not in narr


def test_a_department_report_makes_no_cohort_comparison(cohort):
    assert "不作横向比较" in text(report.load(cohort, "县林业局").cohort_chart())


def test_an_unknown_name_is_refused_with_the_choices(cohort):
    with pytest.raises(EcoscoreError, match="县统计局"):
        report.load(cohort, "县财政局")


def test_analyst_units_are_scored_on_their_lines_with_the_entered_category(cohort):
    s = cohort.current.summary.set_index("unit")
    assert list(s.index) == ["本县", "邻县", "远县"]
    # 邻县 is scored on the three annex indicators only (not the task); 平原: forest 20 ≥ 19
    assert (s.at["邻县", "indicators"], s.at["邻县", "indicators_met"], s.at["邻县", "tasks"]) == (3, 3, 0)
    # 远县 entered 山区: the same 20 is below 70
    a = cohort.current.unit_audit("远县").set_index("line_id")
    assert a.at["2", "outcome"] == "not_met" and a.at["2", "target"] == 70
    assert s.at["邻县", "added"] == "地区:平原" and s.at["本县", "added"] == ""


def test_an_analyst_unit_report_says_it_was_added_and_how(cohort):
    rep = report.load(cohort, "邻县")
    head = text(rep.header())
    assert "邻县不是《测试县创建方案》所列单位" in head and "分析人员自选的对照县" in head
    assert "地区:平原" in head and "3项适用于此类单位" in head
    assert "上年数据中没有邻县" in text(rep.trend_chart()) or "未提供上年数据" in text(rep.trend_chart())


def test_index_lists_departments_and_the_analyst_cohort_apart(cohort):
    spec = cohort.spec
    links = {n: f"{n}.html" for n in [*cohort.units, *spec.department_names()]}
    page = index_html(cohort, links=links, failures=[])
    depts = re.search(r'<table class="departments">(.*?)</table>', page, flags=re.S).group(1)
    eco = re.search(r'<tr data-department="县生态环境局">(.*?)</tr>', depts, flags=re.S).group(1)
    # leads 1, shares 1, both missed, nothing missing
    assert [text(td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", eco, flags=re.S)][:5] == \
        ["县生态环境局", "1", "1", "2", "0"]
    added = re.search(r'<table class="added-units">(.*?)</table>', page, flags=re.S).group(1)
    assert "邻县" in added and "地区:平原" in added and "本县" not in added
    ranking = re.search(r'<table class="ranking">(.*?)</table>', page, flags=re.S).group(1)
    assert "本县" in ranking and "邻县" not in ranking
    assert "分析人员自选的对照县" in page


def test_render_writes_unit_department_and_analyst_reports(tmp_path):
    nb = notebooks.make(DOC)
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k:02d}"
    path = tmp_path / "department-doc.ipynb"
    nbformat.write(nb, str(path))
    summary = render(DOC, facts=FACTS, out_dir=tmp_path / "out", workers=2, progress=False, notebook=path)
    summary.raise_for_failures()
    assert list(summary.written) == ["本县", "县生态环境局", "县林业局", "县住建局", "县治水办", "县统计局", "邻县", "远县"]
    page = text((summary.written["县治水办"]).read_text(encoding="utf-8"))
    assert "县治水办" in page and "牵头第2项" in page and "黑臭水体消除率" in page
    index = summary.index.read_text(encoding="utf-8")
    assert 'href="%E5%8E%BF%E6%B2%BB%E6%B0%B4%E5%8A%9E.html"' in index  # 县治水办.html
    only = render(DOC, units="县统计局、邻县", facts=FACTS, out_dir=tmp_path / "two", workers=1, progress=False,
                  notebook=path)
    assert list(only.written) == ["县统计局", "邻县"]


def test_cli_and_export_label_the_analyst_units(cohort, tmp_path):
    from openpyxl import load_workbook

    from ecoscore.cli.main import ranking_table
    from ecoscore.reports.export import write_xlsx

    table = ranking_table(cohort.current).set_index("单位")
    assert table.at["邻县", "分析人员添加(类别)"] == "地区:平原" and table.at["本县", "分析人员添加(类别)"] == ""
    ws = load_workbook(write_xlsx(cohort, tmp_path / "x.xlsx"))["汇总"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in values if "单位" in r)
    col = header.index("分析人员添加的单位(类别)")
    assert [r[col] for r in values if r[header.index("单位")] == "远县"] == ["地区:山区"]


def test_a_department_holding_a_part_that_did_not_fail_is_told_whose_part_failed(tmp_path):
    # 县住建局 holds part 1 of line 3; part 2 (县治水办) fails
    cohort = score_cohort(DOC, FACTS)
    by_id = {r[0]: r for r in rows(report.load(cohort, "县住建局").department_view())}
    assert by_id["3"][2] == "牵头第1项"
    assert by_id["3"][7] == ("本项因第2项未达到目标(黑臭水体消除率≥100%),差距10个百分点,该项由县治水办牵头;"
                             "本部门负责第1项,须保持达标并配合整改。")
