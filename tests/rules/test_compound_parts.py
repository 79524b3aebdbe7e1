"""Lines of several parts: the part that decided the verdict, its figures, its unit and its own lead."""

import numpy as np
import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.rules.base import Outcome
from ecoscore.rules.compliance import Compound
from tests.conftest import FIXTURES, make_ctx

SPEC = FIXTURES / "specs" / "compound_parts.yaml"
UNITS = ["甲县", "乙县", "丙县", "丁县", "戊县"]


def _air() -> Compound:
    return Compound(mode="all", parts=[
        {"type": "threshold", "op": "<=", "target": 35, "value_label": "PM2.5浓度", "value_unit": "μg/m³"},
        {"type": "threshold", "op": ">=", "target": 92, "value_label": "优良天数比例", "value_unit": "%"},
    ])


def test_all_of_second_part_fails_its_figures_are_the_scores():
    # 1: PM2.5 30 ≤ 35 met, 优良 88 < 92 → part 1 decided: 88 against 92, gap 4 (percentage points)
    # 2: both fail (36 vs 35, 80 vs 92) → the first failing part, gap 1 μg/m³ — not 12, the larger
    #    figure of another part in another unit
    # 3: both met → the first part (the convention of ``measure()``), gap 0
    # 4: PM2.5 missing, 优良 met → undecided: the part lacking data, no gap
    r = _air()
    s = r.score(make_ctx(None, p0_value=[30.0, 36.0, 30.0, np.nan], p1_value=[88.0, 80.0, 95.0, 95.0]))
    assert list(s.outcome) == [Outcome.NOT_MET, Outcome.NOT_MET, Outcome.MET, Outcome.MISSING]
    assert list(s.part) == [1, 0, 0, 0]
    assert list(s.value[:3]) == [88.0, 36.0, 30.0] and list(s.target[:3]) == [92.0, 35.0, 35.0]
    assert list(s.gap[:3]) == [4.0, 1.0, 0.0] and np.isnan(s.gap[3])
    assert [r.measure_unit(k) for k in (0, 1)] == ["μg/m³", "%"]
    assert r.measure_of(1) == "p1_value" and r.measure() == "p0_value" and r.measure_unit() == "μg/m³"


def test_any_of_the_first_part_met_decides_else_the_first_part():
    # "≥85, 或逐年提高": 80 up from 78 is met by the trend (part 1); 80 down from 82 fails every part →
    # the bar (part 0) and its gap 5
    r = Compound(mode="any", parts=[
        {"type": "threshold", "op": ">=", "target": 85, "value_unit": "%"},
        {"type": "trend", "direction": "up", "allow_equal": False, "value_unit": "%"},
    ])
    s = r.score(make_ctx(None, p0_value=[86.0, 80.0, 80.0], p1_value=[86.0, 80.0, 80.0],
                         previous={"p1_value": [90, 78, 82]}))
    assert list(s.outcome) == [Outcome.MET, Outcome.MET, Outcome.NOT_MET]
    assert list(s.part) == [0, 1, 0]
    assert s.value[1] == 80.0 and s.target[1] == 78.0 and s.gap[1] == 0.0
    assert s.target[2] == 85.0 and s.gap[2] == 5.0


def test_single_part_rules_name_no_part():
    from ecoscore.rules.points import Threshold

    s = Threshold(op=">=", target=92).score(make_ctx(None, value=[88.0]))
    assert s.part is None


@pytest.fixture
def audit():
    spec = load_spec(SPEC)
    f = pd.DataFrame({
        "指1:p0_value": [30, 40, 36, 30, None], "指1:p1_value": [88, 95, 80, 95, 95],
        "指1:p2_value": [6, 6, 6, 6, 6], "指2:value": [0.59, 0.7, 0.6, 0.6, 0.6],
        "指3:p0_done": ["是", "否", "是", "是", "是"], "指3:p1_value": [100, 100, 97, 100, 100],
    }, index=UNITS)
    a = score(spec, f).audit
    return a.set_index(["unit", "line_id"])


def test_audit_second_part_fails_part_1_its_figures_and_its_own_lead(audit):
    row = audit.loc[("甲县", "指1")]
    assert row["outcome"] == "not_met" and row["part"] == 1
    assert (row["value"], row["target"], row["gap"], row["gap_unit"]) == (88, 92, 4, "%")
    # part_leads[1] = [住建局, 交通局, 生态环境局]: the part's lead first, the rest responsible
    assert row["lead"] == "住建局" and row["responsible"] == "交通局、生态环境局"


def test_audit_first_part_fails_its_lead_not_the_merged_list(audit):
    row = audit.loc[("丙县", "指1")]  # both fail: the first failing part, in its own unit
    assert (row["part"], row["value"], row["target"], row["gap"], row["gap_unit"]) == (0, 36, 35, 1, "μg/m³")
    assert row["lead"] == "生态环境局" and row["responsible"] == ""
    met = audit.loc[("丁县", "指1")]
    assert (met["outcome"], met["part"], met["gap"], met["gap_unit"]) == ("met", 0, 0, "μg/m³")
    missing = audit.loc[("戊县", "指1")]
    assert missing["outcome"] == "missing" and missing["part"] == 0 and missing["gap"] != missing["gap"]


def test_audit_single_part_and_parts_without_own_leads_use_the_line(audit):
    one = audit.loc[("甲县", "指2")]
    assert pd.isna(one["part"]) and one["gap_unit"] == ""  # a coefficient, though unit_of_measure says %
    assert one["lead"] == "水利局" and one["responsible"] == "农业农村局"  # the lead is not repeated
    both = audit.loc[("丙县", "指3")]  # no part_leads: the line's lead, the failing part's figures
    assert (both["part"], both["gap"], both["gap_unit"], both["lead"]) == (1, 3, "%", "生态环境局")
    assert audit["part"].dtype == "Int64"
