"""Three small rules the 004 document (XX市2020年度目标责任书) needs that the others cannot express.

* ``provision`` — a numbered sub-item that sets no points of its own: a cap ("总加分不超过10分"),
  a method ("断面浓度变化按照…原则确定"), or the base of an item whose numbered parts only
  deduct (三.18: 25分, ①②③ each "扣…分,扣完为止"). It reads no facts.
* ``quota_shortfall`` — completion of a per-unit quota (三.13(5): 江干区400亩、拱墅区200亩…),
  "每下降1个百分点扣0.5分": ``shortfall`` on the completion rate, with the quota as a target.
* ``target_or_assessed`` — full points when a target is met, otherwise the points another
  method gives (二.1: "按照市发改委高质量发展考核相关办法进行…达到力争目标值即得满分").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecoscore.rules.base import (
    OPERATORS,
    Context,
    FactSpec,
    Outcome,
    Rule,
    Scores,
    choose,
    fmt,
    full_array,
    outcome_for,
)
from ecoscore.rules.points import Threshold
from ecoscore.rules.targets import describe_target, resolve_target, target_facts, typical

_AWARDS = ("none", "full")


@dataclass(frozen=True)
class Provision(Rule):
    """A clause with no points of its own: ``award: none`` scores 0 (不适用), ``award: full``
    gives the line maximum (the base from which the item's numbered parts deduct).
    """

    type = "provision"
    award: str = "none"
    explain: str = ""

    def __post_init__(self):
        if self.award not in _AWARDS:
            raise ValueError(f"award must be one of {', '.join(_AWARDS)}")

    def facts(self):
        return ()

    def measure(self):
        return None

    def label(self):
        base = "基本分(由本项各扣分细则扣减)" if self.award == "full" else "条款说明,不单独计分"
        return base + (f":{self.explain}" if self.explain else "")

    def score(self, ctx: Context) -> Scores:
        if ctx.max is None:
            points = np.full(ctx.n, np.nan)
        else:
            points = np.full(ctx.n, float(ctx.max) if self.award == "full" else 0.0)
        if self.award == "full":
            outcome = full_array(ctx.n, Outcome.FULL)
            text = f"基本分{fmt(ctx.max)}分,扣分见本项各扣分细则"
        else:
            outcome = full_array(ctx.n, Outcome.NOT_APPLICABLE)
            text = "本款不单独计分"
        if self.explain:
            text += f"({self.explain})"
        return Scores(points, outcome, [text] * ctx.n)


@dataclass(frozen=True)
class QuotaShortfall(Rule):
    """Completion of a quota handed to each unit; below 100% deduct ``per_step`` per ``step``
    percentage points of the completion rate (pro rata, or whole steps with ``stepwise``), floor 0.
    """

    type = "quota_shortfall"
    target: float | str | dict = "fact"
    step: float = 1
    per_step: float = 1
    stepwise: bool = False
    value_label: str = "完成量"
    value_unit: str = ""

    def facts(self):
        return (FactSpec("value", self.value_label, "number", self.value_unit, minimum=0, better="up",
                         typical=typical(self.target)),
                *target_facts(self.target, label="年度任务量", unit=self.value_unit))

    def measure(self):
        return "value"

    def label(self):
        whole = "(只计整步)" if self.stepwise else ""
        return (f"{self.value_label}÷年度任务({describe_target(self.target)}{self.value_unit}),"
                f"完成率每低于100%{fmt(self.step)}个百分点扣{fmt(self.per_step)}分{whole}")

    def score(self, ctx: Context) -> Scores:
        v = ctx.num("value")
        t = resolve_target(self.target, ctx)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(t > 0, 100.0 * v / t, np.nan)
        short = np.clip(100.0 - rate, 0, None)
        steps = np.floor(short / self.step + 1e-9) if self.stepwise else short / self.step
        points = np.clip(ctx.max - steps * self.per_step, 0, ctx.max)
        outcome = outcome_for(points, ctx.max)
        outcome[np.isnan(rate)] = Outcome.MISSING
        u = self.value_unit
        def reason():
            reason = []
            for a, b, r, s, p in zip(v, t, rate, short, points):
                head = f"{self.value_label}{fmt(a)}{u},年度任务{fmt(b)}{u},完成率{fmt(r)}%"
                if np.isnan(r):
                    reason.append(f"{head},无法计算完成率")
                elif s <= 0:
                    reason.append(f"{head},完成年度任务,得{fmt(p)}分")
                else:
                    reason.append(f"{head},低于100% {fmt(s)}个百分点,扣{fmt(ctx.max - p)}分,得{fmt(p)}分")
            return reason

        return Scores(points, outcome, reason, value=v, target=t, gap=np.clip(t - v, 0, None))


@dataclass(frozen=True)
class TargetOrAssessed(Threshold):
    """Full points when the value meets the target (``op``); otherwise the points assessed by
    another method (an analyst enters them), clipped to 0…max. A unit that misses the target
    and has no assessed points is 缺数据. The comparison and its facts are ``threshold``'s.
    """

    type = "target_or_assessed"
    op: str = "<="
    target: float | str | dict = "fact"
    method: str = "其他办法"

    def facts(self):
        return (
            *super().facts(),
            FactSpec("assessed", f"按{self.method}得分(未达到目标时填)", "points", "分", required=False,
                     minimum=0, better="up"),
        )

    def label(self):
        sym = OPERATORS[self.op][1]
        return (f"{self.value_label}{sym}{describe_target(self.target)}{self.value_unit}得满分,"
                f"否则按{self.method}得分")

    def score(self, ctx: Context) -> Scores:
        v, t, ok, sym = self.compare(ctx)
        assessed = np.clip(ctx.num("assessed"), 0, ctx.max)
        points = np.where(ok, ctx.max, np.nan_to_num(assessed, nan=0.0))
        outcome = outcome_for(points, ctx.max)
        unknown = np.isnan(t) | (~ok & np.isnan(assessed))
        outcome[unknown] = Outcome.MISSING
        u = self.value_unit
        def reason():
            reason = []
            for a, b, k, s, p in zip(v, t, ok, assessed, points):
                head = f"{self.value_label}{fmt(a)}{u},目标{sym}{fmt(b)}{u}"
                if k:
                    reason.append(f"{head},达到目标,得{fmt(p)}分")
                elif np.isnan(s):
                    reason.append(f"{head},未达到目标,缺少按{self.method}评定的得分")
                else:
                    reason.append(f"{head},未达到目标,按{self.method}得{fmt(p)}分")
            return reason

        return Scores(points, outcome, reason, value=v, target=t,
                      gap=np.where(ok, 0.0, np.abs(t - v)))


@dataclass(frozen=True)
class GatedAward(Threshold):
    """Points an analyst awards (酌情加分), only when the value meets a bar (``op``, ``target``):
    004 四(一)7 "投资较上年增长10%以上的,根据完成情况酌情加分,最高不超过5分". A unit below the
    bar gets nothing whatever was entered; a unit over it without awarded points is 缺数据.
    """

    type = "gated_award"
    op: str = ">="
    guidance: str = ""

    def facts(self):
        return (
            *super().facts(),
            FactSpec("points", "酌情加分(达到条件时由分析人员评定)", "points", "分", required=False,
                     minimum=0, better="up"),
            FactSpec("note", "加分理由", "text", required=False, better="neutral"),
        )

    def label(self):
        sym = OPERATORS[self.op][1]
        return (f"{self.value_label}{sym}{describe_target(self.target)}{self.value_unit}的,"
                f"酌情加分(人工评定){':' + self.guidance if self.guidance else ''}")

    def score(self, ctx: Context) -> Scores:
        v, t, ok, sym = self.compare(ctx)
        given = np.clip(ctx.num("points"), 0, ctx.max)
        points = np.where(ok, np.nan_to_num(given, nan=0.0), 0.0)
        outcome = choose(points > 0, Outcome.BONUS, Outcome.NO_BONUS)
        outcome[np.isnan(v) | np.isnan(t) | (ok & np.isnan(given))] = Outcome.MISSING
        u = self.value_unit
        def reason():
            reason = []
            for a, b, k, p in zip(v, t, ok, points):
                head = f"{self.value_label}{fmt(a)}{u},条件{sym}{fmt(b)}{u}"
                reason.append(f"{head},符合加分条件,酌情加{fmt(p)}分" if k else f"{head},不符合加分条件,不加分")
            return reason

        return Scores(points, outcome, reason, value=v, target=t, gap=np.where(ok, 0.0, np.abs(t - v)))
