"""The building blocks every rule type shares: outcomes, fact declarations, context, scores.

A rule is a small frozen dataclass whose parameters come from a spec and whose
human-readable ``label`` is built from those parameters. ``score`` works on a whole
cohort at once (one numpy array per fact) so that rank rules see every unit and a
10,000-unit cohort scores in one pass per line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

import numpy as np


class Polarity(str, Enum):
    """Whether an outcome is good or bad for the unit; presentation colours and counts follow it."""

    GOOD = "good"
    PARTIAL = "partial"
    BAD = "bad"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"


class Outcome(str, Enum):
    """What happened on one line for one unit, as a code; the words are chosen in ``ecoscore.words``."""

    FULL = "full"
    PARTIAL = "partial"
    ZERO = "zero"
    BONUS = "bonus"
    NO_BONUS = "no_bonus"
    DEDUCTED = "deducted"
    NO_DEDUCTION = "no_deduction"
    MET = "met"
    NOT_MET = "not_met"
    DONE = "done"
    NOT_DONE = "not_done"
    TRIGGERED = "triggered"
    CLEAR = "clear"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"

    @property
    def polarity(self) -> Polarity:
        """Return whether this outcome is good, partial, bad, missing or not applicable."""
        return POLARITY[self]


POLARITY = {
    Outcome.FULL: Polarity.GOOD, Outcome.PARTIAL: Polarity.PARTIAL, Outcome.ZERO: Polarity.BAD,
    Outcome.BONUS: Polarity.GOOD, Outcome.NO_BONUS: Polarity.NOT_APPLICABLE,
    Outcome.DEDUCTED: Polarity.BAD, Outcome.NO_DEDUCTION: Polarity.GOOD,
    Outcome.MET: Polarity.GOOD, Outcome.NOT_MET: Polarity.BAD,
    Outcome.DONE: Polarity.GOOD, Outcome.NOT_DONE: Polarity.BAD,
    Outcome.TRIGGERED: Polarity.BAD, Outcome.CLEAR: Polarity.GOOD,
    Outcome.MISSING: Polarity.MISSING, Outcome.NOT_APPLICABLE: Polarity.NOT_APPLICABLE,
}


#: Kinds of fact a rule can ask for; they decide parsing, validation and template cells.
FACT_KINDS = ("number", "percent", "count", "bool", "choice", "date", "days", "points", "text")

NUMERIC_KINDS = ("number", "percent", "count", "days", "points")


#: Which way is better for a fact (``FactSpec.better``): higher, lower, or neither (targets,
#: reference values, free text, categories).
BETTER = ("up", "down", "neutral")


@dataclass(frozen=True)
class FactSpec:
    """One fact a rule reads for each unit.

    ``name`` is local to the line; the engine keys it as ``"<line id>:<name>"``.
    ``default`` is used only where the document itself says what a missing value means
    (e.g. no reported event means no deduction); otherwise a missing value makes the
    line 缺数据.

    ``better`` says which way is better for the unit: ``up`` (higher is better; a yes/no fact:
    yes is good; a choice fact: its choices are listed best first), ``down`` (lower is better;
    yes is bad) or ``neutral`` (targets, reference values, free text). Every rule declares it
    for every fact; the default ``None`` means "not declared" and fails the registry test
    (``tests/rules/test_registry.py``). ``target_of`` names, for a target (``better:
    neutral``), the fact it is compared with, so that "the hardest target" is the one that
    fact's ``better`` makes hardest. ``typical`` is a value the fact usually sits near (a
    rule's fixed numeric target), for sample data when a spec gives no hint.
    """

    name: str
    label: str
    kind: str = "number"
    unit: str = ""
    choices: tuple[str, ...] = ()
    required: bool = True
    default: Any = None
    previous: bool = False
    minimum: float | None = None
    maximum: float | None = None
    better: str | None = None
    target_of: str = ""
    typical: float | None = None

    def __post_init__(self):
        if self.kind not in FACT_KINDS:
            raise ValueError(f"unknown fact kind {self.kind!r}; known: {', '.join(FACT_KINDS)}")
        if self.better is not None and self.better not in BETTER:
            raise ValueError(f"fact {self.name!r}: better must be one of {', '.join(BETTER)}, not {self.better!r}")


@dataclass(frozen=True)
class EventSpec:
    """An item of a rule whose occurrences are entered one row each on the events sheet
    (加扣分事项) and summed into the rule's fact ``name`` (which has a default: no row, none).

    ``points`` is the points per occurrence (negative deducts); for a ``direct`` item the
    analyst enters the points of each event and only the sign of ``points`` counts. ``unit``
    is what one occurrence is counted in (次, 起); ``cap`` the most the item can add or take.
    """

    name: str
    label: str
    points: float
    unit: str = "次"
    cap: float | None = None
    direct: bool = False


#: ``Rule.measure()`` of a rule whose ``value`` column holds the points it awards.
MEASURE_POINTS = "@points"


@dataclass
class Context:
    """What a rule sees when scoring one line over a cohort of units."""

    units: list[str]
    max: float | None
    values: dict[str, np.ndarray]
    previous: dict[str, np.ndarray] = field(default_factory=dict)
    categories: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Return the number of units scored."""
        return len(self.units)

    def num(self, name: str) -> np.ndarray:
        """Return a fact as floats (NaN where missing)."""
        return np.asarray(self.values[name], dtype=float)

    def obj(self, name: str) -> np.ndarray:
        """Return a fact as an object array (None where missing)."""
        return np.asarray(self.values[name], dtype=object)

    def prev(self, name: str) -> np.ndarray:
        """Return last year's value of a fact as floats (NaN where missing)."""
        return np.asarray(self.previous.get(name, np.full(self.n, np.nan)), dtype=float)

    def bool(self, name: str) -> np.ndarray:
        """Return a yes/no fact as a bool array (missing counts as False; the engine masks it)."""
        vals = self.obj(name)
        return np.array([v is True or v == 1 for v in vals], dtype=bool)


class Scores:
    """A rule's verdict for each unit of the cohort, aligned with ``Context.units``.

    ``reason`` may be given as a list or as a function returning the list: deferred reasons
    are built the first time ``reason`` is read, so the engine can skip them when it is not
    asked to explain.

    ``part`` is, for a rule of several parts (``compound``), the index of the part that
    decided each unit's outcome (an int array); ``value``, ``target`` and ``gap`` are then
    that part's, in its unit (``Rule.measure_unit(part)``). None for a single-part rule.
    """

    def __init__(self, points: np.ndarray, outcome: np.ndarray, reason: list[str] | Callable[[], list[str]],
                 value: np.ndarray | None = None, target: np.ndarray | None = None,
                 gap: np.ndarray | None = None, part: np.ndarray | None = None):
        self.points, self.outcome, self._reason = points, outcome, reason
        self.value, self.target, self.gap, self.part = value, target, gap, part

    @property
    def reason(self) -> list[str]:
        """Return the Chinese reason for each unit (built on first use)."""
        if callable(self._reason):
            self._reason = list(self._reason())
        return self._reason

    @reason.setter
    def reason(self, value: list[str]) -> None:
        self._reason = value


def fmt(x: Any) -> str:
    """Format a number the way a Chinese report writes it: no trailing zeros, at most 2 decimals."""
    if x is None:
        return "—"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if x != x:
        return "—"
    if x.is_integer():
        return str(int(x))
    r = round(x)
    if -1e-9 < x - r < 1e-9:
        return str(int(r))
    return f"{x:.2f}".rstrip("0").rstrip(".")


OPERATORS = {
    ">=": (np.greater_equal, "≥"),
    ">": (np.greater, ">"),
    "<=": (np.less_equal, "≤"),
    "<": (np.less, "<"),
    "==": (np.equal, "="),
}


def check_op(op: str) -> None:
    """Raise ValueError unless ``op`` is one of the comparison operators."""
    if op not in OPERATORS:
        raise ValueError(f"op must be one of {', '.join(OPERATORS)}, not {op!r}")


class Rule:
    """Base of all rule types. Subclasses are frozen dataclasses registered by name."""

    type: ClassVar[str] = ""
    #: a cohort rule's result for one unit depends on the other units (ranks)
    cohort: ClassVar[bool] = False
    #: the rule decides itself what missing facts mean (the engine does not mask its rows)
    handles_missing: ClassVar[bool] = False

    def facts(self) -> tuple[FactSpec, ...]:
        """Return the facts this rule reads, in template order, each with its ``better``."""
        raise NotImplementedError

    def measure(self) -> str | None:
        """Return what the ``value``, ``target`` and ``gap`` of this rule's scores are measured in.

        The name of one of its facts (they are in that fact's unit: ``value`` is the fact as
        reported, e.g. ``"value"``, ``"completion"``, ``"days_late"``), ``MEASURE_POINTS`` (the
        value is the points awarded), or None (the rule reports no value). Every rule type
        declares it; the base class raises so that the registry test notices one that does not.
        """
        raise NotImplementedError(f"rule type {self.type!r} does not declare measure()")

    def measure_of(self, part: int | None = None) -> str | None:
        """Return what ``value``, ``target`` and ``gap`` are measured in on the rows where
        ``Scores.part`` is ``part``: a rule of several parts names that part's fact; a
        single-part rule has one measure (``measure()``) whatever ``part`` is.
        """
        return self.measure()

    def measure_unit(self, part: int | None = None) -> str:
        """Return the unit of ``value``/``target``/``gap`` (of part ``part`` of a rule of several
        parts) as the indicator states it (``%``, ``μg/m³``, ``分``, ``天``…; "" when none).
        """
        m = self.measure_of(part)
        if m is None:
            return ""
        if m == MEASURE_POINTS:
            return "分"
        f = next(x for x in self.facts() if x.name == m)
        return f.unit or ("%" if f.kind == "percent" else "")

    def reporters(self, units: list[str]) -> list[str]:
        """Return which of ``units`` (those the line applies to, in document order) report the
        rule's facts. By default all of them; a rule that derives some unit's figure from the
        others' (``shared_task``'s ``whole``) leaves that unit out.
        """
        return list(units)

    def gate(self) -> str:
        """Return the gate this rule is: ``"bar"`` (评优前置: unmet, no top grade), ``"veto"``
        (合格否决: triggered, the unit fails), or ``""`` for a rule that scores or checks.
        """
        return ""

    def event_items(self) -> tuple[EventSpec, ...]:
        """Return the items entered as events on the events sheet (加扣分事项), each summed into
        one of the rule's facts. By default none: every fact is entered on the units or tasks sheet.
        """
        return ()

    def label(self) -> str:
        """Return a readable Chinese description built from the parameters."""
        raise NotImplementedError

    def score(self, ctx: Context) -> Scores:
        """Score every unit in ``ctx``."""
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """Return the rule's parameters as plain data (round-trips through ``from_params``)."""
        out: dict[str, Any] = {"type": self.type}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if v != f.default:
                out[f.name] = _plain(v)
        return out

    def __str__(self) -> str:
        return f"{self.type}: {self.label()}"


def _plain(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if dataclasses.is_dataclass(v):
        return {f.name: _plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
    return v


def best_first(table: dict) -> tuple[str, ...]:
    """Return the grades of a grade → points table, most points first (ties as listed)."""
    return tuple(sorted(table, key=lambda g: -float(table[g])))


def full_array(n: int, value: Any, dtype=object) -> np.ndarray:
    """Return an array of ``n`` copies of ``value``."""
    a = np.empty(n, dtype=dtype)
    a[:] = value
    return a


def choose(cond: np.ndarray, yes: Outcome, no: Outcome) -> np.ndarray:
    """Return an object array of outcomes: ``yes`` where ``cond`` holds, else ``no``."""
    cond = np.asarray(cond, dtype=bool)
    out = full_array(len(cond), no)
    out[cond] = yes
    return out


def outcome_for(points: np.ndarray, maximum: float) -> np.ndarray:
    """Return 满分 / 部分得分 / 未得分 for each unit's points on a line worth ``maximum``."""
    out = full_array(len(points), Outcome.PARTIAL)
    out[points >= maximum - 1e-9] = Outcome.FULL
    out[points <= 1e-9] = Outcome.ZERO
    return out
