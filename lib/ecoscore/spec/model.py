"""Document specs: YAML data files declaring units, groups, lines, rules, clauses and readings.

A spec contains no code. Loading builds the rule objects, applies any chosen readings of
ambiguous clauses, and runs the integrity checks; a broken spec raises ``SpecError``
naming the file and every problem found.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from ecoscore import rules
from ecoscore.errors import SpecError
from ecoscore.paths import SPEC_DIR  # noqa: F401  (re-exported)
from ecoscore.rules.base import FactSpec, Rule
from ecoscore.spec.integrity import ATTRIBUTES, FAMILIES, KINDS, check  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Unit:
    """A unit scored by a document: a department, county or district."""

    name: str
    categories: dict = field(default_factory=dict)
    key: bool | None = None
    aliases: tuple[str, ...] = ()
    rank_group: str | None = None


@dataclass(frozen=True)
class Group:
    """A section or item whose lines roll up into a subtotal, capped at ``max``."""

    id: str
    title: str
    kind: str = "base"
    max: float | None = None
    parent: str | None = None
    floor: float | None = 0.0
    sum_check: bool = True


@dataclass(frozen=True)
class Line:
    """One line of a document: what is scored or checked, how, by whom, and the clause."""

    id: str
    group: str
    title: str
    kind: str
    rule: Rule
    clause: str
    max: float | None = None
    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    attribute: str | None = None
    unit_of_measure: str = ""
    target_text: str = ""
    applies_to: tuple[str, ...] | None = None
    note: str = ""
    ambiguities: tuple[str, ...] = ()
    sample: dict = field(default_factory=dict, compare=False)
    #: gate lines: the task lines that measure the same thing (a gate passed while one of them
    #: is unfinished is reported as a disagreement to check)
    linked_tasks: tuple[str, ...] = ()
    #: facts this line reads from another line instead of asking again: ``{fact: "<line>:<fact>"}``
    #: (the text links them: one figure, entered once)
    same_facts: dict = field(default_factory=dict, compare=False)
    #: compound lines: each part's own responsible units, lead first (the table's sub-row),
    #: one tuple per part; empty when every part has the line's lead
    part_leads: tuple[tuple[str, ...], ...] = ()

    def fact_keys(self) -> list[tuple[str, FactSpec]]:
        """Return ``(key, fact)`` for every fact this line reads."""
        return [(self.same_facts.get(f.name) or f"{self.id}:{f.name}", f) for f in self.rule.facts()]

    def applies(self, unit: str) -> bool:
        """Return whether this line scores ``unit``."""
        return self.applies_to is None or unit in self.applies_to


def collective(name: str) -> bool:
    """Return whether a responsible-unit name is a collective ("市属相关部门", "各有关单位",
    "…成员单位"), which names no one department and so gets no report of its own.
    """
    return any(w in name for w in ("相关", "有关", "成员单位")) or name.startswith("各")


@dataclass(frozen=True)
class Category:
    """A category an analyst enters for a unit the document does not name (``AnalystUnits``)."""

    code: str
    dim: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class AnalystUnits:
    """Units the text does not name, which an analyst may add through the facts file.

    A facts row for a unit outside ``Spec.units`` is taken as such a unit only when its
    categories are entered (facts ``@unit:<code>``), so a misspelt name is still refused.
    They are scored on ``lines`` only (the ids of lines, or of groups whose lines apply),
    with the categories they were given, and every view labels them with ``label``.
    ``sample`` is the example cohort the sample data (示例数据) show.
    """

    label: str
    note: str = ""
    categories: tuple[Category, ...] = ()
    lines: tuple[str, ...] = ()
    sample: tuple[Unit, ...] = ()


@dataclass(frozen=True)
class Reading:
    """One reading of an ambiguous clause, with the spec changes it makes."""

    name: str
    description: str
    overrides: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Ambiguity:
    """A clause that admits several readings; ``default`` is the one taken unless changed."""

    id: str
    lines: tuple[str, ...]
    clause: str
    question: str
    default: str
    readings: dict[str, Reading]


@dataclass(frozen=True)
class GradeBand:
    """Scores at or above ``min`` get ``grade`` (bands listed best first; ``min`` None closes)."""

    grade: str
    min: float | None


@dataclass(frozen=True)
class Ranking:
    """Whether and how the document compares its units.

    ``basis`` is the summary column units are ranked by (``total``) or ``none``; ``kind`` is
    ``document`` when the text itself ranks units, ``descriptive`` when the position is only a
    reading aid; ``note`` says so in Chinese wherever a rank is shown.
    """

    basis: str = "none"
    kind: str = "descriptive"
    note: str = ""


@dataclass(frozen=True)
class Spec:
    """A whole document, ready to score."""

    id: str
    title: str
    short_title: str
    seed: str
    year: int
    family: str
    unit_kind: str
    total: float | None
    units: tuple[Unit, ...]
    departments: tuple[str, ...]
    groups: tuple[Group, ...]
    lines: tuple[Line, ...]
    grades: tuple[GradeBand, ...]
    policies: tuple[dict, ...]
    ambiguities: tuple[Ambiguity, ...]
    notes: str
    path: str
    raw: dict = field(repr=False, compare=False, default_factory=dict)
    readings: dict = field(default_factory=dict)
    ranking: Ranking = field(default_factory=Ranking)
    #: units an analyst may add through the facts file (None: only ``units``)
    analyst_units: AnalystUnits | None = None
    #: compliance documents: the unit whose result the department reports present (the plan's
    #: own county or city); each department in ``departments`` that a line names gets a report
    department_reports: str | None = None

    @property
    def unit_names(self) -> list[str]:
        """Return the names of the units, in document order."""
        return [u.name for u in self.units]

    def unit(self, name: str) -> Unit:
        """Return the unit called ``name``."""
        for u in self.units:
            if u.name == name:
                return u
        raise KeyError(name)

    def applies(self, line: Line, unit: str) -> bool:
        """Return whether ``line`` scores ``unit`` (a unit of the document, or an analyst's unit)."""
        if unit in self._unit_set or self.analyst_units is None:
            return line.applies(unit)
        return line.id in self.analyst_line_ids

    # Cached per spec (``functools.cached_property`` writes the instance's ``__dict__``, which a
    # frozen dataclass allows): a cohort of thousands of added units asks these for every unit
    # and line. A spec never changes after it is built; ``with_readings`` builds a new one.
    @cached_property
    def _unit_set(self) -> frozenset[str]:
        return frozenset(u.name for u in self.units)

    @cached_property
    def analyst_line_ids(self) -> frozenset[str]:
        """Return the ids of the lines that score an analyst's units (none without ``analyst_units``)."""
        if self.analyst_units is None:
            return frozenset()
        wanted = set(self.analyst_units.lines)
        parent = {g.id: g.parent for g in self.groups}

        def under(g: str | None) -> bool:
            while g:
                if g in wanted:
                    return True
                g = parent.get(g)
            return False

        return frozenset(ln.id for ln in self.lines if ln.id in wanted or under(ln.group))

    @property
    def category_facts(self) -> list[tuple[str, FactSpec]]:
        """Return ``(key, fact)`` for the categories an analyst enters for an added unit."""
        if self.analyst_units is None:
            return []
        return [(f"@unit:{c.code}", FactSpec(c.code, c.dim, "choice", choices=c.values, required=False,
                                             better="neutral"))
                for c in self.analyst_units.categories]

    def department_names(self) -> list[str]:
        """Return the departments that get a report of their own (``department_reports``):
        those of ``departments`` a line scoring that unit names as lead or responsible, in
        the order of ``departments``.
        """
        if not self.department_reports:
            return []
        named = set()
        for ln in self.lines:
            if ln.applies(self.department_reports):
                named.update(ln.lead, ln.responsible, *ln.part_leads)
        return [d for d in self.departments if d in named and not collective(d)]

    def line(self, line_id: str) -> Line:
        """Return the line with id ``line_id``."""
        for ln in self.lines:
            if ln.id == line_id:
                return ln
        raise KeyError(line_id)

    def group(self, group_id: str) -> Group:
        """Return the group with id ``group_id``."""
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)

    def fact_table(self) -> list[dict[str, Any]]:
        """Return every fact the document needs, one dict per fact (the template's columns)."""
        out, seen = [], set()
        for ln in self.lines:
            for key, f in ln.fact_keys():
                if key in seen:  # a fact two lines share (``same_facts``) is asked once
                    continue
                seen.add(key)
                out.append({"key": key, "line": ln, "fact": f})
        for p in self.policies:
            from ecoscore.rules.policies import policy_facts

            for key, f in policy_facts(p):
                out.append({"key": key, "line": None, "fact": f})
        return out

    def default_readings(self) -> dict[str, str]:
        """Return ``{ambiguity id: default reading}``."""
        return {a.id: a.default for a in self.ambiguities}

    def with_readings(self, choice: dict[str, str] | list[str] | None) -> Spec:
        """Return this spec scored under other readings of its ambiguous clauses.

        ``choice`` maps ambiguity ids to reading names, or lists ``"ID=reading"`` strings.
        """
        chosen = parse_readings(self, choice)
        if not chosen:
            return self
        raw = copy.deepcopy(self.raw)
        by_id = {a.id: a for a in self.ambiguities}
        for amb_id, name in chosen.items():
            if name == by_id[amb_id].default:
                continue
            _apply_overrides(raw, by_id[amb_id].readings[name].overrides, self.path)
        spec = build_spec(raw, self.path)
        full = {**self.default_readings(), **chosen}
        return dataclasses.replace(spec, readings=full)  # the fields only, not what was cached


def parse_readings(spec: Spec, choice) -> dict[str, str]:
    """Check and normalise a choice of readings; unknown ids or names raise ``SpecError``."""
    if not choice:
        return {}
    if isinstance(choice, dict):
        pairs = list(choice.items())
    else:
        pairs = []
        for item in choice:
            if "=" in item:
                a, b = item.split("=", 1)
                pairs.append((a.strip(), b.strip()))
            else:
                hits = [a.id for a in spec.ambiguities if item in a.readings]
                if len(hits) != 1:
                    raise SpecError(spec.path, [f"解读名 {item!r} 不唯一或不存在,请写成 编号=解读名(如 A2=from_max)"])
                pairs.append((hits[0], item))
    by_id = {a.id: a for a in spec.ambiguities}
    problems = []
    for a, b in pairs:
        if a not in by_id:
            problems.append(f"没有编号为 {a!r} 的歧义条款;已登记:{'、'.join(by_id) or '(无)'}")
        elif b not in by_id[a].readings:
            problems.append(f"歧义条款 {a} 没有名为 {b!r} 的解读;可选:{'、'.join(by_id[a].readings)}")
    if problems:
        raise SpecError(spec.path, problems)
    return dict(pairs)


def _apply_overrides(raw: dict, overrides: dict, path: str) -> None:
    index = {ln["id"]: ln for ln in raw.get("lines", [])}
    index.update({f"group:{g['id']}": g for g in raw.get("groups", [])})
    index.update({f"policy:{p['type']}": p for p in raw.get("policies", [])})
    if raw.get("analyst_units"):
        index["analyst_units"] = raw["analyst_units"]
    for target, change in overrides.items():
        if target not in index:
            raise SpecError(path, [f"reading overrides unknown line/group/policy {target!r}"])
        node = index[target]
        for k, v in change.items():
            if k == "rule" and isinstance(v, dict) and "type" not in v:
                node["rule"] = _merge_rule(node["rule"], v)
            else:
                node[k] = v


def _merge_rule(rule: dict, change: dict) -> dict:
    """Merge a reading's rule change into a rule; ``parts: {index: {...}}`` merges one part."""
    out = dict(rule)
    for k, v in change.items():
        if k == "parts" and isinstance(v, dict):
            parts = list(out.get("parts", []))
            for idx, sub in v.items():
                i = int(idx)
                parts[i] = sub if "type" in sub else _merge_rule(parts[i], sub)
            out["parts"] = parts
        else:
            out[k] = v
    return out


def list_documents() -> list[str]:
    """Return the ids of the bundled document specs."""
    return sorted(p.stem for p in SPEC_DIR.glob("*.yaml"))


@lru_cache(maxsize=32)
def _load_cached(path: str) -> Spec:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise SpecError(path, [f"YAML syntax: {e}"]) from None
    if not isinstance(raw, dict):
        raise SpecError(path, ["top level must be a mapping"])
    spec = build_spec(raw, path)
    return dataclasses.replace(spec, readings=spec.default_readings())


def load_spec(doc: str | Path, readings=None) -> Spec:
    """Load a spec by document id (``xx-2020``) or path, optionally under chosen readings."""
    p = Path(doc)
    if not p.suffix:
        p = SPEC_DIR / f"{doc}.yaml"
        if not p.exists():
            raise SpecError(str(doc), [f"unknown document; known: {', '.join(list_documents())}"])
    spec = _load_cached(str(p.resolve()))
    return spec.with_readings(readings) if readings else spec


def _tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, str):
        return (x,)
    return tuple(x)


def _clause(x) -> str:
    return "\n".join(x) if isinstance(x, list) else str(x or "").strip()


def _ranking(raw, problems: list[str]) -> Ranking:
    try:
        return Ranking(**(raw or {}))
    except TypeError as e:
        problems.append(f"ranking: {e}")
        return Ranking()


def _unit(u) -> Unit:
    u = {"name": u} if isinstance(u, str) else dict(u)
    u["aliases"] = _tuple(u.get("aliases"))
    return Unit(**u)


def _analyst_units(raw, problems: list[str]) -> AnalystUnits | None:
    if not raw:
        return None
    try:
        cats = tuple(Category(c["code"], c["dim"], _tuple(c["values"])) for c in raw.get("categories") or ())
        return AnalystUnits(label=raw["label"], note=raw.get("note", ""), categories=cats,
                            lines=_tuple(raw.get("lines")), sample=tuple(_unit(u) for u in raw.get("sample") or ()))
    except (KeyError, TypeError) as e:
        problems.append(f"analyst_units: missing or malformed {e}")
        return None


def build_spec(raw: dict, path: str) -> Spec:
    """Build and check a spec from its YAML form; raise ``SpecError`` listing every problem."""
    problems: list[str] = []
    for key in ("id", "title", "family", "units", "lines"):
        if key not in raw:
            problems.append(f"missing top-level key {key!r}")
    if problems:
        raise SpecError(path, problems)
    groups = []
    for g in raw.get("groups", []):
        if g.get("kind") == "deduction" and "floor" not in g:
            g = {**g, "floor": None}  # a deduction group deducts freely unless the spec caps it
        try:
            groups.append(Group(**g))
        except TypeError as e:
            problems.append(f"group {g.get('id', '?')}: {e}")
    group_kind = {g.id: g.kind for g in groups}
    lines = []
    for i, ln in enumerate(raw["lines"]):
        lid = ln.get("id", f"#{i + 1}")
        try:
            rule = rules.from_params(ln["rule"])
        except (KeyError, ValueError, TypeError) as e:
            problems.append(f"line {lid}: rule: {e}")
            continue
        try:
            lines.append(
                Line(
                    id=str(lid),
                    group=str(ln.get("group", "")),
                    title=ln.get("title", ""),
                    kind=ln.get("kind", group_kind.get(str(ln.get("group")), "base")),
                    rule=rule,
                    clause=_clause(ln.get("clause")),
                    max=ln.get("max"),
                    lead=_tuple(ln.get("lead")),
                    responsible=_tuple(ln.get("responsible")),
                    attribute=ln.get("attribute"),
                    unit_of_measure=ln.get("unit_of_measure", ""),
                    target_text=str(ln.get("target_text", "")),
                    applies_to=_tuple(ln["applies_to"]) if ln.get("applies_to") else None,
                    note=ln.get("note", ""),
                    ambiguities=_tuple(ln.get("ambiguities")),
                    sample=ln.get("sample") or {},
                    linked_tasks=_tuple(ln.get("linked_tasks")),
                    same_facts=dict(ln.get("same_facts") or {}),
                    part_leads=tuple(_tuple(p) for p in ln.get("part_leads") or ()),
                )
            )
        except TypeError as e:
            problems.append(f"line {lid}: {e}")
    units = [_unit(u) for u in raw.get("units", [])]
    ambiguities = []
    for a in raw.get("ambiguities", []):
        for name, r in (a.get("readings") or {}).items():
            extra = set(r or {}) - {"description", "overrides"}
            if extra:
                problems.append(f"ambiguity {a.get('id', '?')} reading {name}: unknown keys {sorted(extra)}")
        try:
            readings = {
                name: Reading(name, r.get("description", ""), r.get("overrides", {}) or {})
                for name, r in a["readings"].items()
            }
            ambiguities.append(
                Ambiguity(a["id"], _tuple(a.get("lines")), _clause(a.get("clause")), a.get("question", ""),
                          a["default"], readings)
            )
        except (KeyError, TypeError, AttributeError) as e:
            problems.append(f"ambiguity {a.get('id', '?')}: missing or malformed {e}")
    grades = tuple(GradeBand(b["grade"], b.get("min")) for b in raw.get("grades", []))
    analyst = _analyst_units(raw.get("analyst_units"), problems)
    spec = Spec(
        id=raw["id"], title=raw["title"], short_title=raw.get("short_title", raw["title"]),
        seed=raw.get("seed", ""), year=int(raw.get("year", 0)), family=raw["family"],
        unit_kind=raw.get("unit_kind", "单位"), total=raw.get("total"), units=tuple(units),
        departments=_tuple(raw.get("departments")), groups=tuple(groups), lines=tuple(lines),
        grades=grades, policies=tuple(raw.get("policies", []) or []), ambiguities=tuple(ambiguities),
        notes=raw.get("notes", ""), path=str(path), raw=raw, ranking=_ranking(raw.get("ranking"), problems),
        analyst_units=analyst, department_reports=raw.get("department_reports"),
    )

    problems.extend(check(spec))
    if problems:
        raise SpecError(path, problems)
    return spec
