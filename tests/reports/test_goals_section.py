"""The static 距下一等次 section of every report: the batch's goal seeking, printed.

The answers are the ones worked out by hand in ``tests/whatif/test_goals.py``:

* lishui-2024 市发改委 (86.04 points, 良好; "90分以上为优秀"): raise 附件3-1.5's completion from
  66.6% to 93% (15 × 93% − 9.99 = +3.96 points) → 90.0003 points, 优秀.
* shengzhou-2024 上虞区 (three binding indicators missed): 建成区黑臭水体消除率 95.6% → 100%,
  自然保护地和生态保护红线生态环境重点问题整改率 90.4% → 100%, 万元工业增加值用水量下降率 2.7% → 4%.
* zhoushan-2020 舟山市 (one binding indicator missed, 指标35 单位地区生产总值能耗): "完成上级规定的
  目标;保持稳定或持续改善" read as both (A11). 0.413 is within the target (0.4455) but above last
  year's 0.4119, so it must come down to 0.4119 — a fact a rule also reads last year's value of
  is still this year's to change.
"""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from ecoscore.batch.render import render
from ecoscore.reports import report
from ecoscore.scoring.cohort import score_cohort
from ecoscore.scoring.result import ScoredCohort
from ecoscore.whatif.goals import goals_for
from tests.conftest import save_v1


def _section(html: str):
    soup = BeautifulSoup(html, "html.parser")
    box = soup.select_one("div.eco-goals")
    assert box is not None, "no 距下一等次 section"
    tables = {t.caption.get_text(strip=True): [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
                                               for tr in t.tbody.find_all("tr")]
              for t in box.find_all("table")}
    return box.get_text(" ", strip=True), tables


@pytest.fixture(scope="module")
def rendered(sample_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("goals")
    pages = {}
    for doc, unit in (("lishui-2024", "市发改委"), ("shengzhou-2024", "上虞区")):
        with sample_data(doc):
            s = render(doc, units=[unit], out_dir=out, progress=False, workers=1)
        s.raise_for_failures()
        pages[doc] = s.written[unit].read_text(encoding="utf-8")
    return pages


def test_the_points_report_prints_the_hand_worked_answer(rendered):
    text, tables = _section(rendered["lishui-2024"])
    assert "目标:达到「优秀」" in text and "改动1项数据" in text and "等次优秀" in text
    (row,) = tables["达到目标所需的最少改动"]
    assert row[0] == "附件3-1.5" and row[2:5] == ["66.6%", "93%", f"+{round(15 * 0.93 - 15 * 0.666, 2):g}"]
    assert row[5] == "市发改委"
    levers = tables[next(k for k in tables if k.startswith("本单位可改进的数据"))]
    first = levers[0]
    assert first[0] == "附件3-1.5" and first[3] == "100%"
    assert first[4] == f"{round(15 * (1 - 0.666), 2):g}"  # all the way: 15 − 9.99 = 5.01
    assert first[5] == f"提高1个百分点得{15 * 0.01:g}分"  # 15 points over 100%: 0.15 per point


def test_the_threshold_report_prints_the_three_binding_changes(rendered):
    text, tables = _section(rendered["shengzhou-2024"])
    assert "目标:约束性指标全部达标" in text and "改动3项数据" in text
    got = {r[0]: (r[2], r[3]) for r in tables["达到目标所需的最少改动"]}
    assert got == {"指标5": ("95.6%", "100%"), "指标6": ("90.4%", "100%"), "指标13": ("2.7%", "4%")}
    rest = tables.get("其余未达标、可以改进的各项及达标所需的数值", [])
    assert not {r[0] for r in rest} & set(got)  # not repeated


def test_a_trend_indicator_is_changed_to_last_years_value(sample_data):
    with sample_data("zhoushan-2020"):
        cohort = score_cohort("zhoushan-2020")
    text, tables = _section(report.load(cohort, "舟山市").goals().html)
    assert cohort.previous_facts.loc["舟山市", "指标35:value"] == 0.4119
    rows = tables["达到目标所需的最少改动"]
    assert [r[:4] for r in rows] == [["指标35", "单位地区生产总值能耗", "0.413吨标准煤/万元", "0.4119吨标准煤/万元"]]


def test_a_result_without_its_facts_and_a_department_report_say_so(sample_data, tmp_path):
    """A result saved before the facts were saved with it cannot be sought: the report says so
    (and how to get the section); a department report points to its unit's report."""
    with sample_data("shengzhou-2024"):
        cohort = score_cohort("shengzhou-2024")
    old = ScoredCohort.load(save_v1(cohort, tmp_path / "v1.json"))
    assert old.facts is None
    assert "未保存评分所用的数据,无法测算距下一等次" in report.load(old, "上虞区").goals().html
    assert "达到目标所需的最少改动" in report.load(cohort, "上虞区").goals().html
    dept = next(d for d in cohort.spec.department_names())
    assert "部门报告不单独测算" in report.load(cohort, dept).goals().html


def test_a_report_seeks_from_the_saved_facts_what_the_workbench_seeks(sample_data, tmp_path):
    """The facts saved in the result read back exactly: a report made from the file prints the
    goal the cohort scored in this process gives (lishui: a ranked points document)."""
    with sample_data("lishui-2024"):
        cohort = score_cohort("lishui-2024")
    back = ScoredCohort.load(cohort.save(tmp_path / "scored.json"))
    pd.testing.assert_frame_equal(back.facts, cohort.facts, check_dtype=False)
    pd.testing.assert_frame_equal(back.previous_facts, cohort.previous_facts, check_dtype=False)
    units = cohort.units[:6]
    pd.testing.assert_frame_equal(goals_for(back, units), goals_for(cohort, units))
