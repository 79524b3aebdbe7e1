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
from ecoscore.reports.blocks import clause, esc, multiline
from ecoscore.reports.narrative import lost_points, names, reason, row_gap, rule_text, sentences
from ecoscore.rules.base import Outcome
from ecoscore.scoring.rollup import TOTAL_ID, signed
from ecoscore.spec import Spec

number = words.num

KIND_NAMES = words.KIND


_HALF = str.maketrans("\uff08\uff09", "()")
_NUMBERING = re.compile(r"^([((][^))]{1,4}[))]|[一二三四五六七八九十]{1,3}[、.])")


def section_label(spec: Spec, section: str) -> str:
    """Return "<id> <title>" for a group; just the title when it is the id or already
    starts with the id's own numbering ("附件2(一)" + "(一)实施…" → "(一)实施…"); the title
    once when the id ends with it ("附件2.生态制度" → "附件2 生态制度").
    """
    try:
        title = spec.group(section).title
    except KeyError:
        return str(section)
    m = _NUMBERING.match(title)
    if title == section or (m and section.translate(_HALF).endswith(m.group(1).rstrip("、.").translate(_HALF))):
        return title
    if section.endswith(title):  # "附件2.生态制度" titled "生态制度": the title once ("附件2 生态制度")
        head = section[: -len(title)].rstrip(".、 ")
        return f"{head} {title}" if head else title
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
    if css and (value or "num" in css.split()):  # a figure's cell keeps its class (eco-lost), even empty
        return f'<td class="{css}">{value}</td>'
    return f"<td>{value}</td>"


def _filled(values) -> bool:
    """Return whether a column has any text (a column empty on the whole page is not shown)."""
    return any(str(v).strip() for v in values if v is not None and v == v)


def scored_table(audit: pd.DataFrame, spec: Spec, *, rollup: pd.DataFrame | None = None,
                 caption: str = "", shown: words.Shown | None = None) -> blocks.HTMLBlock:
    """Return the unit's scored table: lines under their groups, each group closed by its
    sum row, every cap or floor as an explicit adjustment row, and the total at the end.

    Rows carry their level as a class (``eco-line``, ``eco-adj``, ``eco-sum``, ``eco-total``)
    and their group as ``data-group``; numeric cells carry ``eco-possible``, ``eco-awarded``
    and ``eco-lost``. The page adds up exactly as printed (``words.points_shown``): each sum
    row = its lines + its subgroups' sum rows + its adjustment row, and the total = the top
    sections + its adjustment (+ a 四舍五入尾差 row in the rare case the printed parts and
    the printed total differ by rounding). ``lost`` = 满分 − 得分 as printed on base, task and
    deduction rows (a bonus not earned is not a loss). A column with nothing in it on this
    page (属性, 目标 …) is left out. Titles several lines share are told apart
    (``narrative.names``). Text cells are escaped; the clause sits in a collapsed ``<details>``.
    """
    points = has_points(audit)
    indicators = bool((audit["kind"] == "indicator").any())
    evidence = _filled(audit["evidence"]) if "evidence" in audit else False
    lines = {k: _line(spec, r) for k, r in audit.iterrows()}
    targets = {k: _target(spec, r) for k, r in audit.iterrows()}
    actuals = {k: actual_text(r, lines[k]) if r["kind"] == "indicator" else "" for k, r in audit.iterrows()}
    extra = [c for c, on in (("属性", indicators and _filled(audit["attribute"])),
                             ("目标", indicators and _filled(targets.values())),
                             ("实际值", indicators and _filled(actuals.values()))) if on]
    cols = ["编号", "考核内容", *extra]
    if points:
        cols += ["满分", "得分", "失分"]
    cols += ["结果", "说明"] + (["单位说明及依据"] if evidence else []) + ["依据条款"]
    width = len(cols)
    lost = lost_points(audit, as_printed=True)
    named = names(audit)
    if shown is None:  # the figures the rest of the report prints (Report.shown), else worked out here
        shown = words.points_shown(audit, rollup if rollup is not None and len(rollup) else None, TOTAL_ID)
    rows_by_group: dict[str, list[str]] = {}
    for (k, r), lo in zip(audit.iterrows(), lost):
        ln = lines[k]
        cells = [_cell(esc(r["line_id"])), _cell(esc(named[k]), "eco-wide")]
        values = {"属性": r["attribute"], "目标": targets[k], "实际值": actuals[k]}
        cells += [_cell(esc(values[c])) for c in extra]
        if points:
            show_lost = r["kind"] != "bonus" and r["possible"] == r["possible"]
            cells += [_cell(number(r["possible"]) if r["kind"] != "deduction" else number(0.0), "num eco-possible"),
                      _cell(number(shown.lines.get(k, r["awarded"])), "num eco-awarded"),
                      _cell(number(lo) if show_lost and lo > 1e-9 else "", "num eco-lost")]
        cells += [_cell(esc(words.outcome(r["outcome"])), f"eco-outcome {words.css_class(r['outcome'])}".strip()),
                  _cell(multiline(reason(r, ln)), "eco-wide")]
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
    left = 2 + len(extra)

    def sum_row(css: str, gid: str, parent: str, label: str, possible, awarded, lost_v, note: str) -> str:
        cells = [_cell(esc(gid)), _cell(f"<b>{esc(label)}</b>", "eco-wide")]
        cells += [_cell("")] * (left - 2)
        if points:
            cells += [_cell(number(possible), "num eco-possible"), _cell(f"<b>{number(awarded)}</b>", "num eco-awarded"),
                      _cell(number(lost_v) if lost_v == lost_v else "", "num eco-lost")]
        cells += [_cell(esc(note), "eco-wide")] + [_cell("")] * (width - len(cells) - 1)
        return (f'<tr class="{css}" data-group="{esc(gid)}" data-parent="{esc(parent)}">' + "".join(cells[:width])
                + "</tr>")

    def adj_row(gid: str, points_: float, reason_: str) -> str:
        cells = [_cell(""), _cell(multiline(sentences(f"调整:{words.nested(reason_)}")), "eco-wide")] + [_cell("")] * (left - 2)
        if points:
            cells += [_cell(""), _cell(signed(points_), "num eco-awarded"), _cell("", "num eco-lost")]
        cells += [_cell("")] * (width - len(cells))
        return f'<tr class="eco-adj" data-group="{esc(gid)}">' + "".join(cells) + "</tr>"

    def walk(parent: str | None) -> None:
        for g in kids.get(parent, []):
            group_lines = rows_by_group.get(g.id, [])
            has_children = bool(group_lines) or any(True for _ in _descendant_lines(g.id, kids, rows_by_group))
            if not has_children:
                continue
            depth = 0 if g.parent is None else 1
            body.append(f'<tr class="eco-head eco-depth{depth}"><th colspan="{width}">'
                        f"{esc(section_label(spec, g.id))}</th></tr>")
            body.extend(group_lines)
            walk(g.id)
            r = by_id.get(g.id)
            if r is not None and points:
                awarded = shown.groups.get(g.id, words.shown(r["awarded"]))
                if abs(shown.adjustments.get(g.id, 0.0)) > 1e-9:
                    body.append(adj_row(g.id, shown.adjustments[g.id], r["reason"]))
                lost_v = words.shown(r["possible"]) - awarded if g.kind != "bonus" else float("nan")
                body.append(sum_row("eco-sum", g.id, g.parent or "", f"{g.id} 小计" if g.parent else f"{g.id} 合计",
                                    r["possible"], awarded, lost_v, ""))

    walk(None)
    tot = by_id.get(TOTAL_ID)
    if tot is not None and points:
        if abs(tot["adjustment"]) > 1e-9:  # the figure its reason gives: the printed sections plus this
            body.append(adj_row(TOTAL_ID, shown.total_adjustment, tot["reason"]))
        if abs(shown.rounding) > 1e-9:
            body.append(adj_row(TOTAL_ID, shown.rounding, f"{words.ROUNDING}(各项得分按两位小数列示,相加与总分相差"
                                                          f"{number(abs(shown.rounding))}分)"))
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
    lost = lost_points(rows, as_printed=True)
    named = names(rows)
    out = []
    for (k, r), lo in zip(rows.iterrows(), lost):
        done = words.completion(r["value"]) if _has_completion(_line(spec, r)) else ""
        cells = [r["line_id"], named[k], done]
        if pts:
            cells += [number(r["possible"]), number(r["awarded"]), number(lo) if lo > 0 else ""]
        out.append(cells + [words.outcome(r["outcome"]), reason(r, _line(spec, r))])
    cols = ["编号", "任务", "完成比例"] + (["分值", "得分", "失分"] if pts else []) + ["结果", "说明"]
    if not any(c[2] for c in out):
        cols.remove("完成比例")
        out = [c[:2] + c[3:] for c in out]
    n_done = int(rows["outcome"].isin([Outcome.DONE.value, Outcome.FULL.value]).sum())
    text = f"{who}共{len(rows)}项任务,已完成{n_done}项"
    if pts:
        text += (f";分值合计{number(sum(words.shown(x) for x in rows['possible']))}分,"
                 f"得{number(sum(words.shown(x) for x in rows['awarded']))}分")
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
    lost = lost_points(audit, as_printed=True)
    named = names(audit)
    rows, tally = [], {}
    for (k, r), lo in zip(audit.iterrows(), lost):
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
            rows.append([r["line_id"], named[k] + (f"(分项:{which})" if which else ""), r["attribute"],
                         words.outcome(r["outcome"]), gap, "、".join(lead), "、".join(shares)])
    parts = []
    if rows:
        parts.append(f"<p>{esc(unit)}未达到要求的项目共{len(rows)}项,牵头单位与责任单位如下。</p>")
        cols = ["编号", "项目", "属性", "结果", "差距/失分", "牵头单位", "责任单位"]
        keep = [j for j, c in enumerate(cols) if j < 2 or c == "结果" or _filled(r[j] for r in rows)]
        parts.append(blocks.table([[r[j] for j in keep] for r in rows], [cols[j] for j in keep], wide=["项目"]))
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
# Printed once, in the scored table just above the appendix: the appendix adds the scoring
# process (facts, values, leads, rule), keyed by 编号 and 考核内容, with 得分 and 结果 for
# the reviewer ticking lines off.
IN_SCORED_TABLE = frozenset({"section", "group", "possible", "reason", "evidence", "clause"})


def _appendix_cell(c: str, r, spec: Spec, named: pd.Series):
    v = r[c]
    if c == "title":
        return named[r.name]
    if c == "kind":
        return KIND_NAMES.get(v, v)
    if c == "outcome":
        return words.outcome(v)
    if c == "reason":
        return reason(r, _line(spec, r))
    if c == "facts":
        return "\n".join(x for x in str(v or "").split(";") if x)
    if c == "part":
        return f"第{_part(r) + 1}项" if _part(r) is not None else ""
    if c == "gap" and "gap_unit" in r:
        return words.gap(v, r["gap_unit"]) or number(v)
    if c in ("possible", "awarded", "value", "target", "gap"):
        return number(v)
    if c == "clause":
        return clause(v)
    if c == "rule":
        return rule_text(_line(spec, r).rule)
    return v


def touching(spec: Spec, line_ids) -> list:
    """Return the ambiguous clauses of ``spec`` whose lines include any of ``line_ids``."""
    mine = set(line_ids)
    return [a for a in spec.ambiguities if mine & set(a.lines)]


def readings_table(spec: Spec, audit: pd.DataFrame) -> str:
    """Return the readings of the ambiguous clauses that touch the unit's lines, in words:
    the question, the reading taken (默认 or not) and the others (the spec's descriptions,
    never their codes), and which of the unit's lines each concerns; "" when none does.
    """
    named = names(audit)
    by_id = dict(zip(audit["line_id"], named))
    codes = words.reading_names(spec)
    rows = []
    for a in touching(spec, audit["line_id"]):
        chosen = spec.readings.get(a.id, a.default)
        taken = a.readings.get(chosen)
        desc = words.reading_text(taken.description, codes) if taken and taken.description else "未说明"
        mark = "(默认)" if chosen == a.default else "(非默认)"
        others = [sentences(f"· {words.reading_text(r.description, codes)}") for n, r in a.readings.items()
                  if n != chosen and r.description]
        mine = [by_id[i] for i in a.lines if i in by_id]
        if len(mine) == len(by_id) and len(mine) > 3:
            where = f"本单位全部{len(mine)}项"
        elif len(mine) > 3:
            where = "、".join(f"「{x}」" for x in mine[:3]) + f"等{len(mine)}项"
        else:
            where = "、".join(f"「{x}」" for x in mine)
        rows.append([a.id, sentences(words.reading_text(a.question, codes)), sentences(f"{mark}{desc}"),
                     "\n".join(others), where, clause(a.clause)])
    if not rows:
        return ""
    return ("<h3>多解条款及采用的读法</h3><p class=\"eco-note\">只列涉及本单位各项的条款;"
            "读法写明本报告的评分依据,可在评分时改用其他读法。</p>"
            + blocks.table(rows, ["编号", "问题", "本报告采用的读法", "其他读法", "涉及本单位的项目", "条款原文"],
                           wide=["问题", "本报告采用的读法", "其他读法"], trusted=["条款原文"]))


def appendix(audit: pd.DataFrame, spec: Spec, *, source: str = "", remarks: list[str] = (),
             depends: list[str] = (), name: str = "") -> blocks.HTMLBlock:
    """Return the analyst's appendix, collapsed under one summary line: the unit's own
    audit trail (its lines only; columns with nothing in them left out), the results that
    depend on a reading, its remarks as typed, and the readings of the ambiguous clauses
    that touch its lines (``readings_table``).
    """
    named = names(audit)
    cols = [c for c in APPENDIX_COLUMNS if c in audit.columns and c not in IN_SCORED_TABLE]
    rows = [[_appendix_cell(c, r, spec, named) for c in cols] for _, r in audit.iterrows()]
    keep = [j for j, c in enumerate(cols)
            if c in ("line_id", "title", "outcome") or _filled(str(row[j]) for row in rows)]
    if "group" in cols and "section" in cols and (audit["group"] == audit["section"]).all():
        keep = [j for j in keep if cols[j] != "group"]
    names_ = [APPENDIX_COLUMNS[cols[j]] for j in keep]
    readings = readings_table(spec, audit)
    n_amb = len(touching(spec, audit["line_id"]))
    parts = ['<p class="eco-note">下表列出' + esc(name or "本单位") + f"每一项({len(audit)}项)的评分过程:所用数据、"
             "牵头单位、评分规则及结果,可据此逐项复核;说明和条款原文见上方逐项评分表。" + (f"数据来源:{esc(source)}。" if source else "") + "</p>",
             blocks.table([[row[j] for j in keep] for row in rows], names_,
                          numeric=["满分", "得分", "实际值", "目标值", "差距"],
                          wide=["考核内容", "说明", "所用数据", "单位说明及依据", "评分规则"], trusted=["条款原文"])]
    if depends:
        parts.append("<h3>取决于条款读法的结果</h3><p class=\"eco-note\">按下列其他读法重新评分时,本单位的等次、"
                     "位次或结论会改变:</p><ul>" + "".join(f"<li>{esc(d)}</li>" for d in depends) + "</ul>")
    if remarks:
        parts.append("<h3>单位填报的备注</h3><ul>" + "".join(f"<li>{multiline(r)}</li>" for r in remarks) + "</ul>")
    parts.append(readings)
    head = f"附录(供复核):逐项评分过程{len(audit)}项" + (f"、涉及本单位的多解条款{n_amb}处" if n_amb else "") + ",点击展开"
    return blocks.HTMLBlock(f'<details class="eco-appendix"><summary>{esc(head)}</summary>{"".join(parts)}</details>')
