"""Points by place among the units (004 四(一)15: 第1名加5分,第2名加4分,第3名加3分)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecoscore.rules.base import Context, FactSpec, Outcome, Rule, Scores, fmt, full_array

DROP_APPLIES = ("placed", "all")


def places(v: np.ndarray, *, higher_is_better: bool) -> np.ndarray:
    """Return each unit's place (1 = best) among the units with a value; ties share the better
    place (1, 2, 2, 4); NaN where the value is missing.
    """
    x = v if higher_is_better else -v
    ok = ~np.isnan(x)
    out = np.full(v.shape, np.nan)
    xs = x[ok]
    ordered = np.sort(xs)
    out[ok] = 1 + len(xs) - np.searchsorted(ordered, xs, side="right")  # 1 + how many are better
    return out


@dataclass(frozen=True)
class PlacePoints(Rule):
    """The best units of the cohort get fixed points by place: ``points[0]`` for the first,
    ``points[1]`` for the second, …; the others none. Ties share the better place.

    ``drop_penalty`` is taken from a unit whose ``dropped`` fact is yes (004 四(一)15:
    "如出现得分比上一年下降的,要扣1分"): only from a placed unit (``drop_applies: placed``,
    the penalty reduces its place points) or from any unit (``all``, so an unplaced unit can
    end below zero). Capped at the line maximum. Where the drop comes from is ``drop_from``:
    ``dropped`` (a yes/no fact), ``value`` (the value itself is a change on last year, below
    zero is a drop: 004 四(一)15(2) 提升值), or ``change`` (a number fact ``change``, below zero
    is a drop, typically another line's figure shared through the spec's ``same_facts``, so
    15(1) and 15(3) read the change 15(2) asks for and nobody enters a yes/no that could disagree). ``ties: better`` gives tied units the better place's points
    (1, 2, 2, 4); ``ties: average`` shares the points of the places they occupy ((4 + 3) ÷ 2
    each for a tie for second).
    """

    type = "place_points"
    cohort = True
    points: tuple = (5, 4, 3)
    higher_is_better: bool = True
    drop_penalty: float = 0.0
    drop_applies: str = "placed"
    drop_label: str = "得分是否比上一年下降"
    drop_from: str = "dropped"
    change_label: str = "得分较上一年变化"
    ties: str = "better"
    value_label: str = "实际值"
    value_unit: str = ""

    def __post_init__(self):
        if not self.points:
            raise ValueError("place_points needs points for at least the first place")
        if self.ties not in ("better", "average"):
            raise ValueError("ties must be 'better' or 'average'")
        if self.drop_from not in ("dropped", "value", "change"):
            raise ValueError("drop_from must be 'dropped', 'value' or 'change'")
        if self.drop_applies not in DROP_APPLIES:
            raise ValueError(f"drop_applies must be one of {', '.join(DROP_APPLIES)}")
        object.__setattr__(self, "points", tuple(float(p) for p in self.points))

    def facts(self):
        out = [FactSpec("value", self.value_label, "number", self.value_unit,
                        better="up" if self.higher_is_better else "down")]
        if self.drop_penalty and self.drop_from == "dropped":
            out.append(FactSpec("dropped", self.drop_label, "bool", better="down"))
        elif self.drop_penalty and self.drop_from == "change":
            out.append(FactSpec("change", self.change_label, "number", better="up"))
        return tuple(out)

    def measure(self):
        return "value"

    def label(self):
        table = "、".join(f"第{k + 1}名{fmt(p)}分" for k, p in enumerate(self.points))
        order = "由高到低" if self.higher_is_better else "由低到高"
        text = f"{self.value_label}在各单位中{order}排名:{table}"
        if self.drop_penalty:
            who = "获名次的单位" if self.drop_applies == "placed" else "任一单位"
            text += f";{who}{self.drop_label.replace('是否', '')}的扣{fmt(self.drop_penalty)}分"
        return text

    def score(self, ctx: Context) -> Scores:
        v = ctx.num("value")
        place = places(v, higher_is_better=self.higher_is_better)
        table = np.array(self.points)
        placed = ~np.isnan(place) & (place <= len(table))
        raw = np.zeros(ctx.n)
        raw[placed] = table[place[placed].astype(int) - 1]
        if self.ties == "average":  # tied units share the points of the places they occupy
            padded = np.concatenate([table, np.zeros(ctx.n)])
            for k in np.flatnonzero(placed):
                tied = int(np.sum(place == place[k]))
                first = int(place[k]) - 1
                raw[k] = padded[first:first + tied].mean()
        if self.drop_penalty and self.drop_from in ("value", "change"):
            dropped = np.nan_to_num(v if self.drop_from == "value" else ctx.num("change"), nan=0.0) < 0
        elif self.drop_penalty:
            dropped = ctx.bool("dropped")
        else:
            dropped = np.zeros(ctx.n, dtype=bool)
        hit = dropped & (placed if self.drop_applies == "placed" else np.ones(ctx.n, dtype=bool))
        points = np.minimum(raw - np.where(hit, self.drop_penalty, 0.0), ctx.max)
        outcome = full_array(ctx.n, Outcome.NO_BONUS)
        outcome[points > 1e-9] = Outcome.BONUS
        outcome[points < -1e-9] = Outcome.DEDUCTED
        n_ok = int((~np.isnan(v)).sum())
        u = self.value_unit
        def reason():
            reason = []
            for k in range(ctx.n):
                head = f"{self.value_label}{fmt(v[k])}{u},在{n_ok}个单位中列第{fmt(place[k])}名"
                head += f",加{fmt(raw[k])}分" if placed[k] else f",未进入前{len(table)}名"
                if hit[k]:
                    head += f";{self.drop_label.replace('是否', '')},扣{fmt(self.drop_penalty)}分"
                reason.append(f"{head},得{fmt(points[k])}分")
            return reason

        return Scores(points, outcome, reason, value=v, target=np.full(ctx.n, np.nan))
