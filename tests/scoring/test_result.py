"""The scored result: saved as JSON (no pickle), read back the same, and presented without scoring again."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ecoscore import list_documents
from ecoscore.batch.render import RESULT_FILE, render
from ecoscore.reports import report
from ecoscore.scoring import cohort as cohort_mod
from ecoscore.scoring.result import FORMAT, ScoredCohort

SECTIONS = ["header", "narrative", "sections_chart", "lost_points_chart", "cohort_chart", "compliance_grid",
            "trend_chart", "table", "department_view", "appendix"]


@pytest.mark.parametrize("doc", list_documents())
def test_saved_result_reads_back_the_same(doc, tmp_path):
    c = cohort_mod.score_cohort(doc)
    path = c.save(tmp_path / "r.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["format"] == FORMAT and raw["document"] == doc and raw["provenance"]["sample"] is True
    assert pd.read_json(path.open(encoding="utf-8"), typ="series")["format"] == FORMAT  # plain JSON
    back = ScoredCohort.load(path)
    for name in ("audit", "summary", "rollup", "adjustments"):
        a, b = getattr(c.current, name), getattr(back.current, name)
        pd.testing.assert_frame_equal(a.reset_index(drop=True).astype(object),
                                      b.reset_index(drop=True).astype(object).reindex(columns=a.columns),
                                      check_dtype=False, obj=f"{doc} {name}")
    assert back.previous is not None and back.sample and back.spec.readings == c.spec.readings


def test_a_report_only_presents_the_saved_result(tmp_path, monkeypatch):
    path = cohort_mod.score_cohort("xx-2020").save(tmp_path / "r.json")

    def forbidden(*a, **k):
        raise AssertionError("a report must not score")

    monkeypatch.setattr(cohort_mod, "score", forbidden)
    monkeypatch.setattr("ecoscore.scoring.engine.score", forbidden)
    rep = report.load(path, "萧山区")
    for section in SECTIONS:
        out = getattr(rep, section)()
        assert (out._repr_html_() if hasattr(out, "_repr_html_") else str(out)), section


def test_a_batch_scores_the_cohort_once_per_year(tmp_path, monkeypatch):
    calls = []
    real = cohort_mod.score

    def counting(*a, **k):
        calls.append(k.get("units"))
        return real(*a, **k)

    monkeypatch.setattr(cohort_mod, "score", counting)
    summary = render("dongtou-2017", out_dir=tmp_path, progress=False, workers=2)
    assert summary.ok, summary.describe()
    assert len(summary.written) == 23
    assert len(calls) == 2  # this year and last year, for all 23 units; the kernels only read
    assert (summary.out_dir / RESULT_FILE).exists()


def test_a_result_of_another_document_is_refused(tmp_path):
    from ecoscore.errors import EcoscoreError

    path = cohort_mod.score_cohort("dongtou-2017").save(tmp_path / "r.json")
    with pytest.raises(EcoscoreError, match="评分结果文件属于考核文件 dongtou-2017,不是本报告的 xx-2020"):
        report.load(path, "江干区", doc="xx-2020")
    assert report.load(path, "洞头区", doc="dongtou-2017").unit == "洞头区"
