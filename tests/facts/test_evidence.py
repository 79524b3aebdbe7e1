"""Evidence: the text reporting units typed (依据, 完成情况说明, 备注, 说明) reaches one table,
exactly as typed, with where it came from; only this year's, in file order.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from ecoscore import list_documents, load_spec
from ecoscore.facts import read_bundle, sample_path
from ecoscore.facts.evidence import EVIDENCE_COLUMNS, SOURCES, collect
from ecoscore.facts.template import write_template
from tests.conftest import FIXTURES

FIX = FIXTURES / "facts"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'
LONG_TEXT = "第一段:" + "依据材料" * 600 + "\n第二段\n\n  第三段"  # (an xlsx cannot hold \r: XML drops it)


def col(ws, code: str, code_row: int) -> int:
    """Return the column (1-based) whose field code is ``code``."""
    return next(c.column for c in ws[code_row] if c.value == code)


def row_of(ws, *values) -> int:
    """Return the first row whose leading cells are ``values``."""
    n = len(values)
    return next(r[0].row for r in ws.iter_rows() if tuple(c.value for c in r[:n]) == values)


def put_text(ws, row: int, column: int, text: str) -> None:
    """Type ``text`` as text, even when it starts with "=" (as Excel does after a leading ')."""
    c = ws.cell(row, column)
    c.value = text
    c.data_type = "s"


def add_remark_column(ws, header_row: int, code_row: int) -> int:
    """Add a 备注 column after the last one; return its number."""
    j = ws.max_column + 1
    ws.cell(header_row, j).value = "备注"
    ws.cell(code_row, j).value = "remark"
    return j


def rows(table) -> list[tuple]:
    return [tuple(r) for r in table.itertuples(index=False)]


def test_events_notes_and_remarks_of_a_points_document(tmp_path):
    path = write_template("xx-2020", tmp_path / "填报.xlsx")
    wb = load_workbook(path)
    units, events = wb["单位数据"], wb["加扣分事项"]
    r = row_of(units, 2020, "江干区")
    units.cell(r, col(units, "三.1:note", 4)).value = "  督查通报扣2分\n见附件  "
    units.cell(r, col(units, "remark", 4)).value = "整体情况\u3000见报告"  # inner ideographic space kept
    units.cell(row_of(units, 2020, "拱墅区"), col(units, "remark", 4)).value = "/"  # a "no value" mark
    ev_remark = add_remark_column(events, 2, 3)
    filled = [
        ["江干区", "一.1", "年均值未达到年度目标的断面水质不达标月次(未反弹为劣Ⅴ类)", 2, SCRIPT, dt.date(2020, 3, 5)],
        ["拱墅区", "三.17(2)⑤", "未按规定上报事故信息(最多扣0.5分)", 0.5, FORMULA, None],
        ["西湖区", "一.1", "年均值未达到年度目标的断面水质反弹为劣Ⅴ类月次", None, None, None],  # no evidence: no row
        ["江干区", "一.1", "年均水质类别较上一年度升类的断面", 1, LONG_TEXT, dt.date(2020, 12, 1)],
    ]
    for i, values in enumerate(filled):
        for j, v in enumerate(values, start=1):
            (put_text(events, 4 + i, j, v) if isinstance(v, str) else events.cell(4 + i, j, v))
    events.cell(5, ev_remark).value = "已整改"
    wb.save(path)
    assert load_workbook(path)["加扣分事项"].cell(5, 5).data_type == "s"  # stored as text, not a formula

    b = read_bundle("xx-2020", path)
    f = str(path)
    assert rows(collect(b)) == [
        ("江干区", "三.1", "line_note", "督查通报扣2分\n见附件", f, "单位数据", r),
        ("江干区", "", "remark", "整体情况\u3000见报告", f, "单位数据", r),
        ("江干区", "一.1", "event", f"年均值未达到年度目标的断面水质不达标月次(未反弹为劣Ⅴ类)(2月次,2020-03-05):{SCRIPT}",
         f, "加扣分事项", 4),
        ("拱墅区", "三.17(2)⑤", "event", f"未按规定上报事故信息(最多扣0.5分)(0.5分):{FORMULA}", f, "加扣分事项", 5),
        ("拱墅区", "三.17(2)⑤", "remark", "已整改", f, "加扣分事项", 5),
        ("江干区", "一.1", "event", f"年均水质类别较上一年度升类的断面(1个,2020-12-01):{LONG_TEXT}",
         f, "加扣分事项", 7),
    ]
    # what existing callers read is unchanged (new columns come last)
    assert b.remarks == {"江干区": "整体情况 见报告"}
    assert list(b.events.columns[:9]) == ["unit", "line_id", "item", "key", "amount", "evidence", "date", "row", "year"]
    assert list(b.events["evidence"].fillna("")) == [SCRIPT, FORMULA, "", LONG_TEXT]


def test_task_notes_and_remarks_of_a_task_document(tmp_path):
    path = write_template("lishui-2024", tmp_path / "填报.xlsx")
    wb = load_workbook(path)
    units, tasks = wb["单位数据"], wb["任务完成情况"]
    r = row_of(units, 2024, "市委组织部")
    units.cell(r, col(units, "二.1:note", 4)).value = "协同配合到位"
    t1, t2 = row_of(tasks, "市发改委", "附件3-1.1"), row_of(tasks, "市发改委", "附件3-1.2")
    remark = add_remark_column(tasks, 2, 3)
    tasks.cell(t1, col(tasks, "completion", 3)).value = 60
    tasks.cell(t1, col(tasks, "note", 3)).value = "受审批影响,完成60%\n余下次年完成"
    tasks.cell(t1, remark).value = SCRIPT
    put_text(tasks, t2, remark, FORMULA)  # a remark without a note
    wb.save(path)

    b = read_bundle("lishui-2024", path)
    f = str(path)
    assert rows(collect(b)) == [
        ("市委组织部", "二.1", "line_note", "协同配合到位", f, "单位数据", r),
        ("市发改委", "附件3-1.1", "task_note", "受审批影响,完成60%\n余下次年完成", f, "任务完成情况", t1),
        ("市发改委", "附件3-1.1", "remark", SCRIPT, f, "任务完成情况", t1),
        ("市发改委", "附件3-1.2", "remark", FORMULA, f, "任务完成情况", t2),
    ]
    assert b.tasks.set_index("line_id").loc["附件3-1.1", "note"] == "受审批影响,完成60%\n余下次年完成"


def test_only_this_year_and_aliases_resolved(tmp_path):
    wb = load_workbook(FIX / "good.xlsx")
    ws = wb["单位数据"]
    ws.cell(7, 2).value = "丙"  # 丙县's alias
    ws.cell(7, col(ws, "remark", 4)).value = "本年备注"
    ws.cell(8, col(ws, "remark", 4)).value = "上年备注(不计入)"  # a 2019 row
    path = tmp_path / "good.xlsx"
    wb.save(path)

    b = read_bundle(load_spec(FIX / "facts_doc.yaml"), path)
    f = str(path)
    assert rows(collect(b)) == [
        ("丙县", "门.1", "line_note", "发生<重大>生态破坏事件", f, "单位数据", 7),
        ("丙县", "", "remark", "本年备注", f, "单位数据", 7),
        ("乙区", "二.1", "task_note", "征地手续延误,完成80%", f, "任务完成情况", 5),
        ("甲区", "加.1", "event", "获得省级以上表彰(1项,2020-05-10):省政府通报〔2020〕5号", f, "加扣分事项", 4),
        ("乙区", "扣.1", "event", "发生较大环境事件(1起,2020-07-01):市生态环境局事件报告", f, "加扣分事项", 5),
        ("乙区", "扣.1", "event", "被上级通报扣分(2分,2020-09-15):省督查通报〔2020〕12号", f, "加扣分事项", 6),
    ]


def test_long_form_notes_in_a_csv(tmp_path):
    lines = list(csv.reader(io.StringIO((FIX / "long_form.csv").read_text(encoding="utf-8-sig"))))
    lines[1].insert(3, "备注")  # columns may come in any order: year, unit, fact, remark, label, value, note
    lines[2].insert(3, "remark")
    for ln in lines[3:]:
        ln.insert(3, "")
    at = {(ln[1], ln[2]): i for i, ln in enumerate(lines) if i >= 3}
    lines[at[("甲区", "一.1:value")]][6] = "监测站数据\r\n(2020年)"
    lines[at[("甲区", "一.1:value")]][3] = SCRIPT
    lines[at[("乙区", "门.1:flag")]][6] = FORMULA
    lines[at[("甲区", "二.1:note")]][5] = "  按期完成  "
    lines[at[("丙县", "门.1:note")]][1] = " 丙 "
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    path = tmp_path / "长表.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    b = read_bundle(load_spec(FIX / "facts_doc.yaml"), path)
    f = str(path)
    row = {k: i + 1 for k, i in at.items()}
    assert rows(collect(b)) == [
        ("甲区", "一.1", "remark", SCRIPT, f, "", row[("甲区", "一.1:value")]),
        ("甲区", "一.1", "long_note", "监测站数据\r\n(2020年)", f, "", row[("甲区", "一.1:value")]),
        ("甲区", "二.1", "task_note", "按期完成", f, "", row[("甲区", "二.1:note")]),
        ("乙区", "二.1", "task_note", "征地手续延误,完成80%", f, "", row[("乙区", "二.1:note")]),
        ("乙区", "门.1", "long_note", FORMULA, f, "", row[("乙区", "门.1:flag")]),
        ("丙县", "门.1", "line_note", "发生<重大>生态破坏事件", f, "", row[("丙县", "门.1:note")]),
    ]


def test_task_notes_typed_as_columns_of_a_wide_csv():
    path = FIX / "gbk_encoded.csv"
    b = read_bundle(load_spec(FIX / "facts_doc.yaml"), path)
    assert rows(collect(b)) == [
        ("乙区", "二.1", "task_note", "征地手续延误,完成80%", str(path), "", 5),
        ("丙县", "门.1", "line_note", "发生<重大>生态破坏事件", str(path), "", 6),
    ]


@pytest.mark.parametrize("doc", list_documents())
def test_sample_data_of_every_document(doc):
    spec = load_spec(doc)
    b = read_bundle(spec, sample_path(doc, spec.year), sample_path(doc, spec.year - 1), year=spec.year)
    t = collect(b)
    assert list(t.columns) == EVIDENCE_COLUMNS and len(t) > 0
    assert set(t["source"]) <= set(SOURCES)
    added = {u.name for u in spec.analyst_units.sample} if spec.analyst_units else set()
    assert set(t["unit"]) <= set(spec.unit_names) | added  # the analyst's example units type notes too
    assert set(t["line_id"]) - {""} <= {ln.id for ln in spec.lines}
    assert all(isinstance(x, str) and x and x == x.strip() for x in t["text"])
    assert set(t["file"]) == {str(sample_path(doc, spec.year))}  # only this year's file
    assert t["row"].dtype.kind == "i" and (t["row"] > 3).all()
    assert (t["source"] == "event").sum() == b.events["evidence"].notna().sum()
    assert (t["source"] == "task_note").sum() == b.tasks["note"].notna().sum()
    # in file order: sheets as the workbook has them, rows ascending within a sheet
    sheets = list(dict.fromkeys(t["sheet"]))
    assert sheets == [s for s in ["单位数据", "任务完成情况", "加扣分事项"] if s in sheets]
    for _, g in t.groupby("sheet"):
        assert g["row"].is_monotonic_increasing


def test_a_bundle_without_text_gives_an_empty_table_with_the_columns(tmp_path):
    path = write_template("xx-2020", tmp_path / "填报.xlsx")
    wb = load_workbook(path)
    units = wb["单位数据"]
    units.cell(5, col(units, "一.4(1):value", 4)).value = 95
    wb.save(path)
    t = collect(read_bundle("xx-2020", path))
    assert list(t.columns) == EVIDENCE_COLUMNS and t.empty
