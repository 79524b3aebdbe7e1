"""Plausible ranges beyond a fact's domain (``ecoscore.spec.domains.plausible``), worked by hand
for the facts of the real documents, and the warning for a percentage typed as 1.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ecoscore.facts.validate import ones_as_whole, plausible_text
from ecoscore.facts.workbook import build_layout
from ecoscore.spec import load_spec
from ecoscore.spec.domains import domain


def _fact(doc: str, key: str):
    return next(r["fact"] for r in load_spec(doc).fact_table() if r["key"] == key)


@pytest.mark.parametrize(("doc", "key", "low", "high"), [
    ("xx-2020", "二.1:value", None, 10_000.0),            # PM2.5 in 微克/立方米
    ("zhoushan-2020", "指标14:p1_value", None, 10_000.0),  # PM2.5 in μg/m³
    ("xx-2020", "二.4:value", None, 10_000.0),            # 降尘量 in 吨/平方公里·月
    ("dongtou-2017", "二(六)4⑤:day", None, 200.0),        # noise in 分贝: air carries at most ~194 dB
    ("shengzhou-2024", "指标25:value", None, 1_000.0),     # g/kg: a part of a kilogram
    ("xx-2020", "三.12(1):value", -100.0, 10_000.0),      # 增长率 %: a fall cannot exceed all of it
    ("shengzhou-2024", "指标13:value", -10_000.0, 100.0),  # 下降率 %: a decrease cannot exceed 100%
    ("xx-2020", "一.2(2):improve_0", -10_000.0, 10_000.0),  # 改善幅度 %: either way, a hundredfold
    ("xx-2020", "四(一)4:value", -100.0, 100.0),          # 个百分点 of a share
    ("xx-2020", "四(一)15(2):value", -100.0, 100.0),      # change of a 0–100 satisfaction score
    ("shengzhou-2024", "指标6:p0_value", -100.0, 100.0),   # △EQI: EQI is 0–100
])
def test_plausible_ranges_of_real_facts(doc, key, low, high):
    lo, hi, why = domain(_fact(doc, key)).plausible
    assert (lo, hi) == (low, high) and why


@pytest.mark.parametrize(("doc", "key"), [
    ("zhoushan-2020", "指标12:value"),   # 绿色贷款余额 亿元: money scales with the place
    ("zhoushan-2020", "指标35:value"),   # an intensity
    ("xx-2020", "一.4(1):value"),        # a rate: 0–100 is already its scale
    ("xx-2020", "四(一)15(3):value"),    # places in a ranking (位)
])
def test_facts_without_a_plausible_range(doc, key):
    assert domain(_fact(doc, key)).plausible is None and plausible_text(_fact(doc, key)) is None


def test_the_message_names_range_unit_reason_and_fix():
    assert plausible_text(_fact("xx-2020", "二.1:value")) == (
        "0至10000之间的浓度(微克/立方米;空气中颗粒物等污染物浓度的年均、日均值远低于此;请核对单位、小数点位置和所填的列)")


def test_a_1_is_warned_of_only_where_1_percent_is_implausible():
    lay = build_layout(load_spec("xx-2020"))
    keys = ["一.4(1):value", "三.12(1):value"]  # 达标率 (hint 88–100) and a growth rate (a change)
    fields = [lay.fields[k] for k in keys]
    frame = pd.DataFrame({"一.4(1):value": [1, 98.5], "三.12(1):value": [1, 2.7]}, index=["江干区", "拱墅区"],
                         dtype=object)
    assert ones_as_whole(fields, frame) == [("江干区", "一.4(1):value")]
    frame.at["江干区", "一.4(1):value"] = "1%"  # typed with the sign: meant
    assert ones_as_whole(fields, frame) == []
    alone = pd.DataFrame({"一.4(1):value": [1]}, index=["江干区"], dtype=object)
    assert ones_as_whole(fields[:1], alone) == []  # nothing shows which form the sheet is in
