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
from ecoscore.facts.samples import Sampler, check_samples, generate, sample_workbooks
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
    assert ((s["binding_not_met"] == 0) & (s["binding_met"] == s["binding"])).any()


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
