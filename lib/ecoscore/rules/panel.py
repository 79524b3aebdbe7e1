"""Rules where several raters each give a grade and the grades combine into one score."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ecoscore.rules.base import (
    MEASURE_POINTS,
    Context,
    FactSpec,
    Outcome,
    Rule,
    Scores,
    best_first,
    fmt,
    full_array,
)

COMBINES = ("mean", "majority", "median", "combined")
_ABSENT = "未评价"
_COMBINE_WORD = {"mean": "取各评价方得分的平均值", "majority": "取多数评价方给出的等次",
                 "median": "取各评价方得分的中位数", "combined": "汇总为一个综合等次计分"}


@dataclass(frozen=True)
class GradePanel(Rule):
    """Several raters each grade the unit (等次); the grades combine into points (000 三 县级评价).

    000: "各县美丽办对市级成员单位……按优秀、良好、合格、不合格4个等次进行综合评分。评价为优秀的
    得4分……" — nine county offices each rate every municipal department. ``raters`` names them
    (one fact ``grade_<k>`` per rater, k from 1); ``table`` maps grade → points; ``combine`` is
    ``mean`` (average of each rater's points), ``majority`` (the points of the grade given most
    often; ``tie: lower`` or ``higher`` settles a tie between grades), ``median`` (of the
    points) or ``combined`` (the raters' views are merged into one grade, entered as the fact
    ``grade`` labelled ``grade_label``; ``min_raters`` and ``absent_as_zero`` then do nothing). ``min_raters`` lets a unit be scored when some raters gave no grade (default: every
    rater must grade, otherwise the line is 缺数据). ``absent_as_zero`` counts a rater who gave
    no grade as 0 points (the lowest) instead: every unit is scored, over all raters.
    """

    type = "grade_panel"
    raters: tuple = ()
    table: dict = field(default_factory=dict)
    combine: str = "mean"
    tie: str = "lower"
    min_raters: int | None = None
    grade_label: str = "评价等次"
    absent_as_zero: bool = False

    def __post_init__(self):
        object.__setattr__(self, "raters", tuple(self.raters))
        if self.combine not in COMBINES:
            raise ValueError(f"combine must be one of {', '.join(COMBINES)}, not {self.combine!r}")
        if self.tie not in ("lower", "higher"):
            raise ValueError("tie must be 'lower' or 'higher'")
        if len(self.raters) < 2 or not self.table:
            raise ValueError("grade_panel needs at least two raters and a grade table")
        if self.min_raters is not None and not 1 <= self.min_raters <= len(self.raters):
            raise ValueError("min_raters must be between 1 and the number of raters")
        if self.absent_as_zero and self.min_raters is not None:
            raise ValueError("absent_as_zero and min_raters exclude each other")

    def facts(self):
        if self.combine == "combined":
            return (FactSpec("grade", self.grade_label, "choice", choices=best_first(self.table), better="up"),)
        required = self.min_raters is None and not self.absent_as_zero
        return tuple(
            FactSpec(f"grade_{k}", f"{r}{self.grade_label}", "choice", choices=best_first(self.table),
                     required=required, better="up")
            for k, r in enumerate(self.raters, start=1)
        )

    def measure(self):
        return MEASURE_POINTS

    def label(self):
        table = "、".join(f"{g}{fmt(p)}分" for g, p in self.table.items())
        need = "" if self.min_raters is None else f"(至少{self.min_raters}方评价)"
        if self.absent_as_zero:
            need = "(未评价的一方按0分计)"
        if self.combine == "combined":
            need = ""
        return f"{len(self.raters)}方分别评定等次({table}),{_COMBINE_WORD[self.combine]}{need}"

    def _majority(self, grades: list[str]) -> str:
        counts = Counter(grades)
        top = max(counts.values())
        # a rater who gave no grade (absent_as_zero) ranks below every grade
        tied = [g for g in (*self.table, _ABSENT) if counts.get(g) == top]
        # the table lists grades best first
        return tied[-1] if self.tie == "lower" else tied[0]

    def score(self, ctx: Context) -> Scores:
        if self.combine == "combined":
            return self._score_combined(ctx)
        n = ctx.n
        cols = [ctx.obj(f"grade_{k}") for k in range(1, len(self.raters) + 1)]
        need = len(self.raters) if self.min_raters is None else self.min_raters
        need = 0 if self.absent_as_zero else need
        points = np.full(n, np.nan)
        outcome = full_array(n, Outcome.MISSING)
        reason = []
        for i in range(n):
            given = [c[i] for c in cols if c[i] in self.table]
            tally = Counter(given)
            spread = "、".join(f"{g}{tally[g]}个" for g in self.table if tally.get(g))
            if len(given) < need:
                reason.append(f"仅{len(given)}方给出有效等次,少于所需{need}方,无法评分")
                continue
            absent = len(cols) - len(given) if self.absent_as_zero else 0
            if absent:
                spread = (spread + "、" if spread else "") + f"未评价{absent}个(按0分计)"
            pts = [float(self.table[g]) for g in given] + [0.0] * absent
            if self.combine == "mean":
                p = float(np.mean(pts))
                how = f"平均得分({'+'.join(fmt(x) for x in pts)})÷{len(pts)}={fmt(p)}分"
            elif self.combine == "median":
                p = float(np.median(pts))
                how = f"得分中位数{fmt(p)}分"
            else:
                g = self._majority(given + [_ABSENT] * absent)
                p = float(self.table.get(g, 0.0))
                how = f"多数等次为{g},得{fmt(p)}分"
            points[i] = p
            reason.append(f"{len(given)}方评价:{spread};{how}")
        return self._scores(ctx, points, outcome, reason)

    def _score_combined(self, ctx: Context) -> Scores:
        grade = ctx.obj("grade")
        points = np.full(ctx.n, np.nan)
        outcome = full_array(ctx.n, Outcome.MISSING)
        reason = []
        for i, g in enumerate(grade):
            if g not in self.table:
                reason.append(f"缺少{self.grade_label}")
                continue
            points[i] = float(self.table[g])
            reason.append(f"{len(self.raters)}方意见汇总为{self.grade_label}{g},得{fmt(points[i])}分")
        return self._scores(ctx, points, outcome, reason)

    def _scores(self, ctx: Context, points, outcome, reason) -> Scores:
        done = ~np.isnan(points)
        m = ctx.max if ctx.max is not None else np.nanmax(list(self.table.values()))
        outcome[done & (points >= m - 1e-9)] = Outcome.FULL
        outcome[done & (points <= 1e-9)] = Outcome.ZERO
        outcome[done & (points > 1e-9) & (points < m - 1e-9)] = Outcome.PARTIAL
        return Scores(points, outcome, reason, value=points)
