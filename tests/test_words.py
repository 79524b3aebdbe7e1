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
