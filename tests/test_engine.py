"""The engine and roll-up, on a tiny spec whose numbers are easy to check by hand."""

import json
from pathlib import Path

import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.engine import AUDIT_COLUMNS

MINI = Path(__file__).parent / "fixtures" / "specs" / "mini.yaml"


@pytest.fixture
def spec():
    return load_spec(MINI)


def facts(**overrides):
    base = {
        "一.1(1):done": ["是", "是", "否"],
        "一.1(2):done": ["是", "否", "是"],
        "一.2:n": [0, 1, 4],
        "二.1:completion": [100, 90, 50],
        "加.1:n": [1, 3, 0],
        "扣.1:n": [0, None, 1],
        "门.1:flag": ["否", "是", "是"],
    }
    base.update(overrides)
    return pd.DataFrame(base, index=["甲区", "乙区", "丙区"])


def test_audit_trail_has_fixed_columns_and_one_row_per_unit_line(spec):
    r = score(spec, facts())
    assert list(r.audit.columns) == AUDIT_COLUMNS
    assert len(r.audit) == 3 * len(spec.lines)
    assert r.audit["clause"].str.len().gt(0).all()


def test_totals_caps_bonus_deduction_grade_and_gate(spec):
    r = score(spec, facts())
    s = r.summary.set_index("unit")
    # 甲区: 一.1 = 6+4 = 10; 一.2 = 10 − 0 = 10 → 一 = 20; 二 = 10; bonus 2; no deduction → 32
    # 乙区: 一.1 = 6; 一.2 = 10 − 4 = 6 → 12; 二 = 9; bonus 3×2 = 6 → cap 3; deduction missing → 0 → 24
    # 丙区: 一.1 = 4; 一.2 = 10 − 16 → 0 (扣完为止) → 4; 二 = 5; bonus 0; deduction −5 → 4
    assert s.loc["甲区", "total"] == 32
    assert s.loc["乙区", "total"] == 24
    assert s.loc["丙区", "total"] == 4
    assert s.loc["乙区", "bonus"] == 3  # bonus group capped at 3
    assert s.loc["丙区", "deduction"] == -5
    # 甲区 would be 优秀 (32 ≥ 27) but its 评优前置 is not met → 良好
    assert s.loc["甲区", "grade"] == "良好"
    assert "未满足评优前置" in s.loc["甲区", "gates"]
    assert s.loc["乙区", "grade"] == "良好"
    assert s.loc["丙区", "grade"] == "不合格"
    assert list(s["rank"]) == [1, 2, 3]
    assert r.groups.loc["甲区", "一.1"] == 10


def test_missing_fact_is_visible_never_a_silent_zero(spec):
    r = score(spec, facts(**{"二.1:completion": [100, None, 50]}))
    row = r.audit[(r.audit.unit == "乙区") & (r.audit.line_id == "二.1")].iloc[0]
    assert row.outcome == "缺数据"
    assert row.awarded == 0
    assert "缺少数据:完成比例" in row.reason
    assert r.unit_summary("乙区")["missing"] == 1
    assert r.unit_summary("甲区")["missing"] == 0


def test_default_applies_only_where_the_spec_says(spec):
    r = score(spec, facts(**{"扣.1:n": [None, None, None]}))
    assert (r.audit[r.audit.line_id == "扣.1"].outcome == "无扣分").all()


def test_reading_switch_changes_a_score(spec):
    default = score(spec, facts()).unit_summary("丙区")["total"]
    other = score(spec, facts(), readings=["Q1=two"])
    # 丙区 一.2: 10 − 4×2 = 2 instead of 0 → total 4 + 2 = 6
    assert default == 4
    assert other.unit_summary("丙区")["total"] == 6
    assert other.spec.readings == {"Q1": "two"}


def test_json_contract(spec):
    data = json.loads(score(spec, facts()).to_json())
    u = data["units"][0]
    for key in ("unit", "total", "grade", "verdict", "rank", "lines"):
        assert key in u
    line = u["lines"][0]
    assert set(line) == {"id", "points", "max", "outcome", "reason", "clause"}
    assert line == {"id": "一.1(1)", "points": 6.0, "max": 6.0, "outcome": "满分", "reason": "是否完成:是,得6分",
                    "clause": "甲条款"}


def test_units_missing_from_facts_are_all_missing(spec):
    r = score(spec, facts().drop(index="丙区"))
    assert r.unit_summary("丙区")["missing"] == 6  # every line but the defaulted deduction
