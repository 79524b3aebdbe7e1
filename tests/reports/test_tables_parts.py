"""Report tables on a line of several parts: who must act and the gap, from the deciding part."""

import pytest
from bs4 import BeautifulSoup

from ecoscore.reports import narrative, tables
from tests.conftest import compound_parts_result


@pytest.fixture(scope="module")
def scored():
    return compound_parts_result()


def _rows(block, caption=None) -> list[dict[str, str]]:
    soup = BeautifulSoup(block.html, "html.parser")
    table = soup.find("table")
    heads = [th.get_text() for th in table.find("thead").find_all("th")]
    return [dict(zip(heads, (td.get_text() for td in tr.find_all("td")))) for tr in table.find("tbody").find_all("tr")]


def test_responsibility_names_the_failing_parts_own_lead_and_gap(scored):
    spec, res = scored
    rows = {r["编号"]: r for r in _rows(tables.responsibility(res.unit_audit("甲县"), spec, "甲县"))}
    air = rows["指1"]
    assert air["牵头单位"] == "住建局" and air["责任单位"] == "交通局、生态环境局"
    assert air["差距/失分"] == "4个百分点" and "优良天数比例" in air["项目"]
    coeff = rows["指2"]  # a coefficient: a bare number, though the spec's unit_of_measure says %
    assert coeff["差距/失分"] == "0.01" and coeff["牵头单位"] == "水利局"


def test_responsibility_tally_counts_a_miss_against_the_deciding_parts_units(scored):
    spec, res = scored
    soup = BeautifulSoup(tables.responsibility(res.unit_audit("甲县"), spec, "甲县").html, "html.parser")
    tally = soup.find_all("table")[1]
    heads = [th.get_text() for th in tally.find("thead").find_all("th")]
    counts = {r["单位"]: r for r in (dict(zip(heads, (td.get_text() for td in tr.find_all("td"))))
                                   for tr in tally.find("tbody").find_all("tr"))}
    # 住建局 leads the failing part of 指1; 发改局 leads part 3, which was met: not involved
    assert counts["住建局"]["牵头未达到要求"] == "1"
    assert "发改局" not in counts


def test_appendix_shows_the_part_and_the_gap_in_its_unit(scored):
    spec, res = scored
    rows = {r["编号"]: r for r in _rows(tables.appendix(res.unit_audit("乙县"), spec))}
    assert rows["指1"]["分项"] == "第1项" and rows["指1"]["差距"] == "5μg/m³" and rows["指1"]["牵头单位"] == "生态环境局"
    assert rows["指2"]["分项"] == ""


def test_narrative_gap_in_the_deciding_parts_unit(scored):
    spec, res = scored
    # the merged unit_of_measure ("μg/m³ / % / 万吨") given as measures is not used: the row knows its unit
    measures = {ln.id: ln.unit_of_measure for ln in spec.lines}
    assert narrative.priorities(res.unit_audit("乙县"), measures=measures) == (
        "建议优先改进以下各项。\n(1)「环境空气质量」(约束性),差距5μg/m³,为目标值的14.29%。\n(2)「生态问题整改」(参考性)。")
    # 4 of 92 percentage points; the coefficient's 0.01 of 0.6 has no unit
    assert narrative.priorities(res.unit_audit("甲县"), measures=measures) == (
        "建议优先改进以下各项。\n(1)「农田灌溉水有效利用系数」(约束性),差距0.01,为目标值的1.67%。\n"
        "(2)「环境空气质量」(约束性),差距4个百分点,为目标值的4.35%。")


def _doc_report(name: str, unit: str):
    import pandas as pd

    from ecoscore import load_spec
    from ecoscore.reports import report
    from tests.conftest import FIXTURES

    spec = load_spec(FIXTURES / f"{name}.yaml")
    return report.build(spec, unit, facts=pd.read_csv(FIXTURES / f"{name}_facts.csv", index_col=0))


def test_the_appendix_is_collapsed_and_says_its_readings_in_words():
    h = _doc_report("points_doc", "甲区").appendix().html
    soup = BeautifulSoup(h, "html.parser")
    outer = soup.find("details", class_="eco-appendix")
    assert outer is not None and not outer.has_attr("open")  # closed until the reader opens it
    assert outer.summary.get_text() == "附录(供复核):逐项评分过程6项、涉及本单位的多解条款1处,点击展开"
    table = soup.find_all("table")[-1]
    heads = [th.get_text() for th in table.select("thead th")]
    readings = [dict(zip(heads, (td.get_text() for td in tr.find_all("td")))) for tr in table.select("tbody tr")]
    assert readings == [{"编号": "A1", "问题": "恰好90%是否算达到?", "本报告采用的读法": "(默认)90%及以上算达到",
                         "其他读法": "· 须高于90%", "涉及本单位的项目": "「水质优良比例」", "条款原文": "条款原文优良比例达到90%得20分"}]
    assert "at_least" not in h and "above" not in h  # reading codes never shown


def test_a_reading_touching_none_of_the_units_lines_is_left_out(scored):
    spec, res = scored
    assert "多解条款" not in tables.appendix(res.unit_audit("乙县"), spec).html  # the fixture's lines have none


def test_columns_with_nothing_in_them_are_left_out():
    # points_doc has no indicators: no 属性/目标/实际值; the taskbook's lines carry no points
    head = [th.get_text() for th in BeautifulSoup(_doc_report("points_doc", "甲区").table().html,
                                                   "html.parser").select("thead th")]
    assert head == ["编号", "考核内容", "满分", "得分", "失分", "结果", "说明", "依据条款"]
    appendix = BeautifulSoup(_doc_report("points_doc", "甲区").appendix().html, "html.parser")
    first = [th.get_text() for th in appendix.find("table").select("thead th")]
    assert "属性" not in first and "分项" not in first and "分组" not in first and "目标值" in first


def test_a_group_named_by_its_own_title_says_it_once():
    from ecoscore import load_spec

    spec = load_spec("zhoushan-2020")
    assert tables.section_label(spec, "附件2.生态制度") == "附件2 生态制度"
    assert tables.section_label(spec, "附件1(一)") == "附件1(一) 目标责任体系与制度建设"
