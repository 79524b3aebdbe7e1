"""Sample data (示例数据): up to date, deterministic, plainly labelled, and varied enough that
every situation a report must show occurs somewhere in each document.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from ecoscore import list_documents, load_spec, score
from ecoscore.cli import main
from ecoscore.facts import load_sample, sample_path
from ecoscore.facts.samples import (
    CAP,
    Sampler,
    check_samples,
    generate,
    hint_problems,
    qualities,
    sample_workbooks,
    whole_and_parts,
)
from ecoscore.spec import build_spec

DOCS = list_documents()


def test_committed_sample_files_match_the_generator():
    stale = check_samples(DOCS)
    assert stale == {}, "示例数据已过期,请运行 `ecoscore samples` 重新生成:" + str(stale)


def test_generation_is_byte_for_byte_reproducible(tmp_path):
    doc = min(DOCS, key=lambda d: len(load_spec(d).lines))
    first = sample_workbooks(doc, tmp_path)
    again = sample_workbooks(doc, tmp_path)
    assert first == again


@pytest.mark.parametrize("doc", DOCS)
def test_values_are_the_same_on_every_run(doc):
    a, b = generate(doc), generate(doc)
    for y in a:
        pd.testing.assert_frame_equal(a[y].facts, b[y].facts)
        assert a[y].events == b[y].events


@pytest.mark.parametrize("doc", DOCS)
def test_every_sheet_says_sample_data(doc):
    spec = load_spec(doc)
    for year in (spec.year, spec.year - 1):
        path = sample_path(doc, year)
        assert "示例数据" in path.name
        wb = load_workbook(path)
        assert {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}["sample"] == "true"
        for ws in wb.worksheets:
            if ws.sheet_state == "visible":
                assert "示例数据" in str(ws.cell(1, 1).value), (path.name, ws.title)


def _score_sample(doc):
    spec = load_spec(doc)
    cur, prev = load_sample(spec)
    return spec, cur, score(spec, cur, prev)


@pytest.mark.parametrize("doc", DOCS)
def test_sample_has_missing_data_and_a_late_task(doc):
    spec, cur, result = _score_sample(doc)
    assert result.summary["missing"].sum() >= 1
    late = [c for c in cur.columns if c.endswith(":days_late") and (cur[c] > 0).any()]
    short = [c for c in cur.columns if c.endswith(":completion") and (cur[c] < 100).any()]
    if any(ln.rule.type == "lateness" for ln in spec.lines) or any(c.endswith(":completion") for c in cur.columns):
        assert late or short


@pytest.mark.parametrize("doc", DOCS)
def test_sample_triggers_the_gates_the_document_has(doc):
    spec, _, result = _score_sample(doc)
    gates = "".join(result.summary["gates"])
    # a gate's flag is bad when yes for a veto (合格否决), good for a condition for 优秀 (评优前置)
    flags = {f.better for ln in spec.lines if ln.rule.type == "gate" for f in ln.rule.facts() if f.name == "flag"}
    if "down" in flags:
        assert "触发合格否决" in gates
    if "up" in flags:
        assert "未满足评优前置" in gates


BINDING_DOCS = [d for d in DOCS if any(ln.attribute == "约束性" for ln in load_spec(d).lines)]
GRADED_DOCS = [d for d in DOCS if load_spec(d).family == "points" and len(load_spec(d).grades) >= 2]


def test_the_variety_tests_cover_the_documents_that_need_them():
    assert {"shengzhou-2024", "zhoushan-2020"} <= set(BINDING_DOCS)
    assert "lishui-2024" in GRADED_DOCS


@pytest.mark.parametrize("doc", BINDING_DOCS)
def test_compliance_sample_has_a_failed_and_a_clean_binding_record(doc):
    spec, _, result = _score_sample(doc)
    s = result.summary
    assert s["binding_not_met"].sum() > 0
    if (s["binding"] > 0).sum() > 1:  # a clean record needs a second unit with binding indicators
        assert ((s["binding_not_met"] == 0) & (s["binding_met"] == s["binding"])).any()


@pytest.mark.parametrize("doc", DOCS)
def test_sample_hints_name_facts_and_links_that_exist(doc):
    assert hint_problems(load_spec(doc)) == []


@pytest.mark.parametrize("doc", GRADED_DOCS)
def test_graded_sample_has_every_grade(doc):
    spec, _, result = _score_sample(doc)
    assert {b.grade for b in spec.grades} <= set(result.summary["grade"])


HINTS = {
    "id": "hints", "title": "《提示测试》", "family": "compliance", "year": 2020,
    "units": [f"单位{i:03d}" for i in range(300)],
    "groups": [{"id": "一", "title": "指标", "kind": "base"}],
    "lines": [
        {"id": "一.1", "group": "一", "title": "范围", "kind": "indicator", "clause": "x",
         "rule": {"type": "threshold", "target": 50, "value_label": "值"}, "sample": {"value": [10, 20]}},
        {"id": "一.2", "group": "一", "title": "常为满值", "kind": "indicator", "clause": "x",
         "rule": {"type": "threshold", "target": 95, "value_label": "值"}, "sample": {"value": [80, 100, 0.6]}},
        {"id": "一.3", "group": "一", "title": "是否", "kind": "indicator", "clause": "x",
         "rule": {"type": "yes_no"}, "sample": {"done": [0.2]}},
        {"id": "一.4", "group": "一", "title": "较上年", "kind": "indicator", "clause": "x",
         "rule": {"type": "trend", "direction": "up", "value_label": "值"},
         "sample": {"value": [40, 60], "value.delta": [1, 2]}},
        {"id": "一.5", "group": "一", "title": "固定", "kind": "indicator", "clause": "x",
         "rule": {"type": "threshold", "target": 1, "value_label": "值"}, "sample": {"value": 7}},
    ],
}


def test_hint_conventions():
    spec = build_spec(HINTS, "hints.yaml")
    s = Sampler(spec)
    now, before = s.year(2020).facts, s.year(2019).facts
    v = now["一.1:value"]
    assert v.between(10, 20).all() and v.std() > 2
    full = (now["一.2:value"] == 100).mean()
    assert 0.5 < full < 0.7 and now["一.2:value"].between(80, 100).all()
    assert 0.12 < now["一.3:done"].astype(float).mean() < 0.28
    delta = now["一.4:value"] - before["一.4:value"]
    assert delta.between(1 - 1e-9, 2 + 1e-9).all()
    assert (now["一.5:value"] == 7).all()
    # a unit's facts move together: its latent quality is shared by every fact
    corr = np.corrcoef(now["一.1:value"], now["一.2:value"].rank())[0, 1]
    assert corr > 0.1


def test_samples_cli(tmp_path, capsys):
    assert main(["samples", "--check"]) == 0
    doc = DOCS[0]
    assert main(["samples", doc, "--out-dir", str(tmp_path)]) == 0
    spec = load_spec(doc)
    assert sorted(p.name for p in (tmp_path / doc).iterdir()) == [
        f"示例数据-{spec.year - 1}.xlsx", f"示例数据-{spec.year}.xlsx"]
    assert (tmp_path / doc / f"示例数据-{spec.year}.xlsx").read_bytes() == sample_path(doc, spec.year).read_bytes()


def test_qualities_are_an_even_bounded_spread():
    units = [f"单位{i}" for i in range(26)]
    z = qualities("doc", units)
    assert z == qualities("doc", list(reversed(units)))  # the order given does not matter
    assert max(map(abs, z.values())) <= CAP and abs(sum(z.values())) < 1e-9
    assert len({round(v, 9) for v in z.values()}) == len(units)
    five = sorted(qualities("doc", units[:5]).values())
    assert five[0] > -1.2 and five[-1] < 1.2  # no unit drawn far out (the old draws reached -2.8)


LINKED = {
    "id": "links", "title": "《关联测试》", "family": "points", "year": 2020, "total": 100,
    "units": [{"name": "甲市", "aliases": ["全市"]}, "乙区", "丙区", "丁县"],
    "groups": [{"id": "一", "title": "指标", "kind": "base", "max": 100, "sum_check": False}],
    "lines": [
        {"id": "一.1", "group": "一", "title": "计数", "kind": "base", "max": 10, "clause": "x",
         "rule": {"type": "counted", "items": [
             {"name": "base", "label": "项目数", "points": 1, "unit": "个", "default": 0},
             {"name": "bonus", "label": "其中获奖", "points": 1, "unit": "个", "default": 0},
             {"name": "flag", "label": "入选(是填1)", "points": 1, "unit": "项", "default": 0},
             {"name": "extra", "label": "超过2个的个数", "points": 1, "unit": "个", "default": 0},
             {"name": "other", "label": "未入选但上升(是填1)", "points": 1, "unit": "项", "default": 0}]},
         "sample": {"base": [0, 5], "bonus": [0, 5], "bonus.at_most": "base", "flag": [0, 1, 0.5],
                    "extra": [0, 3], "extra.excess_of": ["base", 2], "other": [0, 1, 0.9],
                    "other.not_with": "flag"}},
        {"id": "一.2", "group": "一", "title": "比例", "kind": "base", "max": 10, "clause": "x",
         "rule": {"type": "threshold", "target": 90, "value_label": "处理率", "value_unit": "%"},
         "sample": {"value": [85, 110]}},
        {"id": "一.3", "group": "一", "title": "总量", "kind": "base", "max": 10, "clause": "x",
         "rule": {"type": "threshold", "target": 5, "value_label": "减量", "value_unit": "万吨"},
         "sample": {"value": [2, 9]}},
        {"id": "一.4", "group": "一", "title": "分值", "kind": "base", "max": 10, "clause": "x",
         "rule": {"type": "threshold", "target": 80, "value_label": "满意度分值"},
         "sample": {"value": [75, 90], "value.delta": [-2, 4]}},
        {"id": "一.5", "group": "一", "title": "提升", "kind": "base", "max": 10, "clause": "x",
         "rule": {"type": "threshold", "target": 0, "value_label": "满意度分值较上年提升值"},
         "sample": {"value": [-2, 4], "value.change_of": "一.4:value"}},
        {"id": "一.6", "group": "一", "title": "位次", "kind": "base", "max": 10, "clause": "x",
         "rule": {"type": "threshold", "target": 0, "value_label": "满意度排名较上年提升位次", "value_unit": "位"},
         "sample": {"value": [-3, 3], "value.rank_gain_of": "一.4:value", "value.units": {"乙区": [0, 0]}}},
    ],
}


def test_links_whole_and_domains_in_a_small_spec():
    spec = build_spec(LINKED, "links.yaml")
    assert whole_and_parts(spec) == ("甲市", ["乙区", "丙区", "丁县"])
    s = Sampler(spec)
    now, before = s.year(2020).facts, s.year(2019).facts
    parts = ["乙区", "丙区", "丁县"]
    for frame in (now, before):
        events = ["一.1:base", "一.1:bonus", "一.1:flag", "一.1:extra", "一.1:other"]
        frame = frame.reindex(columns=[*frame.columns, *(k for k in events if k not in frame.columns)])
        frame = frame.fillna({k: 0.0 for k in events})  # no event reported: none
        assert (frame["一.1:bonus"] <= frame["一.1:base"]).all()
        assert (frame["一.1:extra"] == (frame["一.1:base"] - 2).clip(lower=0)).all()
        assert not ((frame["一.1:other"] > 0) & (frame["一.1:flag"] > 0)).any()
        assert frame["一.2:value"].between(0, 100).all()  # the hint reaches 110; a rate stops at 100
        # the whole: a total adds up, a rate lies within its parts'
        assert now.at["甲市", "一.3:value"] == pytest.approx(now.loc[parts, "一.3:value"].sum())
        assert now.loc[parts, "一.2:value"].min() <= now.at["甲市", "一.2:value"] <= now.loc[parts, "一.2:value"].max()
    counts = now[["一.1:base", "一.1:bonus", "一.1:extra", "一.6:value"]].to_numpy().ravel()
    assert all(float(v).is_integer() for v in counts if v == v)
    change = now["一.4:value"] - before["一.4:value"]
    assert now["一.5:value"].to_numpy() == pytest.approx(change.to_numpy())
    assert change.between(-2 - 1e-9, 4 + 1e-9).all()
    rank = lambda col: col.rank(ascending=False, method="min")  # noqa: E731
    gain = rank(before["一.4:value"]) - rank(now["一.4:value"])
    assert now["一.6:value"].tolist() == gain.tolist()


def test_a_unit_may_have_its_own_hint_or_none():
    spec = build_spec({**LINKED, "lines": [{**LINKED["lines"][1], "sample": {
        "value": [60, 70], "value.units": {"乙区": [95, 96], "丁县": None}}}]}, "own.yaml")
    s = Sampler(spec)
    for frame in (s.year(2020).facts, s.year(2019).facts):
        assert frame.at["乙区", "一.2:value"] >= 95 and frame.at["丙区", "一.2:value"] <= 70
        assert frame.at["丁县", "一.2:value"] != frame.at["丁县", "一.2:value"]  # blank: no such figure there


def test_hint_problems_name_what_is_wrong():
    bad = {**LINKED, "lines": [{**LINKED["lines"][0], "sample": {
        "base": [0, 5], "bonsu": [0, 1], "bonus.most": "base", "extra.excess_of": ["nothing", 2]}}]}
    problems = hint_problems(build_spec(bad, "bad.yaml"))
    assert any("bonsu" in p for p in problems)
    assert any("most" in p for p in problems)
    assert any("nothing" in p for p in problems)


def test_analyst_units_get_rows_with_their_categories():
    spec = next((load_spec(d) for d in DOCS if load_spec(d).analyst_units and load_spec(d).analyst_units.sample),
                None)
    if spec is None:
        pytest.skip("no document declares analyst units yet")
    years = generate(spec)
    for s in years.values():
        names = [u.name for u in spec.analyst_units.sample]
        assert list(s.added.index) == names and not set(names) & set(s.facts.index)
        for u in spec.analyst_units.sample:
            for c in spec.analyst_units.categories:
                assert s.added.at[u.name, f"@unit:{c.code}"] == u.categories.get(c.dim)
        assert set(names) <= set(score(spec, s.cohort, years[spec.year - 1].cohort).summary["unit"])
