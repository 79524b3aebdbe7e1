"""Units an analyst adds through the facts file (``Spec.analyst_units``): accepted only with
their categories entered, scored with those categories, and the template asks for them.
"""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from ecoscore.errors import FactsError
from ecoscore.facts import load_facts
from ecoscore.facts.template import write_template
from ecoscore.spec import load_spec
from tests.conftest import FIXTURES

DOC = FIXTURES / "department_doc.yaml"
HEAD = "unit,@unit:region,1:value,2:value,3:p0_value,3:p1_value,任务1:completion\n"


def write(tmp_path, body: str):
    p = tmp_path / "facts.csv"
    p.write_text(HEAD + body, encoding="utf-8")
    return p


def test_a_row_with_its_category_adds_a_unit(tmp_path):
    facts, _ = load_facts(load_spec(DOC), write(tmp_path, "本县,,83,72,96,90,60\n邻县,平原,90,20,96,100,\n"))
    assert list(facts.index) == ["本县", "邻县"]
    assert facts.at["邻县", "@unit:region"] == "平原"


def test_an_unknown_name_without_its_category_is_refused_as_a_misspelling(tmp_path):
    with pytest.raises(FactsError) as e:
        load_facts(load_spec(DOC), write(tmp_path, "本县,,83,72,96,90,60\n本 县x,,90,20,96,100,\n"))
    text = str(e.value)
    assert "本 县x" in text and "请在同一行填写其类别(地区)" in text


def test_a_category_outside_the_listed_values_is_refused(tmp_path):
    with pytest.raises(FactsError) as e:
        load_facts(load_spec(DOC), write(tmp_path, "本县,,83,72,96,90,60\n邻县,丘陵,90,20,96,100,\n"))
    assert "丘陵" in str(e.value)


def test_the_task_is_not_asked_of_an_added_unit(tmp_path):
    # 任务1 is not among analyst_units.lines: a value typed for 邻县 is refused as not applying
    with pytest.raises(FactsError) as e:
        load_facts(load_spec(DOC), write(tmp_path, "本县,,83,72,96,90,60\n邻县,平原,90,20,96,100,50\n"))
    assert "邻县" in str(e.value) and "任务1" in str(e.value)


def test_the_template_has_a_category_column_with_its_choices(tmp_path):
    wb = load_workbook(write_template(load_spec(DOC), tmp_path / "t.xlsx"))
    ws = wb["单位数据"]
    codes = [c.value for row in ws.iter_rows(max_row=6) for c in row]
    assert "@unit:region" in codes
    rules = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any(f and "山区" in f and "平原" in f for f in rules)


def test_facts_given_as_a_table_add_units_too():
    from ecoscore.scoring.engine import score

    facts = pd.DataFrame({"@unit:region": [None, "山区"], "2:value": [72, 20]}, index=["本县", "远县"])
    s = score(load_spec(DOC), facts).summary.set_index("unit")
    assert list(s.index) == ["本县", "远县"] and s.at["远县", "indicators_met"] == 0
