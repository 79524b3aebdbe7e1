"""The report API on small fixture documents: one call per section, all HTML escaped."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from ecoscore import load_spec
from ecoscore.errors import EcoscoreError
from ecoscore.reports import blocks, charts, report
from tests.conftest import FIXTURES
from tests.reports.test_charts import legend, parse

SECTIONS = ["header", "narrative", "sections_chart", "lost_points_chart", "cohort_chart", "compliance_grid",
            "trend_chart", "table", "department_view", "appendix"]


def facts(name: str, which: str = "facts") -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"{name}_{which}.csv", index_col=0)


def build(name: str, unit: str, previous: bool = False, **kw) -> report.Report:
    spec = load_spec(FIXTURES / f"{name}.yaml")
    prev = facts(name, "previous") if previous else None
    return report.build(spec, unit, facts=facts(name), previous=prev, **kw)


def html_of(obj) -> str:
    return obj._repr_html_()


@pytest.mark.parametrize(("name", "unit"), [("points_doc", "甲区"), ("compliance_doc", "乙县"),
                                            ("taskbook_doc", "对照区")])
def test_every_section_displays_as_html(name, unit):
    rep = build(name, unit, previous=name != "taskbook_doc")
    for section in SECTIONS:
        obj = getattr(rep, section)()
        assert isinstance(obj, (blocks.HTMLBlock, charts.Chart)), section
        text = html_of(obj)
        assert text and "<script" not in text.lower(), section
        assert "http://" not in text and "https://" not in text, section


def test_user_text_is_escaped_everywhere():
    rep = build("points_doc", "甲区", previous=True)
    pages = {s: html_of(getattr(rep, s)()) for s in SECTIONS}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["narrative"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["table"]
    # the appendix leaves the 说明 to the scored table above it (issue 11: printed once)
    assert all("<script>" not in h for h in pages.values())


def test_header_points():
    rep = build("points_doc", "乙区")
    h = rep.header().html
    assert "<h1>乙区</h1>" in h
    assert "《测试市2020年度生态文明建设目标责任书》" in h
    assert "<b>13</b><span>总分(满分50)</span>" in h
    assert "<b>不合格</b><span>等次</span>" in h
    assert "<b>第3/3名</b>" in h
    assert "示例数据,非官方数据" not in h
    assert "数据来源:传入的数据表" in h
    assert "多解条款1处,其中非默认0处" in h and "A1 恰好90%是否算达到? → 90%及以上算达到(默认)" in h


def test_header_missing_data_warning():
    h = build("points_doc", "丙县").header().html
    assert "注意:有1项缺少数据" in h


def test_header_other_reading_changes_the_score():
    rep = build("points_doc", "丙县", readings=["A1=above"])
    # 90% is no longer "达到" under the strict reading: 40 − 20 = 20
    assert rep.row["total"] == 20
    h = rep.header().html
    assert "本报告对以下多解条款采用了非默认读法:A1 须高于90%" in h
    assert "其中非默认1处" in h


def test_header_compliance_and_taskbook():
    h = build("compliance_doc", "乙县", previous=True).header().html
    assert "<b>0/3</b><span>约束性指标达标</span>" in h
    assert "<b>1/4</b><span>全部指标达标</span>" in h
    assert "结论:2项约束性指标未达标" in h
    assert "总分" not in h
    h = build("taskbook_doc", "对照区").header().html
    assert "<b>1/3</b><span>任务完成</span>" in h
    assert "前置条件:未满足评优前置:未发生重大环境污染事件" in h
    h = build("taskbook_doc", "测试区").header().html
    assert "前置条件:评优前置条件1项全部满足;未触发合格否决情形。" in h


def test_sample_banner(monkeypatch):
    cur = facts("points_doc")
    cur.attrs["sample"] = True  # as the sample loader marks its tables
    rep = report.build(load_spec(FIXTURES / "points_doc.yaml"), "甲区", facts=cur)
    assert rep.sample
    h = rep.header().html
    assert '<div class="eco-banner">示例数据,非官方数据</div>' in h
    assert "数据来源:示例数据" in h


def test_unknown_unit_lists_the_known_ones():
    with pytest.raises(EcoscoreError, match="没有单位「丁区」;可选:甲区、乙区、丙县"):
        build("points_doc", "丁区")


def test_default_unit_is_the_first():
    assert report.build(load_spec(FIXTURES / "points_doc.yaml"), facts=facts("points_doc")).unit == "甲区"


def test_narrative_block():
    h = build("points_doc", "乙区").narrative().html
    assert ("<dt>总体结果</dt><dd>乙区考核总分13分(满分50分;含扣分3分),等次为不合格。"
            "在3个区、县(市)中按总分位次(仅供参考)为第3/3名。</dd>") in h
    assert "<dt>优先改进</dt>" in h


def test_sections_chart_points_uses_group_totals():
    rows = parse(build("points_doc", "乙区").sections_chart())
    assert [r["label"] for r in rows] == ["一 水环境质量", "二 重点工作", "三 加分项", "四 扣分项"]
    bars = [r["bars"][0] for r in rows]
    # 乙区: 一 = 0 + 6 of 30; 二 = 10 + 0 of 20; 三 0 of 5; 四 −3. One scale: 30 (the largest maximum) is full width
    assert [b["text"] for b in bars] == ["6/30分", "10/20分", "0/5分", "扣3分"]
    assert [b["track"] for b in bars] == [100, round(20 / 30 * 100, 2), round(5 / 30 * 100, 2), None]
    assert [b["segments"] for b in bars] == [[("score", 20)], [("score", round(10 / 30 * 100, 2))], [],
                                             [("lost", 10)]]


def test_sections_chart_compliance_counts():
    chart = build("compliance_doc", "乙县", previous=True).sections_chart()
    rows = {r["label"]: r["bars"][0] for r in parse(chart)}
    # 生态安全: 1 未达标 (优良天数 80 < 85), 1 缺数据 (森林覆盖率); 生态经济: 能耗 未达标, 绿色建筑 55 ≥ 50 达标
    assert rows["生态安全"]["segments"] == [("not_met", 50), ("missing", 50)]
    assert rows["生态安全"]["text"] == "未达标1项 缺数据1项"
    assert rows["生态经济"]["segments"] == [("met", 50), ("not_met", 50)]
    assert sorted(legend(chart)) == [("met", "达标"), ("missing", "缺数据"), ("not_met", "未达标")]


def test_lost_points_chart():
    chart = build("points_doc", "乙区").lost_points_chart()
    rows = parse(chart)
    # losses 20, 10, 4, 3: the largest is full width
    assert [(r["label"], r["bars"][0]["text"]) for r in rows] == [
        ("一.1 水质优良比例", "20分"), ("二.2 生态文明宣传", "10分"), ("一.2 交界断面水质", "4分"), ("四.1 突发环境事件", "3分")]
    assert [r["bars"][0]["segments"] for r in rows] == [[("lost", 100)], [("lost", 50)], [("lost", 20)], [("lost", 15)]]
    assert "一.1 水质优良比例:20分" in chart.alt
    one = build("points_doc", "甲区").lost_points_chart()
    assert "<p>二.1 污水处理设施建设:2分。</p>" in html_of(one) and parse(one) == []  # one loss: a sentence, not a bar
    # a compliance document's gaps each in their own unit, never on one axis: 85 − 80 = 5 个百分点; 0.6 − 0.58
    panel = build("compliance_doc", "乙县", previous=True).lost_points_chart()
    gaps = html_of(panel)
    assert parse(panel) == []
    assert "<li>1 环境空气质量优良天数比例:目标≥85;实际80%;差距5个百分点</li>" in gaps
    assert "差距0.02吨标煤/万元" in gaps


def test_cohort_chart_highlights_the_unit():
    chart = build("points_doc", "丙县").cohort_chart()
    rows = parse(chart)
    assert [(r["label"], r["bars"][0]["text"], r["mine"]) for r in rows] == [
        ("甲区", "50分", False), ("丙县", "40分", True), ("乙区", "13分", False)]
    assert [r["bars"][0]["segments"] for r in rows] == [[("others", 100)], [("mine", 80)], [("others", 26)]]
    assert chart.alt.startswith("丙县总分40分,共3个区、县(市)。")


def test_compliance_grid():
    h = build("compliance_doc", "乙县", previous=True).compliance_grid().html
    assert h.count('class="eco-tile ') == 4
    assert h.count("eco-tile eco-t-not_met") == 2 and h.count("eco-tile eco-t-missing") == 1
    assert h.count("eco-tile eco-t-met") == 1
    assert "<h3>生态安全</h3>" in h and "目标≥85;实际80%" in h
    assert "本文件没有达标类指标" in build("points_doc", "甲区").compliance_grid().html


def test_trend_chart():
    chart = build("points_doc", "甲区", previous=True).trend_chart()
    rows = {r["label"]: [b["text"] for b in r["bars"]] for r in parse(chart)}
    # 2019: 一.1 85% → 0 + 一.2 10; 二.1 8 + 二.2 0; bonus 2; no deduction (a section with nothing is left out)
    assert rows == {"一 水环境质量": ["2019年 10分", "2020年 30分"], "二 重点工作": ["2019年 8分", "2020年 18分"],
                    "三 加分项": ["2019年 2分", "2020年 2分"]}
    assert legend(chart) == [("previous", "2019年"), ("current", "2020年")]
    assert "未提供上年数据" in build("points_doc", "甲区").trend_chart().html


def table_rows(block) -> tuple[list[str], list[dict]]:
    soup = BeautifulSoup(block.html, "html.parser")
    head = [th.get_text() for th in soup.select("thead th")]
    rows = []
    for tr in soup.select("tbody tr"):
        if "eco-head" in (tr.get("class") or []):
            continue
        rows.append({"class": tr.get("class"), "group": tr.get("data-group"),
                     **dict(zip(head, [td.get_text() for td in tr.select("td")]))})
    return head, rows


def test_table_shows_lines_sums_and_the_total_as_rolled_up():
    head, rows = table_rows(build("points_doc", "乙区").table())
    assert head == ["编号", "考核内容", "满分", "得分", "失分", "结果", "说明", "依据条款"]
    lines = [r for r in rows if "eco-line" in r["class"]]
    assert [r["失分"] for r in lines] == ["20", "4", "", "10", "", "3"]
    sums = {r["group"]: (r["满分"], r["得分"], r["失分"]) for r in rows if r["class"] == ["eco-sum"]}
    # 乙区: 一 = 0 + 6 = 6 of 30; 二 = 10 + 0 = 10 of 20; 三 bonus 0 of 5; 四 deductions −3 (lost 3)
    assert sums == {"一": ("30", "6", "24"), "二": ("20", "10", "10"), "三": ("5", "0", ""), "四": ("0", "-3", "3")}
    total = [r for r in rows if "eco-total" in r["class"]]
    assert [(r["编号"], r["得分"]) for r in total] == [("总分", "13")]  # 6 + 10 + 0 − 3
    h = build("points_doc", "乙区").table().html
    assert '<details class="eco-clause"><summary>条款原文</summary>优良比例达到90%得20分,否则不得分。</details>' in h


def test_table_compliance_columns():
    head, rows = table_rows(build("compliance_doc", "乙县", previous=True).table())
    assert head == ["编号", "考核内容", "属性", "目标", "实际值", "结果", "说明", "依据条款"]
    assert [r["目标"] for r in rows] == ["≥85", "山区≥70,平原≥19", "持续下降", "≥50"]
    assert rows[0]["实际值"] == "80%"
    assert not [r for r in rows if "eco-sum" in r["class"]]  # no points, no sums


def test_department_view_district_lists_responsible_units():
    h = build("compliance_doc", "乙县", previous=True).department_view().html
    assert "乙县未达到要求的项目共3项" in h
    assert "<td>县发改局</td>" in h
    assert "<caption>涉及未达到要求项目的单位</caption>" in h
    h = build("compliance_doc", "甲县", previous=True).department_view().html
    assert "甲县未达到要求的项目共1项" in h  # 4 绿色建筑占比, led by 县住建局
    assert "其余3个单位牵头或配合的项目均已达到要求" in h


def test_department_view_own_tasks():
    rep = build("taskbook_doc", "测试区")
    h = rep.department_view(department="区环保局").html
    assert "区环保局共2项任务,已完成1项。" in h
    assert '<td>一.2</td><td class="eco-wide">河道清淤</td><td class="num">90%</td>' in h


def test_appendix_has_every_line_and_the_readings():
    h = build("points_doc", "甲区").appendix().html
    for line_id in ("一.1", "一.2", "二.1", "二.2", "三.1", "四.1"):
        assert f"<td>{line_id}</td>" in h
    assert "<h3>多解条款及采用的读法</h3>" in h
    assert "(默认)90%及以上算达到" in h and "at_least" not in h


def test_peers_are_the_whole_cohort_when_no_unit_is_a_responsible_unit():
    spec = load_spec(FIXTURES / "taskbook_doc.yaml")
    rep = report.build(spec, "测试区", facts=facts("taskbook_doc"))
    # neither 测试区 nor 对照区 is a responsible unit: both are in one group; the fixture ranks nobody
    assert rep.peers()["unit"].tolist() == ["测试区", "对照区"]
    assert rep.peers()["rank"].isna().all()


def test_a_rewritten_result_file_is_read_again(tmp_path):
    """A worker's kernel reuses a loaded result only while the file's bytes are the same."""
    from ecoscore.reports import report
    from ecoscore.spec import load_spec

    spec = load_spec("xx-2020")
    path = tmp_path / "scored.json"
    report.load(None, doc=spec).cohort.save(path)
    first = report.load(path).cohort
    assert report.load(path).cohort is first  # the same bytes: read once
    report.load(None, doc=load_spec("dongtou-2017")).cohort.save(path)  # same name, other contents
    assert report.load(path).spec.id == "dongtou-2017"
