"""A what-if session: one cohort's facts, changed a few at a time, rescored at once.

``WhatIf`` loads the facts once (as ``score_cohort`` does), scores every line once, and keeps
each line's scored columns. A change to one fact rescores only the lines that read it — for
every unit, so a line that ranks units against each other is rescored with the changed unit —
then the audit trail is assembled and rolled up again (``engine.assemble``): line points,
subtotals, totals, grades, verdicts and ranks come from the same engine and rollup as every
report. Changes are checked against each fact's domain (rates 0–100, whole counts …).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecoscore.errors import FactsError, Problem
from ecoscore.facts.validate import DOMAIN_WORDS, range_text
from ecoscore.rules.base import FactSpec, fmt
from ecoscore.rules.values import NUMERIC_KINDS, parse_bool
from ecoscore.scoring.cohort import load_facts
from ecoscore.scoring.engine import assemble, cohort_names, score_lines
from ecoscore.scoring.result import Result
from ecoscore.spec import Line, Spec, load_spec, parse_readings
from ecoscore.spec.domains import Domain, domains


@dataclass(frozen=True)
class Fact:
    """One fact a unit can change: its key, the line it belongs to, how it is declared and its domain."""

    key: str
    line: Line | None
    spec: FactSpec
    domain: Domain

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def numeric(self) -> bool:
        return self.spec.kind in NUMERIC_KINDS

    @property
    def changeable(self) -> bool:
        """Whether a unit can act on it this year: not a target or reference value. (Last year's
        figures are never changeable: they sit in last year's table, which a session leaves as read;
        ``FactSpec.previous`` only says a rule also reads last year's value of this fact.)
        """
        return self.spec.better in ("up", "down") and self.spec.kind not in ("text", "date")


def facts_of(spec: Spec) -> dict[str, Fact]:
    """Return ``{key: Fact}`` for every fact of the document (policies' facts included)."""
    doms = domains(spec)
    return {row["key"]: Fact(row["key"], row["line"], row["fact"], doms[row["key"]]) for row in spec.fact_table()}


def parse_value(fact: Fact, value, *, unit: str = "", where: str = "") -> object:
    """Return ``value`` as the fact's kind (a float, True/False, one of its choices, None to clear it);
    raise ``FactsError`` in Chinese when it lies outside the fact's domain.
    """
    if value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and value != value):
        return None
    f = fact.spec

    def refuse(expected: str):
        raise FactsError([Problem(where or "假设情景", column=f"{f.label}({fact.key})", unit=unit,
                                  expected=expected, found=str(value))])

    if f.kind == "bool":
        v = parse_bool(value)
        if v is None:
            refuse("是 或 否")
        return v
    if f.kind == "choice":
        if str(value) not in f.choices:
            refuse("、".join(f.choices))
        return str(value)
    if f.kind in NUMERIC_KINDS:
        try:
            v = float(value)
        except (TypeError, ValueError):
            refuse(expected(fact))
        if not fact.domain.contains(v):
            refuse(expected(fact))
        if fact.domain.implausible(v):  # as the facts file is checked
            low, high, why = fact.domain.plausible
            refuse(f"{range_text('number', low, high, DOMAIN_WORDS.get(fact.domain.kind))}({why})")
        return v
    return value


def expected(fact: Fact) -> str:
    """Return what a fact may be, in Chinese ("百分数,0 到 100 之间")."""
    d = fact.domain
    text = range_text("number", d.low, d.high, DOMAIN_WORDS.get(d.kind)) if d.numeric else "数字"
    return text + (",整数" if d.whole else "")


def shown(value, unit: str = "") -> str:
    """Return a fact's value as the workbench prints it."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "未填"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"{fmt(value)}{unit}"
    return str(value)


class WhatIf:
    """A cohort's facts, a set of changes to them, and the result of scoring both.

    ``baseline`` is the result of the facts as read; ``result`` the result with ``changes``
    applied. ``units`` scores only those units (default: the whole cohort). ``set(unit, key, value)`` changes one fact, ``reset()`` drops every change,
    ``use_readings`` scores under other readings of ambiguous clauses (the baseline too).
    """

    def __init__(self, doc: str | Spec, facts=None, previous=None, *, year: int | None = None, readings=None,
                 units: list[str] | None = None):
        self.spec = doc if isinstance(doc, Spec) else load_spec(doc)
        self.document = self.spec
        loaded = load_facts(self.spec, facts, previous, year=year)
        self.year = int(year or self.spec.year)
        self.facts0 = loaded.current
        self.previous = loaded.previous
        self.provenance = loaded.provenance
        self.sample = bool(loaded.provenance.get("sample"))
        self.names = list(units) if units is not None else cohort_names(self.spec, self.facts0)
        self.facts = facts_of(self.spec)
        self.changes: dict[tuple[str, str], object] = {}
        self._table: pd.DataFrame | None = None
        self.readings: dict[str, str] = {}
        self._reading_cache: dict[tuple, tuple] = {}
        self.use_readings(readings or {})

    # -- readings --------------------------------------------------------------------------

    def use_readings(self, readings) -> None:
        """Score under ``readings`` (``{ambiguity id: reading}``; the rest at their defaults),
        baseline and changes alike.
        """
        chosen = parse_readings(self.document, readings)
        self.readings = chosen
        key = tuple(sorted(chosen.items()))
        if key not in self._reading_cache:
            spec = self.document.with_readings(chosen) if chosen else self.document
            lines_of: dict[str, list[Line]] = {}
            for ln in spec.lines:
                for k, _ in ln.fact_keys():
                    lines_of.setdefault(k, []).append(ln)
            parts = score_lines(spec, self.facts0, self.previous, self.names, spec.lines)
            self._reading_cache[key] = (spec, lines_of, parts, assemble(spec, dict(parts), self.names, self.facts0))
        self.spec, self._lines_of, base_parts, self.baseline = self._reading_cache[key]
        self._base_parts = base_parts
        self._parts = dict(base_parts)
        self._rescore(list({k for _, k in self.changes}))

    # -- changes ---------------------------------------------------------------------------

    def value(self, unit: str, key: str, *, baseline: bool = False):
        """Return a fact's value for ``unit`` (as changed, unless ``baseline``)."""
        if not baseline and (unit, key) in self.changes:
            return self.changes[(unit, key)]
        f = self.facts0
        if key not in f.columns or unit not in f.index:
            return None
        v = f.at[unit, key]
        if isinstance(v, (float, np.floating)) and np.isnan(v):
            return None
        if isinstance(v, (np.integer, np.floating)):
            return float(v)
        return v

    def set(self, unit: str, key: str, value) -> Result:
        """Change one fact of one unit and rescore; return the new result.

        Raises ``FactsError`` (in Chinese) for a unit or fact the document does not have, or a
        value outside the fact's domain. Setting a fact back to its value as read drops the change.
        """
        return self.update({(unit, key): value})

    def update(self, changes: dict[tuple[str, str], object]) -> Result:
        """Apply several changes (``{(unit, key): value}``) at once and rescore."""
        parsed = {}
        for (unit, key), value in changes.items():
            if unit not in self.names:
                raise FactsError([Problem("假设情景", unit=unit, expected=f"{self.spec.unit_kind}名称之一",
                                          found=str(unit))])
            if key not in self.facts:
                raise FactsError([Problem("假设情景", column=str(key), unit=unit, expected="本文件的数据项",
                                          found=str(key))])
            parsed[(unit, key)] = parse_value(self.facts[key], value, unit=unit)
        for (unit, key), v in parsed.items():
            if _same(v, self.value(unit, key, baseline=True)):
                self.changes.pop((unit, key), None)
            else:
                self.changes[(unit, key)] = v
        return self._rescore(list({k for _, k in parsed}))

    def reset(self) -> Result:
        """Drop every change."""
        keys = list({k for _, k in self.changes})
        self.changes.clear()
        return self._rescore(keys)

    def changed_facts(self) -> pd.DataFrame:
        """Return the changes made, one row each, in Chinese: 单位, 编号, 数据项, 原值, 改为."""
        rows = []
        for (unit, key), v in self.changes.items():
            f = self.facts[key]
            rows.append({"单位": unit, "编号": f.line.id if f.line is not None else "", "数据项": f.label,
                         "原值": shown(self.value(unit, key, baseline=True), f.spec.unit),
                         "改为": shown(v, f.spec.unit)})
        return pd.DataFrame(rows, columns=["单位", "编号", "数据项", "原值", "改为"])

    # -- scoring ---------------------------------------------------------------------------

    def changed_table(self) -> pd.DataFrame:
        """Return the facts table with the changes applied (a copy; the facts as read stay as read)."""
        if not self.changes:
            return self.facts0
        if self._table is not None:
            return self._table
        f = with_changes(self.facts0, self.changes)
        self._table = f
        return f

    def _rescore(self, keys: list[str]) -> Result:
        """Rescore the lines reading ``keys`` (every unit on them) and roll the cohort up again."""
        self._table = None
        if not self.changes:
            self._parts = dict(self._base_parts)
            self.result = self.baseline
            return self.result
        table = self.changed_table()
        touched = {ln.id: ln for k in keys for ln in self._lines_of.get(k, [])}
        parts = self._parts
        changed_lines = {ln.id for (_, k) in self.changes for ln in self._lines_of.get(k, [])}
        for line_id in list(parts):  # a line no longer changed goes back to its baseline
            if line_id not in changed_lines and parts[line_id] is not self._base_parts.get(line_id):
                parts[line_id] = self._base_parts[line_id]
        if touched:
            parts.update(score_lines(self.spec, table, self.previous, self.names, list(touched.values())))
        self._parts = parts
        self.result = assemble(self.spec, parts, self.names, table)
        return self.result


def with_changes(facts: pd.DataFrame, changes: dict[tuple[str, str], object]) -> pd.DataFrame:
    """Return a copy of ``facts`` with ``{(unit, key): value}`` written in (a new unit or key added;
    a column becomes ``object`` where a value is not a number).
    """
    f = facts.copy()
    for (unit, key), v in changes.items():
        if key not in f.columns:
            f[key] = pd.Series([None] * len(f), index=f.index, dtype=object)
        if v is None or isinstance(v, (bool, str)) or not isinstance(v, (int, float)):
            f[key] = f[key].astype(object)
        if unit not in f.index:
            f.loc[unit] = None
        f.at[unit, key] = v
    return f


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return abs(a - float(b)) < 1e-9
    return a == b
