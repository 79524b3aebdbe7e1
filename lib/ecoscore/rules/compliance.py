"""Compliance rules (002, 003): met or not against last year, a change, or several parts."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ecoscore.rules.base import (
    MEASURE_POINTS,
    Context,
    FactSpec,
    Outcome,
    Rule,
    Scores,
    choose,
    fmt,
)


@dataclass(frozen=True)
class Trend(Rule):
    """Compare with last year's value in the indicator's good direction.

    ``direction: up`` (逐年提高) or ``down`` (持续下降); ``allow_equal`` accepts an unchanged
    value (保持稳定 / 不降低). Last year's value comes from the previous year's facts.
    """

    type = "trend"
    direction: str = "up"
    allow_equal: bool = True
    value_label: str = "实际值"
    value_unit: str = ""

    def __post_init__(self):
        if self.direction not in ("up", "down"):
            raise ValueError("direction must be 'up' or 'down'")

    def facts(self):
        return (FactSpec("value", self.value_label, "number", self.value_unit, previous=True,
                         better=self.direction),)

    def measure(self):
        return "value"

    def label(self):
        word = {"up": "提高", "down": "下降"}[self.direction]
        eq = "或保持稳定" if self.allow_equal else "(持平不算)"
        return f"{self.value_label}较上年{word}{eq}"

    def score(self, ctx: Context) -> Scores:
        v, p = ctx.num("value"), ctx.prev("value")
        d = v - p if self.direction == "up" else p - v
        ok = d >= 0 if self.allow_equal else d > 0
        outcome = choose(ok, Outcome.MET, Outcome.NOT_MET)
        outcome[np.isnan(p)] = Outcome.MISSING
        u = self.value_unit
        reason = lambda: [
            f"{self.value_label}{fmt(a)}{u},上年{fmt(b)}{u},"
            + ("缺上年数据,无法判定" if np.isnan(b) else ("达标" if k else "未达标"))
            for a, b, k in zip(v, p, ok)
        ]
        return Scores(np.full(ctx.n, np.nan), outcome, reason, value=v, target=p,
                      gap=np.where(ok, 0.0, np.abs(d)))


@dataclass(frozen=True)
class Compound(Rule):
    """Several parts, each a rule of its own: ``all`` must be met, or ``any`` one of them.

    Facts of part *k* are named ``p<k>_<name>``. Used for "≥85, 或逐年提高且提高幅度大于
    全省平均值" and 003 #28 (面积不减少、性质不改变、功能不降低).
    """

    type = "compound"
    handles_missing = True
    mode: str = "all"
    parts: tuple = ()

    def __post_init__(self):
        from ecoscore.rules import from_params

        parts = tuple(p if isinstance(p, Rule) else from_params(p) for p in self.parts)
        if self.mode not in ("all", "any") or len(parts) < 2:
            raise ValueError("compound needs mode 'all' or 'any' and at least two parts")
        object.__setattr__(self, "parts", parts)

    def facts(self):
        out = []
        for k, part in enumerate(self.parts):
            for f in part.facts():
                of = f"p{k}_{f.target_of}" if f.target_of else ""
                out.append(FactSpec(**{**f.__dict__, "name": f"p{k}_{f.name}", "target_of": of}))
        return tuple(out)

    def measure(self):
        """Return the first part's measure (its value and target are the compound's); the gap
        is the largest (all) or smallest (any) of the parts' gaps, each in its own part's unit.
        """
        m = self.parts[0].measure()
        return f"p0_{m}" if m is not None and m != MEASURE_POINTS else m

    def reporters(self, units):
        """Return the units every part's facts are reported by."""
        out = list(units)
        for part in self.parts:
            keep = set(part.reporters(out))
            out = [u for u in out if u in keep]
        return out

    def event_items(self):
        """Return the parts' event items, named by their facts here (``p<k>_<name>``)."""
        return tuple(replace(e, name=f"p{k}_{e.name}")
                     for k, part in enumerate(self.parts) for e in part.event_items())

    def label(self):
        joiner = "且" if self.mode == "all" else "或"
        return joiner.join(f"({p.label()})" for p in self.parts)

    def _sub(self, ctx: Context, k: int) -> Context:
        pre = f"p{k}_"
        vals = {n[len(pre):]: a for n, a in ctx.values.items() if n.startswith(pre)}
        prev = {n[len(pre):]: a for n, a in ctx.previous.items() if n.startswith(pre)}
        return Context(ctx.units, None, vals, prev, ctx.categories)

    def score(self, ctx: Context) -> Scores:
        subs = []
        for k, part in enumerate(self.parts):
            sub = self._sub(ctx, k)
            s = part.score(sub)
            lacking = np.zeros(ctx.n, dtype=bool)
            for f in part.facts():
                if f.required and f.default is None and f.name in sub.values:
                    a = sub.values[f.name]
                    lacking |= np.isnan(a) if a.dtype == float else np.array([v is None for v in a], dtype=bool)
            s.outcome = np.asarray(s.outcome, dtype=object).copy()
            s.outcome[lacking] = Outcome.MISSING
            s.reason = [f"{part.label()}:缺数据" if lacking[i] else r for i, r in enumerate(list(s.reason))]
            subs.append(s)
        met = np.vstack([np.array([o == Outcome.MET for o in s.outcome]) for s in subs])
        miss = np.vstack([np.array([o == Outcome.MISSING for o in s.outcome]) for s in subs])
        ok = met.all(axis=0) if self.mode == "all" else met.any(axis=0)
        failed = np.vstack([np.array([o == Outcome.NOT_MET for o in s.outcome]) for s in subs])
        if self.mode == "all":
            # one part certainly failed → not met, whatever the parts without data would say
            undecided = ~ok & ~failed.any(axis=0)
        else:
            undecided = ~ok & miss.any(axis=0)
        outcome = choose(ok, Outcome.MET, Outcome.NOT_MET)
        outcome[undecided] = Outcome.MISSING
        sep = ";" if self.mode == "all" else ";或 "
        reason = lambda: [sep.join(s.reason[k] for s in subs) for k in range(ctx.n)]
        gaps = np.vstack([s.gap if s.gap is not None else np.zeros(ctx.n) for s in subs])
        gaps = np.where(failed, np.nan_to_num(gaps, nan=0.0), 0.0)
        gap = np.where(ok, 0.0, gaps.max(axis=0) if self.mode == "all" else gaps.min(axis=0))
        return Scores(np.full(ctx.n, np.nan), outcome, reason, value=subs[0].value, target=subs[0].target, gap=gap)
