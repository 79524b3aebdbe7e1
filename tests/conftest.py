"""Shared fixtures and helpers for the tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ecoscore.rules.base import Context

#: The repository and the test fixtures, wherever a test module sits.
ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def make_ctx(maximum, previous=None, categories=None, **facts) -> Context:
    """Build a rule context from keyword arrays (one value per unit)."""
    n = len(next(iter(facts.values()))) if facts else 1
    units = [f"单位{i + 1}" for i in range(n)]
    values = {k: np.asarray(v, dtype=object if any(isinstance(x, (str, bool)) or x is None for x in v) else float)
              for k, v in facts.items()}
    prev = {k: np.asarray(v, dtype=float) for k, v in (previous or {}).items()}
    cats = {k: np.asarray(v, dtype=object) for k, v in (categories or {}).items()}
    return Context(units, maximum, values, prev, cats)


@pytest.fixture
def ctx():
    """Return the context builder."""
    return make_ctx


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory):
    """Return ``use(doc)``: a context in which ``doc``'s sample data (示例数据) can be loaded.

    The committed workbooks in ``data/<doc>/`` are used when present; otherwise they are
    generated into a temporary folder and ``ECOSCORE_DATA`` points there (kernels started
    inside the context inherit it).
    """
    from contextlib import contextmanager

    from ecoscore import facts, load_spec
    from ecoscore.facts import samples

    @contextmanager
    def use(doc: str):
        if facts.sample_path(doc, load_spec(doc).year).exists():
            yield
            return
        folder = tmp_path_factory.getbasetemp() / "sample-data"
        if not (folder / doc).exists():
            samples.write_samples(doc, folder)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("ECOSCORE_DATA", str(folder))
            mp.setattr(facts, "DATA_DIR", folder)
            yield

    return use


def compound_parts_result():
    """Return ``(spec, result)`` of ``specs/compound_parts.yaml`` scored on worked figures
    (parts in μg/m³, % and 万吨 with their own leads; a coefficient; a yes/no + % compound).
    """
    import pandas as pd

    from ecoscore import load_spec, score

    spec = load_spec(FIXTURES / "specs" / "compound_parts.yaml")
    f = pd.DataFrame({
        "指1:p0_value": [30, 40, 36, 30, None], "指1:p1_value": [88, 95, 80, 95, 95],
        "指1:p2_value": [6, 6, 6, 6, 6], "指2:value": [0.59, 0.7, 0.6, 0.6, 0.6],
        "指3:p0_done": ["是", "否", "是", "是", "是"], "指3:p1_value": [100, 100, 97, 100, 100],
    }, index=list(spec.unit_names))
    return spec, score(spec, f)


def save_v1(c, path):
    """Write ``c`` as the first format wrote it (each table in pandas' orient="table")."""
    raw = c.to_dict()
    raw["format"] = "ecoscore.scored-result/1"
    tables = {"evidence": c.evidence, "sensitivity": c.sensitivity, "groups": c.groups}  # no facts
    for name, res in (("current", c.current), ("previous", c.previous)):
        for part in ("audit", "summary", "rollup", "adjustments"):
            tables[f"{name}.{part}"] = getattr(res, part, None)
    raw["tables"] = {k: json.loads(v.to_json(orient="table", index=False, force_ascii=False, double_precision=15))
                     for k, v in tables.items() if v is not None}
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path
