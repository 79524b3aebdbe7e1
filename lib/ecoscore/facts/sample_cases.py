"""The deterministic scenario layer of the sample data: make sure every situation a report
must be able to show occurs somewhere in each document's sample.

* a missing value (缺数据) — the second unit's first eligible fact is left blank;
* an event on the events sheet (a bonus or deduction item), when the document has them;
* a late task — a lateness line with days late, or a task-book row below 100%;
* gates — a 合格否决 veto triggered and a 评优前置 condition not met (when the document has them);
* a failed binding indicator (约束性, compliance documents);
* every grade of a graded document, by moving units' latent quality until each band is hit.

Everything here is generic over the spec: it looks at line kinds, rule types, what the rules
declare about their facts (which way is better) and the scores the engine gives, never at a
document's own line ids.
"""

from __future__ import annotations

from ecoscore.facts.workbook import TASKS, UNITS, is_numeric, task_reporters
from ecoscore.rules.base import Outcome
from ecoscore.scoring.engine import score

SEARCH = (-6.0, 6.0)
STEPS = 14


def _score(s):
    y = s.spec.year
    return score(s.spec, s.year(y).facts, s.year(y - 1).facts)


def apply_scenarios(s) -> dict[str, str]:
    """Apply every scenario to a ``Sampler``; return what was set, for the record."""
    done: dict[str, str] = {}
    locked: set[str] = set()
    _late(s, done)
    _missing(s, done)
    _event(s, done)
    _gates(s, done, locked)
    _binding(s, done)
    _all_met(s, done, locked)
    _grades(s, done, locked)
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
        f = s.lay.fields.get(f"{ln.id}:completion")
        if f is not None and f.home == TASKS and task_reporters(ln, spec):
            u = task_reporters(ln, spec)[-1]
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
    spec, y = s.spec, s.spec.year
    if not spec.units:
        return
    u = spec.unit_names[1 % len(spec.units)]
    fields = [f for f in s.lay.on(UNITS) if f.needed() and f.fact.kind != "text" and f.line is not None
              and f.line.kind != "gate" and f.applies(u)]
    fields.sort(key=lambda f: (f.line.attribute == "约束性", not is_numeric(f.fact)))
    if not fields:
        fields = [f for f in s.lay.on(TASKS) if f.needed() and f.fact.kind != "text"
                  and u in task_reporters(f.line, spec)]
    if fields:
        s.overrides[(y, u, fields[0].key)] = None
        done["missing"] = f"{u} {fields[0].key}"


def _gates(s, done, locked) -> None:
    spec, y = s.spec, s.spec.year
    gates = [ln for ln in spec.lines if ln.rule.type == "gate"]
    # a gate's flag: a veto (合格否决) is bad when yes, a condition for 优秀 (评优前置) good
    veto = next((ln for ln in gates if _flag_better(ln) == "down"), None)
    if veto is not None:
        u = [u for u in spec.unit_names if veto.applies(u)][-1]
        s.overrides[(y, u, f"{veto.id}:flag")] = True
        if f"{veto.id}:note" in s.lay.fields:
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


def _binding(s, done) -> None:
    spec, y = s.spec, s.spec.year
    binding = [ln for ln in spec.lines if ln.kind == "indicator" and ln.attribute == "约束性"]
    if not binding:
        return
    audit = _score(s).audit
    failed = audit[(audit["attribute"] == "约束性") & (audit["outcome"] == Outcome.NOT_MET.value)]
    if not failed.empty:
        r = failed.iloc[0]
        done["binding"] = f"{r['unit']} {r['line_id']}"
        return
    order = sorted(spec.unit_names, key=lambda u: s.z[u])
    for ln in binding:
        for u in order[:2]:
            if not ln.applies(u):
                continue
            keys = [k for k, _ in ln.fact_keys() if s.lay.fields[k].fact.kind != "text"]
            saved = {k: s.overrides.get((y, u, k), ...) for k in keys}
            for k in keys:
                s.overrides[(y, u, k)] = s.worst(s.lay.fields[k])
            a = _score(s).audit
            row = a[(a["unit"] == u) & (a["line_id"] == ln.id)]
            if not row.empty and row.iloc[0]["outcome"] == Outcome.NOT_MET.value:
                done["binding"] = f"{u} {ln.id}"
                return
            for k, v in saved.items():
                if v is ...:
                    s.overrides.pop((y, u, k), None)
                else:
                    s.overrides[(y, u, k)] = v


def _all_met(s, done, locked) -> None:
    """In a compliance document, let the best unit meet every binding indicator."""
    spec, y = s.spec, s.spec.year
    binding = [ln for ln in spec.lines if ln.kind == "indicator" and ln.attribute == "约束性"]
    failed_unit = done.get("binding", " ").split(" ")[0]
    cands = [u for u in sorted(spec.unit_names, key=lambda u: -s.z[u]) if u != failed_unit and u not in locked]
    if not binding or not cands:
        return
    u = cands[0]
    a = _score(s).audit
    for ln in binding:
        row = a[(a["unit"] == u) & (a["line_id"] == ln.id)]
        if row.empty or row.iloc[0]["outcome"] == Outcome.MET.value:
            continue
        for k, _ in ln.fact_keys():
            f = s.lay.fields[k]
            if f.fact.kind != "text" and (y, u, k) not in s.overrides:
                s.overrides[(y, u, k)] = s.best(f)
                if f.fact.previous:
                    s.overrides[(y - 1, u, k)] = s.worst(f) if s.direction(f) != "neutral" else s.best(f)
    a = _score(s).audit
    rows = a[(a["unit"] == u) & (a["attribute"] == "约束性")]
    if (rows["outcome"] == Outcome.MET.value).all():
        locked.add(u)
        done["all_binding_met"] = u


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
