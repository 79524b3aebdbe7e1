"""Charts as HTML: rows of a label, a bar and the figure, with no image, no script and no
external resource.

Why HTML and not an image or SVG: a report is read on a phone as often as printed. Text in
a PNG (or in an SVG scaled by its ``viewBox``) shrinks with the picture, so a 700-px chart
on a 390-px screen has 6-px labels; here every label and figure is page text in the
reader's own font, at the page's size (≥ 11 px at any width), and labels wrap. Only the
bars are drawn, as ``<i>`` elements whose width is a percentage. A bar is a top border,
not a background, so it prints even where a browser leaves backgrounds out
(``print-color-adjust: exact`` covers the rest). The markup for one chart is a few
kilobytes; a PNG was 40-150.

The seaborn habit is kept: a helper takes the data, keyword-only options after it, and
returns a ``Chart`` that tests read (``chart.rows``: labels, bar segments, figures) rather
than pixels.

**One meaning per colour.** ``PALETTE`` is the only place a chart colour is chosen: each
key (得分, 失分, 达标, 未达标, 已完成, 未完成, 缺数据, 本单位, 其他单位, 上年, 本年 …)
has its own colour, and the CSS is generated from it. A bar names its colour by key
(``eco-c-<key>``), a compliance tile by ``eco-t-<key>``; a legend shows the keys a chart
uses.

**Figures as the tables print them.** A helper is given values; the text beside each bar
is written by ``words.num`` (the tables' helper), so the chart and the table agree.

**Shapes that say something.** Rows with nothing to show are left out by the helpers; a
chart of one row is written as a sentence (a lone bar as wide as the page says nothing);
each chart has one unit of measure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ecoscore import words
from ecoscore.reports import blocks
from ecoscore.rules.base import Outcome


@dataclass(frozen=True)
class Swatch:
    """One meaning and its colour. ``fill``: ``solid`` bar, ``hollow`` bar (an outline),
    ``track`` (drawn behind a bar: the maximum), ``line`` (a dashed mark).
    """

    word: str
    color: str
    fill: str = "solid"


#: Every colour a chart or a compliance tile uses, one meaning each (tests check they differ).
PALETTE: dict[str, Swatch] = {
    "score": Swatch("得分", "#2f6db5"),
    "lost": Swatch("失分", "#c0392b"),
    "possible": Swatch("满分", "#e3e8ee", "track"),
    "met": Swatch(words.OUTCOME[Outcome.MET], "#2e7d32"),
    "not_met": Swatch(words.OUTCOME[Outcome.NOT_MET], "#e67e22"),
    "done": Swatch(words.OUTCOME[Outcome.DONE], "#00838f"),
    "not_done": Swatch(words.OUTCOME[Outcome.NOT_DONE], "#c9a227"),
    "missing": Swatch(words.OUTCOME[Outcome.MISSING], "#9e9e9e"),
    "mine": Swatch("本单位", "#6f3c96"),
    "others": Swatch("其他单位", "#bcaed6"),
    "previous": Swatch("上年", "#7d8b96", "hollow"),
    "current": Swatch("本年", "#37474f"),
    "mean": Swatch("平均", "#333333", "line"),
}

#: The palette key of each status word the report counts (``words.status``).
STATUS_KEY = {PALETTE[k].word: k for k in ("met", "not_met", "done", "not_done", "missing")}

_LAYOUT = """
.eco-chart{margin:.6em 0 1.2em;font-size:.92em;line-height:1.45}
.eco-chart figcaption{font-weight:bold;margin:0 0 .3em}
.eco-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.eco-legend{display:flex;flex-wrap:wrap;gap:.1em 1em;list-style:none;margin:0 0 .4em;padding:0;color:#3d444d}
.eco-legend li{margin:0;white-space:nowrap}
.eco-legend i{display:inline-block;box-sizing:border-box;width:1em;height:1em;border-style:solid;
 border-width:.5em;margin-right:.3em;vertical-align:-.12em}
.eco-rows{display:grid;grid-template-columns:fit-content(16em) minmax(6em,1fr) auto;gap:.3em .6em;
 align-items:center}
.eco-row{display:contents}
.eco-lbl{overflow-wrap:anywhere}
.eco-mine>.eco-lbl{font-weight:bold}
.eco-bar{position:relative;display:flex;height:1.1em}
.eco-bar>i{display:block;box-sizing:border-box;flex:none;height:0;min-width:2px;border-top-style:solid;
 border-top-width:1.1em;position:relative}
.eco-bar>b{position:absolute;left:0;top:0;height:0;border-top-style:solid;border-top-width:1.1em}
.eco-bar>s{position:absolute;top:-.2em;bottom:-.2em;border-left-style:dashed;border-left-width:1.5px}
.eco-val{white-space:nowrap;font-variant-numeric:tabular-nums}
.eco-one p{margin:.2em 0}
.eco-gaps{margin:.2em 0 .4em;padding-left:1.2em}
.eco-chart .eco-cap{color:#59636e;margin:.4em 0 0}
.eco-chart i,.eco-chart b,.eco-chart s,.eco-tile{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.eco-tile[class*=eco-t-]{border-left-width:6px}
@media (max-width:600px){
 .eco-rows{grid-template-columns:minmax(0,1fr) auto;gap:.15em .5em}
 .eco-lbl{grid-column:1/-1;margin-top:.35em}
 .eco-val{white-space:normal;max-width:11em}
}
@media (min-width:601px){.eco-g2>.eco-lbl{grid-row:span 2}}
@media print{.eco-chart{break-inside:avoid;page-break-inside:avoid}}
"""


def _palette_css() -> str:
    """Return one rule per palette colour (``eco-c-<key>``; a status's tile ``eco-t-<key>``),
    and the shape of each hollow bar and dashed mark.
    """
    rules = []
    for key, s in PALETTE.items():
        rules.append(f".eco-c-{key}{{border-color:{s.color}}}")
        if key == "mine":
            rules.append(f".eco-mine>.eco-lbl{{color:{s.color}}}")
        if key in STATUS_KEY.values():
            rules.append(f".eco-tile.eco-t-{key}{{border-left-color:{s.color}}}")
        if s.fill == "hollow":
            rules.append(f".eco-bar>.eco-c-{key}{{height:1.1em;border-width:2px;border-style:solid}}"
                         f".eco-legend .eco-c-{key}{{border-width:2px}}")
        elif s.fill == "line":
            rules.append(f".eco-legend .eco-c-{key}{{border-width:0 0 0 2px;border-style:dashed;width:.6em}}")
    return "".join(rules)


def css() -> str:
    """Return the charts' stylesheet: the layout, then one rule per palette colour."""
    return _LAYOUT.strip() + "\n" + _palette_css()


def style() -> str:
    """Return ``css()`` as a ``<style>`` element, white space squeezed (each chart carries it,
    so that a chart shows the same in a notebook, a report page and the index).
    """
    text = " ".join(css().split())
    for a, b in (("{ ", "{"), ("; ", ";"), (" }", "}"), ("} ", "}"), (", ", ",")):
        text = text.replace(a, b)
    return f"<style>{text}</style>"


def legend(keys: Iterable[str], *, labels: dict[str, str] | None = None) -> str:
    """Return a legend of palette ``keys`` (each once, in the order given); ``labels``
    renames a key's word (``previous`` → "2019年").
    """
    labels = labels or {}
    items = [f'<li><i class="eco-c-{k}"></i>{blocks.esc(labels.get(k, PALETTE[k].word))}</li>'
             for k in dict.fromkeys(keys)]
    return f'<ul class="eco-legend" aria-hidden="true">{"".join(items)}</ul>' if items else ""


# ----------------------------------------------------------------- the model
@dataclass(frozen=True)
class Bar:
    """One bar: ``segments`` (palette key, value ≥ 0) stacked left to right, the figure(s)
    ``text`` as the tables print them, and optionally the maximum ``track`` drawn behind.
    """

    segments: tuple[tuple[str, float], ...]
    text: str
    track: float | None = None

    @property
    def length(self) -> float:
        """Return how far the bar reaches: its segments, or its track if that is longer."""
        return max(sum(v for _, v in self.segments), self.track or 0.0)


@dataclass(frozen=True)
class Row:
    """One labelled row of a chart: usually one bar, two to compare years; ``mine`` marks
    the reader's own unit.
    """

    label: str
    bars: tuple[Bar, ...]
    mine: bool = False

    @property
    def text(self) -> str:
        """Return the row's figures as one phrase."""
        return ",".join(b.text for b in self.bars)


@dataclass
class Chart:
    """A chart ready for a report: ``rows`` drawn to one ``scale`` (the value at full width).

    ``alt`` describes the chart in words for whoever cannot see it (by default every row's
    label and figures); ``note`` is a caption below; ``legend`` the palette keys with a
    meaning here (by default those the bars use); ``labels`` renames legend words; ``mean``
    draws a dashed mark at that value. A chart of one row shows as a sentence, a chart of
    none as a note.
    """

    rows: list[Row]
    title: str = ""
    alt: str = ""
    note: str = ""
    legend: Sequence[str] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    mean: float | None = None
    scale: float | None = None

    def __post_init__(self) -> None:
        if not self.alt:
            self.alt = ";".join(f"{r.label}:{r.text}" for r in self.rows)

    @property
    def keys(self) -> list[str]:
        """Return the palette keys the chart's legend shows."""
        if self.legend is not None:
            return list(self.legend)
        used = [k for r in self.rows for b in r.bars for k, v in b.segments if v > 0]
        if any(b.track for r in self.rows for b in r.bars):
            used.append("possible")
        if self.mean is not None:
            used.append("mean")
        return list(dict.fromkeys(used))

    @property
    def full(self) -> float:
        """Return the value drawn at full width."""
        if self.scale:
            return self.scale
        return max([b.length for r in self.rows for b in r.bars] + [self.mean or 0.0]) or 1.0

    def _repr_html_(self) -> str:
        return style() + self.body()

    def body(self) -> str:
        """Return the chart's HTML without the stylesheet."""
        title = f"<figcaption>{blocks.esc(self.title)}</figcaption>" if self.title else ""
        cap = f'<p class="eco-cap">{blocks.esc(self.note)}</p>' if self.note else ""
        if not self.rows:
            return f'<figure class="eco-chart eco-one">{title}<p>没有可显示的项目。</p>{cap}</figure>'
        if len(self.rows) == 1:
            r = self.rows[0]
            return (f'<figure class="eco-chart eco-one">{title}<p>{blocks.esc(r.label)}:{blocks.esc(r.text)}。</p>'
                    f"{cap}</figure>")
        rows = "".join(self._row(r) for r in self.rows)
        return (f'<figure class="eco-chart">{title}<p class="eco-sr">{blocks.esc(self.alt)}</p>'
                f'{legend(self.keys, labels=self.labels)}<div class="eco-rows" aria-hidden="true">{rows}</div>'
                f"{cap}</figure>")

    def _row(self, row: Row) -> str:
        cls = "eco-row" + (" eco-mine" if row.mine else "") + (" eco-g2" if len(row.bars) == 2 else "")
        out = [f'<div class="{cls}"><span class="eco-lbl">{blocks.esc(row.label)}</span>']
        for b in row.bars:
            parts = []
            if b.track:
                parts.append(f'<b class="eco-c-possible" style="width:{self._pct(b.track)}"></b>')
            parts += [f'<i class="eco-c-{k}" style="width:{self._pct(v)}"></i>' for k, v in b.segments if v > 0]
            if self.mean is not None:
                parts.append(f'<s class="eco-c-mean" style="left:{self._pct(self.mean)}"></s>')
            out.append(f'<span class="eco-bar">{"".join(parts)}</span><span class="eco-val">{blocks.esc(b.text)}</span>')
        return "".join(out) + "</div>"

    def _pct(self, value: float) -> str:
        return f"{min(max(value / self.full * 100, 0.0), 100.0):.2f}".rstrip("0").rstrip(".") + "%"


def _num(x, unit: str = "") -> str:
    return words.num(x, unit) or "—"


def _value(x) -> float:
    return 0.0 if x is None or x != x else float(x)


# ----------------------------------------------------------------- helpers
def section_scores(data: pd.DataFrame, *, y: str = "section", awarded: str = "awarded",
                   possible: str = "possible", title: str = "", note: str = "") -> Chart:
    """Return each section's points against its maximum: the 满分 track, the 得分 bar and
    "得/满分" beside it. A section that only deducts (maximum 0) shows its deduction as a
    失分 bar ("扣6分"); a section with neither points nor a deduction is left out.
    """
    rows = []
    for label, got, top in zip(data[y], data[awarded], data[possible]):
        got, top = _value(got), _value(top)
        if top <= 0 and got == 0:
            continue
        if top <= 0:
            seg = ("lost", -got) if got < 0 else ("score", got)
            rows.append(Row(str(label), (Bar((seg,), words.points(got)),)))
        else:
            segs = (("score", max(got, 0.0)),) if got >= 0 else (("lost", -got),)
            rows.append(Row(str(label), (Bar(segs, f"{_num(got)}/{_num(top)}分", track=top),)))
    return Chart(rows, title=title, note=note)


def status_counts(data: pd.DataFrame, *, y: str = "section",
                  columns: Sequence[str] = ("达标", "未达标", "缺数据"), title: str = "", note: str = "") -> Chart:
    """Return, per section, the count of each status word in ``columns`` (达标, 未完成 …)
    as one stacked bar, every section on one scale (项). Sections counting nothing are left
    out; the legend lists the statuses that occur.
    """
    rows = []
    for _, r in data.iterrows():
        counts = [(c, int(_value(r[c])) if c in r else 0) for c in columns]
        if not any(n for _, n in counts):
            continue
        text = " ".join(f"{c}{n}项" for c, n in counts if n)
        rows.append(Row(str(r[y]), (Bar(tuple((STATUS_KEY[c], float(n)) for c, n in counts if n), text),)))
    return Chart(rows, title=title, note=note)


def ranked_bars(data: pd.DataFrame, *, x: str, y: str, top: int = 10, key: str = "lost", unit: str = "",
                title: str = "", note: str = "") -> Chart:
    """Return the ``top`` largest positive values of ``x`` as bars of colour ``key``,
    largest first, each with its figure and ``unit``.
    """
    d = data[[x, y]].dropna()
    d = d[d[x] > 1e-9].sort_values(x, ascending=False, kind="stable").head(top)
    rows = [Row(str(n), (Bar(((key, float(v)),), _num(v, unit)),)) for v, n in zip(d[x], d[y])]
    return Chart(rows, title=title, note=note)


def completion_bars(data: pd.DataFrame, *, x: str = "value", y: str = "name", top: int = 10, title: str = "",
                    note: str = "") -> Chart:
    """Return tasks by completion (per cent, lowest first): the done part and the part not
    done of each, on a scale of 100%, with "完成x%" (``words.completion``) beside it.
    """
    d = data[[x, y]].dropna().sort_values(x, kind="stable").head(top)
    rows = []
    for v, n in zip(d[x], d[y]):
        v = min(max(float(v), 0.0), 100.0)
        rows.append(Row(str(n), (Bar((("done", v), ("not_done", 100.0 - v)), f"完成{words.completion(v)}"),)))
    return Chart(rows, title=title, note=note, scale=100.0)


def cohort_bars(data: pd.DataFrame, *, x: str, y: str = "unit", highlight: str | None = None, unit: str = "",
                rank: str | None = None, title: str = "", note: str = "", mean: bool = True,
                higher_is_better: bool = True) -> Chart:
    """Return every unit's value of ``x``, in the order of column ``rank`` if given (a unit
    under a veto ranks last whatever its value), else best first: ``highlight`` (the reader's
    unit) in 本单位's colour, the others in 其他单位's, the cohort average as a dashed mark.
    Units without a value are left out.
    """
    d = data.dropna(subset=[x])
    by, ascending = ([rank, x], [True, not higher_is_better]) if rank else ([x], [not higher_is_better])
    d = d.sort_values(by, ascending=ascending, kind="stable", na_position="last")
    rows = [Row(str(u), (Bar((("mine" if u == highlight else "others", float(v)),), _num(v, unit)),), mine=u == highlight)
            for v, u in zip(d[x], d[y])]
    avg = float(d[x].mean()) if len(d) else None
    if mean and avg is not None:
        note = f"虚线为平均值{_num(avg, unit)}。" + note
    return Chart(rows, title=title, note=note, mean=avg if mean else None)


def year_comparison(data: pd.DataFrame, *, y: str = "section", before: str = "previous", after: str = "current",
                    labels: tuple[str, str] = ("上年", "本年"), unit: str = "", title: str = "",
                    note: str = "") -> Chart:
    """Return last year's and this year's value of each row as two bars (上年 hollow, 本年
    solid), each with its year and figure. Rows with a value in neither year are left out
    (which rows have nothing to compare is the caller's to say: 0 can be a result).
    """
    rows = []
    for label, b, a in zip(data[y], data[before], data[after]):
        if b != b and a != a:
            continue
        bars = tuple(Bar(((key, max(_value(v), 0.0)),), f"{year} {_num(v, unit) if v == v else '无数据'}")
                     for key, year, v in (("previous", labels[0], b), ("current", labels[1], a)))
        rows.append(Row(str(label), bars))
    return Chart(rows, title=title, note=note, labels={"previous": labels[0], "current": labels[1]},
                 legend=["previous", "current"])


def gap_list(items: Sequence[tuple[str, str]], *, title: str = "", note: str = "") -> str:
    """Return ``(label, figures)`` pairs as a list under a title (HTML for a ``Panel``): for
    figures in units of their own, which share no scale and so get no bars.
    """
    lis = "".join(f"<li>{blocks.esc(label)}:{blocks.esc(text)}</li>" for label, text in items)
    cap = f'<p class="eco-cap">{blocks.esc(note)}</p>' if note else ""
    head = f"<figcaption>{blocks.esc(title)}</figcaption>" if title else ""
    return f'<figure class="eco-chart">{head}<ul class="eco-gaps">{lis}</ul>{cap}</figure>'


class Panel(blocks.HTMLBlock):
    """Several charts (or pieces of HTML without a stylesheet, such as ``gap_list``) shown one
    after another as one section, the stylesheet once; ``parts`` keeps them for tests.
    """

    def __init__(self, parts: Sequence[Chart | str]):
        self.parts = list(parts)
        super().__init__(style() + "".join(p.body() if isinstance(p, Chart) else p for p in self.parts), css=False)

    @property
    def charts(self) -> list[Chart]:
        """Return the charts among the parts."""
        return [p for p in self.parts if isinstance(p, Chart)]
