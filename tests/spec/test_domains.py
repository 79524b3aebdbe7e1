"""Fact domains: every fact of every document gets one, derived from what its rule declares."""

from __future__ import annotations

import pytest

from ecoscore import list_documents, load_spec
from ecoscore.rules.base import FactSpec
from ecoscore.spec.domains import KINDS, Domain, domain, domains, kind_of

DOCS = list_documents()


def _every_reading(spec):
    yield spec
    for a in spec.ambiguities:
        for name in a.readings:
            if name != a.default:
                yield spec.with_readings({a.id: name})


@pytest.mark.parametrize("doc", DOCS)
def test_every_fact_of_every_reading_has_a_domain(doc):
    for spec in _every_reading(load_spec(doc)):
        got = domains(spec)
        facts = {r["key"]: r["fact"] for r in spec.fact_table()} | dict(spec.category_facts)
        assert set(got) == set(facts)
        for key, d in got.items():
            assert isinstance(d, Domain) and d.kind in KINDS, key
            f = facts[key]
            if f.kind == "percent" and not d.kind == "change":
                assert (d.low, d.high) == (0, 100), key
            if f.kind in ("count", "days"):
                assert d.whole and d.low == 0, key
            if f.kind == "bool":
                assert d.kind == "yes_no", key
            if f.kind == "choice":
                assert d.kind == "choice", key


HAND_PICKED = [
    # (document, fact key, kind, low, high, whole)
    ("zhoushan-2020", "指标43:value", "rate", 0, 100, False),             # 城镇污水处理率 %
    ("zhoushan-2020", "指标14:p1_value", "concentration", 0, None, False),  # PM2.5 μg/m³
    ("zhoushan-2020", "指标33:p1_value", "quantity", 0, None, False),      # 煤炭消费减量 万吨
    ("zhoushan-2020", "指标12:value", "money", 0, None, False),            # 绿色贷款余额 亿元
    ("zhoushan-2020", "指标35:value", "intensity", 0, None, False),        # 吨标准煤/万元
    ("zhoushan-2020", "指标17:value", "index", 0, 100, False),             # 生态环境状况指数(EI)
    ("shengzhou-2024", "指标14:value", "index", 0, 1, False),              # 农田灌溉水有效利用系数
    ("shengzhou-2024", "指标6:p0_value", "change", None, None, False),     # △EQI
    ("shengzhou-2024", "指标1:value", "share", 0, 100, False),             # 占党政实绩考核的比例
    ("shengzhou-2024", "指标2:done", "yes_no", None, None, False),
    ("xx-2020", "三.11(2)①:value", "count", 0, None, True),               # 新闻报道次数 (number, 次)
    ("xx-2020", "四(一)15(3):value", "change", None, None, True),          # 排名较上年提升位次 (位)
    ("xx-2020", "四(一)15(1):value", "index", 0, 100, False),              # 满意度分值 (分)
    ("xx-2020", "三.12(1):value", "change", None, None, False),            # 投资增长率 %
    ("xx-2020", "四(一)4:value", "change", None, None, False),             # 同比增加 个百分点
    ("xx-2020", "四(一)12:top10", "count", 0, 1, True),                    # (是填1)
    ("xx-2020", "三.16(7)④:days_late", "days", 0, None, True),
    ("xx-2020", "三.17(2)⑤:report", "points", 0, 0.5, False),             # 最多扣0.5分
    ("xx-2020", "一.2(1):grade", "choice", None, None, False),
    ("dongtou-2017", "二(八)3:stations", "count", 0, None, True),          # 监测站点 (number, 个)
    ("dongtou-2017", "二(二)4②:dust", "share", 0, 100, False),             # 落实比例 %
    ("dongtou-2017", "二(六)4⑤:day", "concentration", 0, None, False),     # 分贝
    ("lishui-2024", "附加.1:policies", "count", 0, None, True),
]


@pytest.mark.parametrize(("doc", "key", "kind", "low", "high", "whole"), HAND_PICKED)
def test_hand_picked_domains(doc, key, kind, low, high, whole):
    d = domains(load_spec(doc))[key]
    assert (d.kind, d.low, d.high, d.whole) == (kind, low, high, whole)


def test_additive_kinds_add_up_and_the_others_average():
    assert domain(FactSpec("v", "煤炭消费减量", unit="万吨")).additive
    assert domain(FactSpec("v", "新增项目", kind="count", unit="个")).additive
    assert not domain(FactSpec("v", "城镇污水处理率", unit="%")).additive
    assert not domain(FactSpec("v", "PM2.5浓度", unit="μg/m³")).additive


def test_a_change_is_told_apart_before_the_unit():
    assert kind_of(FactSpec("v", "高锰酸盐指数较上年改善幅度", unit="%")) == "change"
    assert kind_of(FactSpec("v", "生态保护与环境治理业年度投资增长率", unit="%")) == "change"
    assert kind_of(FactSpec("v", "森林覆盖率", unit="%")) == "rate"


def test_declared_bounds_narrow_the_derived_ones():
    d = domain(FactSpec("v", "某比例", unit="%", minimum=20, maximum=150))
    assert (d.low, d.high) == (20, 100)


def test_contains_and_clip():
    rate = domain(FactSpec("v", "达标率", kind="percent"))
    assert rate.contains(100) and rate.contains(0) and not rate.contains(100.6) and not rate.contains(-1)
    assert rate.clip(100.6) == 100 and rate.clip(-3) == 0
    count = domain(FactSpec("v", "项目", kind="count", unit="个"))
    assert count.contains(3) and not count.contains(1.2) and not count.contains(-1)
    assert not count.contains(None) and not count.contains("x") and not count.contains(float("nan"))
    assert count.clip(1.2) == 1 and count.clip(-2) == 0
    assert not domain(FactSpec("v", "是否", kind="bool")).numeric
