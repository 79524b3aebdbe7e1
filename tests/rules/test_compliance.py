"""Compliance rules: trend against last year and compound targets."""

import numpy as np

from ecoscore.rules import from_params
from ecoscore.rules.base import Outcome
from ecoscore.rules.compliance import Compound, Trend
from tests.conftest import make_ctx


def test_trend_up_allows_equal_and_flags_missing_previous():
    # "保持稳定或持续改善": 上年 80 → 81 met, 80 met (stable), 79 not met, no previous → 缺数据
    c = make_ctx(None, value=[81.0, 80.0, 79.0, 70.0], previous={"value": [80, 80, 80, np.nan]})
    s = Trend(direction="up", allow_equal=True).score(c)
    assert list(s.outcome) == [Outcome.MET, Outcome.MET, Outcome.NOT_MET, Outcome.MISSING]
    assert s.gap[2] == 1
    strict = Trend(direction="up", allow_equal=False).score(c)
    assert strict.outcome[1] is Outcome.NOT_MET


def test_trend_down():
    # "持续下降": 上年 50 → 48 met
    s = Trend(direction="down").score(make_ctx(None, value=[48.0, 52.0], previous={"value": [50, 50]}))
    assert list(s.outcome) == [Outcome.MET, Outcome.NOT_MET]


def test_compound_any_bar_or_improvement():
    # "≥85, 或逐年提高": 86 meets the bar; 80 but up from 78 meets the second branch; 80 down from 82 fails
    r = Compound(mode="any", parts=[
        {"type": "threshold", "op": ">=", "target": 85},
        {"type": "trend", "direction": "up", "allow_equal": False},
    ])
    c = make_ctx(None, p0_value=[86.0, 80.0, 80.0], p1_value=[86.0, 80.0, 80.0],
                 previous={"p1_value": [90, 78, 82]})
    s = r.score(c)
    assert list(s.outcome) == [Outcome.MET, Outcome.MET, Outcome.NOT_MET]
    assert [f.name for f in r.facts()] == ["p0_value", "p1_value"]


def test_compound_all_three_parts_003_28():
    # 003 #28 生态保护红线: 面积不减少、性质不改变、功能不降低 — all three must hold
    r = from_params({"type": "compound", "mode": "all", "parts": [
        {"type": "yes_no", "question": "面积不减少"},
        {"type": "yes_no", "question": "性质不改变"},
        {"type": "yes_no", "question": "功能不降低"},
    ]})
    s = r.score(make_ctx(None, p0_done=[True, True], p1_done=[True, False], p2_done=[True, True]))
    assert list(s.outcome) == [Outcome.MET, Outcome.NOT_MET]
    assert "性质不改变:否" in s.reason[1]


def test_compound_all_certain_failure_beats_missing_and_gap_comes_from_failing_part():
    # 县城污水处理率 94 against ≥95 fails; the other part has no data → still 未达标, gap 1
    r = Compound(mode="all", parts=[
        {"type": "threshold", "op": ">=", "target": 85},
        {"type": "threshold", "op": ">=", "target": 95},
        {"type": "trend", "direction": "up"},
    ])
    c = make_ctx(None, p0_value=[90.0], p1_value=[94.0], p2_value=[80.0], previous={"p2_value": [np.nan]})
    s = r.score(c)
    assert s.outcome[0] is Outcome.NOT_MET
    assert s.gap[0] == 1


def test_compound_passes_its_parts_declarations_through():
    r = Compound(mode="any", parts=[
        {"type": "threshold", "op": "<=", "target": "fact"},
        {"type": "counted", "start": 0, "items": [{"name": "n", "label": "次数", "points": -1, "default": 0}]},
    ])
    assert [(f.name, f.better, f.target_of) for f in r.facts()] == [
        ("p0_value", "down", ""), ("p0_target", "neutral", "p0_value"), ("p1_n", "down", "")]
    assert r.measure() == "p0_value" and r.measure_unit() == ""
    assert [e.name for e in r.event_items()] == ["p1_n"]
    assert Trend(direction="down").facts()[0].better == "down"
