"""Chart helpers, the seaborn way: data first, keyword-only options, optional ``ax=``, return the Axes.

A helper never draws on pyplot's "current axes": without ``ax`` it makes a new Figure that
pyplot does not track (so nothing leaks between notebook cells). All text uses the CJK
font shipped in ``fonts/`` (a subset of Noto Sans CJK SC, SIL OFL 1.1), registered with
matplotlib's font manager when this module is imported, so Chinese renders on a machine
with no system CJK font.

``Chart`` wraps an Axes for display: a notebook shows it as an embedded PNG (no network,
no external file), which is what the offline HTML reports need.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from ecoscore.paths import FONT_PATH
from ecoscore.rules.base import fmt

font_manager.fontManager.addfont(str(FONT_PATH))
#: The family name of the shipped font ("Noto Sans CJK SC Subset").
FONT_FAMILY = font_manager.FontProperties(fname=str(FONT_PATH)).get_name()
#: Font list given to every text artist: the CJK subset, then matplotlib's own font.
FONTS = [FONT_FAMILY, "DejaVu Sans"]

GOOD = "#2e7d32"
BAD = "#c62828"
MISSING = "#9e9e9e"
TRACK = "#dde3e8"
SCORE = "#1f6fb2"
OTHERS = "#a7b6c2"
HIGHLIGHT = "#e0701c"
BEFORE = "#9cb3c9"
AFTER = "#1f6fb2"
STATUS_COLORS = {"达标": GOOD, "已完成": GOOD, "未达标": BAD, "未完成": BAD, "缺数据": MISSING}


def new_axes(*, rows: int = 5, width: float = 5.8) -> Axes:
    """Return Axes on a new Figure (not tracked by pyplot) tall enough for ``rows`` bars."""
    height = min(max(1.5 + 0.4 * rows, 2.4), 13.0)
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig.add_subplot()


def wrap_label(text: str, width: int = 12) -> str:
    """Break a long Chinese label into lines of at most ``width`` characters."""
    text = str(text)
    return "\n".join(text[i:i + width] for i in range(0, len(text), width)) or text


def _finish(ax: Axes, *, title: str | None = None, xlabel: str | None = None) -> Axes:
    if title:
        # a legend sits in the row just above the axes; the title goes above it
        ax.set_title(title, loc="left", fontsize=12, pad=24 if ax.get_legend() else 6)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    for t in ax.findobj(Text):
        t.set_fontfamily(FONTS)
    return ax


def _xlim(ax: Axes, values: np.ndarray) -> None:
    """Set x limits from 0 to the data with room for the bar labels on either side."""
    v = np.nan_to_num(np.asarray(values, dtype=float))
    lo, hi = min(0.0, v.min(initial=0.0)), max(0.0, v.max(initial=0.0))
    span = (hi - lo) or 1.0
    ax.set_xlim(lo - (0.16 * span if lo < 0 else 0.0), hi + 0.18 * span)


def _ax(ax: Axes | None, rows: int) -> Axes:
    return ax if ax is not None else new_axes(rows=rows)


def section_scores(data: pd.DataFrame, *, y: str = "section", awarded: str = "awarded",
                   possible: str = "possible", ax: Axes | None = None, title: str | None = None,
                   xlabel: str = "分") -> Axes:
    """Draw each section's score against its maximum as horizontal bars.

    ``data`` has one row per section: a label column ``y``, the points ``awarded`` and the
    points ``possible``. The grey track shows the maximum, the blue bar the score; the
    first row is drawn at the top. Containers: ``ax.containers[0]`` maxima, ``[1]`` scores.
    """
    ax = _ax(ax, len(data))
    pos = np.arange(len(data))[::-1]
    labels = [wrap_label(s) for s in data[y]]
    top = data[possible].fillna(0).to_numpy(dtype=float)
    got = data[awarded].fillna(0).to_numpy(dtype=float)
    ax.barh(pos, top, color=TRACK, height=0.6, label="满分")
    bars = ax.barh(pos, got, color=np.where(got < 0, BAD, SCORE), height=0.6, label="得分")
    ax.bar_label(bars, labels=[f"{fmt(g)}/{fmt(t)}" if t else fmt(g) for g, t in zip(got, top)],
                 padding=3, fontsize=9)
    ax.set_yticks(pos, labels)
    _xlim(ax, np.concatenate([top, got]))
    ax.axvline(0, color="#555555", linewidth=0.8)
    return _finish(ax, title=title, xlabel=xlabel)


def status_counts(data: pd.DataFrame, *, y: str = "section",
                  columns: Sequence[str] = ("达标", "未达标", "缺数据"), ax: Axes | None = None,
                  title: str | None = None, xlabel: str = "项数") -> Axes:
    """Draw stacked horizontal bars counting each status per section (达标/未达标/缺数据 …).

    ``data`` has a label column ``y`` and one count column per status in ``columns``;
    ``ax.containers[k]`` holds the bars of ``columns[k]``.
    """
    ax = _ax(ax, len(data))
    pos = np.arange(len(data))[::-1]
    left = np.zeros(len(data))
    for col in columns:
        vals = data[col].fillna(0).to_numpy(dtype=float) if col in data else np.zeros(len(data))
        bars = ax.barh(pos, vals, left=left, height=0.6, label=col, color=STATUS_COLORS.get(col, OTHERS))
        ax.bar_label(bars, labels=[fmt(v) if v else "" for v in vals], label_type="center",
                     color="white", fontsize=9)
        left += vals
    ax.set_yticks(pos, [wrap_label(s) for s in data[y]])
    ax.set_xlim(0, max(left.max(initial=0), 1) * 1.05)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower left", ncols=len(columns), fontsize=9, frameon=False,
              bbox_to_anchor=(0.0, 1.0), borderaxespad=0.2, handlelength=1.2, columnspacing=1.0)
    return _finish(ax, title=title, xlabel=xlabel)


def ranked_bars(data: pd.DataFrame, *, x: str, y: str, top: int = 10, ax: Axes | None = None,
                title: str | None = None, xlabel: str | None = None, color: str = BAD,
                suffix: str = "") -> Axes:
    """Draw the ``top`` largest values of ``x`` as horizontal bars, largest at the top.

    Rows whose value is missing or not positive are left out. Each bar is labelled with
    its value followed by ``suffix`` (e.g. "分").
    """
    d = data[[x, y]].dropna()
    d = d[d[x] > 0].sort_values(x, ascending=False, kind="stable").head(top)
    ax = _ax(ax, max(len(d), 1))
    pos = np.arange(len(d))[::-1]
    bars = ax.barh(pos, d[x].to_numpy(dtype=float), color=color, height=0.6)
    ax.bar_label(bars, labels=[f"{fmt(v)}{suffix}" for v in d[x]], padding=3, fontsize=9)
    ax.set_yticks(pos, [wrap_label(s, 18) for s in d[y]])
    _xlim(ax, d[x].to_numpy(dtype=float))
    return _finish(ax, title=title, xlabel=xlabel)


def cohort_bars(data: pd.DataFrame, *, x: str, y: str = "unit", highlight: str | None = None,
                ax: Axes | None = None, title: str | None = None, xlabel: str | None = None,
                mean: bool = True, higher_is_better: bool = True) -> Axes:
    """Draw every unit's value of ``x`` as horizontal bars, best at the top.

    The bar of ``highlight`` is coloured; ``mean`` draws the cohort average as a dashed
    line. Units without a value are left out.
    """
    d = data[[x, y]].dropna().sort_values(x, ascending=not higher_is_better, kind="stable")
    ax = _ax(ax, len(d))
    pos = np.arange(len(d))[::-1]
    vals = d[x].to_numpy(dtype=float)
    colors = [HIGHLIGHT if u == highlight else OTHERS for u in d[y]]
    bars = ax.barh(pos, vals, color=colors, height=0.7)
    ax.bar_label(bars, labels=[fmt(v) for v in vals], padding=3, fontsize=8)
    ax.set_yticks(pos, [str(u) for u in d[y]])
    for lbl, u in zip(ax.get_yticklabels(), d[y]):
        if u == highlight:
            lbl.set_color(HIGHLIGHT)
    if mean and len(vals):
        avg = float(vals.mean())
        ax.axvline(avg, color="#444444", linestyle="--", linewidth=1)
        ax.text(avg, 1.0, f" 平均{fmt(avg)}", transform=ax.get_xaxis_transform(), va="bottom",
                ha="left", fontsize=8, color="#444444")
    _xlim(ax, vals)
    return _finish(ax, title=title, xlabel=xlabel)


def year_comparison(data: pd.DataFrame, *, y: str = "section", before: str = "previous",
                    after: str = "current", labels: tuple[str, str] = ("上年", "本年"),
                    ax: Axes | None = None, title: str | None = None,
                    xlabel: str | None = None) -> Axes:
    """Draw last year's and this year's value of each row side by side.

    ``ax.containers[0]`` holds the ``before`` bars, ``[1]`` the ``after`` bars.
    """
    ax = _ax(ax, len(data) * 1.5)
    pos = np.arange(len(data))[::-1].astype(float)
    h = 0.38
    b = data[before].to_numpy(dtype=float)
    a = data[after].to_numpy(dtype=float)
    bars_b = ax.barh(pos + h / 2, np.nan_to_num(b), height=h, color=BEFORE, label=labels[0])
    bars_a = ax.barh(pos - h / 2, np.nan_to_num(a), height=h, color=AFTER, label=labels[1])
    ax.bar_label(bars_b, labels=[fmt(v) for v in b], padding=3, fontsize=8)
    ax.bar_label(bars_a, labels=[fmt(v) for v in a], padding=3, fontsize=8)
    ax.set_yticks(pos, [wrap_label(s) for s in data[y]])
    _xlim(ax, np.concatenate([b, a]))
    ax.legend(loc="lower left", ncols=2, fontsize=9, frameon=False, bbox_to_anchor=(0.0, 1.0),
              borderaxespad=0.2, handlelength=1.2)
    return _finish(ax, title=title, xlabel=xlabel)


def png_bytes(ax: Axes, *, dpi: int = 120) -> bytes:
    """Return the Axes' figure as PNG bytes (drawing it; glyph warnings surface here)."""
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


class Chart:
    """A chart ready for a report: shows as an embedded PNG with alternative text.

    ``ax`` is the Axes drawn (tests assert on it); ``alt`` describes the chart in words
    for readers who cannot see it; ``note`` is an optional caption.
    """

    def __init__(self, ax: Axes, *, alt: str, note: str = ""):
        self.ax = ax
        self.alt = alt
        self.note = note

    @property
    def figure(self) -> Figure:
        """Return the matplotlib Figure."""
        return self.ax.figure

    def _repr_html_(self) -> str:
        data = base64.b64encode(png_bytes(self.ax)).decode("ascii")
        cap = f"<figcaption>{html.escape(self.note)}</figcaption>" if self.note else ""
        return (f'<figure class="eco-chart" style="margin:0.5em 0">'
                f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" '
                f'style="max-width:100%;height:auto">{cap}</figure>')
