"""Facts in: every accepted form of a facts file loads to the same facts and the same scores;
templates are what an analyst hands out; each document round-trips template → filled →
loaded → scored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from ecoscore import list_documents, load_spec, score
from ecoscore.cli import main
from ecoscore.facts import is_sample, load_facts, load_sample, read_bundle
from ecoscore.facts.samples import generate
from ecoscore.facts.template import write_csv, write_template
from ecoscore.facts.workbook import TASKS, UNITS, build_layout, map_header
from tests.conftest import FIXTURES

FIX = FIXTURES / "facts"
SPEC_PATH = FIX / "facts_doc.yaml"
ONE_SHEET = ["wide_utf8.csv", "wide_utf8_bom.csv", "gbk_encoded.csv", "gb18030_encoded.csv", "utf16_tab.txt",
             "long_form.csv", "keys_only.csv"]


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC_PATH)


@pytest.fixture(scope="module")
def good(spec):
    return read_bundle(spec, FIX / "good.xlsx")


def test_good_workbook_loads_every_sheet(good):
    cur = good.current
    assert list(cur.index) == ["甲区", "乙区", "丙县"]
    assert cur.loc["甲区", "一.1:value"] == 92.5
    assert cur.loc["乙区", "一.2:grade"] == "良好"
    assert cur.loc["乙区", "一.4:done"] is False and cur.loc["甲区", "一.4:done"] is True
    assert cur.loc["乙区", "二.1:completion"] == 80 and cur.loc["丙县", "二.2:completion"] == 100
    # events are summed into the counted rules' facts; a count left blank is one event
    assert cur.loc["甲区", "加.1:awards"] == 1
    assert cur.loc["乙区", "扣.1:incidents"] == 1 and cur.loc["乙区", "扣.1:fine"] == 2
    assert np.isnan(cur.loc["甲区", "扣.1:fine"])  # no event: the rule's default (0) applies
    assert good.previous.loc["甲区", "指.1:value"] == 60.8
    assert good.warnings == []
    assert not good.sample and not is_sample(cur)


def test_text_users_typed_is_kept_verbatim(good):
    assert good.current.loc["丙县", "门.1:note"] == "发生<重大>生态破坏事件"
    assert good.current.loc["乙区", "二.1:note"] == "征地手续延误,完成80%"
    ev = good.events
    assert list(ev["evidence"]) == ["省政府通报〔2020〕5号", "市生态环境局事件报告", "省督查通报〔2020〕12号"]
    assert list(ev["row"]) == [4, 5, 6]
    assert str(ev["date"].iloc[0]) == "2020-05-10"


def test_last_year_in_a_second_file_equals_the_year_column(spec, good):
    cur, prev = load_facts(spec, FIX / "current_only.xlsx", FIX / "previous_2019.xlsx")
    pd.testing.assert_frame_equal(cur, good.current, check_like=True)
    pd.testing.assert_series_equal(prev["指.1:value"], good.previous["指.1:value"])


def test_percent_cells_and_a_resave_without_metadata(spec, good):
    cur, _ = load_facts(spec, FIX / "percent_cells.xlsx")
    assert list(cur["一.1:value"]) == pytest.approx([92.5, 88.0, 95.0])


@pytest.mark.parametrize("name", ONE_SHEET)
def test_every_csv_form_scores_like_the_workbook(spec, good, name):
    cur, prev = load_facts(spec, FIX / name)
    assert prev is None
    for key in good.current.columns:
        a, b = good.current[key], cur[key]
        if key.split(":")[0] in ("加.1", "扣.1"):  # a CSV says 0 where the workbook lists no event
            b = b.where(b != 0)
        pd.testing.assert_series_equal(a, b, check_names=False)
    want = score(spec, good.current, None).summary
    got = score(spec, cur, None).summary
    pd.testing.assert_frame_equal(want, got)


def test_alias_and_spacing_are_accepted(spec, tmp_path):
    text = (FIX / "wide_utf8.csv").read_text(encoding="utf-8").replace("\n2020,丙县,", "\n2020, 丙 ,")
    (tmp_path / "alias.csv").write_text(text, encoding="utf-8")
    cur, _ = load_facts(spec, tmp_path / "alias.csv")
    assert cur.loc["丙县", "一.2:grade"] == "合格"


def test_headers_map_back_to_fact_keys_after_width_and_space_changes(spec):
    keys = build_layout(spec).key_index()
    assert map_header("一.1:value", keys) == "一.1:value"
    assert map_header(" 一.1 : value ", keys) == "一.1:value"
    assert map_header("单位名称", keys) == "unit"
    assert map_header("完成比例(%)", keys) == "completion"
    assert map_header("一.9:value", keys) == "一.9:value"  # reported later as an unknown fact
    assert map_header("随便写的标题", keys) is None


def test_template_is_what_an_analyst_hands_out(spec, tmp_path):
    path = write_template(spec, tmp_path / "填报表.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["单位数据", "任务完成情况", "加扣分事项", "填表说明", "指标说明", "_lists", "_meta"]
    assert wb["_meta"].sheet_state == "hidden" and wb["_lists"].sheet_state == "hidden"
    ws = wb["单位数据"]
    assert ws.freeze_panes == "C5"
    codes = [c.value for c in ws[4]]
    lay = build_layout(spec)
    assert codes == ["year", "unit", *[f.key for f in lay.on(UNITS)], "remark"]
    assert ws["C2"].value == "一.1 优良天数比例" and ws["C3"].value == "优良天数比例(%)"
    assert "条款原文:优良天数比例达到90%的,得20分。" in ws["C3"].comment.text
    assert "文档代码:facts-doc" in ws["A1"].value and "示例数据" not in ws["A1"].value
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert rules["C5:C10"].type == "decimal" and (rules["C5:C10"].formula1, rules["C5:C10"].formula2) == ("0", "100")
    assert rules["D5:D10"].formula1 == '"优秀,良好,合格,不合格"'
    assert rules["E5:E10"].type == "whole"
    assert rules["F5:F10"].formula1 == '"是,否"'
    # last year's rows come after this year's; only the facts compared with last year are open
    assert [ws.cell(r, 1).value for r in range(5, 11)] == [2020] * 3 + [2019] * 3
    grey = ws.cell(8, 3).fill.fgColor.rgb
    assert grey.endswith("BFBFBF") and not ws.cell(8, codes.index("指.1:value") + 1).fill.fgColor.rgb.endswith("BFBFBF")
    # a line that does not apply to a unit is greyed out for it
    assert ws.cell(7, codes.index("三.1:days_late") + 1).fill.fgColor.rgb.endswith("BFBFBF")
    tasks = wb["任务完成情况"]
    assert [(tasks.cell(r, 1).value, tasks.cell(r, 2).value) for r in (4, 5, 6)] == [
        ("甲区", "二.1"), ("乙区", "二.1"), ("丙县", "二.2")]
    assert tasks.cell(4, 4).value == "完成污水管网建设任务。"
    ref = wb["指标说明"]
    assert [c.value for c in ref[2]][:2] == ["字段代码", "条款编号"] and ref.cell(3, 11).value.startswith("优良天数")
    help_text = "\n".join(str(c.value) for c in wb["填表说明"]["A"] if c.value)
    assert "ecoscore validate facts-doc" in help_text and "甲区、乙区、丙县" in help_text
    # filled in for one unit only, the rest is blank: blanks are warnings (缺数据), not errors
    wb["单位数据"].cell(5, codes.index("一.1:value") + 1).value = 91
    wb.save(path)
    b = read_bundle(spec, path)
    assert b.current.loc["甲区", "一.1:value"] == 91 and b.current.drop(columns="一.1:value").isna().all().all()
    assert {w.found for w in b.warnings} == {"(空)缺数据,将按缺数据计", "(空)上年缺数据,将按缺数据计"}


def test_template_cli_writes_xlsx_and_csv(tmp_path, capsys):
    assert main(["template", str(SPEC_PATH), "--out", str(tmp_path / "t.xlsx")]) == 0
    assert main(["template", str(SPEC_PATH), "--out", str(tmp_path / "t.csv")]) == 0
    assert main(["template", str(SPEC_PATH), "--out", str(tmp_path / "long.csv"), "--long"]) == 0
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel and WPS open it as UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[2].startswith("year,unit,一.1:value") and lines[3].startswith("2020,甲区,")
    long = (tmp_path / "long.csv").read_text(encoding="utf-8-sig").splitlines()
    assert long[2] == "year,unit,fact,label,value,note"
    assert long[3].startswith("2020,甲区,一.1:value,")


def _assert_same(expected: pd.DataFrame, got: pd.DataFrame, keys) -> None:
    for k in keys:
        a = expected[k] if k in expected.columns else pd.Series(None, index=expected.index, dtype=object)
        b = got[k] if k in got.columns else pd.Series(None, index=got.index, dtype=object)
        for u in expected.index:
            x, y = a.get(u), b.get(u)
            if x is None or (isinstance(x, float) and np.isnan(x)):
                assert y is None or (isinstance(y, float) and np.isnan(y)), (k, u, y)
            elif isinstance(x, float):
                assert y == pytest.approx(x), (k, u)
            elif isinstance(x, pd.Timestamp):
                assert pd.Timestamp(y) == x, (k, u)
            else:
                assert y == x, (k, u, x, y)


@pytest.mark.parametrize("doc", list_documents())
def test_round_trip_template_filled_loaded_scored(doc, tmp_path):
    spec = load_spec(doc)
    years = generate(spec)
    now, before = years[spec.year], years[spec.year - 1]
    cur_path, prev_path = tmp_path / "本年.xlsx", tmp_path / "上年.xlsx"
    write_template(spec, cur_path, facts=now.facts, events=now.events, previous_rows=False)
    write_template(spec, prev_path, year=spec.year - 1, facts=before.facts, events=before.events,
                   previous_rows=False)
    b = read_bundle(spec, cur_path, prev_path)
    lay = build_layout(spec)
    keys = [k for k, f in lay.fields.items() if f.home in (UNITS, TASKS)]
    _assert_same(now.facts, b.current, keys)
    want = score(spec, now.facts, before.facts)
    got = score(spec, b.current, b.previous)
    pd.testing.assert_frame_equal(want.summary, got.summary)
    assert len(b.events) == len(now.events)
    # the year-column form (last year's rows in the same sheet) scores the same
    one = tmp_path / "同一文件.xlsx"
    write_template(spec, one, facts=now.facts, previous=before.facts, events=now.events)
    c2, p2 = load_facts(spec, one)
    pd.testing.assert_frame_equal(score(spec, c2, p2).summary, want.summary)


@pytest.mark.parametrize("doc", list_documents())
def test_round_trip_through_csv(doc, tmp_path):
    spec = load_spec(doc)
    now = generate(spec)[spec.year]
    path = write_csv(spec, tmp_path / "data.csv", facts=now.facts)
    cur, _ = load_facts(spec, path)
    pd.testing.assert_frame_equal(score(spec, cur, None).summary, score(spec, now.facts, None).summary)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(path.read_text(encoding="utf-8-sig").encode("gb18030"))
    cur2, _ = load_facts(spec, gbk)
    pd.testing.assert_frame_equal(cur, cur2)


@pytest.mark.parametrize("doc", list_documents())
def test_sample_data_of_every_document_loads_and_scores(doc, capsys):
    spec = load_spec(doc)
    cur, prev = load_sample(spec)
    assert is_sample(cur) and prev is not None
    assert main(["score", doc]) == 0
    assert spec.unit_names[0] in capsys.readouterr().out
