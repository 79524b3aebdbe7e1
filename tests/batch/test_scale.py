"""A synthetic cohort (示例数据) of 200 counties of shengzhou-2024, written as the facts workbook a
user fills in (``benchmarks/synthetic.py``), read back and scored: a few counties' values are set
by hand at or beside their target and must get the compliance the document's words give.
"""

from __future__ import annotations

import importlib.util
import sys

import pandas as pd
import pytest

from ecoscore.rules.base import Outcome
from ecoscore.scoring.cohort import score_cohort
from tests.conftest import ROOT


def _synthetic():
    """Import ``benchmarks/synthetic.py`` by path (the benchmarks folder is no package)."""
    name = "ecoscore_bench_synthetic"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "synthetic.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the file runs
        spec.loader.exec_module(module)
    return sys.modules[name]


synthetic = _synthetic()
N = 200


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """Return ``(syn, cases, cohort)``: the synthetic cohort with its hand-set cases, and the
    cohort scored from the workbook written for it.
    """
    syn = synthetic.cohort(N)
    cur, prev, region = syn.current, syn.previous, syn.current[synthetic.REGION]
    east = [u for u in syn.added if region[u] == synthetic.EAST]
    midwest = [u for u in syn.added if region[u] == synthetic.MIDWEST]
    northeast = [u for u in syn.added if region[u] == synthetic.NORTHEAST]
    cases = {"below": east[0], "at": east[1], "east59": east[2], "midwest30": midwest[0], "northeast45": northeast[0],
             "east45": east[3], "flat": east[4], "down": east[5], "pm_on_target": midwest[1],
             "pm_over_target": midwest[2]}
    # 指标1 生态文明建设工作占党政实绩考核的比例 ≥20 (%)
    cur.loc[cases["below"], "指标1:value"] = 19.9
    cur.loc[cases["at"], "指标1:value"] = 20
    # 指标20 农村生活污水治理(管控)率: 东部地区 ≥60; 中西部其他地区、东北地区 ≥30 (by the analyst's 分区)
    cur.loc[cases["east59"], "指标20:value"] = 59.9
    cur.loc[cases["midwest30"], "指标20:value"] = 30
    cur.loc[cases["northeast45"], "指标20:value"] = 45
    cur.loc[cases["east45"], "指标20:value"] = 45
    # 指标22 危险废物填埋处置量占比 持续下降 (持平不算)
    cur.loc[cases["flat"], "指标22:value"] = prev.loc[cases["flat"], "指标22:value"] = 8.0
    cur.loc[cases["down"], "指标22:value"], prev.loc[cases["down"], "指标22:value"] = 7.9, 8.0
    # 指标4 PM2.5 ≤ 上级下达的目标值, 且保持稳定或持续下降
    for unit, target in ((cases["pm_on_target"], 25.0), (cases["pm_over_target"], 24.9)):
        cur.loc[unit, ["指标4:value", "指标4:target"]] = [25.0, target]
        prev.loc[unit, "指标4:value"] = 25.0
    path = synthetic.write_workbook(syn, tmp_path_factory.mktemp("scale") / "示例数据-200县.xlsx")
    return syn, cases, score_cohort(synthetic.DOC, path, sensitivity=False)


def outcome(cohort, unit: str, line: str) -> Outcome:
    a = cohort.current.audit
    rows = a[(a["unit"] == unit) & (a["line_id"] == line)]
    assert len(rows) == 1, (unit, line, len(rows))
    return Outcome(rows["outcome"].iloc[0])


def test_the_whole_cohort_is_read_back_as_sample_data_with_every_added_county(scored):
    syn, _, cohort = scored
    assert cohort.sample and cohort.source == "示例数据"
    assert cohort.units == [synthetic.HOME_UNIT, *syn.added] and len(cohort.units) == N
    s = cohort.current.summary.set_index("unit")
    assert s.loc[syn.added, "added"].str.startswith("农村生活污水治理分区:").all()
    # an added county is scored on the 25 indicators of 附件1 only; 嵊州市 also on its 22 tasks
    assert (s.loc[syn.added, "indicators"] == 25).all() and (s.loc[syn.added, "tasks"] == 0).all()
    assert s.at[synthetic.HOME_UNIT, "tasks"] == 22
    # every value written is read back as drawn (a fact table round-trips through the workbook)
    given = [k for k in syn.current.columns if syn.current[k].notna().any()]  # 指标7:p1_value: no grassland
    back = cohort.facts.loc[syn.current.index, given]
    numeric = [k for k in given if k != synthetic.REGION]
    pd.testing.assert_frame_equal(back[numeric].astype(float), syn.current[numeric].astype(float),
                                  check_names=False, check_freq=False)
    assert (back.loc[syn.added, synthetic.REGION] == syn.current.loc[syn.added, synthetic.REGION]).all()


def test_the_analysts_grouping_is_read_from_its_columns_for_every_unit(scored):
    syn, _, cohort = scored
    g = cohort.groups.set_index("unit")
    assert list(g.index) == cohort.units and len(g) == N
    assert g[["province", "city"]].to_dict("index") == syn.grouping[["province", "city"]].to_dict("index")
    assert tuple(g.loc[synthetic.HOME_UNIT]) == ("浙江省", "绍兴市")
    # the grouping is no remark: nothing of it is shown beside the unit's lines
    assert not (cohort.evidence["source"] == "remark").any()


def test_a_threshold_is_met_at_the_target_and_not_just_below(scored):
    _, c, cohort = scored
    assert outcome(cohort, c["below"], "指标1") == Outcome.NOT_MET  # 19.9 < 20
    assert outcome(cohort, c["at"], "指标1") == Outcome.MET  # 20 ≥ 20
    s = cohort.current.summary.set_index("unit")
    assert s.at[c["below"], "compliance"] == "not_met" and s.at[c["below"], "binding_not_met"] >= 1


def test_the_rural_sewage_target_follows_the_analysts_region(scored):
    _, c, cohort = scored
    assert outcome(cohort, c["east59"], "指标20") == Outcome.NOT_MET  # 东部地区: 59.9 < 60
    assert outcome(cohort, c["midwest30"], "指标20") == Outcome.MET  # 中西部其他地区: 30 ≥ 30
    assert outcome(cohort, c["northeast45"], "指标20") == Outcome.MET  # 东北地区: 45 ≥ 30
    assert outcome(cohort, c["east45"], "指标20") == Outcome.NOT_MET  # the same 45 in 东部地区: < 60
    a = cohort.current.audit.set_index(["unit", "line_id"])
    assert a.at[(c["midwest30"], "指标20"), "target"] == 30 and a.at[(c["east45"], "指标20"), "target"] == 60


def test_a_steady_value_is_no_decrease(scored):
    _, c, cohort = scored
    assert outcome(cohort, c["flat"], "指标22") == Outcome.NOT_MET  # 8.0 → 8.0: 持平不算
    assert outcome(cohort, c["down"], "指标22") == Outcome.MET  # 8.0 → 7.9


def test_pm25_must_be_within_the_target_handed_down(scored):
    _, c, cohort = scored
    assert outcome(cohort, c["pm_on_target"], "指标4") == Outcome.MET  # 25 ≤ 25, steady
    assert outcome(cohort, c["pm_over_target"], "指标4") == Outcome.NOT_MET  # 25 > 24.9
