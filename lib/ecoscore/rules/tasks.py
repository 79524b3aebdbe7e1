"""Task-book lines (000 附件3, 001, key-task lists) and gates (评优前置, 合格否决)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecoscore.rules.base import Context, FactSpec, Outcome, Rule, Scores, choose, fmt, full_array

GATE_KINDS = ("评优前置", "合格否决")


@dataclass(frozen=True)
class Task(Rule):
    """A task with a completion percentage; with points, scored pro rata by completion
    ("根据该项任务的分值和任务量按比例扣分"), otherwise 已完成 / 未完成.
    """

    type = "task"

    def facts(self):
        return (
            FactSpec("completion", "完成比例", "percent", "%", minimum=0, maximum=100, better="up"),
            FactSpec("note", "完成情况说明", "text", required=False, better="neutral"),
        )

    def measure(self):
        return "completion"

    def label(self):
        return "按任务完成比例计分"

    def score(self, ctx: Context) -> Scores:
        c = np.clip(ctx.num("completion"), 0, 100)
        notes = ctx.obj("note")
        done = c >= 100 - 1e-9

        def why(note):
            return f"({note})" if note not in (None, "") and note == note else ""

        if ctx.max is None:
            outcome = choose(done, Outcome.DONE, Outcome.NOT_DONE)
            reason = lambda: [("已完成" if d else f"完成{fmt(x)}%,未完成") + why(nt) for x, d, nt in zip(c, done, notes)]
            return Scores(np.full(ctx.n, np.nan), outcome, reason, value=c, gap=100 - c)
        points = ctx.max * c / 100
        outcome = full_array(ctx.n, Outcome.PARTIAL)
        outcome[done] = Outcome.FULL
        outcome[c <= 0] = Outcome.ZERO
        reason = lambda: [
            (f"全部完成,得{fmt(p)}分" if d else
             f"完成{fmt(x)}%,按比例扣{fmt(ctx.max - p)}分,得{fmt(p)}分") + why(nt)
            for x, d, p, nt in zip(c, done, points, notes)
        ]
        return Scores(points, outcome, reason, value=c, gap=100 - c)


@dataclass(frozen=True)
class Gate(Rule):
    """A gate: 评优前置 (must hold for the unit to be rated excellent) or 合格否决
    (if it happens, the unit fails whatever its score).
    """

    type = "gate"
    kind: str = "评优前置"

    def __post_init__(self):
        if self.kind not in GATE_KINDS:
            raise ValueError(f"gate kind must be one of {', '.join(GATE_KINDS)}")

    def facts(self):
        bar = self.kind == "评优前置"
        q = "是否满足" if bar else "是否发生"
        # 评优前置: meeting the condition is good; 合格否决: the event happening is bad
        return (FactSpec("flag", q, "bool", better="up" if bar else "down"),
                FactSpec("note", "情况说明", "text", required=False, better="neutral"))

    def measure(self):
        return None

    def gate(self):
        return "bar" if self.kind == "评优前置" else "veto"

    def label(self):
        return f"{self.kind}:{'不满足则不得评优' if self.kind == '评优前置' else '发生即不合格'}"

    def score(self, ctx):
        f = ctx.bool("flag")
        if self.kind == "评优前置":
            outcome = choose(f, Outcome.MET, Outcome.NOT_MET)
            reason = lambda: ["满足评优前置条件" if x else "不满足评优前置条件,不得评为优秀" for x in f]
        else:
            outcome = choose(f, Outcome.TRIGGERED, Outcome.CLEAR)
            reason = lambda: ["触发合格否决,考核结果为不合格" if x else "未发生,未触发合格否决" for x in f]
        return Scores(np.full(ctx.n, np.nan), outcome, reason)
