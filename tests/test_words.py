"""The words a reader sees: gaps in the indicator's own unit."""

import pytest

from ecoscore import words


@pytest.mark.parametrize(("value", "unit", "text"), [
    (4.8, "%", "4.8个百分点"),          # a percentage rate: percentage points
    (4.8, "μg/m³", "4.8μg/m³"),          # not "4.8个百分点"
    (2.5, "万吨", "2.5万吨"),
    (3, "个", "3个"),
    (0.02, "吨标煤/万元", "0.02吨标煤/万元"),
    (9.6, "-", "9.6"),                   # a table's "-": no unit, not "9.6-"
    (9.6, "—", "9.6"),
    (0.01, "", "0.01"),                  # a coefficient
    (0.126, "", "0.13"),
    (2, "个百分点", "2个百分点"),        # an indicator already stated in percentage points
])
def test_gap_in_the_indicators_own_unit(value, unit, text):
    assert words.gap(value, unit) == text


@pytest.mark.parametrize("unit", ["-、%、-", "% / μg/m³", "- / - / %"])
def test_gap_never_writes_a_unit_naming_several_parts(unit):
    # the audit's gap_unit is the deciding part's; a merged unit cannot say which part the gap is in
    assert words.gap(9, unit) == "9"


def test_no_gap_figure_is_no_text():
    assert words.gap(float("nan"), "%") == "" and words.gap(None, "%") == ""


def test_a_gap_too_small_for_two_decimals_is_not_written_as_zero():
    # 003 指标35: 0.4107 against last year's 0.41 (吨标准煤/万元) misses "不高于上年" by 0.0007
    assert words.gap(0.4107 - 0.41, "吨标准煤/万元") == "0.0007吨标准煤/万元"
    assert words.gap(0.003, "%") == "0.003个百分点"
    assert words.gap(0.0, "%") == "0个百分点"


# ------------------------------------------------------------------ figures: one rounding rule
def test_a_figure_is_written_one_way():
    assert words.num(53.2) == "53.2" and words.num(1.5556) == "1.56" and words.num(-0.001) == "0"
    assert words.num(float("nan")) == "" and words.num(None) == "" and words.num(3, "分") == "3分"
    assert words.shown(1.5556) == 1.56


def test_an_unfinished_task_is_never_written_as_100_per_cent():
    assert words.completion(99.996) == "99.99%" and words.completion(99.5) == "99.5%"
    assert words.completion(100) == "100%" and words.completion(float("nan")) == ""


def test_two_figures_compared_keep_their_difference():
    # 0.413 against last year's 0.4119 is not "0.41 vs 0.41"
    assert words.pair(0.413, 0.4119) == ("0.413", "0.412")
    assert words.pair(0.41, 0.41, "吨") == ("0.41吨", "0.41吨")
    assert words.pair(25.1, 25.3) == ("25.1", "25.3")


def test_a_negative_score_is_a_deduction():
    assert words.points(-3) == "扣3分" and words.points(8) == "得8分"


def _unit(lines, groups, total, total_adjustment=0.0):
    """Return (audit, rollup) frames: lines as (group, awarded), groups as (id, parent, depth, adjustment, awarded)."""
    import pandas as pd

    audit = pd.DataFrame([{"group": g, "awarded": a, "kind": "base"} for g, a in lines])
    rows = [{"level": "group", "id": i, "parent": p, "depth": d, "adjustment": adj, "awarded": a}
            for i, p, d, adj, a in groups]
    rows.append({"level": "total", "id": "总分", "parent": "", "depth": -1, "adjustment": total_adjustment,
                 "awarded": total})
    return audit, pd.DataFrame(rows)


def test_printed_sums_are_sums_of_printed_figures():
    # three lines of 1/3 point: printed 0.33 each; the group prints 0.99 (their sum), not 1;
    # the total every view prints is 1, so a 四舍五入尾差 of 0.01 is named, not hidden
    third = 1 / 3
    audit, rollup = _unit([("一", third)] * 3 + [("二", 2.0)], [("一", "", 0, 0.0, 1.0), ("二", "", 0, 0.0, 2.0)], 3.0)
    s = words.points_shown(audit, rollup)
    assert list(s.lines.values()) == [0.33, 0.33, 0.33, 2.0]
    assert s.groups == {"一": 0.99, "二": 2.0}
    assert (s.total, s.rounding) == (3.0, 0.01)
    assert round(sum(s.groups.values()) + s.rounding, 2) == s.total


def test_a_capped_group_prints_its_cap_and_the_adjustment_the_rest():
    # bonus lines 3.333 × 3 = 9.99 as printed, capped at 5: the adjustment is −4.99, as printed
    audit, rollup = _unit([("加分", 10 / 3)] * 3, [("加分", "", 0, -5.0, 5.0)], 5.0)
    s = words.points_shown(audit, rollup)
    assert s.groups["加分"] == 5.0 and s.adjustments["加分"] == -4.99 and s.rounding == 0


def test_a_total_adjustment_is_the_figure_its_reason_gives():
    # sections as scored 40.004 and 41.566 → printed 40 + 41.57 = 81.57; total 84.18: +2.61
    audit, rollup = _unit([("一", 40.004), ("二", 41.566)], [("一", "", 0, 0.0, 40.004), ("二", "", 0, 0.0, 41.566)],
                          84.18, total_adjustment=2.61)
    s = words.points_shown(audit, rollup)
    assert (s.total_adjustment, s.rounding) == (2.61, 0.0)


def test_brackets_inside_brackets_are_square():
    assert words.nested("平均74.63分(一得73分(13家)),另加(x)") == "平均74.63分(一得73分［13家］),另加(x)"
    assert words.nested("a)(b") == "a)(b"  # brackets that do not pair up: left as they are


def test_a_reading_is_said_in_words_never_by_code():
    codes = {"combined": "市美丽办汇总各县意见后形成一个综合等次,由分析人员填报该等次并计分"}
    assert words.reading_text("经研究确定(@grade_bands:confirmed)方定档", codes) == "经研究确定方定档"
    assert words.reading_text("(C1取combined、只填一个县级综合等次时,本条不起作用)", codes) == (
        "(C1取“市美丽办汇总各县意见后形成一个综合等次”、只填一个县级综合等次时,本条不起作用)")
    # a clause for whoever edits the spec (its field names) is left out
    assert words.reading_text("作为两个单位。暂不能切换;需要时在 units 中拆分并改各行的 lead/applies_to。") == (
        "作为两个单位。暂不能切换")
    assert words.reading_text("负增长按比例得负分(如−5%得−5分)") == "负增长按比例得负分(如−5%得负5分)"
