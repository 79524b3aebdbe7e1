"""Every plain-number fact is checked against its domain (``ecoscore.spec.domains``): a rate
within 0–100 (a fraction typed by mistake is named with its fix), a count whole, and no
non-finite or absurd magnitude gets through to scoring.
"""

from __future__ import annotations

import pytest

from ecoscore.errors import FactsError
from ecoscore.facts import load_facts
from ecoscore.facts.validate import FRACTION, TOO_BIG
from ecoscore.spec import load_spec
from tests.conftest import FIXTURES

DOC = FIXTURES / "department_doc.yaml"
HEAD = "unit,1:value,2:value,3:p0_value,3:p1_value,任务1:completion\n"


def problems(tmp_path, row: str, doc=DOC, head=HEAD) -> list[tuple[str, str]]:
    p = tmp_path / "facts.csv"
    p.write_text(head + row, encoding="utf-8")
    with pytest.raises(FactsError) as e:
        load_facts(load_spec(doc), p)
    return [(q.expected, q.found) for q in e.value.problems]


def test_a_rate_typed_as_a_plain_number_stays_within_0_to_100(tmp_path):
    # 1:value is 优良天数比例 in % (a plain number fact): 120 is no rate
    got = problems(tmp_path, "本县,120,72,96,90,60\n")
    assert any(exp == "0至100之间的百分数" and found == "120" for exp, found in got), got


@pytest.mark.parametrize(("typed", "expected"), [("1e999", TOO_BIG), ("1e308", TOO_BIG), ("-1e13", TOO_BIG)])
def test_non_finite_and_absurd_figures_are_refused(tmp_path, typed, expected):
    got = problems(tmp_path, f"本县,{typed},72,96,90,60\n")
    assert any(exp == expected and found == typed for exp, found in got), got


def test_a_fraction_for_a_rate_is_named_with_its_fix(tmp_path):
    # 003 指标3 生态文明建设工作占党政实绩考核的比例 (%, plausible 24.5–30): 0.28 is 28% typed as a fraction
    head = "unit,指标3:value\n"
    got = problems(tmp_path, "舟山市,0.28\n", doc="zhoushan-2020", head=head)
    assert any(exp == FRACTION and found == "0.28" for exp, found in got), got


def test_figures_in_their_domain_pass(tmp_path):
    p = tmp_path / "facts.csv"
    p.write_text(HEAD + "本县,83,72,96,90,60\n", encoding="utf-8")
    facts, _ = load_facts(load_spec(DOC), p)
    assert facts.at["本县", "1:value"] == 83


@pytest.mark.parametrize("typed", ["二〇二四", "二〇二四年", "二零二四年度"])
def test_a_year_in_chinese_numerals_is_read(tmp_path, typed):
    p = tmp_path / "facts.csv"
    p.write_text("year," + HEAD + f"{typed},本县,83,72,96,90,60\n", encoding="utf-8")
    facts, _ = load_facts(load_spec(DOC), p)
    assert facts.at["本县", "1:value"] == 83  # the row is kept, not dropped
