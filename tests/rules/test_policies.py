"""Grading policies (ecoscore.rules.policies), worked by hand on 丽水 2024 (seed 000).

说明: "考核得分90分以上可评为优秀,80分以上可评为良好,70分以上可评为合格,70分以下为不合格。对于重点单位,
……我市获得省考优秀、各重点单位完成年度工作目标、达到良好等级且无否优事项,可以晋级为优秀。对于非重点单位,
原则上考核不定档,赋予平均分,根据任务完成情况给予加减分;工作成效突出的,可适当考虑一定的优秀名额"
"""

import pytest

from ecoscore import load_spec, score
from ecoscore.rules.policies import known_policies, policy_facts
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
    s = score(spec, perfect(spec, **COHORT)).summary.set_index("unit")
    # key average = (12×100 + 87) ÷ 13 = 1287 ÷ 13 = 99
    # 市审计局: 99 + (70 − 80) = 89; other non-key units: 99 + 0 = 99
    assert s.loc["市审计局", "total"] == pytest.approx(89)
    assert s.loc["市统计局", "total"] == pytest.approx(99)
    assert s.loc["市审计局", "grade"] == "不定档"
    assert "赋予重点单位平均分99分(13家)" in s.loc["市审计局", "verdict"]
    assert "加减分-10分" in s.loc["市审计局", "verdict"]
    # key units keep their own totals
    assert s.loc["市发改委", "total"] == 87


def test_non_key_readings_change_the_number(spec):
    f = perfect(spec, **COHORT)
    total = {}
    for reading in ("key_avg", "all_avg", "non_key_avg", "own_total"):
        total[reading] = score(spec, f, readings={"N1": reading}).unit_summary("市审计局")["total"]
    assert total["key_avg"] == pytest.approx(1287 / 13 - 10)                 # 99 − 10 = 89
    assert total["all_avg"] == pytest.approx((1287 + 12 * 100 + 90) / 26 - 10)  # 2577/26 − 10 ≈ 89.12
    assert total["non_key_avg"] == pytest.approx((12 * 100 + 90) / 13 - 10)  # 1290/13 − 10 ≈ 89.23
    assert total["own_total"] == 90
    # N2: no adjustment → the plain key average 99
    assert score(spec, f, readings={"N2": "none"}).unit_summary("市审计局")["total"] == pytest.approx(99)


def test_non_key_adjustment_with_bonus(spec):
    f = perfect(spec, **COHORT, **{"附加.1:policies": {"市审计局": 2}})
    # 市审计局 bonus 2: tasks_and_bonus → 99 + (70 − 80) + 2 = 91; default tasks only → 89
    assert score(spec, f).unit_summary("市审计局")["total"] == pytest.approx(89)
    s = score(spec, f, readings={"N2": "tasks_and_bonus"}).unit_summary("市审计局")
    assert s["total"] == pytest.approx(91)


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
