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

    The scores name the part that decided each unit's outcome (``Scores.part``, see
    ``deciding_part``); ``value``, ``target`` and ``gap`` are that part's, in its own unit
    (``measure_unit(part)``), never a figure of one part beside another's or a maximum over
    parts measured in different units. A line met has gap 0; a line undecided has none.
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
        """Return the first part's measure: the compound's value, target and gap on rows where
        the first part decided (``measure_of`` names the measure of any part).
        """
        return self.measure_of(0)

    def measure_of(self, part=None):
        """Return the measure of part ``part`` (``p<k>_<fact>``; the first part's when None)."""
        k = 0 if part is None else int(part)
        m = self.parts[k].measure_of(None)
        return f"p{k}_{m}" if m is not None and m != MEASURE_POINTS else m

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
        codes = [list(s.outcome) for s in subs]
        met, miss, failed, off = (_where(codes, o) for o in (Outcome.MET, Outcome.MISSING, Outcome.NOT_MET,
                                                             Outcome.NOT_APPLICABLE))
        # a part that does not apply to a unit (不适用) is left out; every part not applying → 不适用
        none_apply = off.all(axis=0)
        ok = ((met | off).all(axis=0) if self.mode == "all" else met.any(axis=0)) & ~none_apply
        if self.mode == "all":
            # one part certainly failed → not met, whatever the parts without data would say
            undecided = ~ok & ~failed.any(axis=0)
        else:
            undecided = ~ok & miss.any(axis=0)
        outcome = choose(ok, Outcome.MET, Outcome.NOT_MET)
        outcome[undecided & ~none_apply] = Outcome.MISSING
        outcome[none_apply] = Outcome.NOT_APPLICABLE
        undecided &= ~none_apply
        sep = ";" if self.mode == "all" else ";或 "
        reason = lambda: [sep.join(s.reason[k] for s in subs) for k in range(ctx.n)]
        part = self.deciding_part(codes, outcome)
        cols = np.arange(ctx.n)

        def pick(name: str) -> np.ndarray:
            rows = [getattr(s, name) for s in subs]
            a = np.vstack([np.full(ctx.n, np.nan) if r is None else np.asarray(r, dtype=float) for r in rows])
            return a[part, cols]

        gap = np.where(ok, 0.0, np.where(undecided, np.nan, pick("gap")))
        return Scores(np.full(ctx.n, np.nan), outcome, reason, value=pick("value"), target=pick("target"),
                      gap=gap, part=part)

    @staticmethod
    def deciding_part(codes: list[list[Outcome]], outcome: np.ndarray) -> np.ndarray:
        """Return, for each unit, the first part whose own outcome is the compound's: the first
        failing part of an all-of line not met (any-of: the first part, every part failed), the
        first part met (all-of met: the first part), the first part lacking data when undecided.
        A part whose outcome is none of these (e.g. a deduction) never decides; then the first part.
        """
        same = np.array([[o == want for o, want in zip(row, outcome)] for row in codes], dtype=bool)
        return np.where(same.any(axis=0), same.argmax(axis=0), 0).astype(int)


def _where(codes: list[list[Outcome]], outcome: Outcome) -> np.ndarray:
    """Return a parts × units bool array: where each part's outcome is ``outcome``."""
    return np.array([[o is outcome for o in row] for row in codes], dtype=bool)
