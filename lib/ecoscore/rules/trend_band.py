"""A trend against last year with the knobs the compliance documents' readings need (002).

``trend`` compares this year with last year and nothing else. 002's clauses need more:
"完成上级规定的考核任务,且保持稳定或持续下降" checks a handed-down target *and* the trend on one
value; "保持稳定" may tolerate a small move in the bad direction; a county may have no value
for last year (first year of the campaign) or nothing to report at all (草原综合植被盖度 in a
county without grassland). Each of these is a parameter here, so an ambiguity reading can
switch it by merging parameters. With every parameter at its default the rule is ``trend``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecoscore import words
from ecoscore.rules.base import OPERATORS, Context, FactSpec, Outcome, Rule, Scores, fmt, full_array
from ecoscore.rules.targets import (
    describe_target,
    resolve_target,
    target_facts,
    typical,
    validate_target,
)

_IF_NO_PREVIOUS = ("missing", "met", "not_met")
_IF_NO_VALUE = ("missing", "met")
_EPS = 1e-9  # 59.4 - 60 is -0.6000000000000014: a band edge must not fail on float noise


@dataclass(frozen=True)
class TrendBand(Rule):
    """Compare with last year in the good direction, optionally also against a target.

    ``direction``: ``up`` (提高为好) or ``down`` (下降为好). ``allow_equal``: an unchanged value
    counts (保持稳定); false for "持续下降". ``tolerance``: a move in the bad direction of at most
    this much still counts as 保持稳定 (in the value's unit, or with ``relative`` in percent of
    last year's value; needs ``allow_equal``). ``target``: also require the value to reach a
    target (number, ``fact`` = handed down per unit, or by category), compared with ``target_op``
    (default ``>=`` for up, ``<=`` for down). ``if_no_previous``: what a missing last-year value
    means for the trend part (``missing`` 缺数据, ``met``, ``not_met``). ``if_no_value``: ``met``
    makes this year's value optional and a blank one 达标 (不涉及). ``applies_if``: a yes/no
    question (本地是否有草原) whose answer decides whether the indicator applies to the unit at all:
    否 → 不适用 (no value needed); 是 or unanswered → judged as usual, a blank value 缺数据.
    """

    type = "trend_band"
    direction: str = "up"
    allow_equal: bool = True
    tolerance: float = 0.0
    relative: bool = False
    target: float | str | dict | None = None
    target_op: str = ""
    if_no_previous: str = "missing"
    if_no_value: str = "missing"
    applies_if: str = ""
    value_label: str = "实际值"
    value_unit: str = ""

    def __post_init__(self):
        if self.direction not in ("up", "down"):
            raise ValueError("direction must be 'up' or 'down'")
        validate_target(self.target)
        if self.tolerance < 0 or (self.tolerance and not self.allow_equal):
            raise ValueError("tolerance must be >= 0 and needs allow_equal (a band around 'unchanged')")
        if self.target_op and self.target_op not in OPERATORS:
            raise ValueError(f"target_op must be one of {', '.join(OPERATORS)}, not {self.target_op!r}")
        if self.if_no_previous not in _IF_NO_PREVIOUS:
            raise ValueError(f"if_no_previous must be one of {', '.join(_IF_NO_PREVIOUS)}")
        if self.if_no_value not in _IF_NO_VALUE:
            raise ValueError(f"if_no_value must be one of {', '.join(_IF_NO_VALUE)}")

    @property
    def op(self) -> str:
        """Return the operator comparing the value with the target."""
        return self.target_op or (">=" if self.direction == "up" else "<=")

    def facts(self):
        # with ``applies_if`` the rule itself says 缺数据 for a blank value where the indicator applies
        required = self.if_no_value == "missing" and not self.applies_if
        return (
            FactSpec("value", self.value_label, "number", self.value_unit, previous=True, required=required,
                     better=self.direction, typical=typical(self.target)),
            *((FactSpec("applies", self.applies_if, "bool", required=False, better="neutral"),)
              if self.applies_if else ()),
            *(target_facts(self.target, label=f"{self.value_label}目标值", unit=self.value_unit) if self.target is not None else ()),
        )

    def measure(self):
        """Return ``value``; the ``target`` column is the bound the value had to reach
        (the target, or last year's value less the tolerance), in the value's unit.
        """
        return "value"

    def _band(self) -> str:
        if not self.tolerance:
            return ""
        amount = f"上年值的{fmt(self.tolerance)}%" if self.relative else f"{fmt(self.tolerance)}{self.value_unit}"
        worse = "下降" if self.direction == "up" else "上升"
        return f"({worse}不超过{amount}视为保持稳定)"

    def label(self):
        word = {"up": "提高", "down": "下降"}[self.direction]
        eq = "或保持稳定" + self._band() if self.allow_equal else "(持平不算)"
        text = f"{self.value_label}较上年{word}{eq}"
        if self.target is not None:
            text = (f"{self.value_label}{OPERATORS[self.op][1]}{describe_target(self.target)}{self.value_unit},"
                    f"且{text[len(self.value_label):]}")
        extra = {"met": ";缺上年数据时趋势部分视为达标", "not_met": ";缺上年数据时趋势部分视为未达标"}
        text += extra.get(self.if_no_previous, "")
        if self.if_no_value == "met":
            text += ";未填报(不涉及)视为达标"
        if self.applies_if:
            text += f";{self.applies_if}为“否”时不适用"
        return text

    def score(self, ctx: Context) -> Scores:
        v, p = ctx.num("value"), ctx.prev("value")
        n, u = ctx.n, self.value_unit
        sign = 1.0 if self.direction == "up" else -1.0
        allowed = self.tolerance * np.abs(p) / 100 if self.relative else np.full(n, float(self.tolerance))
        d = sign * (v - p)  # improvement on last year (positive = better)
        with np.errstate(invalid="ignore"):
            trend_ok = d >= -allowed - _EPS if self.allow_equal else d > _EPS
        no_prev = np.isnan(p)
        # trend part: 1 met, 0 not met, NaN unknown
        trend = np.where(trend_ok, 1.0, 0.0)
        trend[no_prev] = {"missing": np.nan, "met": 1.0, "not_met": 0.0}[self.if_no_previous]
        trend_gap = np.where(no_prev | trend_ok, 0.0, np.clip(-(d + allowed), 0, None))
        if self.target is not None:
            t = resolve_target(self.target, ctx)
            fn, sym = OPERATORS[self.op]
            with np.errstate(invalid="ignore"):
                target_ok = fn(v, t)
            tgt = np.where(np.isnan(t), np.nan, np.where(target_ok, 1.0, 0.0))
            target_gap = np.where(target_ok | np.isnan(t), 0.0, np.abs(t - v))
        else:
            t = np.full(n, np.nan)
            sym = ""
            tgt = np.ones(n)
            target_gap = np.zeros(n)
        parts = np.vstack([trend, tgt])
        not_met = (parts == 0).any(axis=0)
        unknown = np.isnan(parts).any(axis=0)
        outcome = full_array(n, Outcome.MET)
        outcome[unknown] = Outcome.MISSING
        outcome[not_met] = Outcome.NOT_MET
        blank = np.isnan(v) & (self.if_no_value == "met")
        outcome[blank] = Outcome.MET
        off = np.zeros(n, dtype=bool)
        if self.applies_if:
            # 否 (False, 0) → 不适用; 是 or unanswered (None, NaN) → judged
            off = np.array([a is not None and a == a and not bool(a) for a in ctx.obj("applies")], dtype=bool)
            outcome[np.isnan(v) & ~blank] = Outcome.MISSING
            outcome[off] = Outcome.NOT_APPLICABLE
        gap = np.where(not_met & ~blank & ~off & ~np.isnan(v), np.fmax(trend_gap, target_gap), 0.0)
        bound = p - sign * allowed
        bound = np.where(np.isnan(t), bound, np.fmax(bound, t) if sign > 0 else np.fmin(bound, t))
        def reason():
            reason = []
            for k in range(n):
                if off[k]:
                    reason.append(f"{self.applies_if}:否,{self.value_label}不适用")
                    continue
                if blank[k]:
                    reason.append(f"{self.value_label}未填报,按不涉及视为达标")
                    continue
                if self.applies_if and np.isnan(v[k]):
                    reason.append(f"缺少数据:{self.value_label}(本地没有时请在“{self.applies_if}”填“否”),暂无法判定")
                    continue
                bits = [f"{self.value_label}{fmt(v[k])}{u}"]
                if self.target is not None:
                    bits.append(f"目标{sym}{fmt(t[k])}{u}" + ("" if np.isnan(t[k]) else ("(达到)" if tgt[k] else "(未达到)")))
                if no_prev[k]:
                    bits.append({"missing": "缺上年数据,趋势无法判定", "met": "缺上年数据,趋势部分视为达标",
                                 "not_met": "缺上年数据,趋势部分视为未达标"}[self.if_no_previous])
                else:
                    bits.append(f"上年{fmt(p[k])}{u}" + ("(趋势达到)" if trend_ok[k] else "(趋势未达到)"))
                o = outcome[k]
                tail = "达标" if o is Outcome.MET else (f"未达标,差距{words.gap(gap[k], u)}" if o is Outcome.NOT_MET else "无法判定")
                reason.append(",".join(bits) + ";" + tail)
            return reason

        return Scores(np.full(n, np.nan), outcome, reason, value=v, target=bound, gap=gap)
