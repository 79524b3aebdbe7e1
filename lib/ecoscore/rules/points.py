"""Point rules: turn one unit's facts into points on a line with a maximum.

Each rule is declared in a spec with its parameters (see ``docs/adding-a-document.md``);
the worked examples in ``tests/rules/`` come from the documents' own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ecoscore import words
from ecoscore.rules.base import (
    OPERATORS,
    Context,
    EventSpec,
    FactSpec,
    Outcome,
    Rule,
    Scores,
    best_first,
    check_op,
    choose,
    fmt,
    outcome_for,
)
from ecoscore.rules.targets import describe_target, resolve_target, target_facts, typical


@dataclass(frozen=True)
class Threshold(Rule):
    """Full points (or 达标) when the value compares well with the target, else none.

    Without a line maximum the rule is a compliance check: 达标/未达标 and the gap.
    """

    type = "threshold"
    op: str = ">="
    target: float | str | dict | None = None
    value_label: str = "实际值"
    value_unit: str = ""
    value_kind: str = "number"

    def __post_init__(self):
        check_op(self.op)

    def facts(self):
        better = "down" if self.op in ("<", "<=") else "up"  # "==" too counts as up
        return (
            FactSpec("value", self.value_label, self.value_kind, self.value_unit, better=better,
                     typical=typical(self.target)),
            *target_facts(self.target, label=f"{self.value_label}目标值", unit=self.value_unit),
        )

    def measure(self):
        return "value"

    def label(self):
        return f"{self.value_label}{OPERATORS[self.op][1]}{describe_target(self.target)}{self.value_unit}"

    def compare(self, ctx: Context):
        """Return ``(value, target, met, operator symbol)`` for every unit."""
        v = ctx.num("value")
        t = resolve_target(self.target, ctx)
        fn, sym = OPERATORS[self.op]
        with np.errstate(invalid="ignore"):
            ok = fn(v, t)
        return v, t, ok, sym

    def score(self, ctx: Context) -> Scores:
        v, t, ok, sym = self.compare(ctx)
        gap = np.where(ok, 0.0, np.abs(t - v))
        u = self.value_unit
        if ctx.max is None:
            outcome = choose(ok, Outcome.MET, Outcome.NOT_MET)
            points = np.full(ctx.n, np.nan)
            reason = lambda: [
                f"{self.value_label}{fmt(a)}{u},目标{sym}{fmt(b)}{u},"
                + ("达标" if k else f"未达标,差距{words.gap(g, u)}")
                for a, b, k, g in zip(v, t, ok, gap)
            ]
        else:
            points = np.where(ok, ctx.max, 0.0)
            outcome = choose(ok, Outcome.FULL, Outcome.ZERO)
            reason = lambda: [
                f"{self.value_label}{fmt(a)}{u},目标{sym}{fmt(b)}{u},"
                + (f"达到要求,得{fmt(ctx.max)}分" if k else "未达到要求,不得分")
                for a, b, k in zip(v, t, ok)
            ]
        outcome[np.isnan(t)] = Outcome.MISSING
        return Scores(points, outcome, reason, value=v, target=t, gap=gap)


@dataclass(frozen=True)
class YesNo(Rule):
    """A yes/no fact (建立/开展/完成…): full points or 达标 when yes."""

    type = "yes_no"
    question: str = "是否完成"

    def facts(self):
        return (FactSpec("done", self.question, "bool", better="up"),)

    def measure(self):
        return "done"

    def label(self):
        return f"{self.question}(是/否)"

    def score(self, ctx):
        yes = ctx.bool("done")
        if ctx.max is None:
            points = np.full(ctx.n, np.nan)
            outcome = choose(yes, Outcome.MET, Outcome.NOT_MET)
            reason = lambda: [f"{self.question}:{'是' if y else '否'},{'达标' if y else '未达标'}" for y in yes]
        else:
            points = np.where(yes, ctx.max, 0.0)
            outcome = choose(yes, Outcome.FULL, Outcome.ZERO)
            m = fmt(ctx.max)
            reason = lambda: [f"{self.question}:是,得{m}分" if y else f"{self.question}:否,不得分" for y in yes]
        return Scores(points, outcome, reason, value=yes.astype(float))


@dataclass(frozen=True)
class Piecewise(Rule):
    """Points as a share of the maximum, linear between breakpoints ``[[x, share], ...]``.

    Outside the breakpoints the share is held at the end value. A repeated ``x`` makes a
    jump; the value exactly at the jump takes the first share listed. ``step`` counts the
    value in whole steps only ("每增加1个点", fractions not counted); ``None`` is pro rata.
    """

    type = "piecewise"
    breakpoints: tuple = ()
    value_label: str = "实际值"
    value_unit: str = ""
    value_kind: str = "number"
    previous: bool = False
    step: float | None = None

    def __post_init__(self):
        xs = [float(b[0]) for b in self.breakpoints]
        if len(xs) < 2 or xs != sorted(xs):
            raise ValueError("breakpoints need at least two [x, share] pairs in ascending x")
        object.__setattr__(self, "breakpoints", tuple(tuple(float(x) for x in b) for b in self.breakpoints))

    def facts(self):
        bp = self.breakpoints
        better = "down" if bp[0][1] > bp[-1][1] else "up"  # by the shares at the two ends
        return (FactSpec("value", self.value_label, self.value_kind, self.value_unit, better=better),)

    def measure(self):
        return "value"

    def label(self):
        pts = "、".join(f"{fmt(x)}{self.value_unit}→{fmt(s * 100)}%" for x, s in self.breakpoints)
        return f"{self.value_label}按比例计分({pts})"

    def share(self, v: np.ndarray) -> np.ndarray:
        """Return the share of the maximum for each value."""
        bp = self.breakpoints
        out = np.full(v.shape, np.nan)
        out[v <= bp[0][0]] = bp[0][1]
        out[v > bp[-1][0]] = bp[-1][1]
        for (x0, s0), (x1, s1) in zip(bp, bp[1:]):
            inside = (v > x0) & (v <= x1) & np.isnan(out)
            if x1 == x0:
                continue
            out[inside] = s0 + (s1 - s0) * (v[inside] - x0) / (x1 - x0)
        return out

    def score(self, ctx):
        v = ctx.num("value")
        counted = v if self.step is None else np.floor(v / self.step + 1e-9) * self.step
        points = self.share(counted) * ctx.max
        outcome = outcome_for(points, ctx.max)
        u = self.value_unit
        whole = "" if self.step is None else f"(按满{fmt(self.step)}{u}计)"
        reason = lambda: [f"{self.value_label}{fmt(a)}{u}{whole},按比例得{fmt(p)}分" for a, p in zip(v, points)]
        return Scores(points, outcome, reason, value=v)


@dataclass(frozen=True)
class StriveEnsure(Rule):
    """Two targets (004 二.2): 力争值 → full, 确保值 → ``base`` points, pro rata between;
    below 确保值 ``penalty`` per percentage point (``reduced_penalty`` for the part at or
    above ``reduced_above``), deducted from ``penalty_from`` (``base`` or ``max``), floor 0.
    ``reduced_by`` says which shortfall earns the reduced penalty: ``split`` the part of the
    shortfall lying at or above ``reduced_above``; ``value`` the whole shortfall when the
    value itself is at or above ``reduced_above`` (below it, all at ``penalty``).
    """

    type = "strive_ensure"
    base: float = 54
    penalty: float = 2
    reduced_penalty: float = 1
    reduced_above: float = 90
    penalty_from: str = "base"
    reduced_by: str = "split"
    value_label: str = "优良天数比例"
    value_unit: str = "%"

    def facts(self):
        u = self.value_unit
        return (
            FactSpec("value", self.value_label, "percent", u, better="up"),
            FactSpec("strive", "力争目标值", "percent", u, better="neutral", target_of="value"),
            FactSpec("ensure", "确保目标值", "percent", u, better="neutral", target_of="value"),
        )

    def measure(self):
        return "value"

    def label(self):
        return (
            f"达到力争值满分,达到确保值{fmt(self.base)}分,之间按比例;"
            f"未达确保值每差1个百分点扣{fmt(self.penalty)}分"
            f"(≥{fmt(self.reduced_above)}%部分扣{fmt(self.reduced_penalty)}分)"
        )

    def score(self, ctx):
        v, hi, lo = ctx.num("value"), ctx.num("strive"), ctx.num("ensure")
        m = ctx.max
        span = np.where(hi > lo, hi - lo, np.nan)
        between = self.base + (m - self.base) * (v - lo) / span
        short = np.clip(lo - v, 0, None)
        if self.reduced_by == "value":
            soft = np.where(v >= self.reduced_above, short, 0.0)
        else:
            soft = np.clip(lo - np.maximum(v, self.reduced_above), 0, None)
        soft = np.minimum(soft, short)
        pen = self.reduced_penalty * soft + self.penalty * (short - soft)
        start = self.base if self.penalty_from == "base" else m
        below = np.maximum(0.0, start - pen)
        points = np.where(v >= hi, m, np.where(v >= lo, np.nan_to_num(between, nan=m), below))
        outcome = outcome_for(points, m)
        def reason():
            reason = []
            for a, h, lw, p, s, sf in zip(v, hi, lo, points, short, soft):
                if a >= h:
                    reason.append(f"{self.value_label}{fmt(a)}%,达到力争值{fmt(h)}%,得{fmt(m)}分")
                elif a >= lw:
                    reason.append(
                        f"{self.value_label}{fmt(a)}%,介于确保值{fmt(lw)}%与力争值{fmt(h)}%之间,按比例得{fmt(p)}分"
                    )
                else:
                    reason.append(
                        f"{self.value_label}{fmt(a)}%,比确保值{fmt(lw)}%低{fmt(s)}个百分点"
                        f"(其中≥{fmt(self.reduced_above)}%部分{fmt(sf)}个百分点),"
                        f"扣{fmt(self.reduced_penalty * sf + self.penalty * (s - sf))}分,得{fmt(p)}分"
                    )
            return reason

        return Scores(points, outcome, reason, value=v, target=hi, gap=np.clip(hi - v, 0, None))


@dataclass(frozen=True)
class TargetDelta(Rule):
    """Base points on target, plus/minus per unit better/worse, fractions pro rata (004 二.3)."""

    type = "target_delta"
    base: float = 16
    bonus_per: float = 2
    penalty_per: float = 3
    lower_is_better: bool = True
    target: float | str | dict = "fact"
    value_label: str = "年均浓度"
    value_unit: str = "微克/立方米"

    def facts(self):
        better = "down" if self.lower_is_better else "up"
        return (FactSpec("value", self.value_label, "number", self.value_unit, better=better,
                         typical=typical(self.target)),
                *target_facts(self.target, label=f"{self.value_label}目标值", unit=self.value_unit))

    def measure(self):
        return "value"

    def label(self):
        return (f"达到目标得{fmt(self.base)}分,每改善1{self.value_unit}加{fmt(self.bonus_per)}分,"
                f"每变差1{self.value_unit}扣{fmt(self.penalty_per)}分")

    def score(self, ctx):
        v = ctx.num("value")
        t = resolve_target(self.target, ctx)
        better = (t - v) if self.lower_is_better else (v - t)
        raw = self.base + np.where(better >= 0, self.bonus_per * better, self.penalty_per * better)
        points = np.clip(raw, 0, ctx.max)
        outcome = outcome_for(points, ctx.max)
        u = self.value_unit
        by = "个百分点" if u == "%" else u
        def reason():
            reason = []
            for a, b, d, p in zip(v, t, better, points):
                if d >= 0:
                    reason.append(f"{self.value_label}{fmt(a)}{u},比目标{fmt(b)}{u}好{fmt(d)}{by},"
                                  f"加{fmt(self.bonus_per * d)}分,得{fmt(p)}分")
                else:
                    reason.append(f"{self.value_label}{fmt(a)}{u},比目标{fmt(b)}{u}差{fmt(-d)}{by},"
                                  f"扣{fmt(-self.penalty_per * d)}分,得{fmt(p)}分")
            return reason

        return Scores(points, outcome, reason, value=v, target=t, gap=np.clip(-better, 0, None))


@dataclass(frozen=True)
class CountItem:
    """One kind of occurrence in a ``counted`` rule: points per occurrence (negative deducts)."""

    name: str
    label: str
    points: float = 0.0
    unit: str = "次"
    cap: float | None = None
    waivable: bool = False
    direct: bool = False
    default: float | None = None


@dataclass(frozen=True)
class Counted(Rule):
    """Per-occurrence points around a start value, capped and floored (扣完为止).

    ``start`` is ``max`` (deductions from full marks) or a number (0 for bonus items).
    An item with ``direct: true`` takes the points an analyst entered (e.g. "扣2-5分").
    ``waive_if`` names a yes/no fact that cancels every ``waivable`` item (004 一.1).
    ``ceiling`` (default the line maximum) caps the result.
    ``bonus_after_floor`` floors the deductions first (扣分扣完为止) and adds the positive items
    after (004 一.1: "扣分扣完为止……每个断面加5分"); otherwise bonuses and deductions net first.
    ``combine: max`` counts only the item with the largest effect (按最高分加, "整体未完成则扣2分"
    read as replacing the per-stage deductions) instead of adding the items up (``sum``).
    """

    type = "counted"
    items: tuple = ()
    start: float | str = "max"
    floor: float | None = 0.0
    ceiling: float | str | None = "max"
    waive_if: str | None = None
    bonus_after_floor: bool = False
    combine: str = "sum"

    def __post_init__(self):
        items = tuple(i if isinstance(i, CountItem) else CountItem(**i) for i in self.items)
        if not items:
            raise ValueError("counted needs at least one item")
        if self.combine not in ("sum", "max"):
            raise ValueError("counted combine must be 'sum' or 'max'")
        object.__setattr__(self, "items", items)

    def facts(self):
        out = [
            FactSpec(i.name, i.label, "points" if i.direct else "count",
                     "分" if i.direct else i.unit, default=i.default, minimum=0,
                     maximum=i.cap if i.direct else None,
                     better="up" if i.points > 0 else "down")  # a direct item without points deducts
            for i in self.items
        ]
        if self.waive_if:
            out.append(FactSpec("waived", self.waive_if, "bool", required=False, better="up"))
        return tuple(out)

    def measure(self):
        return None

    def event_items(self):
        """Return the items whose spec says what no report means (``default``): they are
        reported as events, one row each, and summed.
        """
        return tuple(EventSpec(i.name, i.label, float(i.points), i.unit, i.cap, bool(i.direct))
                     for i in self.items if i.default is not None)

    def label(self):
        parts = []
        for i in self.items:
            if i.direct:
                parts.append(f"{i.label}(按实际{'加' if i.points >= 0 else '扣'}分)")
            else:
                verb = "加" if i.points > 0 else "扣"
                cap = f",最多{fmt(i.cap)}分" if i.cap is not None else ""
                parts.append(f"{i.label}每{i.unit}{verb}{fmt(abs(i.points))}分{cap}")
        return ";".join(parts)

    def score(self, ctx):
        n = ctx.n
        hi = ctx.max if self.ceiling == "max" else self.ceiling
        start = (ctx.max or 0.0) if self.start == "max" else float(self.start)
        waived = ctx.bool("waived") if self.waive_if else np.zeros(n, dtype=bool)
        unknown_waiver = np.zeros(n, dtype=bool)
        if self.waive_if:
            # the waiver matters only when there is something to waive
            pending = sum(np.nan_to_num(ctx.num(i.name), nan=0.0) for i in self.items if i.waivable)
            unknown_waiver = np.array([v is None for v in ctx.obj("waived")]) & (np.asarray(pending) > 0)
        contributions = []
        for i in self.items:
            c = np.nan_to_num(ctx.num(i.name), nan=0.0)
            amount = c * (np.sign(i.points) or -1.0) if i.direct else c * i.points
            if i.cap is not None:
                amount = np.clip(amount, -i.cap, i.cap)
            if i.waivable:
                amount = np.where(waived, 0.0, amount)
            contributions.append((i, c, amount))
        amounts = np.vstack([a for _, _, a in contributions])
        if self.combine == "max":  # only the item with the largest effect counts
            pick = np.abs(amounts).argmax(axis=0)
            amounts = np.where(np.arange(len(self.items))[:, None] == pick, amounts, 0.0)
        lo = -np.inf if self.floor is None else self.floor
        ceil = np.inf if hi is None else hi
        if self.bonus_after_floor:
            total = start + np.clip(amounts, None, 0.0).sum(axis=0)  # the deductions, then 扣完为止
            points = np.clip(np.maximum(total, lo) + np.clip(amounts, 0.0, None).sum(axis=0), lo, ceil)
            over = np.maximum(total, lo) + np.clip(amounts, 0.0, None).sum(axis=0)
        else:
            total = start + amounts.sum(axis=0)
            points = np.clip(total, lo, ceil)
            over = total
        counted = amounts
        bonus_line = start == 0 and all(i.points >= 0 for i in self.items)
        if bonus_line:
            outcome = choose(points > 0, Outcome.BONUS, Outcome.NO_BONUS)
        elif start == 0:
            outcome = choose(points < 0, Outcome.DEDUCTED, Outcome.NO_DEDUCTION)
        else:
            outcome = outcome_for(points, ctx.max or 0.0)
        outcome[unknown_waiver] = Outcome.MISSING
        def reason():
            reason = []
            for k in range(n):
                if unknown_waiver[k]:
                    reason.append(f"缺少数据:{self.waive_if}(有月度扣分时需填写),暂无法判定")
                    continue
                bits = []
                for j, (i, c, a) in enumerate(contributions):
                    if c[k] == 0:
                        continue
                    if self.combine == "max" and counted[j, k] == 0 and a[k] != 0:
                        bits.append(f"{i.label}{fmt(c[k])}{i.unit}(只按影响最大的一项计,不另计)")
                        continue
                    verb = "加" if a[k] > 0 or (a[k] == 0 and i.points > 0) else "扣"
                    if i.direct:
                        bits.append(f"{i.label}{verb}{fmt(abs(a[k]))}分")
                    elif i.waivable and waived[k]:
                        bits.append(f"{i.label}{fmt(c[k])}{i.unit}(免扣)")
                    else:
                        capped = "(已达上限)" if i.cap is not None and abs(c[k] * i.points) > i.cap else ""
                        bits.append(f"{i.label}{fmt(c[k])}{i.unit},每{i.unit}{verb}{fmt(abs(i.points))}分,"
                                    f"{verb}{fmt(abs(a[k]))}分{capped}")
                if self.waive_if and waived[k]:
                    bits.append(f"{self.waive_if},月度扣分免扣")
                if not bits:
                    bits.append("无加扣分情形" if start == 0 else "无扣分情形")
                clipped = ""
                if total[k] < lo:
                    clipped = ",扣完为止" + (",再计加分" if self.bonus_after_floor and over[k] > lo else "")
                elif hi is not None and over[k] > hi:
                    clipped = f",以{fmt(hi)}分为限"
                reason.append(";".join(bits) + f"{clipped},得{fmt(points[k])}分")
            return reason

        return Scores(points, outcome, reason)


@dataclass(frozen=True)
class GradePoints(Rule):
    """A grade (等次) looked up in a table of points (004 一.2(1); 000 三)."""

    type = "grade_points"
    table: dict = field(default_factory=dict)
    grade_label: str = "评价等次"

    def facts(self):
        return (FactSpec("grade", self.grade_label, "choice", choices=best_first(self.table), better="up"),)

    def measure(self):
        return None

    def label(self):
        return "、".join(f"{g}{fmt(p)}分" for g, p in self.table.items())

    def score(self, ctx):
        g = ctx.obj("grade")
        points = np.array([float(self.table.get(x, np.nan)) for x in g], dtype=float)
        outcome = outcome_for(np.nan_to_num(points), ctx.max)
        outcome[np.isnan(points)] = Outcome.MISSING
        reason = lambda: [f"{self.grade_label}为{x},得{fmt(p)}分" for x, p in zip(g, points)]
        return Scores(points, outcome, reason)


@dataclass(frozen=True)
class Tier:
    """One band of an improvement table: ``low``–``high`` percent gives ``points``."""

    low: float
    high: float | None
    points: float
    include_low: bool = True
    include_high: bool = False

    def contains(self, v: np.ndarray) -> np.ndarray:
        """Return where ``v`` falls in this band."""
        lo_ok = v >= self.low if self.include_low else v > self.low
        if self.high is None:
            return lo_ok
        hi_ok = v <= self.high if self.include_high else v < self.high
        return lo_ok & hi_ok


@dataclass(frozen=True)
class ImprovementTiers(Rule):
    """Tiered bonus for improvement against last year, per indicator or once (004 一.2(2)).

    ``grade_up`` (提高一个等级) replaces the improvement points when true. ``per_indicator``
    adds each indicator's tier points; otherwise only the best indicator counts. Capped at
    the line maximum.
    """

    type = "improvement_tiers"
    indicators: tuple = ()
    tiers: tuple = ()
    per_indicator: bool = True
    grade_up_points: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "tiers", tuple(t if isinstance(t, Tier) else Tier(**t) for t in self.tiers))

    def facts(self):
        out = [FactSpec(f"improve_{k}", f"{name}较上年改善幅度", "number", "%", better="up")
               for k, name in enumerate(self.indicators)]
        if self.grade_up_points is not None:
            out.append(FactSpec("grade_up", "评定等级是否提高一个等级", "bool", better="up"))
        return tuple(out)

    def measure(self):
        return None

    def label(self):
        bands = "、".join(
            f"{fmt(t.low)}%{'-' + fmt(t.high) + '%' if t.high is not None else '以上'}加{fmt(t.points)}分"
            for t in self.tiers
        )
        how = "逐项累加" if self.per_indicator else "按最高一项"
        up = f";提高一个等级加{fmt(self.grade_up_points)}分" if self.grade_up_points is not None else ""
        return f"{bands}({how}){up}"

    def tier_points(self, v: np.ndarray) -> np.ndarray:
        """Return the tier points for each improvement value."""
        out = np.zeros(v.shape)
        for t in self.tiers:
            out = np.where(t.contains(v) & (out == 0), t.points, out)
        return out

    def score(self, ctx):
        per = [self.tier_points(np.nan_to_num(ctx.num(f"improve_{k}"), nan=-np.inf))
               for k in range(len(self.indicators))]
        stacked = np.vstack(per) if per else np.zeros((1, ctx.n))
        raw = stacked.sum(axis=0) if self.per_indicator else stacked.max(axis=0)
        up = ctx.bool("grade_up") if self.grade_up_points is not None else np.zeros(ctx.n, bool)
        raw = np.where(up, self.grade_up_points or 0.0, raw)
        points = np.clip(raw, 0, ctx.max)
        outcome = choose(points > 0, Outcome.BONUS, Outcome.NO_BONUS)
        def reason():
            reason = []
            for k in range(ctx.n):
                if up[k]:
                    reason.append(f"评定等级提高一个等级,加{fmt(self.grade_up_points)}分(不重复加改善分),"
                                  f"得{fmt(points[k])}分")
                    continue
                bits = [f"{name}改善{fmt(ctx.num(f'improve_{j}')[k])}%加{fmt(per[j][k])}分"
                        for j, name in enumerate(self.indicators)]
                cap = f",以{fmt(ctx.max)}分为限" if raw[k] > ctx.max else ""
                reason.append(";".join(bits) + f"{cap},得{fmt(points[k])}分")
            return reason

        return Scores(points, outcome, reason)


@dataclass(frozen=True)
class Proportional(Rule):
    """Points in proportion to value ÷ target, capped at the maximum (000 一; 004 三.12(1)).

    ``allow_negative`` lets a negative value deduct pro rata ("负增长按比例扣分"), floored at
    ``-max``.
    """

    type = "proportional"
    target: float | str | dict = 100
    value_label: str = "完成率"
    value_unit: str = "%"
    value_kind: str = "number"
    allow_negative: bool = False

    def facts(self):
        return (FactSpec("value", self.value_label, self.value_kind, self.value_unit, better="up",
                         typical=typical(self.target)),
                *target_facts(self.target, label=f"{self.value_label}目标值", unit=self.value_unit))

    def measure(self):
        return "value"

    def label(self):
        neg = ",负值按比例扣分" if self.allow_negative else ""
        return f"{self.value_label}÷{describe_target(self.target)}{self.value_unit}×分值{neg}"

    def score(self, ctx):
        v = ctx.num("value")
        t = resolve_target(self.target, ctx)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = v / t
        lo = -1.0 if self.allow_negative else 0.0
        points = np.clip(share, lo, 1.0) * ctx.max
        outcome = outcome_for(points, ctx.max)
        outcome[points < 0] = Outcome.DEDUCTED
        u = self.value_unit
        reason = lambda: [f"{self.value_label}{fmt(a)}{u},目标{fmt(b)}{u},"
                          + (f"按比例扣{fmt(-p)}分" if p < 0 else f"按比例得{fmt(p)}分")
                          for a, b, p in zip(v, t, points)]
        return Scores(points, outcome, reason, value=v, target=t, gap=np.clip(t - v, 0, None))


@dataclass(frozen=True)
class Shortfall(Rule):
    """Deduct per step of shortfall below a reference (004 三.13(5), 三.16(8)②), floor 0.

    ``stepwise`` counts whole steps only ("每少5%"); otherwise pro rata.
    """

    type = "shortfall"
    reference: float = 100
    step: float = 1
    per_step: float = 1
    stepwise: bool = False
    value_label: str = "完成率"
    value_unit: str = "%"
    value_kind: str = "percent"

    def facts(self):
        return (FactSpec("value", self.value_label, self.value_kind, self.value_unit, better="up"),)

    def measure(self):
        return "value"

    def label(self):
        return (f"{self.value_label}低于{fmt(self.reference)}{self.value_unit}的,"
                f"每少{fmt(self.step)}{self.value_unit}扣{fmt(self.per_step)}分")

    def score(self, ctx):
        v = ctx.num("value")
        short = np.clip(self.reference - v, 0, None)
        steps = np.floor(short / self.step + 1e-9) if self.stepwise else short / self.step
        points = np.clip(ctx.max - steps * self.per_step, 0, ctx.max)
        outcome = outcome_for(points, ctx.max)
        u = self.value_unit
        reason = lambda: [
            f"{self.value_label}{fmt(a)}{u},"
            + (f"差{words.gap(s, u)},扣{fmt(ctx.max - p)}分,得{fmt(p)}分" if s > 0 else f"达到{fmt(self.reference)}{u},得满分")
            for a, s, p in zip(v, short, points)
        ]
        return Scores(points, outcome, reason, value=v, gap=short)


@dataclass(frozen=True)
class Lateness(Rule):
    """On time full points; 1–``window`` days late pro rata up to ``at_window`` lost;
    later loses ``beyond`` (004 三.16(7)④⑤).
    """

    type = "lateness"
    window: float = 30
    at_window: float = 0.5
    beyond: float = 0.8

    def facts(self):
        return (FactSpec("days_late", "推迟完成天数(按时完成填0)", "days", "天", minimum=0, better="down"),)

    def measure(self):
        return "days_late"

    def label(self):
        return (f"按时完成满分;推迟1-{fmt(self.window)}天按比例扣分(至{fmt(self.at_window * 100)}%);"
                f"推迟{fmt(self.window)}天以上扣{fmt(self.beyond * 100)}%")

    def score(self, ctx):
        d = ctx.num("days_late")
        lost = np.where(d <= 0, 0.0, np.where(d <= self.window, self.at_window * d / self.window, self.beyond))
        points = ctx.max * (1 - lost)
        outcome = outcome_for(points, ctx.max)
        reason = lambda: [
            (f"按时完成,得{fmt(p)}分" if a <= 0 else f"推迟{fmt(a)}天,扣{fmt(ctx.max - p)}分,得{fmt(p)}分")
            for a, p in zip(d, points)
        ]
        return Scores(points, outcome, reason, value=d)


@dataclass(frozen=True)
class Manual(Rule):
    """Analyst judgement (视情扣分, 根据完成情况计分): the analyst enters the figure and the reason.

    ``mode: deduct`` takes a deduction from full marks; ``mode: award`` takes the points given;
    ``mode: penalty`` (on deduction lines) gives minus the points entered, at most ``max``.
    ``all_or_nothing`` (deduct mode) reads an item without a scoring method as done or not:
    any deduction entered loses the whole line.
    """

    type = "manual"
    mode: str = "deduct"
    guidance: str = ""
    all_or_nothing: bool = False

    def __post_init__(self):
        if self.mode not in ("deduct", "award", "penalty"):
            raise ValueError("manual mode must be 'deduct', 'award' or 'penalty'")

    def facts(self):
        fig = "得分" if self.mode == "award" else "扣分"
        return (
            FactSpec("points", f"{fig}(分析人员评定)", "points", "分", minimum=0,
                     better="up" if self.mode == "award" else "down"),
            FactSpec("note", f"{fig}理由", "text", required=False, better="neutral"),
        )

    def measure(self):
        return None

    def label(self):
        base = ("根据完成情况计分(人工评定得分及理由)" if self.mode == "award"
                else "按完成与否计分(有扣分即不得分)" if self.all_or_nothing
                else "视情扣分(人工评定扣分及理由)")
        return base + (f":{self.guidance}" if self.guidance else "")

    def score(self, ctx):
        x = np.clip(ctx.num("points"), 0, ctx.max)
        notes = ctx.obj("note")
        if self.mode == "penalty":
            points = -x
            outcome = choose(points < 0, Outcome.DEDUCTED, Outcome.NO_DEDUCTION)
        else:
            if self.mode == "deduct" and self.all_or_nothing:
                x = np.where(x > 0, ctx.max, x)  # not fully done: nothing
            points = ctx.max - x if self.mode == "deduct" else x
            outcome = outcome_for(points, ctx.max)
        def reason():
            reason = []
            for p, note in zip(points, notes):
                why = f"(理由:{note})" if note not in (None, "") and note == note else ""
                whole = "(按完成与否计分,未全面完成不得分)" if self.all_or_nothing and p == 0 else ""
                reason.append(f"人工评定得{fmt(p)}分{whole}{why}")
            return reason

        return Scores(points, outcome, reason)
