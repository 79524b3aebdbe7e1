"""What each published report was made from, so that a re-run renders only what changed.

Beside the reports, ``manifest.json`` records for each report a key: a hash of everything the
report shows or depends on —

* the unit's own rows of the scored result, this year and last (lines, subtotals, adjustments,
  evidence, readings that change its result);
* what it shows of the cohort: every unit's summary row (totals, grades, ranks: the cohort
  chart and the rank), the cohort-wide cautions, and every unit's rows on lines that compare
  units (a rank-relative line's points, and so the unit's goal, depend on the others' facts);
* the readings, the data's source and sample label, the scenario, the year;
* the document's spec file, the report notebook, and the ecoscore library itself: its version
  and the content of its files (``library_digest``), so a library changed without a new
  version number (an edited install, a development checkout) never keeps a stale report.

A kept report lacking the PDF a render asks for is printed; its HTML is not made again.

The facts file's own hash is not in it: a facts file edited for one unit changes only that
unit's rows (and, if its total moves, every report showing the cohort's totals). A report whose
key equals the published one's, and whose files are there, is kept as published (hard-linked,
so not rewritten); ``--force`` renders every report asked for.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ecoscore import __version__, atomic

FILE = "manifest.json"
FORMAT = "ecoscore.manifest/1"


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else json.dumps(p, ensure_ascii=False, sort_keys=True,
                                                             default=str).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _row_hashes(df: pd.DataFrame | None) -> np.ndarray:
    if df is None or df.empty:
        return np.zeros(0, dtype=np.uint64)
    safe = df.astype({c: str for c in df.columns if df[c].dtype == object})  # lists, None and numbers mixed
    return pd.util.hash_pandas_object(safe, index=False).to_numpy()


def _per_unit(df: pd.DataFrame | None, column: str = "unit") -> dict[str, bytes]:
    """Return ``{unit: bytes}`` identifying each unit's rows of ``df`` (columns and values, in order)."""
    if df is None or df.empty or column not in df.columns:
        return {}
    rows = _row_hashes(df)
    head = ",".join(map(str, df.columns)).encode("utf-8")
    units = df[column].astype(str).to_numpy()
    out: dict[str, list] = {}
    for u, h in zip(units, rows):
        out.setdefault(u, []).append(h)
    return {u: head + np.asarray(hs, dtype=np.uint64).tobytes() for u, hs in out.items()}


def _whole(df: pd.DataFrame | None) -> bytes:
    if df is None or df.empty:
        return b""
    return ",".join(map(str, df.columns)).encode("utf-8") + _row_hashes(df).tobytes()


@functools.lru_cache(maxsize=1)
def library_digest() -> str:
    """Return a hash of the installed ecoscore package's files (code, templates, fonts, specs)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        h.update(f.relative_to(root).as_posix().encode("utf-8") + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def _file(path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def report_keys(cohort, reports: list[str], *, owner: dict[str, str], notebook: Path) -> dict[str, str]:
    """Return ``{report: key}`` for ``reports`` of a scored cohort.

    ``owner`` maps a department's report to the unit whose result it shows (a unit's own
    report: itself).
    """
    spec = cohort.spec
    now, before = cohort.current, cohort.previous
    cohort_lines = {ln.id for ln in spec.lines if ln.rule.cohort}
    compared = now.audit[now.audit["line_id"].isin(cohort_lines)] if cohort_lines else None
    prov = cohort.provenance or {}
    common = _digest(
        FORMAT, __version__, library_digest(), spec.id, _file(spec.path), _file(notebook), int(cohort.year),
        dict(spec.readings), {k: prov.get(k) for k in ("source", "sample", "scenario")},
        now.warnings, before.warnings if before is not None else None,
        _whole(now.summary), _whole(before.summary if before is not None else None), _whole(compared),
    )
    tables = [now.audit, now.rollup, now.adjustments, cohort.evidence, cohort.sensitivity]
    if before is not None:
        tables += [before.audit, before.rollup, before.adjustments]
    slices = [_per_unit(t) for t in tables]
    keys = {}
    for name in reports:
        unit = owner.get(name, name)
        keys[name] = _digest(common, name, unit, *[s.get(unit, b"") for s in slices])
    return keys


def read(folder: Path) -> dict[str, str]:
    """Return ``{report: key}`` of the set published in ``folder`` ({} without a readable manifest)."""
    try:
        raw = json.loads((Path(folder) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("reports"), dict):
        return {}
    return {str(k): str(v.get("key", "")) for k, v in raw["reports"].items() if isinstance(v, dict)}


def write(folder: Path, keys: dict[str, str], files: dict[str, str]) -> Path:
    """Write the manifest of the set in ``folder``: each report's file and key."""
    body = {"format": FORMAT, "ecoscore": __version__,
            "reports": {u: {"file": files[u], "key": keys[u]} for u in files}}
    return atomic.write_text(Path(folder) / FILE, json.dumps(body, ensure_ascii=False, indent=1))
