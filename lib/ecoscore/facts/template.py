"""Facts templates: the workbook an analyst hands out to departments and counties.

``write_template(spec, "填报表.xlsx")`` writes the unit-facts sheet (a row per unit, a column
per fact, Chinese headers with the unit of measure and clause id over a row of field
codes, Excel data validation for yes/no, grades and ranges), the task sheet, the events
sheet, a help sheet and a reference sheet with each fact's clause text. The same writer
fills the workbook with values (sample data). ``write_csv`` writes the wide sheet (every
fact as a column) or the long form (unit, fact, value) as UTF-8 with BOM.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ecoscore import atomic
from ecoscore.cells import neutral
from ecoscore.facts.template_help import write_help, write_reference
from ecoscore.facts.workbook import (
    COLUMNS,
    EVENTS,
    GROUP_COLUMNS,
    GROUP_HEADER,
    LISTS_SHEET,
    LONG,
    META_SHEET,
    SHEET_NAMES,
    TASKS,
    UNITS,
    Field,
    Layout,
    bounds,
    build_layout,
    expected_text,
    task_reporters,
)
from ecoscore.rules.base import fmt
from ecoscore.spec import Spec, load_spec

HEAD = PatternFill("solid", fgColor="DDEBF7")
ALT = PatternFill("solid", fgColor="FFF2CC")
CODE = PatternFill("solid", fgColor="F2F2F2")
GREY = PatternFill("solid", fgColor="BFBFBF")
BANNER = PatternFill("solid", fgColor="FCE4D6")
THIN = Border(*(Side(style="thin", color="BFBFBF"),) * 4)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
EVENT_ROWS = 300


def title_text(spec: Spec, year: int, sheet: str, sample: bool) -> str:
    """Return a sheet's first-row title, which also records the document id and year."""
    banner = "【示例数据,非官方数据,仅供演示】" if sample else ""
    return f"{banner}《{spec.short_title}》{sheet}  文档代码:{spec.id}  年度:{year}"


def cell_value(v: Any, f: Field | None = None) -> Any:
    """Return a fact value as written into a cell (是/否 for yes/no, None for blanks)."""
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    if isinstance(v, (bool,)) or (f is not None and f.fact.kind == "bool"):
        return "是" if bool(v) else "否"
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def write_template(spec: Spec | str, path: str | Path, *, year: int | None = None,
                   facts: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                   events: list[dict] | None = None, previous_rows: bool = True,
                   sample: bool = False, reproducible: bool = False) -> Path:
    """Write a facts workbook (``.xlsx``) or CSV (``.csv``) for ``spec`` and return the path.

    ``facts`` (index unit, columns fact keys) and ``events`` fill it in; ``previous`` fills
    last year's rows. ``previous_rows`` adds rows for last year's values when the document
    compares with last year. ``sample`` marks every sheet as 示例数据.
    """
    spec = load_spec(spec) if isinstance(spec, str) else spec
    if Path(path).suffix.lower() == ".csv":
        return write_csv(spec, path, year=year, facts=facts, sample=sample)
    wb = build_workbook(spec, year=year, facts=facts, previous=previous, events=events,
                        previous_rows=previous_rows, sample=sample)
    return atomic.save_workbook(wb, path, reproducible=reproducible)


def build_workbook(spec: Spec, *, year: int | None = None, facts=None, previous=None, events=None,
                   previous_rows: bool = True, sample: bool = False) -> Workbook:
    """Return the facts workbook as an openpyxl ``Workbook`` (see ``write_template``)."""
    year = year or spec.year
    lay = build_layout(spec)
    wb = Workbook()
    lists = _Lists(wb)
    ws = wb.active
    ws.title = SHEET_NAMES[UNITS]
    needs_prev = any(f.needed(previous=True) for f in lay.fields.values())
    _units_sheet(ws, lay, year, facts, previous, previous_rows and needs_prev, sample, lists)
    if lay.task_lines:
        _tasks_sheet(wb.create_sheet(SHEET_NAMES[TASKS]), lay, year, facts, sample)
    if lay.events:
        _events_sheet(wb.create_sheet(SHEET_NAMES[EVENTS]), lay, year, events or [], sample, lists)
    write_help(wb.create_sheet("填表说明"), lay, year, sample, needs_prev)
    write_reference(wb.create_sheet("指标说明"), lay, year, sample)
    wb.move_sheet(lists.ws, offset=len(wb.worksheets) - 1 - wb.worksheets.index(lists.ws))
    meta = wb.create_sheet(META_SHEET)
    for row in (("doc", spec.id), ("year", year), ("sample", "true" if sample else "false"),
                ("title", spec.title), ("generator", "ecoscore")):
        meta.append(row)
    meta.sheet_state = "hidden"
    lists.ws.sheet_state = "hidden"
    wb.active = 0
    return wb


class _Lists:
    """A hidden sheet holding the choices of drop-down lists too long to write inline."""

    def __init__(self, wb: Workbook):
        self.ws = wb.create_sheet(LISTS_SHEET)
        self.col = 0
        self.cache: dict[tuple, str] = {}

    def ref(self, values: list[str]) -> str:
        key = tuple(values)
        if key not in self.cache:
            self.col += 1
            for i, v in enumerate(values, start=1):
                self.ws.cell(i, self.col, v)
            letter = get_column_letter(self.col)
            self.cache[key] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"
        return self.cache[key]


def _list_validation(values: list[str], lists: _Lists, title: str) -> DataValidation:
    inline = ",".join(values)
    formula = f'"{inline}"' if len(inline) < 250 and not any("," in v or '"' in v for v in values) else lists.ref(values)
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.errorTitle, dv.error = "输入无效", f"{title}:请从下拉列表中选择"
    return dv


def validation_for(f: Field, lists: _Lists) -> DataValidation | None:
    """Return the Excel data validation for a fact's cells (None for free text)."""
    fs = f.fact
    if fs.kind == "bool":
        dv = _list_validation(["是", "否"], lists, fs.label)
    elif fs.kind == "choice":
        dv = _list_validation(list(fs.choices), lists, fs.label)
    elif fs.kind == "date":
        dv = DataValidation(type="date", operator="between", formula1="36526", formula2="73050", allow_blank=True)
    elif fs.kind in ("number", "percent", "count", "days", "points"):
        lo, hi = bounds(fs)
        kind = "whole" if fs.kind == "count" else "decimal"
        if lo is not None and hi is not None:
            dv = DataValidation(type=kind, operator="between", formula1=fmt(lo), formula2=fmt(hi), allow_blank=True)
        elif lo is not None:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=fmt(lo), allow_blank=True)
        elif hi is not None:
            dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=fmt(hi), allow_blank=True)
        else:
            dv = DataValidation(type=kind, operator="between", formula1="-1E+15", formula2="1E+15", allow_blank=True)
    else:
        return None
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle = dv.errorTitle or "输入无效"
    dv.error = dv.error or f"{fs.label}:应填{expected_text(fs)}"
    dv.promptTitle, dv.prompt = fs.label[:32], expected_text(fs)[:250]
    dv.showInputMessage = True
    return dv


def _title(ws, text: str, width: int, sample: bool) -> None:
    ws.cell(1, 1, text).font = Font(bold=True, size=12, color="C00000" if sample else "000000")
    if sample:
        ws.cell(1, 1).fill = BANNER
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 22


def _code_row(ws, row: int, codes: list[str]) -> None:
    for j, c in enumerate(codes, start=1):
        cell = ws.cell(row, j, c)
        cell.font = Font(size=8, color="808080")
        cell.fill = CODE
    ws.row_dimensions[row].height = 12


def _comment(f: Field) -> Comment:
    ln = f.line
    bits = [f"字段代码:{f.key}", f"填写:{expected_text(f.fact)}"]
    if ln is not None:
        bits.append(f"规则:{ln.rule.label()}")
        if ln.target_text:
            bits.append(f"目标:{ln.target_text}")
        if ln.lead:
            bits.append(f"牵头单位:{'、'.join(ln.lead)}")
        bits.append(f"条款原文:{ln.clause[:400]}{'…' if len(ln.clause) > 400 else ''}")
    if f.alt:
        bits.append(f"仅在采用歧义{f.alt.split('=')[0]}的“{f.alt.split('=')[1]}”解读时需要,默认解读下可留空。")
    c = Comment("\n".join(bits), "ecoscore")
    c.width, c.height = 420, 260
    return c


def _units_sheet(ws, lay: Layout, year, facts, previous, prev_rows, sample, lists) -> None:
    spec = lay.spec
    fields = lay.on(UNITS)
    groups = group_columns(spec)
    codes = ["year", "unit", *[f.key for f in fields], *[c for c, _ in groups], "remark"]
    n = len(codes)
    _title(ws, title_text(spec, year, SHEET_NAMES[UNITS], sample), n, sample)
    for j, text in ((1, "年度"), (2, "单位")):
        ws.cell(2, j, text)
        ws.merge_cells(start_row=2, start_column=j, end_row=3, end_column=j)
    ws.cell(2, n, "备注")
    ws.merge_cells(start_row=2, start_column=n, end_row=3, end_column=n)
    if groups:  # the analyst's grouping, between the facts and 备注, under its own header
        first = n - len(groups)
        ws.cell(2, first, GROUP_HEADER)
        ws.merge_cells(start_row=2, start_column=first, end_row=2, end_column=n - 1)
        for k, (_, text) in enumerate(groups):
            cell = ws.cell(3, first + k, text)
            cell.comment = Comment(f"{GROUP_HEADER}:由分析人员按需填写,用于在汇总页按{text}分组列出各单位;"
                                   "不参与评分,可留空(列入“未分组”)。", "ecoscore")
            ws.column_dimensions[get_column_letter(first + k)].width = 14
    start = 3
    for k, f in enumerate(fields):
        col = k + 3
        if k == 0 or fields[k - 1].group_header != f.group_header:
            start = col
            ws.cell(2, col, f.group_header)
        if k == len(fields) - 1 or fields[k + 1].group_header != f.group_header:
            if col > start:
                ws.merge_cells(start_row=2, start_column=start, end_row=2, end_column=col)
        cell = ws.cell(3, col, f.header)
        cell.comment = _comment(f)
        cell.fill = ALT if f.alt else HEAD
    for r in (2, 3):
        for j in range(1, n + 1):
            c = ws.cell(r, j)
            c.alignment, c.border, c.font = CENTER, THIN, Font(bold=True)
            if c.fill != ALT:
                c.fill = HEAD
    ws.row_dimensions[2].height, ws.row_dimensions[3].height = 48, 60
    _code_row(ws, 4, codes)
    rows = [(year, u, facts) for u in spec.unit_names]
    if prev_rows:
        rows += [(year - 1, u, previous) for u in spec.unit_names]
    for i, (y, u, frame) in enumerate(rows, start=5):
        ws.cell(i, 1, y)
        ws.cell(i, 2, u)
        for k, f in enumerate(fields):
            c = ws.cell(i, k + 3)
            c.border = THIN
            usable = f.applies(u) and (y == year or f.fact.previous)
            if not usable:
                c.fill = GREY
                continue
            if frame is not None and f.key in frame.columns and u in frame.index:
                c.value = cell_value(frame.at[u, f.key], f)
    last = 4 + len(rows)
    for k, f in enumerate(fields):
        dv = validation_for(f, lists)
        if dv is not None:
            letter = get_column_letter(k + 3)
            dv.add(f"{letter}5:{letter}{max(last, 5)}")
            ws.add_data_validation(dv)
        ws.column_dimensions[get_column_letter(k + 3)].width = 16 if f.fact.kind != "text" else 28
    units_dv = _list_validation(spec.unit_names, lists, "单位")
    units_dv.add(f"B5:B{max(last, 5)}")
    ws.add_data_validation(units_dv)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 8, 18
    ws.column_dimensions[get_column_letter(n)].width = 30
    ws.freeze_panes = "C5"


def group_columns(spec: Spec) -> list[tuple[str, str]]:
    """Return the grouping columns a template of ``spec`` has (``GROUP_COLUMNS``): only where
    analysts may add units (``Spec.analyst_units``), whose cohorts can be large enough to group.
    """
    return list(GROUP_COLUMNS) if spec.analyst_units is not None else []


def _tasks_sheet(ws, lay: Layout, year, facts, sample) -> None:
    spec = lay.spec
    cols = COLUMNS[TASKS]
    _title(ws, title_text(spec, year, SHEET_NAMES[TASKS], sample), len(cols), sample)
    for j, (_, text) in enumerate(cols, start=1):
        c = ws.cell(2, j, text)
        c.alignment, c.border, c.font, c.fill = CENTER, THIN, Font(bold=True), HEAD
    ws.row_dimensions[2].height = 30
    _code_row(ws, 3, [c for c, _ in cols])
    i = 4
    for ln in lay.task_lines:
        for u in task_reporters(ln, spec):
            comp = note = None
            if facts is not None and u in facts.index:
                if f"{ln.id}:completion" in facts.columns:
                    comp = cell_value(facts.at[u, f"{ln.id}:completion"])
                if f"{ln.id}:note" in facts.columns:
                    note = cell_value(facts.at[u, f"{ln.id}:note"])
            row = [u, ln.id, ln.title, ln.clause, "、".join(ln.lead), ln.max, comp, note]
            for j, v in enumerate(row, start=1):
                c = ws.cell(i, j, v)
                c.border, c.alignment = THIN, WRAP
            i += 1
    dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
    dv.showErrorMessage, dv.errorTitle, dv.error = True, "输入无效", "完成比例应为0至100之间的百分数(如 85 表示85%)"
    dv.add(f"G4:G{max(i - 1, 4)}")
    ws.add_data_validation(dv)
    for letter, w in zip("ABCDEFGH", (16, 12, 24, 60, 16, 7, 12, 36)):
        ws.column_dimensions[letter].width = w
    ws.freeze_panes = "C4"


def _events_sheet(ws, lay: Layout, year, events, sample, lists) -> None:
    spec = lay.spec
    cols = COLUMNS[EVENTS]
    _title(ws, title_text(spec, year, SHEET_NAMES[EVENTS], sample), len(cols), sample)
    for j, (_, text) in enumerate(cols, start=1):
        c = ws.cell(2, j, text)
        c.alignment, c.border, c.font, c.fill = CENTER, THIN, Font(bold=True), HEAD
    ws.cell(2, 4).comment = Comment("按次计的事项填次数(留空按1次);按实际加扣分的事项填分值。扣分也填正数。"
                                    "各事项的计分方式见“指标说明”表。", "ecoscore")
    _code_row(ws, 3, [c for c, _ in cols])
    i = 4
    for e in events:
        row = [e.get("unit"), e.get("line_id"), e.get("item"), cell_value(e.get("amount")),
               e.get("evidence"), e.get("date")]
        for j, v in enumerate(row, start=1):
            c = ws.cell(i, j, v)
            c.border, c.alignment = THIN, WRAP
            if isinstance(v, dt.date):
                c.number_format = "yyyy-mm-dd"
        i += 1
    last = max(i - 1, 3) + EVENT_ROWS
    for col, values, title in (("A", spec.unit_names, "单位"), ("B", lay.event_lines(), "条款编号"),
                               ("C", list(dict.fromkeys(e.label for e in lay.events.values())), "事项")):
        dv = _list_validation(values, lists, title)
        dv.showErrorMessage = True
        dv.add(f"{col}4:{col}{last}")
        ws.add_data_validation(dv)
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv.showErrorMessage, dv.error = True, "次数或分值应为不小于0的数(扣分也填正数)"
    dv.add(f"D4:D{last}")
    ws.add_data_validation(dv)
    dd = DataValidation(type="date", operator="between", formula1="36526", formula2="73050", allow_blank=True)
    dd.showErrorMessage, dd.error = True, "请填写日期,如 2024-06-30"
    dd.add(f"F4:F{last}")
    ws.add_data_validation(dd)
    for letter, w in zip("ABCDEF", (16, 12, 40, 10, 48, 12)):
        ws.column_dimensions[letter].width = w
    ws.freeze_panes = "B4"


class _NeutralWriter:
    """A csv writer whose cells never run as formulas (``ecoscore.cells.neutral``): the
    ``@unit:`` code row gets an apostrophe, which the reader takes off again.
    """

    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        self.writer.writerow([neutral(v) for v in row])


def write_csv(spec: Spec | str, path: str | Path, *, year: int | None = None, facts: pd.DataFrame | None = None,
              long: bool = False, sample: bool = False) -> Path:
    """Write the facts as CSV (UTF-8 with BOM, which Excel and WPS open correctly).

    The wide form has a row per unit and every fact as a column, tasks and events included;
    the long form (``long=True``) has a row per unit and fact.
    """
    spec = load_spec(spec) if isinstance(spec, str) else spec
    year = year or spec.year
    lay = build_layout(spec)
    buf = io.StringIO()
    w = _NeutralWriter(csv.writer(buf, lineterminator="\r\n"))
    fields = [f for f in lay.fields.values() if not f.alt]
    sheet = SHEET_NAMES[LONG] if long else SHEET_NAMES[UNITS]
    w.writerow([title_text(spec, year, sheet, sample)])

    def value(u, f):
        if facts is None or f.key not in facts.columns or u not in facts.index:
            return ""
        v = cell_value(facts.at[u, f.key], f)
        return "" if v is None else v

    if long:
        w.writerow([text for _, text in COLUMNS[LONG]])
        w.writerow([code for code, _ in COLUMNS[LONG]])
        for u in spec.unit_names:
            for f in fields:
                if f.applies(u) and (f.home != TASKS or u in task_reporters(f.line, spec)):
                    w.writerow([year, u, f.key, f"{f.line_id} {f.header}", value(u, f), ""])
    else:
        groups = group_columns(spec)
        w.writerow(["年度", "单位", *[f"{f.line_id} {f.header}" for f in fields],
                    *[f"{text}〔{GROUP_HEADER}〕" for _, text in groups], "备注"])
        w.writerow(["year", "unit", *[f.key for f in fields], *[c for c, _ in groups], "remark"])
        for u in spec.unit_names:
            w.writerow([year, u, *[value(u, f) if f.applies(u) else "" for f in fields], *[""] * len(groups), ""])
    return atomic.write_text(path, buf.getvalue(), encoding="utf-8-sig")
