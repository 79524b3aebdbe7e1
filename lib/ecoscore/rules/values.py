"""The values a rule reads: one yes/no vocabulary, and fact columns coerced to what rules expect.

Validation (``ecoscore.facts.validate``) and scoring (``ecoscore.scoring.engine``) both use
``parse_bool``, so a word that passes validation ("满足", "已建立") scores the same way.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from ecoscore.rules.base import NUMERIC_KINDS

TRUE_WORDS = frozenset({"是", "有", "已完成", "完成", "满足", "已建立", "已开展", "yes", "y", "true", "√", "✓", "对"})
FALSE_WORDS = frozenset({"否", "无", "未完成", "不满足", "未建立", "未开展", "no", "n", "false", "×", "✗", "错"})


def parse_bool(v: Any) -> bool | None:
    """Return a yes/no cell as True/False, or None if it is neither (or missing)."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return bool(v) if v in (0, 1) else None
    s = unicodedata.normalize("NFKC", str(v)).strip().lower()
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    return None


def coerce(values: pd.Series | np.ndarray, kind: str) -> np.ndarray:
    """Return a fact column as the array a rule expects (floats, bools as objects, strings)."""
    if kind in NUMERIC_KINDS:
        if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
            return values.astype(float, copy=False)
        return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    arr = np.asarray(values, dtype=object)
    if kind == "bool":
        return np.array([parse_bool(v) for v in arr], dtype=object)
    return np.array([None if v is None or (isinstance(v, float) and v != v) or v == "" else v for v in arr],
                    dtype=object)
