"""Grade panels: several raters' grades combined into points (000 三 县级评价)."""

import pytest

from ecoscore.rules import from_params, get
from ecoscore.rules.base import Outcome
from ecoscore.rules.panel import GradePanel
from tests.conftest import make_ctx

TABLE = {"优秀": 4, "良好": 2, "合格": 1, "不合格": 0}
NINE = ("莲都区", "龙泉市", "青田县", "云和县", "庆元县", "缙云县", "遂昌县", "松阳县", "景宁畲族自治县")


def grades(*rows):
    """Turn per-unit rows of nine grades into the rule's grade_1..grade_9 columns."""
    return {f"grade_{k + 1}": [row[k] for row in rows] for k in range(len(rows[0]))}


# unit 1: 5 优秀, 3 良好, 1 合格; unit 2: nine 合格; unit 3: 4 优秀, 4 不合格, 1 良好
U1 = ["优秀"] * 5 + ["良好"] * 3 + ["合格"]
U2 = ["合格"] * 9
U3 = ["优秀"] * 4 + ["不合格"] * 4 + ["良好"]


def test_registered_and_built_from_spec_params():
    assert get("grade_panel") is GradePanel
    r = from_params({"type": "grade_panel", "raters": list(NINE), "table": TABLE})
    assert r.raters == NINE
    assert [f.name for f in r.facts()] == [f"grade_{k}" for k in range(1, 10)]
    assert r.facts()[0].label == "莲都区评价等次"
    assert r.facts()[0].choices == ("优秀", "良好", "合格", "不合格")
    assert all(f.required for f in r.facts())
    assert "9方" in r.label() and "平均" in r.label()


def test_mean_of_the_nine_counties_points():
    s = GradePanel(raters=NINE, table=TABLE).score(make_ctx(4, **grades(U1, U2, U3)))
    # unit 1: (5×4 + 3×2 + 1×1) ÷ 9 = 27 ÷ 9 = 3
    # unit 2: 9×1 ÷ 9 = 1
    # unit 3: (4×4 + 4×0 + 1×2) ÷ 9 = 18 ÷ 9 = 2
    assert list(s.points) == [3, 1, 2]
    assert list(s.outcome) == [Outcome.PARTIAL] * 3
    assert s.reason[0].startswith("9方评价:优秀5个、良好3个、合格1个;平均得分(")
    assert s.reason[0].endswith("÷9=3分")


def test_majority_grade_and_ties():
    s = GradePanel(raters=NINE, table=TABLE, combine="majority").score(make_ctx(4, **grades(U1, U2, U3)))
    # unit 1: 优秀 ×5 is the majority → 4; unit 2: 合格 → 1
    # unit 3: 优秀 ×4 and 不合格 ×4 tie; tie: lower → 不合格 → 0
    assert list(s.points) == [4, 1, 0]
    assert s.outcome[0] == Outcome.FULL and s.outcome[2] == Outcome.ZERO
    assert "多数等次为不合格" in s.reason[2]
    hi = GradePanel(raters=NINE, table=TABLE, combine="majority", tie="higher")
    assert list(hi.score(make_ctx(4, **grades(U3))).points) == [4]


def test_median():
    s = GradePanel(raters=NINE, table=TABLE, combine="median").score(make_ctx(4, **grades(U1, U3)))
    # unit 1 points sorted 1,2,2,2,4,4,4,4,4 → 5th = 4; unit 3: 0,0,0,0,2,4,4,4,4 → 2
    assert list(s.points) == [4, 2]


def test_missing_rater_makes_the_line_missing_unless_min_raters():
    eight = U1[:8] + [None]
    s = GradePanel(raters=NINE, table=TABLE).score(make_ctx(4, **grades(eight)))
    assert s.outcome[0] == Outcome.MISSING
    assert "仅8方" in s.reason[0]
    r = GradePanel(raters=NINE, table=TABLE, min_raters=8)
    assert not any(f.required for f in r.facts())
    s = r.score(make_ctx(4, **grades(eight)))
    # 8 grades: 5 优秀, 3 良好 → (5×4 + 3×2) ÷ 8 = 26 ÷ 8 = 3.25
    assert s.points[0] == pytest.approx(3.25)


def test_absent_rater_counts_zero_when_absent_as_zero():
    eight = U1[:8] + [None]
    r = GradePanel(raters=NINE, table=TABLE, absent_as_zero=True)
    assert not any(f.required for f in r.facts())
    assert "未评价的一方按0分计" in r.label()
    s = r.score(make_ctx(4, **grades(eight)))
    # 5 优秀, 3 良好, one county silent (0): (5×4 + 3×2 + 0) ÷ 9 = 26 ÷ 9
    assert s.points[0] == pytest.approx(26 / 9)
    assert s.outcome[0] == Outcome.PARTIAL and "未评价1个(按0分计)" in s.reason[0]
    # majority: 3 优秀, 2 良好 and 4 silent → the silent are the most → 0 points
    row = ["优秀"] * 3 + ["良好"] * 2 + [None] * 4
    m = GradePanel(raters=NINE, table=TABLE, combine="majority", absent_as_zero=True)
    assert m.score(make_ctx(4, **grades(row))).points[0] == 0
    # with nobody silent it is the plain majority: U1 → 优秀 4
    assert m.score(make_ctx(4, **grades(U1))).points[0] == 4


def test_combined_reads_one_merged_grade():
    r = GradePanel(raters=NINE, table=TABLE, combine="combined", grade_label="县级综合评价等次")
    assert [f.name for f in r.facts()] == ["grade"] and r.facts()[0].label == "县级综合评价等次"
    s = r.score(make_ctx(4, grade=["良好", None]))
    # the merged grade 良好 → 2 points; no grade → 缺数据
    assert s.points[0] == 2 and "汇总为县级综合评价等次良好" in s.reason[0]
    assert s.outcome[1] == Outcome.MISSING
    # min_raters / absent_as_zero do not apply to one merged grade
    z = GradePanel(raters=NINE, table=TABLE, combine="combined", absent_as_zero=True)
    assert z.score(make_ctx(4, grade=["合格"])).points[0] == 1


def test_unknown_grade_counts_as_not_given():
    row = U2[:8] + ["很好"]
    s = GradePanel(raters=NINE, table=TABLE, min_raters=8).score(make_ctx(4, **grades(row)))
    assert s.points[0] == 1  # eight 合格 → 1


@pytest.mark.parametrize("bad", [
    {"raters": NINE, "table": TABLE, "combine": "max"},
    {"raters": NINE, "table": TABLE, "tie": "random"},
    {"raters": ("甲",), "table": TABLE},
    {"raters": NINE, "table": {}},
    {"raters": NINE, "table": TABLE, "min_raters": 10},
    {"raters": NINE, "table": TABLE, "min_raters": 8, "absent_as_zero": True},
])
def test_bad_parameters_raise(bad):
    with pytest.raises(ValueError):
        GradePanel(**bad)


def test_params_round_trip():
    r = GradePanel(raters=NINE, table=TABLE, combine="majority")
    assert from_params(r.params()) == r
