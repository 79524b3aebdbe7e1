"""HTML building blocks for the per-unit reports: header, narrative, compliance grid, tables.

Every function returns an ``HTMLBlock`` (which a notebook displays as HTML) or a string of
HTML. All text that comes from facts, specs or users (unit names, notes, evidence,
reasons, clauses) goes through ``esc``; nothing here fetches anything from the network.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from ecoscore.rules.base import fmt

CSS = """<style>
.eco-banner{background:#fff4e5;border:1px solid #f0b37e;color:#8a4b08;padding:6px 12px;
  border-radius:4px;font-weight:bold;margin:.4em 0}
.eco-sub{color:#59636e;margin:.1em 0 .6em}
.eco-kpis{display:flex;flex-wrap:wrap;gap:8px;margin:.6em 0}
.eco-kpi{border:1px solid #d0d7de;border-radius:6px;padding:6px 12px;min-width:7em}
.eco-kpi b{display:block;font-size:1.35em;line-height:1.3}
.eco-kpi span{color:#59636e;font-size:.85em}
.eco-warn{border-left:4px solid #cf222e;background:#fff5f5;padding:6px 12px;margin:.5em 0}
.eco-info{border-left:4px solid #9a6700;background:#fff8c5;padding:6px 12px;margin:.5em 0}
.eco-note{color:#59636e;font-size:.9em}
.eco-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(10em,1fr));gap:6px;margin:.3em 0 1em}
.eco-tile{border-radius:6px;padding:6px 8px;border:1px solid #d0d7de;font-size:.9em;line-height:1.45}
.eco-tile .eco-id{color:#59636e;font-size:.85em}
.eco-badge{display:inline-block;font-size:.75em;padding:0 4px;border-radius:3px;
  border:1px solid #59636e;color:#59636e;margin-left:4px;white-space:nowrap}
.eco-badge.eco-binding{border-color:#cf222e;color:#cf222e}
.eco-narr dt{font-weight:bold;margin-top:.5em}
.eco-narr dd{margin:0 0 .3em 0}
details.eco-clause summary{cursor:pointer;color:#0969da}
table.eco-table td{min-width:3.5em}
table.eco-table td:first-child{white-space:nowrap}
table.eco-table td.eco-wide{min-width:14em}
table.eco-scored tr.eco-head th{background:#f0f3f6;text-align:left}
table.eco-scored tr.eco-sum td{background:#f6f8fa;border-top:1px solid #8c959f}
table.eco-scored tr.eco-total td{background:#e8eef5;font-weight:bold;border-top:2px solid #57606a}
table.eco-scored tr.eco-adj td{color:#9a6700;font-style:italic}
table.eco-scored tr.eco-short td.eco-lost{color:#cf222e;font-weight:bold}
table.eco-scored tr.eco-missing td{background:#eeeeee}
td.eco-outcome.eco-ok{color:#1a7f37}
td.eco-outcome.eco-bad{color:#cf222e;font-weight:bold}
td.eco-outcome.eco-part{color:#9a6700}
.eco-reading{border-left:4px solid #8250df;background:#fbefff;padding:6px 12px;margin:.5em 0}
.eco-formula{font-family:inherit;background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:4px 10px;margin:.4em 0}
</style>"""



class HTMLBlock:
    """A piece of report HTML; IPython and nbconvert display it as ``text/html``."""

    def __init__(self, body: str, *, css: bool = True):
        self.html = (CSS + body) if css else body

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<HTMLBlock: {len(self.html)} 字符>"


def esc(text) -> str:
    """Return ``text`` HTML-escaped (None and NaN become an empty string)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return html.escape(str(text), quote=True)


def multiline(text) -> str:
    """Return ``text`` escaped with its line breaks kept as ``<br>``."""
    return "<br>".join(esc(part) for part in str(text or "").split("\n"))


def clause(text: str, *, summary: str = "条款原文") -> str:
    """Return a collapsed ``<details>`` element holding a clause, escaped."""
    if not text:
        return ""
    return (f'<details class="eco-clause"><summary>{esc(summary)}</summary>'
            f"{multiline(text)}</details>")


def note(text: str, *, kind: str = "note") -> HTMLBlock:
    """Return a short message as a block (``kind``: note, info or warn)."""
    tag = "p" if kind == "note" else "div"
    return HTMLBlock(f'<{tag} class="eco-{kind}">{esc(text)}</{tag}>')


def kpi(value: str, caption: str, key: str = "") -> str:
    """Return one key figure box (value above, caption below), escaped; ``key`` names the
    figure (``total``, ``grade``, ``rank`` …) in a ``data-kpi`` attribute.
    """
    attr = f' data-kpi="{esc(key)}"' if key else ""
    return f'<div class="eco-kpi"{attr}><b>{esc(value)}</b><span>{esc(caption)}</span></div>'


def header(*, unit: str, document: str, subtitle: str, kpis: Sequence[tuple[str, str]],
           sample: bool, notices: Sequence[tuple[str, str]] = (), details: str = "") -> HTMLBlock:
    """Return the report header.

    ``kpis`` are ``(value, caption)`` or ``(value, caption, key)`` tuples; ``notices`` are ``(kind, text)`` pairs shown
    below them (kind ``warn`` or ``info``); ``details`` is trusted HTML appended at the end
    (already escaped by the caller).
    """
    parts = ['<div class="eco-head">']
    if sample:
        parts.append('<div class="eco-banner">示例数据,非官方数据</div>')
    parts.append(f"<h1>{esc(unit)}</h1>")
    parts.append(f'<p class="eco-sub">{esc(document)}<br>{esc(subtitle)}</p>')
    parts.append('<div class="eco-kpis">' + "".join(kpi(*k) for k in kpis) + "</div>")
    for kind, text in notices:
        parts.append(f'<div class="eco-{kind}" data-notice="{esc(kind)}">{esc(text)}</div>')
    parts.append(details)
    parts.append("</div>")
    return HTMLBlock("".join(parts))


def narrative(paragraphs: Iterable[tuple[str, str]]) -> HTMLBlock:
    """Return ``(heading, text)`` pairs as a definition list."""
    items = "".join(f"<dt>{esc(h)}</dt><dd>{esc(t)}</dd>" for h, t in paragraphs)
    return HTMLBlock(f'<dl class="eco-narr">{items}</dl>')


def table(rows: Sequence[Sequence[str]], columns: Sequence[str], *, numeric: Sequence[str] = (),
          trusted: Sequence[str] = (), wide: Sequence[str] = (), caption: str = "", phone: bool = False) -> str:
    """Return an HTML table; cells are escaped except the columns named in ``trusted``
    (already-built HTML such as ``clause``). ``numeric`` columns are right-aligned;
    ``wide`` columns (long text) keep a readable width on a phone, the table scrolling
    sideways instead. With ``phone`` each row becomes a card on a phone, as the scored table's
    (its first column, then a ``wide`` second column, lead the card).
    """
    num = {columns.index(c) for c in numeric if c in columns}
    raw = {columns.index(c) for c in trusted if c in columns}
    big = {columns.index(c) for c in wide if c in columns}
    cls = {k: ' class="num"' if k in num else (' class="eco-wide"' if k in big else "") for k in range(len(columns))}
    head = "".join(f"<th{cls[k] if k in num else ''}>{esc(c)}</th>" for k, c in enumerate(columns))
    body = []
    for row in rows:
        cells = []
        for k, v in enumerate(row):
            text = v if k in raw else multiline(v)
            cells.append(f"<td{cls[k]}>{text}</td>" if text else "<td></td>")  # an empty cell needs no class
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    kind = "eco-table eco-phone" if phone else "eco-table"
    return f'<table class="{kind}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def tile(*, line_id: str, title: str, status: str, css_class: str, detail: str = "",
         attribute: str = "") -> str:
    """Return one tile of the compliance grid, escaped."""
    badge = ""
    if attribute:
        extra = " eco-binding" if attribute == "约束性" else ""
        badge = f'<span class="eco-badge{extra}">{esc(attribute)}</span>'
    return (f'<div class="eco-tile {css_class}"><span class="eco-id">{esc(line_id)}</span>{badge}'
            f"<br><b>{esc(title)}</b><br>{esc(status)}"
            + (f"<br>{esc(detail)}" if detail else "") + "</div>")


def grid(sections: Sequence[tuple[str, Sequence[str]]], *, legend: str = "") -> HTMLBlock:
    """Return tiles grouped under section headings (``(heading, [tile html, ...])``)."""
    parts = [f'<p class="eco-note">{esc(legend)}</p>'] if legend else []
    for heading, tiles in sections:
        parts.append(f"<h3>{esc(heading)}</h3>")
        parts.append('<div class="eco-grid">' + "".join(tiles) + "</div>")
    return HTMLBlock("".join(parts))


def number(x, suffix: str = "") -> str:
    """Return ``fmt(x)`` plus ``suffix``, or an empty string for a missing number."""
    s = fmt(x)
    return "" if s == "—" else s + suffix
