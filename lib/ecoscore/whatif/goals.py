"""Goal seeking: which facts a unit would have to change, and how far, to reach a goal.

A **lever** is one fact the unit can act on this year (not last year's figure, not a target)
on a line where it lost points or missed the mark. Each lever's line is scored for many
candidate values at once (the unit's row repeated; a line that ranks units is rescored with
the whole cohort), within the fact's domain (rates ≤ 100, whole counts), moving only in the
direction the rule calls better.

``seek`` finds the fewest changes that reach a goal — the next grade, a total, a rank, or
every binding indicator met — largest gains first, the last one only as far as needed; the
answer is verified by rescoring the cohort with every change (caps, floors, policies and
ranks included). ``levers`` lists every lever with its points per unit of improvement.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecoscore.rules.base import Outcome, fmt
from ecoscore.scoring.engine import _categories, _Rows, score_line, score_lines
from ecoscore.whatif.session import Fact, WhatIf, shown

#: candidate values tried on a line at once (before the answer is refined by bisection)
GRID = 81
#: fewer on a line that ranks units (each candidate rescores the cohort's line)
COHORT_GRID = 17
_MET = {Outcome.MET.value, Outcome.FULL.value, Outcome.DONE.value}
_CODES = [o.value for o in Outcome]


@dataclass
class Lever:
    """One fact a unit can change, and what moving it would earn on its line."""

    unit: str
    fact: Fact
    current: float | bool | str | None
    best: object  # the value that earns most (the nearest such value)
    gain: float  # points gained on the line at ``best`` (1.0 for "met" on a line without points)
    per_step: float  # points gained by one step of improvement (1 unit, 1 percentage point)
    _curve: object = field(repr=False, default=None)

    @property
    def line(self):
        return self.fact.line

    def value_for(self, need: float):
        """Return the smallest change of the fact that gains at least ``need`` points (None if none does)."""
        return self._curve(need)


def _unit_row(table: pd.DataFrame | None, unit: str, keys: list[str]) -> pd.DataFrame:
    if table is not None and unit in table.index:
        return table.loc[[unit]]
    return pd.DataFrame([[None] * len(keys)], index=[unit], columns=keys, dtype=object)


def line_points(w: WhatIf, unit: str, fact: Fact, values: list) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(points, met)`` of ``unit`` on the fact's line for each candidate value of the fact."""
    line = fact.line
    table = w.changed_table()
    if line.rule.cohort:  # compares units (ranks, shared tasks): rescore the cohort
        pts, met = [], []
        t = table.copy()
        t[fact.key] = t[fact.key].astype(object) if fact.key in t.columns else None
        for v in values:
            t.at[unit, fact.key] = v
            part = score_lines(w.spec, t, w.previous, w.names, [line], explain=False)[line.id]
            k = list(part["unit"]).index(unit)
            pts.append(part["awarded"][k])
            met.append(_CODES[part["outcome"][k]] in _MET)
        return np.asarray(pts, dtype=float), np.asarray(met)
    keys = list(dict.fromkeys(k for k, _ in line.fact_keys()))
    row = _unit_row(table, unit, keys).reindex(columns=keys)
    n = len(values)
    frame = pd.DataFrame(np.repeat(row.to_numpy(dtype=object), n, axis=0), columns=row.columns,
                         index=[f"{unit}#{i}" for i in range(n)])
    frame[fact.key] = pd.Series(list(values), index=frame.index, dtype=object)
    names = list(frame.index)
    prev = None
    if w.previous is not None and unit in w.previous.index:
        last = w.previous.loc[[unit]].reindex(columns=keys)
        prev = pd.DataFrame(np.repeat(last.to_numpy(dtype=object), n, axis=0), columns=keys, index=names)
    cats = {d: np.repeat(a, n) for d, a in _categories(w.spec, [unit], table).items()}
    part = score_line(line, names, _Rows(frame, names), _Rows(prev, names), None, cats, explain=False)
    met = np.array([_CODES[c] in _MET for c in part["outcome"]])
    return np.asarray(part["awarded"], dtype=float), met


def _candidates(fact: Fact, v, target) -> list:
    """Return candidate values from the current one towards better."""
    f, d = fact.spec, fact.domain
    if f.kind == "bool":
        return [f.better == "up"]
    if f.kind == "choice":
        order = list(f.choices) if f.better == "up" else list(reversed(f.choices))
        return order[: order.index(v)] if v in order else order
    up = f.better == "up"
    far = d.high if up else d.low
    if far is None:
        scale = max(abs(v), abs(target) if target is not None and np.isfinite(target) else 0.0, 10.0)
        far = v + 2 * scale if up else v - 2 * scale
    if (far - v) * (1 if up else -1) <= 0:
        return []
    grid = np.linspace(v, far, COHORT_GRID if fact.line.rule.cohort else GRID)[1:]
    if target is not None and np.isfinite(target) and min(v, far) <= target <= max(v, far):
        grid = np.append(grid, target)
    if d.whole:
        grid = np.round(grid)
    grid = np.unique(grid)
    return list(grid) if up else list(grid[::-1])


def _lever(w: WhatIf, unit: str, fact: Fact, row: dict) -> Lever | None:
    v = w.value(unit, fact.key)
    if v is None:
        return None
    target = row.get("target")
    target = float(target) if target is not None and pd.notna(target) else None
    try:
        cands = _candidates(fact, v if fact.spec.kind in ("bool", "choice") else float(v), target)
    except (TypeError, ValueError):
        return None
    if not cands:
        return None
    numeric = fact.numeric
    nxt = float(v) + (1 if fact.spec.better == "up" else -1) if numeric else None
    step = numeric and fact.domain.contains(nxt)
    every, every_met = line_points(w, unit, fact, [v, *cands, *([nxt] if step else [])])  # one scoring
    base_pts, base_met = every[:1], every_met[:1]
    pts, met = every[1:1 + len(cands)], every_met[1:1 + len(cands)]
    scored = row.get("possible") is not None and pd.notna(row.get("possible")) or row["kind"] == "deduction"
    gains = (pts - base_pts[0]) if scored else (met & ~base_met[0]).astype(float)
    if not np.any(gains > 1e-9):
        return None
    k_best = int(np.argmax(gains > np.max(gains) - 1e-9))  # the nearest value earning the most
    one = float(every[-1] - base_pts[0]) if step and scored else None

    def curve(need: float):
        ok = np.flatnonzero(gains >= need - 1e-9)
        if not len(ok):
            return None
        k = int(ok[0])
        if not numeric or k == 0:
            return cands[k]
        lo, hi = float(cands[k - 1]), float(cands[k])  # bisect between the last too-small value and the first enough
        scale = max(abs(lo), abs(hi))
        res = 1.0 if fact.domain.whole else (0.01 if scale >= 1 or scale == 0 else 10 ** (np.floor(np.log10(scale)) - 2))
        while abs(hi - lo) > res:
            mid = (lo + hi) / 2
            mid = round(mid) if fact.domain.whole else round(mid, max(2, int(-np.floor(np.log10(res)))))
            if mid in (lo, hi):
                break
            p, m = line_points(w, unit, fact, [mid])
            g = (p[0] - base_pts[0]) if scored else float(m[0] and not base_met[0])
            lo, hi = (lo, mid) if g >= need - 1e-9 else (mid, hi)
        return hi

    return Lever(unit, fact, v, cands[k_best], float(gains[k_best]), one if one is not None else float("nan"), curve)


def levers(w: WhatIf, unit: str) -> list[Lever]:
    """Return every lever of ``unit``: facts on lines where it lost points or missed the mark,
    largest possible gain first.
    """
    audit = w.result.audit
    rows = audit[audit["unit"] == unit]
    out = []
    seen = set()
    for row in rows.to_dict("records"):
        if row["outcome"] in ("full", "met", "done", "no_deduction", "not_applicable"):
            continue
        line = w.spec.line(row["line_id"])
        for key, _ in line.fact_keys():
            fact = w.facts.get(key)
            if fact is None or not fact.changeable or fact.line is None or key in seen:
                continue  # (a line of several parts has a row per part: each fact once)
            seen.add(key)
            lever = _lever(w, unit, fact, row)
            if lever is not None:
                out.append(lever)
    return sorted(out, key=lambda x: -x.gain)


@dataclass(frozen=True)
class Goal:
    """What a unit aims at: ``kind`` is ``grade``, ``total``, ``rank`` or ``compliance``."""

    kind: str
    value: object = None

    def words(self, spec) -> str:
        if self.kind == "grade":
            return f"达到「{self.value}」"
        if self.kind == "total":
            return f"总分达到{fmt(self.value)}分"
        if self.kind == "rank":
            return f"位次达到第{int(self.value)}名"
        return "约束性指标全部达标"


@dataclass
class Answer:
    """The fewest changes that reach a goal, verified by rescoring."""

    unit: str
    goal: Goal
    text: str  # the goal in words
    reached: bool  # verified
    changes: pd.DataFrame  # 编号, 考核内容, 数据项, 现值, 改为, 可得分
    before: dict
    after: dict
    note: str = ""
    levers: list = field(default_factory=list)  # every lever of the unit, largest gain first


CHANGE_COLUMNS = ["编号", "考核内容", "数据项", "现值", "改为", "得分变化"]


def next_grade(spec, row: dict) -> Goal | None:
    """Return the next better grade band of a points document (None at the top or without bands)."""
    bands = [b for b in spec.grades if b.min is not None]
    better = [b for b in bands if row["total"] is not None and b.min > float(row["total"]) + 1e-9]
    return Goal("grade", better[-1].grade) if better else None


def default_goal(w: WhatIf, unit: str) -> Goal | None:
    """Return the goal a unit's leadership asks about first: every binding indicator met on a
    threshold document, else the next grade, else the next rank up.
    """
    row = w.result.summary.set_index("unit").loc[unit].to_dict()
    if row.get("binding"):
        return Goal("compliance") if row.get("compliance") != "met" else None
    if w.spec.grades and any(b.grade == row.get("grade") for b in w.spec.grades):  # not e.g. 不定档
        g = next_grade(w.spec, row)
        if g is not None:
            return g
    if pd.notna(row.get("rank")) and row.get("rank", 1) > 1:
        return Goal("rank", int(row["rank"]) - 1)
    return None


def _threshold(w: WhatIf, unit: str, goal: Goal) -> float | None:
    s = w.result.summary
    if goal.kind == "total":
        return float(goal.value)
    if goal.kind == "grade":
        band = next((b for b in w.spec.grades if b.grade == goal.value), None)
        return float(band.min) if band is not None and band.min is not None else None
    if goal.kind == "rank":
        me = s.set_index("unit").loc[unit]
        peers = s[(s["rank_group"] == me["rank_group"]) & (s["rank"] <= int(goal.value)) & (s["unit"] != unit)]
        return float(peers["total"].min()) + 0.01 if len(peers) else None  # pass the unit now at that rank
    return None


def _reached(w: WhatIf, unit: str, goal: Goal) -> bool:
    row = w.result.summary.set_index("unit").loc[unit]
    if goal.kind == "compliance":
        return row["compliance"] == "met"
    if goal.kind == "grade":
        order = [b.grade for b in w.spec.grades]
        return row["grade"] in order and order.index(row["grade"]) <= order.index(goal.value)
    if goal.kind == "rank":
        return pd.notna(row["rank"]) and int(row["rank"]) <= int(goal.value)
    return float(row["total"]) >= float(goal.value) - 1e-9


def _headline(w: WhatIf, unit: str) -> dict:
    row = w.result.summary.set_index("unit").loc[unit]
    return {k: row.get(k) for k in ("total", "grade", "verdict", "rank", "rank_of", "compliance")}


def seek(w: WhatIf, unit: str, goal: Goal | None = None) -> Answer | None:
    """Return the fewest fact changes with which ``unit`` reaches ``goal`` (default: ``default_goal``).

    The session's own changes are the starting point and are left as they were. None when
    there is no goal left (top grade, first rank, every binding indicator met).
    """
    goal = goal or default_goal(w, unit)
    if goal is None:
        return None
    kept = dict(w.changes)
    before = _headline(w, unit)
    row = w.result.summary.set_index("unit").loc[unit]
    text = goal.words(w.spec)
    if bool(row.get("vetoed")) and goal.kind != "compliance":
        return Answer(unit, goal, text, False, pd.DataFrame(columns=CHANGE_COLUMNS), before, before,
                      "触发合格否决,分数再高也不能改变考核结果;须先消除否决情形。")
    if _reached(w, unit, goal):
        return Answer(unit, goal, text, True, pd.DataFrame(columns=CHANGE_COLUMNS), before, before, "已达到。")
    found = levers(w, unit)
    chosen: list[tuple[Lever, object]] = []
    try:
        if goal.kind == "compliance":
            chosen = _for_compliance(w, unit, found)
        else:
            chosen = _for_points(w, unit, goal, found)
        reached = _reached(w, unit, goal)
        after = _headline(w, unit)
    finally:
        w.changes.clear()
        w.changes.update(kept)
        w._rescore(list({k for _, k in kept} | {lv.fact.key for lv, _ in chosen}))
    rows = []
    for lv, value in chosen:
        pts = line_points(w, unit, lv.fact, [value, lv.current])[0]
        now, to = _apart(lv.current, value, lv.fact.spec.unit)
        rows.append({"编号": lv.line.id, "考核内容": lv.line.title, "数据项": lv.fact.label,
                     "现值": now, "改为": to, "得分变化": float(pts[0] - pts[1])})
    note = "" if reached else "仅凭本单位可改变的数据无法达到。"
    return Answer(unit, goal, text, reached, pd.DataFrame(rows, columns=CHANGE_COLUMNS), before, after, note, found)


def _apart(a, b, unit: str) -> tuple[str, str]:
    """Return two values of a fact as printed, with as many decimals (up to 6) as tell them apart
    (an energy intensity of 0.413 that must come down to 0.4119 is not "0.41 → 0.41").
    """
    x, y = shown(a, unit), shown(b, unit)
    if x != y or not all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in (a, b)):
        return x, y
    for d in range(3, 7):  # as many decimals as the value to reach has (0.4119, not 0.412)
        x, y = (f"{float(v):.{d}f}".rstrip("0").rstrip(".") + unit for v in (a, b))
        if x != y and abs(round(float(b), d) - float(b)) < 1e-9:
            break
    return x, y


def _apply(w: WhatIf, unit: str, chosen: list[tuple[Lever, object]]) -> None:
    w.update({(unit, lv.fact.key): v for lv, v in chosen})


def _for_points(w: WhatIf, unit: str, goal: Goal, found: list[Lever]) -> list[tuple[Lever, object]]:
    """Largest gains first until the goal is reached; the last change only as far as needed.

    Gains are added on paper and the cohort is rescored only once they reach the goal (caps,
    floors and policies may take some back: then the next lever is added, and so on).
    """
    want = _threshold(w, unit, goal)
    if want is None:
        return []
    need = want - float(w.result.summary.set_index("unit").loc[unit]["total"])
    chosen: list[tuple[Lever, object]] = []
    paper = 0.0
    for lv in found:
        rest = need - paper
        if lv.gain < rest - 1e-9:
            chosen.append((lv, lv.best))
            paper += lv.gain
            continue
        value = lv.value_for(rest)
        chosen.append((lv, value if value is not None else lv.best))
        _apply(w, unit, chosen)
        if _reached(w, unit, goal):
            return chosen
        chosen[-1] = (lv, lv.best)  # enough on paper but not after caps: take it all the way
        _apply(w, unit, chosen)
        if _reached(w, unit, goal):
            return chosen
        paper += lv.gain
    _apply(w, unit, chosen)
    return chosen


def _for_compliance(w: WhatIf, unit: str, found: list[Lever]) -> list[tuple[Lever, object]]:
    """Each binding indicator not met: its smallest single change that meets it."""
    audit = w.result.audit
    rows = audit[(audit["unit"] == unit) & (audit["kind"] == "indicator") & (audit["attribute"] == "约束性")
                 & (audit["outcome"] == Outcome.NOT_MET.value)]
    chosen = []
    for line_id in rows["line_id"]:
        options = [lv for lv in found if lv.line.id == line_id]
        picks = [(lv, lv.value_for(1.0)) for lv in options]
        picks = [(lv, v) for lv, v in picks if v is not None]
        if picks:  # the smallest relative move
            def effort(p):
                lv, v = p
                if not lv.fact.numeric:
                    return 1.0
                span = abs(float(lv.best) - float(lv.current)) or 1.0
                return abs(float(v) - float(lv.current)) / span
            chosen.append(min(picks, key=effort))
        elif options:  # parts that must all change: take every lever of the line as far as it goes
            chosen += [(lv, lv.best) for lv in options]
    _apply(w, unit, chosen)
    return chosen


#: the columns of ``goal_table``: one ``goal`` row per unit, then its ``change`` rows (the fewest
#: changes that reach the goal) and its ``lever`` rows (every fact it can act on, largest gain first)
GOAL_COLUMNS = ["unit", "row", "goal", "reached", "note", "total_after", "grade_after", "verdict_after",
                "rank_after", "line_id", "title", "fact", "now", "to", "points", "per_step", "step", "lead"]
#: how many levers a report lists per unit
TOP_LEVERS = 8


def goal_table(w: WhatIf, units: list[str] | None = None) -> pd.DataFrame:
    """Return, for each of ``units`` (default: every unit scored), what ``seek`` answers for its
    default goal and its levers — the static "距下一等次" section every report prints, since a
    shared HTML page runs no Python. Units without a goal left keep their levers (if any).
    """
    known = set(w.names)
    return _goal_frame([r for u in (units if units is not None else w.names) if u in known
                        for r in goal_rows(w, u)])


def goal_rows(w: WhatIf, unit: str) -> list[dict]:
    """Return ``unit``'s rows of ``goal_table``: its goal, the changes that reach it, its levers."""
    audit = w.result.audit[w.result.audit["unit"] == unit]
    lead = {i: str(x) for i, x in zip(audit["line_id"], audit["lead"])}
    rows = []
    try:
        ans = seek(w, unit)
        found = ans.levers if ans is not None and ans.levers else levers(w, unit)
    except Exception as e:  # one unit's goal must not stop a batch: its report says so
        w.reset()
        return [{"unit": unit, "row": "goal", "goal": "", "reached": False,
                 "note": f"未能测算({type(e).__name__}),请用假设测算工作台核对。"}]
    if ans is not None:
        a = ans.after
        rows.append({"unit": unit, "row": "goal", "goal": ans.text, "reached": bool(ans.reached),
                     "note": ans.note, "total_after": a.get("total"), "grade_after": a.get("grade") or "",
                     "verdict_after": a.get("verdict") or "", "rank_after": a.get("rank")})
        for c in ans.changes.to_dict("records"):
            rows.append({"unit": unit, "row": "change", "line_id": c["编号"], "title": c["考核内容"],
                         "fact": c["数据项"], "now": c["现值"], "to": c["改为"], "points": c["得分变化"],
                         "lead": lead.get(c["编号"], "")})
    for lv in found[:TOP_LEVERS]:
        u = lv.fact.spec.unit
        one = "1个百分点" if u == "%" else "1" + (u or "")
        step = ("提高" if lv.fact.spec.better == "up" else "降低") + one if lv.fact.numeric else ""
        now, to = _apart(lv.current, lv.best, u)
        rows.append({"unit": unit, "row": "lever", "line_id": lv.line.id, "title": lv.line.title,
                     "fact": lv.fact.label, "now": now, "to": to,
                     "points": lv.gain, "per_step": lv.per_step, "step": step,
                     "lead": lead.get(lv.line.id, "")})
    return rows


def _goal_frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=GOAL_COLUMNS)
    for col in ("unit", "row", "goal", "note", "grade_after", "verdict_after", "line_id", "title", "fact", "now",
                "to", "step", "lead"):
        out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str)
    return out


def goals_for(cohort, units: list[str] | None = None) -> pd.DataFrame | None:
    """Return ``goal_table`` for ``units`` (default: all) of a scored cohort, from the facts it
    was scored from (``ScoredCohort.facts``, a scenario's changes included; saved with the
    result); None when it has none (a result saved before they were).

    The session scoring the whole cohort is kept for the next call about the same cohort
    (``session``): a report kernel presents unit after unit of one result. In a large cohort
    where no unit's result depends on another's (``independent``), each unit is sought alone
    instead: the same answer, and a batch of 3,000 counties does not rescore 3,000 units for
    every change it tries.
    """
    if cohort.facts is None:
        return None
    units = list(units) if units is not None else list(cohort.units)
    if not independent(cohort.spec) or len(cohort.units) <= ALONE_FROM:
        return goal_table(session(cohort), units)
    rows = []
    for unit in units:  # alone: its own facts, scored without the rest of the cohort
        before = cohort.previous_facts
        w = WhatIf(cohort.spec, cohort.facts.reindex([unit]),
                   before.reindex([unit]) if before is not None else None, year=cohort.year, units=[unit])
        rows += goal_rows(w, unit)
    return _goal_frame(rows)


#: cohorts larger than this are sought unit by unit where units are independent (below it one
#: session for all is faster: seeking rescores the cohort, a session's start scores it)
ALONE_FROM = 100
#: the session of the cohort last asked about (``session``): {"cohort": weakref, "session": WhatIf}
_LAST: dict = {}


def session(cohort) -> WhatIf:
    """Return a what-if session over ``cohort``'s facts, the same one while the same cohort
    object is asked about (its facts are not changed after scoring). Goal seeking leaves a
    session's own changes as they were, so one session serves unit after unit.
    """
    ref = _LAST.get("cohort")
    if ref is None or ref() is not cohort:
        _LAST.clear()
        _LAST.update(cohort=weakref.ref(cohort),
                     session=WhatIf(cohort.spec, cohort.facts, cohort.previous_facts, year=cohort.year))
    return _LAST["session"]


def independent(spec) -> bool:
    """Return whether each unit's result depends on its own facts alone: no line scores units
    against each other (``rule.cohort``) and the document ranks none (``spec.ranking``).
    """
    return spec.ranking.basis == "none" and not any(ln.rule.cohort for ln in spec.lines)
