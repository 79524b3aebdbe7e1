"""Contract tests over every bundled document spec."""


import pytest

from ecoscore import list_documents, load_spec, score
from ecoscore.spec.integrity import clauses_not_in_seed
from tests.conftest import ROOT

SEEDS = ROOT / "data" / "seeds"
DOCS = list_documents()
EXPECTED = {"xx-2020", "lishui-2024", "dongtou-2017", "shengzhou-2024", "zhoushan-2020"}


def test_all_five_documents_are_encoded():
    assert EXPECTED <= set(DOCS)


@pytest.mark.parametrize("doc", DOCS)
def test_every_clause_is_verbatim_from_the_seed(doc):
    spec = load_spec(doc)
    seed = (SEEDS / spec.seed).read_text(encoding="utf-8")
    assert clauses_not_in_seed(spec, seed) == []


@pytest.mark.parametrize("doc", DOCS)
def test_fact_keys_are_unique(doc):
    keys = [row["key"] for row in load_spec(doc).fact_table()]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("doc", DOCS)
def test_every_reading_scores(doc):
    spec = load_spec(doc)
    for amb in spec.ambiguities:
        policy_only = all(t.startswith("policy:") for r in amb.readings.values() for t in r.overrides)
        assert amb.lines or policy_only, f"{amb.id} names no line"
        for name in amb.readings:
            r = score(spec, None, readings={amb.id: name})
            assert len(r.summary) == len(spec.units)


@pytest.mark.parametrize("doc", DOCS)
def test_scores_with_no_facts_are_all_missing(doc):
    r = score(doc)
    assert (r.summary["missing"] > 0).all()


def test_two_readings_on_one_compound_line_combine():
    # 002 指标7 (森林覆盖率…): A1 (容差1%) and A2 (首年视为达标) each change part 0; together both hold
    spec = load_spec("shengzhou-2024").with_readings({"A1": "within_1", "A2": "baseline_met"})
    part = spec.line("指标7").rule.parts[0].params()
    assert part["tolerance"] == 1 and part["if_no_previous"] == "met"
    other_order = load_spec("shengzhou-2024").with_readings({"A2": "baseline_met", "A1": "within_1"})
    assert other_order.line("指标7").rule == spec.line("指标7").rule


@pytest.mark.parametrize("doc", DOCS)
def test_every_alternative_reading_changes_the_spec(doc):
    """A reading that changes nothing is not a reading: each alternative changes a line (its rule,
    points, units or leads), a group or a policy, so that some facts score differently.
    """
    spec = load_spec(doc)
    lines = {ln.id: ln for ln in spec.lines}
    # the one registered reading that cannot switch: it would change the list of units, which
    # readings cannot do (dongtou A10: 区委渔农办(农林水利局) as one unit or two)
    cannot = {("dongtou-2017", "A10", "two_units")}
    idle = []
    for amb in spec.ambiguities:
        for name in amb.readings:
            if name == amb.default or (doc, amb.id, name) in cannot:
                continue
            other = spec.with_readings({amb.id: name})
            changed = [ln.id for ln in other.lines if lines.get(ln.id) != ln] or (
                other.groups != spec.groups or other.policies != spec.policies or other.grades != spec.grades)
            if not changed:
                idle.append(f"{amb.id}={name}")
    assert idle == []
