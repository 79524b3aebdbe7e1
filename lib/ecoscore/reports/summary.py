"""The one-page summary a leader reads first: the result, what went wrong, who acts next.

It leads every report (``Report.summary``) and prints on one A4 page: a veto or failed gate
first, in words; the total, grade or verdict and rank with their change from last year; the
gap to the next grade (or to full compliance) and which losses close it; the three biggest
losses with their lead departments; the points lost per lead department; and two or three
next actions. Every figure is one the detailed tables below show (same rounding, ``fmt``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ecoscore import words
from ecoscore.reports import blocks, departments
from ecoscore.reports.narrative import lost_points, scored_rows
from ecoscore.rules.base import Outcome, fmt

#: How many losses and actions the page lists.
TOP = 3


@dataclass
class Loss:
    """One line the unit lost on: its title, points lost (or the gap), lead, and the line."""

    row: pd.Series
    lost: float
    lead: str

    title: str = ""


def losses(rep) -> list[Loss]:
    """Return the unit's losses, biggest first: point lines by points lost; indicators and
    tasks without points (threshold documents) not met, binding ones first.
    """
    a = rep.audit
    pts = scored_rows(a)
    out = []
    if len(pts):
        lost = lost_points(pts)
        pts = pts.assign(lost=lost)  # (assigning to an empty selection would make rows of NaN)
        for _, r in pts[pts["lost"] > 1e-9].sort_values("lost", ascending=False, kind="stable").iterrows():
            out.append(Loss(r, float(r["lost"]), _lead(r), str(r["title"])))
    rest = a[a["possible"].isna() & a["kind"].isin(["indicator", "task"]) & a["outcome"].isin(
        [Outcome.NOT_MET.value, "not_done", "partial"])]
    if len(rest):
        rest = rest.assign(binding=(rest["attribute"] == "约束性").astype(int))
        for _, r in rest.sort_values("binding", ascending=False, kind="stable").iterrows():
            out.append(Loss(r, 0.0, _lead(r), str(r["title"])))
    for x, t in zip(out, titles(out)):
        x.title = t
    return out


def _lead(row) -> str:
    lead = row.get("lead")
    return str(lead).strip() if isinstance(lead, str) and lead.strip() not in ("", "/", "—") else ""


def headline(rep) -> list[str]:
    """Return the result in one or two sentences, with the change from last year."""
    r, spec = rep.row, rep.spec
    bits = []
    if rep.scored:
        out_of = f"(满分{fmt(spec.total)})" if spec.total else ""
        bits.append(f"总分{fmt(r['total'])}分{out_of}")
    if r["grade"]:
        bits.append(f"等次为{r['grade']}")
    rank = words.rank(r, spec)
    if rank:
        bits.append(f"位次{rank}")
    if r["binding"]:
        bits.append(f"约束性指标达标{r['binding_met']}/{r['binding']}项")
    if r["indicators"]:
        bits.append(f"全部指标达标{r['indicators_met']}/{r['indicators']}项")
    if r["tasks"]:
        bits.append(f"重点任务完成{r['tasks_done']}/{r['tasks']}项")
    if r["verdict"] and not rep.scored:  # the verdict states the counts that decide it
        out = [f"结论:{r['verdict']}。".replace("。。", "。")]
    else:
        out = [",".join(bits) + "。"] if bits else []
    change = _change(rep)
    if change:
        out.append(change)
    return out


def _change(rep) -> str:
    """Return the change from last year (same rules, last year's facts), or ""."""
    prev = rep.previous
    if prev is None or rep.unit not in set(prev.summary["unit"]):
        return ""
    p, r, spec = prev.unit_summary(rep.unit), rep.row, rep.spec
    bits = []
    if rep.scored and p["total"] == p["total"]:
        d = round(float(r["total"]), 2) - round(float(p["total"]), 2)
        bits.append(f"总分{'持平' if abs(d) < 0.005 else ('提高' if d > 0 else '下降') + fmt(abs(d)) + '分'}"
                    f"(上年{fmt(p['total'])}分)")
    if p["grade"] and r["grade"] and p["grade"] != r["grade"]:
        bits.append(f"等次由{p['grade']}变为{r['grade']}")
    if words.rank(p, spec) and words.rank(r, spec):
        d = int(p["rank"]) - int(r["rank"])
        bits.append("位次不变" if d == 0 else f"位次{'上升' if d > 0 else '下降'}{abs(d)}位(上年{words.rank(p, spec)})")
    if r["binding"] and p["binding"]:
        d = int(r["binding_met"]) - int(p["binding_met"])
        if d:
            bits.append(f"约束性指标达标{'增加' if d > 0 else '减少'}{abs(d)}项")
    return ("与上年相比:" + ",".join(bits) + "。") if bits else ""


def next_step(rep, items: list[Loss]) -> str:
    """Return the gap to the next grade (points documents with grades), to the unit ranked
    above (ranked documents without grades) or to full compliance, and what closes it.
    """
    r, spec = rep.row, rep.spec
    if r["vetoed"]:
        return "触发合格否决,分数再高也不能改变考核结果;须先消除否决情形。"
    names = [b.grade for b in spec.grades]
    if rep.scored and r["grade"] in names:
        k = names.index(r["grade"])
        if k == 0:
            return f"已达到最高等次「{r['grade']}」。"
        band = spec.grades[k - 1]
        gap = float(band.min) - float(r["total"])
        return f"距「{band.grade}」(≥{fmt(band.min)}分)还差{fmt(gap)}分。" + _closing(items, gap)
    if rep.scored and words.rank(r, spec) and int(r["rank"]) > 1:
        peers = rep.peers()
        above = peers[peers["rank"] == int(r["rank"]) - 1]
        if len(above):
            gap = float(above["total"].iloc[0]) - float(r["total"])
            return (f"比上一位次的{above['unit'].iloc[0]}少{fmt(gap)}分。" + _closing(items, gap)) if gap > 0 else ""
    if r["binding"] and r["binding_met"] < r["binding"]:
        n = int(r["binding"]) - int(r["binding_met"])
        return f"距约束性指标全部达标还差{n}项(见下方失分与差距)。"
    if r["tasks"] and r["tasks_done"] < r["tasks"]:
        return f"还有{int(r['tasks']) - int(r['tasks_done'])}项重点任务未完成。"
    return ""


def _closing(items: list[Loss], gap: float) -> str:
    """Return which losses, recovered in full, would close ``gap`` points (biggest first)."""
    pts = [x for x in items if x.lost > 0 and x.row["kind"] != "deduction"]
    if not pts or gap <= 0:
        return ""
    if pts[0].lost >= gap:
        return f"仅「{pts[0].title}」一项就失分{fmt(pts[0].lost)}分,补回其中{fmt(gap)}分即可。"
    total, chosen = 0.0, []
    for x in pts:
        chosen.append(x)
        total += x.lost
        if total >= gap:
            names = "」「".join(c.title for c in chosen)
            return f"失分最多的「{names}」{len(chosen)}项合计失分{fmt(total)}分,补回即可达到。"
        if len(chosen) == TOP + 2:
            break
    return f"失分最多的{len(chosen)}项合计只有{fmt(total)}分,须多项同时改进。"


#: departments named one by one in 各牵头单位失分 (the rest are summed in one entry)
MOST_DEPARTMENTS = 6


def by_department(items: list[Loss]) -> list[tuple[str, float, int]]:
    """Return (lead department, points lost, items) for the point losses, biggest first;
    losses whose line names no lead are grouped under "未列牵头单位".
    """
    agg: dict[str, list] = {}
    for x in items:
        if x.lost > 0:
            a = agg.setdefault(x.lead or "未列牵头单位", [0.0, 0])
            a[0] += x.lost
            a[1] += 1
    return sorted(((k, v[0], v[1]) for k, v in agg.items()), key=lambda t: (-t[1], -t[2]))


def parts(values: list[float], total: float, digits: int = 2) -> list[float]:
    """Return ``values`` rounded so that they add up to ``total`` rounded (largest remainder):
    the figures a reader adds up on the page give the figure printed beside them.
    """
    scale = 10 ** digits
    want = round(total * scale)
    floors = [int(v * scale // 1) for v in values]
    rest = want - sum(floors)
    order = sorted(range(len(values)), key=lambda k: -(values[k] * scale - floors[k]))
    for k in order[:max(rest, 0)]:
        floors[k] += 1
    return [f / scale for f in floors]


def reconciliation(rep, items: list[Loss]) -> tuple[str, list[str]]:
    """Return how the total follows from the losses ("958.75 = 1000 − 53.05 + 11.8") and the
    points lost per lead department, rounded so that they add up to the loss shown.
    """
    r = rep.row
    if not rep.scored or not rep.spec.total:
        return "", []
    lost = sum(x.lost for x in items if x.lost > 0)
    a = rep.audit
    bonus = float(a.loc[a["kind"] == "bonus", "awarded"].fillna(0).sum())
    total, possible = round(float(r["total"]), 2), float(rep.spec.total)
    adj = round(total - (possible - round(lost, 2) + round(bonus, 2)), 2)
    bits = [f"总分{fmt(total)}分 = 满分{fmt(possible)}分 − 各项失分{fmt(round(lost, 2))}分"]
    if bonus:
        bits.append(f" + 加分{fmt(round(bonus, 2))}分")
    if abs(adj) >= 0.005:
        bits.append(f" {'+' if adj > 0 else '−'} 封顶、保底等调整{fmt(abs(adj))}分")
    depts = by_department(items)
    if len(depts) > MOST_DEPARTMENTS:  # the rest in one entry: a line a leader reads at a glance
        rest = depts[MOST_DEPARTMENTS - 1:]
        depts = depts[:MOST_DEPARTMENTS - 1] + [(f"其余{len(rest)}个牵头单位", sum(v for _, v, _ in rest),
                                                 sum(n for _, _, n in rest))]
    shown = parts([v for _, v, _ in depts], round(lost, 2))
    lines = [f"{d} {fmt(v)}分({n}项)" for (d, _, n), v in zip(depts, shown)]
    return "".join(bits) + "。", lines


def actions(rep, items: list[Loss]) -> list[str]:
    """Return two or three next actions: the biggest losses, each with who leads it and, for
    a point line, why it lost (the scoring reason, first clauses).
    """
    out = []
    for x in items[:TOP]:
        line = rep.spec.line(x.row["line_id"])
        who = x.lead or rep.name
        if x.row["kind"] == "deduction":
            what = f"本项扣{fmt(x.lost)}分,应防止同类情形再次发生。"
        elif x.lost > 0:
            what = f"本项失{fmt(x.lost)}分:{_short(x.row['reason'])}"
        else:
            what = departments.action(x.row, line, x.lead) if x.lead else ""
        out.append(f"{who}:{x.title}——{what or '按评分规则补足。'}")
    return out


def _short(text: str, limit: int = 70) -> str:
    """Return the first clauses of a reason, cut at punctuation within ``limit`` characters;
    a closing remark in brackets (the unit's own words, shown beside the line) is left out.
    """
    text = _without_remark(str(text or "").strip())
    if len(text) <= limit:
        return text.rstrip("。") + "。"
    cut = max(text.rfind(p, 0, limit) for p in ",;,;。")
    return (text[:cut] if cut > 10 else text[:limit]) + "……"


def _without_remark(text: str) -> str:
    """Return ``text`` without a bracketed remark that ends it ("…,得4.8分(受项目审批……影响)")."""
    if not text.endswith((")", "）")):
        return text
    depth = 0
    for k in range(len(text) - 1, -1, -1):
        depth += text[k] in ")）"
        depth -= text[k] in "(（"
        if depth == 0:
            return text[:k].rstrip() if k > 0 else text
    return text


def titles(items: list[Loss]) -> list[str]:
    """Return a distinguishable title per loss: a title several lines share (four lishui
    tasks are all "牵头……工作") gets the first words of its own clause.
    """
    count: dict[str, int] = {}
    for x in items:
        count[x.title] = count.get(x.title, 0) + 1
    out = []
    for x in items:
        clause = str(x.row.get("clause") or "").strip().rstrip("。")
        if count[x.title] > 1 and clause:
            out.append(f"{x.title}:{clause[:18]}" + ("…" if len(clause) > 18 else ""))
        else:
            out.append(x.title)
    return out


def html(rep) -> blocks.HTMLBlock:
    """Return the one-page summary of a report (a ``<section class="summary">``)."""
    items = losses(rep)
    out = []
    r = rep.row
    if rep.sample:
        out.append('<div class="eco-banner">示例数据,非官方数据</div>')
    if rep.scenario:
        out.append(f'<div class="eco-banner" data-scenario>{blocks.esc(rep.scenario)}</div>')
    if r["gates"]:
        out.append(f'<div class="eco-warn">{blocks.esc(r["gates"])}。</div>')
    for s in headline(rep):
        out.append(f"<p>{blocks.esc(s)}</p>")
    nxt = next_step(rep, items)
    if nxt:
        out.append(f'<div class="eco-info"><b>下一步目标:</b>{blocks.esc(nxt)}</div>')
    if items:
        top = items[:TOP]
        out.append("<h3>失分最多的三项</h3>" if any(x.lost for x in top) else "<h3>未达标(未完成)的主要项目</h3>")
        out.append("<ol>" + "".join(
            f"<li>{blocks.esc(x.title)}:<b>{blocks.esc(f'失{fmt(x.lost)}分' if x.lost else _gap_or_state(x.row))}"
            f"</b>,牵头单位:{blocks.esc(x.lead or '文件未列明')}</li>" for x in top) + "</ol>")
    sums, depts = reconciliation(rep, items)
    if len(depts) > 1:
        out.append(f"<p><b>各牵头单位失分:</b>{blocks.esc(';'.join(depts))}。</p>")
    if sums:
        out.append(f'<p class="eco-note">{blocks.esc(sums)}</p>')
    acts = actions(rep, items)
    if acts:
        out.append("<h3>建议下一步</h3><ol>" + "".join(f"<li>{blocks.esc(a)}</li>" for a in acts) + "</ol>")
    if not items:
        out.append("<p>各项均已达标或得满分。</p>")
    title = f"{rep.name} {rep.year}年度考核结果摘要"
    body = f'<section class="summary"><h2>{blocks.esc(title)}</h2>{"".join(out)}</section>'
    return blocks.HTMLBlock(body)


def _gap_or_state(row) -> str:
    gap = row["gap"]
    if gap == gap and gap is not None and gap > 0:
        return "差距" + words.gap(gap, row.get("gap_unit", ""))
    code = row["outcome"]
    return words.status(code, row["kind"]) if isinstance(code, str) and code else "未达标"
