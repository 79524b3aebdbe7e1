"""The cohort index written beside a batch of reports: ranking, cohort chart, links, failures.

The page is stand-alone like the reports (same stylesheet, no script, no request). The
chart is inline SVG drawn here, so its Chinese labels use the reader's own fonts and stay
sharp at any width. Every name and message is escaped by Jinja's autoescape.

A cohort with many units an analyst added (``Spec.analyst_units``; more than ``GROUP_ABOVE``,
such as every county of the country) is split (``index_pages``): the main page keeps the
document's own units and a table of groups with their counts, and each group gets a page of
its own (``分组-<name>.html``) listing its units by subgroup. The groups are the analyst's
grouping from the facts file (province, city: ``ScoredCohort.groups``), else the analyst's
category of each unit, else blocks of ``GROUP_ABOVE`` in file order — never the document's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
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


MAIN_PAGE = "index.html"
#: Analyst-added units above which the index is split into a page per group.
GROUP_ABOVE = 200
GROUP_PAGE_PREFIX = "分组-"
UNGROUPED = "未分组"


def _rows(result: Result, links: dict[str, str], failed: set[str],
          depends: dict[str, list[str]] | None = None, not_made: str = "本次未生成") -> tuple[list[str], list[dict]]:
    """Return the table's columns and rows: every figure read from the summary, as in the reports.

    ``depends`` maps units to the ambiguities under whose other readings their grade, rank or
    state would differ; ``not_made`` is shown for a unit with no report in this set.
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
            cells["报告"] = "生成失败" if r["unit"] in failed else not_made
        rows.append({"unit": r["unit"], "status": r["compliance"] or "", "cells": {c: cells[c] for c in cols}})
    return cols, rows


def index_html(cohort: ScoredCohort, *, links: dict[str, str], failures: list[RenderFailure],
               base: Path | None = None, generated: datetime | None = None) -> str:
    """Return the cohort index page as HTML text, from the same scored result as the reports.

    ``links`` maps units to their report's file name (relative to the index); ``failures``
    are listed with their messages and, relative to ``base``, their kept notebooks. For a
    cohort split into group pages this is the main page (``index_pages`` returns them all).
    """
    return index_pages(cohort, links=links, failures=failures, base=base, generated=generated)[MAIN_PAGE]


def index_pages(cohort: ScoredCohort, *, links: dict[str, str], failures: list[RenderFailure],
                base: Path | None = None, generated: datetime | None = None,
                group_above: int = GROUP_ABOVE) -> dict[str, str]:
    """Return ``{file name: HTML}`` of the cohort index: ``index.html``, and when more than
    ``group_above`` units were added by the analyst, one page per group (``分组-<name>.html``)
    which the main page links. A smaller cohort has the one page, as it always had.
    """
    result = cohort.current
    spec = result.spec
    label, values, scale = metric(result)
    marks = [(b.grade, float(b.min)) for b in spec.grades if b.min is not None] if label == "总分" else []
    sens = cohort.sensitivity if cohort.sensitivity is not None else pd.DataFrame(columns=["unit", "ambiguity"])
    depends = {u: list(dict.fromkeys(g["ambiguity"])) for u, g in sens.groupby("unit", sort=False)}
    added = dict(zip(result.summary["unit"], result.summary["added"]))
    n_added = sum(1 for v in added.values() if v)
    grouped = n_added > group_above
    failed = {f.unit for f in failures}
    cols, rows = _rows(result, links, failed, depends, not_made="—" if grouped else "本次未生成")
    own = [r for r in rows if not added.get(r["unit"])]
    extra = [{**r, "added": added[r["unit"]]} for r in rows if added.get(r["unit"])]
    depts = [{**d, "href": quote(links[d["department"]]) if d["department"] in links else "",
              "failed": d["department"] in failed}
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
    if grouped:  # the chart of the document's own units: thousands of bars read as nothing
        values = values[[u for u in values.index if not added.get(u)]]
    chart = Markup(cohort_svg(values, label=label, scale=scale, marks=marks)) if spec.ranking.basis != "none" else ""
    effects = [(r["unit"], words.reading_effect(r, spec)) for r in sens.to_dict("records")
               if not grouped or not added.get(r["unit"])]
    common = dict(spec=spec, year=cohort.year, sample=cohort.sample,
                  scenario=words.scenario_banner(cohort.provenance.get("scenario")), source=cohort.source,
                  css=Markup(css()), cols=cols, analyst=spec.analyst_units, n_links=len(links),
                  generated=(generated or datetime.now()).strftime("%Y-%m-%d %H:%M"))
    env = _env()
    if not grouped:
        return {MAIN_PAGE: env.get_template("cohort_index.html.j2").render(
            **common, ranking=spec.ranking, chart=chart, rows=own, added_rows=extra, departments=depts,
            unit=spec.department_reports, failures=fails, readings=readings, effects=effects,
            cautions=result.warnings)}
    plan = group_plan(cohort, [r["unit"] for r in extra])
    by_unit = {r["unit"]: r for r in extra}
    pages, summary = {}, []
    effect_rows = [(r["unit"], words.reading_effect(r, spec)) for r in sens.to_dict("records")]
    for g in plan.groups:
        members = [u for _, us in g.sections for u in us]
        statuses = [by_unit[u]["status"] for u in members]
        summary.append({"name": g.name, "href": quote(g.file), "n": len(members),
                        **{k: statuses.count(k) for k in words.COMPLIANCE},
                        "depends": sum(1 for u in members if u in depends)})
        inside = set(members)
        pages[g.file] = env.get_template("cohort_group.html.j2").render(
            **common, group=g.name, basis=plan.basis, level=plan.level, sublevel=plan.sublevel,
            sections=[{"name": name, "rows": [by_unit[u] for u in us]} for name, us in g.sections],
            effects=[(u, e) for u, e in effect_rows if u in inside], back=quote(MAIN_PAGE))
    counts = sens[sens["unit"].map(lambda u: bool(added.get(u)))] if len(sens) else sens
    effect_counts = []
    if len(counts):
        for (amb, reading), g in counts.groupby(["ambiguity", "reading"], sort=False):
            effect_counts.append({"ambiguity": amb, "reading": _reading_text(spec, amb, reading),
                                  "units": int(g["unit"].nunique())})
    total = {"n": sum(x["n"] for x in summary), **{k: sum(x[k] for x in summary) for k in words.COMPLIANCE},
             "depends": sum(x["depends"] for x in summary)}
    main = env.get_template("cohort_index.html.j2").render(
        **common, ranking=spec.ranking, chart=chart, rows=own, added_rows=[], departments=depts,
        unit=spec.department_reports, failures=fails, readings=readings, effects=effects,
        cautions=result.warnings, grouped=True, groups=summary, group_total=total, basis=plan.basis,
        level=plan.level, effect_counts=effect_counts, n_added=n_added,
        own_names="、".join(r["unit"] for r in own), compliance=words.COMPLIANCE,
        compliant=spec.family == "compliance")
    return {MAIN_PAGE: main, **pages}


@dataclass
class Group:
    """One group page: its name, file and sections (subgroup name, units in file order)."""

    name: str
    file: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class GroupPlan:
    """How a large cohort's added units are split: ``basis`` says by what (in Chinese, for the
    pages), ``level``/``sublevel`` name a group and a section ("省份", "城市").
    """

    basis: str
    level: str
    sublevel: str
    groups: list[Group]


def group_plan(cohort: ScoredCohort, units: list[str], size: int = GROUP_ABOVE) -> GroupPlan:
    """Return how ``units`` (the analyst-added units, in file order) are split into pages.

    By the analyst's province and city (``ScoredCohort.groups``) when any unit has one, a unit
    without one under 未分组 (last); else by the analyst's category of each unit (the summary's
    ``added``), in blocks of ``size``; else in blocks of ``size`` in file order.
    """
    g = cohort.groups
    if g is not None and len(g) and g["province"].fillna("").astype(str).str.strip().ne("").any():
        table = g.set_index("unit")
        keyed = {}
        for u in units:
            prov = str(table.at[u, "province"]).strip() if u in table.index else ""
            city = str(table.at[u, "city"]).strip() if u in table.index else ""
            keyed.setdefault(prov or UNGROUPED, {}).setdefault(city or UNGROUPED, []).append(u)
        order = [k for k in keyed if k != UNGROUPED] + ([UNGROUPED] if UNGROUPED in keyed else [])
        return GroupPlan("分析人员在数据文件中填写的省份、城市(分析人员分组,非考核文件内容)", "省份", "城市",
                         _named([(k, [(c, us) for c, us in _last(keyed[k]).items()]) for k in order]))
    summary = cohort.current.summary.set_index("unit")["added"]
    cats = {}
    for u in units:
        cats.setdefault(str(summary.get(u, "")), []).append(u)
    if len(cats) > 1:
        return GroupPlan("分析人员填报的类别(非考核文件内容;数据文件未填写省份、城市)", "类别", "序号",
                         _named([(k, _blocks(us, size)) for k, us in cats.items()]))
    return GroupPlan(f"数据文件中的顺序,每{size}个一组(数据文件未填写省份、城市)", "分组", "序号",
                     _named([(f"第{a}–{b}个", [(f"第{a}–{b}个", us)]) for (a, b), us in _spans(units, size)]))


def _last(sub: dict[str, list[str]]) -> dict[str, list[str]]:
    """Return the subgroups in file order with 未分组 last."""
    return {k: v for k, v in sub.items() if k != UNGROUPED} | ({UNGROUPED: sub[UNGROUPED]} if UNGROUPED in sub else {})


def _spans(units: list[str], size: int):
    for i in range(0, len(units), size):
        yield (i + 1, min(i + size, len(units))), units[i:i + size]


def _blocks(units: list[str], size: int) -> list[tuple[str, list[str]]]:
    if len(units) <= size:
        return [("", units)]
    return [(f"第{a}–{b}个", us) for (a, b), us in _spans(units, size)]


def _named(groups: list[tuple[str, list[tuple[str, list[str]]]]]) -> list[Group]:
    """Return the groups with a file name each (``分组-<name>.html``; unique, safe on every OS)."""
    out, used = [], set()
    for name, sections in groups:
        stem = re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._")[:60] or UNGROUPED
        file, k = f"{GROUP_PAGE_PREFIX}{stem}.html", 1
        while file.lower() in used:
            k += 1
            file = f"{GROUP_PAGE_PREFIX}{stem}-{k}.html"
        used.add(file.lower())
        out.append(Group(name, file, sections))
    return out


def _reading_text(spec, amb_id: str, reading: str) -> str:
    amb = next((a for a in spec.ambiguities if a.id == amb_id), None)
    r = amb.readings.get(reading) if amb else None
    return (r.description if r and r.description else "") or reading
