"""A plug-in is one file: every registered rule type declares what the rest of the code needs.

For every rule type, instances are gathered from every bundled spec under every reading of its
ambiguous clauses and from the fixture specs (a ``compound``'s parts count as instances of their
own types). A rule type with no instance anywhere fails, as does any instance that leaves a
declaration out: which way is better for each fact (``FactSpec.better``), what its ``value`` /
``gap`` are measured in (``measure``), who reports its facts (``reporters``) and its event items
(``event_items``). The last test checks ``measure`` against what the rules actually score on
each document's sample data, so a wrong declaration fails too.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from ecoscore import score
from ecoscore.facts.samples import generate
from ecoscore.rules import known
from ecoscore.rules.base import BETTER, MEASURE_POINTS, NUMERIC_KINDS
from ecoscore.rules.values import coerce
from ecoscore.spec import list_documents, load_spec
from tests.conftest import FIXTURES  # noqa: E402


def _specs():
    for doc in list_documents():
        spec = load_spec(doc)
        yield doc, spec
        for amb in spec.ambiguities:
            for name in amb.readings:
                yield f"{doc} {amb.id}={name}", spec.with_readings({amb.id: name})
    for path in sorted(FIXTURES.glob("*.yaml")):
        yield path.name, load_spec(path)


def _with_parts(rule, where):
    yield where, rule
    for k, part in enumerate(getattr(rule, "parts", ()) if rule.type == "compound" else ()):
        yield from _with_parts(part, f"{where} part {k}")


@lru_cache(maxsize=1)
def instances() -> dict[str, list[tuple[str, object, list[str]]]]:
    """Return ``{rule type: [(where, rule, units the line applies to), ...]}``."""
    out: dict[str, list] = {}
    for where, spec in _specs():
        for ln in spec.lines:
            units = [u for u in spec.unit_names if ln.applies(u)]
            for at, rule in _with_parts(ln.rule, f"{where} {ln.id}"):
                out.setdefault(rule.type, []).append((at, rule, units))
    return out


def test_every_rule_type_has_an_instance_in_some_spec():
    missing = sorted(set(known()) - set(instances()))
    assert not missing, f"rule types used by no spec or fixture (add one to a fixture spec): {missing}"


@pytest.mark.parametrize("name", known())
def test_every_fact_declares_which_way_is_better(name):
    bad = []
    for where, rule, _ in instances().get(name, []):
        facts = {f.name: f for f in rule.facts()}
        for f in facts.values():
            if f.better not in BETTER:
                bad.append(f"{where}: {f.name} better={f.better!r}")
            if f.target_of and (f.better != "neutral" or facts.get(f.target_of) is None
                                or facts[f.target_of].better == "neutral"):
                bad.append(f"{where}: {f.name} is a target of {f.target_of!r}, which is not an up/down fact")
    assert not bad, "\n".join(bad[:20])


@pytest.mark.parametrize("name", known())
def test_declares_what_value_and_gap_are_measured_in(name):
    bad = []
    for where, rule, _ in instances().get(name, []):
        try:
            m = rule.measure()
        except NotImplementedError as e:
            bad.append(f"{where}: {e}")
            continue
        facts = {f.name: f for f in rule.facts()}
        if m is not None and m != MEASURE_POINTS and (
                m not in facts or facts[m].kind not in (*NUMERIC_KINDS, "bool")):
            bad.append(f"{where}: measure {m!r} is not a numeric or yes/no fact of the rule")
    assert not bad, "\n".join(bad[:20])


@pytest.mark.parametrize("name", known())
def test_declares_who_reports_and_its_event_items(name):
    bad = []
    for where, rule, units in instances().get(name, []):
        reporters = rule.reporters(units)
        if [u for u in units if u in reporters] != reporters:
            bad.append(f"{where}: reporters {reporters} are not some of {units}, in order")
        facts = {f.name: f for f in rule.facts()}
        for e in rule.event_items():
            f = facts.get(e.name)
            if f is None or f.kind not in ("count", "points") or f.default is None:
                bad.append(f"{where}: event item {e.name!r} must sum into a count or points fact with a default")
            elif (f.kind == "points") != e.direct:
                bad.append(f"{where}: event item {e.name!r} is direct exactly when its fact holds points")
    assert not bad, "\n".join(bad[:20])


def test_shared_task_leaves_the_whole_out_of_its_reporters():
    rules = [r for _, r, _ in instances()["shared_task"]]
    assert rules
    for r in rules:
        assert r.reporters([r.whole, "甲", "乙"]) == ["甲", "乙"], r


def test_counted_items_with_a_default_are_event_items():
    checked = 0
    for _, rule, _ in instances()["counted"]:
        assert [e.name for e in rule.event_items()] == [i.name for i in rule.items if i.default is not None]
        checked += 1
    assert checked


SPECS = [*list_documents(), *(p.name for p in sorted(FIXTURES.glob("*.yaml")))]


@pytest.mark.parametrize("doc", SPECS)
def test_measure_matches_what_the_rules_score(doc):
    """``value`` is the declared fact as reported (a yes/no as 1/0), or the points awarded, or
    absent; checked on the document's sample data under each of its readings.
    """
    spec = load_spec(FIXTURES / doc if doc.endswith(".yaml") else doc)
    sample = generate(spec)
    # the cohort as the sample shows it: the document's units and the analyst's example units
    facts, previous = sample[spec.year].cohort, sample[spec.year - 1].cohort
    readings = [spec] + [spec.with_readings({a.id: name}) for a in spec.ambiguities for name in a.readings
                         if name != a.default]
    seen: set[str] = set()
    for s in readings:
        audit = score(s, facts, previous, units=list(facts.index)).audit  # the same units under every reading
        for ln in s.lines:
            _check_measure(ln, audit[audit["line_id"] == ln.id].set_index("unit"), facts)
            seen.add(ln.rule.type)
    assert seen


def _check_measure(ln, rows, facts) -> None:
    parts = rows["part"]
    if parts.isna().all():
        _check_measure_of(ln, rows, facts, None)
        return
    for k in sorted(set(parts.dropna().astype(int))):  # several parts: each row shows its deciding part
        _check_measure_of(ln, rows[(parts == k).fillna(False).to_numpy(dtype=bool)], facts, k)


def _check_measure_of(ln, rows, facts, part) -> None:
    value = rows["value"].astype(float)
    m = ln.rule.measure_of(part)
    if m is None:
        assert value.isna().all(), f"{ln.id} ({ln.rule.type}) declares no value but scores one"
    elif m == MEASURE_POINTS:
        both = value.notna()
        assert np.allclose(value[both], rows["awarded"].astype(float)[both]), ln.id
    else:
        key = dict((f.name, k) for k, f in ln.fact_keys())[m]  # a shared fact is read under its owner's key
        assert key in facts.columns, f"{ln.id}: the sample has no {key}"
        fact = next(f for f in ln.rule.facts() if f.name == m)
        units = [u for u in ln.rule.reporters([str(u) for u in rows.index]) if u in facts.index]
        reported = coerce(facts.loc[units, key], fact.kind)
        reported = np.array([np.nan if x is None else float(x) for x in reported], dtype=float)
        scored = value.reindex(units).to_numpy()
        both = ~np.isnan(reported) & ~np.isnan(scored)
        assert both.any() or not units or part is not None, f"{ln.id}: no unit has both a reported and a scored value"
        assert np.allclose(scored[both], reported[both]), f"{ln.id} ({ln.rule.type}): value is not {m}"


def test_gate_lines_and_only_they_declare_a_gate_kind():
    for where, spec in _specs():
        for ln in spec.lines:
            expected = {"gate"} if ln.kind == "gate" else {"other"}
            kind = ln.rule.gate()
            assert {"bar": "gate", "veto": "gate", "": "other"}[kind] in expected, (where, ln.id, kind)
