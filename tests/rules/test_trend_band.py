"""trend_band: a trend against last year with a target, a tolerance and first-year handling (002)."""

import numpy as np
import pytest

from ecoscore.rules import from_params
from ecoscore.rules.base import Outcome
from ecoscore.rules.compliance import Trend
from ecoscore.rules.trend_band import TrendBand
from tests.conftest import make_ctx

M, N, X = Outcome.MET, Outcome.NOT_MET, Outcome.MISSING


@pytest.mark.parametrize("direction", ["up", "down"])
@pytest.mark.parametrize("allow_equal", [True, False])
def test_defaults_behave_like_trend(direction, allow_equal):
    """With every extra parameter at its default the outcomes and gaps are those of ``trend``."""
    c = make_ctx(None, value=[81.0, 80.0, 79.0, 70.0], previous={"value": [80, 80, 80, np.nan]})
    a = Trend(direction=direction, allow_equal=allow_equal).score(c)
    b = TrendBand(direction=direction, allow_equal=allow_equal).score(c)
    assert list(a.outcome) == list(b.outcome)
    assert np.allclose(a.gap[:3], b.gap[:3])


def test_stable_or_improving_has_two_branches():
    """保持稳定或持续改善 (森林覆盖率, 上年 60): 60 stable → met; 61 improved → met; 59.5 → not met, gap 0.5."""
    s = TrendBand(direction="up").score(make_ctx(None, value=[60.0, 61.0, 59.5], previous={"value": [60, 60, 60]}))
    assert list(s.outcome) == [M, M, N]
    assert s.gap[2] == pytest.approx(0.5)


def test_tolerance_relative_and_absolute():
    """A 1% band around 60 accepts 59.4 (−0.6) and refuses 59.3; an absolute band of 0.5 refuses 59.4."""
    c = make_ctx(None, value=[59.4, 59.3], previous={"value": [60, 60]})
    rel = TrendBand(direction="up", tolerance=1, relative=True).score(c)
    assert list(rel.outcome) == [M, N]
    assert rel.gap[1] == pytest.approx(0.1)
    ab = TrendBand(direction="up", tolerance=0.5).score(c)
    assert list(ab.outcome) == [N, N]
    # 下降为好 (PM2.5 30 last year): 30.2 is within a 1% band (0.3), 30.4 is not
    down = TrendBand(direction="down", tolerance=1, relative=True).score(
        make_ctx(None, value=[30.2, 30.4], previous={"value": [30, 30]}))
    assert list(down.outcome) == [M, N]


def test_target_and_trend_both_required():
    """完成上级规定的考核任务,且保持稳定或持续下降 (PM2.5, target 30, last year 29).

    28 → both met; 29.5 → meets the target but rose (not met, gap 0.5); 31 → above target and
    rose (not met, gap 2 = the larger of 1 to the target and 2 to last year); 32 with no last
    year → the target part already fails, so 未达标 not 缺数据; 25 with no last year → 缺数据.
    """
    r = TrendBand(direction="down", target="fact", value_label="PM2.5浓度", value_unit="μg/m3")
    assert [f.name for f in r.facts()] == ["value", "target"]
    c = make_ctx(None, value=[28.0, 29.5, 31.0, 32.0, 25.0], target=[30.0] * 5,
                 previous={"value": [29, 29, 29, np.nan, np.nan]})
    s = r.score(c)
    assert list(s.outcome) == [M, N, N, N, X]
    assert list(s.gap[:4]) == pytest.approx([0, 0.5, 2, 2])
    assert "目标≤30μg/m3(达到)" in s.reason[1] and "趋势未达到" in s.reason[1]
    assert r.label() == "PM2.5浓度≤上级下达的目标值μg/m3,且较上年下降或保持稳定"


def test_target_op_can_differ_from_direction():
    """A floor target with a falling trend (reading A5 of 002): ≥ target and not above last year."""
    r = TrendBand(direction="down", target=80, target_op=">=")
    s = r.score(make_ctx(None, value=[85.0, 79.0, 86.0], previous={"value": [86, 80, 85]}))
    assert list(s.outcome) == [M, N, N]


def test_if_no_previous():
    """Without last year's value the trend part is 缺数据, met, or not met, as the reading says."""
    c = make_ctx(None, value=[5.0], previous={"value": [np.nan]})
    assert TrendBand().score(c).outcome[0] is X
    assert TrendBand(if_no_previous="met").score(c).outcome[0] is M
    assert TrendBand(if_no_previous="not_met").score(c).outcome[0] is N


def test_if_no_value_met_makes_value_optional():
    """不涉及: a blank value is 达标 and the fact is not required; a value given is still judged."""
    r = TrendBand(if_no_value="met", value_label="草原综合植被盖度")
    assert r.facts()[0].required is False and TrendBand().facts()[0].required is True
    s = r.score(make_ctx(None, value=[np.nan, 70.0], previous={"value": [np.nan, 71]}))
    assert list(s.outcome) == [M, N]
    assert "不涉及" in s.reason[0]


def test_strict_decline_and_equal():
    """持续下降: equal is not a decline unless allow_equal."""
    c = make_ctx(None, value=[5.0, 6.0], previous={"value": [6, 6]})
    assert list(TrendBand(direction="down", allow_equal=False).score(c).outcome) == [M, N]
    assert list(TrendBand(direction="down", allow_equal=True).score(c).outcome) == [M, M]


def test_bad_parameters_raise():
    """Unknown directions, policies, operators and a tolerance on a strict trend are refused."""
    for bad in ({"direction": "sideways"}, {"if_no_previous": "maybe"}, {"if_no_value": "zero"},
                {"target_op": "=>"}, {"tolerance": 1, "allow_equal": False}, {"tolerance": -1},
                {"target": "handed down"}):
        with pytest.raises(ValueError):
            from_params({"type": "trend_band", **bad})


def test_round_trips_through_params():
    """params() gives back only non-default parameters and rebuilds the same rule."""
    r = TrendBand(direction="down", tolerance=1, relative=True, target="fact")
    assert from_params(r.params()) == r


def test_applies_if_no_grassland_is_not_applicable():
    """002 7b 草原综合植被盖度*: asked 本地是否有草原. 否 → 不适用 without a value; 是 with 71 against
    上年 70 → met; 是 with a blank value → 缺数据; unanswered with 69 against 70 → not met, gap 1.
    """
    r = TrendBand(direction="up", applies_if="本地是否有草原", value_label="草原综合植被盖度", value_unit="%")
    c = make_ctx(None, value=[np.nan, 71.0, np.nan, 69.0], applies=[False, True, True, None],
                 previous={"value": [np.nan, 70, 70, 70]})
    s = r.score(c)
    assert list(s.outcome) == [Outcome.NOT_APPLICABLE, M, X, N]
    assert s.gap[0] == 0 and s.gap[3] == pytest.approx(70 - 69)
    assert "不适用" in s.reason[0] and "本地没有时请在“本地是否有草原”填“否”" in s.reason[2]
    assert not next(f for f in r.facts() if f.name == "value").required  # the rule says 缺数据 itself


def test_compound_leaves_out_parts_that_do_not_apply():
    """A part 不适用 is left out: 森林覆盖率 met + 草原 不适用 → met; both 不适用 → 不适用."""
    r = from_params({"type": "compound", "mode": "all", "parts": [
        {"type": "trend_band", "direction": "up", "applies_if": "本地是否有森林", "value_label": "森林覆盖率"},
        {"type": "trend_band", "direction": "up", "applies_if": "本地是否有草原", "value_label": "草原综合植被盖度"},
    ]})
    c = make_ctx(None, p0_value=[61.0, np.nan, 59.0], p0_applies=[True, False, True],
                 p1_value=[np.nan, np.nan, np.nan], p1_applies=[False, False, False],
                 previous={"p0_value": [60, np.nan, 60], "p1_value": [np.nan, np.nan, np.nan]})
    s = r.score(c)
    assert list(s.outcome) == [M, Outcome.NOT_APPLICABLE, N]
