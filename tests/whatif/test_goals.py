"""Goal seeking, on cases whose fewest changes are worked out by hand from the documents' words.

* lishui-2024 (a points document): 市发改委 has 86.040333 points, grade 良好; "90分以上为优秀".
  Its task 附件3-1.5 (15 points) is 66.6% done and scored in proportion: 15 × 66.6% = 9.99.
  One change suffices: raising that completion to c with 15·c/100 ≥ 9.99 + (90 − 86.040333),
  i.e. c ≥ 92.9978 %, so 93% at the workbench's 0.01 resolution (92.99% gives 89.9985 points).
* shengzhou-2024 (a threshold document): 上虞区 misses three binding indicators; each must
  reach its target and nothing else: 建成区黑臭水体消除率 100%, 自然保护地和生态保护红线生态环境
  重点问题整改率 100%, 万元工业增加值用水量下降率 4%.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ecoscore.whatif import goals
from ecoscore.whatif.session import WhatIf


@pytest.fixture(scope="module")
def lishui(sample_data):
    with sample_data("lishui-2024"):
        return WhatIf("lishui-2024")


@pytest.fixture(scope="module")
def shengzhou(sample_data):
    with sample_data("shengzhou-2024"):
        return WhatIf("shengzhou-2024")


def test_next_grade_by_hand(lishui):
    unit, key = "市发改委", "附件3-1.5:completion"
    row = lishui.baseline.summary.set_index("unit").loc[unit]
    line = lishui.baseline.audit.set_index(["unit", "line_id"]).loc[(unit, "附件3-1.5")]
    assert lishui.value(unit, key) == 66.6 and line["possible"] == 15 and round(line["awarded"], 6) == 9.99
    need = 90 - row["total"]
    c = (line["awarded"] + need) / 15 * 100  # the completion that closes the gap exactly
    assert 92.99 < c <= 93.0
    answer = goals.seek(lishui, unit, goals.Goal("grade", "优秀"))
    assert answer.reached and answer.after["grade"] == "优秀" and row["grade"] == "良好"
    assert list(answer.changes["编号"]) == ["附件3-1.5"] and list(answer.changes["改为"]) == ["93%"]
    assert answer.changes["得分变化"].iloc[0] == pytest.approx(15 * 0.93 - 9.99)
    assert lishui.changes == {}  # the session is left as it was
    # and 92.99% is not enough: the answer is the smallest
    lishui.set(unit, key, 92.99)
    assert lishui.result.summary.set_index("unit").loc[unit, "grade"] == "良好"
    lishui.set(unit, key, 93)
    assert lishui.result.summary.set_index("unit").loc[unit, "grade"] == "优秀"
    lishui.reset()


def test_every_binding_indicator_by_hand(shengzhou):
    unit = "上虞区"
    assert shengzhou.baseline.summary.set_index("unit").loc[unit, "binding_not_met"] == 3
    answer = goals.seek(shengzhou, unit)
    assert answer.goal == goals.Goal("compliance") and answer.reached
    got = dict(zip(answer.changes["编号"], answer.changes["改为"]))
    assert got == {"指标5": "100%", "指标6": "100%", "指标13": "4%"}
    assert answer.before["compliance"] == "not_met" and answer.after["compliance"] == "met"


def test_levers_move_only_towards_better_within_the_domain(lishui):
    for lv in goals.levers(lishui, "市发改委"):
        d = lv.fact.domain
        if lv.fact.numeric:
            assert d.contains(lv.best)
            assert (lv.best > lv.current) == (lv.fact.spec.better == "up")
        assert lv.fact.changeable and lv.gain > 0


def test_a_vetoed_unit_is_told_to_clear_the_veto_first(sample_data):
    with sample_data("xx-2020"):
        w = WhatIf("xx-2020")
    unit = w.names[0]
    answer = goals.seek(w, unit, goals.Goal("rank", 1))
    assert answer is not None and (answer.reached or answer.note)


def test_a_rank_goal_passes_the_unit_now_at_that_rank_and_no_more(sample_data):
    """xx-2020 江干区 is 5th: to be 4th it must pass the unit now 4th (its total + 0.01), not the first."""
    with sample_data("xx-2020"):
        w = WhatIf("xx-2020")
    s = w.baseline.summary.set_index("unit")
    me = s.loc["江干区"]
    peers = s[(s["rank_group"] == me["rank_group"])].sort_values("rank")
    assert int(me["rank"]) == 5
    fourth, third = float(peers["total"].iloc[3]), float(peers["total"].iloc[2])
    answer = goals.seek(w, "江干区", goals.Goal("rank", 4))
    assert answer.reached and int(answer.after["rank"]) == 4
    assert fourth < answer.after["total"] < third
    assert len(answer.changes) == 1  # its largest lever alone closes a gap of fourth − own total
    assert answer.changes["得分变化"].iloc[0] >= fourth - float(me["total"])


@pytest.mark.parametrize("doc", ["shengzhou-2024", "zhoushan-2020"])
def test_a_unit_sought_alone_gets_the_answer_it_gets_in_its_cohort(doc, monkeypatch):
    """A large cohort of independent units is sought unit by unit: the same table as one
    session over the whole cohort (forced here on the small sample cohorts)."""
    from ecoscore.scoring.cohort import score_cohort

    c = score_cohort(doc, sensitivity=False)
    assert goals.independent(c.spec)
    whole = goals.goal_table(WhatIf(c.spec, c.facts, c.previous_facts, year=c.year), c.units)
    monkeypatch.setattr(goals, "ALONE_FROM", 0)
    calls = []
    real = WhatIf.__init__

    def counting(self, *a, **k):
        calls.append(k.get("units"))
        real(self, *a, **k)

    monkeypatch.setattr(WhatIf, "__init__", counting)
    alone = goals.goals_for(c, c.units)
    assert calls == [[u] for u in c.units]  # one session per unit, scoring that unit only
    assert (whole["row"] == "change").any() and len(whole) > 3 * len(c.units) // 2
    pd.testing.assert_frame_equal(alone, whole)


def test_units_that_are_compared_are_never_sought_alone(monkeypatch):
    """lishui ranks its units and xx scores some lines against the cohort: a unit's goal there
    depends on the others, so it is always sought among them, however large the cohort."""
    from ecoscore import load_spec

    assert not goals.independent(load_spec("lishui-2024"))  # ranked
    assert not goals.independent(load_spec("xx-2020"))  # cohort-relative lines
    assert goals.independent(load_spec("dongtou-2017"))
