"""The cohort index: ranking, inline SVG chart, links and failures, all escaped."""

from __future__ import annotations

import re

import pandas as pd

from ecoscore import load_spec, score
from ecoscore.errors import RenderFailure
from ecoscore.reports.index_page import cohort_svg, index_html, metric
from ecoscore.scoring.result import ScoredCohort
from tests.conftest import FIXTURES

ODD = FIXTURES / "odd_unit_names.yaml"
EVIL = "<img src=x onerror=alert(1)>&\"'"


def test_cohort_svg_draws_one_bar_per_unit_in_order_with_escaped_names():
    svg = cohort_svg(pd.Series([90.0, 45.5, float("nan")], index=["甲区", EVIL, "丙县"]), label="总分",
                     scale=100, marks=[("优秀", 90), ("合格", 60)])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths[0] > widths[1] > widths[2] == 0
    assert "&lt;img src=x onerror=alert(1)&gt;&amp;&#34;&#39;" in svg and "<img" not in svg
    assert svg.count("<line") == 2 and "优秀 90" in svg
    assert "http" not in svg


def test_metric_follows_the_family():
    assert metric(score(load_spec("lishui-2024")))[0] == "总分"
    assert metric(score(load_spec("shengzhou-2024")))[0] == "约束性指标达标数"
    assert metric(score(load_spec("dongtou-2017")))[0] in ("已完成任务数", "达标指标数")


def test_index_lists_failures_links_reports_and_escapes_everything(tmp_path):
    spec = load_spec(ODD)
    cohort = ScoredCohort(spec, 2021, score(spec), provenance={"source": "测试数据", "sample": True})
    failure = RenderFailure(EVIL, "ValueError: <b>坏</b> & 'x'", str(tmp_path / "_failed" / "e.ipynb"))
    page = index_html(cohort, links={"江干区": "江干区.html", "CON": "_CON.html"},
                      failures=[failure], base=tmp_path)
    assert "示例数据,非官方数据" in page
    assert '<html lang="zh-CN">' in page and "<script" not in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "ValueError: &lt;b&gt;坏&lt;/b&gt; &amp; &#39;x&#39;" in page
    assert 'href="_failed/e.ipynb"' in page
    assert 'href="%E6%B1%9F%E5%B9%B2%E5%8C%BA.html"' in page and 'href="_CON.html"' in page
    assert page.count("生成失败") == 2  # the heading and the unit's row
    assert "已生成报告 2 份" in page
