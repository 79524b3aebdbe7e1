"""Sample data (示例数据): plausible, seeded facts for every document, two consecutive years.

Values follow each line's ``sample`` hints (keyed by fact name):

* ``[low, high]`` — a number drawn uniformly between the two (kept in the fact's domain);
* ``[low, high, p]`` — a point mass: for counts and points (deductions, bonus events) the value
  is usually 0 and, with probability ``p``, drawn from ``low..high``; for other numbers the
  value is exactly ``high`` with probability ``p`` (a "100" most units report), else drawn;
* ``[p]`` — a yes/no fact, 是 with probability ``p``;
* a list of choices, or ``{choice: weight}`` — a grade drawn from them;
* a scalar — that value, always;
* ``<fact>.delta: [low, high]`` — this year minus last year (last year is this year less it);
* ``<fact>.units: {unit: hint}`` — another hint for the units named (a place unlike the others);
* ``null`` (for the fact, or for a unit under ``.units``) — left blank: a figure the place does
  not have (no grassland, say), where the rule reads a blank as 不涉及.

Facts the text links are drawn linked (``LINKS``), each naming another fact of the line
(``name``) or of the document (``line:name``):

* ``<fact>.same_as: other`` — the same figure (a fact the text asks twice);
* ``<fact>.at_most: other`` (or a list) — never more than ``other`` (a count within its base count);
* ``<fact>.only_with: other`` — 0 (否) unless ``other`` is non-zero (是);
* ``<fact>.not_with: [other, …]`` — 0 (否) when any of them is non-zero (是): one band at a time;
* ``<fact>.excess_of: [other, n]`` — ``other`` above ``n`` (the projects beyond the first three);
* ``<fact>.change_of: other`` — this year's ``other`` less last year's;
* ``<fact>.rank_gain_of: other`` — places ``other`` rose among the units since last year.

Every value is kept in its fact's domain (``ecoscore.spec.domains``): counts whole, rates within
0–100. Where one unit is the whole of others (舟山市 and its districts, ``whole_and_parts``),
the whole's figures are made from its parts': totals add up, rates and concentrations are a
weighted average within the parts' range. Which end of a range is good comes from the facts'
own declarations (``FactSpec.better``); a grade's choices are listed best first.

Draws are rank-correlated within a unit (a well-run unit tends to do well everywhere) through a
latent quality per unit, spread evenly over the units by a seeded order (no extreme draws), and
each value's random stream is seeded by (document, unit, fact, year), so adding a line to a spec
does not change the other values. A deterministic scenario layer then makes sure the variety
the product must show occurs somewhere and that the cohort's spread is realistic (see
``ecoscore.facts.sample_cases``). Units an analyst may add (``Spec.analyst_units.sample``) get
rows of their own, with their categories entered.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from ecoscore.facts.workbook import (
    CATEGORY_PREFIX,
    EVENTS,
    TASKS,
    UNITS,
    Field,
    build_layout,
    task_reporters,
)
from ecoscore.spec import Spec, list_documents, load_spec
from ecoscore.spec.domains import Domain, domain

LOADING = 0.6  # correlation of a unit's facts with its latent quality (as a normal loading)
DRIFT = 0.25  # last year was, on the whole, this much worse (in latent units)
SPREAD = 0.9  # units' latent qualities: normal scores of an even spread, scaled by this …
CAP = 1.5  # … and kept within ±CAP
LINKS = ("same_as", "at_most", "only_with", "not_with", "excess_of", "change_of", "rank_gain_of")
#: Aliases by which a unit stands for the whole area whose parts are the other place units.
WHOLE_ALIASES = ("全市", "全区", "全县")
_PLACE_ENDINGS = ("市", "区", "县")
#: Links whose value is made from the other fact alone (the others adjust the fact's own draw).
_MADE_FROM = ("same_as", "excess_of", "change_of", "rank_gain_of")


def _seed(*parts) -> list[int]:
    return [zlib.crc32(str(p).encode("utf-8")) for p in parts]


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _truthy(v) -> bool:
    return not _blank(v) and bool(v)


def qualities(doc: str, units: list[str]) -> dict[str, float]:
    """Return each unit's latent quality: the normal scores of an even spread over the units,
    in an order seeded by the document and unit names (reproducible, never extreme).
    """
    order = sorted(units, key=lambda u: (_seed(doc, "quality", u)[0], u))
    n = len(order)
    inv = NormalDist().inv_cdf
    return {u: float(np.clip(SPREAD * inv((k + 0.5) / n), -CAP, CAP)) for k, u in enumerate(order)}


def whole_and_parts(spec: Spec) -> tuple[str, list[str]] | None:
    """Return ``(whole, parts)`` when one unit is the whole area of the other place units
    (it has an alias 全市/全区/全县, or it is the only 市 among 区 and 县), else None.
    """
    names = spec.unit_names
    whole = next((u.name for u in spec.units if set(u.aliases) & set(WHOLE_ALIASES)), None)
    if whole is None:
        cities = [n for n in names if n.endswith("市")]
        others = [n for n in names if n not in cities]
        if len(cities) == 1 and len(others) >= 2 and all(n.endswith(("区", "县")) for n in others):
            whole = cities[0]
    if whole is None:
        return None
    parts = [n for n in names if n != whole and n.endswith(_PLACE_ENDINGS)]
    return (whole, parts) if len(parts) >= 2 else None


def main_unit(spec: Spec) -> str:
    """Return the unit the document is about: the one department reports present, the whole
    area, or the first unit.
    """
    wp = whole_and_parts(spec)
    return spec.department_reports or (wp[0] if wp else spec.unit_names[0])


def sample_fields(spec: Spec) -> dict[str, Field]:
    """Return the layout's fields, each with the line that owns its key: a figure another line
    reads (``same_facts``) is drawn under its owner's hints and declaration.
    """
    lines = {ln.id: ln for ln in spec.lines}
    out = {}
    for key, f in build_layout(spec).fields.items():
        owner = lines.get(f.line_id)
        if f.line is not None and not f.alt and owner is not None and owner is not f.line:
            name = key.rsplit(":", 1)[1]
            f = replace(f, line=owner, fact=next((x for x in owner.rule.facts() if x.name == name), f.fact))
        out[key] = f
    return out


def hint_for(f: Field, suffix: str = "", unit: str | None = None) -> object:
    """Return a field's sample hint (``suffix`` ".delta" for the change hint, ".at_most" for a
    link …), the unit's own hint first (``<fact>.units``), or None.
    """
    if f.line is None:
        return None
    name = f.key.rsplit(":", 1)[1]
    hints = f.line.sample or {}
    m = re.match(r"p\d+_(.+)", name)
    names = [name] + ([m.group(1)] if m else [])
    if unit is not None and not suffix:
        for n in names:
            own = hints.get(f"{n}.units")
            if isinstance(own, dict) and unit in own:
                return own[unit]
    for n in names:
        if n + suffix in hints:
            return hints[n + suffix]
    return None


def hint_problems(spec: Spec) -> list[str]:
    """Return what is wrong with a spec's ``sample`` hints (under every reading): keys that name
    no fact of their line or have an unknown suffix, and links to facts that do not exist.
    """
    lay = build_layout(spec)
    lines = [(ln, "") for ln in spec.lines] + [(f.line, f.alt) for f in lay.fields.values() if f.alt and f.line]
    facts: dict[str, set[str]] = {}  # a line's facts under any reading: one hint serves them all
    for line, _ in lines:
        facts.setdefault(line.id, set()).update(x.name for x in line.rule.facts())
    out, seen = [], set()
    for line, alt in lines:
        if id(line) in seen:
            continue
        seen.add(id(line))
        names = facts[line.id] | {re.sub(r"^p\d+_", "", n) for n in facts[line.id]}
        for key, arg in (line.sample or {}).items():
            base, _, suffix = key.partition(".")
            where = f"{line.id}{f'({alt})' if alt else ''} sample {key!r}"
            if base not in names:
                out.append(f"{where}: no fact {base!r} in the line")
            if suffix and suffix not in ("delta", "units", *LINKS):
                out.append(f"{where}: unknown suffix {suffix!r}; known: delta, units, {', '.join(LINKS)}")
            if suffix in LINKS:
                refs = [arg] if isinstance(arg, str) else list(arg[:1] if suffix == "excess_of" else arg)
                for r in refs:
                    if not isinstance(r, str) or (r not in lay.fields if ":" in r else r not in names):
                        out.append(f"{where}: links to unknown fact {r!r}")
    return out


def direction(rule, name: str) -> str:
    """Return which way is better for a rule's fact, as the rule declares it (``FactSpec.better``):
    ``up``, ``down`` or ``neutral`` (targets, reference values, free text).
    """
    fact = next((f for f in rule.facts() if f.name == name), None)
    if fact is None:
        raise KeyError(f"rule {rule.type!r} has no fact {name!r}")
    return _better(fact, rule.type)


def _better(fact, owner: str) -> str:
    if fact.better is None:
        raise ValueError(f"{owner}: fact {fact.name!r} does not declare which way is better (FactSpec.better)")
    return fact.better


def citywide(f: Field) -> bool:
    """Return whether a fact is one figure for the whole city entered on every row
    (its label says 全市 or 填写一次), so sample rows must agree.
    """
    return "填写一次" in f.fact.label or "全市一项" in f.fact.label


def _decimals(lo: float, hi: float, d: Domain) -> int:
    if d.whole:
        return 0
    width = abs(hi - lo) or abs(hi) or 1.0
    return int(min(4, max(0, math.ceil(-math.log10(width)) + 2 if width < 1 else 1 if width < 100 else 0)))


def _default_range(f: Field, d: Domain) -> tuple[float, float]:
    if d.percent:
        return (max(60.0, d.low), min(100.0, d.high)) if d.low is not None and d.high is not None else (60.0, 100.0)
    if d.kind == "count":
        return 0.0, 2.0 if d.high is None else min(2.0, d.high)
    if d.kind == "days":
        return 0.0, 45.0
    if d.kind == "points":
        m = f.line.max if f.line is not None and f.line.max else 5.0
        return 0.0, float(d.high if d.high is not None else m)
    if f.fact.typical is not None:  # values sit near the rule's fixed target
        return tuple(sorted((0.8 * f.fact.typical, 1.2 * f.fact.typical)))
    return (d.low if d.low is not None else 0.0), (d.high if d.high is not None else 100.0)


@dataclass
class SampleYear:
    """One year of sample facts: the document's units (events summed in), the events, and the
    units an analyst adds (``Spec.analyst_units.sample``), kept apart as they are not the document's.
    """

    year: int
    facts: pd.DataFrame
    events: list[dict] = field(default_factory=list)
    added: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def cohort(self) -> pd.DataFrame:
        """Return the facts of every unit, the document's and the added ones, as one table."""
        return pd.concat([self.facts, self.added]) if len(self.added) else self.facts


class Sampler:
    """Draw sample facts for one document.

    ``shift`` (per unit), ``overrides`` (per year, unit, fact) and ``floor`` (per unit and fact:
    the lowest position in the unit's favour) are the scenario layer's levers.
    """

    def __init__(self, spec: Spec):
        self.spec, self.lay = spec, build_layout(spec)
        self.fields = sample_fields(spec)
        self.added = tuple(spec.analyst_units.sample) if spec.analyst_units else ()
        self.units = [*spec.unit_names, *(u.name for u in self.added)]
        self.z = qualities(spec.id, self.units)
        self.dom = {k: domain(f.fact) for k, f in self.fields.items()}
        self.wp = whole_and_parts(spec)
        self.main = main_unit(spec)
        self.shift: dict[str, float] = {}
        self.overrides: dict[tuple[int, str, str], object] = {}
        self.note_overrides: dict[tuple[int, str, str], str] = {}
        self.floor: dict[tuple[str, str], float] = {}

    def on(self, home: str) -> list[Field]:
        """Return the fields whose home is ``home`` (``units``, ``tasks``, ``events``), in order."""
        return [f for f in self.fields.values() if f.home == home]

    # -- who reports what -------------------------------------------------------------------
    def applies(self, f: Field, unit: str) -> bool:
        """Return whether ``unit`` (a document unit or an added one) reports field ``f``."""
        if f.line is None and not f.key.startswith(CATEGORY_PREFIX) and unit not in self.spec.unit_names:
            return False  # a policy's fact: the document's units only
        return f.applies(unit, self.spec)

    def reporters(self, f: Field) -> list[str]:
        """Return the units that report field ``f``, in order (a task: its reporters, and the
        added units whose lines include it).
        """
        if f.line is not None and f.home == TASKS:
            own = task_reporters(f.line, self.spec)
            return own + [u.name for u in self.added if u.name not in own and self.applies(f, u.name)]
        return [u for u in self.units if self.applies(f, u)]

    def derived(self, f: Field, unit: str) -> list[str]:
        """Return the parts a whole's figure is made from (none unless ``unit`` is the whole)."""
        if self.wp is None or unit != self.wp[0] or f.home != UNITS or citywide(f):
            return []
        d = self.dom[f.key]
        if not d.numeric or d.kind in ("points", "days", "year") or f.fact.kind == "date":
            return []
        parts = [p for p in self.wp[1] if self.applies(f, p)]
        return parts if len(parts) >= 2 else []

    # -- positions --------------------------------------------------------------------------
    def position(self, year: int, unit: str, key: str) -> float:
        """Return a draw in [0, 1], uniform over units, correlated with the unit's quality."""
        if citywide(self.fields[key]):
            unit = self.spec.unit_names[0]  # one figure for the whole city, the same on every row
        rng = np.random.default_rng(_seed(self.spec.id, unit, key))
        e_now, e_alt = rng.standard_normal(2)
        z = self.z[unit] + self.shift.get(unit, 0.0)
        e = e_now
        if year < self.spec.year:
            e = 0.7 * e_now + 0.71 * e_alt
            z -= DRIFT * (self.spec.year - year)
        p = _phi(LOADING * z + math.sqrt(1 - LOADING**2) * e)
        return max(p, self.floor.get((unit, key), 0.0)) if year == self.spec.year else p

    def raise_floor(self, unit: str, key: str, t: float) -> None:
        """Let ``unit`` draw ``key`` at position ``t`` or better this year (for a whole whose
        figure is made from its parts', the parts do).
        """
        f = self.fields[key]
        for u in self.derived(f, unit) or [unit]:
            self.floor[(u, key)] = max(t, self.floor.get((u, key), 0.0))

    def uniform(self, *parts) -> float:
        """Return a uniform draw seeded by ``parts`` (for values unrelated to quality)."""
        return float(np.random.default_rng(_seed(self.spec.id, *parts)).random())

    def direction(self, f: Field) -> str:
        """Return which way is better for a field (``up``, ``down``, ``neutral``), as declared.

        A policy's fact (no line) that declares nothing counts as ``up``: the policies' facts
        are yes/no conditions where yes is good.
        """
        if f.line is None:
            return f.fact.better or "up"
        return _better(f.fact, f.line.rule.type)

    # -- values -----------------------------------------------------------------------------
    def value(self, f: Field, unit: str, year: int):
        """Return the sample value of one fact for one unit and year."""
        f = self.fields.get(f.key, f)
        if (year, unit, f.key) in self.overrides:
            return self.overrides[(year, unit, f.key)]
        if f.key.startswith(CATEGORY_PREFIX):
            return self._category(f, unit)
        if f.fact.kind == "text" or self.left_blank(f, unit):
            return None
        made = any(hint_for(f, "." + k) is not None for k in _MADE_FROM)
        parts = [] if made else self.derived(f, unit)  # a figure made from another: from the unit's own
        v = self._whole(f, parts, year) if parts else None if made else self._own(f, unit, year)
        return self._linked(f, unit, year, v)

    def left_blank(self, f: Field, unit: str) -> bool:
        """Return whether the hint leaves the fact blank for ``unit`` (``<fact>: null``, or
        ``null`` for the unit under ``<fact>.units``): a figure the place does not have.
        """
        if f.line is None:
            return False
        name = f.key.rsplit(":", 1)[1]
        hints = f.line.sample or {}
        own = hints.get(f"{name}.units")
        if isinstance(own, dict) and unit in own:
            return own[unit] is None
        return name in hints and hints[name] is None

    def _own(self, f: Field, unit: str, year: int):
        d = self.direction(f)
        who = self.spec.unit_names[0] if citywide(f) else unit
        if d == "neutral":
            t = self.uniform("neutral", who, f.key)
        else:
            pos = self.position(year, unit, f.key)
            t = pos if d == "up" else 1 - pos
        v = self.draw(f, t, unit)
        delta = hint_for(f, ".delta")
        if year < self.spec.year and delta is not None and v is not None:
            later = self.value(f, unit, year + 1)
            if _blank(later):
                return v
            lo, hi = float(delta[0]), float(delta[1])
            v = self.fit(f, later - (lo + (hi - lo) * self.uniform("delta", unit, f.key, year)))
        return v

    def _category(self, f: Field, unit: str):
        dim = next((c.dim for c in self.spec.analyst_units.categories if f.key == CATEGORY_PREFIX + c.code), None)
        u = next((x for x in self.added if x.name == unit), None)
        return u.categories.get(dim) if u is not None else None

    def _ref(self, f: Field, name: str) -> Field:
        if ":" not in name:
            name = dict((x.name, k) for k, x in f.line.fact_keys())[name]
        return self.fields[name]

    def _linked(self, f: Field, unit: str, year: int, v):
        """Apply the links a line's hints declare for this fact (``LINKS``)."""
        if f.line is None or _blank(v) and not any(hint_for(f, "." + k) for k in _MADE_FROM):
            return v
        zero = False if f.fact.kind == "bool" else 0.0
        for link in LINKS:
            arg = hint_for(f, "." + link)
            if arg is None:
                continue
            if link == "same_as":
                v = self.value(self._ref(f, arg), unit, year)
            elif link == "at_most":
                for r in [arg] if isinstance(arg, str) else arg:
                    other = self.value(self._ref(f, r), unit, year)
                    if not _blank(other) and not _blank(v):  # a whole number stays within, rounded down
                        v = min(v, math.floor(other) if self.dom[f.key].whole else other)
            elif link == "only_with":
                v = v if _truthy(self.value(self._ref(f, arg), unit, year)) else zero
            elif link == "not_with":
                refs = [arg] if isinstance(arg, str) else arg
                v = zero if any(_truthy(self.value(self._ref(f, r), unit, year)) for r in refs) else v
            elif link == "excess_of":
                other = self.value(self._ref(f, arg[0]), unit, year)
                v = None if _blank(other) else max(0.0, float(other) - float(arg[1]))
            elif link == "change_of":
                o = self._ref(f, arg)
                now, before = self.value(o, unit, year), self.value(o, unit, year - 1)
                v = None if _blank(now) or _blank(before) else float(now) - float(before)
            elif link == "rank_gain_of":
                v = self._rank_gain(self._ref(f, arg), unit, year)
        return self.fit(f, v)

    def _rank_gain(self, o: Field, unit: str, year: int):
        better = self.direction(o)

        def rank(y):
            vals = {u: self.value(o, u, y) for u in self.reporters(o)}
            vals = {u: float(x) for u, x in vals.items() if not _blank(x)}
            if unit not in vals:
                return None
            sign = -1 if better == "down" else 1
            return 1 + sum(sign * x > sign * vals[unit] for x in vals.values())

        now, before = rank(year), rank(year - 1)
        return None if now is None or before is None else float(before - now)

    def _whole(self, f: Field, parts: list[str], year: int):
        vals = {p: self.value(f, p, year) for p in parts}
        vals = {p: float(v) for p, v in vals.items() if not _blank(v)}
        if not vals:
            return None
        if self.dom[f.key].additive:
            return self.fit(f, sum(vals.values()))
        w = {p: 0.5 + self.uniform("weight", p) for p in vals}
        return self.fit(f, sum(w[p] * v for p, v in vals.items()) / sum(w.values()))

    def worst(self, f: Field):
        """Return the worst value a fact's hint allows (the hardest target, for targets)."""
        d = self.direction(f)
        if d == "neutral":
            # the hardest target is the one the fact it is compared with finds hardest
            of = f.fact.target_of
            value_dir = direction(f.line.rule, of) if of and f.line is not None else "neutral"
            return self.draw(f, 1.0 if value_dir == "up" else 0.0)
        return self.draw(f, 0.0 if d == "up" else 1.0)

    def best(self, f: Field):
        """Return the best value a fact's hint allows (the easiest target, for targets)."""
        d = self.direction(f)
        if d == "neutral":
            w = self.worst(f)
            lo_hi = [self.draw(f, 0.0), self.draw(f, 1.0)]
            return lo_hi[0] if w == lo_hi[1] else lo_hi[1]
        return self.draw(f, 1.0 if d == "up" else 0.0)

    def draw(self, f: Field, t: float, unit: str | None = None):
        """Return the value at position ``t`` (0 = low end of the hint, 1 = high end)."""
        f = self.fields.get(f.key, f)
        kind, hint = f.fact.kind, hint_for(f, unit=unit)
        if kind == "bool":
            if isinstance(hint, bool):
                return hint
            p = float(hint[0]) if isinstance(hint, list) and len(hint) == 1 else (
                0.05 if self.direction(f) == "down" or not f.fact.required else 0.85)
            return bool(t > 1 - p) if 0 < p < 1 else bool(p)
        if kind == "choice":
            return self._choice(f, hint, t)
        if kind == "date":
            return pd.Timestamp(self.spec.year, 1, 1) + pd.Timedelta(days=int(t * 364))
        if kind == "text":
            return None
        return self.fit(f, self._number(f, hint, t))

    def _range(self, f: Field, hint=None) -> tuple[float, float]:
        if isinstance(hint, list) and len(hint) >= 2:
            return float(hint[0]), float(hint[1])
        if isinstance(hint, (int, float)) and not isinstance(hint, bool):
            return float(hint), float(hint)
        made = next((a for a in (hint_for(f, "." + k) for k in ("same_as", "change_of")) if a), None)
        if made is not None:  # a figure made from another is written like it
            other = self._ref(f, made)
            return self._range(other, hint_for(other))
        return _default_range(f, self.dom[f.key])

    def _number(self, f: Field, hint, t: float) -> float:
        if isinstance(hint, (int, float)) and not isinstance(hint, bool):
            return float(hint)
        lo, hi = self._range(f, hint)
        p = float(hint[2]) if isinstance(hint, list) and len(hint) > 2 else None
        if p is not None and f.fact.kind in ("count", "points"):
            return 0.0 if t < 1 - p else lo + (hi - lo) * (t - (1 - p)) / p
        if p is not None:
            return hi if t > 1 - p else lo + (hi - lo) * t / (1 - p)
        return lo + (hi - lo) * t

    def fit(self, f: Field, v):
        """Return ``v`` kept in the fact's domain and rounded as the fact is written."""
        f = self.fields.get(f.key, f)
        d = self.dom[f.key]
        if _blank(v) or not d.numeric or isinstance(v, (bool, pd.Timestamp)):
            return v
        v = d.clip(v)
        if f.fact.kind == "points":
            return d.clip(round(v * 2) / 2)
        lo, hi = self._range(f, hint_for(f))
        nd = _decimals(lo, hi, d)
        v = d.clip(round(v, nd))
        return float(int(v)) if nd == 0 else v

    def _choice(self, f: Field, hint, pos: float):
        choices = list(f.fact.choices)
        weights = [1.0] * len(choices)
        if isinstance(hint, dict):
            weights = [float(hint.get(c, 0)) for c in choices]
        elif isinstance(hint, list) and hint and all(isinstance(x, str) for x in hint):
            weights = [1.0 if c in hint else 0.0 for c in choices]
        elif isinstance(hint, str) and hint in choices:
            return hint
        total = sum(weights) or 1.0
        cum, u = 0.0, 1 - pos  # choices are listed best first: the best grade for the best positions
        for c, w in zip(choices, weights):
            cum += w / total
            if u <= cum:
                return c
        return choices[-1]

    def note(self, f: Field, unit: str, year: int, values: dict) -> str | None:
        """Return sample text for a note fact, explaining shortfalls (or None)."""
        if (year, unit, f.key) in self.note_overrides:
            return self.note_overrides[(year, unit, f.key)]
        line = f.line
        if line is None:
            return None
        comp = values.get(f"{line.id}:completion")
        if comp is not None and comp == comp:
            if comp < 100:
                return f"受项目审批和资金到位进度影响,年度任务完成{comp:g}%,剩余部分计划于次年上半年完成(示例)"
            return "已按期完成(示例)" if self.uniform("note", unit, f.key, year) < 0.3 else None
        pts = values.get(f"{line.id}:points")
        if pts is not None and pts == pts:
            return "根据日常督查和季度通报情况评定(示例)"
        flag = values.get(f"{line.id}:flag")
        if flag is not None and direction(line.rule, "flag") == "down" and flag:
            return f"{year}年发生该情形,经核实属实(示例)"
        return None

    def events(self, year: int) -> list[dict]:
        """Return the sample events (bonus and deduction items) of a year."""
        out = []
        for key, item in self.lay.events.items():
            f = self.fields[key]
            for u in self.units:
                if not self.applies(f, u):
                    continue
                v = self.value(f, u, year)
                if not v:
                    continue
                n = 1 if item.direct or v > 3 else int(v)
                for k in range(n):
                    day = int(self.uniform("date", u, key, year, k) * 350)  # within the year: Jan 10 + ≤ 350 days
                    out.append({
                        "unit": u, "line_id": item.line.id, "item": item.label,
                        "amount": v if n == 1 else 1,
                        "evidence": f"{u}{item.label[:24]}情况通报〔{year}〕{10 + k + day % 80}号(示例)",
                        "date": (pd.Timestamp(year, 1, 10) + pd.Timedelta(days=day)).date(),
                    })
        return out

    def year(self, year: int) -> SampleYear:
        """Return the sample facts of ``year`` (the document's year or the year before)."""
        spec = self.spec
        rows: dict[str, dict] = {u: {} for u in self.units}
        notes = []
        for f in self.fields.values():
            if f.home == EVENTS:
                continue
            units = self.reporters(f)
            if f.fact.kind == "text":
                notes.append((f, units))
                continue
            for u in units:
                rows[u][f.key] = self.value(f, u, year)
        for f, units in notes:
            for u in units:
                rows[u][f.key] = self.note(f, u, year, rows[u])
        events = self.events(year)
        for e in events:
            key = next(k for k, i in self.lay.events.items() if i.line.id == e["line_id"] and i.label == e["item"])
            rows[e["unit"]][key] = rows[e["unit"]].get(key, 0.0) + float(e["amount"])
        keys = list(self.fields)
        frame = pd.DataFrame.from_dict(rows, orient="index").reindex(index=self.units)
        frame = frame.reindex(columns=[k for k in keys if k in frame.columns])
        added = [u.name for u in self.added]
        return SampleYear(year, frame.loc[spec.unit_names], events, frame.loc[added] if added else pd.DataFrame())


def generate(spec: Spec | str) -> dict[int, SampleYear]:
    """Return ``{year - 1: …, year: …}`` of sample facts for a document, scenario applied."""
    from ecoscore.facts.sample_cases import apply_scenarios

    spec = load_spec(spec) if isinstance(spec, str) else spec
    sampler = Sampler(spec)
    apply_scenarios(sampler)
    return {y: sampler.year(y) for y in (spec.year - 1, spec.year)}


def _added_rows(wb, spec: Spec, year: int, added: pd.DataFrame) -> None:
    """Write the units an analyst adds below the document's units, on the units sheet with
    their categories (the views label them with ``Spec.analyst_units.label``) and on the tasks
    sheet for the tasks their lines include.
    """
    from ecoscore.facts.template import GREY, THIN, WRAP, cell_value
    from ecoscore.facts.workbook import SHEET_NAMES

    ws = wb[SHEET_NAMES[UNITS]]
    col = {ws.cell(4, j).value: j for j in range(1, ws.max_column + 1)}
    lay = build_layout(spec)
    row = 5 + sum(1 for r in range(5, ws.max_row + 1) if ws.cell(r, col["unit"]).value is not None)
    for u in added.index:
        ws.cell(row, col["year"], year)
        ws.cell(row, col["unit"], u)
        for f in lay.on(UNITS):
            c = ws.cell(row, col[f.key])
            c.border = THIN
            if not f.applies(u, spec) or (f.line is None and not f.key.startswith(CATEGORY_PREFIX)):
                c.fill = GREY
            elif f.key in added.columns:
                c.value = cell_value(added.at[u, f.key], f)
        row += 1
    ws = wb[SHEET_NAMES[TASKS]] if SHEET_NAMES[TASKS] in wb.sheetnames else None
    if ws is None:
        return
    col = {ws.cell(3, j).value: j for j in range(1, ws.max_column + 1)}
    row = 4 + sum(1 for r in range(4, ws.max_row + 1) if ws.cell(r, col["unit"]).value is not None)
    names = list(added.index)
    for ln in lay.task_lines:
        # only where the tasks sheet takes an added unit (``task_reporters``, asked once per line), so the file loads
        reporters = set(task_reporters(ln, spec, names))
        for u in [u for u in names if u in reporters]:
            values = {"unit": u, "line": ln.id, "task": ln.title, "content": ln.clause, "lead": "、".join(ln.lead),
                      "max": ln.max, "completion": cell_value(added.at[u, f"{ln.id}:completion"]),
                      "note": cell_value(added.get(f"{ln.id}:note", {}).get(u))}
            for code, v in values.items():
                c = ws.cell(row, col[code], v)
                c.border, c.alignment = THIN, WRAP
            row += 1


def sample_workbooks(spec: Spec | str, out_dir: str | Path | None = None) -> dict[Path, bytes]:
    """Return ``{path: xlsx bytes}`` of a document's two sample workbooks (byte-for-byte
    reproducible: the same spec always gives the same bytes).
    """
    from ecoscore.atomic import workbook_bytes
    from ecoscore.facts import DATA_DIR, SAMPLE_WORD
    from ecoscore.facts.template import build_workbook

    spec = load_spec(spec) if isinstance(spec, str) else spec
    base = Path(out_dir) if out_dir else DATA_DIR
    out = {}
    for y, s in generate(spec).items():
        wb = build_workbook(spec, year=y, facts=s.facts, events=s.events, previous_rows=False, sample=True)
        if len(s.added):
            _added_rows(wb, spec, y, s.added)
        out[base / spec.id / f"{SAMPLE_WORD}-{y}.xlsx"] = workbook_bytes(wb, reproducible=True)
    return out


def write_samples(spec: Spec | str, out_dir: str | Path | None = None) -> list[Path]:
    """Generate and write a document's two sample workbooks (atomically); return their paths."""
    from ecoscore.atomic import write_bytes

    return [write_bytes(p, data) for p, data in sample_workbooks(spec, out_dir).items()]


def check_samples(docs: list[str], out_dir: str | Path | None = None) -> dict[str, str]:
    """Return ``{doc: why}`` for documents whose committed sample files are missing or differ
    from what the generator makes now.
    """
    stale = {}
    for doc in docs:
        for path, data in sample_workbooks(doc, out_dir).items():
            if not path.exists():
                stale[doc] = f"缺少 {path}"
            elif path.read_bytes() != data:
                stale[doc] = f"{path} 与当前规格生成的示例数据不一致"
    return stale


def main(argv: list[str] | None = None) -> int:
    """Regenerate the sample data of the given documents (default: all)."""
    p = argparse.ArgumentParser(prog="python -m ecoscore.facts.samples", description="重新生成示例数据(示例数据)")
    p.add_argument("docs", nargs="*", help="考核文件代码(缺省为全部)")
    p.add_argument("--out-dir", help="输出目录(缺省为 data/)")
    args = p.parse_args(argv)
    for doc in args.docs or list_documents():
        for path in write_samples(doc, args.out_dir):
            print(f"已写出 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
