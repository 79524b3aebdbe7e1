"""The engine: score a whole cohort against a spec and return a tidy audit trail.

Everything a report shows (subtotals, totals, grades, verdicts, ranks, narrative, charts,
the Excel export) is computed from ``Result.audit``, one row per unit × line.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ecoscore.rules.base import Context, Outcome, Polarity, fmt
from ecoscore.rules.values import coerce
from ecoscore.scoring.result import Result
from ecoscore.scoring.rollup import rollup
from ecoscore.spec import Line, Spec, load_spec

#: The audit trail's fixed columns, in order.
AUDIT_COLUMNS = [
    "unit", "line_id", "section", "group", "title", "kind", "attribute", "possible", "awarded",
    "outcome", "polarity", "gate", "reason", "facts", "evidence", "part", "value", "target", "gap", "gap_unit",
    "clause", "lead", "responsible", "rule",
]


_CODES = [o.value for o in Outcome]
_POLARITIES = [p.value for p in Polarity]
_POLARITY_OF = np.array([_POLARITIES.index(o.polarity.value) for o in Outcome], dtype=np.int16)
_CODE = {o: i for i, o in enumerate(Outcome)}


def _is_missing(a: np.ndarray) -> np.ndarray:
    if a.dtype == float:
        return np.isnan(a)
    return np.array([v is None for v in a], dtype=bool)


class _Rows:
    """A facts table aligned once with the scored units, so each column is one ``take``."""

    def __init__(self, frame: pd.DataFrame | None, names: list[str]):
        self.frame = frame
        self.pos = frame.index.get_indexer(names) if frame is not None else None

    def column(self, key: str, keep: np.ndarray | None) -> np.ndarray:
        pos = self.pos if keep is None or self.pos is None else self.pos[keep]
        n = len(pos) if pos is not None else (len(keep) if keep is not None else 0)
        if self.frame is None or key not in self.frame.columns:
            return np.full(n, None, dtype=object)
        col = self.frame[key].to_numpy()
        out = col[np.where(pos < 0, 0, pos)] if len(col) else np.full(n, None, dtype=object)
        if (pos < 0).any():
            out = out.astype(object) if out.dtype.kind not in "fc" else out.copy()
            out[pos < 0] = np.nan if out.dtype.kind == "f" else None
        return out


def score_line(line: Line, units: list[str], facts: _Rows, previous: _Rows, keep: np.ndarray | None,
               categories: dict[str, np.ndarray], explain: bool = True) -> dict[str, Any]:
    """Score one line for the given units; return its per-unit audit columns (reasons only if ``explain``)."""
    values, prev, missing_labels = {}, {}, []
    missing = np.zeros(len(units), dtype=bool)
    for key, f in line.fact_keys():
        a = coerce(facts.column(key, keep), f.kind)
        gone = _is_missing(a)
        if f.default is not None and gone.any():
            a = a.copy()
            a[gone] = f.default
            gone = np.zeros(len(units), dtype=bool)
        values[f.name] = a
        if f.previous:
            pa = coerce(previous.column(key, keep), f.kind)
            prev[f.name] = pa
        if f.required:
            missing |= gone
            missing_labels.append((f.label, gone))
    ctx = Context(units, line.max, values, prev, categories)
    s = line.rule.score(ctx)
    outcome = np.asarray(s.outcome, dtype=object)
    points = np.asarray(s.points, dtype=float)
    reason = list(s.reason) if explain else [""] * len(units)
    labels = [f for _, f in line.fact_keys()]
    later = "本项暂按0分计,待补充后重新评分" if line.max is not None else "暂无法判定"
    for k in np.flatnonzero(missing):
        if line.rule.handles_missing and outcome[k] is not Outcome.MISSING:
            continue  # e.g. one part of an all-of indicator certainly failed
        outcome[k] = Outcome.MISSING
        if explain:
            lacking = "、".join(lbl for lbl, gone in missing_labels if gone[k])
            reason[k] = f"缺少数据:{lacking},{later}"
    codes = np.fromiter((_CODE[o] for o in outcome), dtype=np.int16, count=len(units))
    is_missing = codes == _CODE[Outcome.MISSING]
    if line.max is not None:
        points = np.round(np.where(is_missing, 0.0, points), 6)
    if explain:
        shown = [[_show(v) for v in values[f.name]] for f in labels if f.kind != "text"]
        names = [f.label for f in labels if f.kind != "text"]
        facts_used = [";".join(f"{lbl}={vals[k]}" for lbl, vals in zip(names, shown)) for k in range(len(units))]
    else:
        facts_used = [""] * len(units)
    n = len(units)
    return {
        "unit": np.asarray(units, dtype=object),
        "awarded": points,
        "outcome": codes,
        "reason": reason,
        "facts": facts_used,
        "value": s.value if s.value is not None else np.full(n, np.nan),
        "target": s.target if s.target is not None else np.full(n, np.nan),
        "gap": s.gap if s.gap is not None else np.full(n, np.nan),
        **who_acts(line, s.part, n),
    }


def who_acts(line: Line, part: np.ndarray | None, n: int) -> dict[str, np.ndarray]:
    """Return the per-unit columns that depend on the part deciding a line: ``part`` (NaN for
    a single-part rule), ``gap_unit`` (that part's unit of value, target and gap), and ``lead``
    and ``responsible`` — the part's own units (``Line.part_leads[part]``: lead first, the rest
    responsible) where the spec gives them, else the line's (responsible without the leads).
    """
    rule = line.rule
    line_who = ("、".join(line.lead), "、".join(d for d in line.responsible if d not in line.lead))
    if part is None:
        return {"part": np.full(n, np.nan), "gap_unit": np.full(n, rule.measure_unit(), dtype=object),
                "lead": np.full(n, line_who[0], dtype=object), "responsible": np.full(n, line_who[1], dtype=object)}
    part = np.asarray(part, dtype=int)
    k = int(part.max()) + 1 if n else 0
    units = np.array([rule.measure_unit(i) for i in range(k)] or [""], dtype=object)
    who = [(p[0], "、".join(d for d in p[1:] if d != p[0])) if p else line_who for p in line.part_leads[:k]]
    who += [line_who] * (k - len(who))
    leads = np.array([w[0] for w in who] or [""], dtype=object)
    shares = np.array([w[1] for w in who] or [""], dtype=object)
    return {"part": part.astype(float), "gap_unit": units[part], "lead": leads[part], "responsible": shares[part]}


def _line_constants(line: Line) -> dict[str, Any]:
    """Return the audit columns that are the same for every unit on a line."""
    possible = line.max if line.kind in ("base", "bonus", "task") else (0.0 if line.kind == "deduction" else np.nan)
    return {
        "line_id": line.id, "group": line.group, "title": line.title, "kind": line.kind,
        "attribute": line.attribute or "", "possible": np.nan if possible is None else float(possible),
        "clause": line.clause, "rule": line.rule.label(),
        "gate": line.rule.gate(),
    }


def _assemble(lines: list[Line], parts: list[dict], names: list[str]) -> pd.DataFrame:
    """Stack per-line columns into the audit trail, unit-major in document order."""
    if not parts:
        return pd.DataFrame(columns=[c for c in AUDIT_COLUMNS if c != "section"])
    counts = np.array([len(p["unit"]) for p in parts])
    which = np.repeat(np.arange(len(parts)), counts)
    cols: dict[str, Any] = {}
    consts = [_line_constants(ln) for ln in lines]
    for key in consts[0]:
        per_line = np.array([c[key] for c in consts], dtype=float if key == "possible" else object)
        cols[key] = per_line[which]
    for key in parts[0]:
        if key in ("reason", "facts"):
            cols[key] = np.array([x for p in parts for x in p[key]], dtype=object)
        else:
            cols[key] = np.concatenate([p[key] for p in parts])
    unit_code = pd.Categorical(cols["unit"], categories=names, ordered=True)
    order = np.argsort(unit_code.codes, kind="stable")
    frame = pd.DataFrame({k: (v[order] if isinstance(v, np.ndarray) else v) for k, v in cols.items() if k != "unit"})
    frame.insert(0, "unit", unit_code[order])
    codes = frame["outcome"].to_numpy()
    frame["outcome"] = pd.Categorical.from_codes(codes, categories=_CODES)
    frame["polarity"] = pd.Categorical.from_codes(_POLARITY_OF[codes], categories=_POLARITIES)
    frame["evidence"] = ""
    frame["part"] = frame["part"].astype("Int64")
    return frame


def _show(v) -> str:
    if v is True:
        return "是"
    if v is False:
        return "否"
    if v is None:
        return "—"
    return fmt(v) if isinstance(v, (int, float, np.floating, np.integer)) else str(v)


def score(spec: Spec | str, facts: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
          readings=None, units: list[str] | None = None, explain: bool = True) -> Result:
    """Score ``units`` (default: every unit of the document) and return the audit trail.

    ``facts`` and ``previous`` are wide tables indexed by unit name whose columns are fact
    keys (``"<line id>:<fact>"``), as ``ecoscore.facts.load`` returns them. ``readings``
    picks other readings of ambiguous clauses (``{"A1": "at_least"}`` or ``["A1=at_least"]``).
    ``explain=False`` skips the Chinese reasons and facts-used text (numbers, outcomes, totals,
    grades and ranks are the same): for large what-if runs where nobody reads every line.
    """
    if isinstance(spec, str):
        spec = load_spec(spec)
    if readings:
        spec = spec.with_readings(readings)
    names = list(units) if units is not None else cohort_names(spec, facts)
    return assemble(spec, score_lines(spec, facts, previous, names, spec.lines, explain), names, facts)


def score_lines(spec: Spec, facts: pd.DataFrame | None, previous: pd.DataFrame | None, names: list[str],
                lines: list[Line], explain: bool = True) -> dict[str, dict[str, Any]]:
    """Score ``lines`` for the units ``names``; return ``{line id: per-unit audit columns}``
    (a line that applies to none of them is left out). ``score`` scores every line; the what-if
    workbench rescores only the lines a changed fact touches, then ``assemble``.
    """
    cats_all = _categories(spec, names, facts)
    added = [u for u in names if u not in spec.unit_names]
    rows, prev_rows = _Rows(facts, names), _Rows(previous, names)
    all_rows = np.arange(len(names))
    out = {}
    for line in lines:
        if line.applies_to is None and not added:
            us, cats, keep = names, cats_all, all_rows
        else:
            keep = np.array([i for i, u in enumerate(names) if spec.applies(line, u)], dtype=int)
            if not len(keep):
                continue
            us = [names[i] for i in keep]
            cats = {d: a[keep] for d, a in cats_all.items()}
        out[line.id] = score_line(line, us, rows, prev_rows, keep, cats, explain)
    return out


def assemble(spec: Spec, parts: dict[str, dict[str, Any]], names: list[str], facts: pd.DataFrame | None) -> Result:
    """Return the ``Result`` of scored lines (``score_lines``): audit trail in document order, rollup, summary."""
    scored_lines = [ln for ln in spec.lines if ln.id in parts]
    audit = _assemble(scored_lines, [parts[ln.id] for ln in scored_lines], names)
    top = _top_sections(spec)
    audit.insert(2, "section", audit["group"].map(top))
    audit = audit[AUDIT_COLUMNS].reset_index(drop=True)
    groups, summary, rolled, adjustments = rollup(spec, audit, names, facts)
    return Result(spec, audit, groups, summary, rolled, adjustments, _partial_cohort(spec, scored_lines, names))


def cohort_names(spec: Spec, facts: pd.DataFrame | None) -> list[str]:
    """Return the units scored by default: the document's, then the units an analyst added
    in ``facts`` (rows outside the document's units with their categories entered; only
    where the spec has ``analyst_units``).
    """
    names = list(spec.unit_names)
    if spec.analyst_units is None or facts is None or not len(facts):
        return names
    keys = [k for k, _ in spec.category_facts]
    for u in facts.index:
        if u not in names and all(k in facts.columns and isinstance(facts.at[u, k], str) for k in keys):
            names.append(u)
    return names


def _categories(spec: Spec, names: list[str], facts: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Return each category dimension per unit: the spec's for its units, the entered
    ``@unit:<code>`` facts for the units an analyst added.
    """
    dims = {d for u in spec.units for d in u.categories}
    entered = {c.dim: f"@unit:{c.code}" for c in spec.analyst_units.categories} if spec.analyst_units else {}
    out = {}
    for d in sorted(dims | set(entered)):
        col = []
        for u in names:
            if u in spec.unit_names:
                col.append(spec.unit(u).categories.get(d))
            else:
                key = entered.get(d)
                v = facts.at[u, key] if facts is not None and key in facts.columns and u in facts.index else None
                col.append(v if isinstance(v, str) else None)
        out[d] = np.array(col, dtype=object)
    return out


def _partial_cohort(spec: Spec, lines: list[Line], names: list[str]) -> list[str]:
    """Return a caution when lines that rank or compare units were scored on part of the document's units."""
    relative = [ln.id for ln in lines if ln.rule.cohort]
    absent = [u for u in spec.unit_names if u not in set(names)]
    if not relative or not absent:
        return []
    shown = "、".join(absent[:5]) + (f"等{len(absent)}个" if len(absent) > 5 else "")
    return [f"本次评分未包含{shown}{spec.unit_kind};{'、'.join(relative)}按各单位名次或相互比较计分,"
            f"只在所评{len(names)}个单位之间比较,与全部{len(spec.unit_names)}个单位一起评分时结果可能不同。"]


def _top_sections(spec: Spec) -> dict[str, str]:
    parent = {g.id: g.parent for g in spec.groups}
    out = {}
    for g in spec.groups:
        x = g.id
        while parent.get(x):
            x = parent[x]
        out[g.id] = x
    return out
