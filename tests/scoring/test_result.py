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
from tests.conftest import compound_parts_result, save_v1

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


def test_json_lines_name_who_must_act_and_the_gap_in_its_unit():
    _, res = compound_parts_result()
    units = {u["unit"]: {ln["id"]: ln for ln in u["lines"]} for u in res.to_records()}
    line = units["甲县"]["指1"]  # 优良天数比例 (part 1) fails: its figures and its own lead
    assert {k: line[k] for k in ("part", "value", "target", "gap", "gap_unit", "lead", "responsible")} == {
        "part": 1, "value": 88.0, "target": 92.0, "gap": 4.0, "gap_unit": "%", "lead": "住建局",
        "responsible": "交通局、生态环境局"}
    single = units["甲县"]["指2"]  # one part: no part; a coefficient: no unit
    assert single["part"] is None and single["gap_unit"] is None and single["gap"] == 0.01
    assert single["lead"] == "水利局" and single["responsible"] == "农业农村局"
    assert units["乙县"]["指1"]["gap_unit"] == "μg/m³" and units["乙县"]["指1"]["responsible"] is None
    # the JSON text itself carries the keys
    raw = json.loads(res.to_json())
    assert {"lead", "responsible", "gap", "gap_unit", "part"} <= set(raw["units"][0]["lines"][0])


def test_saved_audit_carries_part_gap_unit_and_responsible(tmp_path):
    spec, res = compound_parts_result()
    path = ScoredCohort(spec, spec.year, res).save(tmp_path / "scored.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    dtypes = raw["tables"]["current.audit"]["dtypes"]
    assert {"part", "gap_unit", "lead", "responsible"} <= set(dtypes)
    assert dtypes["part"] == "Int64"
    back = ScoredCohort.load(path).current.audit.set_index(["unit", "line_id"])
    row = back.loc[("甲县", "指1")]
    assert (row["part"], row["gap_unit"], row["lead"], row["responsible"]) == (1, "%", "住建局", "交通局、生态环境局")
    assert pd.isna(back.loc[("甲县", "指2"), "part"]) and back.loc[("甲县", "指2"), "gap_unit"] == ""


def test_a_result_saved_before_the_part_columns_still_reads(tmp_path):
    spec, res = compound_parts_result()
    path = save_v1(ScoredCohort(spec, spec.year, res), tmp_path / "scored.json")  # as the first format wrote it
    raw = json.loads(path.read_text(encoding="utf-8"))
    table = raw["tables"]["current.audit"]
    old = {"part", "gap_unit", "responsible"}
    table["schema"]["fields"] = [f for f in table["schema"]["fields"] if f["name"] not in old]
    table["data"] = [{k: v for k, v in r.items() if k not in old} for r in table["data"]]
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    audit = ScoredCohort.load(path).current.audit.set_index(["unit", "line_id"])
    assert audit["part"].isna().all()
    # the line's own units, and the unit of the figures such a file holds (a compound: its first part's)
    row = audit.loc[("甲县", "指2")]
    assert (row["lead"], row["responsible"], row["gap_unit"]) == ("水利局", "农业农村局", "")
    assert audit.loc[("甲县", "指1"), "gap_unit"] == "μg/m³" and audit.loc[("甲县", "指1"), "responsible"] == "交通局、发改局"
