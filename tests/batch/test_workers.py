"""A unit's failure in Chinese: a lead saying what failed, the exception's name and value, no traceback."""

from __future__ import annotations

import pytest
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from ecoscore.batch.workers import describe

TRACEBACK = ["\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
             "\x1b[0;31mZeroDivisionError\x1b[0m  Traceback (most recent call last)", "Cell In[3], line 1"]


@pytest.mark.parametrize("error, timeout, expected", [
    (PapermillExecutionError(4, 3, "1/0", "ZeroDivisionError", "division by zero", TRACEBACK), 600,
     ("cell", "报告笔记本第3个单元(In [3])执行出错:ZeroDivisionError: division by zero")),
    (PapermillExecutionError(4, None, "raise E", "E", "", TRACEBACK), 600,
     ("cell", "报告笔记本第5个单元执行出错:E")),
    (PapermillExecutionError(2, 2, "x", "KeyError", "\x1b[0;31m'甲区'\x1b[0m", TRACEBACK), 600,
     ("cell", "报告笔记本第2个单元(In [2])执行出错:KeyError: '甲区'")),
    (CellTimeoutError("A cell timed out while it was being executed, after 600 seconds."), 600,
     ("timeout", "单元执行超时(超过600秒)")),
    (CellTimeoutError("Cell execution timed out"), 2.5, ("timeout", "单元执行超时(超过2.5秒)")),
    (DeadKernelError("Kernel died"), 600, ("kernel", "内核意外退出")),
    (TimeoutError("Kernel didn't respond in 60 seconds"), 600,
     ("timeout", "内核无响应(超时):TimeoutError: Kernel didn't respond in 60 seconds")),
    (ValueError("bad image"), 600, ("other", "报告生成出错:ValueError: bad image")),
    (RuntimeError(), None, ("other", "报告生成出错:RuntimeError")),
])
def test_describe_leads_in_chinese_and_keeps_the_exception(error, timeout, expected):
    kind, message = describe(error, timeout=timeout)
    assert (kind, message) == expected
    assert "Traceback" not in message and "\x1b" not in message
