"""The deterministic scenario layer of the sample data: make sure every situation a report
must be able to show occurs somewhere in each document's sample, and that the cohort's spread
is one a real cohort would show.

* a missing value (缺数据) — in exactly one unit, not the one the document is about;
* an event on the events sheet (a bonus or deduction item), when the document has them;
* a late task — a lateness line with days late, or a task-book row below 100%;
* gates — a 合格否决 veto triggered and a 评优前置 condition not met (when the document has them);
* a realistic spread: each unit loses a few lines, more the weaker it is, never more than about
  a fifth; in a compliance document (binding indicators, 约束性) the strongest unit meets all of
  them, the one the document is about misses a few, and some unit misses at least one;
* every grade of a graded document, by moving units' latent quality until each band is hit.

Everything here is generic over the spec: it looks at line kinds, rule types, what the rules
declare about their facts (which way is better) and the scores the engine gives, never at a
document's own line ids.
"""

from __future__ import annotations

from ecoscore.facts.workbook import TASKS, UNITS, is_numeric
from ecoscore.rules.base import Outcome, Polarity
from ecoscore.scoring.engine import score

SEARCH = (-3.0, 3.0)
STEPS = 12
#: Lines a unit may lose: a share of its lines, from the strongest unit to the weakest, and
#: the binding indicators the main unit of a compliance document misses.
MISS_SHARE = (0.04, 0.18)
MAIN_MISSES = (1, 3)
#: Positions a unit's facts are lifted to, in turn, to undo a miss beyond its budget.
LIFTS = (0.6, 0.8, 0.95, 1.0)
_NOT_MET, _MISSING = Outcome.NOT_MET.value, Outcome.MISSING.value


def _score(s):
    y = s.spec.year
    return score(s.spec, s.year(y).cohort, s.year(y - 1).cohort)


def apply_scenarios(s) -> dict[str, str]:
    """Apply every scenario to a ``Sampler``; return what was set, for the record."""
    done: dict[str, str] = {}
    locked: set[str] = set()
    _late(s, done)
    _missing(s, done)
    _event(s, done)
    _gates(s, done, locked)
    _spread(s, done, locked)
    _binding(s, done)
    _grades(s, done, locked)
    _only_one_missing(s, done)
    return done


def _late(s, done) -> None:
    spec, y = s.spec, s.spec.year
    for ln in spec.lines:
        days = next((f for f in ln.rule.facts() if f.kind == "days" and f.better == "down"), None)
        if days is not None:  # days late (lateness)
            u = next(u for u in spec.unit_names if ln.applies(u))
            s.overrides[(y, u, f"{ln.id}:{days.name}")] = 12.0
            done["late"] = f"{u} {ln.id} 推迟12天"
            return
    for ln in spec.lines:
        f = s.fields.get(f"{ln.id}:completion")
        if f is not None and f.home == TASKS and s.reporters(f):
            u = s.reporters(f)[-1]
            s.overrides[(y, u, f.key)] = 60.0
            done["late"] = f"{u} {ln.id} 完成60%"
            return


def _event(s, done) -> None:
    """Make sure the events sheet has at least one event when the document has event items."""
    y = s.spec.year
    if not s.lay.events or s.events(y):
        return
    key, item = next(iter(s.lay.events.items()))
    units = [u for u in s.spec.unit_names if item.line.applies(u)]
    if not units:
        return
    u = min(units, key=lambda x: s.z[x])
    hint = (item.line.sample or {}).get(item.name)
    amount = float(hint[0]) if item.direct and isinstance(hint, list) and hint and hint[0] else 1.0
    s.overrides[(y, u, key)] = amount
    done["event"] = f"{u} {key}"


def _missing(s, done) -> None:
    """Leave one fact blank for one unit: not the main unit, a document unit where there is
    one, else a unit an analyst adds; a reference or non-numeric fact where there is one.
    """
    y = s.spec.year
    picks = []
    for u in [u for u in s.units if u != s.main]:
        fields = [f for f in s.on(UNITS) if f.needed() and f.fact.kind != "text" and f.line is not None
                  and f.line.kind != "gate" and s.applies(f, u)]
        tasks = [f for f in s.on(TASKS) if f.needed() and f.fact.kind != "text" and u in s.reporters(f)]
        # a fact other document units also report first: the line still shows figures for the cohort
        alone = {f.key: not any(v != u and v in s.spec.unit_names and s.applies(f, v) for v in s.units)
                 for f in fields}
        fields.sort(key=lambda f: (alone[f.key], f.line.attribute == "约束性", not is_numeric(f.fact)))
        lines = {f.line.id for f in fields + tasks}
        if fields or tasks:
            picks.append((len(lines) < 2, u, (fields or tasks)[0]))
    # a unit with other lines to show (a unit assessed on one line alone would show nothing but 缺数据)
    for _, u, f in sorted(picks, key=lambda p: p[0]):
        s.overrides[(y, u, f.key)] = None
        done["missing"] = f"{u} {f.key}"
        return


def _gates(s, done, locked) -> None:
    spec, y = s.spec, s.spec.year
    gates = [ln for ln in spec.lines if ln.rule.type == "gate"]
    # a gate's flag: a veto (合格否决) is bad when yes, a condition for 优秀 (评优前置) good
    veto = next((ln for ln in gates if _flag_better(ln) == "down"), None)
    if veto is not None:
        u = [u for u in spec.unit_names if veto.applies(u)][-1]
        s.overrides[(y, u, f"{veto.id}:flag")] = True
        if f"{veto.id}:note" in s.fields:
            s.note_overrides[(y, u, f"{veto.id}:note")] = f"{y}年发生“{veto.title}”情形,经核实属实(示例)"
        locked.add(u)
        done["veto"] = f"{u} {veto.id}"
    bar = next((ln for ln in gates if _flag_better(ln) == "up"), None)
    if bar is not None:
        cands = [u for u in spec.unit_names if bar.applies(u)]
        u = next((c for c in reversed(cands) if c not in locked), cands[-1])
        s.overrides[(y, u, f"{bar.id}:flag")] = False
        locked.add(u)
        done["bar"] = f"{u} {bar.id}"


def _flag_better(line) -> str | None:
    """Return which way is better for a gate line's ``flag`` fact, as its rule declares."""
    return next((f.better for f in line.rule.facts() if f.name == "flag"), None)


def _counted_rows(s, audit):
    """Return the rows the spread is about, with ``lost`` marking a miss: binding indicators
    (约束性) in a compliance document; elsewhere the scored lines and tasks, lost when scored
    nothing or not done.
    """
    if s.spec.family == "compliance":
        rows = audit[(audit["attribute"] == "约束性") & (audit["kind"] == "indicator")]
        rows = rows[rows["outcome"].isin([Outcome.MET.value, _NOT_MET])]
    else:
        rows = audit[audit["kind"].isin(["base", "task", "indicator"])]
        rows = rows[rows["polarity"].isin([Polarity.GOOD.value, Polarity.PARTIAL.value, Polarity.BAD.value])]
    return rows.assign(lost=rows["polarity"] == Polarity.BAD.value)


def miss_budgets(s, rows, missing_unit: str | None) -> dict[str, int]:
    """Return how many lines each unit may lose (``_counted_rows``): up to ``MISS_SHARE`` of its
    lines, more the weaker the unit. In a compliance document every unit but one misses at
    least one binding indicator, the strongest unit other than the main one none, and the
    main unit a few (``MAIN_MISSES``).
    """
    counts = rows.groupby("unit").size()
    order = sorted(counts.index, key=lambda u: (-s.z[u], s.units.index(u)))
    compliance = s.spec.family == "compliance"
    clean = next((u for u in order if u not in (s.main, missing_unit)), None) if len(order) > 1 else None
    out = {}
    for k, u in enumerate(order):
        n = int(counts[u])
        frac = k / max(1, len(order) - 1)
        share = MISS_SHARE[0] + (MISS_SHARE[1] - MISS_SHARE[0]) * frac
        out[u] = round(n * share)
        if compliance:
            out[u] = max(1, out[u])
            if u == s.main:
                out[u] = min(max(out[u], MAIN_MISSES[0]), MAIN_MISSES[1])
            if u == clean:
                out[u] = 0
    return out


def _spread(s, done, locked) -> None:
    """Keep each unit's lost lines within its budget (``miss_budgets``): undo the misses
    beyond it by lifting the unit's facts of those lines (a little, then more), then by the
    easiest target, then by last year's figure a little worse than this year's. Values a
    scenario set are left alone.
    """
    spec, y = s.spec, s.spec.year
    missing_unit = done.get("missing", " ").split(" ")[0]
    rows = _counted_rows(s, _score(s).audit)
    if rows.empty:
        return
    budgets = miss_budgets(s, rows, missing_unit)
    tried: dict[tuple[str, str], int] = {}
    for _ in range(len(LIFTS) + 3):
        rows = _counted_rows(s, _score(s).audit)
        changed = False
        for u, budget in budgets.items():
            misses = list(rows[(rows["unit"] == u) & rows["lost"]]["line_id"])
            misses.sort(key=lambda lid: s.uniform("keep", u, lid))  # which misses stay: seeded
            for lid in misses[budget:]:
                step = tried.get((u, lid), 0)
                tried[(u, lid)] = step + 1
                changed |= _lift(s, u, spec.line(lid), step, y)
        if not changed:
            break
    if spec.family != "compliance":
        return
    rows = _counted_rows(s, _score(s).audit)
    for u, budget in budgets.items():
        if budget == 0 and not rows[rows["unit"] == u]["lost"].any():
            locked.add(u)
            done["all_binding_met"] = u


def _lift(s, u: str, line, step: int, y: int) -> bool:
    """Move unit ``u``'s facts of ``line`` one step towards meeting it; False when out of steps."""
    fields = [s.fields[k] for k, _ in line.fact_keys() if s.fields[k].fact.kind != "text"]
    fields = [f for f in fields if (y, u, f.key) not in s.overrides]
    if step < len(LIFTS):
        for f in fields:
            if s.direction(f) != "neutral":
                s.raise_floor(u, f.key, LIFTS[step])
        return True
    if step == len(LIFTS):  # the easiest target the hint allows
        for f in fields:
            if s.direction(f) == "neutral":
                s.overrides[(y, u, f.key)] = s.best(f)
        return True
    if step == len(LIFTS) + 1:  # last year a little worse than this year
        for f in fields:
            d = s.direction(f)
            now = s.value(f, u, y)
            if d == "neutral" or not is_numeric(f.fact) or now is None or now != now:
                continue
            lo, hi = s._range(f)
            worse = max(abs(hi - lo) * 0.05, 0.1) * (-1 if d == "up" else 1)
            s.overrides[(y - 1, u, f.key)] = s.fit(f, now + worse)
        return True
    return False


def _binding(s, done) -> None:
    """Make sure some unit misses a binding indicator (the weakest units first)."""
    spec, y = s.spec, s.spec.year
    binding = [ln for ln in spec.lines if ln.kind == "indicator" and ln.attribute == "约束性"]
    if not binding:
        return
    audit = _score(s).audit
    failed = audit[(audit["attribute"] == "约束性") & (audit["outcome"] == _NOT_MET)]
    if not failed.empty:
        r = failed.iloc[0]
        done["binding"] = f"{r['unit']} {r['line_id']}"
        return
    clean = done.get("all_binding_met")
    order = [u for u in sorted(s.units, key=lambda u: s.z[u]) if u != clean]
    for ln in binding:
        for u in order[:2]:
            if not spec.applies(ln, u):
                continue
            keys = [k for k, _ in ln.fact_keys() if s.fields[k].fact.kind != "text"]
            saved = {k: s.overrides.get((y, u, k), ...) for k in keys}
            for k in keys:
                s.overrides[(y, u, k)] = s.worst(s.fields[k])
            a = _score(s).audit
            row = a[(a["unit"] == u) & (a["line_id"] == ln.id)]
            if not row.empty and row.iloc[0]["outcome"] == _NOT_MET:
                done["binding"] = f"{u} {ln.id}"
                return
            for k, v in saved.items():
                if v is ...:
                    s.overrides.pop((y, u, k), None)
                else:
                    s.overrides[(y, u, k)] = v


def _grades(s, done, locked) -> None:
    spec = s.spec
    bands = list(spec.grades)
    if len(bands) < 2:
        return
    summary = _score(s).summary.set_index("unit")
    for k, band in enumerate(bands):
        if band.grade in set(summary["grade"]):
            continue
        lo = band.min if band.min is not None else -1e9
        hi = bands[k - 1].min if k > 0 else 1e9
        target = (lo + hi) / 2 if k > 0 and band.min is not None else (lo + 3 if k == 0 else hi - 8)
        cands = [u for u in spec.unit_names if u not in locked and summary.at[u, "grade"] in
                 {b.grade for b in bands} and (summary["grade"] == summary.at[u, "grade"]).sum() > 1]
        cands.sort(key=lambda u: abs(summary.at[u, "total"] - target))
        for u in cands[:6]:
            if _search(s, u, band.grade, target):
                locked.add(u)
                done[f"grade:{band.grade}"] = u
                summary = _score(s).summary.set_index("unit")
                break


def _search(s, u: str, grade: str, target: float) -> bool:
    """Move unit ``u``'s latent quality until its grade is ``grade``; keep it if found."""
    old = s.shift.get(u, 0.0)
    lo, hi = SEARCH
    for _ in range(STEPS):
        mid = (lo + hi) / 2
        s.shift[u] = mid
        row = _score(s).summary.set_index("unit").loc[u]
        if row["grade"] == grade:
            return True
        if row["total"] < target:
            lo = mid
        else:
            hi = mid
    s.shift[u] = old
    return False


def _only_one_missing(s, done) -> None:
    """Fill any blank that leaves a unit other than the chosen one with missing data (a fact a
    link or a whole's figure left blank), so exactly one unit shows 缺数据.
    """
    y = s.spec.year
    chosen = done.get("missing", " ").split(" ")[0]
    audit = _score(s).audit
    rows = audit[(audit["outcome"] == _MISSING) & (audit["unit"] != chosen)]
    for u, lid in rows[["unit", "line_id"]].itertuples(index=False):
        for k, _ in s.spec.line(lid).fact_keys():
            f = s.fields[k]
            for year in (y, y - 1):
                v = s.value(f, u, year)
                if f.fact.kind != "text" and (v is None or v != v):
                    s.overrides[(year, u, k)] = s.best(f) if year == y else s.worst(f)
