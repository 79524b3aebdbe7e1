"""Which results depend on how an ambiguous clause is read.

For every registered ambiguity and every reading other than the one scored, the cohort is
scored again under that reading (numbers only) and each unit's grade, rank and verdict state
(vetoed, barred, binding indicators met) are compared with the result. A row is kept where any
of them differs; the total's change is recorded with it. Reports and the index show these rows
so an analyst can see whether a grade or a ranking stands on a reading of the text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecoscore.errors import SpecError
from ecoscore.scoring.engine import score
from ecoscore.scoring.result import Result
from ecoscore.spec import Spec

SENSITIVITY_COLUMNS = ["unit", "ambiguity", "reading", "changes", "total", "total_before", "grade", "grade_before",
                       "rank", "rank_before", "rank_of", "compliance", "compliance_before", "vetoed", "vetoed_before"]
#: What a reading can change, in the order shown: codes in the ``changes`` column (joined by ",").
CHANGES = ("grade", "rank", "compliance", "vetoed", "barred")


def sensitivity(spec: Spec, result: Result, facts: pd.DataFrame | None, previous: pd.DataFrame | None,
                units: list[str] | None = None) -> pd.DataFrame:
    """Return one row per unit × alternative reading that changes the unit's grade, rank or state."""
    base = result.summary.set_index("unit")
    # the same units under every reading: a unit an analyst added stays in the cohort even where
    # a reading asks for categories it was not given (its lines then lack data, as they would)
    units = list(units) if units is not None else list(base.index)
    rows = []
    for amb in spec.ambiguities:
        chosen = spec.readings.get(amb.id, amb.default)
        for name in amb.readings:
            if name == chosen:
                continue
            try:
                other = spec.with_readings({**spec.readings, amb.id: name})
            except SpecError:
                continue
            alt = score(other, facts, previous, units=units, explain=False).summary.set_index("unit")
            alt = alt.reindex(base.index)
            diff = {c: _differs(base[c], alt[c]) for c in CHANGES}
            any_change = np.logical_or.reduce([d for d in diff.values()])
            for u in base.index[any_change]:
                rows.append({
                    "unit": u, "ambiguity": amb.id, "reading": name,
                    "changes": ",".join(c for c in CHANGES if diff[c][base.index.get_loc(u)]),
                    "total": alt.at[u, "total"], "total_before": base.at[u, "total"],
                    "grade": alt.at[u, "grade"], "grade_before": base.at[u, "grade"],
                    "rank": alt.at[u, "rank"], "rank_before": base.at[u, "rank"], "rank_of": base.at[u, "rank_of"],
                    "compliance": alt.at[u, "compliance"], "compliance_before": base.at[u, "compliance"],
                    "vetoed": bool(alt.at[u, "vetoed"]), "vetoed_before": bool(base.at[u, "vetoed"]),
                })
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
        x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        both_nan = np.isnan(x) & np.isnan(y)
        return ~both_nan & ~(np.abs(x - y) < 1e-9)
    return (a.fillna("").astype(str) != b.fillna("").astype(str)).to_numpy()
