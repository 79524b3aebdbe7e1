"""The report's charts on real sample units: their figures are the tables' figures, their
colours the one palette's, and they leave out what has nothing to show.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from bs4 import BeautifulSoup

from ecoscore import words
from ecoscore.reports import blocks, charts, report, tables
from tests.reports.test_charts import parse

CHARTS = ["sections_chart", "lost_points_chart", "cohort_chart", "trend_chart", "compliance_grid"]


@cache
def built(doc: str, unit: str) -> report.Report:
    return report.load(None, unit, doc=doc, sensitivity=False)


def soup(obj) -> BeautifulSoup:
    return BeautifulSoup(obj._repr_html_(), "html.parser")


def cells(tr) -> dict[str, str]:
    """Return a scored-table row's figures by their cell class (eco-possible, eco-awarded, eco-lost)."""
    out = {}
    for td in tr.find_all("td"):
        for c in td.get("class") or []:
            if c.startswith("eco-") and c != "eco-wide":
                out[c.removeprefix("eco-")] = td.get_text()
    return out


def table_rows(block) -> list[dict[str, str]]:
    s = BeautifulSoup(block.html, "html.parser")
    head = [th.get_text() for th in s.select("thead th")]
    return [dict(zip(head, (td.get_text() for td in tr.find_all("td")))) for tr in s.select("tbody tr")]


@pytest.mark.parametrize("unit", ["江干区", "拱墅区"])  # 拱墅区: 三 is 524.409…, its printed lines add up to 524.42
def test_section_scores_are_the_scored_tables_section_figures(unit):
    rep = report.Report(built("xx-2020", "江干区").cohort, unit)
    rows = {r["label"]: r["bars"][0] for r in parse(rep.sections_chart())}
    table = BeautifulSoup(rep.table().html, "html.parser")
    sections = {tr["data-group"]: cells(tr) for tr in table.select('tr.eco-sum[data-parent=""]')
                if tr["data-group"] != "总分"}
    assert len(sections) == 5
    # a section with neither points nor a deduction (拱墅区's 四(二) 扣分项: 0) is left out
    shown = {gid: c for gid, c in sections.items() if float(c["possible"]) or float(c["awarded"])}
    assert set(rows) == {tables.section_label(rep.spec, gid) for gid in shown}
    full = max(float(c["possible"]) for c in sections.values())
    for gid, c in shown.items():
        bar = rows[tables.section_label(rep.spec, gid)]
        if float(c["possible"]) > 0:
            assert bar["text"] == f"{c['awarded']}/{c['possible']}分"
            assert bar["track"] == pytest.approx(float(c["possible"]) / full * 100, abs=0.006)
        else:  # 四(二) 扣分项: the deduction as 失分
            assert bar["text"] == f"扣{c['awarded'].removeprefix('-')}分" and c["awarded"].startswith("-")
            assert bar["segments"][0][0] == "lost"
        assert sum(w for _, w in bar["segments"]) == pytest.approx(abs(float(c["awarded"])) / full * 100, abs=0.006)


def test_lost_points_are_the_scored_tables_lost_column():
    rep = built("xx-2020", "江干区")
    rows = parse(rep.lost_points_chart())
    table = BeautifulSoup(rep.table().html, "html.parser")
    lost = {tr["data-id"]: cells(tr)["lost"] for tr in table.select("tr.eco-line")}
    assert len(rows) == 10
    for r in rows:
        assert r["bars"][0]["text"] == f"{lost[r['label'].split(' ', 1)[0]]}分"
    figures = sorted((float(v) for v in lost.values() if v), reverse=True)
    assert [float(r["bars"][0]["text"].removesuffix("分")) for r in rows] == figures[:10]


def test_status_counts_are_the_tiles_counts():
    rep = built("shengzhou-2024", "嵊州市")
    rows = {r["label"]: r["bars"][0] for r in parse(rep.sections_chart())}
    grid = soup(rep.compliance_grid())
    tiles = {}
    for h3 in grid.find_all("h3"):
        keys = [next(c for c in t["class"] if c.startswith("eco-t-")).removeprefix("eco-t-")
                for t in h3.find_next_sibling("div").select(".eco-tile")]
        tiles[h3.get_text()] = " ".join(f"{charts.PALETTE[k].word}{keys.count(k)}项"
                                        for k in charts.PALETTE if k in keys)
    assert {label: bar["text"] for label, bar in rows.items()} == tiles
    outcomes = [r["结果"] for r in table_rows(rep.table()) if r.get("结果") in charts.STATUS_KEY]
    assert sum(int(n) for t in tiles.values() for n in re.findall(r"\d+", t)) == len(outcomes)


def test_without_points_tasks_and_indicators_are_two_parts_with_the_tables_figures():
    rep = built("shengzhou-2024", "嵊州市")
    panel = rep.lost_points_chart()
    assert isinstance(panel, charts.Panel)
    (chart,) = panel.charts  # one chart: tasks, in per cent of the task
    kinds = dict(zip(rep.audit["line_id"], rep.audit["kind"]))
    rows = parse(chart)
    assert rows and {kinds[r["label"].split(" ", 1)[0]] for r in rows} == {"task"}
    assert all(sum(w for _, w in r["bars"][0]["segments"]) == pytest.approx(100) for r in rows)
    tiles = {t.select_one(".eco-id").get_text(): t for t in soup(rep.compliance_grid()).select(".eco-tile")}
    for r in rows:
        assert r["bars"][0]["text"] in tiles[r["label"].split(" ", 1)[0]].get_text()
    # indicators: a list, each gap in its own unit, as the responsibility table gives it
    items = BeautifulSoup(panel.html, "html.parser").select(".eco-gaps li")
    gaps = {r["编号"]: r["差距/失分"] for r in table_rows(rep.department_view()) if "差距/失分" in r}
    assert items
    for li in items:
        line_id = li.get_text().split(" ", 1)[0]
        assert kinds[line_id] == "indicator"
        assert li.get_text().endswith(f"差距{gaps[line_id]}") and gaps[line_id]


def test_sections_with_nothing_to_count_are_left_out():
    rep = built("dongtou-2017", "洞头区")
    chart = rep.sections_chart()
    labels = [r["label"] for r in parse(chart)]
    assert "四 附加考核" not in labels and len(labels) == 12
    assert chart.note.startswith("四 附加考核:扣1分")
    assert "四 附加考核" not in [r["label"] for r in parse(rep.trend_chart())]
    trend = built("xx-2020", "江干区").trend_chart()
    assert "四(二) 扣分项" not in [r["label"] for r in parse(trend)]
    assert trend.note.startswith("四(二) 扣分项:2019年扣")


def test_one_item_is_a_sentence_not_a_full_width_bar():
    rep = report.Report(built("dongtou-2017", "洞头区").cohort, "大门镇")
    s = soup(rep.sections_chart())
    assert s.select(".eco-bar") == []
    assert s.select_one("figure p").get_text() == "二(三) 土壤污染防治行动:已完成1项。"


def test_cohort_chart_in_rank_order_with_the_totals_every_view_shows():
    rep = built("xx-2020", "江干区")
    rows = parse(rep.cohort_chart())
    peers = rep.peers().sort_values("rank")
    assert [r["label"] for r in rows] == list(peers["unit"])
    assert [r["bars"][0]["text"] for r in rows] == [f"{words.num(t)}分" for t in peers["total"]]
    assert [r["label"] for r in rows if r["mine"]] == ["江干区"]


def test_cohort_chart_follows_the_ranks_not_the_totals(monkeypatch):
    """A unit under a 合格否决 veto ranks after the others whatever its total."""
    rep = built("xx-2020", "江干区")
    peers = rep.peers()
    flipped = peers.assign(rank=len(peers) + 1 - peers["rank"])
    monkeypatch.setattr(report.Report, "peers", lambda self, result=None: flipped)
    rows = parse(rep.cohort_chart())
    assert [r["label"] for r in rows] == list(flipped.sort_values("rank")["unit"])


@pytest.mark.parametrize(("doc", "unit"), [("dongtou-2017", "洞头区"), ("shengzhou-2024", "嵊州市")])
def test_no_cohort_chart_where_the_document_does_not_rank(doc, unit):
    out = built(doc, unit).cohort_chart()
    assert isinstance(out, blocks.HTMLBlock) and "eco-bar" not in out.html.split("</style>")[-1]


def test_no_cohort_chart_for_a_department_or_an_unranked_unit(monkeypatch):
    rep = built("shengzhou-2024", "嵊州市")
    dept = report.Report(rep.cohort, rep.unit, rep.spec.department_names()[0])
    assert "不作横向比较" in dept.cohort_chart().html
    xx = built("xx-2020", "江干区")
    row = {**xx.row, "rank": float("nan")}
    monkeypatch.setattr(report.Report, "row", property(lambda self: row))
    assert xx.cohort_chart().html.endswith("江干区不参加本文件的排名,不作横向比较。</p>")


@pytest.mark.parametrize(("doc", "unit"), [("xx-2020", "江干区"), ("dongtou-2017", "洞头区"),
                                           ("shengzhou-2024", "嵊州市")])
def test_charts_use_the_palette_and_no_image(doc, unit):
    rep = built(doc, unit)
    for name in CHARTS:
        html = getattr(rep, name)()._repr_html_()
        assert not re.search(r"<img|base64|<script|<svg", html, re.I), name
        assert set(re.findall(r"\beco-[ct]-(\w+)", html)) <= set(charts.PALETTE), name


def test_compliance_tiles_take_their_status_colour_and_a_legend():
    grid = soup(built("shengzhou-2024", "嵊州市").compliance_grid())
    tiles = grid.select(".eco-tile")
    assert tiles and not grid.select(".eco-ok, .eco-bad, .eco-none")
    for t in tiles:
        (key,) = [c.removeprefix("eco-t-") for c in t["class"] if c.startswith("eco-t-")]
        assert charts.PALETTE[key].word in t.get_text()
    used = {c.removeprefix("eco-t-") for t in tiles for c in t["class"] if c.startswith("eco-t-")}
    legend = [li.get_text() for li in grid.select(".eco-legend li")]
    assert legend == [charts.PALETTE[k].word for k in charts.PALETTE if k in used]
