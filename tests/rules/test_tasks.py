"""Task-book lines and gates."""

import pytest

from ecoscore.rules.base import Outcome
from ecoscore.rules.tasks import Gate, Task
from tests.conftest import make_ctx


def test_task_with_points_pro_rata_000():
    # 000 一: 未完成的,根据该项任务的分值和任务量按比例扣分 — a 30-point task done 50% → 15
    s = Task().score(make_ctx(30, completion=[100.0, 50.0, 0.0], note=[None, "进度滞后", None]))
    assert list(s.points) == [30, 15, 0]
    assert s.reason[1] == "完成50%,按比例扣15分,得15分(进度滞后)"
    assert [s.outcome[0], s.outcome[2]] == [Outcome.FULL, Outcome.ZERO]


def test_task_without_points():
    s = Task().score(make_ctx(None, completion=[100.0, 80.0], note=[None, None]))
    assert list(s.outcome) == [Outcome.DONE, Outcome.NOT_DONE]


def test_gates():
    veto = Gate(kind="合格否决").score(make_ctx(None, flag=[True, False], note=[None, None]))
    assert list(veto.outcome) == [Outcome.TRIGGERED, Outcome.CLEAR]
    pre = Gate(kind="评优前置").score(make_ctx(None, flag=[True, False], note=[None, None]))
    assert list(pre.outcome) == [Outcome.MET, Outcome.NOT_MET]
    with pytest.raises(ValueError):
        Gate(kind="其他")


def test_task_stated_as_figures():
    # 001 二(六)4⑤ 城市区域环境噪声低于55分贝: 54 done; 55 not 低于55; no figure → NaN, not done
    t = Task(op="<", figures=({"name": "day", "label": "昼间", "target": 55, "unit": "分贝"},))
    s = t.score(make_ctx(None, day=[54.0, 55.0], note=[None, None]))
    assert list(s.outcome) == [Outcome.DONE, Outcome.NOT_DONE]
    assert s.reason[1] == "昼间55分贝,未低于55分贝,未完成"
    assert [f.name for f in t.facts()] == ["day", "note"] and t.measure() == "day"
    assert t.facts()[0].better == "down"
    # every figure must meet its own target (≥ unless the figure or the task says otherwise)
    two = Task(figures=({"name": "a", "label": "甲", "target": 100}, {"name": "b", "label": "乙", "target": 85}))
    s = two.score(make_ctx(None, a=[100.0, 100.0], b=[85.0, 84.0], note=[None, None]))
    assert list(s.outcome) == [Outcome.DONE, Outcome.NOT_DONE]
    # with points (A4 pro_rata gives max 1): all or nothing
    s = two.score(make_ctx(1, a=[100.0, 100.0], b=[85.0, 84.0], note=[None, None]))
    assert list(s.points) == [1, 0]
    with pytest.raises(ValueError):
        Task(op="≈")
    with pytest.raises(ValueError):
        Task(figures=({"name": "a", "target": 1},))


def test_task_not_counted():
    t = Task(not_counted="洞头区不涉及")
    s = t.score(make_ctx(None, note=[None]))
    assert list(s.outcome) == [Outcome.NOT_APPLICABLE]
    assert s.reason == ["不列入考核:洞头区不涉及"]
    assert [f.name for f in t.facts()] == ["note"] and t.measure() is None


def test_gate_questions_three_valued():
    # 001 合格否决2: (重大事件 且 因监管不力) 或 重大群体性事件
    g = Gate(kind="合格否决", questions={"major": "重大事件", "neg": "因监管不力", "mass": "群体性事件"},
             when=(("major", "neg"), ("mass",)))
    assert g.handles_missing and all(not f.required for f in g.facts())
    s = g.score(make_ctx(None, major=[True, True, False, True, None, None],
                         neg=[True, False, None, None, None, None],
                         mass=[False, False, False, None, True, None], note=[None] * 6))
    assert list(s.outcome) == [Outcome.TRIGGERED, Outcome.CLEAR, Outcome.CLEAR, Outcome.MISSING,
                               Outcome.TRIGGERED, Outcome.MISSING]
    assert s.reason[0] == "触发合格否决,考核结果为不合格:重大事件且因监管不力"
    assert s.reason[3] == "缺少数据:因监管不力、群体性事件,暂无法判定"
    # default when: any one question
    any_of = Gate(kind="合格否决", questions={"a": "甲", "b": "乙"})
    assert any_of.when == (("a",), ("b",))
    with pytest.raises(ValueError):
        Gate(kind="合格否决", questions={"a": "甲"}, when=(("x",),))


def test_gate_bar_questions_all_must_hold():
    # 001 评优前置1: 水质考核良好以上 且 空气考核良好以上
    g = Gate(kind="评优前置", questions={"w": "水质", "a": "空气"}, when=(("w", "a"),))
    s = g.score(make_ctx(None, w=[True, True, False, None], a=[True, False, None, True], note=[None] * 4))
    assert list(s.outcome) == [Outcome.MET, Outcome.NOT_MET, Outcome.NOT_MET, Outcome.MISSING]


def test_gate_rise():
    # 001 评优前置3 read as "本年度满意度高于上年度": 83 > 82 met; 82 = 82 not met
    g = Gate(kind="评优前置", rise=True)
    s = g.score(make_ctx(None, value=[83.0, 82.0, float("nan")], last_year=[82.0, 82.0, 80.0], note=[None] * 3))
    assert list(s.outcome) == [Outcome.MET, Outcome.NOT_MET, Outcome.MISSING]
    assert s.reason[0] == "满足评优前置条件(本年度83,上年度82)"
    with pytest.raises(ValueError):
        Gate(kind="合格否决", rise=True)


def test_gate_single_flag_missing():
    s = Gate(kind="合格否决").score(make_ctx(None, flag=[None], note=[None]))
    assert list(s.outcome) == [Outcome.MISSING]
