"""Ranks come from the document: only where it compares units, within groups of like units,
a vetoed unit after the others. Worked by hand."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from ecoscore import load_spec, score, words
from ecoscore.facts import load_sample
from ecoscore.rules.policies import sections_that_count
from ecoscore.scoring.cohort import score_cohort
from ecoscore.scoring.ranking import rank
from ecoscore.spec import Ranking
from tests.spec.documents.test_lishui_2024 import perfect


def summary(totals, vetoed):
    units = [f"{k}区" for k in "甲乙丙丁"]
    return pd.DataFrame({"unit": units, "total": totals, "vetoed": vetoed})


def test_a_vetoed_unit_ranks_after_every_unit_without_a_veto():
    spec = dataclasses.replace(load_spec("tests/fixtures/specs/mini.yaml"), ranking=Ranking("total"))
    spec = dataclasses.replace(spec, units=tuple(dataclasses.replace(u, name=n) for u, n in
                                                 zip(spec.units * 2, ["甲区", "乙区", "丙区", "丁区"])))
    # 甲 95 (veto), 乙 80, 丙 90, 丁 70 (veto): 丙 1, 乙 2, then the vetoed by total: 甲 3, 丁 4
    r = rank(spec, summary([95, 80, 90, 70], [True, False, False, True]))
    assert r["rank"].tolist() == [3, 2, 1, 4]
    assert r["rank_of"].tolist() == [4, 4, 4, 4]
    assert words.rank_caption({"rank": 3, "rank_of": 4, "rank_group": "", "vetoed": True}, spec).endswith(
        "触发合格否决,排在未触发单位之后")


def test_no_rank_where_the_document_does_not_compare_units():
    for doc in ("dongtou-2017", "shengzhou-2024", "zhoushan-2020"):
        s = score_cohort(doc).current.summary
        assert s["rank"].isna().all() and (s["rank_of"] == 0).all(), doc
        assert all(words.rank(r, load_spec(doc)) == "" for r in s.to_dict("records"))


def test_dongtou_district_is_flagged_by_its_veto_not_ranked_with_its_departments():
    spec = load_spec("dongtou-2017")
    cur, prev = load_sample(spec)
    s = score(spec, cur, prev).summary.set_index("unit")
    # the sample data trigger a 合格否决 gate for the district (示例数据 scenario)
    assert s.loc["洞头区", "vetoed"] and "触发合格否决" in s.loc["洞头区", "gates"]
    assert s.loc["洞头区", "rank_group"] == "区" and (s.drop(index="洞头区")["rank_group"] == "").all()


def test_lishui_key_and_non_key_units_rank_apart_and_non_key_totals_show_their_formula():
    spec = load_spec("lishui-2024")
    # every unit full marks (100), except 市发改委 (key) at 88 (the policy tests' AT_88)
    facts = perfect(spec, **{"二.1:points": {"市发改委": 2}, "二.3:provincial": {"市发改委": 4},
                             **{f"三.1:grade_{k}": {"市发改委": "合格"} for k in range(1, 10)},
                             "三.2:grade": {"市发改委": "合格"}})
    c = score_cohort(spec, facts)
    s = c.current.summary.set_index("unit")
    # key units: twelve at 100 and one at 88 → average (12 × 100 + 88) / 13 = 1288 / 13
    avg = 1288 / 13
    assert s.loc["市委组织部", "total"] == pytest.approx(avg)  # 一 at 80/80: no task adjustment
    assert s.loc["市委组织部", "adjustment"] == pytest.approx(avg - 100)  # its own sections add up to 100
    assert s.loc["市发改委", "total"] == 88 and s.loc["市发改委", "adjustment"] == 0
    assert (s.loc["市发改委", "rank"], s.loc["市发改委", "rank_of"], s.loc["市发改委", "rank_group"]) == \
        (13, 13, "重点单位")
    assert (s.loc["市委组织部", "rank"], s.loc["市委组织部", "rank_of"], s.loc["市委组织部", "rank_group"]) == \
        (1, 13, "非重点单位")
    adj = c.current.unit_adjustments("市委组织部")
    assert adj[["level", "id"]].values.tolist() == [["total", "总分"]]
    assert "赋予重点单位平均分99.08分(13家)" in adj["reason"].iloc[0]
    assert "本单位各部分合计100分,调整−0.92分" in adj["reason"].iloc[0]
    from ecoscore.reports import report

    formula = report.load(c, "市委组织部").formula()
    assert formula.startswith("总分 = 一 ") and " − 调整0.92分 = 99.08分" in formula
    # only 工作目标 and the unit's own 附加分 (N3 separate: "另附加分") can change a non-key unit's
    # total; a key unit's every section can
    assert sections_that_count(spec, "市委组织部") == {"一", "附加分"}
    assert sections_that_count(spec, "市发改委") is None


def test_rank_relative_lines_scored_on_part_of_the_cohort_are_flagged():
    spec = load_spec("xx-2020")
    cur, prev = load_sample(spec)
    part = score(spec, cur, prev, units=spec.unit_names[:3])
    assert len(part.warnings) == 1
    caution = part.warnings[0]
    assert "本次评分未包含" in caution and spec.unit_names[3] in caution and "三.13(2)" in caution
    assert "只在所评3个单位之间比较,与全部9个单位一起评分时结果可能不同" in caution
    assert score(spec, cur, prev).warnings == []  # the whole cohort: nothing to say
    assert score("dongtou-2017", units=["洞头区"]).warnings == []  # no line compares units
