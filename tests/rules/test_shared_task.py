"""Shared task-book rows: the whole (洞头区) judged from its responsible units (001)."""

import math

import numpy as np
import pytest

from ecoscore.rules import from_params
from ecoscore.rules.base import Context, Outcome
from ecoscore.rules.shared_task import SharedTask


def ctx(units, completion, maximum=None):
    values = {"completion": np.asarray(completion, dtype=float), "note": np.full(len(units), None, dtype=object)}
    return Context(list(units), maximum, values)


UNITS = ["洞头区", "环保局", "经信局"]


def test_all_responsible_takes_the_lowest():
    # 二(一)1⑨ 加油站: 环保局 100%, 经信局 60% → 洞头区 60%, 未完成; its own figure is ignored
    s = SharedTask(whole="洞头区").score(ctx(UNITS, [100, 100, 60]))
    assert list(s.outcome) == [Outcome.NOT_DONE, Outcome.DONE, Outcome.NOT_DONE]
    assert s.value[0] == 60
    assert s.reason[0] == "按全部责任单位完成情况判定(环保局100%、经信局60%,取最低):完成60%,未完成"


def test_all_responsible_done_when_every_unit_done():
    s = SharedTask(whole="洞头区").score(ctx(UNITS, [np.nan, 100, 100]))
    assert list(s.outcome) == [Outcome.DONE, Outcome.DONE, Outcome.DONE]


def test_lead_decides():
    # 二(二)1④: 气象局 leads with 100%, 环保局 50% → 洞头区 takes 100%, 已完成
    s = SharedTask(whole="洞头区", combine="lead", lead="气象局").score(ctx(["洞头区", "环保局", "气象局"], [0, 50, 100]))
    assert list(s.outcome) == [Outcome.DONE, Outcome.NOT_DONE, Outcome.DONE]
    assert s.reason[0].startswith("按牵头单位完成情况判定(气象局100%)")


def test_missing_part_makes_the_whole_missing():
    s = SharedTask(whole="洞头区").score(ctx(UNITS, [100, 100, np.nan]))
    assert list(s.outcome) == [Outcome.MISSING, Outcome.DONE, Outcome.MISSING]
    assert s.reason[0] == "缺少责任单位完成情况:经信局,待补充后重新评定"
    assert s.reason[2] == "缺少数据:完成比例,待补充后重新评定"


def test_whole_scored_alone_cannot_be_judged():
    s = SharedTask(whole="洞头区").score(ctx(["洞头区"], [100]))
    assert s.outcome[0] == Outcome.MISSING


def test_with_points_pro_rata_like_task():
    # max 1 (reading A4=pro_rata): 环保局 100, 经信局 75 → 洞头区 0.75
    s = SharedTask(whole="洞头区").score(ctx(UNITS, [100, 100, 75], maximum=1))
    assert list(s.points) == [0.75, 1, 0.75]
    assert s.outcome[0] == Outcome.PARTIAL


def test_params_round_trip_and_validation():
    r = from_params({"type": "shared_task", "whole": "洞头区", "combine": "lead", "lead": "环保局"})
    assert from_params(r.params()) == r
    assert "以牵头单位环保局的完成情况为准" in r.label()
    assert not r.facts()[0].required
    with pytest.raises(ValueError):
        SharedTask()
    with pytest.raises(ValueError):
        SharedTask(whole="洞头区", combine="lead")
    with pytest.raises(ValueError):
        SharedTask(whole="洞头区", combine="any")
    assert math.isnan(SharedTask(whole="洞头区").score(ctx(UNITS, [1, 100, 100])).points[0])


def test_the_whole_does_not_report():
    assert SharedTask(whole="洞头区").reporters(UNITS) == ["环保局", "经信局"]
    assert SharedTask(whole="洞头区").measure() == "completion"
