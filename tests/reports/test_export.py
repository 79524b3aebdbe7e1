"""The XLSX export of scores and audit trail: one sheet per view, frozen headers, the clause
beside each line, sample data labelled on every sheet, written atomically.
"""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from ecoscore import list_documents, load_spec
from ecoscore.cli import main
from ecoscore.errors import FactsError
from ecoscore.facts import load_facts
from ecoscore.reports.export import write_problems, write_xlsx
from ecoscore.scoring.cohort import score_cohort
from tests.conftest import FIXTURES

FIX = FIXTURES / "facts"
SPEC_PATH = FIX / "facts_doc.yaml"
VIEWS = ["说明", "汇总", "分项得分", "逐项得分", "审计明细", "缺数据清单", "解读"]


@pytest.fixture(scope="module")
def result():
    return score_cohort(load_spec(SPEC_PATH), FIX / "good.xlsx")


def test_one_sheet_per_view_with_frozen_headers(result, tmp_path):
    wb = load_workbook(write_xlsx(result, tmp_path / "成绩.xlsx"))
    assert wb.sheetnames == VIEWS
    for name in VIEWS[1:]:
        assert wb[name].freeze_panes in ("B3", "C3"), name
    summary = wb["汇总"]
    header = [c.value for c in summary[2]]
    assert header[:3] == ["位次", "单位", "总分"] and "等次" in header
    ranks = [summary.cell(r, 1).value for r in range(3, 6)]
    assert ranks == ["第1/3名", "第2/3名", "第3/3名"]  # the words the reports and the index print
    assert {summary.cell(r, 2).value for r in range(3, 6)} == {"甲区", "乙区", "丙县"}


def test_clause_text_beside_each_line(result, tmp_path):
    wb = load_workbook(write_xlsx(result, tmp_path / "成绩.xlsx"))
    m = wb["逐项得分"]
    assert [c.value for c in m[2]][:4] == ["条款编号", "指标/任务", "分值", "条款原文"]
    rows = {m.cell(r, 1).value: r for r in range(3, m.max_row + 1)}
    assert m.cell(rows["一.1"], 4).value == "优良天数比例达到90%的,得20分。"
    assert m.cell(rows["一.1"], 4).alignment.wrap_text
    assert m.cell(rows["一.1"], 5).value == 20  # 甲区 92.5% ≥ 90%
    audit = wb["审计明细"]
    header = [c.value for c in audit[2]]
    assert "条款原文" in header and "计分说明" in header
    assert audit.max_row == len(result.current.audit) + 2


def test_groups_and_readings_views(result, tmp_path):
    wb = load_workbook(write_xlsx(result, tmp_path / "成绩.xlsx"))
    g = wb["分项得分"]
    assert g.cell(2, 2).value == "一 环境质量(满分50)"
    r = wb["解读"]
    assert r.cell(3, 1).value == "A1" and r.cell(3, 5).value.startswith("fixed")
    assert [r.cell(3, 2).value] == ["一.1"]


def test_sample_banner_on_every_sheet(result, tmp_path):
    plain = load_workbook(write_xlsx(result, tmp_path / "a.xlsx"))
    result.provenance["sample"] = True
    try:
        marked = load_workbook(write_xlsx(result, tmp_path / "b.xlsx"))
    finally:
        result.provenance["sample"] = False
    for name in VIEWS:
        assert "示例数据" not in str(plain[name]["A1"].value)
        assert "示例数据" in str(marked[name]["A1"].value)


def test_write_is_atomic(result, tmp_path, monkeypatch):
    path = tmp_path / "成绩.xlsx"
    path.write_bytes(b"old")

    def boom(self, *a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("openpyxl.workbook.workbook.Workbook.save", boom)
    with pytest.raises(RuntimeError):
        write_xlsx(result, path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["成绩.xlsx"]


@pytest.mark.parametrize("doc", list_documents())
def test_cli_exports_sample_scores_marked_as_sample(doc, tmp_path, capsys):
    out = tmp_path / f"{doc}.xlsx"
    assert main(["score", doc, "--format", "xlsx", "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert all("示例数据" in str(wb[n]["A1"].value) for n in wb.sheetnames)
    spec = load_spec(doc)
    # the document's units, then the example of units an analyst adds (labelled as such)
    added = [u.name for u in spec.analyst_units.sample] if spec.analyst_units else []
    assert len(spec.units) + len(added) == wb["汇总"].max_row - 2
    col = [c.value for c in wb["汇总"][2]].index("单位") + 1
    names = [wb["汇总"].cell(r, col).value for r in range(3, wb["汇总"].max_row + 1)]
    assert set(names) == set(spec.unit_names) | set(added)


def test_problem_list_as_csv(tmp_path):
    spec = load_spec(SPEC_PATH)
    with pytest.raises(FactsError) as info:
        load_facts(spec, FIX.parent / "bad" / "unknown_unit.xlsx")
    path = write_problems(info.value.table, FactsError([]).table, tmp_path / "问题.csv")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert list(back.columns) == ["文件", "工作表", "行", "列", "单位", "应为", "实际为", "级别"]
    assert back.loc[0, "单位"] == "XX市甲区" and back.loc[0, "级别"] == "错误"
