"""The scored result: computed once per cohort, saved, and read by every view.

``Result`` is one year of one cohort: the audit trail (unit × line), the rollup (unit × group,
plus the total, with every adjustment), the summary (unit: total, grade, verdict, rank, flags)
and the adjustments. ``ScoredCohort`` is what a batch scores once and every report, the index
page, the CLI and the exports read: this year's and last year's ``Result``, the readings, the
data's provenance (file names, content hashes, whether they are samples) and the evidence the
units typed.

A ``ScoredCohort`` is saved as one JSON file (``docs/scored-result.md``): no pickle, no code;
each table is columnar JSON (``scoring.columnar``: each column once, repeated texts once), read
back with its dtypes. ``ScoredCohort.load`` rebuilds the spec from the document id (or spec path)
and the readings recorded in the file; it still reads the first format (pandas' ``orient="table"``).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ecoscore import atomic
from ecoscore.errors import EcoscoreError
from ecoscore.paths import SPEC_DIR
from ecoscore.scoring import columnar
from ecoscore.spec import Spec, load_spec

FORMAT = "ecoscore.scored-result/2"
#: the first format (each table in pandas' ``orient="table"`` JSON), still read
FORMAT_V1 = "ecoscore.scored-result/1"
EVIDENCE_COLUMNS = ["unit", "line_id", "source", "text", "file", "sheet", "row"]
#: the column of a saved facts table that holds the units (a fact key never starts with "@@")
FACTS_INDEX = "@@unit"


def _num(x):
    return None if x is None or x != x else round(float(x), 4)


def _text(x) -> str | None:
    return None if x is None or x != x or x == "" else str(x)


def _int(x) -> int | None:
    return None if x is None or pd.isna(x) else int(x)


def _later_audit_columns(spec: Spec, audit: pd.DataFrame) -> None:
    """Add the audit columns a file saved before them lacks: no ``part``; the line's own
    ``responsible``; ``gap_unit`` the unit of the figures such a file holds (a line of
    several parts: its first part's, as ``value`` and ``target`` then were).
    """
    lines = {ln.id: ln for ln in spec.lines}

    def of(line_id, fn):
        ln = lines.get(str(line_id))
        return fn(ln) if ln is not None else ""

    if "part" not in audit:
        audit["part"] = pd.NA
    if "responsible" not in audit:
        audit["responsible"] = [of(i, lambda ln: "、".join(d for d in ln.responsible if d not in ln.lead))
                                for i in audit["line_id"]]
    if "gap_unit" not in audit:
        audit["gap_unit"] = [of(i, lambda ln: ln.rule.measure_unit()) for i in audit["line_id"]]


@dataclass
class Result:
    """One year of a scored cohort: audit trail, rollup, summary and adjustments."""

    spec: Spec
    audit: pd.DataFrame
    groups: pd.DataFrame
    summary: pd.DataFrame
    rollup: pd.DataFrame
    adjustments: pd.DataFrame
    #: cohort-wide cautions in Chinese (e.g. rank-relative lines scored on part of the cohort)
    warnings: list[str] = field(default_factory=list)

    def unit_audit(self, unit: str) -> pd.DataFrame:
        """Return the audit rows of one unit."""
        return self.audit[self.audit["unit"] == unit]

    def unit_summary(self, unit: str) -> dict[str, Any]:
        """Return one unit's summary row as a dict."""
        row = self.summary[self.summary["unit"] == unit]
        if row.empty:
            raise KeyError(unit)
        return row.iloc[0].to_dict()

    def unit_rollup(self, unit: str) -> pd.DataFrame:
        """Return one unit's rollup rows (groups in document order, then the total)."""
        return self.rollup[self.rollup["unit"] == unit]

    def unit_adjustments(self, unit: str) -> pd.DataFrame:
        """Return one unit's adjustments."""
        return self.adjustments[self.adjustments["unit"] == unit]

    def to_records(self) -> list[dict[str, Any]]:
        """Return the stable JSON contract: one record per unit with its adjustments and lines.

        For a unit with points, Σ ``lines[].points`` + Σ ``adjustments[].points`` = ``total``.
        Each line names who must act on it (``lead``, ``responsible``) and its ``gap`` in
        ``gap_unit``; on a line of several parts these are those of the deciding ``part``.
        """
        out = []
        by_unit = {u: df for u, df in self.audit.groupby("unit", sort=False, observed=True)}
        adj = {u: df for u, df in self.adjustments.groupby("unit", sort=False)}
        for row in self.summary.itertuples(index=False):
            lines = by_unit.get(row.unit, self.audit.iloc[0:0])
            out.append({
                "unit": row.unit,
                "total": _num(row.total),
                "base": _num(row.base) if row.total == row.total else None,
                "bonus": _num(row.bonus) if row.total == row.total else None,
                "deduction": _num(row.deduction) if row.total == row.total else None,
                "lost": _num(row.lost),
                "grade": row.grade or None,
                "verdict": row.verdict or None,
                "compliance": row.compliance or None,
                "rank": int(row.rank) if row.rank == row.rank else None,
                "rank_of": int(row.rank_of) if row.rank == row.rank else None,
                "rank_group": row.rank_group or None,
                "vetoed": bool(row.vetoed),
                "barred": bool(row.barred),
                "veto_status": getattr(row, "veto_status", "") or None,
                "bar_status": getattr(row, "bar_status", "") or None,
                "gate_conflicts": getattr(row, "gate_conflicts", "") or None,
                "missing": int(row.missing),
                "gates": row.gates or None,
                "readings": self.spec.readings,
                "adjustments": [
                    {"level": a.level, "id": a.id, "points": _num(a.points), "reason": a.reason}
                    for a in adj.get(row.unit, self.adjustments.iloc[0:0]).itertuples(index=False)
                ],
                "lines": [
                    {"id": r.line_id, "points": _num(r.awarded), "max": _num(r.possible), "outcome": r.outcome,
                     "polarity": r.polarity, "reason": r.reason, "value": _num(r.value), "target": _num(r.target),
                     "gap": _num(r.gap), "gap_unit": _text(r.gap_unit), "part": _int(r.part), "lead": _text(r.lead),
                     "responsible": _text(r.responsible), "evidence": _text(r.evidence), "clause": r.clause}
                    for r in lines.itertuples(index=False)
                ],
            })
        return out

    def to_json(self) -> str:
        """Return ``to_records`` as JSON text (UTF-8, not ASCII-escaped)."""
        return json.dumps({"document": self.spec.id, "title": self.spec.title, "units": self.to_records()},
                          ensure_ascii=False, indent=2)


@dataclass
class ScoredCohort:
    """A cohort scored once: this year, last year, readings, provenance and evidence."""

    spec: Spec
    year: int
    current: Result
    previous: Result | None = None
    provenance: dict = field(default_factory=dict)
    evidence: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EVIDENCE_COLUMNS))
    #: which units' grade, rank or state change under another reading (``scoring.sensitivity``)
    sensitivity: pd.DataFrame | None = None
    #: the analyst's grouping of the units (``unit, province, city``; ``FactsBundle.groups``):
    #: not the document's; None when the facts give none (the index then lists no province)
    groups: pd.DataFrame | None = None
    #: the facts scored (index: units; columns: fact keys): this year's after any scenario, and
    #: last year's. Saved with the result, so a report works out what its unit would have to
    #: change (the static "距下一等次" section, ``whatif.goals``) from the facts the result was
    #: scored from; None in a result saved before they were
    facts: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    previous_facts: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def sample(self) -> bool:
        """Return whether the facts are the bundled sample data (示例数据)."""
        return bool(self.provenance.get("sample"))

    @property
    def source(self) -> str:
        """Return the data source as a reader should see it (示例数据 or the file name)."""
        return self.provenance.get("source", "")

    @property
    def units(self) -> list[str]:
        """Return the scored units, in order."""
        return list(self.current.summary["unit"])

    def to_json(self) -> str:
        """Return the JSON contract of ``ecoscore score --format json``: the document, the year,
        the readings, the provenance and one record per unit (``Result.to_records``).
        """
        return json.dumps({"document": self.spec.id, "title": self.spec.title, "year": self.year,
                           "readings": dict(self.spec.readings), "provenance": self.provenance,
                           "units": self.current.to_records()}, ensure_ascii=False, indent=2)

    # ---------------------------------------------------------------- saving
    def to_dict(self) -> dict[str, Any]:
        """Return the saved form (see ``docs/scored-result.md``)."""
        builtin = Path(self.spec.path).resolve().parent == SPEC_DIR.resolve()
        tables = {"evidence": self.evidence}
        if self.sensitivity is not None:
            tables["sensitivity"] = self.sensitivity
        for name, facts in (("facts.current", self.facts), ("facts.previous", self.previous_facts)):
            if facts is not None:  # the units (the index) as the first column, FACTS_INDEX
                tables[name] = facts.rename_axis(FACTS_INDEX).reset_index()
        if self.groups is not None:
            tables["groups"] = self.groups
        for name, res in (("current", self.current), ("previous", self.previous)):
            if res is None:
                continue
            for part in ("audit", "summary", "rollup", "adjustments"):
                tables[f"{name}.{part}"] = getattr(res, part)
        return {
            "format": FORMAT,
            "document": self.spec.id,
            "spec": None if builtin else str(Path(self.spec.path).resolve()),
            "title": self.spec.title,
            "year": self.year,
            "readings": dict(self.spec.readings),
            "provenance": self.provenance,
            "warnings": {"current": self.current.warnings,
                         "previous": self.previous.warnings if self.previous is not None else []},
            "tables": {k: columnar.encode(v) for k, v in tables.items()},
        }

    def save(self, path: str | Path) -> Path:
        """Write the result to ``path`` (JSON, atomically) and return the path."""
        return atomic.write_text(Path(path), json.dumps(self.to_dict(), ensure_ascii=False))

    @classmethod
    def load(cls, path: str | Path) -> ScoredCohort:
        """Read a result saved by ``save``."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise EcoscoreError(f"无法读取评分结果文件 {path}:{e}") from None
        if not isinstance(raw, dict) or raw.get("format") not in (FORMAT, FORMAT_V1):
            raise EcoscoreError(f"{path} 不是 ecoscore 评分结果文件(应为格式 {FORMAT})")
        spec = load_spec(raw["spec"] or raw["document"])
        spec = spec.with_readings(raw.get("readings") or {})
        t = {k: read_table(raw, k) for k in raw["tables"]}

        def result(name: str) -> Result | None:
            if f"{name}.audit" not in t:
                return None
            audit = t[f"{name}.audit"]
            audit["unit"] = pd.Categorical(audit["unit"].astype(str), categories=list(t[f"{name}.summary"]["unit"]),
                                           ordered=True)
            _later_audit_columns(spec, audit)
            audit["part"] = audit["part"].astype("Int64")
            for col in ("reason", "facts", "evidence", "lead", "responsible", "gap_unit", "gate", "attribute",
                        "clause", "rule", "title"):
                audit[col] = audit[col].fillna("").astype(str)
            rolled = t[f"{name}.rollup"]
            for col in ("reason", "parent"):
                rolled[col] = rolled[col].fillna("").astype(str)
            summary = t[f"{name}.summary"]
            if "added" not in summary.columns:  # results saved before analyst units existed
                summary["added"] = ""
            for col in ("grade", "verdict", "gates", "rank_group", "compliance", "veto_status", "bar_status",
                        "gate_conflicts", "added"):
                summary[col] = summary[col].fillna("").astype(str)
            return Result(spec, audit, groups_table(spec, rolled, list(summary["unit"])), summary, rolled,
                          t[f"{name}.adjustments"], list((raw.get("warnings") or {}).get(name, [])))

        evidence = t["evidence"].reindex(columns=EVIDENCE_COLUMNS)
        sens = t.get("sensitivity")
        if sens is not None:
            for col in ("unit", "ambiguity", "reading", "changes", "grade", "grade_before", "compliance",
                        "compliance_before"):
                sens[col] = sens[col].fillna("").astype(str)
        groups = t.get("groups")
        if groups is not None:
            groups = groups.astype(object).where(groups.notna(), "").astype(str)
        facts = {k: t[k].set_index(FACTS_INDEX).rename_axis("unit") if k in t else None
                 for k in ("facts.current", "facts.previous")}
        return cls(spec, int(raw["year"]), result("current"), result("previous"), raw.get("provenance") or {},
                   evidence, sens, groups, facts["facts.current"], facts["facts.previous"])


def read_table(raw: dict[str, Any], name: str) -> pd.DataFrame:
    """Return table ``name`` of a saved result's parsed JSON (either format)."""
    table = raw["tables"][name]
    if raw.get("format") == FORMAT_V1:
        return pd.read_json(io.StringIO(json.dumps(table)), orient="table")
    return columnar.decode(table)


def groups_table(spec: Spec, rolled: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Return unit × group scores (after adjustments) from rollup rows."""
    g = rolled[rolled["level"] == "group"]
    wide = g.pivot(index="unit", columns="id", values="awarded") if len(g) else pd.DataFrame()
    wide = wide.reindex(index=names, columns=[x.id for x in spec.groups]).fillna(0.0)
    wide.index.name = "unit"
    wide.columns.name = None
    return wide
