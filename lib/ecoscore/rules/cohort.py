"""Rules whose points for one unit depend on the whole cohort (rank among the units)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecoscore.rules.base import Context, FactSpec, Outcome, Rule, Scores, fmt, full_array
from ecoscore.rules.targets import describe_target, resolve_target, target_facts, typical


def cohort_position(v: np.ndarray, *, higher_is_better: bool, method: str) -> np.ndarray:
    """Return each unit's place between worst (0) and best (1) among the units with a value.

    ``method="value"`` is linear in the value; ``method="rank"`` linear in the rank
    (ties share the better rank). A cohort of one, or all equal, puts everyone at 1.
    """
    x = v if higher_is_better else -v
    ok = ~np.isnan(x)
    pos = np.full(v.shape, np.nan)
    if not ok.any():
        return pos
    xs = x[ok]
    if method == "value":
        lo, hi = xs.min(), xs.max()
        pos[ok] = 1.0 if hi == lo else (xs - lo) / (hi - lo)
    else:
        n = len(xs)
        better = np.array([(xs > a).sum() for a in xs]) if n < 2000 else _rank_fast(xs)
        pos[ok] = 1.0 if n == 1 else (n - 1 - better) / (n - 1)
    return pos


def _rank_fast(xs: np.ndarray) -> np.ndarray:
    s = np.sort(xs)
    return len(xs) - np.searchsorted(s, xs, side="right")


@dataclass(frozen=True)
class CohortRank(Rule):
    """A share of the points for meeting the target, the rest by place in the cohort.

    004 三.13(2): 完成指标得60%,其余40%按排名,最好的得满分,最差的得60%分数,介于其中按比例;
    未完成按比例扣分,扣完60%分数为止. ``target_share`` is the share for meeting the target
    (0 when there is no target, 三.13(3)); ``worst_share`` is what the worst unit keeps of
    the rank part; ``unmet_gets_rank`` says whether a unit that missed the target still
    earns its rank part; ``method`` is ``value`` or ``rank``.
    """

    type = "cohort_rank"
    cohort = True
    target: float | str | dict | None = "fact"
    target_share: float = 0.6
    worst_share: float = 0.0
    higher_is_better: bool = True
    method: str = "value"
    unmet_gets_rank: bool = True
    value_label: str = "实际值"
    value_unit: str = "%"

    def __post_init__(self):
        if self.method not in ("value", "rank"):
            raise ValueError("method must be 'value' or 'rank'")

    def facts(self):
        tf = target_facts(self.target, label=f"{self.value_label}目标值", unit=self.value_unit) if self.target_share else ()
        better = "up" if self.higher_is_better else "down"
        return (FactSpec("value", self.value_label, "number", self.value_unit, better=better,
                         typical=typical(self.target)), *tf)

    def measure(self):
        return "value"

    def label(self):
        rank = f"按{'数值' if self.method == 'value' else '名次'}排名赋分,最好满分,最差得排名部分的{fmt(self.worst_share * 100)}%"
        if not self.target_share:
            return rank
        return (f"完成{describe_target(self.target)}得{fmt(self.target_share * 100)}%,"
                f"其余{fmt((1 - self.target_share) * 100)}%{rank}")

    def score(self, ctx: Context) -> Scores:
        v = ctx.num("value")
        m = ctx.max
        pos = cohort_position(v, higher_is_better=self.higher_is_better, method=self.method)
        rank_part = (1 - self.target_share) * m * (self.worst_share + (1 - self.worst_share) * pos)
        if self.target_share:
            t = resolve_target(self.target, ctx)
            with np.errstate(invalid="ignore", divide="ignore"):
                met = v >= t if self.higher_is_better else v <= t
                ratio = np.where(self.higher_is_better, v / t, t / v)
            target_part = np.where(met, self.target_share * m, self.target_share * m * np.clip(ratio, 0, 1))
            if not self.unmet_gets_rank:
                rank_part = np.where(met, rank_part, 0.0)
        else:
            t = np.full(ctx.n, np.nan)
            met = np.ones(ctx.n, dtype=bool)
            target_part = np.zeros(ctx.n)
        points = np.clip(target_part + rank_part, 0, m)
        outcome = full_array(ctx.n, Outcome.PARTIAL)
        outcome[points >= m - 1e-9] = Outcome.FULL
        outcome[points <= 1e-9] = Outcome.ZERO
        n_ok = int((~np.isnan(v)).sum())
        u = self.value_unit
        def reason():
            reason = []
            for k in range(ctx.n):
                head = f"{self.value_label}{fmt(v[k])}{u}"
                if self.target_share:
                    head += (f",完成目标{fmt(t[k])}{u},得{fmt(target_part[k])}分" if met[k]
                             else f",未完成目标{fmt(t[k])}{u},按比例得{fmt(target_part[k])}分")
                reason.append(f"{head};在{n_ok}个单位中排名赋分{fmt(rank_part[k])}分,合计{fmt(points[k])}分")
            return reason

        return Scores(points, outcome, reason, value=v, target=t)
