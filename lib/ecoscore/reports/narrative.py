"""Report narrative: pure functions of the audit trail and summary that return Chinese text.

Each function takes one unit's audit rows (``Result.unit_audit(unit)``, columns
``engine.AUDIT_COLUMNS``) and/or the cohort summary (``rollup.SUMMARY_COLUMNS``) and
returns plain text (no HTML; ``html`` lays it out and escapes it). An empty string means
"nothing to say". A text is one or more short sentences; a text of several points puts
each on its own line (a line break), which ``html`` shows as a list. Lines are named by their
titles in 「」 (``names``: a title several lines share gets the words that tell them apart),
never by a bare id. Numbers are written with ``words.num`` (at most two decimals); points
lost and deducted are said as 失X分 / 扣X分, never as a negative score.
Lines with points, compliance indicators, task-book rows and gates are each described
in their own terms, so one function serves every document family.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ecoscore import words
from ecoscore.reports import blocks
from ecoscore.rules.base import Outcome
from ecoscore.scoring.rollup import signed

MISSING = Outcome.MISSING.value
_DONE = {Outcome.DONE.value, Outcome.FULL.value}
_NOT_MET = {Outcome.NOT_MET.value}
_NOT_DONE = {Outcome.NOT_DONE.value, Outcome.PARTIAL.value, Outcome.ZERO.value}

#: The longest sentence or list item the narrative writes (characters); a reason longer than
#: ``REASON`` is cut at a clause and refers to the scored table.
LIMIT = 200
REASON = 110

num = words.num


def label(row) -> str:
    """Return "<line id> <title>" for an audit row (a chart's axis, a table; not prose)."""
    return f"{row['line_id']} {row['title']}"


# ------------------------------------------------------------------ names
_ID_IN_WORDS = re.compile(r"^[\u4e00-\u9fff]+\d+$")  # "指标5", "重点任务2": an id that reads as words


def _first_words(text: str, limit: int = 16) -> str:
    """Return the first clause of ``text`` (outside brackets), at most ``limit`` characters,
    never cut inside a bracket ("…" marks a cut).
    """
    text = re.sub(r"^\s*[\d一二三四五六七八九十]+[、.\s]+", "", str(text or "")).strip()
    depth, end = 0, len(text)
    for k, ch in enumerate(text):
        depth += (ch in "((") - (ch in "))")
        if depth == 0 and ch in ",,。;;::":
            end = k
            break
    first = text[:end].strip()
    if len(first) <= limit:
        return first
    depth, cut = 0, limit
    for k, ch in enumerate(first[:limit]):
        if ch in "((" and depth == 0:
            cut = k
        depth += (ch in "((") - (ch in "))")
    return first[:cut if depth > 0 else limit] + "…"


def names(audit: pd.DataFrame) -> pd.Series:
    """Return each row's name as prose gives it: its title, and where several of the rows
    share a title, what tells them apart: an id that reads as words ("指标5", "重点任务2"), else
    the first words of its own clause after the words the clauses share ("牵头……工作:推动节能技改
    减少使用标煤2万吨"), else its place ("第2项").
    """
    out = audit["title"].astype(str).copy()
    dup = out.duplicated(keep=False)
    for title, grp in audit[dup].groupby("title", sort=False):
        ids = [str(i) for i in grp["line_id"]]
        if all(_ID_IN_WORDS.match(i) for i in ids) and len(set(ids)) == len(ids):
            tags = ids
        else:
            clauses = [str(c or "") for c in (grp["clause"] if "clause" in grp else [""] * len(grp))]
            prefix = _common_prefix(clauses) if len(set(clauses)) > 1 else ""
            cut = max(prefix.rfind(p) for p in ",,。;;::") + 1  # where the clauses part: a clause's start
            tags = [_first_words(c[cut:]) for c in clauses]
            if len(set(tags)) < len(tags) or not all(tags):
                tags = [f"第{k}项" for k in range(1, len(ids) + 1)]
        for idx, tag in zip(grp.index, tags):
            out.at[idx] = f"{title}:{tag}" if not _ID_IN_WORDS.match(tag) else f"{title}({tag})"
    return out


def _common_prefix(texts: list[str]) -> str:
    if not texts:
        return ""
    lo, hi = min(texts), max(texts)
    k = 0
    while k < min(len(lo), len(hi)) and lo[k] == hi[k]:
        k += 1
    return lo[:k]


def name(row, named: Mapping | None = None) -> str:
    """Return a row's name in 「」 as prose writes it (``named``: ``names(audit)``, else the title)."""
    text = named.get(row.name, row["title"]) if named is not None else row["title"]
    return f"「{text}」"


# ---------------------------------------------------------------- reasons
def _notes(row) -> list[str]:
    """Return what the unit typed on this line (its evidence, without the source tag)."""
    ev = str(row.get("evidence") or "") if hasattr(row, "get") else ""
    return [re.sub(r"^〔[^〕]*〕", "", part).strip() for part in ev.split("\n") if part.strip()]


def _facts(row) -> dict[str, str]:
    out = {}
    for part in str(row.get("facts") or "").split(";"):
        k, _, v = part.partition("=")
        if k:
            out[k.strip()] = v.strip()
    return out


def _target_delta(row, rule) -> str:
    """Say a base-plus-or-minus line (004 二.3) so that the figures account for the whole maximum."""
    v, t, p, m = row["value"], row["target"], row["awarded"], row["possible"]
    if v != v or t != t or p != p:
        return ""
    u = rule.value_unit
    better = (t - v) if rule.lower_is_better else (v - t)
    d = abs(better)
    up, down = ("低", "高") if rule.lower_is_better else ("高", "低")
    head = f"{rule.value_label}{num(v, u)},目标{num(t, u)}"
    base = f"达到目标得{num(rule.base)}分" + (f"(满分{num(m)}分)" if abs(rule.base - m) > 1e-9 else "")
    if better >= 0:
        if not rule.bonus_per or d < 1e-12:
            return f"{head},达到目标,得{num(p)}分"
        plus = rule.bonus_per * d
        cap = f",合计{num(rule.base + plus)}分,按满分{num(m)}分计" if rule.base + plus > m + 1e-9 else ""
        return (f"{head},比目标{up}{num(d, u)}。{base},每{up}1{u}加{num(rule.bonus_per)}分,"
                f"加{num(plus)}分{cap},得{num(p)}分")
    minus = rule.penalty_per * d
    floor = ",扣完为止" if rule.base - minus < -1e-9 else ""
    rest = (f";优于目标才能加分至满分{num(m)}分" if rule.bonus_per and rule.base < m - 1e-9 else "")
    return (f"{head},比目标{down}{num(d, u)}。{base}{rest}。每{down}1{u}扣{num(rule.penalty_per)}分,"
            f"扣{num(minus)}分{floor},得{num(p)}分")


def _strive_ensure(row, rule) -> str:
    """Say a two-target line (004 二.2) below its 确保值 so that the figures account for the whole maximum."""
    v, hi, p, m = row["value"], row["target"], row["awarded"], row["possible"]
    facts = _facts(row)
    labels = {f.name: f.label for f in rule.facts()}
    try:
        lo = float(facts[labels["ensure"]])
    except (KeyError, ValueError):
        return ""
    if v != v or hi != hi or v >= lo:
        return ""
    short = lo - v
    soft = (short if v >= rule.reduced_above else 0.0) if rule.reduced_by == "value" else \
        max(0.0, lo - max(v, rule.reduced_above))
    soft = min(soft, short)
    pen = rule.reduced_penalty * soft + rule.penalty * (short - soft)
    start = rule.base if rule.penalty_from == "base" else m
    how = []
    if soft > 1e-9:
        how.append(f"{num(soft)}个百分点每个扣{num(rule.reduced_penalty)}分")
    if short - soft > 1e-9:
        how.append(f"{num(short - soft)}个百分点每个扣{num(rule.penalty)}分")
    where = (f"未达到确保值,从确保值对应的{num(start)}分起扣(满分{num(m)}分须达到力争值{num(hi)}%)"
             if rule.penalty_from == "base" else f"未达到确保值,从满分{num(m)}分起扣")
    floor = ",扣完为止" if start - pen < -1e-9 else ""
    return (f"{rule.value_label}{num(v)}%,低于确保值{num(lo)}%,差{num(short)}个百分点。{where};"
            + "、".join(how) + f",共扣{num(pen)}分{floor},得{num(p)}分")


_REBUILT = {"target_delta": _target_delta, "strive_ensure": _strive_ensure}


def reason(row, line=None, *, notes: bool = False) -> str:
    """Return why a line scored as it did, as the reader is told: the scoring's reason
    without the note the unit typed (the table shows it beside the reason as evidence; with
    ``notes``, an analyst's 理由 stays, as a clause of its own), a negative score said as a
    deduction, and — for a line whose points start below its maximum (004 二.2 and 二.3) —
    the reason written from the figures so that it accounts for the whole maximum.
    """
    text = str(row["reason"] or "")
    rule = getattr(line, "rule", None)
    if rule is not None and rule.type in _REBUILT:
        text = _REBUILT[rule.type](row, rule) or text
    typed = _notes(row)
    for note in typed:
        for wrap in (f"(理由:{note})", f"(理由:{note})"):
            text = text.replace(wrap, f";理由:{note}" if notes else "")
        for wrap in (f"({note})", f"({note})"):
            text = text.replace(wrap, "")
    m = re.search(r"[((]理由[::](.*)[))]$", text)  # an analyst's judgement (rule type manual)
    if m:  # an analyst's reason not kept as evidence: said as a clause of its own, as typed
        typed.append(m.group(1))
        text = text[:m.start()] + f";理由:{m.group(1)}"
    m = re.search(r"[,,]\s*得\s*[-−]\s*([\d.]+)\s*分$", text)
    if m and re.search(r"扣[\d.]+分$", text[:m.start()]):  # "扣3分,得-3分" says the deduction twice
        text = text[:m.start()]
    text = re.sub(r"得\s*[-−]\s*(\d[\d.]*)\s*分", r"扣\1分", text)  # a negative score is a deduction
    return _keeping(text.strip(), typed, words.nested)


def _keeping(text: str, typed: list[str], change) -> str:
    """Return ``change(text)`` with what the unit typed (``typed``) left exactly as typed."""
    keep = {f"\x00{k}\x00": t for k, t in enumerate(t for t in typed if t and t in text)}
    for mark, t in keep.items():
        text = text.replace(t, mark)
    text = change(text)
    for mark, t in keep.items():
        text = text.replace(mark, t)
    return text


def rule_text(rule) -> str:
    """Return how a line is scored, in the rule's words; a rule of several parts one part a line
    ("以下各项均须达到:" then "1. …"), never as nested brackets.
    """
    parts = getattr(rule, "parts", ())
    if getattr(rule, "type", "") != "compound" or not parts:
        return rule.label() if rule is not None else ""
    head = "以下各项均须达到:" if rule.mode == "all" else "以下任一项达到即可:"
    return head + "\n" + "\n".join(f"{k}. {_part_text(p)}" for k, p in enumerate(parts, 1))


def _part_text(rule) -> str:
    parts = getattr(rule, "parts", ())
    if getattr(rule, "type", "") != "compound" or not parts:
        return rule.label()
    return "、".join(_part_text(p) for p in parts) + ("均须达到" if rule.mode == "all" else "任一项达到即可")


def sentences(text: str, limit: int = LIMIT) -> str:
    """Return ``text`` with each sentence on a line of its own (a table cell shows them apart):
    a break after each "。" or ";" outside brackets, and a sentence still longer than ``limit``
    broken after its last comma (outside brackets) within the limit.
    """
    out, line, depth = [], "", 0
    for ch in str(text or "").strip():
        line += ch
        depth += (ch in "((［") - (ch in "))］")
        if depth == 0 and ch in "。;;":
            out.append(line)
            line = ""
    out.append(line)
    lines = []
    for x in (y.strip() for y in out if y.strip()):
        while len(x) > limit:
            depth, cut = 0, -1
            for k, ch in enumerate(x[:limit]):
                depth += (ch in "((［") - (ch in "))］")
                if depth == 0 and ch in ",,":
                    cut = k
            if cut < limit // 3:
                break
            lines.append(x[:cut + 1])
            x = x[cut + 1:].strip()
        lines.append(x)
    return "\n".join(lines)


def brief(text: str, limit: int = REASON) -> str:
    """Return ``text`` cut at the last clause (outside brackets) that ends within ``limit``
    characters ("……" marks the cut).
    """
    text = str(text or "").strip().rstrip("。")
    if len(text) <= limit:
        return text
    depth, cut, opened = 0, -1, limit
    for k, ch in enumerate(text[:limit]):
        depth += (ch in "((［") - (ch in "))］")
        if depth == 0 and ch in ",;,;。":
            cut = k
    if cut <= limit // 3:  # no clause ends in reach: cut before any bracket left open
        depth = 0
        for k, ch in enumerate(text[:limit]):
            depth += (ch in "((［") - (ch in "))］")
            if depth == 1 and ch in "((［":
                opened = k
        cut = opened if depth > 0 else limit
    return text[:cut] + "……"


def html(paragraphs) -> blocks.HTMLBlock:
    """Return ``(heading, text)`` pairs as a definition list: a text of one line is a
    paragraph, a text of several lines a list, one point an item (all escaped).
    """
    items = []
    for h, t in paragraphs:
        lines = [x for x in str(t).split("\n") if x.strip()]
        if len(lines) == 1:
            body = blocks.esc(lines[0])
        else:
            body = "<ul>" + "".join(f"<li>{blocks.esc(x)}</li>" for x in lines) + "</ul>"
        items.append(f"<dt>{blocks.esc(h)}</dt><dd>{body}</dd>")
    return blocks.HTMLBlock(f'<dl class="eco-narr">{"".join(items)}</dl>')


# ------------------------------------------------------------- the parts
def scored_rows(audit: pd.DataFrame) -> pd.DataFrame:
    """Return the rows that carry points (base, bonus, deduction and pointed task lines)."""
    return audit[audit["possible"].notna() & ~audit["kind"].isin(["indicator", "gate"])]


def lost_points(audit: pd.DataFrame, *, as_printed: bool = False) -> pd.Series:
    """Return the points each row lost: maximum − score on base and task lines, the
    deduction on deduction lines, 0 elsewhere (an unearned bonus is not a loss).

    ``as_printed``: each loss is the difference of the figures as printed (``words.shown``),
    so that a row's 满分 − 得分 is its 失分 to the cent (a maximum of 5/3 prints as 1.67);
    without it, the exact loss (what sums of losses are made of).
    """
    fig = words.shown if as_printed else float
    possible = audit["possible"].fillna(0.0).map(fig)
    awarded = audit["awarded"].fillna(0.0).map(fig)
    lost = np.where(audit["kind"].isin(["base", "task"]), possible - awarded,
                    np.where(audit["kind"] == "deduction", -awarded, 0.0))
    lost = np.clip(lost.astype(float), 0.0, None)
    return pd.Series(np.round(lost, words.DECIMALS) if as_printed else lost, index=audit.index, name="lost")


def _listing(items: list[str], limit: int) -> str:
    shown = "、".join(items[:limit])
    return shown + (f"等{len(items)}项" if len(items) > limit else "")


def _unit_row(summary: pd.DataFrame, unit: str) -> Mapping:
    row = summary[summary["unit"] == unit]
    if row.empty:
        raise KeyError(unit)
    return row.iloc[0]


def overall(audit: pd.DataFrame, summary: pd.DataFrame, unit: str, *, out_of: float | None = None,
            rank_text: str = "") -> str:
    """Return the overall result: total and grade, or indicators met and the verdict; the rank
    as ``rank_text`` words it (``ecoscore.words.rank``; empty where the document does not rank).
    """
    row = _unit_row(summary, unit)
    bits = []
    if row["total"] == row["total"]:
        extras = [f"加分{num(row['bonus'])}分" if row["bonus"] else "",
                  f"扣分{num(-row['deduction'])}分" if row["deduction"] else "",
                  f"总分调整{signed(row['adjustment'])}分" if abs(row["adjustment"]) > 1e-9 else ""]
        extras = "、".join(x for x in extras if x)
        inner = ";".join(x for x in (f"满分{num(out_of)}分" if out_of else "", f"含{extras}" if extras else "") if x)
        bits.append(f"{unit}考核总分{num(row['total'])}分" + (f"({inner})" if inner else ""))
        if row["grade"]:
            bits.append(f"等次为{row['grade']}")
    ind = audit[audit["kind"] == "indicator"]
    if len(ind):
        bits.append(_tally(ind, f"{unit}共{len(ind)}项指标", "达标", (Outcome.MET.value,), "未达标", Outcome.NOT_MET.value))
    tasks = audit[(audit["kind"] == "task") & audit["possible"].isna()]
    if len(tasks) and row["total"] != row["total"] and not row["verdict"]:  # tasks without points, no verdict
        bits.append(_tally(tasks, f"{'' if bits else unit}共{len(tasks)}项任务", "已完成",
                           (Outcome.DONE.value, Outcome.FULL.value), "未完成", Outcome.NOT_DONE.value))
    if row["verdict"]:
        verdict = _verdict(row["verdict"])
        bits.append(verdict if bits else f"{unit}{verdict}")
    elif row["grade"] and not bits:
        bits.append(f"{unit}等次为{row['grade']}")
    text = (",".join(bits) + "。").replace("。。", "。") if bits else ""
    return text + (f"{rank_text}。" if rank_text else "")


def _verdict(text: str) -> str:
    """Return a verdict's conclusion without its worked detail in brackets (the header gives the
    verdict in full, the losses below name the lines): "重点单位未晋级优秀:未完成年度工作目标".
    """
    text = str(text or "").strip()
    m = re.search(r"[((]", text)
    return re.sub(r"[,,;;::、]+$", "", text[:m.start()]) if m and m.start() > 4 else text


def _tally(rows: pd.DataFrame, head: str, good: str, good_codes: tuple[str, ...], bad: str, bad_code: str) -> str:
    """Return "<head>,<good>n项、<bad>m项、缺数据k项" (zero counts after the first left out)."""
    counts = rows["outcome"].value_counts()
    text = f"{head},{good}{sum(int(counts.get(c, 0)) for c in good_codes)}项"
    if counts.get(bad_code, 0):
        text += f"、{bad}{int(counts[bad_code])}项"
    if counts.get(MISSING, 0):
        text += f"、缺数据{int(counts[MISSING])}项"
    return text


def strengths(audit: pd.DataFrame, *, limit: int = 3, section_titles: Mapping[str, str] | None = None,
              bonus: float | None = None, bonus_sections: set[str] | None = None) -> str:
    """Return what went well, one point a line: full-mark lines (largest first), full-mark
    sections, bonus points earned, no deductions, indicators met and tasks done.

    ``bonus`` is the unit's bonus as rolled up (after the bonus sections' caps) and
    ``bonus_sections`` the top-level bonus sections; a bonus inside a capped base section
    counts in that section's score, not here.
    """
    out = []
    named = names(audit)
    pts = scored_rows(audit)
    base = pts[pts["kind"].isin(["base", "task"]) & (pts["possible"] > 0)]
    if len(base):
        full = base[base["awarded"] >= base["possible"] - 1e-9]
        if len(full):
            top = full.sort_values("possible", ascending=False, kind="stable").head(limit)
            items = "、".join(f"{name(r, named)}({num(r['possible'])}分)" for _, r in top.iterrows())
            total = sum(words.shown(x) for x in full["possible"])
            if len(full) > limit:
                out.append(f"满分项目{len(full)}项,合计{num(total)}分;分值较大的有{items}。")
            else:
                out.append(f"满分项目{len(full)}项,合计{num(total)}分:{items}。")
        else:
            out.append("暂无满分项目。")
        by_sec = base.groupby("section", sort=False)[["possible", "awarded"]].sum()
        whole = [s for s, r in by_sec.iterrows() if r["awarded"] >= r["possible"] - 1e-9]
        if whole and len(by_sec) > 1:
            titles = section_titles or {}
            out.append("、".join(titles.get(s, s) for s in whole) + "部分获得满分。")
    earned = pts[(pts["kind"] == "bonus") & (pts["awarded"] > 0)]
    if bonus_sections is not None:
        earned = earned[earned["section"].isin(bonus_sections)]
    if len(earned):
        top = earned.sort_values("awarded", ascending=False, kind="stable")
        items = [f"{name(r, named)}{num(r['awarded'])}分" for _, r in top.iterrows()]
        each = sum(words.shown(x) for x in earned["awarded"])
        figure = each if bonus is None else words.shown(bonus)
        capped = "" if abs(figure - each) < 1e-9 else f";各项合计{num(each)}分,按上限计{num(figure)}分"
        head = f"获得加分{num(figure)}分" + (f",共{len(items)}项,较多的有" if len(items) > limit else "")
        listed = items[:limit] if len(items) > limit else items
        while len(listed) > 1 and len(f"{head}:{'、'.join(listed)}{capped}。") > LIMIT:
            listed = listed[:-1]
        out.append(f"{head}:{'、'.join(listed)}{capped}。")
    ded = pts[pts["kind"] == "deduction"]
    if len(ded) and not (ded["awarded"] < 0).any():
        out.append("未发生扣分情形。")
    for kind, word, ok in (("indicator", "达标指标", {Outcome.MET.value}), ("task", "已完成任务", _DONE)):
        rows = audit[(audit["kind"] == kind) & audit["possible"].isna() & audit["outcome"].isin(ok)]
        if len(rows):
            out.append(f"{word}{len(rows)}项:{_listing([name(r, named) for _, r in rows.iterrows()], 6)}。")
    return "\n".join(out)


def _why(r, spec=None) -> str:
    line = _spec_line(spec, r["line_id"])
    return brief(reason(r, line, notes=True))


def _spec_line(spec, line_id):
    if spec is None:
        return None
    try:
        return spec.line(line_id)
    except KeyError:
        return None


def losses(audit: pd.DataFrame, *, limit: int = 5, section_titles: Mapping[str, str] | None = None,
           sections: pd.DataFrame | None = None, adjustments: pd.DataFrame | None = None, spec=None) -> str:
    """Return where points were lost and why (largest first, with the figures), the
    indicators not met and the tasks not done; one point a line.

    ``sections`` are the unit's top-level rollup rows (``id``, ``kind``, ``possible``,
    ``awarded``) with ``awarded`` as the report prints it (``words.points_shown``): the points
    lost in a base section are its maximum minus its score after adjustments, and deductions
    are the deduction sections' scores, so the figures here are the report's own.
    ``adjustments`` (caps and floors) are listed after the lines. ``spec`` lets a reason be
    said from its rule (``reason``).
    """
    out = []
    named = names(audit)
    pts = scored_rows(audit)
    has_base = bool(pts["kind"].isin(["base", "task"]).any())
    if len(pts):
        lost = lost_points(pts, as_printed=True)
        titles = section_titles or {}
        if sections is None:  # no rollup given: the lines' own losses
            only_deductions = pts.groupby("section", sort=False)["kind"].agg(lambda k: set(k) == {"deduction"})
            sec_lost = [(s, "deduction" if only_deductions[s] else "base", float(v))
                        for s, v in lost.groupby(pts["section"], sort=False).sum().items()]
        else:
            sec_lost = [(r["id"], r["kind"], words.shown(r["possible"]) - words.shown(r["awarded"])
                         if r["kind"] != "deduction" else -words.shown(r["awarded"]))
                        for _, r in sections.iterrows() if r["kind"] in ("base", "deduction")]
        base_lost = round(sum(v for _, k, v in sec_lost if k == "base"), words.DECIMALS)
        deducted = round(sum(v for _, k, v in sec_lost if k == "deduction"), words.DECIMALS)
        if base_lost > 1e-9 or deducted > 1e-9:
            parts = [f"{titles.get(s, s)}失{num(v)}分" for s, k, v in sec_lost if v > 1e-9 and k == "base"]
            top = pts.assign(lost=lost)[lost > 1e-9].sort_values("lost", ascending=False, kind="stable")
            more = f"以下列出失分最多的{limit}项(共{len(top)}项)。" if len(top) > limit else ""
            if base_lost > 1e-9:
                out.append(f"共失分{num(base_lost)}分" + (f":{'、'.join(parts)}。" if len(parts) > 1 else "。"))
            if deducted > 1e-9:
                out.append(f"扣分项共扣{num(deducted)}分。")
            out[-1] += more
            for _, r in top.head(limit).iterrows():
                verb = "扣" if r["kind"] == "deduction" else "失"
                out.append(f"{name(r, named)}{verb}{num(r['lost'])}分:{_why(r, spec)}。")
            if adjustments is not None and len(adjustments):
                adj = adjustments[adjustments["level"] == "group"]
                for why in adj["reason"]:
                    out.append(f"按文件规定调整:{brief(words.nested(why), LIMIT - 20)}。")
        elif has_base:
            out.append("各计分项目均未失分。")
    ind = audit[(audit["kind"] == "indicator") & audit["outcome"].isin(_NOT_MET)]
    if len(ind):
        ind = ind.assign(binding=(ind["attribute"] == "约束性").astype(int))
        ind = ind.sort_values("binding", ascending=False, kind="stable")
        shown = min(len(ind), 2 * limit)
        out.append(f"未达标指标{len(ind)}项。")
        for _, r in ind.head(shown).iterrows():
            attr = f"({r['attribute']})" if r["attribute"] else ""
            out.append(f"{name(r, named)}{attr}:{_why(r, spec)}。")
        rest = ind.iloc[shown:]
        if len(rest):
            rest_binding = int(rest["binding"].sum())
            kinds = f"其中约束性指标{rest_binding}项" if rest_binding else "均为参考性指标"
            out.append(f"另有{len(rest)}项未达标({kinds}),见逐项表。")
    tasks = audit[(audit["kind"] == "task") & audit["possible"].isna() & audit["outcome"].isin(_NOT_DONE)]
    if len(tasks):
        tasks = tasks.sort_values("value", kind="stable", na_position="last")
        more = f",以下是完成比例最低的{limit}项" if len(tasks) > limit else ""
        out.append(f"未完成任务{len(tasks)}项{more}。")
        for _, r in tasks.head(limit).iterrows():
            out.append(f"{name(r, named)}:{_why(r, spec)}。")
    return "\n".join(out).replace("。。", "。")


def _titles(rows: pd.DataFrame) -> str:
    return "、".join(rows["title"])


def gates(audit: pd.DataFrame) -> str:
    """Return the state of the gates (评优前置, 合格否决); empty when the document has none."""
    g = audit[audit["kind"] == "gate"]
    if g.empty:
        return ""
    pre = g[g["gate"] == "bar"]
    veto = g[g["gate"] == "veto"]
    bits = []
    if len(pre):
        unmet = pre[pre["outcome"] == Outcome.NOT_MET.value]
        if len(unmet):
            bits.append(f"未满足评优前置条件:{_titles(unmet)},不得评为优秀")
        elif not (pre["outcome"] == MISSING).any():
            bits.append(f"评优前置条件{len(pre)}项全部满足")
    if len(veto):
        hit = veto[veto["outcome"] == Outcome.TRIGGERED.value]
        if len(hit):
            bits.append(f"触发合格否决:{_titles(hit)},考核结果为不合格")
        elif not (veto["outcome"] == MISSING).any():
            bits.append("未触发合格否决情形")
    miss = g[g["outcome"] == MISSING]
    if len(miss):
        bits.append(f"以下条件缺数据,暂无法判定:{_titles(miss)}")
    return ";".join(bits) + "。"


def _relative_gap(row) -> float:
    gap, target = row["gap"], row["target"]
    if gap != gap or target != target or not target:
        return np.inf
    return abs(gap / target)


def gap_text(gap: float, measure: str = "") -> str:
    """Return a gap with its unit (``words.gap``). Kept for callers holding a unit apart from
    the audit row; with a row, use ``row_gap``, which takes the deciding part's unit.
    """
    return words.gap(gap, measure)


def row_gap(row, measures: Mapping[str, str] | None = None) -> str:
    """Return an audit row's gap in its own unit (``gap_unit``: the deciding part's), or ""
    when there is no positive gap. ``measures`` (line id → unit) serves only audit rows
    saved before ``gap_unit`` existed.
    """
    g = row["gap"]
    if g is None or g != g or g <= 0:
        return ""
    unit = row["gap_unit"] if "gap_unit" in row else (measures or {}).get(row["line_id"], "")
    return words.gap(g, unit)


def priorities(audit: pd.DataFrame, *, limit: int = 3, measures: Mapping[str, str] | None = None,
               countable: set[str] | None = None) -> str:
    """Return what to improve first, one point a line: the lines with the most recoverable
    points, the nearest target, then the binding indicators not met (nearest first) and the
    tasks closest to completion. Lines lacking data are left to ``missing``. Gaps are written
    in each row's ``gap_unit`` (``measures``, line id → unit, only for rows without one).
    ``countable`` limits the point lines to the sections that can change the unit's total
    (None: all).
    """
    items = []
    named = names(audit)
    pts = scored_rows(audit)
    if countable is not None:
        pts = pts[pts["section"].isin(countable)]
    pts = pts.assign(lost=lost_points(pts, as_printed=True))
    cand = pts[(pts["lost"] > 1e-9) & (pts["outcome"] != MISSING)]
    cand = cand.assign(rel=[_relative_gap(r) for _, r in cand.iterrows()])
    cand = cand.sort_values(["lost", "rel"], ascending=[False, True], kind="stable")
    for _, r in cand.head(limit).iterrows():
        if r["kind"] == "deduction":
            items.append(f"{name(r, named)}:被扣{num(r['lost'])}分,应防止同类情形再次发生。")
        else:
            gap = row_gap(r, measures)
            gap = f",距目标差{gap}" if gap else ""
            items.append(f"{name(r, named)}:可挽回{num(r['lost'])}分{gap}。")
    near = cand[np.isfinite(cand["rel"]) & (cand["gap"] > 0)].sort_values("rel", kind="stable") if len(cand) else cand
    tail = ""
    if len(near):
        r = near.iloc[0]
        tail = f"其中距目标最近的是{name(r, named)}:差距{row_gap(r, measures)},为目标值的{num(r['rel'] * 100)}%。"
    ind = audit[(audit["kind"] == "indicator") & (audit["outcome"] == Outcome.NOT_MET.value)]
    if len(ind):
        ind = ind.assign(rel=[_relative_gap(r) for _, r in ind.iterrows()],
                         binding=(ind["attribute"] == "约束性").astype(int))
        ind = ind.sort_values(["binding", "rel"], ascending=[False, True], kind="stable")
        for _, r in ind.head(limit).iterrows():
            gap = row_gap(r, measures)
            if gap:
                gap = f",差距{gap}" + (f",为目标值的{num(r['rel'] * 100)}%" if np.isfinite(r["rel"]) else "")
            attr = f"({r['attribute']})" if r["attribute"] else ""
            items.append(f"{name(r, named)}{attr}{gap}。")
    tasks = audit[(audit["kind"] == "task") & audit["possible"].isna() & audit["outcome"].isin(_NOT_DONE)]
    if len(tasks):
        tasks = tasks.sort_values("value", ascending=False, kind="stable")
        for _, r in tasks.head(limit).iterrows():
            done = f",目前完成{words.completion(r['value'])},尚未完成" if r["value"] == r["value"] else ",尚未完成"
            items.append(f"{name(r, named)}{done}。")
    if not items:
        return ""
    numbered = [f"({k}){t}" for k, t in enumerate(items, 1)]
    return "\n".join(["建议优先改进以下各项。", *numbered] + ([tail] if tail else []))


def missing(audit: pd.DataFrame, *, limit: int = 8) -> str:
    """Return which lines lack data and what that does to the result."""
    m = audit[audit["outcome"] == MISSING]
    if m.empty:
        return ""
    named = names(audit)
    listed = _listing([name(r, named) for _, r in m.iterrows()], limit)
    scored, judged = m["possible"].notna().any(), m["possible"].isna().any()
    if scored and judged:
        effect = "计分项目暂按0分计,其余项目暂无法判定"
    elif scored:
        effect = "这些项目暂按0分计"
    else:
        effect = "这些项目暂无法判定是否达到要求"
    return f"有{len(m)}项缺少数据:{listed}。\n{effect},补齐数据后请重新评分。"


def _points_said(x: float, kind: str) -> str:
    """Return a line's points in a comparison: "8分", or for a deduction line "扣20分" / "不扣分"."""
    if kind == "deduction":
        return f"扣{num(-x)}分" if words.shown(x) < 0 else "不扣分"
    return f"{num(x)}分"


def change(audit: pd.DataFrame, previous_audit: pd.DataFrame, summary: pd.DataFrame,
           previous_summary: pd.DataFrame, unit: str, *, limit: int = 3) -> str:  # noqa: C901
    """Return the change against last year, one point a line: total and rank, or indicators
    met, and the lines that changed most.
    """
    now, before = _unit_row(summary, unit), _unit_row(previous_summary, unit)
    named = names(audit)
    bits = []
    if now["total"] == now["total"] and before["total"] == before["total"]:
        d = words.shown(now["total"]) - words.shown(before["total"])
        if abs(d) < 1e-9:
            bits.append(f"与上年相比,总分持平({num(now['total'])}分)")
        else:
            word = "提高" if d > 0 else "下降"
            bits.append(f"与上年相比,总分由{num(before['total'])}分变为{num(now['total'])}分,{word}{num(abs(d))}分")
    for col, word in (("indicators_met", "达标指标"), ("tasks_done", "已完成任务")):
        if now[col] or before[col]:
            lead = "与上年相比," if not bits else ""
            if now[col] == before[col]:
                bits.append(f"{lead}{word}数量持平({int(now[col])}项)")
            else:
                bits.append(f"{lead}{word}由{int(before[col])}项变为{int(now[col])}项")
    if (now["rank"] == now["rank"] and before["rank"] == before["rank"] and now["rank"] != before["rank"]
            and now["rank_of"] == before["rank_of"]):
        bits.append(f"位次由第{int(before['rank'])}/{int(before['rank_of'])}名变为第{int(now['rank'])}/{int(now['rank_of'])}名")
    adj_now, adj_before = float(now.get("adjustment", 0.0) or 0.0), float(before.get("adjustment", 0.0) or 0.0)
    if abs(adj_now - adj_before) > 1e-9:
        bits.append(f"其中总分调整由{signed(adj_before)}分变为{signed(adj_now)}分(非逐项得分变化)")
    out = [",".join(bits) + "。"] if bits else []
    both = audit.merge(previous_audit[["line_id", "awarded", "outcome"]], on="line_id", suffixes=("", "_prev"),
                       how="left")
    both.index = audit.index
    pts = both[both["possible"].notna() & (both["kind"] != "gate") & both["awarded_prev"].notna()]
    delta = pts["awarded"].fillna(0).map(words.shown) - pts["awarded_prev"].fillna(0).map(words.shown)
    pts = pts.assign(delta=delta, size=delta.abs())[delta.abs() > 1e-9]
    if len(pts):
        top = pts.sort_values("size", ascending=False, kind="stable").head(limit)
        for _, r in top.iterrows():
            out.append(f"变化较大:{name(r, named)}由{_points_said(r['awarded_prev'], r['kind'])}变为"
                       f"{_points_said(r['awarded'], r['kind'])}({'+' if r['delta'] > 0 else '−'}{num(abs(r['delta']))}分)。")
    flips = both[both["possible"].isna() & both["kind"].isin(["indicator", "task"])]
    good = {Outcome.MET.value, Outcome.DONE.value}
    newly = flips[flips["outcome"].isin(good) & ~flips["outcome_prev"].isin(good) & flips["outcome_prev"].notna()
                  & (flips["outcome_prev"] != MISSING)]
    lost = flips[~flips["outcome"].isin(good) & (flips["outcome"] != MISSING) & flips["outcome_prev"].isin(good)]
    if len(newly):
        out.append(f"新达到要求:{_listing([name(r, named) for _, r in newly.iterrows()], 6)}。")
    if len(lost):
        out.append(f"由达到要求变为未达到:{_listing([name(r, named) for _, r in lost.iterrows()], 6)}。")
    return "\n".join(out)


def paragraphs(audit: pd.DataFrame, summary: pd.DataFrame, unit: str, *, out_of: float | None = None,
               rank_text: str = "", section_titles: Mapping[str, str] | None = None,
               previous_audit: pd.DataFrame | None = None,
               previous_summary: pd.DataFrame | None = None,
               measures: Mapping[str, str] | None = None, sections: pd.DataFrame | None = None,
               adjustments: pd.DataFrame | None = None, countable: set[str] | None = None,
               spec=None) -> list[tuple[str, str]]:
    """Return the narrative as ``(heading, text)`` pairs, leaving out empty parts.

    ``sections`` (the unit's top-level rollup rows, as printed) and ``adjustments`` make the
    loss and bonus figures the rolled-up ones; ``countable`` limits 优先改进 to what changes
    the total; ``spec`` lets reasons be said from their rules.
    """
    row = _unit_row(summary, unit)
    bonus_sections = None if sections is None else set(sections.loc[sections["kind"] == "bonus", "id"])
    parts = [
        ("总体结果", overall(audit, summary, unit, out_of=out_of, rank_text=rank_text)),
        ("前置条件", gates(audit)),
        ("亮点", strengths(audit, section_titles=section_titles, bonus=row["bonus"] if sections is not None else None,
                         bonus_sections=bonus_sections)),
        ("失分与未达标", losses(audit, section_titles=section_titles, sections=sections, adjustments=adjustments,
                            spec=spec)),
        ("优先改进", priorities(audit, measures=measures, countable=countable)),
        ("数据缺失", missing(audit)),
    ]
    if previous_audit is not None and previous_summary is not None:
        parts.append(("与上年比较", change(audit, previous_audit, summary, previous_summary, unit)))
    return [(h, t) for h, t in parts if t]
