"""Integrity checks run on every spec load: ids, units, point totals, readings, clauses."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecoscore.spec.model import Spec


FAMILIES = ("points", "compliance", "taskbook")
KINDS = ("base", "bonus", "deduction", "indicator", "task", "gate")
ATTRIBUTES = ("约束性", "参考性")
_SPACE = re.compile(r"\s+")


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def check(spec: Spec) -> list[str]:
    """Return every integrity problem of ``spec`` (empty when sound)."""
    p: list[str] = []
    if spec.ranking.basis not in ("total", "none") or spec.ranking.kind not in ("document", "descriptive"):
        p.append(f"ranking: basis must be total or none, kind document or descriptive, not {spec.ranking}")
    elif spec.ranking.basis == "total" and spec.family != "points" and spec.total is None:
        p.append("ranking: a document without points cannot rank by total")
    if spec.family not in FAMILIES:
        p.append(f"family {spec.family!r} not one of {FAMILIES}")
    for kind, ids in (("line", [ln.id for ln in spec.lines]), ("group", [g.id for g in spec.groups]),
                      ("unit", spec.unit_names)):
        for x, n in Counter(ids).items():
            if n > 1:
                p.append(f"{kind} id {x!r} appears {n} times")
    groups = {g.id: g for g in spec.groups}
    known_units = set(spec.unit_names) | set(spec.departments)
    for g in spec.groups:
        if g.parent and g.parent not in groups:
            p.append(f"group {g.id}: unknown parent {g.parent!r}")
        if g.kind not in KINDS:
            p.append(f"group {g.id}: kind {g.kind!r} not one of {KINDS}")
    for ln in spec.lines:
        where = f"line {ln.id}"
        if ln.group not in groups:
            p.append(f"{where}: unknown group {ln.group!r}")
        if ln.kind not in KINDS:
            p.append(f"{where}: kind {ln.kind!r} not one of {KINDS}")
        if not ln.clause:
            p.append(f"{where}: no clause")
        if not ln.title:
            p.append(f"{where}: no title")
        if ln.kind in ("base", "bonus", "deduction") and ln.max is None:
            p.append(f"{where}: a {ln.kind} line needs max points")
        if ln.attribute is not None and ln.attribute not in ATTRIBUTES:
            p.append(f"{where}: attribute {ln.attribute!r} not one of {ATTRIBUTES}")
        for u in (*ln.lead, *ln.responsible, *(x for part in ln.part_leads for x in part)):
            if u not in known_units:
                p.append(f"{where}: responsible unit {u!r} is not a known unit or department")
        for u in ln.applies_to or ():
            if u not in spec.unit_names:
                p.append(f"{where}: applies_to names unknown unit {u!r}")
        if ln.part_leads and len(ln.part_leads) != len(getattr(ln.rule, "parts", ())):
            p.append(f"{where}: part_leads lists {len(ln.part_leads)} parts, the rule has "
                     f"{len(getattr(ln.rule, 'parts', ()))}")
        if any(not part for part in ln.part_leads):
            p.append(f"{where}: every part in part_leads needs at least its lead")
    p.extend(_check_units(spec, groups))
    p.extend(_check_links(spec))
    p.extend(_check_sums(spec, groups))
    p.extend(_check_ambiguities(spec))
    return p


def _check_units(spec: Spec, groups: dict) -> list[str]:
    """Check ``analyst_units`` (lines or groups that exist, categories the rules use) and
    ``department_reports`` (a unit of the document).
    """
    p = []
    if spec.department_reports and spec.department_reports not in spec.unit_names:
        p.append(f"department_reports: {spec.department_reports!r} is not a unit of the document")
    a = spec.analyst_units
    if a is None:
        return p
    ids = {ln.id for ln in spec.lines} | set(groups)
    p.extend(f"analyst_units: lines names unknown line or group {x!r}" for x in a.lines if x not in ids)
    if not a.categories:
        p.append("analyst_units: at least one category, so that an added unit is declared, not a misspelt name")
    dims = {c.dim: c for c in a.categories}
    for u in a.sample:
        if u.name in spec.unit_names:
            p.append(f"analyst_units: sample unit {u.name!r} is a unit of the document")
        for d, v in u.categories.items():
            if d not in dims or v not in dims[d].values:
                p.append(f"analyst_units: sample unit {u.name!r} has category {d}={v!r}, not one declared")
    return p


def _check_links(spec: Spec) -> list[str]:
    """Check that a gate's ``linked_tasks`` name task lines; only gate lines have them.

    Also checks ``same_facts``: each names a fact of another line, of the same kind.
    """
    facts_of = {f"{ln.id}:{f.name}": f for ln in spec.lines for f in ln.rule.facts()}
    p = []
    kind = {ln.id: ln.kind for ln in spec.lines}
    for ln in spec.lines:
        own = {f.name: f for f in ln.rule.facts()}
        for name, key in ln.same_facts.items():
            other = facts_of.get(key)
            if name not in own:
                p.append(f"line {ln.id}: same_facts names {name!r}, not a fact of its rule")
            elif other is None:
                p.append(f"line {ln.id}: same_facts {name} -> {key!r}, no such fact of another line")
            elif other.kind != own[name].kind:
                p.append(f"line {ln.id}: same_facts {name} -> {key!r} is a {other.kind} fact, not {own[name].kind}")
        if ln.linked_tasks and ln.kind != "gate":
            p.append(f"line {ln.id}: linked_tasks on a {ln.kind} line (only gate lines link tasks)")
        for t in ln.linked_tasks:
            if t not in kind:
                p.append(f"line {ln.id}: linked_tasks names unknown line {t!r}")
            elif kind[t] != "task":
                p.append(f"line {ln.id}: linked_tasks names {t!r}, a {kind[t]} line, not a task")
    return p


def _check_sums(spec: Spec, groups) -> list[str]:
    p = []
    children = defaultdict(list)
    for g in spec.groups:
        children[g.parent].append(g)
    lines_of = defaultdict(list)
    for ln in spec.lines:
        lines_of[ln.group].append(ln)
    for g in spec.groups:
        if g.kind != "base" or g.max is None or not g.sum_check:
            continue
        base_lines = [ln for ln in lines_of[g.id] if ln.kind == "base"]
        sub = sum(c.max or 0 for c in children[g.id] if c.kind == "base")
        per_unit = [ln for ln in base_lines if ln.applies_to]
        if per_unit:
            for u in spec.unit_names:
                s = sub + sum(ln.max for ln in base_lines if ln.applies(u))
                if not _close(s, g.max):
                    p.append(f"group {g.id}: lines for {u} add up to {s:g}, not {g.max:g}")
        else:
            s = sub + sum(ln.max or 0 for ln in base_lines)
            if not _close(s, g.max):
                p.append(f"group {g.id} ({g.title}): parts add up to {s:g}, not {g.max:g}")
    if spec.total is not None:
        top = sum(g.max or 0 for g in spec.groups if g.parent is None and g.kind == "base")
        if not _close(top, spec.total):
            p.append(f"top-level base groups add up to {top:g}, not the document total {spec.total:g}")
    return p


def _check_ambiguities(spec: Spec) -> list[str]:
    p = []
    ids = {ln.id for ln in spec.lines}
    targets = ids | {f"group:{g.id}" for g in spec.groups} | {f"policy:{x['type']}" for x in spec.policies} | {"analyst_units"}
    seen = Counter(a.id for a in spec.ambiguities)
    for a in spec.ambiguities:
        if seen[a.id] > 1:
            p.append(f"ambiguity id {a.id!r} repeated")
        if a.default not in a.readings:
            p.append(f"ambiguity {a.id}: default {a.default!r} is not one of its readings")
        if len(a.readings) < 2:
            p.append(f"ambiguity {a.id}: needs at least two readings")
        for ln in a.lines:
            if ln not in ids:
                p.append(f"ambiguity {a.id}: unknown line {ln!r}")
        for r in a.readings.values():
            for t in r.overrides:
                if t not in targets:
                    p.append(f"ambiguity {a.id} reading {r.name}: overrides unknown {t!r}")
    for ln in spec.lines:
        for a in ln.ambiguities:
            if a not in seen:
                p.append(f"line {ln.id}: refers to unknown ambiguity {a!r}")
    return p


def normalise(text: str) -> str:
    """Return ``text`` without whitespace, for comparing clauses with the seed."""
    return _SPACE.sub("", text)


def clauses_not_in_seed(spec: Spec, seed_text: str) -> list[str]:
    """Return ids of lines whose clause (each of its lines) is not verbatim in the seed."""
    body = normalise(seed_text)
    bad = []
    for ln in spec.lines:
        for part in ln.clause.split("\n"):
            if part.strip() and normalise(part) not in body:
                bad.append(ln.id)
                break
    return bad
