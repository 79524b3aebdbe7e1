"""Report tables: the scored table (a pandas Styler), the department view and the audit appendix.

Each function takes one unit's audit rows and the spec. Text cells are HTML-escaped here
before they reach the Styler or the HTML table (the Styler itself is left unescaped so
that the clause can sit in a ``<details>`` element).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ecoscore.reports import blocks
from ecoscore.reports.blocks import clause, esc, multiline, number
from ecoscore.reports.narrative import gap_text, lost_points
from ecoscore.rules.base import Outcome
from ecoscore.spec import Spec

KIND_NAMES = {"base": "基本分", "bonus": "加分", "deduction": "扣分", "indicator": "指标", "task": "任务",
              "gate": "前置条件"}
GOOD = {Outcome.FULL.value, Outcome.MET.value, Outcome.DONE.value, Outcome.BONUS.value,
        Outcome.NO_DEDUCTION.value, Outcome.CLEAR.value}
BAD = {Outcome.ZERO.value, Outcome.PARTIAL.value, Outcome.NOT_MET.value, Outcome.NOT_DONE.value,
       Outcome.DEDUCTED.value, Outcome.TRIGGERED.value}
LOST_BG = "background-color:#fdecea"
MISSING_BG = "background-color:#eeeeee"
GOOD_FG = "color:#1a7f37"
BAD_FG = "color:#cf222e;font-weight:bold"


_HALF = str.maketrans("\uff08\uff09", "()")
_NUMBERING = re.compile(r"^([((][^))]{1,4}[))]|[一二三四五六七八九十]{1,3}[、.])")


def section_label(spec: Spec, section: str) -> str:
    """Return "<id> <title>" for a group; just the title when it is the id or already
    starts with the id's own numbering ("附件2(一)" + "(一)实施…" → "(一)实施…").
    """
    try:
        title = spec.group(section).title
    except KeyError:
        return str(section)
    m = _NUMBERING.match(title)
    if title == section or (m and section.translate(_HALF).endswith(m.group(1).rstrip("、.").translate(_HALF))):
        return title
    return f"{section} {title}"


def actual_text(row, line) -> str:
    """Return what a unit reported on a line, for tiles and tables: 是/否 for a yes/no
    fact, the value with its unit, or the facts used when the line has several parts.
    """
    measure = line.unit_of_measure if line.unit_of_measure not in ("-", "—", "/") else ""
    if line.rule.type == "yes_no" and row["value"] == row["value"]:
        return "是" if row["value"] else "否"
    if line.rule.type == "compound" or row["value"] != row["value"] or "、" in measure or " / " in measure:
        return str(row["facts"] or "")
    return number(row["value"], measure)


def has_points(audit: pd.DataFrame) -> bool:
    """Return whether any base, bonus or task row carries points (deductions alone do not
    make a points table: a task book's 附加考核 only deducts).
    """
    return bool((audit["possible"].notna() & audit["kind"].isin(["base", "bonus", "task"])).any())


def _target(spec: Spec, row) -> str:
    try:
        text = spec.line(row["line_id"]).target_text
    except KeyError:
        text = ""
    return text or number(row["target"])


def _measure(spec: Spec, line_id: str) -> str:
    try:
        return spec.line(line_id).unit_of_measure
    except KeyError:
        return ""


def _uuid(*parts: str) -> str:
    return "eco" + hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:8]


def scored_table(audit: pd.DataFrame, spec: Spec, *, caption: str = "") -> Styler:
    """Return the unit's scored table by section and line as a Styler.

    Lost points and unmet lines are highlighted; each line's clause sits in a collapsed
    ``<details>`` element. Columns follow what the document scores: points (满分/得分/失分),
    indicators (属性/目标/实际值) or both.
    """
    points = has_points(audit)
    indicators = bool((audit["kind"] == "indicator").any())
    lost = lost_points(audit)
    data = {}
    data["考核内容"] = [esc(t) for t in audit["title"]]
    if indicators:
        data["属性"] = [esc(a) for a in audit["attribute"]]
        data["目标"] = [esc(_target(spec, r)) for _, r in audit.iterrows()]
        data["实际值"] = [esc(actual_text(r, _line(spec, r))) if r["kind"] == "indicator" else ""
                       for _, r in audit.iterrows()]
    if points:
        data["满分"] = [number(x) if k != "deduction" else "" for x, k in zip(audit["possible"], audit["kind"])]
        data["得分"] = [number(x) for x in audit["awarded"]]
        data["失分"] = [number(x) if x > 0 else "" for x in lost]
    data["结果"] = [esc(o) for o in audit["outcome"]]
    data["说明"] = [multiline(r) for r in audit["reason"]]
    data["依据条款"] = [clause(c) for c in audit["clause"]]
    index = pd.MultiIndex.from_arrays(
        [[esc(section_label(spec, s)) for s in audit["section"]], [esc(x) for x in audit["line_id"]]],
        names=["部分", "编号"])
    df = pd.DataFrame(data, index=index)
    outcome = audit["outcome"].to_numpy()
    lost_mask = lost.to_numpy() > 1e-9

    def paint(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        res = css.columns.get_loc("结果")
        for k in range(len(frame)):
            if outcome[k] == Outcome.MISSING.value:
                css.iloc[k, :] = MISSING_BG
            elif lost_mask[k] or outcome[k] in BAD:
                css.iloc[k, :] = LOST_BG
            if outcome[k] in BAD:
                css.iloc[k, res] += ";" + BAD_FG
            elif outcome[k] in GOOD:
                css.iloc[k, res] = GOOD_FG
        if "失分" in css.columns:
            col = css.columns.get_loc("失分")
            for k in np.flatnonzero(lost_mask):
                css.iloc[k, col] = LOST_BG + ";" + BAD_FG
        return css

    styler = Styler(df, uuid=_uuid(spec.id, "|".join(audit["unit"].astype(str).unique()), "table"),
                    cell_ids=False)
    styler.apply(paint, axis=None)
    styler.set_table_attributes('class="eco-table eco-scored"')
    cols = list(df.columns)
    styles = [
        {"selector": "th", "props": "text-align:left;vertical-align:top"},
        {"selector": "th.row_heading.level0", "props": "white-space:normal;min-width:5em;max-width:9em"},
        {"selector": "td", "props": "vertical-align:top;min-width:3em"},
    ]
    for name, width in (("考核内容", "9em"), ("说明", "14em"), ("目标", "7em"), ("依据条款", "6em")):
        if name in cols:
            styles.append({"selector": f"td.col{cols.index(name)}", "props": f"min-width:{width}"})
    styler.set_table_styles(styles)
    if caption:
        styler.set_caption(esc(caption))
    return styler


def _is_shortfall(row, lost: float) -> bool:
    return lost > 1e-9 or row["outcome"] in (Outcome.NOT_MET.value, Outcome.NOT_DONE.value,
                                             Outcome.TRIGGERED.value, Outcome.MISSING.value)


def own_tasks(audit: pd.DataFrame, spec: Spec, unit: str, department: str | None = None) -> blocks.HTMLBlock:
    """Return the tasks of one department: the unit's own task lines (000), or the lines
    naming ``department`` as lead or responsible unit; with completion and points.
    """
    who = department or unit
    n_units = len(spec.units)

    def mine(ln) -> bool:
        if who in (*ln.lead, *ln.responsible):
            return True
        return department is None and ln.applies_to is not None and len(ln.applies_to) < n_units

    rows = audit[[mine(_line(spec, r)) for _, r in audit.iterrows()]]
    if rows.empty:
        return blocks.note(f"{who}在本文件中没有单列的任务。")
    pts = has_points(rows)
    lost = lost_points(rows)
    out = []
    for (_, r), lo in zip(rows.iterrows(), lost):
        done = number(r["value"], "%") if _has_completion(_line(spec, r)) else ""
        cells = [r["line_id"], r["title"], done]
        if pts:
            cells += [number(r["possible"]), number(r["awarded"]), number(lo) if lo > 0 else ""]
        out.append(cells + [r["outcome"], r["reason"]])
    cols = ["编号", "任务", "完成比例"] + (["分值", "得分", "失分"] if pts else []) + ["结果", "说明"]
    n_done = int(rows["outcome"].isin([Outcome.DONE.value, Outcome.FULL.value]).sum())
    text = f"{who}共{len(rows)}项任务,已完成{n_done}项"
    if pts:
        text += f";分值合计{number(rows['possible'].sum())}分,得{number(rows['awarded'].sum())}分"
    body = f"<p>{esc(text)}。</p>" + blocks.table(out, cols, numeric=["完成比例", "分值", "得分", "失分"],
                                                 wide=["任务", "说明"])
    return blocks.HTMLBlock(body)


def _has_completion(line) -> bool:
    return any(f.name == "completion" for f in line.rule.facts())


def _line(spec: Spec, row):
    return spec.line(row["line_id"])


def responsibility(audit: pd.DataFrame, spec: Spec, unit: str) -> blocks.HTMLBlock:
    """Return the lines not fully achieved with their lead and responsible units, and
    a count per department (as lead, and as a responsible unit).
    """
    lost = lost_points(audit)
    rows, tally = [], {}
    for (_, r), lo in zip(audit.iterrows(), lost):
        ln = _line(spec, r)
        short = _is_shortfall(r, lo)
        for d in ln.lead:
            t = tally.setdefault(d, [0, 0, 0, 0])
            t[0] += 1
            t[1] += short
        for d in ln.responsible:
            if d in ln.lead:
                continue
            t = tally.setdefault(d, [0, 0, 0, 0])
            t[2] += 1
            t[3] += short
        if short:
            if r["kind"] == "indicator":
                gap = gap_text(r["gap"], _measure(spec, r["line_id"])) if r["gap"] == r["gap"] and r["gap"] > 0 else ""
            else:
                gap = f"失{number(lo)}分" if lo > 0 else ""
            rows.append([r["line_id"], r["title"], r["attribute"], r["outcome"], gap,
                         "、".join(ln.lead), "、".join(d for d in ln.responsible if d not in ln.lead)])
    parts = []
    if rows:
        parts.append(f"<p>{esc(unit)}未达到要求的项目共{len(rows)}项,牵头单位与责任单位如下。</p>")
        parts.append(blocks.table(rows, ["编号", "项目", "属性", "结果", "差距/失分", "牵头单位", "责任单位"],
                                  wide=["项目"]))
    else:
        parts.append(f"<p>{esc(unit)}各项目均已达到要求。</p>")
    involved = {d: t for d, t in tally.items() if t[1] or t[3]}
    if involved:
        order = sorted(involved.items(), key=lambda kv: (-(kv[1][1] + kv[1][3]), -kv[1][1], kv[0]))
        summary = [[d, str(a), str(b), str(c), str(e)] for d, (a, b, c, e) in order]
        cols = ["单位", "牵头项目", "牵头未达到要求", "配合项目", "配合未达到要求"]
        parts.append(blocks.table(summary, cols, numeric=cols[1:], caption="涉及未达到要求项目的单位"))
        rest = len(tally) - len(involved)
        if rest:
            parts.append(f'<p class="eco-note">其余{rest}个单位牵头或配合的项目均已达到要求。</p>')
    return blocks.HTMLBlock("".join(parts))


APPENDIX_COLUMNS = {
    "line_id": "编号", "section": "部分", "group": "分组", "title": "考核内容", "kind": "类型",
    "attribute": "属性", "possible": "满分", "awarded": "得分", "outcome": "结果", "reason": "说明",
    "facts": "所用数据", "value": "实际值", "target": "目标值", "gap": "差距", "lead": "牵头单位",
    "rule": "评分规则", "clause": "条款原文",
}


def appendix(audit: pd.DataFrame, spec: Spec, *, source: str = "") -> blocks.HTMLBlock:
    """Return the full audit trail of the unit and the readings of ambiguous clauses."""
    cols = list(APPENDIX_COLUMNS)
    rows = []
    for _, r in audit.iterrows():
        row = []
        for c in cols:
            v = r[c]
            if c == "kind":
                v = KIND_NAMES.get(v, v)
            elif c in ("possible", "awarded", "value", "target", "gap"):
                v = number(v)
            elif c == "clause":
                v = clause(v)
            row.append(v)
        rows.append(row)
    names = [APPENDIX_COLUMNS[c] for c in cols]
    parts = ['<p class="eco-note">下表列出本单位每一行的评分过程(所用数据、评分规则、结果及条款原文),可据此逐项复核。'
             + (f"数据来源:{esc(source)}。" if source else "") + "</p>",
             blocks.table(rows, names, numeric=["满分", "得分", "实际值", "目标值", "差距"],
                          wide=["考核内容", "说明", "所用数据", "评分规则"], trusted=["条款原文"])]
    if spec.ambiguities:
        amb = []
        for a in spec.ambiguities:
            chosen = spec.readings.get(a.id, a.default)
            others = ";".join(f"{r.name}:{r.description}" for n, r in a.readings.items() if n != chosen)
            desc = a.readings[chosen].description if chosen in a.readings else chosen
            mark = "(默认)" if chosen == a.default else "(非默认)"
            amb.append([a.id, "、".join(a.lines), a.clause, a.question, f"{chosen}:{desc}{mark}", others])
        parts.append("<h3>多解条款及采用的读法</h3>")
        parts.append(blocks.table(amb, ["编号", "涉及行", "条款", "问题", "采用读法", "其他读法"],
                                  wide=["条款", "问题", "采用读法", "其他读法"]))
    return blocks.HTMLBlock("".join(parts))
