"""bar_or_trend: an absolute bar, or else an improvement on last year (003 #15, #34, #39, #53)."""

import numpy as np
import pytest

from ecoscore.rules import from_params
from ecoscore.rules.bar_or_trend import BarOrTrend
from ecoscore.rules.base import Outcome
from tests.conftest import make_ctx

MET, NOT, MISS = Outcome.MET, Outcome.NOT_MET, Outcome.MISSING


def test_bar_or_improvement_beating_the_provincial_average_003_15():
    # "≥85,或逐年提高且提高幅度大于全省平均值" (全省平均提高1.5个百分点)
    # 86 ≥ 85 → met whatever last year; 80 from 77 (+3 > 1.5) → met; 80 from 79 (+1 ≤ 1.5) → not met;
    # 80 from 81 (down) → not met; 80 with no last year → undecided; 80 from 78.5 (+1.5, not greater) → not met
    r = BarOrTrend(target=85, direction="up", beat_reference=True)
    c = make_ctx(None, value=[86.0, 80.0, 80.0, 80.0, 80.0, 80.0], reference=[1.5] * 6,
                 previous={"value": [90, 77, 79, 81, np.nan, 78.5]})
    s = r.score(c)
    assert list(s.outcome) == [MET, MET, NOT, NOT, MISS, NOT]
    assert s.gap[2] == 5 and s.gap[0] == 0  # gap to the bar 85
    assert "全省平均变化幅度1.5" in s.reason[1] and s.reason[1].endswith("达标")
    assert [f.name for f in r.facts()] == ["value", "reference"]
    assert r.facts()[0].previous and not r.facts()[1].required


def test_reference_only_needed_when_the_bar_is_missed():
    # a unit over the bar needs no provincial average; a unit under it that improved does
    r = BarOrTrend(target=85, beat_reference=True)
    s = r.score(make_ctx(None, value=[90.0, 80.0, 80.0], reference=[np.nan, np.nan, np.nan],
                         previous={"value": [80, 77, 82]}))
    # third unit went down: fails whatever the reference
    assert list(s.outcome) == [MET, MISS, NOT]


def test_down_with_fact_target_003_15_v_class():
    # "≤全省平均值,或逐年下降": 全省平均 3.0; 2.5 → met; 4 from 5 → met (down); 4 from 4 → not met (持平不算)
    r = from_params({"type": "bar_or_trend", "target": "fact", "direction": "down", "target_label": "全省平均值"})
    assert r.op == "<="
    c = make_ctx(None, value=[2.5, 4.0, 4.0], target=[3.0, 3.0, 3.0], previous={"value": [2.0, 5.0, 4.0]})
    assert list(r.score(c).outcome) == [MET, MET, NOT]
    eq = BarOrTrend(target="fact", direction="down", allow_equal=True)
    assert eq.score(c).outcome[2] is MET
    # the target is optional: improvement alone decides when the provincial average is missing
    c2 = make_ctx(None, value=[4.0, 4.0], target=[np.nan, np.nan], previous={"value": [5.0, 3.0]})
    assert list(r.score(c2).outcome) == [MET, MISS]
    assert not [f for f in r.facts() if f.name == "target"][0].required


def test_strictly_above_average_003_53():
    # "高于全省平均值或逐年上升": 86 > 85.5 met; 85.5 = 85.5 not above, but up from 84 → met;
    # 85.5 from 85.5 → not met
    r = BarOrTrend(target="fact", target_op=">", direction="up")
    c = make_ctx(None, value=[86.0, 85.5, 85.5], target=[85.5] * 3, previous={"value": [90, 84, 85.5]})
    assert list(r.score(c).outcome) == [MET, MET, NOT]


def test_change_as_rate_003_34():
    # "≤31,或逐年下降且下降幅度高于全省平均值": 33 from 35 is a fall of 2/35 = 5.71%;
    # provincial average fall 4% → met as a rate, not met as a difference (2 < 4)
    c = make_ctx(None, value=[33.0], reference=[4.0], reference_rate=[4.0], previous={"value": [35.0]})
    rate = BarOrTrend(target=31, direction="down", beat_reference=True, change="rate")
    diff = BarOrTrend(target=31, direction="down", beat_reference=True, change="diff")
    assert rate.score(c).outcome[0] is MET
    assert diff.score(c).outcome[0] is NOT
    assert "下降5.71%" in rate.score(c).reason[0]
    # each way of measuring reads its own reference: a rate never reads the difference's column
    assert [f.name for f in rate.facts()] == ["value", "reference_rate"]
    only_diff = make_ctx(None, value=[33.0], reference=[1.0], reference_rate=[np.nan], previous={"value": [35.0]})
    assert rate.score(only_diff).outcome[0] is Outcome.MISSING and diff.score(only_diff).outcome[0] is MET


def test_if_no_previous():
    c = make_ctx(None, value=[80.0, 90.0], previous={"value": [np.nan, np.nan]})
    assert list(BarOrTrend(target=85).score(c).outcome) == [MISS, MET]
    assert list(BarOrTrend(target=85, if_no_previous="not_met").score(c).outcome) == [NOT, MET]
    assert list(BarOrTrend(target=85, if_no_previous="met").score(c).outcome) == [MET, MET]


def test_label_and_params_round_trip():
    r = BarOrTrend(target=85, beat_reference=True, reference_label="全省平均提高幅度", value_label="III类比例", value_unit="%")
    assert r.label() == "III类比例≥85%,或较上年提高且提高幅度大于全省平均提高幅度"
    assert from_params(r.params()) == r


@pytest.mark.parametrize("bad", [
    {"target": None}, {"target": 85, "direction": "sideways"}, {"target": 85, "change": "log"},
    {"target": 85, "if_no_previous": "maybe"}, {"target": 85, "target_op": "=>"}, {"target": "nope"},
])
def test_bad_parameters(bad):
    with pytest.raises(ValueError):
        BarOrTrend(**bad)
