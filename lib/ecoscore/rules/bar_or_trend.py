"""An absolute bar, or else an improvement on last year (003): "≥85,或逐年提高且提高幅度大于全省平均值".

``compound`` can state such an "or", but its parts cannot share a fact: the value would be
entered once for the bar, again for the trend, and the change a third time for the comparison
with the provincial average. Here the value is entered once; last year's value comes from the
previous year's facts under the same key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecoscore.rules.base import OPERATORS, Context, FactSpec, Outcome, Rule, Scores, fmt, full_array
from ecoscore.rules.targets import (
    TARGET_FACT,
    describe_target,
    resolve_target,
    typical,
    validate_target,
)

_IF_NO_PREVIOUS = ("missing", "met", "not_met")
_CHANGES = ("diff", "rate")


@dataclass(frozen=True)
class BarOrTrend(Rule):
    """Met when the value reaches a bar, or else improves on last year (optionally by more than a reference).

    003 #15 "≥85,或逐年提高且提高幅度大于全省平均值": ``target: 85``, ``direction: up``,
    ``beat_reference: true`` (fact ``reference`` = the provincial average change); #15
    "≤全省平均值,或逐年下降": ``target: fact``, ``direction: down``; #53 "高于全省平均值或
    逐年上升": ``target: fact``, ``target_op: '>'``. ``target_op`` defaults to ``>=`` for
    ``up`` and ``<=`` for ``down``. ``allow_equal`` lets an unchanged value count as the
    improvement (default: it does not — 逐年提高 means higher). ``change`` measures the change
    (and compares it with the reference) as a difference in the value's unit (``diff``) or as a
    percentage of last year's value (``rate``). ``if_no_previous`` says what a missing last-year
    value means for the improvement branch: ``missing`` (undecided; the line is 缺数据 unless the
    bar is met), ``met`` or ``not_met``. The bar target and the reference are optional facts: a
    unit that meets one branch needs no data for the other.
    """

    type = "bar_or_trend"
    target: float | str | dict | None = None
    target_op: str = ""
    target_label: str = "考核目标值"
    direction: str = "up"
    allow_equal: bool = False
    beat_reference: bool = False
    reference_label: str = "全省平均变化幅度"
    change: str = "diff"
    if_no_previous: str = "missing"
    value_label: str = "实际值"
    value_unit: str = ""

    def __post_init__(self):
        if self.target is None:
            raise ValueError("bar_or_trend needs a target (the bar); use trend for a trend alone")
        validate_target(self.target)
        if self.direction not in ("up", "down"):
            raise ValueError("direction must be 'up' or 'down'")
        if self.target_op and self.target_op not in OPERATORS:
            raise ValueError(f"target_op must be one of {', '.join(OPERATORS)}, not {self.target_op!r}")
        if self.change not in _CHANGES:
            raise ValueError(f"change must be one of {', '.join(_CHANGES)}")
        if self.if_no_previous not in _IF_NO_PREVIOUS:
            raise ValueError(f"if_no_previous must be one of {', '.join(_IF_NO_PREVIOUS)}")

    @property
    def op(self) -> str:
        """Return the operator comparing the value with the bar."""
        return self.target_op or (">=" if self.direction == "up" else "<=")

    def _change_unit(self) -> str:
        if self.change == "rate":
            return "%"
        return "个百分点" if self.value_unit == "%" else self.value_unit

    @property
    def reference_fact(self) -> str:
        """Return the reference's fact name: one per way of measuring the change, so a reading
        that switches ``change`` reads its own column (百分点 vs %) and never reuses the other's.
        """
        return "reference" if self.change == "diff" else "reference_rate"

    def facts(self):
        out = [FactSpec("value", self.value_label, "number", self.value_unit, previous=True,
                        better=self.direction, typical=typical(self.target))]
        if self.target == "fact":
            out.append(FactSpec(TARGET_FACT, self.target_label, "number", self.value_unit, required=False,
                                better="neutral", target_of="value"))
        if self.beat_reference:
            # compared with the change on last year, not with a fact
            out.append(FactSpec(self.reference_fact, self.reference_label, "number", self._change_unit(), required=False,
                                better="neutral"))
        return tuple(out)

    def measure(self):
        return "value"

    def label(self):
        word = {"up": "提高", "down": "下降"}[self.direction]
        eq = "或持平" if self.allow_equal else ""
        how = "(按上年值的百分比计)" if self.change == "rate" else ""
        ref = f"且{word}幅度{how}大于{self.reference_label}" if self.beat_reference else ""
        target = self.target_label if self.target == "fact" else describe_target(self.target)
        return (f"{self.value_label}{OPERATORS[self.op][1]}{target}{self.value_unit},"
                f"或较上年{word}{eq}{ref}")

    def score(self, ctx: Context) -> Scores:
        v, p = ctx.num("value"), ctx.prev("value")
        n = ctx.n
        t = resolve_target(self.target, ctx)
        with np.errstate(invalid="ignore", divide="ignore"):
            bar_ok = OPERATORS[self.op][0](v, t)
            diff = v - p if self.direction == "up" else p - v
            d = diff if self.change == "diff" else diff / np.abs(p) * 100
            moved = d >= 0 if self.allow_equal else d > 0
            r = ctx.num(self.reference_fact) if self.beat_reference else np.full(n, -np.inf)
            trend_ok = moved & (d > r)
        # trend branch: 1 met, 0 not met, NaN unknown
        trend = np.where(trend_ok, 1.0, 0.0)
        trend[np.isnan(d) | (moved & np.isnan(r))] = np.nan
        no_prev = np.isnan(p) & ~np.isnan(v)
        trend[no_prev] = {"missing": np.nan, "met": 1.0, "not_met": 0.0}[self.if_no_previous]
        bar = np.where(np.isnan(t) | np.isnan(v), np.nan, np.where(bar_ok, 1.0, 0.0))
        met = (bar == 1) | (trend == 1)
        outcome = full_array(n, Outcome.NOT_MET)
        outcome[met] = Outcome.MET
        outcome[~met & (np.isnan(bar) | np.isnan(trend))] = Outcome.MISSING
        gap = np.where(met | np.isnan(t), 0.0, np.abs(t - v))
        reason = lambda: [self._why(k, v, p, d, t, r, bar, trend, outcome[k]) for k in range(n)]
        return Scores(np.full(n, np.nan), outcome, reason, value=v, target=t, gap=gap)

    def _why(self, k, v, p, d, t, r, bar, trend, o) -> str:
        u, cu = self.value_unit, self._change_unit()
        sym = OPERATORS[self.op][1]
        tlabel = f"{self.target_label}" if self.target == "fact" else "目标"
        bits = [f"{self.value_label}{fmt(v[k])}{u}"]
        bits.append(f"{tlabel}{sym}{fmt(t[k])}{u}"
                    + ("" if np.isnan(bar[k]) else ("(达到)" if bar[k] else "(未达到)")))
        if np.isnan(p[k]):
            bits.append({"missing": "缺上年数据,趋势无法判定", "met": "缺上年数据,趋势部分视为达标",
                         "not_met": "缺上年数据,趋势部分视为未达标"}[self.if_no_previous])
        else:
            word = {"up": "提高", "down": "下降"}[self.direction]
            change = (f"{word}{fmt(d[k])}{cu}" if d[k] > 0 else "持平" if d[k] == 0
                      else f"反向变化{fmt(-d[k])}{cu}")
            text = f"上年{fmt(p[k])}{u},较上年{change}"
            if self.beat_reference:
                text += f",{self.reference_label}{fmt(r[k])}{cu}"
            text += "" if np.isnan(trend[k]) else ("(趋势达到)" if trend[k] else "(趋势未达到)")
            bits.append(text)
        tail = {Outcome.MET: "达标", Outcome.NOT_MET: "未达标"}.get(o, "无法判定")
        return ",".join(bits) + ";" + tail
