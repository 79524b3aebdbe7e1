"""The saved result's tables (format /2, ``scoring.columnar``): each column once, a repeated
text once, read back exactly; a file of the first format still reads."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ecoscore.scoring import cohort as cohort_mod
from ecoscore.scoring import columnar
from ecoscore.scoring.result import FORMAT, ScoredCohort
from tests.conftest import save_v1


def _round_trip(df: pd.DataFrame) -> pd.DataFrame:
    return columnar.decode(json.loads(json.dumps(columnar.encode(df), ensure_ascii=False)))


def test_every_kind_of_column_reads_back_exactly():
    df = pd.DataFrame({
        "unit": pd.Categorical(["乙区", "甲区", "乙区", "甲区"], categories=["甲区", "乙区"], ordered=True),
        "clause": pd.Series(["同一条款"] * 3 + [None], dtype="str"),  # repeats: a dictionary
        "reason": pd.Series(["a", "b", "", "d"], dtype="str"),          # distinct: a plain list
        "note": pd.Series(["x", None, "y", ""], dtype=object),
        "value": [0.1 + 0.2, np.nan, -0.0, 1e-12],
        "part": pd.array([0, None, 2, 1], dtype="Int64"),
        "count": np.array([1, 2, 3, 4], dtype="int64"),
        "vetoed": [True, False, False, True],
        "row": pd.Series([4, None, "A", 2.5], dtype=object),            # mixed: kept as its JSON values
    })
    back = _round_trip(df)
    pd.testing.assert_frame_equal(df, back, check_exact=True)
    assert back["value"][0] == 0.30000000000000004  # no precision dropped
    assert back["clause"].isna()[3] and back["reason"][2] == ""  # missing stays missing, "" stays ""


def test_an_empty_table_keeps_its_columns_and_dtypes():
    df = pd.DataFrame({"unit": pd.Series([], dtype="str"), "points": pd.Series([], dtype="float64")})
    pd.testing.assert_frame_equal(df, _round_trip(df))


def test_a_repeated_text_is_written_once(tmp_path):
    c = cohort_mod.score_cohort("xx-2020")
    text = c.save(tmp_path / "r.json").read_text(encoding="utf-8")
    clause = str(c.current.audit["clause"].iloc[0])
    units = c.current.audit["unit"].nunique()
    assert units == 9 and len(clause) > 20
    # once in this year's audit, once in last year's: not once per unit (18 times in format /1)
    assert text.count(json.dumps(clause, ensure_ascii=False)) == 2


@pytest.mark.parametrize("doc", ["xx-2020", "shengzhou-2024"])
def test_a_result_saved_in_the_first_format_still_reads(doc, tmp_path):
    c = cohort_mod.score_cohort(doc)
    old = ScoredCohort.load(save_v1(c, tmp_path / "v1.json"))
    new = ScoredCohort.load(c.save(tmp_path / "v2.json"))
    assert json.loads((tmp_path / "v2.json").read_text(encoding="utf-8"))["format"] == FORMAT
    for name in ("audit", "summary", "rollup", "adjustments"):
        a, b = getattr(old.current, name), getattr(new.current, name)
        pd.testing.assert_frame_equal(a.astype(object), b.astype(object).reindex(columns=a.columns),
                                      check_dtype=False, obj=f"{doc} {name}")
    assert old.units == new.units and old.spec.readings == new.spec.readings
