"""Grading policies (ecoscore.rules.policies), worked by hand on 丽水 2024 (seed 000).

说明: "考核得分90分以上可评为优秀,80分以上可评为良好,70分以上可评为合格,70分以下为不合格。对于重点单位,
……我市获得省考优秀、各重点单位完成年度工作目标、达到良好等级且无否优事项,可以晋级为优秀。对于非重点单位,
原则上考核不定档,赋予平均分,根据任务完成情况给予加减分;工作成效突出的,可适当考虑一定的优秀名额"
"""

import pytest

from ecoscore import load_spec, score
from ecoscore.rules.policies import known_policies, policy_facts, sections_that_count
from ecoscore.scoring.rollup import SUMMARY_COLUMNS
from tests.spec.documents.test_lishui_2024 import (
    perfect,  # the same "full marks" facts the spec tests use
)

DOC = "lishui-2024"
COUNTIES = [f"三.1:grade_{k}" for k in range(1, 10)]
PROVINCE = "@key_unit_promotion:province_excellent"
NO_VETO = "@key_unit_promotion:no_veto"


@pytest.fixture(scope="module")
def spec():
    return load_spec(DOC)


# 市发改委 (key) at 88: 一 80 (all ten tasks done); 二.1 = 2, 二.2 = 4, 二.3 = 4 − 4 = 0 → 二 = 6;
# 三: nine counties 合格 → 1, 市美丽办 合格 → 1 → 三 = 2.  80 + 6 + 2 = 88 → 良好.
AT_88 = {
    "二.1:points": {"市发改委": 2},
    "二.3:provincial": {"市发改委": 4},
    **{c: {"市发改委": "合格"} for c in COUNTIES},
    "三.2:grade": {"市发改委": "合格"},
}


def test_policies_registered_with_their_facts():
    assert {"grade_bands", "key_unit_promotion", "non_key_average"} <= set(known_policies())
    keys = [k for k, _ in policy_facts({"type": "key_unit_promotion"})]
    assert keys == [PROVINCE, NO_VETO]
    more = [k for k, _ in policy_facts({"type": "key_unit_promotion", "goal": "fact", "require_approval": True})]
    assert more == [PROVINCE, NO_VETO, "@key_unit_promotion:goal_done", "@key_unit_promotion:approved"]
    assert [k for k, _ in policy_facts({"type": "non_key_average"})] == ["@non_key_average:outstanding"]


def test_summary_columns_intact(spec):
    r = score(spec, perfect(spec, **AT_88))
    assert list(r.summary.columns) == SUMMARY_COLUMNS
    r = score(spec, None)  # no facts at all: policies still run
    assert list(r.summary.columns) == SUMMARY_COLUMNS


# --- key-unit promotion -------------------------------------------------------------------


def test_key_unit_promoted_from_good_to_excellent(spec):
    s = score(spec, perfect(spec, **AT_88)).unit_summary("市发改委")
    # 88 → 良好 by the bands; 省考优秀 ✓, 一 = 80/80 ✓, 良好 ✓, 无否优事项 ✓ → 优秀; total unchanged
    assert s["total"] == 88
    assert s["grade"] == "优秀"
    assert "由良好晋级为优秀" in s["verdict"]
    assert "完成年度工作目标(一得80/80分)" in s["verdict"]


def test_city_fact_entered_once_is_enough(spec):
    f = perfect(spec, **AT_88)
    f[PROVINCE] = None
    f.loc["市审计局", PROVINCE] = "是"  # entered on one row only
    assert score(spec, f).unit_summary("市发改委")["grade"] == "优秀"


@pytest.mark.parametrize("change, why", [
    # 否 on 市发改委's row, 是 on the others: the city-wide fact disagrees with itself
    ({PROVINCE: {"市发改委": "否"}}, "“我市获得省考优秀”各行填报不一致"),
    ({NO_VETO: {"市发改委": "否"}}, "有否优事项"),
    ({NO_VETO: {"市发改委": None}}, "缺少“无否优事项”数据"),
    # one 15-point task 90% done: 一 = 80 − 1.5 = 78.5; total 86.5, still 良好 but goals not met
    ({"附件3-1.2:completion": {"市发改委": 90}}, "未完成年度工作目标(一得78.5/80分:附件3-1.2部分得分"),
])
def test_promotion_refused_when_a_condition_fails(spec, change, why):
    s = score(spec, perfect(spec, **AT_88, **change)).unit_summary("市发改委")
    assert s["grade"] == "良好"
    assert "重点单位未晋级优秀" in s["verdict"]
    assert why in s["verdict"]


def test_promotion_refused_when_city_not_excellent(spec):
    f = perfect(spec, **AT_88)
    f[PROVINCE] = "否"
    s = score(spec, f).unit_summary("市发改委")
    assert s["grade"] == "良好" and "我市未获得省考优秀" in s["verdict"]


def test_only_good_key_units_are_promoted(spec):
    # 市发改委 with 附件3-1.2 and 1.3 (15分 each) at 0%: 一 = 80 − 15 − 15 = 50; + 12 + 8 = 70
    # → 合格; only 良好 can be promoted
    f = perfect(spec, **{"附件3-1.2:completion": {"市发改委": 0}, "附件3-1.3:completion": {"市发改委": 0}})
    s = score(spec, f).unit_summary("市发改委")
    assert s["total"] == 70 and s["grade"] == "合格" and "晋级" not in s["verdict"]
    # a non-key unit at 良好 is never promoted: its grade is 不定档
    g = perfect(spec, **{"二.1:points": {"市审计局": 0}, "二.3:provincial": {"市审计局": 4}})
    assert score(spec, g).unit_summary("市审计局")["grade"] == "不定档"


def test_all_key_units_reading(spec):
    f = perfect(spec, **AT_88, **{"附件3-13.1:completion": {"市林业局": 50}})
    # per unit (default): 市发改委 completed its own goals → 优秀
    assert score(spec, f).unit_summary("市发改委")["grade"] == "优秀"
    # P1=all_key_units: 市林业局 (key) did not complete → nobody is promoted
    s = score(spec, f, readings={"P1": "all_key_units"}).unit_summary("市发改委")
    assert s["grade"] == "良好"
    assert "并非各重点单位均完成年度工作目标(未完成:市林业局)" in s["verdict"]


def test_goal_as_analyst_fact_reading(spec):
    f = perfect(spec, **AT_88, **{"附件3-1.2:completion": {"市发改委": 90}})
    assert score(spec, f).unit_summary("市发改委")["grade"] == "良好"
    f["@key_unit_promotion:goal_done"] = "是"  # 市美丽办 judges the goals met despite 90%
    s = score(spec, f, readings={"P2": "fact"}).unit_summary("市发改委")
    assert s["grade"] == "优秀" and "完成年度工作目标(分析人员认定)" in s["verdict"]


def test_approval_reading(spec):
    f = perfect(spec, **AT_88)
    s = score(spec, f, readings={"P3": "approval"}).unit_summary("市发改委")
    assert s["grade"] == "良好" and "未经研究同意晋级" in s["verdict"]
    f["@key_unit_promotion:approved"] = "是"
    assert score(spec, f, readings={"P3": "approval"}).unit_summary("市发改委")["grade"] == "优秀"


# --- non-key units: average score, adjusted by task completion -----------------------------

# Key units: twelve at 100, 市发改委 at 87 (二.1 = 1, 二.3 = 0 → 二 = 5; 三 = 2; 80 + 5 + 2 = 87).
# Non-key: twelve at 100, 市审计局 with 附件3-22.3 (20分) at 50% → 一 = 70, raw total 70 + 12 + 8 = 90.
COHORT = {
    "二.1:points": {"市发改委": 1},
    "二.3:provincial": {"市发改委": 4},
    **{c: {"市发改委": "合格"} for c in COUNTIES},
    "三.2:grade": {"市发改委": "合格"},
    "附件3-22.3:completion": {"市审计局": 50},
}


def test_non_key_get_the_key_average_plus_task_adjustment(spec):
    r = score(spec, perfect(spec, **COHORT))
    s = r.summary.set_index("unit")
    # key average (without bonus; there is none) = (12×100 + 87) ÷ 13 = 1287 ÷ 13 = 99
    # key units' average 一 = 13×80 ÷ 13 = 80 (市发改委 lost its points in 二 and 三)
    # 市审计局: 99 + (70 − 80) + bonus 0 = 89; other non-key units: 99 + (80 − 80) = 99
    assert s.loc["市审计局", "total"] == pytest.approx(89)
    assert s.loc["市统计局", "total"] == pytest.approx(99)
    assert s.loc["市审计局", "grade"] == "不定档"
    v = s.loc["市审计局", "verdict"]
    assert "赋予重点单位平均分99分(13家)" in v and "平均分不含附加分" in v
    assert "加减分−10分(一、工作目标得70分,重点单位一、工作目标平均80分(13家))" in v
    assert "注意" not in v  # all 13 key units are in the cohort
    # the rollup's adjustment row: 89 − own sections 70 + 12 + 8 = 90 → −1, with the formula
    adj = r.unit_adjustments("市审计局")
    assert adj["points"].tolist() == [pytest.approx(-1)]
    assert adj["reason"].iloc[0].startswith("非重点单位原则上考核不定档:赋予重点单位平均分99分(13家)")
    # key units keep their own totals
    assert s.loc["市发改委", "total"] == 87


# Two-way adjustment: key units lose 13 points of 工作目标 in all, non-key units 26.
#   市林业局 (key) 附件3-13.1 (20分) at 65% → loses 20 × 35% = 7 → 一 73, total 93
#   市发改委 (key) 附件3-1.2 (15分) at 60% → loses 15 × 40% = 6 → 一 74, total 94
#   市审计局 (non-key) 附件3-22.3 (20分) at 50% → loses 10 → 一 70, total 90
#   市法院 (non-key) 附件3-24.1 (20分) at 20% → loses 16 → 一 64, total 84
# key average total = (11×100 + 93 + 94) ÷ 13 = 1287 ÷ 13 = 99
# key average 一 = (11×80 + 73 + 74) ÷ 13 = 1027 ÷ 13 = 79
# non-key average 一 = (13×80 − 10 − 16) ÷ 13 = 1014 ÷ 13 = 78
TWO_WAY = {
    "附件3-13.1:completion": {"市林业局": 65},
    "附件3-1.2:completion": {"市发改委": 60},
    "附件3-22.3:completion": {"市审计局": 50},
    "附件3-24.1:completion": {"市法院": 20},
}


@pytest.mark.parametrize("reading, full, audit", [
    ("vs_key", 99 + (80 - 79), 99 + (70 - 79)),        # 100 and 90: 加 as well as 减
    ("vs_non_key", 99 + (80 - 78), 99 + (70 - 78)),    # 101 and 91
    ("shortfall", 99 + (80 - 80), 99 + (70 - 80)),     # 99 and 89: only 减
    ("none", 99, 99),
])
def test_non_key_adjustment_readings(spec, reading, full, audit):
    s = score(spec, perfect(spec, **TWO_WAY), readings={"N2": reading}).summary.set_index("unit")
    assert s.loc["市统计局", "total"] == pytest.approx(full)  # every task done
    assert s.loc["市审计局", "total"] == pytest.approx(audit)


def test_non_key_two_way_default_adds_points(spec):
    s = score(spec, perfect(spec, **TWO_WAY)).unit_summary("市统计局")
    # 99 + (80 − 79) = 100: a non-key unit that did better than the key units' average gains
    assert s["total"] == pytest.approx(100)
    assert "加减分+1分(一、工作目标得80分,重点单位一、工作目标平均79分(13家))" in s["verdict"]


def test_non_key_readings_change_the_number(spec):
    f = perfect(spec, **COHORT)
    total = {}
    for reading in ("key_avg", "all_avg", "non_key_avg", "own_total"):
        total[reading] = score(spec, f, readings={"N1": reading}).unit_summary("市审计局")["total"]
    # adjustment (default vs_key): 70 − key units' average 一 80 = −10
    assert total["key_avg"] == pytest.approx(1287 / 13 - 10)                 # 99 − 10 = 89
    assert total["all_avg"] == pytest.approx((1287 + 12 * 100 + 90) / 26 - 10)  # 2577/26 − 10 ≈ 89.12
    assert total["non_key_avg"] == pytest.approx((12 * 100 + 90) / 13 - 10)  # 1290/13 − 10 ≈ 89.23
    assert total["own_total"] == 90
    # N2: no adjustment → the plain key average 99
    assert score(spec, f, readings={"N2": "none"}).unit_summary("市审计局")["total"] == pytest.approx(99)


# Bonus: key units 市水利局 5, 市林业局 5, 市建设局 3 (附加.1, one point per policy) → 13 in all;
# 市审计局 (non-key) 2. Key totals without bonus: 1287 (as COHORT) → 99; with bonus 1300 → 100.
BONUS = {"附加.1:policies": {"市水利局": 5, "市林业局": 5, "市建设局": 3, "市审计局": 2}}


@pytest.mark.parametrize("reading, expected", [
    ("separate", 99 - 10 + 2),     # 91: average of the 100-point scores, own bonus on top
    ("in_average", 100 - 10),      # 90: average with bonus, own bonus not added
    ("ignored", 99 - 10),          # 89: no bonus anywhere
])
def test_non_key_bonus_readings(spec, reading, expected):
    s = score(spec, perfect(spec, **COHORT, **BONUS), readings={"N3": reading}).unit_summary("市审计局")
    assert s["total"] == pytest.approx(expected)


def test_non_key_own_bonus_is_explained(spec):
    s = score(spec, perfect(spec, **COHORT, **BONUS)).unit_summary("市审计局")
    assert "平均分不含附加分" in s["verdict"] and "另加本单位附加分2分,总分91分" in s["verdict"]
    s = score(spec, perfect(spec, **COHORT, **BONUS), readings={"N3": "in_average"}).unit_summary("市审计局")
    assert "赋予重点单位平均分100分(13家),平均分含附加分" in s["verdict"] and "另加" not in s["verdict"]


# Sections: key units lose 13 points of 三 in all, none of 一 or 二:
#   市发改委 nine counties 不合格 (三.1 0) and 三.2 不合格 → 三 0 (−8); 市林业局 三.2 合格 → −3;
#   市水利局 三.2 良好 → −2. Key average total (1300 − 13) ÷ 13 = 99; 一 80; 三 (13×8 − 13) ÷ 13 = 7.
# 市审计局 (non-key): 一 70 (附件3-22.3 at 50%), 二.1 = 1 → 二 9, counties 良好 (2) + 三.2 优秀 (4) → 三 6:
#   own total 70 + 9 + 6 = 85.
SECTIONS = {
    **{c: {"市发改委": "不合格", "市审计局": "良好"} for c in COUNTIES},
    "三.2:grade": {"市发改委": "不合格", "市林业局": "合格", "市水利局": "良好"},
    "附件3-22.3:completion": {"市审计局": 50},
    "二.1:points": {"市审计局": 1},
}


@pytest.mark.parametrize("reading, expected", [
    ("tasks", 99 + (70 - 80)),                          # 89: only 一
    ("tasks_and_evaluation", 99 + (70 + 6 - (80 + 7))),  # 88: 一 + 三, 76 against 87
    ("all_sections", 99 + (85 - 99)),                   # 85: 一 + 二 + 三 against the key average itself
])
def test_non_key_section_readings(spec, reading, expected):
    s = score(spec, perfect(spec, **SECTIONS), readings={"N4": reading}).unit_summary("市审计局")
    assert s["total"] == pytest.approx(expected)


@pytest.mark.parametrize("readings, counts", [
    ({}, {"一", "附加分"}),
    ({"N3": "in_average"}, {"一"}),
    ({"N2": "none"}, {"附加分"}),
    ({"N2": "none", "N3": "ignored"}, set()),
    ({"N4": "tasks_and_evaluation"}, {"一", "三", "附加分"}),
    ({"N4": "all_sections", "N3": "ignored"}, {"一", "二", "三"}),
    ({"N1": "all_avg"}, None),    # the unit's own total is part of the average
    ({"N1": "own_total"}, None),
])
def test_sections_that_count_follow_the_reading(spec, readings, counts):
    s = load_spec(DOC, readings=readings)
    assert sections_that_count(s, "市审计局") == counts
    assert sections_that_count(s, "市发改委") is None  # a key unit: every section counts


def test_sections_that_count_agree_with_the_scores(spec):
    # Under the default, a non-key unit's 二 and 三 do not move its total; 一 and its bonus do.
    base = score(spec, perfect(spec, **COHORT)).unit_summary("市审计局")["total"]
    worse = perfect(spec, **{**COHORT, "二.1:points": {"市发改委": 1, "市审计局": 0},
                             "三.2:grade": {"市发改委": "合格", "市审计局": "不合格"}})
    assert score(spec, worse).unit_summary("市审计局")["total"] == pytest.approx(base)
    more = perfect(spec, **COHORT, **{"附加.2:commendations": {"市审计局": 1}})
    assert score(spec, more).unit_summary("市审计局")["total"] == pytest.approx(base + 2)


def test_non_key_average_over_part_of_the_key_units_says_so(spec):
    # Scored alone with two key units: 市发改委 87 and 市林业局 100 → (87 + 100) ÷ 2 = 93.5;
    # both have 一 = 80, so 市审计局 gets 93.5 + (70 − 80) = 83.5, and the verdict names the absent.
    r = score(spec, perfect(spec, **COHORT), units=["市发改委", "市林业局", "市审计局"])
    s = r.unit_summary("市审计局")
    assert s["total"] == pytest.approx(83.5)
    note = "本次评分只含文件所列13家重点单位中的2家,缺市经信局、市公安局、市司法局、市自然资源局等11家"
    assert note in s["verdict"] and note in r.unit_adjustments("市审计局")["reason"].iloc[0]


def test_outstanding_non_key_unit_may_be_rated_excellent(spec):
    f = perfect(spec, **COHORT, **{"@non_key_average:outstanding": {"市统计局": "是"}})
    s = score(spec, f).summary.set_index("unit")
    assert s.loc["市统计局", "grade"] == "优秀" and "给予优秀名额" in s.loc["市统计局", "verdict"]
    assert s.loc["市法院", "grade"] == "不定档"


def test_non_key_without_key_units_in_cohort_keep_own_total(spec):
    r = score(spec, perfect(spec, **COHORT), units=["市审计局", "市统计局"])
    s = r.summary.set_index("unit")
    assert s.loc["市审计局", "total"] == 90
    assert "无可求平均分的单位" in s.loc["市审计局", "verdict"]


# --- grade bands: boundary and bonus readings ---------------------------------------------


def test_bonus_not_counted_for_the_grade(spec):
    # 市林业局 (key): 一 80; 二.1 = 0 → 二 8; 三 all 合格 → 2; bonus 2×1 = 2 → total 92
    f = perfect(spec, **{
        "二.1:points": {"市林业局": 0},
        **{c: {"市林业局": "合格"} for c in COUNTIES},
        "三.2:grade": {"市林业局": "合格"},
        "附加.1:policies": {"市林业局": 2},
    })
    f[PROVINCE] = "否"  # no promotion, so only the bands decide
    assert score(spec, f).unit_summary("市林业局")["grade"] == "优秀"  # 92 ≥ 90
    s = score(spec, f, readings={"G2": "without_bonus"}).unit_summary("市林业局")
    # graded on 92 − 2 = 90 → still 优秀 (inclusive) …
    assert s["total"] == 92 and s["grade"] == "优秀"
    # … but with both readings switched: 90 is not "above 90" → 良好
    s = score(spec, f, readings={"G2": "without_bonus", "G1": "exclusive"}).unit_summary("市林业局")
    assert s["grade"] == "良好" and "定档分90分" in s["verdict"]
