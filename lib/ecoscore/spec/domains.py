"""The domain of each fact: what values it can take, derived once from what the rule declares.

A fact's ``FactSpec`` says its kind (``percent``, ``count``, ``number`` …), its unit (``%``,
``个``, ``μg/m³`` …) and its label. From these, ``domain`` derives a ``Domain``: the kind of
quantity (a rate, a count, a concentration …), its bounds and whether it is a whole number.
The derivation is a few small tables below, not code per fact, so a new document's facts
get a domain without being listed. A fact's own ``minimum``/``maximum`` narrow the bounds.

The sample generator draws within the domains, and the facts intake can check entered values
against them (``Domain.contains``).

Beyond its bounds, a domain may have a *plausible* range (``Domain.plausible``): the values
no real report can reach although the kind allows them — a PM2.5 concentration of 9e11 μg/m³,
a change of -1e9 %. They are slips (a misplaced decimal point, a wrong unit, a figure typed
into the wrong column) and are refused with the range and the reason named. The plausible
range is wide on purpose: it never refuses a figure an office could legitimately report.
It is kept apart from ``low``/``high``, which the sample generator and the what-if
goal search draw within.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ecoscore.rules.base import FactSpec

#: The kinds of domain, in the order they are told apart.
KINDS = (
    "rate",           # a rate in per cent, 0–100 (达标率, 覆盖率)
    "share",          # a part of a whole in per cent, 0–100 (比例, 占比, 比重)
    "change",         # a change from last year or a growth rate, of either sign (增长率, 提升值, 个百分点)
    "count",          # a whole number of things, ≥ 0 (个, 项, 次, 件 …)
    "days",           # a whole number of days, ≥ 0
    "quantity",       # an amount, ≥ 0, which adds up over places (万吨, 亩, 公里)
    "money",          # an amount of money, ≥ 0 (万元, 亿元)
    "concentration",  # a concentration or level, ≥ 0 (μg/m³, 分贝)
    "intensity",      # an amount per something, ≥ 0 (吨标准煤/万元, 千克/亩)
    "index",          # an index, coefficient or score (EI, 系数, 满意度分值)
    "points",         # points an analyst enters, ≥ 0
    "year",           # a calendar year
    "number",         # any other number
    "yes_no", "choice", "date", "text",
)

#: Domains whose figure for a whole (a city) is the sum of its parts' (its districts');
#: the others (rates, concentrations, intensities, indices, changes) are averages.
ADDITIVE = frozenset({"count", "quantity", "money"})

#: Units of measure (normalised: no spaces, ³ written as 3) → kind of domain.
UNIT_KINDS = {
    "%": "rate", "个百分点": "change", "百分点": "change",
    "分": "points", "天": "days", "年": "year",
    "元": "money", "万元": "money", "亿元": "money",
    "μg/m3": "concentration", "微克/立方米": "concentration", "mg/m3": "concentration",
    "mg/l": "concentration", "毫克/升": "concentration", "分贝": "concentration", "db": "concentration",
    "db(a)": "concentration", "吨/平方公里·月": "concentration", "g/kg": "concentration",
    "吨": "quantity", "万吨": "quantity", "亩": "quantity", "万亩": "quantity", "公顷": "quantity",
    "公里": "quantity", "千米": "quantity", "米": "quantity", "平方公里": "quantity",
    "平方米": "quantity", "立方米": "quantity", "万立方米": "quantity", "吨标准煤": "quantity",
    "万吨标准煤": "quantity",
}
#: Units that count things: a fact in one of them is a whole number.
COUNTING_UNITS = frozenset("个 项 次 件 人 名 家 条 篇 位 起 处 座 辆 张 户 所 场 批 家次 人次 月次 项次".split())

#: Words of a label, tried in order, that name the kind whatever the unit (a change first:
#: "高锰酸盐指数较上年改善幅度" is a change, not an index).
LABEL_KINDS = (
    (("较上年", "同比", "增长率", "下降率", "增长", "提升值", "提升位次", "提高幅度", "改善幅度",
      "下降幅度", "变化"), "change"),
    (("系数",), "index"),
    (("满意度分值", "满意度得分"), "index"),
    (("指数",), "index"),
    (("比例", "占比", "比重"), "share"),
    (("年份",), "year"),
)

#: Last characters of a label without a unit: a rate (保护率) or an amount (完成量).
ENDINGS = {"率": "rate", "量": "quantity"}

#: Default bounds and wholeness of each kind: (low, high, whole).
BOUNDS = {
    "rate": (0.0, 100.0, False), "share": (0.0, 100.0, False), "change": (None, None, False),
    "count": (0.0, None, True), "days": (0.0, None, True), "quantity": (0.0, None, False),
    "money": (0.0, None, False), "concentration": (0.0, None, False), "intensity": (0.0, None, False),
    "index": (None, None, False), "points": (0.0, None, False), "year": (1949.0, 2100.0, True),
    "number": (None, None, False),
}
#: Labels that narrow an index: a coefficient is 0–1, a satisfaction score 0–100.
INDEX_BOUNDS = (("系数", (0.0, 1.0)), ("满意度", (0.0, 100.0)), ("EI", (0.0, 100.0)), ("EQI", (0.0, 100.0)),
                ("生态质量指数", (0.0, 100.0)))
#: A count the form asks to enter as 1 for yes ("是填1") is 0 or 1.
FLAG_WORDS = ("是填1",)

#: Plausible bounds of a concentration, by unit of measure (normalised), with the reason in
#: Chinese: beyond them no reading lies, whatever the place or year.
CONCENTRATION_LIMITS = {
    # air (PM2.5, PM10, SO2, NO2, O3): annual means are tens of μg/m³, the worst daily means on
    # record (sandstorms) a few thousand; 10,000 μg/m³ is no annual or daily mean anywhere
    "μg/m3": (10_000.0, "空气中颗粒物等污染物浓度的年均、日均值远低于此"),
    "微克/立方米": (10_000.0, "空气中颗粒物等污染物浓度的年均、日均值远低于此"),
    # CO in ambient air (a few mg/m³) or pollutants in flue gas (at most thousands): a cubic metre
    # of air itself weighs about 1.2 million mg
    "mg/m3": (1_000_000.0, "1立方米空气本身约重120万毫克"),
    # water (COD, 氨氮, 总磷 …): a litre of water itself weighs a million mg
    "mg/l": (1_000_000.0, "1升水本身约重100万毫克"), "毫克/升": (1_000_000.0, "1升水本身约重100万毫克"),
    # noise: about 194 dB is the loudest sound air can carry; city noise is 40–80 dB
    "分贝": (200.0, "空气中的声音不超过约194分贝"), "db": (200.0, "空气中的声音不超过约194分贝"),
    "db(a)": (200.0, "空气中的声音不超过约194分贝"),
    # dustfall: a few to tens of t/km²·month, a few hundred in the dustiest places; 10,000 would
    # lay about 7 mm of dust a month
    "吨/平方公里·月": (10_000.0, "降尘量通常为每月每平方公里几吨至几十吨"),
    # a content per kilogram (soil organic matter, 10–50 g/kg): a part of a kilogram
    "g/kg": (1_000.0, "1千克中的含量不超过1000克"),
}
#: The largest change in per cent that is plausible: a hundredfold rise (a figure that grows
#: from a very small base — investment, a budget — may rise by several hundred per cent).
RISE_LIMIT = 10_000.0
#: Words of a change's label that say which way it counts (checked in order): a decrease
#: counted as a positive number (下降率 5% = fell by 5%), or an increase.
FALL_WORDS = ("下降率", "下降幅度", "降幅", "降低率", "减少率", "削减率")
RISE_WORDS = ("增长率", "增速", "增幅", "增加率", "提高幅度", "提高率", "提升率")

_DIRECT = {"bool": "yes_no", "choice": "choice", "date": "date", "text": "text",
           "days": "days", "points": "points"}


@dataclass(frozen=True)
class Domain:
    """What values a fact can take: its kind, bounds (None: open) and whether it is whole."""

    kind: str
    low: float | None = None
    high: float | None = None
    whole: bool = False
    plausible: tuple[float | None, float | None, str] | None = None  # (low, high, why), see above

    @property
    def numeric(self) -> bool:
        """Return whether the fact holds a number."""
        return self.kind not in ("yes_no", "choice", "date", "text")

    @property
    def additive(self) -> bool:
        """Return whether a whole's figure is the sum of its parts' (else an average of them)."""
        return self.kind in ADDITIVE

    @property
    def percent(self) -> bool:
        """Return whether the fact is a per cent of something, bounded 0–100."""
        return self.kind in ("rate", "share")

    def contains(self, value) -> bool:
        """Return whether a number lies in the domain (within bounds, whole where it must be)."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            return False
        if math.isnan(v):
            return False
        if self.low is not None and v < self.low - 1e-9:
            return False
        if self.high is not None and v > self.high + 1e-9:
            return False
        return not self.whole or abs(v - round(v)) < 1e-9

    def implausible(self, x: float) -> bool:
        """Return whether a figure lies beyond the plausible range (``plausible``; a slip, not a report)."""
        if self.plausible is None:
            return False
        lo, hi, _ = self.plausible
        return (lo is not None and x < lo - 1e-9) or (hi is not None and x > hi + 1e-9)

    def clip(self, value: float) -> float:
        """Return ``value`` moved into the bounds (and to a whole number where it must be)."""
        v = float(value)
        if self.whole:
            v = float(round(v))
        if self.low is not None:
            v = max(v, self.low)
        if self.high is not None:
            v = min(v, self.high)
        return v


def _norm_unit(unit: str) -> str:
    return unit.replace(" ", "").replace("³", "3").replace("％", "%").lower()


def _label_kind(label: str) -> str | None:
    for words, kind in LABEL_KINDS:
        if any(w in label for w in words):
            return kind
    return None


def kind_of(fact: FactSpec) -> str:
    """Return the kind of domain of a fact (one of ``KINDS``)."""
    if fact.kind in _DIRECT:
        return _DIRECT[fact.kind]
    unit, label = _norm_unit(fact.unit), fact.label
    if fact.kind == "count":  # the rule counts it: whole, never negative
        return "count"
    by_label = _label_kind(label)
    if by_label == "change":
        return "change"
    if unit in COUNTING_UNITS:
        return "count"
    if fact.kind == "percent" or unit == "%":
        return "share" if by_label == "share" else "rate"
    if by_label in ("index", "year"):
        return by_label
    if unit in UNIT_KINDS:
        return UNIT_KINDS[unit]
    if "/" in unit:
        return "intensity"
    stem = label.removesuffix("目标值")
    if not unit and stem.endswith(tuple(ENDINGS)):
        return ENDINGS[stem[-1]]
    return "number"


def domain(fact: FactSpec) -> Domain:
    """Return the domain of a fact, from its kind, unit, label and declared bounds."""
    kind = kind_of(fact)
    if kind not in BOUNDS:
        return Domain(kind)
    low, high, whole = BOUNDS[kind]
    if kind == "change" and _norm_unit(fact.unit) in COUNTING_UNITS:
        whole = True  # places gained in a ranking: whole, of either sign
    if kind == "index":
        low, high = next((b for w, b in INDEX_BOUNDS if w in fact.label), (low, high))
    if kind == "count" and any(w in fact.label for w in FLAG_WORDS):
        high = 1.0
    if fact.minimum is not None:
        low = fact.minimum if low is None else max(low, fact.minimum)
    if fact.maximum is not None:
        high = fact.maximum if high is None else min(high, fact.maximum)
    return Domain(kind, low, high, whole, plausible(fact, kind, low, high))


def plausible(fact: FactSpec, kind: str, low: float | None, high: float | None
              ) -> tuple[float | None, float | None, str] | None:
    """Return the plausible range of a fact's figures beyond its bounds (low, high, why in
    Chinese), or None where only the generic cap on magnitudes applies.

    - a concentration: the bound of its unit (``CONCENTRATION_LIMITS``);
    - a change in per cent of an amount that cannot go negative (a budget, water used per
      output): a rise cannot fall below -100 % (the whole amount lost), nor a decrease counted
      as positive (下降率) exceed 100 %; the other side, and a change whose direction the label
      does not name (改善幅度, 变化), is bounded only at a hundredfold (``RISE_LIMIT``);
    - a change in percentage points (个百分点) of a share, or of an index on a known scale
      (满意度分值 0–100): within ± the scale's width;
    - an index, a rate or a share: their bounds are already their scale.

    Counts, amounts, money and intensities have none: what is plausible depends on the size of
    the place and the unit (a county's 元 or 平方米 reach billions), and the generic cap of 1e12
    on any figure remains.
    """
    unit, label = _norm_unit(fact.unit), fact.label
    if kind == "concentration" and unit in CONCENTRATION_LIMITS:
        top, why = CONCENTRATION_LIMITS[unit]
        return (None, top, why) if high is None else None  # a declared maximum rules
    if kind != "change" or low is not None or high is not None:  # a declared range rules
        return None
    if unit in ("个百分点", "百分点"):
        return -100.0, 100.0, "百分数的变化不超过100个百分点"
    if unit == "%":
        if any(w in label for w in FALL_WORDS):
            return -RISE_LIMIT, 100.0, "下降不会超过原数值的100%,上升超过10000%不合常理"
        if any(w in label for w in RISE_WORDS):
            return -100.0, RISE_LIMIT, "减少不会超过原数值的100%,增长超过10000%不合常理"
        return -RISE_LIMIT, RISE_LIMIT, "变化超过原数值的10000%不合常理"
    scale = next((b for w, b in INDEX_BOUNDS if w in label), None)
    if scale is not None and not unit:
        width = scale[1] - scale[0]
        return -width, width, f"该分值在{scale[0]:g}至{scale[1]:g}之间,变化不超过{width:g}"
    return None


def domains(spec) -> dict[str, Domain]:
    """Return ``{fact key: domain}`` for every fact a spec asks for (and the categories an
    analyst enters for an added unit).
    """
    out = {row["key"]: domain(row["fact"]) for row in spec.fact_table()}
    out.update({key: domain(f) for key, f in spec.category_facts})
    return out
