"""Per-unit report content: what a report notebook calls, one call per section.

    from ecoscore.reports import report
    rep = report.build("xx-2020", "江干区")       # sample data unless facts are given
    rep.header(); rep.narrative(); rep.sections_chart(); rep.table(); rep.appendix()

``build`` scores the whole cohort (a unit's score can depend on the others) and keeps
one unit. Every section returns something a notebook displays as HTML: an ``HTMLBlock``,
a ``charts.Chart`` (an embedded PNG) or a pandas ``Styler``. A section that does not
apply to the document (e.g. the compliance grid of a points document) returns a short
note saying so, so that one notebook shape serves every document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ecoscore import facts as facts_io
from ecoscore.errors import EcoscoreError
from ecoscore.reports import blocks, charts, narrative, tables
from ecoscore.rules.base import Outcome, fmt
from ecoscore.scoring.engine import Result, score
from ecoscore.spec import Spec, load_spec

SAMPLE_SOURCE = "示例数据"
_MET = {Outcome.MET.value: "达标", Outcome.NOT_MET.value: "未达标", Outcome.MISSING.value: "缺数据"}
_DONE = {Outcome.DONE.value: "已完成", Outcome.FULL.value: "已完成", Outcome.NOT_DONE.value: "未完成",
         Outcome.PARTIAL.value: "未完成", Outcome.ZERO.value: "未完成", Outcome.MISSING.value: "缺数据"}


_LOADED: dict[tuple, tuple] = {}


def _cached(spec: Spec, paths: list[Path], year, load):
    """Return ``load()``, reusing the tables while the files' contents are unchanged.

    A render worker keeps one kernel for many units; without this every unit's report
    would read and validate the same workbook again.
    """
    stamp = tuple((str(p), hashlib.sha1(p.read_bytes()).hexdigest() if p.exists() else None) for p in paths)
    key = (spec.id, tuple(sorted(spec.readings.items())), year, stamp)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = load()
    return tuple(None if t is None else t.copy() for t in _LOADED[key])


def _load(spec: Spec, facts, previous, year):
    """Return ``(current, previous, source, sample)``."""
    prev_path = str(previous) if isinstance(previous, (str, Path)) else None
    if facts is None:
        y = year or spec.year
        paths = [facts_io.sample_path(spec.id, y), facts_io.sample_path(spec.id, y - 1)]
        current, prev = _cached(spec, paths, year, lambda: facts_io.load_sample(spec, year))
        source, sample = SAMPLE_SOURCE, True
    elif isinstance(facts, (str, Path)):
        paths = [Path(facts)] + ([Path(prev_path)] if prev_path else [])
        current, prev = _cached(spec, paths, year,
                                lambda: facts_io.load_facts(spec, str(facts), prev_path, year=year))
        source, sample = Path(facts).name, False
    else:
        current, prev, source, sample = facts, None, "传入的数据表", False
    if isinstance(previous, pd.DataFrame):
        prev = previous
    if prev is not None and len(prev) == 0:
        prev = None
    if not sample and current is not None and current.attrs.get("sample"):
        source, sample = SAMPLE_SOURCE, True
    return current, prev, source, sample


def _resolve_unit(spec: Spec, unit: str | None, current: pd.DataFrame | None) -> tuple[str, list[str]]:
    names = spec.unit_names
    if unit is None:
        return names[0], names
    if unit in names:
        return unit, names
    for u in spec.units:
        if unit in u.aliases:
            return u.name, names
    if current is not None and unit in current.index:
        return unit, [*names, unit]
    raise EcoscoreError(f"《{spec.short_title}》中没有单位「{unit}」;可选:{'、'.join(names)}")


def build(doc: str | Spec, unit: str | None = None, *, year: int | None = None, facts=None,
          previous=None, readings=None) -> Report:
    """Score the cohort of document ``doc`` and return the report of ``unit``.

    ``facts`` is a facts table (index: unit names; columns: ``"<line id>:<fact>"``), a
    facts file (read by ``ecoscore.facts.load_facts``, which also gives last year's
    facts), or None for the bundled sample data (``load_sample``). ``previous`` gives
    last year's facts (a table or a file) and overrides what the loader found.
    ``readings`` picks readings of ambiguous clauses (``["A2=from_max"]`` or a dict).
    ``unit`` defaults to the document's first unit; an alias names the same unit.
    """
    spec = doc if isinstance(doc, Spec) else load_spec(doc)
    if readings:
        spec = spec.with_readings(readings)
    year = int(year or spec.year)
    current, prev, source, sample = _load(spec, facts, previous, year)
    unit, cohort = _resolve_unit(spec, unit, current)
    result = score(spec, current, prev, units=cohort)
    before = score(spec, prev, None, units=cohort) if prev is not None else None
    return Report(spec=spec, unit=unit, year=year, result=result, previous=before, source=source,
                  sample=sample)


@dataclass
class Report:
    """One unit's report over a scored cohort; each method renders one section."""

    spec: Spec
    unit: str
    year: int
    result: Result
    previous: Result | None = None
    source: str = ""
    sample: bool = False

    # ----------------------------------------------------------------- data
    @property
    def audit(self) -> pd.DataFrame:
        """Return the unit's audit rows."""
        return self.result.unit_audit(self.unit)

    @property
    def row(self) -> dict:
        """Return the unit's summary row."""
        return self.result.unit_summary(self.unit)

    def peers(self) -> list[str]:
        """Return the units this unit is compared with: all units of the cohort, except
        that a document scoring both a district and its departments (001) compares
        departments with departments and the district with itself.
        """
        named = {u for ln in self.spec.lines for u in (*ln.lead, *ln.responsible)}
        mine = self.unit in named
        return [u for u in self.result.summary["unit"] if (u in named) == mine]

    def cohort(self, result: Result | None = None) -> pd.DataFrame:
        """Return the summary rows of the peers, ranked among themselves."""
        s = (result or self.result).summary
        s = s[s["unit"].isin(self.peers())].copy()
        s["rank"] = s["rank"].rank(method="min")
        return s

    @property
    def scored(self) -> bool:
        """Return whether the unit's result is in points (else met / done counts)."""
        return self.row["total"] == self.row["total"]

    def section_of(self, group_id: str) -> str:
        """Return the section a group shows under: the top-level group for points
        documents, one level down (the indicator category or action area) otherwise.
        """
        depth = 0 if self.spec.family == "points" else 1
        chain = [group_id]
        while True:
            try:
                parent = self.spec.group(chain[-1]).parent
            except KeyError:
                break
            if not parent:
                break
            chain.append(parent)
        chain.reverse()
        return chain[min(depth, len(chain) - 1)]

    def sections(self) -> pd.DataFrame:
        """Return one row per section: label, points (possible, awarded) and status counts."""
        a = self.audit[self.audit["kind"] != "gate"]
        sec = a["group"].map(self.section_of)
        groups = self.result.groups.loc[self.unit] if self.unit in self.result.groups.index else None
        rows = []
        for s in dict.fromkeys(sec):
            part = a[sec == s]
            g = self.spec.group(s)
            row = {"section": s, "label": tables.section_label(self.spec, s),
                   "possible": 0.0 if g.kind == "deduction" else (g.max if g.max is not None
                                                                   else part["possible"].sum()),
                   "awarded": float(groups[s]) if groups is not None and s in groups.index else part["awarded"].sum()}
            words = np.where(part["kind"] == "task", part["outcome"].map(_DONE), part["outcome"].map(_MET))
            for word in ("达标", "未达标", "已完成", "未完成", "缺数据"):
                row[word] = int((words == word).sum())
            rows.append(row)
        return pd.DataFrame(rows)

    def _status_columns(self) -> list[str]:
        kinds = set(self.audit["kind"])
        cols = (["达标", "未达标"] if "indicator" in kinds else []) + (["已完成", "未完成"] if "task" in kinds else [])
        return cols + ["缺数据"]

    def _title(self, text: str) -> str:
        return f"{self.unit}:{text}"

    # ------------------------------------------------------------- sections
    def header(self) -> blocks.HTMLBlock:
        """Return the header: unit, document, year, result, rank, gates, readings, warnings."""
        r, spec = self.row, self.spec
        kpis = []
        if self.scored:
            out_of = f"(满分{fmt(spec.total)})" if spec.total else ""
            kpis.append((fmt(r["total"]), f"总分{out_of}"))
        if r["grade"]:
            kpis.append((r["grade"], "等次"))
        if r["binding"]:
            kpis.append((f"{r['binding_met']}/{r['binding']}", "约束性指标达标"))
        if r["indicators"]:
            kpis.append((f"{r['indicators_met']}/{r['indicators']}", "全部指标达标"))
        if r["tasks"]:
            kpis.append((f"{r['tasks_done']}/{r['tasks']}", "任务完成"))
        cohort = self.cohort()
        rank = cohort.loc[cohort["unit"] == self.unit, "rank"].iloc[0]
        n = int(cohort["rank"].notna().sum())
        if rank == rank and n > 1:
            kpis.append((f"第{int(rank)}/{n}名", f"在{n}个{spec.unit_kind}中"))
        notices = []
        if r["verdict"]:
            notices.append(("info", f"结论:{r['verdict']}"))
        if r["gates"]:
            notices.append(("warn", f"前置条件:{r['gates']}"))
        elif (self.audit["kind"] == "gate").any():
            notices.append(("info", "前置条件:" + narrative.gates(self.audit)))
        if r["missing"]:
            notices.append(("warn", f"注意:有{r['missing']}项缺少数据,相应项目暂按0分计或暂无法判定,"
                                    "结果可能偏低;补齐数据后请重新评分。"))
        changed = [a for a in spec.ambiguities if spec.readings.get(a.id, a.default) != a.default]
        if changed:
            notices.append(("info", "本报告对以下多解条款采用了非默认读法:" + ";".join(
                f"{a.id} {a.readings[spec.readings[a.id]].description}" for a in changed)))
        subtitle = f"{self.year}年度 · 数据来源:{self.source}"
        return blocks.header(unit=self.unit, document=spec.title, subtitle=subtitle, kpis=kpis,
                             sample=self.sample, notices=notices, details=self._readings_html(len(changed)))

    def _readings_html(self, changed: int) -> str:
        spec = self.spec
        if not spec.ambiguities:
            return ""
        items = []
        for a in spec.ambiguities:
            name = spec.readings.get(a.id, a.default)
            reading = a.readings.get(name)
            desc = reading.description if reading and reading.description else name
            mark = "默认" if name == a.default else "非默认"
            items.append(f"<li>{blocks.esc(a.id)} {blocks.esc(a.question)} → {blocks.esc(desc)}({mark})</li>")
        head = f"本报告采用的条款读法(多解条款{len(spec.ambiguities)}处,其中非默认{changed}处)"
        return (f'<details class="eco-readings"><summary>{blocks.esc(head)}</summary>'
                f'<ul>{"".join(items)}</ul></details>')

    def narrative(self) -> blocks.HTMLBlock:
        """Return the written summary: result, gates, strengths, losses, priorities, gaps."""
        titles = {g.id: g.title for g in self.spec.groups}
        measures = {ln.id: ln.unit_of_measure for ln in self.spec.lines}
        prev = self.previous
        paras = narrative.paragraphs(
            self.audit, self.cohort(), self.unit, out_of=self.spec.total, unit_kind=self.spec.unit_kind,
            section_titles=titles, measures=measures,
            previous_audit=prev.unit_audit(self.unit) if prev is not None else None,
            previous_summary=self.cohort(prev) if prev is not None else None)
        return blocks.narrative(paras)

    def sections_chart(self) -> charts.Chart:
        """Return the score of each section against its maximum, or the status counts."""
        d = self.sections()
        if self.scored and self.spec.family == "points":
            ax = charts.section_scores(d, y="label", title=self._title("各部分得分"))
            alt = ";".join(f"{r.label}{fmt(r.awarded)}/{fmt(r.possible)}分" for r in d.itertuples())
        else:
            cols = self._status_columns()
            ax = charts.status_counts(d, y="label", columns=cols, title=self._title("各部分完成情况"))
            alt = ";".join(f"{r['label']}:" + "、".join(f"{c}{r[c]}项" for c in cols) for _, r in d.iterrows())
        return charts.Chart(ax, alt=alt)

    def lost_points_chart(self, *, top: int = 10) -> charts.Chart | blocks.HTMLBlock:
        """Return the lines that lost most points, or the widest gaps of unmet indicators
        and unfinished tasks.
        """
        a = self.audit
        a = a.assign(name=[narrative.label(r) for _, r in a.iterrows()])
        if self.scored:
            d = a.assign(lost=narrative.lost_points(a))
            d = d[d["lost"] > 1e-9]
            if d.empty:
                return blocks.note("各计分项目均未失分。")
            ax = charts.ranked_bars(d, x="lost", y="name", top=top, suffix="分", xlabel="失分",
                                    title=self._title("失分最多的项目"))
            shown = d.sort_values("lost", ascending=False, kind="stable").head(top)
            return charts.Chart(ax, alt=";".join(f"{n}失{fmt(v)}分" for n, v in zip(shown["name"], shown["lost"])))
        ind = a[(a["kind"] == "indicator") & (a["outcome"] == Outcome.NOT_MET.value)]
        gap = (ind["gap"] / ind["target"].abs()).replace([np.inf, -np.inf], np.nan) * 100
        tasks = a[(a["kind"] == "task") & a["outcome"].isin([Outcome.NOT_DONE.value])]
        d = pd.concat([ind.assign(short=gap), tasks.assign(short=100 - tasks["value"])])
        if d.empty:
            return blocks.note("没有未达标指标或未完成任务。")
        ax = charts.ranked_bars(d, x="short", y="name", top=top, suffix="%", xlabel="与目标的差距(占目标值或任务量的百分比)",
                                title=self._title("差距最大的指标与任务"))
        unsized = d[d["short"].isna()]
        extra = f"另有{len(unsized)}项无法量化差距:{'、'.join(unsized['name'])}。" if len(unsized) else ""
        return charts.Chart(ax, alt="差距最大的指标与任务", note=extra)

    def cohort_chart(self) -> charts.Chart | blocks.HTMLBlock:
        """Return every unit's result with this unit highlighted."""
        s = self.cohort()
        if len(s) < 2:
            return blocks.note(f"{self.unit}在本考核中没有可比较的同类单位。")
        if self.scored:
            d, x, xlabel = s, "total", "总分"
        elif s["indicators"].any():
            d, x, xlabel = s, "indicators_met", "达标指标数"
        else:
            d = s.assign(rate=s["tasks_done"] / s["tasks"].replace(0, np.nan) * 100)
            x, xlabel = "rate", "任务完成率(%)"
        ax = charts.cohort_bars(d, x=x, y="unit", highlight=self.unit, xlabel=xlabel,
                                title=f"各{self.spec.unit_kind}{xlabel}")
        mine = d.loc[d["unit"] == self.unit, x].iloc[0]
        return charts.Chart(ax, alt=f"{self.unit}{xlabel}{fmt(mine)},共{len(d)}个{self.spec.unit_kind}")

    def compliance_grid(self) -> blocks.HTMLBlock:
        """Return every indicator (and task) of the unit as a coloured tile, by section."""
        a = self.audit[self.audit["kind"].isin(["indicator", "task"]) & self.audit["possible"].isna()]
        if a.empty:
            return blocks.note("本文件没有达标类指标。")
        groups: dict[str, list[str]] = {}
        for _, r in a.iterrows():
            ln = self.spec.line(r["line_id"])
            status = _MET.get(r["outcome"]) if r["kind"] == "indicator" else _DONE.get(r["outcome"])
            status = status or r["outcome"]
            css = {"达标": blocks.OK_CLASS, "已完成": blocks.OK_CLASS, "缺数据": blocks.NONE_CLASS}.get(status, blocks.BAD_CLASS)
            if r["kind"] == "indicator":
                value = tables.actual_text(r, ln)
                detail = f"目标{ln.target_text or blocks.number(r['target'])}" + (f";实际{value}" if value else "")
            else:
                detail = f"完成{blocks.number(r['value'], '%')}" if r["value"] == r["value"] else ""
            tile = blocks.tile(line_id=r["line_id"], title=r["title"], status=status, css_class=css,
                               detail=detail, attribute=r["attribute"])
            groups.setdefault(tables.section_label(self.spec, self.section_of(r["group"])), []).append(tile)
        return blocks.grid(list(groups.items()), legend="绿色:达标/已完成;红色:未达标/未完成;灰色:缺数据。")

    def trend_chart(self) -> charts.Chart | blocks.HTMLBlock:
        """Return this year against last year by section (points, or items met)."""
        if self.previous is None:
            return blocks.note("未提供上年数据,无法与上年比较。")
        now = self.sections()
        before = Report(self.spec, self.unit, self.year - 1, self.previous).sections()
        merged = now.merge(before, on=["section", "label"], how="left", suffixes=("", "_prev"))
        if self.scored and self.spec.family == "points":
            merged["current"], merged["previous"] = merged["awarded"], merged["awarded_prev"]
            xlabel = "得分"
        else:
            good = [c for c in ("达标", "已完成") if c in self._status_columns()]
            merged["current"] = merged[good].sum(axis=1)
            merged["previous"] = merged[[f"{c}_prev" for c in good]].sum(axis=1)
            xlabel = "达到要求的项数"
        ax = charts.year_comparison(merged, y="label", labels=(f"{self.year - 1}年", f"{self.year}年"),
                                    xlabel=xlabel, title=self._title("与上年比较"))
        missing = int((self.previous.unit_audit(self.unit)["outcome"] == Outcome.MISSING.value).sum())
        note = (f"上年按同一规则以上年数据计算;上年有{missing}项缺数据(按0分计或无法判定)。"
                if missing else "上年按同一规则以上年数据计算。")
        return charts.Chart(ax, alt=self._title("与上年比较"), note=note)

    def table(self):
        """Return the scored table by section and line (a Styler; clauses in ``<details>``)."""
        a = self.audit.assign(section=self.audit["group"].map(self.section_of))
        return tables.scored_table(a, self.spec, caption=self._title("逐项评分表"))

    def department_view(self, department: str | None = None) -> blocks.HTMLBlock:
        """Return a department's own tasks (a department's report, or ``department`` given),
        or, for a district or county, every line not achieved with its responsible units.
        """
        mine = any(self.unit in (*ln.lead, *ln.responsible) for ln in self.spec.lines)
        if department is not None or mine:
            return tables.own_tasks(self.audit, self.spec, self.unit, department)
        return tables.responsibility(self.audit, self.spec, self.unit)

    def appendix(self) -> blocks.HTMLBlock:
        """Return the unit's full audit trail and the readings of ambiguous clauses."""
        return tables.appendix(self.audit, self.spec, source=self.source)
