"""Task-book rows shared by several units, where the whole is judged from its parts (001)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecoscore.rules.base import Context, FactSpec, Outcome, Rule, Scores, fmt
from ecoscore.rules.tasks import Task

COMBINE = ("all", "lead")


@dataclass(frozen=True)
class SharedTask(Rule):
    """A task-book row shared by several units; the whole is judged from its responsible units.

    001 lists, for the district (``whole``, e.g. 洞头区), tasks that several departments carry
    together. ``combine: all`` — the whole has done the task only when every responsible unit
    scored on the line has (its completion is the lowest of theirs); ``combine: lead`` — the
    whole takes the completion of the ``lead`` unit. Every other unit is scored on its own
    completion, exactly as ``task``. The responsible units are the line's other units, so they
    must be scored together with the whole; a missing figure makes the whole 缺数据.
    """

    type = "shared_task"
    cohort = True
    whole: str = ""
    combine: str = "all"
    lead: str | None = None

    def __post_init__(self):
        if not self.whole:
            raise ValueError("shared_task needs 'whole': the unit judged from the others")
        if self.combine not in COMBINE:
            raise ValueError(f"combine must be one of {', '.join(COMBINE)}")
        if self.combine == "lead" and not self.lead:
            raise ValueError("combine 'lead' needs 'lead': the unit whose completion counts")

    def facts(self):
        # not required: the whole does not report its own figure; missing figures are
        # flagged by ``score`` for the units that do report
        return (
            FactSpec("completion", "完成比例", "percent", "%", required=False, minimum=0, maximum=100,
                     better="up"),
            FactSpec("note", "完成情况说明", "text", required=False, better="neutral"),
        )

    def measure(self):
        return "completion"

    def reporters(self, units):
        """Return the units that report: every unit of the line but the whole (derived from them)."""
        return [u for u in units if u != self.whole]

    def label(self):
        how = "全部责任单位完成才算完成(取最低完成比例)" if self.combine == "all" else f"以牵头单位{self.lead}的完成情况为准"
        return f"按任务完成比例计分;{self.whole}:{how}"

    def score(self, ctx: Context) -> Scores:
        c = ctx.num("completion").copy()
        units = list(ctx.units)
        whole = [k for k, u in enumerate(units) if u == self.whole]
        parts = [k for k, u in enumerate(units)
                 if u != self.whole and (self.combine == "all" or u == self.lead)]
        head, lacking = "", []
        if whole:
            lacking = [units[k] for k in parts if np.isnan(c[k])]
            if not parts:
                derived = np.nan
                head = "未纳入责任单位的完成情况,无法判定"
            elif lacking:
                derived = np.nan
                head = f"缺少责任单位完成情况:{'、'.join(lacking)},待补充后重新评定"
            else:
                derived = float(np.min(c[parts]))
                shown = "、".join(f"{units[k]}{fmt(c[k])}%" for k in parts)
                head = (f"按全部责任单位完成情况判定({shown},取最低)" if self.combine == "all"
                        else f"按牵头单位完成情况判定({shown})")
            c[whole] = derived
        s = Task().score(Context(ctx.units, ctx.max, {**ctx.values, "completion": c},
                                 ctx.previous, ctx.categories))
        outcome = np.asarray(s.outcome, dtype=object).copy()
        reason = list(s.reason)
        for k in range(ctx.n):
            if k in whole:
                if np.isnan(c[k]):
                    outcome[k] = Outcome.MISSING
                    reason[k] = head
                else:
                    reason[k] = f"{head}:{reason[k]}"
            elif np.isnan(c[k]):
                outcome[k] = Outcome.MISSING
                reason[k] = "缺少数据:完成比例,待补充后重新评定"
        return Scores(s.points, outcome, reason, value=s.value, gap=s.gap)
