"""Chart helpers: assertions on the returned Axes (bars, labels), never on pixels.

Every test draws its figure (``png_bytes``), so a missing glyph raises: pyproject's
``filterwarnings`` turns matplotlib's "Glyph … missing from font" warning into an error.
"""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from ecoscore.reports import charts
from tests.conftest import ROOT


def widths(container):
    return [round(p.get_width(), 6) for p in container.patches]


def ticklabels(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


def test_font_is_shipped_registered_and_small():
    assert charts.FONT_PATH.exists()
    assert 1_500_000 < charts.FONT_PATH.stat().st_size < 4_500_000
    assert charts.FONT_FAMILY == "Noto Sans CJK SC Subset"
    found = font_manager.findfont(font_manager.FontProperties(family=charts.FONT_FAMILY), fallback_to_default=False)
    assert found == str(charts.FONT_PATH)
    assert (charts.FONT_PATH.parent / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1


def test_font_covers_every_seed_character():
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(charts.FONT_PATH)).getBestCmap()
    seeds = ROOT / "data" / "seeds"
    text = "".join(p.read_text(encoding="utf-8") for p in seeds.glob("*.txt"))
    lacking = sorted({c for c in text if c.isprintable() and not c.isspace() and ord(c) not in cmap})
    assert lacking == []


def test_missing_glyph_fails_the_test_run():
    ax = charts.new_axes(rows=1)
    ax.set_title("\U00020000")  # CJK Extension B: in neither the subset nor DejaVu Sans
    charts._finish(ax)
    with pytest.raises(UserWarning, match="missing from font"):
        charts.png_bytes(ax)


def test_section_scores_bars_and_labels():
    d = pd.DataFrame({"section": ["一 水环境质量", "二 大气环境质量", "四 扣分项"],
                      "possible": [200, 200, 0], "awarded": [150.5, 200, -6]})
    ax = charts.section_scores(d, title="各部分得分")
    tracks, scores = ax.containers[0], ax.containers[1]
    assert widths(tracks) == [200, 200, 0]
    assert widths(scores) == [150.5, 200, -6]
    # first row at the top
    assert [p.get_y() for p in scores.patches] == sorted((p.get_y() for p in scores.patches), reverse=True)
    assert ticklabels(ax) == ["一 水环境质量", "二 大气环境质量", "四 扣分项"]
    assert [t.get_text() for t in ax.texts] == ["150.5/200", "200/200", "-6"]
    assert ax.get_title(loc="left") == "各部分得分"
    assert ax.get_xlim()[0] < -6
    charts.png_bytes(ax)


def test_status_counts_stacks_each_status():
    d = pd.DataFrame({"section": ["生态安全", "生态经济"], "达标": [3, 1], "未达标": [1, 0], "缺数据": [0, 2]})
    ax = charts.status_counts(d)
    assert [c.get_label() for c in ax.containers] == ["达标", "未达标", "缺数据"]
    assert widths(ax.containers[0]) == [3, 1]
    assert [p.get_x() for p in ax.containers[2].patches] == [4, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["达标", "未达标", "缺数据"]
    charts.png_bytes(ax)


def test_ranked_bars_top_n_largest_first():
    d = pd.DataFrame({"name": ["甲", "乙", "丙", "丁"], "lost": [3, 10, 0, 5.5]})
    ax = charts.ranked_bars(d, x="lost", y="name", top=2, suffix="分")
    assert widths(ax.containers[0]) == [10, 5.5]
    assert ticklabels(ax) == ["乙", "丁"]
    assert ax.containers[0].patches[0].get_y() > ax.containers[0].patches[1].get_y()  # largest on top
    assert [t.get_text() for t in ax.texts] == ["10分", "5.5分"]
    charts.png_bytes(ax)


def test_cohort_bars_highlight_and_mean():
    d = pd.DataFrame({"unit": ["江干区", "拱墅区", "西湖区"], "total": [800, 900.5, 700]})
    ax = charts.cohort_bars(d, x="total", highlight="江干区", xlabel="总分")
    bars = ax.containers[0].patches
    assert [round(p.get_width(), 1) for p in bars] == [900.5, 800, 700]
    colors = [p.get_facecolor() for p in bars]
    assert colors[1] != colors[0] and colors[0] == colors[2]
    assert ticklabels(ax) == ["拱墅区", "江干区", "西湖区"]
    assert ax.lines[0].get_xdata()[0] == pytest.approx(800.1666, rel=1e-4)
    assert any(t.get_text() == " 平均800.17" for t in ax.texts)
    charts.png_bytes(ax)


def test_year_comparison_pairs():
    d = pd.DataFrame({"section": ["一", "二"], "previous": [10, 20], "current": [12, 18]})
    ax = charts.year_comparison(d, labels=("2019年", "2020年"))
    assert widths(ax.containers[0]) == [10, 20]
    assert widths(ax.containers[1]) == [12, 18]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2019年", "2020年"]
    charts.png_bytes(ax)


def test_given_ax_is_used_and_returned():
    fig = Figure()
    ax = fig.add_subplot()
    out = charts.ranked_bars(pd.DataFrame({"n": ["甲"], "v": [1]}), x="v", y="n", ax=ax)
    assert out is ax
    assert len(fig.axes) == 1


def test_no_pyplot_figures_are_left_open():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    charts.section_scores(pd.DataFrame({"section": ["一"], "possible": [1], "awarded": [1]}))
    assert plt.get_fignums() == before


def test_all_text_uses_the_cjk_font():
    ax = charts.section_scores(pd.DataFrame({"section": ["一 水"], "possible": [1], "awarded": [1]}), title="标题")
    families = {tuple(t.get_fontfamily()) for t in [ax.title, *ax.get_yticklabels(), *ax.texts]}
    assert families == {tuple(charts.FONTS)}


def test_chart_displays_as_embedded_png():
    ax = charts.ranked_bars(pd.DataFrame({"n": ["甲<区>"], "v": [1]}), x="v", y="n")
    html = charts.Chart(ax, alt="说明<b>", note="注:1")._repr_html_()
    assert html.startswith('<figure class="eco-chart"')
    assert 'src="data:image/png;base64,' in html
    assert 'alt="说明&lt;b&gt;"' in html and "<figcaption>注:1</figcaption>" in html
    assert "http" not in html


def test_wrap_label():
    assert charts.wrap_label("一二三四五", 2) == "一二\n三四\n五"
