"""Report narrative: pure functions of the audit trail and summary that return Chinese text.

Each function takes one unit's audit rows (``Result.unit_audit(unit)``, columns
``engine.AUDIT_COLUMNS``) and/or the cohort summary (``rollup.SUMMARY_COLUMNS``) and
returns plain text (no HTML; the report escapes it). An empty string means "nothing to
say". Numbers are written with ``fmt`` (no trailing zeros, at most two decimals).
Lines with points, compliance indicators, task-book rows and gates are each described
in their own terms, so one function serves every document family.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ecoscore import words
from ecoscore.rules.base import Outcome, fmt
from ecoscore.scoring.rollup import signed

MISSING = Outcome.MISSING.value
_DONE = {Outcome.DONE.value, Outcome.FULL.value}
_NOT_MET = {Outcome.NOT_MET.value}
_NOT_DONE = {Outcome.NOT_DONE.value, Outcome.PARTIAL.value, Outcome.ZERO.value}


def label(row) -> str:
    """Return "<line id> <title>" for an audit row."""
    return f"{row['line_id']} {row['title']}"


def scored_rows(audit: pd.DataFrame) -> pd.DataFrame:
    """Return the rows that carry points (base, bonus, deduction and pointed task lines)."""
    return audit[audit["possible"].notna() & ~audit["kind"].isin(["indicator", "gate"])]


def lost_points(audit: pd.DataFrame) -> pd.Series:
    """Return the points each row lost: maximum − score on base and task lines, the
    deduction on deduction lines, 0 elsewhere (an unearned bonus is not a loss).
    """
    possible = audit["possible"].fillna(0.0)
    awarded = audit["awarded"].fillna(0.0)
    lost = np.where(audit["kind"].isin(["base", "task"]), possible - awarded,
                    np.where(audit["kind"] == "deduction", -awarded, 0.0))
    return pd.Series(np.clip(lost, 0.0, None), index=audit.index, name="lost")


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
        extras = [f"加分{fmt(row['bonus'])}分" if row["bonus"] else "",
                  f"扣分{fmt(-row['deduction'])}分" if row["deduction"] else "",
                  f"总分调整{signed(row['adjustment'])}分" if abs(row["adjustment"]) > 1e-9 else ""]
        extras = "、".join(x for x in extras if x)
        inner = ";".join(x for x in (f"满分{fmt(out_of)}分" if out_of else "", f"含{extras}" if extras else "") if x)
        bits.append(f"{unit}考核总分{fmt(row['total'])}分" + (f"({inner})" if inner else ""))
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
        bits.append(row["verdict"] if bits else f"{unit}{row['verdict']}")
    elif row["grade"] and not bits:
        bits.append(f"{unit}等次为{row['grade']}")
    text = ",".join(bits) + "。" if bits else ""
    return text + (f"{rank_text}。" if rank_text else "")


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
    """Return what went well: full-mark lines (largest first), full-mark sections, bonus
    points earned, no deductions, indicators met and tasks done.

    ``bonus`` is the unit's bonus as rolled up (after the bonus sections' caps) and
    ``bonus_sections`` the top-level bonus sections; a bonus inside a capped base section
    counts in that section's score, not here.
    """
    out = []
    pts = scored_rows(audit)
    base = pts[pts["kind"].isin(["base", "task"]) & (pts["possible"] > 0)]
    if len(base):
        full = base[base["awarded"] >= base["possible"] - 1e-9]
        if len(full):
            top = full.sort_values("possible", ascending=False, kind="stable").head(limit)
            names = "、".join(f"{label(r)}({fmt(r['possible'])}分)" for _, r in top.iterrows())
            word = "分值较大的有" if len(full) > limit else "为"
            out.append(f"满分项目{len(full)}项,合计{fmt(full['possible'].sum())}分,{word}:{names}。")
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
        items = "、".join(f"{label(r)}{fmt(r['awarded'])}分" for _, r in earned.iterrows())
        figure = earned["awarded"].sum() if bonus is None else bonus
        capped = "" if abs(figure - earned["awarded"].sum()) < 1e-9 else f",各项合计{fmt(earned['awarded'].sum())}分,按上限计"
        out.append(f"获得加分{fmt(figure)}分({items}{capped})。")
    ded = pts[pts["kind"] == "deduction"]
    if len(ded) and not (ded["awarded"] < 0).any():
        out.append("未发生扣分情形。")
    for kind, word, ok in (("indicator", "达标指标", {Outcome.MET.value}), ("task", "已完成任务", _DONE)):
        rows = audit[(audit["kind"] == kind) & audit["possible"].isna() & audit["outcome"].isin(ok)]
        if len(rows):
            out.append(f"{word}{len(rows)}项:{_listing([label(r) for _, r in rows.iterrows()], 6)}。")
    return "".join(out)


def losses(audit: pd.DataFrame, *, limit: int = 5, section_titles: Mapping[str, str] | None = None,
           sections: pd.DataFrame | None = None, adjustments: pd.DataFrame | None = None) -> str:
    """Return where points were lost and why (largest first, with the figures), the
    indicators not met and the tasks not done.

    ``sections`` are the unit's top-level rollup rows (``id``, ``kind``, ``possible``,
    ``awarded``): the points lost in a base section are its maximum minus its score after
    adjustments, and deductions are the deduction sections' scores, so the figures here
    are the report's own. ``adjustments`` (caps and floors) are listed after the lines.
    """
    out = []
    pts = scored_rows(audit)
    has_base = bool(pts["kind"].isin(["base", "task"]).any())
    if len(pts):
        lost = lost_points(pts)
        titles = section_titles or {}
        if sections is None:  # no rollup given: the lines' own losses
            only_deductions = pts.groupby("section", sort=False)["kind"].agg(lambda k: set(k) == {"deduction"})
            sec_lost = [(s, "deduction" if only_deductions[s] else "base", float(v))
                        for s, v in lost.groupby(pts["section"], sort=False).sum().items()]
        else:
            sec_lost = [(r["id"], r["kind"], float(r["possible"] - r["awarded"] if r["kind"] != "deduction"
                                                   else -r["awarded"]))
                        for _, r in sections.iterrows() if r["kind"] in ("base", "deduction")]
        base_lost = sum(v for _, k, v in sec_lost if k == "base")
        deducted = sum(v for _, k, v in sec_lost if k == "deduction")
        if base_lost > 1e-9 or deducted > 1e-9:
            parts = [f"{titles.get(s, s)}{'扣' if k == 'deduction' else '失'}{fmt(v)}分" for s, k, v in sec_lost
                     if v > 1e-9]
            text = f"共失分{fmt(base_lost)}分" if base_lost > 1e-9 else "未失分"
            if deducted > 1e-9:
                text += f",扣分项共扣{fmt(deducted)}分"
            text += f",其中{'、'.join(parts)}" if len(parts) > 1 else ""
            top = pts.assign(lost=lost)[lost > 1e-9].sort_values("lost", ascending=False, kind="stable")
            items = [f"{label(r)}{'扣' if r['kind'] == 'deduction' else '失'}{fmt(r['lost'])}分({r['reason']})"
                     for _, r in top.head(limit).iterrows()]
            head = "失分较多的项目" if len(top) > limit else "失分项目"
            out.append(f"{text}。{head}:" + ";".join(items) + "。")
            if adjustments is not None and len(adjustments):
                adj = adjustments[adjustments["level"] == "group"]
                if len(adj):
                    out.append("按文件规定调整:" + ";".join(adj["reason"]) + "。")
        elif has_base:
            out.append("各计分项目均未失分。")
    ind = audit[(audit["kind"] == "indicator") & audit["outcome"].isin(_NOT_MET)]
    if len(ind):
        ind = ind.assign(binding=(ind["attribute"] == "约束性").astype(int))
        ind = ind.sort_values("binding", ascending=False, kind="stable")
        shown = min(len(ind), 2 * limit)
        items = [f"{label(r)}" + (f"({r['attribute']})" if r["attribute"] else "") + f",{r['reason']}"
                 for _, r in ind.head(shown).iterrows()]
        rest = ind.iloc[shown:]
        rest_binding = int(rest["binding"].sum())
        kinds = (f"其中约束性指标{rest_binding}项" if rest_binding else "均为参考性指标")
        more = f";另有{len(rest)}项未达标({kinds}),见逐项表" if len(rest) else ""
        out.append(f"未达标指标{len(ind)}项:" + ";".join(items) + more + "。")
    tasks = audit[(audit["kind"] == "task") & audit["possible"].isna() & audit["outcome"].isin(_NOT_DONE)]
    if len(tasks):
        tasks = tasks.sort_values("value", kind="stable", na_position="last")
        items = [f"{label(r)},{r['reason']}" for _, r in tasks.head(limit).iterrows()]
        head = f"未完成任务{len(tasks)}项" + (f",完成比例最低的{limit}项" if len(tasks) > limit else "")
        out.append(f"{head}:" + ";".join(items) + "。")
    return "".join(out)


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
    """Return what to improve first: the lines with the most recoverable points, the
    nearest target, then the binding indicators not met (nearest first) and the tasks
    closest to completion. Lines lacking data are left to ``missing``. Gaps are written in
    each row's ``gap_unit`` (``measures``, line id → unit, only for rows without one).
    ``countable`` limits the point lines to the sections that can change the unit's total
    (None: all).
    """
    items = []
    pts = scored_rows(audit)
    if countable is not None:
        pts = pts[pts["section"].isin(countable)]
    pts = pts.assign(lost=lost_points(pts))
    cand = pts[(pts["lost"] > 1e-9) & (pts["outcome"] != MISSING)]
    cand = cand.assign(rel=[_relative_gap(r) for _, r in cand.iterrows()])
    cand = cand.sort_values(["lost", "rel"], ascending=[False, True], kind="stable")
    for _, r in cand.head(limit).iterrows():
        if r["kind"] == "deduction":
            items.append(f"{label(r)}:被扣{fmt(r['lost'])}分,应防止同类情形再次发生")
        else:
            gap = row_gap(r, measures)
            gap = f",距目标差{gap}" if gap else ""
            items.append(f"{label(r)}:可挽回{fmt(r['lost'])}分{gap}")
    near = cand[np.isfinite(cand["rel"]) & (cand["gap"] > 0)].sort_values("rel", kind="stable") if len(cand) else cand
    tail = ""
    if len(near):
        r = near.iloc[0]
        tail = f"其中距目标最近的是{label(r)}(差距{row_gap(r, measures)},为目标值的{fmt(r['rel'] * 100)}%)。"
    ind = audit[(audit["kind"] == "indicator") & (audit["outcome"] == Outcome.NOT_MET.value)]
    if len(ind):
        ind = ind.assign(rel=[_relative_gap(r) for _, r in ind.iterrows()],
                         binding=(ind["attribute"] == "约束性").astype(int))
        ind = ind.sort_values(["binding", "rel"], ascending=[False, True], kind="stable")
        for _, r in ind.head(limit).iterrows():
            gap = row_gap(r, measures)
            if gap:
                gap = f",差距{gap}" + (f",为目标值的{fmt(r['rel'] * 100)}%" if np.isfinite(r["rel"]) else "")
            attr = f"({r['attribute']})" if r["attribute"] else ""
            items.append(f"{label(r)}{attr}{gap}")
    tasks = audit[(audit["kind"] == "task") & audit["possible"].isna() & audit["outcome"].isin(_NOT_DONE)]
    if len(tasks):
        tasks = tasks.sort_values("value", ascending=False, kind="stable")
        for _, r in tasks.head(limit).iterrows():
            done = f",已完成{fmt(r['value'])}%" if r["value"] == r["value"] else ""
            items.append(f"{label(r)}{done}")
    if not items:
        return ""
    numbered = ";".join(f"({k}){t}" for k, t in enumerate(items, 1))
    return f"建议优先改进:{numbered}。{tail}"


def missing(audit: pd.DataFrame, *, limit: int = 8) -> str:
    """Return which lines lack data and what that does to the result."""
    m = audit[audit["outcome"] == MISSING]
    if m.empty:
        return ""
    names = _listing([label(r) for _, r in m.iterrows()], limit)
    scored, judged = m["possible"].notna().any(), m["possible"].isna().any()
    if scored and judged:
        effect = "计分项目暂按0分计,其余项目暂无法判定"
    elif scored:
        effect = "这些项目暂按0分计"
    else:
        effect = "这些项目暂无法判定是否达到要求"
    return f"有{len(m)}项缺少数据:{names}。{effect},补齐数据后请重新评分。"


def change(audit: pd.DataFrame, previous_audit: pd.DataFrame, summary: pd.DataFrame,
           previous_summary: pd.DataFrame, unit: str, *, limit: int = 3) -> str:  # noqa: C901
    """Return the change against last year: total and rank, or indicators met, and the
    lines that changed most.
    """
    now, before = _unit_row(summary, unit), _unit_row(previous_summary, unit)
    bits = []
    if now["total"] == now["total"] and before["total"] == before["total"]:
        d = now["total"] - before["total"]
        if abs(d) < 1e-9:
            bits.append(f"与上年相比,总分持平({fmt(now['total'])}分)")
        else:
            word = "提高" if d > 0 else "下降"
            bits.append(f"与上年相比,总分由{fmt(before['total'])}分变为{fmt(now['total'])}分,{word}{fmt(abs(d))}分")
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
    text = ",".join(bits) + "。" if bits else ""
    both = audit.merge(previous_audit[["line_id", "awarded", "outcome"]], on="line_id", suffixes=("", "_prev"))
    pts = both[both["possible"].notna() & (both["kind"] != "gate")]
    delta = (pts["awarded"].fillna(0) - pts["awarded_prev"].fillna(0))
    pts = pts.assign(delta=delta, size=delta.abs())[delta.abs() > 1e-9]
    if len(pts):
        top = pts.sort_values("size", ascending=False, kind="stable").head(limit)
        items = [f"{label(r)}由{fmt(r['awarded_prev'])}分变为{fmt(r['awarded'])}分"
                 f"({'+' if r['delta'] > 0 else '−'}{fmt(abs(r['delta']))}分)" for _, r in top.iterrows()]
        text += "变化较大的项目:" + ";".join(items) + "。"
    flips = both[both["possible"].isna() & both["kind"].isin(["indicator", "task"])]
    good = {Outcome.MET.value, Outcome.DONE.value}
    newly = flips[flips["outcome"].isin(good) & ~flips["outcome_prev"].isin(good) & (flips["outcome_prev"] != MISSING)]
    lost = flips[~flips["outcome"].isin(good) & (flips["outcome"] != MISSING) & flips["outcome_prev"].isin(good)]
    if len(newly):
        text += f"新达到要求:{_listing([label(r) for _, r in newly.iterrows()], 6)}。"
    if len(lost):
        text += f"由达到要求变为未达到:{_listing([label(r) for _, r in lost.iterrows()], 6)}。"
    return text


def paragraphs(audit: pd.DataFrame, summary: pd.DataFrame, unit: str, *, out_of: float | None = None,
               rank_text: str = "", section_titles: Mapping[str, str] | None = None,
               previous_audit: pd.DataFrame | None = None,
               previous_summary: pd.DataFrame | None = None,
               measures: Mapping[str, str] | None = None, sections: pd.DataFrame | None = None,
               adjustments: pd.DataFrame | None = None, countable: set[str] | None = None) -> list[tuple[str, str]]:
    """Return the narrative as ``(heading, text)`` pairs, leaving out empty parts.

    ``sections`` (the unit's top-level rollup rows) and ``adjustments`` make the loss and
    bonus figures the rolled-up ones; ``countable`` limits 优先改进 to what changes the total.
    """
    row = _unit_row(summary, unit)
    bonus_sections = None if sections is None else set(sections.loc[sections["kind"] == "bonus", "id"])
    parts = [
        ("总体结果", overall(audit, summary, unit, out_of=out_of, rank_text=rank_text)),
        ("前置条件", gates(audit)),
        ("亮点", strengths(audit, section_titles=section_titles, bonus=row["bonus"] if sections is not None else None,
                         bonus_sections=bonus_sections)),
        ("失分与未达标", losses(audit, section_titles=section_titles, sections=sections, adjustments=adjustments)),
        ("优先改进", priorities(audit, measures=measures, countable=countable)),
        ("数据缺失", missing(audit)),
    ]
    if previous_audit is not None and previous_summary is not None:
        parts.append(("与上年比较", change(audit, previous_audit, summary, previous_summary, unit)))
    return [(h, t) for h, t in parts if t]
