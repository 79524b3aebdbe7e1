"""Columnar JSON for the tables of a saved scored result (``docs/scored-result.md``).

A table is ``{"rows": n, "dtypes": {column: dtype}, "columns": {column: values}}``: each column's
values are listed once, in row order, with no per-row keys. A text column whose values repeat
(a line's clause, title and rule on every unit's row) is stored as a dictionary — its distinct
``text`` once and one integer ``codes`` entry per row (-1: empty) — so a cohort of 3,000 units
does not write each clause 3,000 times. A categorical column keeps its categories and order.
Missing numbers and texts are ``null``. Plain JSON: no code, no pickle.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

_NUMERIC = {"float64", "int64", "Int64", "bool", "boolean", "Float64"}


def _texts(s: pd.Series) -> bool:
    """Return whether every non-missing value of an object column is a str."""
    return all(isinstance(v, str) for v in s.dropna())


def _number(v) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def encode(df: pd.DataFrame) -> dict[str, Any]:
    """Return ``df`` (its columns, not its index) as one columnar JSON-ready dict."""
    dtypes: dict[str, str] = {}
    columns: dict[str, Any] = {}
    for name in df.columns:
        s = df[name]
        dtype = str(s.dtype)
        key = str(name)
        if isinstance(s.dtype, pd.CategoricalDtype):
            columns[key] = {"categories": [str(c) for c in s.cat.categories], "ordered": bool(s.cat.ordered),
                            "codes": s.cat.codes.astype(int).tolist()}
            dtype = "category"
        elif dtype in _NUMERIC:
            columns[key] = [_number(v) for v in s.astype(object).tolist()]
        elif dtype in ("str", "string", "object") and _texts(s):
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            if 2 * len(uniques) < len(s):
                columns[key] = {"text": [str(u) for u in uniques], "codes": codes.tolist()}
            else:
                columns[key] = [None if v is None or v != v else str(v) for v in s.astype(object).tolist()]
        else:  # anything else is kept as its JSON values (e.g. an object column of mixed numbers)
            columns[key] = [_number(v) for v in s.astype(object).tolist()]
            dtype = "object"
        dtypes[key] = dtype
    return {"rows": len(df), "dtypes": dtypes, "columns": columns}


def decode(table: dict[str, Any]) -> pd.DataFrame:
    """Return the DataFrame ``encode`` saved (same columns, order, dtypes and values)."""
    data = {}
    for name, dtype in table["dtypes"].items():
        values = table["columns"][name]
        if dtype == "category":
            data[name] = pd.Categorical.from_codes(values["codes"], categories=values["categories"],
                                                   ordered=values["ordered"])
        elif isinstance(values, dict):  # dictionary-encoded text: -1 picks the trailing None
            lookup = np.array([*values["text"], None], dtype=object)
            data[name] = pd.Series(lookup[np.asarray(values["codes"], dtype=np.int64)], dtype=dtype)
        else:
            data[name] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data, index=pd.RangeIndex(int(table["rows"])))
