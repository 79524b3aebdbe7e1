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
