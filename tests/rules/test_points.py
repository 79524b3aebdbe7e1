"""Point rules, with worked examples taken from the documents' own words."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoscore.rules import from_params, get, known
from ecoscore.rules.base import Outcome
from ecoscore.rules.points import (
    Counted,
    GradePoints,
    ImprovementTiers,
    Lateness,
    Manual,
    Piecewise,
    Proportional,
    Shortfall,
    StriveEnsure,
    TargetDelta,
    Threshold,
    YesNo,
)


def test_unknown_rule_type_lists_the_known_ones():
    with pytest.raises(KeyError) as e:
        get("no_such_rule")
    for name in ("threshold", "counted", "cohort_rank"):
        assert name in str(e.value)
    assert "threshold" in known()


def test_rule_round_trips_through_params_and_prints():
    r = from_params({"type": "threshold", "op": "<", "target": "fact", "value_label": "降尘量"})
    assert from_params(r.params()) == r
    assert str(r) == "threshold: 降尘量<上级下达的目标值"


def test_threshold_points_004_er_4(ctx):
    # 004 二.4 降尘量: 低于考核目标值得20分,高于考核目标值不得分 (target 4.5 t/km²·month)
    c = ctx(20, value=[4.0, 5.0, 4.5], target=[4.5, 4.5, 4.5])
    s = Threshold(op="<", target="fact", value_label="降尘量").score(c)
    assert list(s.points) == [20, 0, 0]  # 4.0<4.5 → 20; 5.0 → 0; equal is not "低于" under op "<"
    assert s.outcome[0] is Outcome.FULL and s.outcome[1] is Outcome.ZERO


def test_threshold_compliance_gap_and_category_target(ctx):
    # 003 森林覆盖率: 山区 ≥70, 丘陵区 ≥40
    c = ctx(None, value=[45.0, 45.0], categories={"地形": ["丘陵区", "山区"]})
    r = Threshold(op=">=", target={"by": "地形", "values": {"山区": 70, "丘陵区": 40}}, value_label="森林覆盖率",
                  value_unit="%")
    s = r.score(c)
    assert [o for o in s.outcome] == [Outcome.MET, Outcome.NOT_MET]
    assert s.gap[1] == 25  # 70 − 45
    assert "差距25个百分点" in s.reason[1]  # a rate: the gap is in percentage points
    assert np.isnan(s.points).all()


def test_yes_no(ctx):
    s = YesNo(question="是否纳入综合考评").score(ctx(5, done=[True, False]))
    assert list(s.points) == [5, 0]
    assert s.reason[0] == "是否纳入综合考评:是,得5分"


def test_piecewise_drinking_water_004_yi_4(ctx):
    # 004 一.4(1): 达标率100%得10分;低于90%得0分;90%–100% linear: 95% → 10 × (95−90)/10 = 5
    r = Piecewise(breakpoints=[[90, 0], [100, 1]], value_label="达标率", value_unit="%")
    s = r.score(ctx(10, value=[100.0, 95.0, 89.0, 90.0]))
    assert list(s.points) == [10, 5, 0, 0]


def test_piecewise_jump_004_san_12_2(ctx):
    # 004 三.12(2): 增长得满分(10);持平得80%(8);降低20%得零分;−20%~0 按比例: −10% → 4
    r = Piecewise(breakpoints=[[-20, 0], [0, 0.8], [0, 1]], value_label="财政投入同比")
    s = r.score(ctx(10, value=[5.0, 0.0, -10.0, -25.0]))
    assert list(s.points) == [10, 8, 4, 0]


def test_strive_ensure_004_er_2(ctx):
    # 004 二.2: 力争95 → 60; 确保90 → 54; 92.5 is midway → 54 + 6 × 0.5 = 57
    # 85%: 5 points short of 确保值, all below 90% → 2 × 5 = 10 → 54 − 10 = 44
    # 确保值 93, value 89: short 4, of which 93→90 = 3 points at ≥90% (1 each) + 1 below (2) → 5 → 49
    c = ctx(60, value=[96, 92.5, 85, 89], strive=[95, 95, 95, 97], ensure=[90, 90, 90, 93])
    s = StriveEnsure().score(c)
    assert list(s.points) == [60, 57, 44, 49]
    assert "扣5分" in s.reason[3]
    s2 = StriveEnsure(penalty_from="max").score(c)
    assert s2.points[2] == 50  # 60 − 10


def test_strive_ensure_floor(ctx):
    s = StriveEnsure().score(ctx(60, value=[10], strive=[95], ensure=[90]))
    assert s.points[0] == 0  # 扣完为止


def test_target_delta_004_er_3(ctx):
    # 004 二.3 PM10 target 60: 58 → 16 + 2×2 = 20 (cap 20); 59.5 → 16 + 1 = 17;
    # 61 → 16 − 3 = 13; 70 → 16 − 30 → 0 (扣完为止)
    s = TargetDelta().score(ctx(20, value=[58, 59.5, 61, 70, 50], target=[60] * 5))
    assert list(s.points) == [20, 17, 13, 0, 20]


def test_counted_004_yi_1_with_waiver_and_bonus(ctx):
    # 004 一.1 (100分): 不达标每月次扣5分, 劣Ⅴ类每月次扣10分, 年均值达标则月度扣分免扣,
    # 升类每个断面加5分, 加分不超过20分.
    r = Counted(
        items=[
            {"name": "months", "label": "不达标", "points": -5, "unit": "月次", "waivable": True},
            {"name": "worst", "label": "反弹为劣Ⅴ类", "points": -10, "unit": "月次", "waivable": True},
            {"name": "up", "label": "升类断面", "points": 5, "unit": "个", "cap": 20},
        ],
        waive_if="年均值达到年度目标",
        ceiling=None,
    )
    c = ctx(100, months=[2, 2, 0, 30], worst=[1, 1, 0, 0], up=[0, 0, 5, 0], waived=[False, True, False, False])
    s = r.score(c)
    # unit 1: 100 − 2×5 − 1×10 = 80; unit 2: waived → 100; unit 3: 100 + min(25, 20) = 120;
    # unit 4: 100 − 150 → 0 (扣完为止)
    assert list(s.points) == [80, 100, 120, 0]
    assert s.reason[0] == "不达标2月次,每月次扣5分,扣10分;反弹为劣Ⅴ类1月次,每月次扣10分,扣10分,得80分"
    assert "免扣" in s.reason[1]
    assert "扣完为止" in s.reason[3]


def test_counted_bonus_item_with_cap_and_direct(ctx):
    # 000 附加分: 出台一个支持政策加1分; 受党中央国务院肯定每项加2分 (line cap 5)
    r = Counted(items=[{"name": "policy", "label": "出台支持政策", "points": 1, "unit": "个"},
                       {"name": "praise", "label": "受党中央、国务院肯定", "points": 2, "unit": "项"}], start=0)
    s = r.score(ctx(5, policy=[1, 3, 0], praise=[1, 2, 0]))
    assert list(s.points) == [3, 5, 0]  # 1+2; 3+4=7 → cap 5; none
    assert s.outcome[2] is Outcome.NO_BONUS


def test_counted_deduction_item_direct_points(ctx):
    # 004 四(二)5: 根据后果的严重性单项单次扣2-5分 (analyst enters the points)
    r = Counted(items=[{"name": "pts", "label": "负面报道", "points": -1, "direct": True}], start=0, floor=None,
                ceiling=0)
    s = r.score(ctx(0, pts=[3.5, 0]))
    assert list(s.points) == [-3.5, 0]
    assert s.outcome[0] is Outcome.DEDUCTED


def test_grade_points_004_yi_2_1(ctx):
    table = {"优秀": 60, "良好": 45, "合格": 30, "不合格但至少一项合格": 10, "所有指标不合格": 0}
    s = GradePoints(table=table).score(ctx(60, grade=["良好", "所有指标不合格", "差"]))
    assert list(s.points[:2]) == [45, 0]
    assert s.outcome[2] is Outcome.MISSING


def test_improvement_tiers_per_indicator_and_grade_up(ctx):
    tiers = [{"low": 0, "high": 20, "points": 2, "include_low": False, "include_high": True},
             {"low": 20, "high": 50, "points": 3, "include_low": False, "include_high": True},
             {"low": 50, "high": None, "points": 5, "include_low": False}]
    r = ImprovementTiers(indicators=["高锰酸盐指数", "氨氮", "总磷"], tiers=tiers, grade_up_points=10)
    c = ctx(10, improve_0=[20, 60, 10], improve_1=[30, 0, 0], improve_2=[-5, 55, 0], grade_up=[False, False, True])
    s = r.score(c)
    # unit 1: 20% → 2 (up to 20%), 30% → 3, −5% → 0: 5
    # unit 2: 60% → 5, 0 → 0, 55% → 5: 10 (cap 10)
    # unit 3: grade up → 10 instead of improvement points
    assert list(s.points) == [5, 10, 10]
    once = ImprovementTiers(indicators=["高锰酸盐指数", "氨氮", "总磷"], tiers=tiers, per_indicator=False)
    assert once.score(c).points[0] == 3  # best single indicator only


def test_proportional_negative_growth(ctx):
    # 004 三.12(1): 完成年增长10%满分(10); 零增长不得分; 5% → 5; −5% → −5 if allowed
    r = Proportional(target=10, value_label="投资增长", allow_negative=True)
    s = r.score(ctx(10, value=[12, 5, 0, -5]))
    assert list(s.points) == [10, 5, 0, -5]
    assert Proportional(target=10).score(ctx(10, value=[-5])).points[0] == 0


def test_shortfall_stepwise_and_pro_rata(ctx):
    # 004 三.16(8)②: 审核率未达到100%的,每少5%,扣1.5分 (max 5): 88% → 12% short
    stepwise = Shortfall(step=5, per_step=1.5, stepwise=True).score(ctx(5, value=[88.0]))
    assert stepwise.points[0] == pytest.approx(2.0)  # 2 whole steps → 3 deducted
    pro_rata = Shortfall(step=5, per_step=1.5).score(ctx(5, value=[88.0]))
    assert pro_rata.points[0] == pytest.approx(1.4)  # 12/5 × 1.5 = 3.6 deducted
    # 004 三.13(5): 每下降1个百分点扣0.5分 (max 5): 96% → 5 − 2 = 3
    assert Shortfall(per_step=0.5).score(ctx(5, value=[96.0])).points[0] == 3


def test_lateness_004_san_16_7(ctx):
    # 5 points: on time 5; 15 days → lose 50% × 15/30 = 25% → 3.75; 30 days → 2.5; 31 → 1 (−80%)
    s = Lateness().score(ctx(5, days_late=[0, 15, 30, 31]))
    assert list(s.points) == pytest.approx([5, 3.75, 2.5, 1])


def test_manual_deduct_and_award(ctx):
    s = Manual(mode="deduct").score(ctx(5, points=[1.5, 0.0], note=["材料不全", None]))
    assert list(s.points) == [3.5, 5]
    assert s.reason[0] == "人工评定得3.5分(理由:材料不全)"
    assert Manual(mode="award").score(ctx(4, points=[9.0], note=[""])).points[0] == 4  # clipped to max


finite = st.floats(min_value=-200, max_value=200, allow_nan=False)


@given(st.lists(finite, min_size=2, max_size=8))
def test_target_delta_floor_cap_and_monotone(values):
    v = np.array(values)
    from tests.conftest import make_ctx

    s = TargetDelta().score(make_ctx(20, value=v, target=np.full(len(v), 50.0)))
    assert (s.points >= 0).all() and (s.points <= 20).all()
    order = np.argsort(-v)  # higher concentration is worse: points must not increase
    assert (np.diff(s.points[order]) >= -1e-9).all()


@given(st.lists(st.floats(min_value=0, max_value=100), min_size=2, max_size=8),
       st.floats(min_value=80, max_value=95))
def test_strive_ensure_floor_cap_and_monotone(values, ensure):
    from tests.conftest import make_ctx

    v = np.array(values)
    n = len(v)
    s = StriveEnsure().score(make_ctx(60, value=v, strive=np.full(n, ensure + 3), ensure=np.full(n, ensure)))
    assert (s.points >= 0).all() and (s.points <= 60).all()
    order = np.argsort(v)
    assert (np.diff(s.points[order]) >= -1e-9).all()


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6))
def test_counted_deductions_floor_and_monotone(counts):
    from tests.conftest import make_ctx

    c = np.array(counts, dtype=float)
    r = Counted(items=[{"name": "n", "label": "问题", "points": -2.5}])
    s = r.score(make_ctx(10, n=c))
    assert (s.points >= 0).all() and (s.points <= 10).all()
    order = np.argsort(c)
    assert (np.diff(s.points[order]) <= 1e-9).all()  # more occurrences never score more


@given(st.lists(st.floats(min_value=-50, max_value=150), min_size=1, max_size=6))
def test_piecewise_and_shortfall_stay_in_range(values):
    from tests.conftest import make_ctx

    v = np.array(values)
    for rule in (Piecewise(breakpoints=[[90, 0], [100, 1]]), Shortfall(per_step=0.5)):
        s = rule.score(make_ctx(10, value=v))
        assert (s.points >= 0).all() and (s.points <= 10).all()
        order = np.argsort(v)
        assert (np.diff(s.points[order]) >= -1e-9).all()


def test_manual_penalty_on_a_deduction_line(ctx):
    s = Manual(mode="penalty").score(ctx(5, points=[2.0, 0.0], note=["约谈", None]))
    assert list(s.points) == [-2, 0]
    assert s.outcome[0] is Outcome.DEDUCTED


def test_counted_waiver_only_needed_when_something_could_be_waived(ctx):
    r = Counted(items=[{"name": "months", "label": "不达标", "points": -5, "unit": "月次", "waivable": True}],
                waive_if="年均值达到年度目标")
    s = r.score(ctx(100, months=[0, 2], waived=[None, None]))
    assert s.points[0] == 100 and s.outcome[0] is Outcome.FULL  # nothing to waive: the answer is not needed
    assert s.outcome[1] is Outcome.MISSING


def test_which_way_is_better_follows_the_parameters():
    # "≤35" is better low; a deduction item better rare, a bonus item better often; a
    # manual figure is a deduction unless it awards; a grade table lists grades best first
    def better(rule):
        return {f.name: f.better for f in rule.facts()}

    assert better(Threshold(op="<=", target="fact")) == {"value": "down", "target": "neutral"}
    assert Threshold(target="fact").facts()[1].target_of == "value"
    items = [{"name": "fine", "label": "罚", "points": -2}, {"name": "prize", "label": "奖", "points": 1}]
    assert better(Counted(items=items, waive_if="免扣")) == {"fine": "down", "prize": "up", "waived": "up"}
    assert better(Manual(mode="deduct"))["points"] == better(Manual(mode="penalty"))["points"] == "down"
    assert better(Manual(mode="award")) == {"points": "up", "note": "neutral"}
    assert better(Piecewise(breakpoints=[[0, 1], [10, 0]])) == {"value": "down"}
    assert GradePoints(table={"合格": 1, "优秀": 3, "良好": 2}).facts()[0].choices == ("优秀", "良好", "合格")


def test_counted_items_with_a_default_go_on_the_events_sheet():
    r = Counted(start=0, items=[
        {"name": "found", "label": "被查处", "points": -1, "default": 0},
        {"name": "judged", "label": "视情扣分", "points": -1, "direct": True, "cap": 3, "default": 0},
        {"name": "rated", "label": "年度评定扣分", "points": -1},
    ])
    assert [(e.name, e.direct, e.points, e.cap) for e in r.event_items()] == [
        ("found", False, -1.0, None), ("judged", True, -1.0, 3)]
    assert r.measure() is None and Lateness().measure() == "days_late" and YesNo().measure() == "done"


def test_counted_bonus_after_floor_004_yi_1(ctx):
    # 004 一.1: "扣分扣完为止" then "每个断面加5分,加分不超过20分": the floor comes first
    items = [{"name": "months", "label": "不达标", "points": -5, "unit": "月次"},
             {"name": "up", "label": "升类断面", "points": 5, "unit": "个", "cap": 20}]
    c = ctx(100, months=[24, 2], up=[2, 1])
    after = Counted(items=items, ceiling=None, bonus_after_floor=True).score(c)
    netted = Counted(items=items, ceiling=None).score(c)
    # 100 − 120 → 0, then + 10 = 10 (netting: 100 − 120 + 10 → 0); 100 − 10 + 5 = 95 either way
    assert list(after.points) == [10, 95]
    assert list(netted.points) == [0, 95]
    assert "扣完为止,再计加分" in after.reason[0]


def test_counted_combine_max_counts_the_largest_item_only(ctx):
    # 004 三.16(4)① read as "整体工作未按时完成则扣2分" replacing the per-stage 0.5s
    items = [{"name": "stages", "label": "阶段性要求", "points": -0.5, "unit": "项"},
             {"name": "overall", "label": "整体未按时完成", "points": -2, "unit": "项"}]
    r = Counted(items=items, start=0, floor=None, ceiling=0, combine="max")
    s = r.score(ctx(5, stages=[2, 6, 3], overall=[1, 1, 0]))
    # max(1, 2) = 2; max(3, 2) = 3; 1.5 alone
    assert list(s.points) == [-2, -3, -1.5]
    assert "不另计" in s.reason[0]
    with pytest.raises(ValueError):
        Counted(items=items, combine="min")


def test_strive_ensure_reduced_by_value_004_er_2(ctx):
    # 004 二.2 with 确保值 92: 89% is 3 points short
    c = ctx(60, value=[89, 91], strive=[95, 95], ensure=[92, 92])
    split = StriveEnsure().score(c)
    by_value = StriveEnsure(reduced_by="value").score(c)
    # split: 2 points (92→90) × 1 + 1 point (90→89) × 2 = 4 → 50; 91%: 1 × 1 → 53
    assert list(split.points) == [50, 53]
    # by value: 89% < 90% → 3 × 2 = 6 → 48; 91% ≥ 90% → 1 × 1 → 53
    assert list(by_value.points) == [48, 53]


def test_manual_all_or_nothing(ctx):
    # 004 三.8(1) (12分) read as done or not: any deduction entered loses the line
    c = ctx(12, points=[0, 3, 12], note=["", "未按时节点完成", ""])
    assert list(Manual(mode="deduct").score(c).points) == [12, 9, 0]
    s = Manual(mode="deduct", all_or_nothing=True).score(c)
    assert list(s.points) == [12, 0, 0]
    assert "未全面完成不得分" in s.reason[1]


def test_piecewise_whole_steps_004_si_yi_4(ctx):
    # 004 四(一)4: 5个百分点以内每增加1个点加0.5分 (line 5分: 5 points → 2.5, 7.5 → 5)
    bp = [[0, 0], [5, 0.5], [7.5, 1]]
    c = ctx(5, value=[2.5, 6.4])
    assert list(Piecewise(breakpoints=bp).score(c).points) == pytest.approx([1.25, 3.9])
    # whole points only: 2 → 1; 6 → 2.5 + 1 = 3.5
    assert list(Piecewise(breakpoints=bp, step=1).score(c).points) == pytest.approx([1, 3.5])
