"""Report tables: the scored table (with its sum and adjustment rows), the department view and the audit appendix.

Each function takes one unit's audit rows and the spec. Text cells are HTML-escaped here
before they reach the Styler or the HTML table (the Styler itself is left unescaped so
that the clause can sit in a ``<details>`` element).
"""

from __future__ import annotations

import re

import pandas as pd

from ecoscore import words
from ecoscore.reports import blocks
from ecoscore.reports.blocks import clause, esc, multiline, number
from ecoscore.reports.narrative import lost_points, row_gap
from ecoscore.rules.base import Outcome
from ecoscore.scoring.rollup import TOTAL_ID, printed, printed_adjustment, signed
from ecoscore.spec import Spec

KIND_NAMES = words.KIND


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


def _part(row) -> int | None:
    p = row["part"] if "part" in row else None
    return None if p is None or pd.isna(p) else int(p)


def part_label(row, line) -> str:
    """Return which part of a line of several parts decided the row ("PM2.5浓度≤…"), or ""."""
    k = _part(row)
    parts = getattr(line.rule, "parts", ())
    return parts[k].label() if k is not None and len(parts) > 1 and k < len(parts) else ""


def who_acts(row, line) -> tuple[list[str], list[str]]:
    """Return the lead and the responsible units of an audit row: the deciding part's own
    (the audit's ``lead``/``responsible``), or the line's for rows saved without them.
    """
    if "responsible" in row:
        return ([d for d in str(row["lead"] or "").split("、") if d],
                [d for d in str(row["responsible"] or "").split("、") if d])
    return list(line.lead), [d for d in line.responsible if d not in line.lead]


def _named(line) -> tuple[list[str], list[str]]:
    """Return every unit a line names as lead (its own or a part's) and as responsible."""
    leads = list(dict.fromkeys([*line.lead, *(p[0] for p in line.part_leads if p)]))
    shares = [d for d in dict.fromkeys([*line.responsible, *(d for p in line.part_leads for d in p[1:])])
              if d not in leads]
    return leads, shares


def _cell(value, css: str = "") -> str:
    return f'<td class="{css}">{value}</td>' if css else f"<td>{value}</td>"


def scored_table(audit: pd.DataFrame, spec: Spec, *, rollup: pd.DataFrame | None = None,
                 caption: str = "") -> blocks.HTMLBlock:
    """Return the unit's scored table: lines under their groups, each group closed by its
    sum row, every cap or floor as an explicit adjustment row, and the total at the end.

    Rows carry their level as a class (``eco-line``, ``eco-adj``, ``eco-sum``, ``eco-total``)
    and their group as ``data-group``; numeric cells carry ``eco-possible``, ``eco-awarded``
    and ``eco-lost``. So the page adds up as printed: each sum row = its lines + its
    subgroups' sum rows + its adjustment row, and the total = the top sections + its
    adjustment. ``lost`` = 满分 − 得分 on base, task and deduction rows (a bonus not earned
    is not a loss). Text cells are escaped; the clause sits in a collapsed ``<details>``.
    """
    points = has_points(audit)
    indicators = bool((audit["kind"] == "indicator").any())
    evidence = bool(audit["evidence"].astype(str).str.len().gt(0).any()) if "evidence" in audit else False
    cols = ["编号", "考核内容"]
    if indicators:
        cols += ["属性", "目标", "实际值"]
    if points:
        cols += ["满分", "得分", "失分"]
    cols += ["结果", "说明"] + (["单位说明及依据"] if evidence else []) + ["依据条款"]
    width = len(cols)
    lost = lost_points(audit)
    rows_by_group: dict[str, list[str]] = {}
    for (_, r), lo in zip(audit.iterrows(), lost):
        ln = _line(spec, r)
        cells = [_cell(esc(r["line_id"])), _cell(esc(r["title"]), "eco-wide")]
        if indicators:
            cells += [_cell(esc(r["attribute"])), _cell(esc(_target(spec, r))),
                      _cell(esc(actual_text(r, ln)) if r["kind"] == "indicator" else "")]
        if points:
            show_lost = r["kind"] != "bonus" and r["possible"] == r["possible"]
            cells += [_cell(number(r["possible"]) if r["kind"] != "deduction" else number(0.0), "num eco-possible"),
                      _cell(number(r["awarded"]), "num eco-awarded"),
                      _cell(number(lo) if show_lost and lo > 1e-9 else "", "num eco-lost")]
        cells += [_cell(esc(words.outcome(r["outcome"])), f"eco-outcome {words.css_class(r['outcome'])}".strip()),
                  _cell(multiline(r["reason"]), "eco-wide")]
        if evidence:
            cells.append(_cell(multiline(r["evidence"]), "eco-wide eco-evidence"))
        cells.append(_cell(clause(r["clause"])))
        css = "eco-line" + (" eco-missing" if r["outcome"] == Outcome.MISSING.value else
                            " eco-short" if lo > 1e-9 or words.polarity(r["outcome"]).value == "bad" else "")
        rows_by_group.setdefault(r["group"], []).append(
            f'<tr class="{css}" data-group="{esc(r["group"])}" data-id="{esc(r["line_id"])}" '
            f'data-kind="{esc(r["kind"])}">{"".join(cells)}</tr>')
    body: list[str] = []
    roll = rollup if rollup is not None and len(rollup) else None
    by_id = {row["id"]: row for _, row in roll.iterrows()} if roll is not None else {}
    kids: dict[str | None, list] = {}
    for g in spec.groups:
        kids.setdefault(g.parent, []).append(g)
    left = 2 + (3 if indicators else 0)

    def sum_row(css: str, gid: str, parent: str, label: str, possible, awarded, lost_v, note: str) -> str:
        cells = [_cell(esc(gid)), _cell(f"<b>{esc(label)}</b>", "eco-wide")]
        cells += [_cell("")] * (left - 2)
        if points:
            cells += [_cell(number(possible), "num eco-possible"), _cell(f"<b>{number(awarded)}</b>", "num eco-awarded"),
                      _cell(number(lost_v) if lost_v == lost_v else "", "num eco-lost")]
        cells += [_cell(esc(note), "eco-wide")] + [_cell("")] * (width - len(cells) - 1)
        return (f'<tr class="{css}" data-group="{esc(gid)}" data-parent="{esc(parent)}">' + "".join(cells[:width])
                + "</tr>")

    def adj_row(gid: str, points_: float, reason: str) -> str:
        cells = [_cell(""), _cell(esc(f"调整:{reason}"), "eco-wide")] + [_cell("")] * (left - 2)
        if points:
            cells += [_cell(""), _cell(signed(points_), "num eco-awarded"), _cell("", "num eco-lost")]
        cells += [_cell("")] * (width - len(cells))
        return f'<tr class="eco-adj" data-group="{esc(gid)}">' + "".join(cells) + "</tr>"

    def walk(parent: str | None) -> None:
        for g in kids.get(parent, []):
            lines = rows_by_group.get(g.id, [])
            has_children = bool(lines) or any(True for _ in _descendant_lines(g.id, kids, rows_by_group))
            if not has_children:
                continue
            depth = 0 if g.parent is None else 1
            body.append(f'<tr class="eco-head eco-depth{depth}"><th colspan="{width}">'
                        f"{esc(section_label(spec, g.id))}</th></tr>")
            body.extend(lines)
            walk(g.id)
            r = by_id.get(g.id)
            if r is not None and points:
                if abs(r["adjustment"]) > 1e-9:
                    body.append(adj_row(g.id, r["adjustment"], r["reason"]))
                lost_v = r["possible"] - r["awarded"] if g.kind != "bonus" else float("nan")
                body.append(sum_row("eco-sum", g.id, g.parent or "", f"{g.id} 小计" if g.parent else f"{g.id} 合计",
                                    r["possible"], r["awarded"], lost_v, ""))

    walk(None)
    tot = by_id.get(TOTAL_ID)
    if tot is not None and points:
        if abs(tot["adjustment"]) > 1e-9:  # as printed: the printed sections plus this give the printed total
            tops = [by_id[g.id]["awarded"] for g in kids.get(None, []) if g.id in by_id]
            shown = printed_adjustment(tot["awarded"], sum(printed(x) for x in tops))
            body.append(adj_row(TOTAL_ID, shown, tot["reason"]))
        body.append(sum_row("eco-sum eco-total", TOTAL_ID, "", "总分", tot["possible"], tot["awarded"], float("nan"),
                            "各部分合计" + ("及调整" if abs(tot["adjustment"]) > 1e-9 else "")))
    head = "".join(f'<th class="num">{esc(c)}</th>' if c in ("满分", "得分", "失分") else f"<th>{esc(c)}</th>"
                   for c in cols)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return blocks.HTMLBlock(f'<table class="eco-table eco-scored">{cap}<thead><tr>{head}</tr></thead>'
                            f'<tbody>{"".join(body)}</tbody></table>')


def _descendant_lines(gid: str, kids: dict, rows_by_group: dict):
    for c in kids.get(gid, []):
        yield from rows_by_group.get(c.id, [])
        yield from _descendant_lines(c.id, kids, rows_by_group)


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
        if who in (*ln.lead, *ln.responsible, *(d for p in ln.part_leads for d in p)):
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
        out.append(cells + [words.outcome(r["outcome"]), r["reason"]])
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
        lead, shares = who_acts(r, ln) if short else ([], [])
        all_leads, all_shares = _named(ln)
        for d in dict.fromkeys([*all_leads, *all_shares, *lead, *shares]):
            t = tally.setdefault(d, [0, 0, 0, 0])
            t[0 if d in all_leads else 2] += 1
            t[1] += d in lead
            t[3] += d in shares
        if short:
            if r["kind"] == "indicator":
                gap = row_gap(r)
            else:
                gap = f"失{number(lo)}分" if lo > 0 else ""
            which = part_label(r, ln)
            rows.append([r["line_id"], r["title"] + (f"(分项:{which})" if which else ""), r["attribute"],
                         words.outcome(r["outcome"]), gap, "、".join(lead), "、".join(shares)])
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
    "facts": "所用数据", "evidence": "单位说明及依据", "part": "分项", "value": "实际值", "target": "目标值",
    "gap": "差距", "lead": "牵头单位", "responsible": "责任单位", "rule": "评分规则", "clause": "条款原文",
}


def appendix(audit: pd.DataFrame, spec: Spec, *, source: str = "", remarks: list[str] = (),
             depends: list[str] = ()) -> blocks.HTMLBlock:
    """Return the full audit trail of the unit, its remarks as typed, and the readings of ambiguous clauses."""
    cols = [c for c in APPENDIX_COLUMNS if c in audit.columns]
    rows = []
    for _, r in audit.iterrows():
        row = []
        for c in cols:
            v = r[c]
            if c == "kind":
                v = KIND_NAMES.get(v, v)
            elif c == "outcome":
                v = words.outcome(v)
            elif c == "part":
                v = f"第{_part(r) + 1}项" if _part(r) is not None else ""
            elif c == "gap" and "gap_unit" in r:
                v = words.gap(v, r["gap_unit"]) or number(v)
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
                          wide=["考核内容", "说明", "所用数据", "单位说明及依据", "评分规则"], trusted=["条款原文"])]
    if depends:
        parts.append("<h3>取决于条款读法的结果</h3><p class=\"eco-note\">按下列其他读法重新评分时,本单位的等次、"
                     "位次或结论会改变:</p><ul>" + "".join(f"<li>{esc(d)}</li>" for d in depends) + "</ul>")
    if remarks:
        parts.append("<h3>单位填报的备注</h3><ul>" + "".join(f"<li>{multiline(r)}</li>" for r in remarks) + "</ul>")
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
