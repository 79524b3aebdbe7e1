"""A trend whose requirement depends on whether the unit has reached its target (003 #16, #35).

003 #16 "完成上级规定的考核任务;已达标地区保持稳定,未达标地区持续改善": a unit that has reached
the handed-down target must not fall behind last year (保持稳定); a unit below it must do strictly
better than last year (持续改善). Neither ``trend_band`` (target *and* trend) nor ``bar_or_trend``
(bar *or* trend) says this: the trend asked for changes with the status, read from this year's
value. (Reading the status from last year's value against the same target gives the same verdicts:
the two statuses differ only when the value moved across the target, and then "not behind" and
"strictly better" agree.)

Each branch's requirement is a parameter, so a reading of such a clause switches parameters only
(and combines with readings of ``if_no_previous``): ``at_target`` ``stable`` (not behind last
year) or ``none`` (nothing more); ``below_target`` ``improve`` (strictly better), ``stable`` or
``fail`` (a unit below the target is not met). Besides the conditional reading this states
"target and not behind last year" (``stable``/``fail``, 003 #35 "完成上级规定的目标;保持稳定或
持续改善" read as AND), and "target, or else improved" (``none``/``improve``) or "target, or else
not behind" (``none``/``stable``, #35 read as OR).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecoscore import words
from ecoscore.rules.base import OPERATORS, Context, FactSpec, Outcome, Rule, Scores, fmt, full_array
from ecoscore.rules.targets import (
    TARGET_FACT,
    describe_target,
    resolve_target,
    typical,
    validate_target,
)

_AT = ("stable", "none")
_BELOW = ("improve", "stable", "fail")
_IF_NO_PREVIOUS = ("missing", "met", "not_met")
_EPS = 1e-9  # 24.1 - 24 must not fail "not behind last year" on float noise


@dataclass(frozen=True)
class ConditionalTrend(Rule):
    """Met on a trend against last year that depends on whether the target is reached.

    ``direction``: ``up`` (higher is better) or ``down``. ``target``: a number, ``fact`` (handed
    down per unit, entered as the fact ``target``) or by category; compared with ``target_op``
    (default ``>=`` for up, ``<=`` for down). ``at_target`` / ``below_target``:
    what a unit at / below the target must also do (see the module). ``if_no_previous``: what a
    missing last-year value means for the trend (``missing`` 缺数据, ``met``, ``not_met``). Where
    the status is unknown (no target entered) but both branches give the same verdict, that
    verdict stands: a unit that improved is met whatever its status.
    """

    type = "conditional_trend"
    direction: str = "up"
    target: float | str | dict = "fact"
    target_op: str = ""
    target_label: str = "上级考核目标"
    at_target: str = "stable"
    below_target: str = "improve"
    if_no_previous: str = "missing"
    value_label: str = "实际值"
    value_unit: str = ""

    def __post_init__(self):
        if self.direction not in ("up", "down"):
            raise ValueError("direction must be 'up' or 'down'")
        if self.target is None:
            raise ValueError("conditional_trend needs a target (the status depends on it); use trend_band without one")
        validate_target(self.target)
        if self.target_op and self.target_op not in OPERATORS:
            raise ValueError(f"target_op must be one of {', '.join(OPERATORS)}, not {self.target_op!r}")
        if self.at_target not in _AT or self.below_target not in _BELOW:
            raise ValueError(f"at_target must be one of {', '.join(_AT)}, below_target one of {', '.join(_BELOW)}")
        if (self.at_target, self.below_target) == ("none", "fail"):
            raise ValueError("at_target none with below_target fail is the target alone: use threshold")
        if (self.at_target, self.below_target) == ("stable", "stable"):
            raise ValueError("stable on both branches is the trend alone: use trend_band")
        if self.if_no_previous not in _IF_NO_PREVIOUS:
            raise ValueError(f"if_no_previous must be one of {', '.join(_IF_NO_PREVIOUS)}")

    @property
    def op(self) -> str:
        """Return the operator comparing a value with the target."""
        return self.target_op or (">=" if self.direction == "up" else "<=")

    def facts(self):
        out = [FactSpec("value", self.value_label, "number", self.value_unit, previous=True,
                        better=self.direction, typical=typical(self.target))]
        if self.target == "fact":
            # optional: a unit that improved is met whatever the target (see ``score``)
            out.append(FactSpec(TARGET_FACT, self.target_label, "number", self.value_unit, required=False,
                                better="neutral", target_of="value"))
        return tuple(out)

    def measure(self):
        """Return ``value``; the ``target`` column is the bound the value had to reach (last
        year's value, or the target where a unit below it must reach it), in the value's unit.
        """
        return "value"

    def _words(self) -> tuple[str, str, str]:
        """Return (better word, not-behind phrase, ahead phrase) for the direction."""
        if self.direction == "up":
            return "提高", "不低于上年", "高于上年"
        return "下降", "不高于上年", "低于上年"

    def label(self):
        word, not_behind, ahead = self._words()
        sym = OPERATORS[self.op][1]
        # a handed-down target is named, not written as a number: no unit after its name
        bar = (f"{self.value_label}{sym}{self.target_label}" if self.target == "fact"
               else f"{self.value_label}{sym}{describe_target(self.target)}{self.value_unit}")
        pair = (self.at_target, self.below_target)
        if pair == ("stable", "fail"):
            text = f"{bar},且较上年{word}或保持稳定"
        elif pair == ("none", "improve"):
            text = f"{bar},或较上年{word}(持平不算)"
        elif pair == ("none", "stable"):
            text = f"{bar},或较上年{word}或保持稳定"
        else:
            below = {"improve": f"须持续改善({ahead})", "stable": f"须保持稳定或持续改善({not_behind})"}
            text = f"{bar}(已达标)的须保持稳定({not_behind}),未达标的{below[self.below_target]}"
        extra = {"met": ";缺上年数据时趋势部分视为达标", "not_met": ";缺上年数据时趋势部分视为未达标"}
        return text + extra.get(self.if_no_previous, "")

    def score(self, ctx: Context) -> Scores:
        n = ctx.n
        v, p = ctx.num("value"), ctx.prev("value")
        t = resolve_target(self.target, ctx)
        fn, sym = OPERATORS[self.op]
        sign = 1.0 if self.direction == "up" else -1.0
        with np.errstate(invalid="ignore"):
            reached = np.where(np.isnan(v) | np.isnan(t), np.nan, np.where(fn(v, t), 1.0, 0.0))
            d = sign * (v - p)  # positive: better than last year
            stable = np.where(d >= -_EPS, 1.0, 0.0)
            improved = np.where(d > _EPS, 1.0, 0.0)
        no_prev = np.isnan(p)
        fill = {"missing": np.nan, "met": 1.0, "not_met": 0.0}[self.if_no_previous]
        stable[no_prev] = fill
        improved[no_prev] = fill
        at = stable if self.at_target == "stable" else np.ones(n)
        below = {"improve": improved, "stable": stable, "fail": np.zeros(n)}[self.below_target]
        agree = np.where(at == below, at, np.nan)  # NaN == NaN is False: unknown stays unknown
        verdict = np.where(reached == 1, at, np.where(reached == 0, below, agree))
        outcome = full_array(n, Outcome.MISSING)
        outcome[verdict == 1] = Outcome.MET
        outcome[verdict == 0] = Outcome.NOT_MET
        # the bound the value had to reach: last year's value; the target too where a unit
        # below it had to reach it (``fail``); the target where reaching it was enough (``none``)
        if self.below_target == "fail":
            tight = np.fmax(p, t) if sign > 0 else np.fmin(p, t)
            bound = np.where(reached == 0, np.where(np.isnan(p), t, tight), p)
        else:
            bound = p.copy()
        if self.at_target == "none":
            bound = np.where(reached == 1, t, bound)
        not_met = verdict == 0
        with np.errstate(invalid="ignore"):
            gap = np.where(not_met, np.nan_to_num(np.clip(sign * (bound - v), 0, None), nan=0.0), 0.0)

        def reason():
            return [self._why(k, v, p, t, sym, reached, outcome[k], gap[k]) for k in range(n)]

        return Scores(np.full(n, np.nan), outcome, reason, value=v, target=bound, gap=gap)

    def _why(self, k, v, p, t, sym, reached, o, gap) -> str:
        u = self.value_unit
        _, not_behind, ahead = self._words()
        tl = self.target_label if self.target == "fact" else "目标"
        bits = [f"{self.value_label}{fmt(v[k])}{u}"]
        status = "" if np.isnan(reached[k]) else ("(已达标)" if reached[k] else "(未达标)")
        bits.append(f"{tl}{sym}{fmt(t[k])}{u}{status}")
        if np.isnan(p[k]):
            bits.append({"missing": "缺上年数据,趋势无法判定", "met": "缺上年数据,趋势部分视为达标",
                         "not_met": "缺上年数据,趋势部分视为未达标"}[self.if_no_previous])
        else:
            bits.append(f"上年{fmt(p[k])}{u}")
        need = {"stable": f"须保持稳定({not_behind})", "none": "",
                "improve": f"须持续改善({ahead})", "fail": f"须达到{tl}"}
        if np.isnan(reached[k]):
            ask = "是否达标未知"
        else:
            ask = need[self.at_target if reached[k] else self.below_target]
            if reached[k] and self.at_target == "stable" and self.below_target == "fail":
                ask = f"须同时保持稳定({not_behind})"
        if ask:
            bits.append(ask)
        tail = {Outcome.MET: "达标", Outcome.NOT_MET: "未达标"}.get(o, "无法判定")
        if o is Outcome.NOT_MET and gap > 0:
            tail += f",差距{words.gap(gap, u)}"
        return ",".join(bits) + ";" + tail
