"""User text written to a spreadsheet is never a live formula (``ecoscore.cells``)."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from ecoscore import atomic
from ecoscore.cells import neutral, risky
from ecoscore.errors import PROBLEM_HEADERS
from ecoscore.reports.export import write_problems

TYPED = '=HYPERLINK("http://example.invalid","点此")'


@pytest.mark.parametrize(("text", "expected"), [
    (TYPED, True), ("=1+1", True), ("@SUM(A1:A9)", True), ("+cmd|' /C calc'!A0", True), ("-2+3", True),
    ("\t=1", True), ("-", False), ("-5", False), ("+3.2", False), ("-1e3", False), ("92.5%", False),
    ("越城区", False), ("", False), (None, False), (12, False),
])
def test_what_a_spreadsheet_would_run(text, expected):
    assert risky(text) is expected
    assert neutral(text) == ("'" + text if expected else text)


def problems() -> pd.DataFrame:
    return pd.DataFrame([{"file": "a.xlsx", "sheet": "单位数据", "row": 5, "column": "B列 单位", "unit": TYPED,
                          "expected": "考核文件所列单位名称", "found": TYPED}]).rename(
        columns={k: k for k in PROBLEM_HEADERS})


def test_problem_list_xlsx_keeps_the_text_as_text(tmp_path):
    path = write_problems(problems(), problems().iloc[0:0], tmp_path / "问题.xlsx")
    ws = load_workbook(path)["错误"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == TYPED]
    assert len(cells) == 2 and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_problem_list_csv_starts_no_cell_with_a_formula(tmp_path):
    path = write_problems(problems(), problems().iloc[0:0], tmp_path / "问题.csv")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert (back == "'" + TYPED).sum().sum() == 2
    assert not back.apply(lambda s: s.fillna("").str.startswith("=")).any().any()


def test_every_workbook_the_project_saves_is_neutralised(tmp_path):
    wb = Workbook()
    wb.active["A1"] = "=1+1"
    wb.active["A2"] = 3
    back = load_workbook(atomic.save_workbook(wb, tmp_path / "x.xlsx")).active
    assert back["A1"].value == "=1+1" and back["A1"].data_type == "s" and back["A2"].value == 3
