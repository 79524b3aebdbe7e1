"""conditional_trend: the trend asked for depends on whether the target is reached (003 #16, #35)."""

import numpy as np
import pytest

from ecoscore.rules import from_params, get
from ecoscore.rules.base import Outcome
from ecoscore.rules.conditional_trend import ConditionalTrend
from tests.conftest import make_ctx

M, N, X = Outcome.MET, Outcome.NOT_MET, Outcome.MISSING
NAN = np.nan


def test_registered_and_round_trips():
    r = ConditionalTrend(value_label="近岸海域水质优良比例", value_unit="%")
    assert get("conditional_trend") is ConditionalTrend
    assert from_params(r.params()) == r
    assert [f.name for f in r.facts()] == ["value", "target"]
    value, target = r.facts()
    assert value.previous and value.better == "up" and value.required
    assert target.better == "neutral" and target.target_of == "value" and not target.required


def test_reached_must_hold_below_must_improve():
    """已达标地区保持稳定,未达标地区持续改善 (target 20%):

    25 from 24 → reached, not behind → met; 25 from 25 → stable → met;
    25 from 27 → reached but fell 2 → not met, gap 27 − 25 = 2;
    18 from 15 → below, improved 3 → met; 18 from 18 → below, not improved → not met (gap 0: it
    has to do better than 18, by any amount); 18 from 19 → not met, gap 19 − 18 = 1.
    """
    r = ConditionalTrend(value_unit="%")
    c = make_ctx(None, value=[25.0, 25.0, 25.0, 18.0, 18.0, 18.0], target=[20.0] * 6,
                 previous={"value": [24, 25, 27, 15, 18, 19]})
    s = r.score(c)
    assert list(s.outcome) == [M, M, N, M, N, N]
    assert list(s.gap) == pytest.approx([0, 0, 27 - 25, 0, 0, 19 - 18])
    assert list(s.target) == pytest.approx([24, 25, 27, 15, 18, 19])
    assert "已达标" in s.reason[2] and "须保持稳定(不低于上年)" in s.reason[2]
    assert "未达标" in s.reason[4] and "须持续改善(高于上年)" in s.reason[4]


def test_equality_with_the_target_counts_as_reached():
    """20 against a target of 20 is 已达标 (≥): 20 from 20 is met; with ``target_op: '>'`` it is
    未达标 and must improve, so 20 from 20 is not met."""
    c = make_ctx(None, value=[20.0], target=[20.0], previous={"value": [20]})
    assert list(ConditionalTrend().score(c).outcome) == [M]
    assert list(ConditionalTrend(target_op=">").score(c).outcome) == [N]


def test_status_unknown_still_decides_when_both_branches_agree():
    """No target entered: 18 from 15 improved (met on either branch); 18 from 19 fell (not met on
    either); 18 from 18 is met only if reached → 缺数据."""
    c = make_ctx(None, value=[18.0, 18.0, 18.0], target=[NAN] * 3, previous={"value": [15, 19, 18]})
    assert list(ConditionalTrend().score(c).outcome) == [M, N, X]


def test_no_previous_value():
    """No last-year value: the trend is unknown (缺数据) by default, or met / not met by the parameter."""
    c = make_ctx(None, value=[25.0, 18.0], target=[20.0, 20.0], previous={"value": [NAN, NAN]})
    assert list(ConditionalTrend().score(c).outcome) == [X, X]
    assert list(ConditionalTrend(if_no_previous="not_met").score(c).outcome) == [N, N]
    assert list(ConditionalTrend(if_no_previous="met").score(c).outcome) == [M, M]
    # reaching the target is enough under at_target none: 25 is met without last year
    assert list(ConditionalTrend(at_target="none").score(c).outcome) == [M, X]


def test_target_and_stable_is_and():
    """at_target stable, below_target fail: target and not behind (003 #35 read as AND).

    Energy intensity (down, target 0.55 t/万元): 0.52 from 0.54 → met; 0.52 from 0.50 → rose 0.02,
    not met, gap 0.02; 0.56 from 0.60 → fell but above target, not met, gap 0.56 − 0.55 = 0.01;
    0.58 from 0.57 → both missed, gap to the tighter bound 0.58 − 0.55 = 0.03.
    """
    r = ConditionalTrend(direction="down", at_target="stable", below_target="fail", value_unit="吨标准煤/万元")
    c = make_ctx(None, value=[0.52, 0.52, 0.56, 0.58], target=[0.55] * 4,
                 previous={"value": [0.54, 0.50, 0.60, 0.57]})
    s = r.score(c)
    assert list(s.outcome) == [M, N, N, N]
    assert list(s.gap) == pytest.approx([0, 0.02, 0.01, 0.03])
    assert r.label().endswith("且较上年下降或保持稳定")


def test_target_or_stable_is_or():
    """at_target none, below_target stable (003 #35 read as OR): 0.56 from 0.60 (above target,
    fell) → met; 0.52 from 0.50 (within target, rose) → met; 0.58 from 0.57 → neither, gap to
    last year 0.58 − 0.57 = 0.01."""
    r = ConditionalTrend(direction="down", at_target="none", below_target="stable")
    c = make_ctx(None, value=[0.56, 0.52, 0.58], target=[0.55] * 3, previous={"value": [0.60, 0.50, 0.57]})
    s = r.score(c)
    assert list(s.outcome) == [M, M, N]
    assert list(s.gap) == pytest.approx([0, 0, 0.01])
    assert "或较上年下降或保持稳定" in r.label()


def test_status_from_last_year_would_change_nothing():
    """Why there is no "status by last year's value" parameter: with one target the two statuses
    differ only when the value crossed the target, and then both requirements agree.

    Target 20: 19 from 21 (crossed down) → below this year, not improved → not met (by last year's
    status it had to hold, and fell: not met too); 21 from 19 (crossed up) → reached, not behind →
    met (by last year's: below, improved → met too).
    """
    s = ConditionalTrend().score(make_ctx(None, value=[19.0, 21.0], target=[20.0, 20.0],
                                          previous={"value": [21, 19]}))
    assert list(s.outcome) == [N, M]
    assert s.gap[0] == pytest.approx(21 - 19)


def test_fixed_and_category_targets():
    r = ConditionalTrend(target={"by": "类别", "values": {"甲": 20, "乙": 30}})
    c = make_ctx(None, categories={"类别": ["甲", "乙"]}, value=[25.0, 25.0], previous={"value": [26, 24]})
    # 甲: 25 ≥ 20 reached, fell 1 → not met; 乙: 25 < 30 below, improved 1 → met
    assert list(r.score(c).outcome) == [N, M]
    assert [f.name for f in ConditionalTrend(target=20).facts()] == ["value"]


@pytest.mark.parametrize("bad", [
    {"target": None}, {"direction": "sideways"}, {"at_target": "none", "below_target": "fail"},
    {"at_target": "stable", "below_target": "stable"}, {"below_target": "never"},
    {"if_no_previous": "maybe"}, {"target_op": "!="}, {"at_target": "improve"},
])
def test_rejects_parameters_that_say_something_else(bad):
    with pytest.raises(ValueError):
        ConditionalTrend(**bad)
