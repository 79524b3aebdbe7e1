"""The workbench driven as a user drives it: widget values set, the displayed figures read back."""

from __future__ import annotations

import re

import pytest

from ecoscore.app.workbench import Workbench, compare
from ecoscore.whatif.scenario import Scenario


def shown(html: str, attr: str) -> str:
    m = re.search(rf"<[^>]*data-{attr}[^>]*>(.*?)</", html)
    return m.group(1) if m else ""


@pytest.fixture(scope="module")
def wb(sample_data):
    with sample_data("lishui-2024"):
        return Workbench("lishui-2024", "市发改委")


def test_inputs_are_prefilled_and_bounded(wb):
    w = wb.inputs["附件3-1.5:completion"]
    assert w.value == 66.6 and (w.min, w.max) == (0, 100)
    assert shown(wb.headline.value, "total") == "86.04分" and shown(wb.headline.value, "rank") == "第9/13名"


def test_a_change_rescores_and_a_reset_restores(wb):
    wb.set("附件3-1.5:completion", 93)  # 15 × 93% = 13.95 points, +3.96: 90.00 (hand-worked in test_goals)
    h = wb.headline.value
    assert shown(h, "total") == "90分" and shown(h, "grade") == "优秀" and shown(h, "rank") == "第8/13名"
    assert "+3.96分" in h and "原为良好" in h
    assert "9.99→13.95" in wb.lines.value and "66.6%" in wb.changes.value and "93%" in wb.changes.value
    assert "eco-chart" in wb.chart.value
    wb.reset()
    assert shown(wb.headline.value, "total") == "86.04分" and wb.inputs["附件3-1.5:completion"].value == 66.6
    assert "尚未改动" in wb.changes.value


def test_a_value_outside_the_domain_is_refused_on_screen(wb):
    wb._changed("附件3-1.5:completion", 130)  # what a kernel would receive past the widget's bound
    assert "0至100" in wb.message.value and shown(wb.headline.value, "total") == "86.04分"


def test_goal_seeking_from_the_workbench(wb):
    answer = wb.seek()
    assert answer.reached and "最少改动1项" in wb.goal_out.value and "93%" in wb.goal_out.value
    assert "每改善1个单位得分" in wb.goal_out.value


def test_readings_toggle_and_scenarios(wb, tmp_path, sample_data):
    amb, pick = next(iter(wb.reading_picks.items()))
    other = next(v for _, v in pick.options if v != pick.value)
    pick.value = other
    assert "data-readings" in wb.readings_out.value and wb.session.readings[amb] == other
    pick.value = next(v for _, v in pick.options if v != other)
    wb.set("附件3-1.5:completion", 93)
    path = wb.save_scenario(tmp_path / "提速.yaml")
    wb.reset()
    wb.load_scenario(path)
    assert shown(wb.headline.value, "grade") == "优秀" and wb.inputs["附件3-1.5:completion"].value == 93
    wb.reset()
    Scenario("放慢", "lishui-2024", {("市发改委", "附件3-1.5:completion"): 50}).save(tmp_path / "放慢.yaml")
    with sample_data("lishui-2024"):
        table = compare("lishui-2024", [path, tmp_path / "放慢.yaml"])
    row = table.loc["市发改委"]
    assert (row["实际·等次"], row["情景1·等次"]) == ("良好", "优秀") and row["放慢·总分"] == "83.55"  # 86.040333 − 15 × (66.6% − 50%) = 86.040333 − 2.49


def test_papermill_can_pick_the_document_and_unit():
    import papermill

    from tests.conftest import ROOT

    params = papermill.inspect_notebook(str(ROOT / "notebooks" / "whatif.ipynb"))
    assert set(params) == {"doc", "unit"}
