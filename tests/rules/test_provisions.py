"""The 004-specific rules: provision, quota_shortfall, target_or_assessed."""

import pytest

from ecoscore.rules.base import Outcome
from ecoscore.rules.provisions import GatedAward, Provision, QuotaShortfall, TargetOrAssessed
from tests.conftest import make_ctx


def test_provision_base_and_note():
    # 三.18 (25分): a base from which ①②③ deduct
    s = Provision(award="full").score(make_ctx(25, dummy=[0.0, 0.0]))
    assert list(s.points) == [25, 25]
    assert s.outcome[0] is Outcome.FULL
    note = Provision(explain="交界断面水质考核总加分不超过10分").score(make_ctx(None, dummy=[0.0]))
    assert note.outcome[0] is Outcome.NOT_APPLICABLE
    assert note.reason[0] == "本款不单独计分(交界断面水质考核总加分不超过10分)"


def test_quota_shortfall_004_san_13_5():
    # 三.13(5) (5分): 江干区 400亩; 完成 392亩 = 98% → 2个百分点 × 0.5 = 1 → 4分;
    # 完成 420亩 → 满分; 300亩 = 75% → 25 × 0.5 = 12.5 → 扣完为止 0
    r = QuotaShortfall(target="fact", per_step=0.5, value_label="新增绿化面积", value_unit="亩")
    s = r.score(make_ctx(5, value=[392.0, 420.0, 300.0], target=[400.0, 400.0, 400.0]))
    assert list(s.points) == pytest.approx([4, 5, 0])
    assert "完成率98%" in s.reason[0]


def test_target_or_assessed_004_er_1():
    # 二.1 PM2.5 (100分): 达到力争目标值即得满分, otherwise the 发改委 method's points
    r = TargetOrAssessed(op="<=", target="fact", method="市发改委考核办法", value_label="PM2.5年均浓度")
    c = make_ctx(100, value=[30.0, 36.0, 36.0], target=[33.0, 33.0, 33.0], assessed=[None, 85.0, None])
    s = r.score(c)
    assert list(s.points[:2]) == [100, 85]
    assert s.outcome[2] is Outcome.MISSING


def test_assessed_points_are_better_high_whichever_way_the_value_is():
    facts = {f.name: f.better for f in TargetOrAssessed(op="<=").facts()}
    assert facts == {"value": "down", "target": "neutral", "assessed": "up"}
    assert TargetOrAssessed(value_unit="微克/立方米").measure_unit() == "微克/立方米"


def test_gated_award_004_si_yi_7():
    # 004 四(一)7: 投资增长10%以上的,根据完成情况酌情加分,最高不超过5分
    c = make_ctx(5, value=[10.0, 9.9, 20.0, 12.0], points=[3.0, 4.0, 7.0, float("nan")], note=["", "", "", ""])
    s = GatedAward(op=">=", target=10, value_label="增长率", value_unit="%").score(c)
    # 10 ≥ 10 → 3; 9.9 < 10 → 0; 7 entered → at most 5; eligible but nothing entered → 缺数据
    assert list(s.points[:3]) == [3, 0, 5]
    assert s.outcome[3] is Outcome.MISSING and s.outcome[1] is Outcome.NO_BONUS
    assert "不符合加分条件" in s.reason[1]
    assert list(GatedAward(op=">", target=10).score(c).points[:1]) == [0]
