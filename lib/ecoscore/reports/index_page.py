"""The cohort index written beside a batch of reports: ranking, cohort chart, links, failures.

The page is stand-alone like the reports (same stylesheet, no script, no request). The
chart is inline SVG drawn here, so its Chinese labels use the reader's own fonts and stay
sharp at any width. Every name and message is escaped by Jinja's autoescape.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from ecoscore import words
from ecoscore.errors import RenderFailure
from ecoscore.reports import departments
from ecoscore.reports.standalone import TEMPLATES, css
from ecoscore.rules.base import fmt
from ecoscore.scoring.result import Result, ScoredCohort


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)


def metric(result: Result) -> tuple[str, pd.Series, float | None]:
    """Return ``(label, value per unit, full scale)`` of the number the cohort is ranked by.

    Points documents: the total (scale: the document's total). Compliance: binding
    indicators met. Task books: tasks done. The series is indexed by unit, in the listing's order.
    """
    s = ordered(result).set_index("unit")
    spec = result.spec
    if spec.family == "points" or spec.total is not None:
        return "总分", s["total"], float(spec.total) if spec.total else None
    if spec.family == "compliance" and s["binding"].max() > 0:
        return "约束性指标达标数", s["binding_met"].astype(float), float(s["binding"].max())
    if s["tasks"].max() > 0:
        return "已完成任务数", s["tasks_done"].astype(float), float(s["tasks"].max())
    return "达标指标数", s["indicators_met"].astype(float), float(s["indicators"].max() or 0) or None


def cohort_svg(values: pd.Series, *, label: str, scale: float | None = None,
               marks: list[tuple[str, float]] | None = None, width: int = 440) -> str:
    """Return an inline SVG bar chart of ``values`` (one bar per unit, in the given order).

    Each row shows the unit's name above its bar and the value at the bar's end; ``marks``
    draws dashed reference lines (e.g. grade thresholds). The SVG scales to its container.
    """
    vals = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]
    top = max([scale or 0.0, *vals, *(m for _, m in marks or [])]) or 1.0
    left, right, row, bar = 8, 56, 40, 14
    head = 26 + (14 if len(marks or []) > 1 else 0)  # room for reference labels on two staggered lines
    inner = width - left - right
    height = head + row * len(vals) + 8

    def x(v: float) -> float:
        return left + inner * max(v, 0.0) / top

    parts = [f'<svg class="cohort-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'style="max-width:560px" aria-label="{escape(label)}">',
             f'<text x="{left}" y="16" font-size="13" fill="#59636e">{escape(label)}</text>']
    for i, (name, v) in enumerate(zip(values.index, vals)):
        y = head + i * row
        parts.append(f'<text x="{left}" y="{y + 13}" font-size="14">{escape(str(name))}</text>'
                     f'<rect x="{left}" y="{y + 19}" width="{x(v) - left:.1f}" height="{bar}" fill="#4c8eda" rx="2"/>'
                     f'<text x="{x(v) + 4:.1f}" y="{y + 31}" font-size="12">{escape(fmt(v))}</text>')
    for k, (name, m) in enumerate(marks or []):
        parts.append(f'<line x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{head - 4 - 14 * (k % 2)}" y2="{height - 4}" '
                     f'stroke="#cf222e" stroke-dasharray="4 3"/><text x="{x(m) + 3:.1f}" y="{head - 6 - 14 * (k % 2)}" '
                     f'font-size="11" fill="#cf222e">{escape(name)} {escape(fmt(m))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def ordered(result: Result) -> pd.DataFrame:
    """Return the summary in the order every listing shows it: rank groups in the document's
    order, then by rank where the document ranks units, else in the document's order.
    """
    s = result.summary
    first = {}
    for u in result.spec.units:
        first.setdefault(u.rank_group or "", len(first))
    key = pd.DataFrame({"g": s["rank_group"].map(first).fillna(len(first)), "r": s["rank"],
                        "o": range(len(s))}, index=s.index)
    return s.loc[key.sort_values(["g", "r", "o"], na_position="last", kind="stable").index]


def _rows(result: Result, links: dict[str, str], failed: set[str],
          depends: dict[str, list[str]] | None = None) -> tuple[list[str], list[dict]]:
    """Return the table's columns and rows: every figure read from the summary, as in the reports.

    ``depends`` maps units to the ambiguities under whose other readings their grade, rank or
    state would differ.
    """
    depends = depends or {}
    spec = result.spec
    s = ordered(result)

    def filled(col: str) -> bool:
        return bool(s[col].fillna("").astype(str).str.len().gt(0).any())

    ranked = bool(s["rank"].notna().any())
    rank_col = "位次" if spec.ranking.kind == "descriptive" else "排名"
    # The short columns a phone shows without scrolling come first; long explanations last.
    show = {
        rank_col: ranked, "分组": ranked and filled("rank_group"), "单位": True,
        "总分": spec.family == "points" or spec.total is not None,
        "等级": filled("grade"), "约束性指标": s["binding"].max() > 0, "任务": s["tasks"].max() > 0,
        "报告": True, "缺数据项": True, "取决于读法": bool(depends), "前置/否决": filled("gates"),
        "结论": filled("verdict"),
    }
    cols = [c for c, on in show.items() if on]
    rows = []
    for r in s.to_dict("records"):
        cells = {
            rank_col: words.rank(r, spec),
            "分组": r["rank_group"] or "",
            "单位": r["unit"] + ("(触发否决)" if r["vetoed"] else ""),
            "总分": fmt(r["total"]),
            "等级": r["grade"] or "",
            "结论": r["verdict"] or "",
            "约束性指标": f"{r['binding_met']}/{r['binding']}" if r["binding"] else "—",
            "任务": f"{r['tasks_done']}/{r['tasks']}" if r["tasks"] else "—",
            "前置/否决": r["gates"] or "",
            "缺数据项": int(r["missing"]),
            "取决于读法": "、".join(depends.get(r["unit"], [])) or "—",
        }
        if r["unit"] in links:
            cells["报告"] = Markup('<a href="{}">查看</a>').format(quote(links[r["unit"]]))
        else:
            cells["报告"] = "生成失败" if r["unit"] in failed else "本次未生成"
        rows.append({"unit": r["unit"], "cells": {c: cells[c] for c in cols}})
    return cols, rows


def index_html(cohort: ScoredCohort, *, links: dict[str, str], failures: list[RenderFailure],
               base: Path | None = None, generated: datetime | None = None) -> str:
    """Return the cohort index page as HTML text, from the same scored result as the reports.

    ``links`` maps units to their report's file name (relative to the index); ``failures``
    are listed with their messages and, relative to ``base``, their kept notebooks.
    """
    result = cohort.current
    spec = result.spec
    label, values, scale = metric(result)
    marks = [(b.grade, float(b.min)) for b in spec.grades if b.min is not None] if label == "总分" else []
    sens = cohort.sensitivity if cohort.sensitivity is not None else pd.DataFrame(columns=["unit", "ambiguity"])
    depends = {u: list(dict.fromkeys(g["ambiguity"])) for u, g in sens.groupby("unit", sort=False)}
    effects = [(r["unit"], words.reading_effect(r, spec)) for r in sens.to_dict("records")]
    cols, rows = _rows(result, links, {f.unit for f in failures}, depends)
    added = dict(zip(result.summary["unit"], result.summary["added"]))
    own = [r for r in rows if not added.get(r["unit"])]
    extra = [{**r, "added": added[r["unit"]]} for r in rows if added.get(r["unit"])]
    depts = [{**d, "href": quote(links[d["department"]]) if d["department"] in links else "",
              "failed": d["department"] in {f.unit for f in failures}}
             for d in departments.overview(spec, result.audit)]
    fails = []
    for f in failures:
        nb = Path(f.notebook) if f.notebook else None
        if nb is not None and base is not None:
            try:
                nb = nb.resolve().relative_to(Path(base).resolve())
            except ValueError:
                pass
        fails.append({"unit": f.unit, "message": f.message,
                      "notebook": nb.as_posix() if nb else "", "href": quote(nb.as_posix()) if nb else ""})
    readings = []
    for a in spec.ambiguities:
        chosen = spec.readings.get(a.id, a.default)
        reading = a.readings.get(chosen)
        readings.append((a.id, a.question, (reading.description if reading else "") or chosen, chosen != a.default))
    chart = Markup(cohort_svg(values, label=label, scale=scale, marks=marks)) if spec.ranking.basis != "none" else ""
    return _env().get_template("cohort_index.html.j2").render(
        spec=spec, year=cohort.year, sample=cohort.sample, scenario=words.scenario_banner(cohort.provenance.get("scenario")), source=cohort.source, ranking=spec.ranking, css=Markup(css()), chart=chart,
        cols=cols, rows=own, added_rows=extra, analyst=spec.analyst_units, departments=depts,
        unit=spec.department_reports, failures=fails, readings=readings, effects=effects, cautions=result.warnings,
        generated=(generated or datetime.now()).strftime("%Y-%m-%d %H:%M"),
        n_links=len(links),
    )
