"""The engine and roll-up, on a tiny spec whose numbers are easy to check by hand."""

import json

import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.scoring.engine import AUDIT_COLUMNS
from tests.conftest import FIXTURES

MINI = FIXTURES / "specs" / "mini.yaml"


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
    assert row.outcome == "missing"
    assert row.awarded == 0
    assert "缺少数据:完成比例" in row.reason
    assert r.unit_summary("乙区")["missing"] == 1
    assert r.unit_summary("甲区")["missing"] == 0


def test_default_applies_only_where_the_spec_says(spec):
    r = score(spec, facts(**{"扣.1:n": [None, None, None]}))
    assert (r.audit[r.audit.line_id == "扣.1"].outcome == "no_deduction").all()


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
    assert set(line) == {"id", "points", "max", "outcome", "polarity", "reason", "value", "target", "gap", "lead",
                         "evidence", "clause", "gap_unit", "part", "responsible"}
    assert {k: line[k] for k in ("id", "points", "max", "outcome", "polarity", "reason", "clause")} == {
        "id": "一.1(1)", "points": 6.0, "max": 6.0, "outcome": "full", "polarity": "good",
        "reason": "是否完成:是,得6分", "clause": "甲条款"}


def test_adjustments_make_lines_add_up_to_the_total(spec):
    """Worked from the fixture: a cap appears as an adjustment, so Σ lines + Σ adjustments = total."""
    r = score(spec, facts())
    units = {u["unit"]: u for u in json.loads(r.to_json())["units"]}
    # 乙区: 加.1 = 3 项 × 2 = 6, the line's own maximum 5 → 5; the bonus group 加 is capped at 3 → −2.
    # Lines: 6 + 0 + 6 + 9 + 5 + 0 = 26; 26 − 2 = 24.
    assert [(a["level"], a["id"], a["points"]) for a in units["乙区"]["adjustments"]] == [("group", "加", -2.0)]
    assert sum(ln["points"] or 0 for ln in units["乙区"]["lines"]) == 26
    assert "以3分为限" in units["乙区"]["adjustments"][0]["reason"]
    # 丙区: 一.2's own floor (扣完为止 inside the rule) leaves no group adjustment: 0 + 4 + 0 + 5 + 0 − 5 = 4
    assert units["丙区"]["adjustments"] == []
    for u in units.values():
        assert sum(ln["points"] or 0 for ln in u["lines"]) + sum(a["points"] for a in u["adjustments"]) == \
            pytest.approx(u["total"])
    row = r.rollup[(r.rollup["unit"] == "乙区") & (r.rollup["id"] == "加")].iloc[0]
    assert (row["children"], row["adjustment"], row["awarded"], row["possible"]) == (5, -2, 3, 3)
    s = r.unit_summary("乙区")
    # lost = the base sections' maximum (20 + 10) − base (一 6 + 0 + 6 = 12, 二 9: 21) = 9
    assert (s["possible"], s["base"], s["lost"], s["bonus"]) == (30, 21, 9, 3)


def test_units_missing_from_facts_are_all_missing(spec):
    r = score(spec, facts().drop(index="丙区"))
    assert r.unit_summary("丙区")["missing"] == 6  # every line but the defaulted deduction


def test_compound_certain_failure_is_not_masked_as_missing(tmp_path):
    import yaml

    raw = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    raw["family"] = "compliance"
    raw["total"] = None
    raw["grades"] = []
    raw.pop("ranking")
    raw["groups"] = [{"id": "指", "title": "指标", "kind": "indicator"}]
    raw["ambiguities"] = [{
        "id": "Q2", "lines": ["指1"], "clause": "条款", "question": "?", "default": "a",
        "readings": {"a": {"description": "原"}, "b": {"description": "改第二部分",
                                                     "overrides": {"指1": {"rule": {"parts": {1: {"target": 80}}}}}}},
    }]
    raw["lines"] = [{
        "id": "指1", "group": "指", "title": "优良天数比例和PM2.5", "kind": "indicator", "attribute": "约束性",
        "clause": "条款",
        "rule": {"type": "compound", "mode": "all", "parts": [
            {"type": "threshold", "op": "<=", "target": 35, "value_label": "PM2.5浓度"},
            {"type": "threshold", "op": ">=", "target": 92, "value_label": "优良天数比例"}]},
    }]
    p = tmp_path / "compound.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    spec = load_spec(p)
    f = pd.DataFrame({"指1:p0_value": [None, None, 30], "指1:p1_value": [88, 95, 95]}, index=["甲区", "乙区", "丙区"])
    r = score(spec, f)
    # 甲区: 优良天数 88 < 92 certainly fails → 未达标 though PM2.5 is missing; 乙区: undecided → 缺数据
    assert list(r.audit.outcome) == ["not_met", "missing", "met"]
    assert r.unit_summary("甲区")["verdict"] == "1项约束性指标未达标"
    assert "暂无法判定" in r.audit.reason[1]
    # a reading that changes one part only (by index) keeps the other part
    r2 = score(spec, f, readings={"Q2": "b"})
    assert r2.spec.line("指1").rule.parts[0].target == 35
    assert list(r2.audit.outcome) == ["missing", "missing", "met"]  # 88 ≥ 80 now met; PM2.5 unknown
