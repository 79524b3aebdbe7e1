"""The analyst's grouping of the units (省份, 城市): asked by the template where analysts may add
units, read from this year's rows (xlsx, wide and long CSV), kept in the scored result, and
never taken for the document's.
"""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from ecoscore.facts import read_bundle
from ecoscore.facts.samples import sample_workbooks
from ecoscore.facts.template import write_csv, write_template
from ecoscore.facts.workbook import GROUP_HEADER, SHEET_NAMES, UNITS
from ecoscore.reports.index_page import UNGROUPED, group_plan
from ecoscore.scoring.cohort import score_cohort
from ecoscore.scoring.result import ScoredCohort
from ecoscore.spec import load_spec
from tests.conftest import FIXTURES

DOC = "shengzhou-2024"
#: three of the sample's added counties, with the analyst's grouping; 新昌县 is left without one
GIVEN = {"越城区": ("浙江省", "绍兴市"), "柯桥区": ("浙江省", "绍兴市"), "诸暨市": ("示例省", "示例市")}


def _codes(ws) -> dict[str, int]:
    return {ws.cell(4, j).value: j for j in range(1, ws.max_column + 1)}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Return ``(this year's workbook, last year's)``: the sample data as the template writes
    them, with the grouping typed on this year's rows of ``GIVEN`` (and a decoy on last year's).
    """
    spec = load_spec(DOC)
    folder = tmp_path_factory.mktemp("groups")
    paths = {}
    for path, data in sample_workbooks(spec, folder).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths[int(path.stem.rsplit("-", 1)[1])] = path
    cur, prev = paths[spec.year], paths[spec.year - 1]
    for path, grouping in ((cur, GIVEN), (prev, {"新昌县": ("上年省", "上年市")})):
        wb = load_workbook(path)
        ws = wb[SHEET_NAMES[UNITS]]
        col = _codes(ws)
        for r in range(5, ws.max_row + 1):
            unit = ws.cell(r, col["unit"]).value
            if unit in grouping:
                ws.cell(r, col["province"], grouping[unit][0])
                ws.cell(r, col["city"], grouping[unit][1])
        wb.save(path)
    return cur, prev


def test_the_template_of_a_document_with_added_units_asks_for_the_analysts_grouping(tmp_path):
    ws = load_workbook(write_template(DOC, tmp_path / "t.xlsx"))[SHEET_NAMES[UNITS]]
    col = _codes(ws)
    assert col["province"] + 1 == col["city"] and col["city"] + 1 == col["remark"]  # before 备注
    assert ws.cell(2, col["province"]).value == GROUP_HEADER == "分析人员分组(非考核文件内容)"
    assert (ws.cell(3, col["province"]).value, ws.cell(3, col["city"]).value) == ("省份", "城市")
    rows = list(csv.reader(write_csv(DOC, tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows[2][-3:] == ["province", "city", "remark"]
    assert rows[1][-3] == f"省份〔{GROUP_HEADER}〕"


@pytest.mark.parametrize("doc", ["lishui-2024", "xx-2020"])
def test_a_template_without_added_units_has_no_grouping_columns(tmp_path, doc):
    ws = load_workbook(write_template(doc, tmp_path / "t.xlsx"))[SHEET_NAMES[UNITS]]
    codes = set(_codes(ws))
    assert "remark" in codes and not codes & {"province", "city"}
    assert GROUP_HEADER not in {ws.cell(2, j).value for j in range(1, ws.max_column + 1)}
    rows = list(csv.reader(write_csv(doc, tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows[2][-1] == "remark" and not {"province", "city"} & set(rows[2])
    assert not any("分析人员分组" in h for h in rows[1])


def test_the_grouping_is_read_from_this_years_rows_into_the_bundle(files):
    b = read_bundle(DOC, *files)
    g = b.groups.set_index("unit")
    assert list(b.groups.columns) == ["unit", "province", "city"]
    assert {u: tuple(r) for u, r in g.iterrows()} == GIVEN
    assert "新昌县" not in g.index  # only last year's row names one: not this year's grouping
    assert not b.remarks  # nothing of it turns into a remark


def test_the_grouping_travels_with_the_scored_result_and_survives_save_and_load(files, tmp_path):
    cohort = score_cohort(DOC, files[0], files[1], sensitivity=False)
    assert {r.unit: (r.province, r.city) for r in cohort.groups.itertuples()} == GIVEN
    back = ScoredCohort.load(cohort.save(tmp_path / "scored.json"))
    assert back.groups.to_dict("records") == cohort.groups.to_dict("records")
    added = [u for u in cohort.units if u not in cohort.spec.unit_names]
    plan = group_plan(back, added)
    where = {u: (g.name, sec) for g in plan.groups for sec, us in g.sections for u in us}
    assert sorted(where) == sorted(added)  # each added unit once
    assert where["越城区"] == ("浙江省", "绍兴市") and where["诸暨市"] == ("示例省", "示例市")
    assert where["新昌县"] == (UNGROUPED, UNGROUPED) and where["上虞区"] == (UNGROUPED, UNGROUPED)
    assert plan.groups[-1].name == UNGROUPED  # after the provinces the analyst named


def test_a_result_without_a_grouping_saves_none(tmp_path):
    cohort = score_cohort(DOC, sensitivity=False)  # the bundled sample data: no grouping typed
    assert cohort.groups is None
    assert ScoredCohort.load(cohort.save(tmp_path / "scored.json")).groups is None


def test_a_csv_takes_the_grouping_under_its_chinese_headers_too(tmp_path):
    p = tmp_path / "facts.csv"
    p.write_text("unit,@unit:region,1:value,2:value,3:p0_value,3:p1_value,任务1:completion,所在省份,地市\n"
                 "本县,,83,72,96,90,60,甲省,甲市\n邻县,平原,90,20,96,100,,乙省,\n", encoding="utf-8")
    b = read_bundle(load_spec(FIXTURES / "department_doc.yaml"), p)
    assert b.groups.to_dict("records") == [{"unit": "本县", "province": "甲省", "city": "甲市"},
                                           {"unit": "邻县", "province": "乙省", "city": ""}]


def test_a_long_form_file_takes_the_grouping_columns(tmp_path):
    p = tmp_path / "long.csv"
    p.write_text("unit,fact,value,province,city\n本县,1:value,83,甲省,甲市\n本县,2:value,72,,\n"
                 "本县,3:p0_value,96,,\n本县,3:p1_value,90,,\n本县,任务1:completion,60,,\n"
                 "邻县,@unit:region,平原,乙省,乙市\n邻县,1:value,90,,\n", encoding="utf-8")
    b = read_bundle(load_spec(FIXTURES / "department_doc.yaml"), p)
    assert b.groups.to_dict("records") == [{"unit": "本县", "province": "甲省", "city": "甲市"},
                                           {"unit": "邻县", "province": "乙省", "city": "乙市"}]
