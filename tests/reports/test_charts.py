"""Chart helpers: HTML bars read back from the page (labels, segments, widths, figures),
never pixels; the one palette; no image, script or external resource.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from ecoscore.reports import charts, standalone


def parse(chart) -> list[dict]:
    """Return each drawn row of a chart's HTML: label, mine, and per bar its segments
    ``(key, width %)``, its track width and its figure.
    """
    soup = BeautifulSoup(chart._repr_html_(), "html.parser")
    rows = []
    for row in soup.select(".eco-row"):
        bars = []
        for bar, val in zip(row.select(".eco-bar"), row.select(".eco-val")):
            segs = [(_key(i), _width(i)) for i in bar.find_all("i")]
            track = bar.find("b")
            bars.append({"segments": segs, "track": _width(track) if track else None, "text": val.get_text()})
        rows.append({"label": row.select_one(".eco-lbl").get_text(), "mine": "eco-mine" in row["class"],
                     "bars": bars})
    return rows


def _key(tag) -> str:
    (cls,) = [c for c in tag["class"] if c.startswith("eco-c-")]
    return cls.removeprefix("eco-c-")


def _width(tag) -> float:
    return float(re.fullmatch(r"width:([\d.]+)%", tag["style"]).group(1))


def legend(chart) -> list[tuple[str, str]]:
    soup = BeautifulSoup(chart._repr_html_(), "html.parser")
    return [(_key(li.i), li.get_text()) for li in soup.select(".eco-legend li")]


SECTIONS = pd.DataFrame({"section": ["一 水环境质量", "二 大气环境质量", "三 加分项", "四 扣分项", "五 空"],
                         "possible": [200, 100, 10, 0, 0], "awarded": [150.5, 100, 0, -6, 0]})


def test_section_scores_track_bar_and_figures():
    rows = parse(charts.section_scores(SECTIONS, title="各部分得分"))
    # "五 空" has neither points nor a deduction: left out
    assert [r["label"] for r in rows] == ["一 水环境质量", "二 大气环境质量", "三 加分项", "四 扣分项"]
    # one scale: the largest maximum (200) is full width
    assert [r["bars"][0]["track"] for r in rows] == [100, 50, 5, None]
    assert [r["bars"][0]["segments"] for r in rows] == [[("score", 75.25)], [("score", 50)], [], [("lost", 3)]]
    assert [r["bars"][0]["text"] for r in rows] == ["150.5/200分", "100/100分", "0/10分", "扣6分"]


def test_status_counts_stack_each_status_and_skip_empty_sections():
    d = pd.DataFrame({"section": ["生态安全", "附加考核", "生态经济"], "达标": [3, 0, 1], "未达标": [1, 0, 0],
                      "缺数据": [0, 0, 2]})
    chart = charts.status_counts(d, columns=["达标", "未达标", "缺数据"])
    rows = parse(chart)
    assert [r["label"] for r in rows] == ["生态安全", "生态经济"]  # 附加考核 counts nothing
    assert rows[0]["bars"][0]["segments"] == [("met", 75), ("not_met", 25)]
    assert rows[1]["bars"][0]["segments"] == [("met", 25), ("missing", 50)]
    assert [r["bars"][0]["text"] for r in rows] == ["达标3项 未达标1项", "达标1项 缺数据2项"]
    assert legend(chart) == [("met", "达标"), ("not_met", "未达标"), ("missing", "缺数据")]


def test_ranked_bars_top_n_largest_first():
    d = pd.DataFrame({"name": ["甲", "乙", "丙", "丁"], "lost": [3, 10, 0, 5.5]})
    rows = parse(charts.ranked_bars(d, x="lost", y="name", top=3, unit="分"))
    assert [r["label"] for r in rows] == ["乙", "丁", "甲"]  # 丙 lost nothing
    assert [r["bars"][0]["segments"] for r in rows] == [[("lost", 100)], [("lost", 55)], [("lost", 30)]]
    assert [r["bars"][0]["text"] for r in rows] == ["10分", "5.5分", "3分"]


def test_completion_bars_are_per_cent_of_the_task_lowest_first():
    d = pd.DataFrame({"name": ["甲", "乙", "丙"], "value": [97.1, 60, 99.996]})
    rows = parse(charts.completion_bars(d))
    assert [r["label"] for r in rows] == ["乙", "甲", "丙"]
    assert rows[0]["bars"][0]["segments"] == [("done", 60), ("not_done", 40)]
    assert rows[1]["bars"][0]["segments"] == [("done", 97.1), ("not_done", 2.9)]
    # the tables' words: a task not complete never reads 100%
    assert [r["bars"][0]["text"] for r in rows] == ["完成60%", "完成97.1%", "完成99.99%"]


def test_cohort_bars_rank_order_mine_and_mean():
    d = pd.DataFrame({"unit": ["江干区", "拱墅区", "西湖区"], "total": [800, 900.5, 700], "rank": [3, 1, 2]})
    chart = charts.cohort_bars(d, x="total", highlight="江干区", unit="分", rank="rank", note="仅供参考。")
    rows = parse(chart)
    assert [r["label"] for r in rows] == ["拱墅区", "西湖区", "江干区"]  # rank order (a veto can rank a high total last)
    assert [r["mine"] for r in rows] == [False, False, True]
    assert [r["bars"][0]["segments"][0][0] for r in rows] == ["others", "others", "mine"]
    assert [r["bars"][0]["text"] for r in rows] == ["900.5分", "700分", "800分"]
    soup = BeautifulSoup(chart._repr_html_(), "html.parser")
    marks = {m["style"] for m in soup.select("s.eco-c-mean")}
    assert marks == {f"left:{800.1666667 / 900.5 * 100:.2f}%"}
    assert soup.select_one(".eco-cap").get_text() == "虚线为平均值800.17分。仅供参考。"
    by_value = parse(charts.cohort_bars(d, x="total", highlight="江干区"))
    assert [r["label"] for r in by_value] == ["拱墅区", "江干区", "西湖区"]


def test_year_comparison_pairs_and_legend_years():
    d = pd.DataFrame({"section": ["一", "二", "三"], "previous": [10, 20, float("nan")],
                      "current": [12, 0, float("nan")]})
    chart = charts.year_comparison(d, labels=("2019年", "2020年"), unit="分")
    rows = parse(chart)
    assert [r["label"] for r in rows] == ["一", "二"]  # 三 has a value in neither year
    assert [[b["segments"] for b in r["bars"]] for r in rows] == [
        [[("previous", 50)], [("current", 60)]], [[("previous", 100)], []]]
    assert [[b["text"] for b in r["bars"]] for r in rows] == [["2019年 10分", "2020年 12分"],
                                                             ["2019年 20分", "2020年 0分"]]
    assert legend(chart) == [("previous", "2019年"), ("current", "2020年")]


def test_a_chart_of_one_row_is_a_sentence():
    d = pd.DataFrame({"section": ["二(三) 土壤污染防治行动"], "已完成": [1], "未完成": [0]})
    chart = charts.status_counts(d, columns=["已完成", "未完成"], title="大门镇:各部分完成情况")
    soup = BeautifulSoup(chart._repr_html_(), "html.parser")
    assert soup.select(".eco-bar") == [] and soup.select(".eco-legend") == []
    assert soup.select_one("figure p").get_text() == "二(三) 土壤污染防治行动:已完成1项。"
    assert soup.select_one("figcaption").get_text() == "大门镇:各部分完成情况"
    empty = BeautifulSoup(charts.status_counts(d.assign(已完成=0), columns=["已完成", "未完成"])._repr_html_(),
                          "html.parser")
    assert empty.select(".eco-bar") == [] and empty.select_one("figure p").get_text() == "没有可显示的项目。"


def examples() -> list:
    d = pd.DataFrame({"n": ["甲<区>", "乙"], "v": [1, 2], "rank": [2, 1]})
    return [charts.section_scores(SECTIONS),
            charts.status_counts(pd.DataFrame({"section": ["a", "b"], "达标": [1, 2], "未完成": [1, 0]}),
                                 columns=["达标", "未完成"]),
            charts.ranked_bars(d, x="v", y="n"), charts.completion_bars(d, x="v", y="n"),
            charts.cohort_bars(d, x="v", y="n", highlight="乙", rank="rank"),
            charts.year_comparison(d.assign(p=[1, 1]), y="n", before="p", after="v"),
            charts.Panel([charts.ranked_bars(d, x="v", y="n"), charts.gap_list([("指标1", "差距1μg/m³")])])]


@pytest.mark.parametrize("chart", examples())
def test_no_image_script_or_external_resource(chart):
    html = chart._repr_html_()
    assert not re.search(r"<img|<svg|<canvas|<script|base64|url\(|@import|https?:", html, re.I)
    assert standalone.external_references(html) == []
    # inline styles only place bars; every colour comes from the stylesheet
    assert {re.sub(r"[\d.]+%", "N", s) for s in re.findall(r'style="([^"]*)"', html)} <= {"width:N", "left:N"}


@pytest.mark.parametrize("chart", examples())
def test_every_colour_class_is_a_palette_key(chart):
    classes = set(re.findall(r"\beco-[ct]-(\w+)", chart._repr_html_()))
    assert classes and classes <= set(charts.PALETTE)


def test_one_meaning_per_colour():
    colours = [s.color.lower() for s in charts.PALETTE.values()]
    assert len(set(colours)) == len(colours)
    words = [s.word for s in charts.PALETTE.values()]
    assert len(set(words)) == len(words)
    # 达标 and 已完成 were both green once: each status word has its own key and colour
    assert {w: charts.PALETTE[k].color for w, k in charts.STATUS_KEY.items()}.keys() == {
        "达标", "未达标", "已完成", "未完成", "缺数据"}


def test_stylesheet_colours_are_the_palettes(monkeypatch):
    css = charts.css()
    for key, s in charts.PALETTE.items():
        assert f".eco-c-{key}{{border-color:{s.color}}}" in css
    neutral = {"#3d444d", "#59636e"}  # legend and caption text
    assert set(re.findall(r"#[0-9a-fA-F]{3,6}\b", css)) <= {s.color for s in charts.PALETTE.values()} | neutral
    monkeypatch.setitem(charts.PALETTE, "score", charts.Swatch("得分", "#123456"))
    assert ".eco-c-score{border-color:#123456}" in charts.css()


def test_text_stays_legible_and_bars_print():
    css = charts.css()
    sizes = re.findall(r"font-size:([\d.]+)(em|px)", css)
    # body text is 15 px on a phone: .75em is 11.25 px
    assert sizes and all((float(v) >= 0.75) if u == "em" else (float(v) >= 11) for v, u in sizes)
    assert re.search(r"(?<!-webkit-)print-color-adjust:exact", css)
    # bars are borders, which print even when backgrounds are left out
    assert "background-color" not in css and "border-top-width:1.1em" in css
    assert "@media (max-width:600px)" in css and ".eco-lbl{grid-column:1/-1" in css  # labels above bars on a phone


def test_alt_lists_every_row_and_labels_are_escaped():
    d = pd.DataFrame({"n": ["甲<区>", "乙"], "v": [1, 2]})
    chart = charts.ranked_bars(d, x="v", y="n", unit="分")
    assert chart.alt == "乙:2分;甲<区>:1分"
    html = chart._repr_html_()
    assert "甲&lt;区&gt;" in html and "甲<区>" not in html
    assert '<p class="eco-sr">乙:2分;甲&lt;区&gt;:1分</p>' in html
    assert '<div class="eco-rows" aria-hidden="true">' in html


def test_panel_carries_the_stylesheet_once():
    d = pd.DataFrame({"n": ["甲", "乙"], "v": [1, 2]})
    panel = charts.Panel([charts.ranked_bars(d, x="v", y="n"), charts.gap_list([("指标1", "差距1μg/m³")])])
    assert panel.html.count("<style>") == 1
    assert len(panel.charts) == 1
    assert "<li>指标1:差距1μg/m³</li>" in panel.html
