"""Score a cohort once: load the facts, score this year and last year, keep provenance and evidence.

``score_cohort`` is what ``ecoscore render``, ``ecoscore score`` and an interactive report
call; each scores the cohort exactly once per year and hands the ``ScoredCohort`` on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from ecoscore import __version__, words
from ecoscore.scoring.engine import score
from ecoscore.scoring.result import EVIDENCE_COLUMNS, ScoredCohort
from ecoscore.scoring.sensitivity import sensitivity as readings_sensitivity
from ecoscore.spec import Spec, load_spec, parse_readings

SAMPLE_SOURCE = "示例数据"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def provenance(files: list[tuple[str, Path]], sample: bool, source: str) -> dict:
    """Return the provenance record of a scored cohort: each file's role, name and hash."""
    return {
        "files": [{"role": role, "name": p.name, "path": str(p), "sha256": _sha256(p)} for role, p in files
                  if p is not None and p.exists()],
        "sample": bool(sample),
        "source": source,
        "created": datetime.now().isoformat(timespec="seconds"),
        "ecoscore": __version__,
    }


def attach_evidence(audit: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """Return ``audit`` with each line's evidence (what the unit typed, marked with where it was
    typed), one piece per line of text. Remarks about the unit as a whole stay in the evidence table.
    """
    if evidence is None or evidence.empty:
        return audit
    ev = evidence[evidence["line_id"].astype(str) != ""]
    ev = ev.assign(shown=[words.evidence(s, x) for s, x in zip(ev["source"], ev["text"])])
    joined = ev.groupby(["unit", "line_id"], sort=False)["shown"].agg("\n".join)
    keys = pd.MultiIndex.from_arrays([audit["unit"].astype(str), audit["line_id"].astype(str)])
    audit = audit.copy()
    audit["evidence"] = joined.reindex(keys).astype(object).fillna("").to_numpy()  # none joined: float NaNs
    return audit


@dataclass
class Loaded:
    """A cohort's facts as read: this year's and last year's tables, the evidence units typed,
    where they came from, and the analyst's grouping of the units (``FactsBundle.groups``;
    None when the facts give none).
    """

    current: pd.DataFrame
    previous: pd.DataFrame | None
    evidence: pd.DataFrame
    provenance: dict
    groups: pd.DataFrame | None = None


def load_facts(spec: Spec, facts=None, previous=None, *, year: int | None = None) -> Loaded:
    """Read a cohort's facts as ``score_cohort`` does: a facts file (xlsx/csv) with last
    year's beside it, a facts table, or None for the bundled sample data (示例数据).
    Raises ``FactsError`` listing every bad fact.
    """
    from ecoscore.facts import read_bundle, sample_path
    from ecoscore.facts.evidence import collect

    year = int(year or spec.year)
    evidence = pd.DataFrame(columns=EVIDENCE_COLUMNS)
    groups = None
    if facts is None or isinstance(facts, (str, Path)):
        if facts is None:
            path = sample_path(spec.id, year)
            prev_path = sample_path(spec.id, year - 1)
            prev_path = prev_path if prev_path.exists() else None
        else:
            path = Path(facts)
            prev_path = Path(previous) if isinstance(previous, (str, Path)) else None
        bundle = read_bundle(spec, path, prev_path, year=year)
        current, prior = bundle.current, bundle.previous
        sample = bool(bundle.sample)
        evidence = collect(bundle)
        groups = bundle.groups if len(bundle.groups) else None
        prov = provenance([("current", Path(path)), ("previous", prev_path)], sample,
                          SAMPLE_SOURCE if sample else Path(path).name)
    else:
        current, prior = facts, None
        sample = bool(facts.attrs.get("sample"))
        prov = provenance([], sample, SAMPLE_SOURCE if sample else "传入的数据表")
    if isinstance(previous, pd.DataFrame):
        prior = previous
    if prior is not None and len(prior) == 0:
        prior = None
    return Loaded(current, prior, evidence.reindex(columns=EVIDENCE_COLUMNS), prov, groups)


def score_cohort(doc: str | Spec, facts=None, previous=None, *, year: int | None = None,
                 readings=None, units: list[str] | None = None, sensitivity: bool = True,
                 scenario=None) -> ScoredCohort:
    """Load the facts and score the whole cohort of ``doc`` for this year and last year, once.

    ``facts`` is a facts file (xlsx/csv), a facts table (index: units; columns: fact keys),
    or None for the bundled sample data (示例数据, with the year before as last year).
    ``previous`` is last year's facts (a file or a table). ``readings`` picks readings of
    ambiguous clauses. ``scenario`` (``ecoscore.whatif.Scenario``) changes facts before scoring
    and is recorded in the provenance (every view then says the result is a scenario's).
    ``sensitivity`` also scores this year under every other registered
    reading (numbers only) to find the units whose grade, rank or state depends on one.
    Raises ``FactsError`` listing every bad fact.
    """
    spec = doc if isinstance(doc, Spec) else load_spec(doc)
    if scenario is not None and scenario.readings:
        readings = {**scenario.readings, **parse_readings(spec, readings)}
    chosen = parse_readings(spec, readings)
    if chosen:
        spec = spec.with_readings(chosen)
    year = int(year or spec.year)
    loaded = load_facts(spec, facts, previous, year=year)
    current, prior, evidence, prov = loaded.current, loaded.previous, loaded.evidence, loaded.provenance
    if scenario is not None:
        current = scenario.apply(spec, current)
        prov = {**prov, "scenario": scenario.record()}
    names = list(units) if units is not None else None
    now = score(spec, current, prior, units=names)
    now.audit = attach_evidence(now.audit, evidence)
    before = score(spec, prior, None, units=names) if prior is not None else None
    sens = readings_sensitivity(spec, now, current, prior, units=names) if sensitivity else None
    return ScoredCohort(spec, year, now, before, prov, evidence.reindex(columns=EVIDENCE_COLUMNS), sens,
                        groups=loaded.groups, facts=current, previous_facts=prior)
