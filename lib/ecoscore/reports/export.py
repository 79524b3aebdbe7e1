"""Export a scored cohort to a formatted XLSX workbook, the form leadership asks for.

One sheet per view — 说明, 汇总, 分项得分, 逐项得分 (line × unit, the clause text beside each
line), 审计明细 (the audit trail), 缺数据清单, 解读 — each with a title row, a frozen header,
set column widths and wrapped clause text. Everything is computed from ``Result``; a
workbook made from sample data says so on every sheet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ecoscore import atomic, words
from ecoscore.cells import neutral_frame
from ecoscore.reports.index_page import ordered
from ecoscore.rules.base import Outcome
from ecoscore.scoring.result import Result, ScoredCohort

HEAD = PatternFill("solid", fgColor="DDEBF7")
BANNER = PatternFill("solid", fgColor="FCE4D6")
WRAP = Alignment(wrap_text=True, vertical="top")
GOOD = PatternFill("solid", fgColor="E2EFDA")
BAD = PatternFill("solid", fgColor="F8CBAD")
GAP = PatternFill("solid", fgColor="FFF2CC")
OUTCOME_FILL = {
    Outcome.FULL.value: GOOD, Outcome.MET.value: GOOD, Outcome.DONE.value: GOOD, Outcome.BONUS.value: GOOD,
    Outcome.ZERO.value: BAD, Outcome.NOT_MET.value: BAD, Outcome.NOT_DONE.value: BAD,
    Outcome.TRIGGERED.value: BAD, Outcome.DEDUCTED.value: BAD, Outcome.MISSING.value: GAP,
}
SAMPLE_BANNER = "【示例数据,非官方数据,仅供演示】"

SUMMARY = [("rank_text", "位次", 10), ("rank_group", "分组", 10), ("unit", "单位", 18), ("total", "总分", 9),
           ("base", "基本分", 9), ("bonus", "加分", 7), ("deduction", "扣分", 7), ("adjustment", "总分调整", 8),
           ("lost", "基本分失分", 9), ("grade", "等次", 8), ("verdict", "结论", 50),
           ("binding", "约束性指标数", 8), ("binding_met", "约束性达标", 8), ("binding_not_met", "约束性未达标", 8),
           ("indicators", "指标数", 7), ("indicators_met", "指标达标", 7), ("tasks", "任务数", 7),
           ("tasks_done", "任务完成", 7), ("missing", "缺数据项", 7), ("gates", "前置/否决情况", 40),
           ("added", "分析人员添加的单位(类别)", 24)]
AUDIT = [("unit", "单位", 16), ("line_id", "条款编号", 12), ("section", "部分", 8), ("group", "分组", 10),
         ("title", "指标/任务", 30), ("kind", "类型", 8), ("attribute", "属性", 8), ("possible", "分值", 7),
         ("awarded", "得分", 7), ("outcome", "结果", 9), ("reason", "计分说明", 50), ("facts", "所用数据", 40),
         ("evidence", "单位说明及依据", 40),
         ("part", "分项(第几项)", 8), ("value", "实际值", 9), ("target", "目标值", 9), ("gap", "差距", 9),
         ("gap_unit", "差距单位(%即百分点)", 10), ("clause", "条款原文", 60), ("lead", "牵头单位", 14),
         ("responsible", "责任单位", 20), ("rule", "评分规则", 40)]


def write_xlsx(cohort: ScoredCohort, path: str | Path) -> Path:
    """Write the scores, adjustments and audit trail of ``cohort`` to a formatted workbook.

    A workbook made from sample data (示例数据) says so on every sheet. The file is written
    atomically: on any error nothing is left at ``path``. Returns the path.
    """
    wb = build_workbook(cohort)
    wb.properties.keywords = atomic.OUTPUT_KEYWORD  # ecoscore's output: may be written over again
    return atomic.save_workbook(wb, path)


def build_workbook(cohort: ScoredCohort) -> Workbook:
    """Return the export as an openpyxl ``Workbook`` (see ``write_xlsx``)."""
    wb = Workbook()
    result, sample = cohort.current, cohort.sample
    spec = result.spec
    cover = wb.active
    cover.title = "说明"
    _cover(cover, result, sample, cohort)
    summary = ordered(result)
    summary = summary.assign(rank_text=[words.rank(r, spec) for r in summary.to_dict("records")])
    cols = [c for c in SUMMARY if _useful(summary[c[0]])]
    _table(wb.create_sheet("汇总"), result, "汇总", summary, cols, sample, freeze="C3")
    if not result.groups.empty and spec.family == "points":
        _groups(wb.create_sheet("分项得分"), result, sample)
    if len(result.adjustments):
        adj = result.adjustments.assign(level=result.adjustments["level"].map({"group": "分项", "total": "总分"}))
        _table(wb.create_sheet("调整"), result, "按文件规定的调整(封顶、扣完为止、定档政策)", adj,
               [("unit", "单位", 16), ("level", "层级", 8), ("id", "部分/条款", 12), ("points", "调整分值", 9),
                ("reason", "调整原因", 80)], sample, freeze="C3")
    _matrix(wb.create_sheet("逐项得分"), result, sample)
    audit = _readable(result.audit)
    audit_cols = [c for c in AUDIT if _useful(audit[c[0]])]
    _table(wb.create_sheet("审计明细"), result, "审计明细(每个单位每一项一行)", audit, audit_cols, sample,
           freeze="C3", outcome="outcome")
    missing = result.audit[result.audit["outcome"] == Outcome.MISSING.value]
    _table(wb.create_sheet("缺数据清单"), result, "缺数据清单(补充数据后请重新评分)", missing,
           [c for c in AUDIT if c[0] in ("unit", "line_id", "title", "reason", "lead")], sample, freeze="C3")
    _readings(wb.create_sheet("解读"), result, sample)
    return wb


KIND_WORDS = {"base": "基本分", "bonus": "加分", "deduction": "扣分", "indicator": "指标", "task": "任务",
              "gate": "前置/否决"}


def _readable(audit: pd.DataFrame) -> pd.DataFrame:
    """Return the audit with line kinds in words and parts counted from 1 (第1项) as the tables print them."""
    part = audit["part"] if "part" in audit else pd.Series(pd.NA, index=audit.index)
    return audit.assign(kind=audit["kind"].map(KIND_WORDS).fillna(audit["kind"]),
                        part=[f"第{int(k) + 1}项" if k == k and k is not None else ""
                              for k in pd.to_numeric(part, errors="coerce").astype(float)])


def audit_frame(result: Result) -> pd.DataFrame:
    """Return the audit trail as a reader sees it: Chinese headers and words (the CSV export)."""
    a = _readable(result.audit).assign(outcome=[words.outcome(o) for o in result.audit["outcome"]])
    return a[[c for c, _, _ in AUDIT]].rename(columns={c: name for c, name, _ in AUDIT})


def _useful(s: pd.Series) -> bool:
    """Return whether a column says anything (not all blank, or all zero for counts)."""
    if s.name == "rank":
        return True
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        return s.fillna("").astype(str).str.len().gt(0).any()
    if s.name in ("total", "awarded", "possible"):
        return s.notna().any()
    return s.notna().any() and not (s.fillna(0) == 0).all()


def _title(ws, result: Result, view: str, sample: bool, width: int) -> None:
    text = f"{SAMPLE_BANNER if sample else ''}{result.spec.short_title} · {view}"
    c = ws.cell(1, 1, text)
    c.font = Font(bold=True, size=12, color="C00000" if sample else "000000")
    if sample:
        c.fill = BANNER
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def _cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.floating, float)):
        return round(float(v), 4)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _table(ws, result, view, frame: pd.DataFrame, cols, sample, *, freeze="B3", outcome=None) -> None:
    _title(ws, result, view, sample, len(cols))
    for j, (_, name, width) in enumerate(cols, start=1):
        c = ws.cell(2, j, name)
        c.font, c.fill, c.alignment = Font(bold=True), HEAD, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = width
    for i, row in enumerate(frame[[c for c, _, _ in cols]].itertuples(index=False), start=3):
        for j, v in enumerate(row, start=1):
            c = ws.cell(i, j, _cell(v))
            if cols[j - 1][2] >= 30:
                c.alignment = WRAP
            if isinstance(c.value, float):
                c.number_format = "0.00"
            if outcome and cols[j - 1][0] == outcome and v in OUTCOME_FILL:
                c.fill = OUTCOME_FILL[v]
                c.value = words.outcome(v)
    ws.freeze_panes = freeze
    if len(frame):
        ws.auto_filter.ref = f"A2:{get_column_letter(len(cols))}{len(frame) + 2}"


def _groups(ws, result: Result, sample: bool) -> None:
    spec = result.spec
    groups = result.groups
    cols = [g for g in spec.groups if g.id in groups.columns]
    _title(ws, result, "分项得分(按文件各部分封顶后)", sample, len(cols) + 1)
    ws.cell(2, 1, "单位").font = Font(bold=True)
    ws.cell(2, 1).fill = HEAD
    ws.column_dimensions["A"].width = 18
    for j, g in enumerate(cols, start=2):
        cap = f"(满分{g.max:g})" if g.max is not None else ""
        c = ws.cell(2, j, f"{g.id} {g.title}{cap}")
        c.font, c.fill, c.alignment = Font(bold=True), HEAD, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = 14
    ws.row_dimensions[2].height = 45
    for i, u in enumerate(groups.index, start=3):
        ws.cell(i, 1, u)
        for j, g in enumerate(cols, start=2):
            ws.cell(i, j, _cell(groups.at[u, g.id])).number_format = "0.00"
    ws.freeze_panes = "B3"


def _matrix(ws, result: Result, sample: bool) -> None:
    """Lines down, units across: points (or the outcome), with the clause beside each line."""
    a = result.audit
    units = list(result.summary["unit"])
    points = result.spec.family == "points"
    lines = a.drop_duplicates("line_id")[["line_id", "title", "possible", "clause", "attribute"]]
    view = "逐项得分(行为条款,列为单位)" if points else "逐项结果(行为条款,列为单位)"
    fixed = ["条款编号", "指标/任务", "分值" if points else "属性", "条款原文"]
    _title(ws, result, view, sample, len(fixed) + len(units))
    for j, name in enumerate([*fixed, *units], start=1):
        c = ws.cell(2, j, name)
        c.font, c.fill, c.alignment = Font(bold=True), HEAD, Alignment(wrap_text=True, vertical="center")
    for letter, w in zip("ABCD", (12, 30, 8, 60)):
        ws.column_dimensions[letter].width = w
    cell = {(r.line_id, r.unit): (r.awarded, r.outcome) for r in a.itertuples(index=False)}
    for i, ln in enumerate(lines.itertuples(index=False), start=3):
        third = _cell(ln.possible) if points else ln.attribute
        for j, v in enumerate([ln.line_id, ln.title, third, ln.clause], start=1):
            ws.cell(i, j, v).alignment = WRAP
        for j, u in enumerate(units, start=len(fixed) + 1):
            if (ln.line_id, u) not in cell:
                continue
            awarded, outcome = cell[(ln.line_id, u)]
            shown = _cell(awarded) if points and _cell(awarded) is not None else words.outcome(outcome)
            c = ws.cell(i, j, shown)
            c.fill = OUTCOME_FILL.get(outcome, PatternFill())
            if isinstance(shown, float):
                c.number_format = "0.00"
    for j in range(len(fixed) + 1, len(fixed) + len(units) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 11
    ws.freeze_panes = "C3"


def _cover(ws, result: Result, sample: bool, cohort: ScoredCohort) -> None:
    spec = result.spec
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 18, 90
    _title(ws, result, "评分结果", sample, 2)
    rows = [
        ("考核文件", spec.title), ("文档代码", spec.id), ("考核年度", spec.year),
        ("被考核单位", f"{len(result.summary)}个{spec.unit_kind}"),
        ("数据性质", "示例数据:由程序按合理范围随机生成,不是官方统计或考核数据,不得引用或上报" if sample
         else "分析人员提供的数据"),
        ("歧义条款解读", ";".join(f"{k}={v}" for k, v in spec.readings.items()) or "无"),
        ("数据文件", ";".join(f"{f['name']}(SHA-256 {f['sha256'][:12]}…)" for f in cohort.provenance.get("files", []))
         or cohort.source),
        ("生成时间", dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("各表说明", "汇总:位次、总分(=基本分+加分+扣分+总分调整)、等次和结论;调整:各部分封顶、扣完为止及定档政策的调整;分项得分:各部分封顶后得分;逐项得分:每一条款对每个单位的得分"
         "或结果,旁列条款原文;审计明细:每个单位每一项的计分过程;缺数据清单:待补充的数据;解读:歧义条款的解读。"),
    ]
    for i, (k, v) in enumerate(rows, start=3):
        ws.cell(i, 1, k).font = Font(bold=True)
        ws.cell(i, 2, v).alignment = WRAP
        if k == "数据性质" and sample:
            ws.cell(i, 2).font = Font(bold=True, color="C00000")


def _readings(ws, result: Result, sample: bool) -> None:
    spec = result.spec
    cols = [("编号", 8), ("涉及条款", 14), ("条款原文", 50), ("问题", 50), ("本次采用的解读", 40), ("其他解读", 60)]
    _title(ws, result, "歧义条款的解读", sample, len(cols))
    for j, (name, w) in enumerate(cols, start=1):
        c = ws.cell(2, j, name)
        c.font, c.fill = Font(bold=True), HEAD
        ws.column_dimensions[get_column_letter(j)].width = w
    for i, amb in enumerate(spec.ambiguities, start=3):
        chosen = spec.readings.get(amb.id, amb.default)
        others = ";".join(f"{n}:{r.description}" for n, r in amb.readings.items() if n != chosen)
        row = [amb.id, "、".join(amb.lines), amb.clause, amb.question,
               f"{chosen}:{amb.readings[chosen].description}" if chosen in amb.readings else chosen, others]
        for j, v in enumerate(row, start=1):
            ws.cell(i, j, v).alignment = WRAP
    ws.freeze_panes = "B3"


def write_problems(errors: pd.DataFrame, warnings: pd.DataFrame, path: str | Path) -> Path:
    """Write a validation's problem tables (错误, 提示) to ``.xlsx`` or ``.csv``, atomically."""
    from ecoscore.errors import PROBLEM_HEADERS as HEADERS

    path = Path(path)
    if path.suffix.lower() == ".csv":
        both = pd.concat([errors.assign(level="错误"), warnings.assign(level="提示")], ignore_index=True)
        both = both.rename(columns={**HEADERS, "level": "级别"})
        return atomic.write_text(path, neutral_frame(both).to_csv(index=False), encoding="utf-8-sig")
    wb = Workbook()
    for k, (name, frame) in enumerate((("错误", errors), ("提示", warnings))):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = name
        cols = list(frame.columns)
        for j, c in enumerate(cols, start=1):
            cell = ws.cell(1, j, HEADERS.get(c, c))
            cell.font, cell.fill = Font(bold=True), HEAD
            ws.column_dimensions[get_column_letter(j)].width = (30, 12, 6, 30, 16, 40, 30)[j - 1]
        for i, row in enumerate(frame.itertuples(index=False), start=2):
            for j, v in enumerate(row, start=1):
                ws.cell(i, j, v).alignment = WRAP
        ws.freeze_panes = "A2"
    wb.properties.keywords = atomic.OUTPUT_KEYWORD  # ecoscore's output: may be written over again
    return atomic.save_workbook(wb, path)
