"""Department reports on documents that task departments with a unit's indicators (002, 003).

Where a document is one unit's plan (嵊州市's county indicators, 舟山市's demonstration-city
indicators), the people it tasks are the departments named as lead (牵头) or sharing
(配合) on each indicator and key task (``Spec.department_reports`` names the unit). A
department's report presents that unit's scored result, restricted to the lines naming the
department: each line's status, the gap in the indicator's own unit, what the department
must do, and the clause. Nothing is scored again: the rows are the unit's audit rows.
"""

from __future__ import annotations

import pandas as pd

from ecoscore import words
from ecoscore.reports import blocks
from ecoscore.reports import narrative as said
from ecoscore.reports.narrative import row_gap
from ecoscore.reports.tables import actual_text, part_label
from ecoscore.rules.base import OPERATORS, Outcome, fmt
from ecoscore.spec import Line, Spec

LEAD, SHARE = "牵头", "配合"


def parts_named(line: Line, department: str) -> list[int]:
    """Return the parts (1-based) of a compound line whose own units name ``department``;
    empty when the line has no per-part units.
    """
    return [k for k, p in enumerate(line.part_leads, 1) if department in p]


def role(line: Line, department: str) -> str | None:
    """Return the department's role on ``line``: 牵头 (the line's lead, or a part's first unit),
    配合 (named otherwise), or None.
    """
    if department in line.lead or any(p and p[0] == department for p in line.part_leads):
        return LEAD
    if department in line.responsible or any(department in p for p in line.part_leads):
        return SHARE
    return None


def lines_of(spec: Spec, department: str) -> dict[str, str]:
    """Return ``{line id: role}`` for the lines of the reported unit that name ``department``."""
    unit = spec.department_reports
    out = {}
    for ln in spec.lines:
        if unit and ln.applies(unit):
            r = role(ln, department)
            if r:
                out[ln.id] = r
    return out


def is_department(spec: Spec, name: str) -> bool:
    """Return whether ``name`` is a department with a report of its own in this document."""
    return name in spec.department_names()


def counts(audit: pd.DataFrame) -> dict[str, int]:
    """Return the department's line counts: indicators met / not met, tasks done / not done, missing."""
    o = audit["outcome"]
    counted = o != Outcome.NOT_APPLICABLE.value  # a line a reading marks 不适用 is not counted (as in the summary)
    ind, task = (audit["kind"] == "indicator") & counted, (audit["kind"] == "task") & counted
    return {
        "indicators": int(ind.sum()), "indicators_met": int((ind & (o == Outcome.MET.value)).sum()),
        "tasks": int(task.sum()), "tasks_done": int((task & o.isin([Outcome.DONE.value, Outcome.FULL.value])).sum()),
        "missing": int((o == Outcome.MISSING.value).sum()),
        "binding": int((ind & (audit["attribute"] == "约束性")).sum()),
        "binding_met": int((ind & (audit["attribute"] == "约束性") & (o == Outcome.MET.value)).sum()),
    }


def _deciding(row) -> int | None:
    """Return the part (0-based) that decided a compound line's row, or None."""
    p = row.get("part") if hasattr(row, "get") else None
    return None if p is None or pd.isna(p) else int(p)


def target(row, line: Line) -> str:
    """Return the target as the table gives it, with the indicator's unit when it is a bare
    figure ("≥25%"); for a compound line not met, the failing part's ("黑臭水体消除率≥100%").
    """
    if row["outcome"] == Outcome.NOT_MET.value and part_label(row, line):
        return part_label(row, line)
    rule = line.rule
    if getattr(rule, "op", None) in OPERATORS and row["target"] == row["target"]:
        # a threshold: the unit's own target (a category's, where the table gives one per category)
        return f"{OPERATORS[rule.op][1]}{fmt(row['target'])}{getattr(rule, 'value_unit', '')}"
    text = line.target_text or fmt(row["target"])
    measure = line.unit_of_measure
    if text and text[-1].isdigit() and measure and not any(c in measure for c in "-—/、 "):
        return text + measure
    return text


def actual(row, line: Line) -> str:
    """Return what the unit reported: the value with its unit; for a compound line, the
    failing part's value ("" when every part is met: the status says so).
    """
    parts = getattr(line.rule, "parts", ())
    if len(parts) > 1:
        k = _deciding(row)
        if row["outcome"] != Outcome.NOT_MET.value or k is None or k >= len(parts) or row["value"] != row["value"]:
            return ""
        return f"{getattr(parts[k], 'value_label', '')}{fmt(row['value'])}{getattr(parts[k], 'value_unit', '')}"
    return actual_text(row, line)


def _gap(row, line: Line) -> str:
    """Return the gap in the indicator's own unit (the failing part's), or ""."""
    return row_gap(row) if row["kind"] == "indicator" else ""


def _who(line: Line, department: str) -> str:
    """Return the role in words, naming the part and the lead a sharing department works with."""
    r = role(line, department)
    parts = parts_named(line, department)
    where = ("第" + "、".join(str(k) for k in parts) + "项") if parts and len(line.part_leads) > 1 else ""
    if r == LEAD:
        return f"牵头{where}"
    leads = [p[0] for k, p in enumerate(line.part_leads, 1) if k in parts and p] or list(line.lead)
    return f"配合{where}" + (f"(牵头:{'、'.join(leads)})" if leads else "")


def action(row, line: Line, department: str) -> str:
    """Return, in plain Chinese, what the department must do on this line."""
    code = row["outcome"]
    lead = role(line, department) == LEAD
    verb = "牵头" if lead else "配合牵头单位"
    goal = target(row, line)
    if code == Outcome.MISSING.value:
        return f"{'组织' if lead else '配合'}报送本项数据(目前缺数据,无法判定)。"
    if code == Outcome.NOT_MET.value:
        gap = _gap(row, line)
        k, mine = _deciding(row), parts_named(line, department)
        if k is not None and mine and k + 1 not in mine and len(line.part_leads) > 1:
            # the part that failed is another department's: say whose, and what this one holds
            lead = "、".join(line.part_leads[k][:1]) if k < len(line.part_leads) else ""
            return (f"本项因第{k + 1}项未达到目标({goal})" + (f",差距{gap}" if gap else "")
                    + (f",该项由{lead}牵头" if lead else "") + f";本部门负责第{'、'.join(map(str, mine))}项,"
                    "须保持达标并配合整改。")
        return f"{verb}推动本项达到目标({goal})" + (f",目前差距{gap}" if gap else "") + "。"
    if code == Outcome.NOT_DONE.value:
        done = f",目前完成{words.completion(row['value'])}" if row["value"] == row["value"] else ""
        return f"{verb}完成本项任务{done}。"
    return "已达到要求,保持。"


def table(audit: pd.DataFrame, spec: Spec, department: str) -> blocks.HTMLBlock:
    """Return the department's lines: role, target, actual, status, gap, what to do, clause."""
    if audit.empty:
        return blocks.note(f"{department}在《{spec.short_title}》中没有牵头或配合的指标与任务。")
    rows = []
    named = said.names(audit)
    for k, r in audit.iterrows():
        ln = spec.line(r["line_id"])
        rows.append([r["line_id"], named[k], _who(ln, department), target(r, ln) if r["kind"] == "indicator" else "",
                     actual(r, ln) if r["kind"] == "indicator" else "",
                     words.status(r["outcome"], r["kind"]), _gap(r, ln), action(r, ln, department),
                     blocks.clause(ln.clause)])
    c = counts(audit)
    text = f"{department}在《{spec.short_title}》中牵头或配合{len(audit)}项"
    if c["indicators"]:
        text += f",其中指标{c['indicators']}项、达标{c['indicators_met']}项"
    if c["tasks"]:
        text += f",任务{c['tasks']}项、已完成{c['tasks_done']}项"
    if c["missing"]:
        text += f",缺数据{c['missing']}项"
    cols = ["编号", "指标或任务", "本部门职责", "目标", "实际", "结果", "差距", "须做的事", "条款原文"]
    keep = [j for j, col in enumerate(cols)
            if col not in ("目标", "实际", "差距") or any(str(row[j]).strip() for row in rows)]
    body = f"<p>{blocks.esc(text)}。</p>" + blocks.table([[row[j] for j in keep] for row in rows],
                                                         [cols[j] for j in keep], trusted=["条款原文"],
                                                         wide=["指标或任务", "须做的事"])
    return blocks.HTMLBlock(body)


def narrative(audit: pd.DataFrame, spec: Spec, department: str) -> blocks.HTMLBlock:
    """Return the department's summary: what it answers for, what is not yet achieved, and why
    (one line each; lines named by their titles, ``narrative.names``).
    """
    unit = spec.department_reports
    c = counts(audit)
    named = said.names(audit)
    lead = sum(1 for ln_id in audit["line_id"] if role(spec.line(ln_id), department) == LEAD)
    paras = [("职责", f"《{spec.short_title}》中,{department}对{unit}的{len(audit)}项指标或任务负有责任:"
                      f"牵头{lead}项,配合{len(audit) - lead}项。")]
    short = audit[audit["outcome"].isin([Outcome.NOT_MET.value, Outcome.NOT_DONE.value])]
    if short.empty:
        paras.append(("结果", "本部门牵头或配合的各项均已达到要求" + (",个别项目缺数据。" if c["missing"] else "。")))
    else:
        items = [f"共{len(short)}项。"]
        for _, r in short.iterrows():
            ln = spec.line(r["line_id"])
            gap = _gap(r, ln)
            done = (f",目前完成{words.completion(r['value'])}" if r["kind"] == "task" and r["value"] == r["value"]
                    else "")
            items.append(f"{said.name(r, named)}{words.status(r['outcome'], r['kind'])}"
                         + (f",差距{gap}" if gap else "") + done + "。")
        paras.append(("未达到要求", "\n".join(items)))
    missing = audit[audit["outcome"] == Outcome.MISSING.value]
    if len(missing):
        listed = "、".join(said.name(r, named) for _, r in missing.head(8).iterrows())
        more = f"等{len(missing)}项" if len(missing) > 8 else ""
        paras.append(("缺数据", f"{len(missing)}项缺少数据,暂无法判定:{listed}{more}。\n请补报后重新评分。"))
    return said.html(paras)


def overview(spec: Spec, audit: pd.DataFrame) -> list[dict]:
    """Return one row per department with a report: lines led and shared, not achieved, missing.

    ``audit`` is the full audit of the scored result; the reported unit's rows are used.
    """
    unit = spec.department_reports
    if not unit:
        return []
    a = audit[audit["unit"].astype(str) == unit].set_index("line_id")
    rows = []
    for d in spec.department_names():
        mine = lines_of(spec, d)
        o = a.loc[[i for i in mine if i in a.index], "outcome"]
        rows.append({"department": d, "lead": sum(r == LEAD for r in mine.values()),
                     "share": sum(r == SHARE for r in mine.values()),
                     "short": int(o.isin([Outcome.NOT_MET.value, Outcome.NOT_DONE.value]).sum()),
                     "missing": int((o == Outcome.MISSING.value).sum())})
    return rows
