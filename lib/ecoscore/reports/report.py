"""Per-unit report content: what a report notebook calls, one call per section.

    from ecoscore.reports import report
    rep = report.load("outputs/xx-2020/2020/scored.json", "江干区")   # a batch's scored result
    rep = report.load(None, "江干区", doc="xx-2020")                   # or score the sample data here
    rep.header(); rep.narrative(); rep.sections_chart(); rep.table(); rep.appendix()

A report only **presents** a ``ScoredCohort`` (``ecoscore.scoring.result``): totals, grades,
ranks, subtotals and adjustments are read from it, never computed again, so the report, the
index page, the CLI and the exports cannot disagree. Every section returns something a
notebook displays as HTML: an ``HTMLBlock`` or a ``charts.Chart`` (HTML bars, no image). A section
that does not apply to the document returns a short note saying so, so that one notebook
shape serves every document.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ecoscore import words
from ecoscore.errors import EcoscoreError
from ecoscore.reports import blocks, charts, departments, goals, narrative, summary, tables
from ecoscore.rules.base import Outcome, fmt
from ecoscore.rules.policies import sections_that_count
from ecoscore.scoring.cohort import SAMPLE_SOURCE, score_cohort
from ecoscore.scoring.result import Result, ScoredCohort
from ecoscore.spec import Spec, load_spec

__all__ = ["SAMPLE_SOURCE", "Report", "build", "load"]

_LOADED: dict[tuple, ScoredCohort] = {}


def _read(path: Path) -> ScoredCohort:
    """Return the scored result in ``path``, reusing it while the file's bytes are unchanged
    (a render worker's kernel presents many units of one result).
    """
    data = path.read_bytes()
    key = (str(path), hashlib.sha1(data).hexdigest())
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = ScoredCohort.load(path)
    return _LOADED[key]


def _resolve_unit(spec: Spec, unit: str | None, names: list[str]) -> str:
    if unit is None:
        return names[0]
    if unit in names:
        return unit
    for u in spec.units:
        if unit in u.aliases and u.name in names:
            return u.name
    raise EcoscoreError(f"《{spec.short_title}》的评分结果中没有单位「{unit}」;可选:{'、'.join(names)}")


def load(result: str | Path | ScoredCohort | None, unit: str | None = None, *, doc: str | Spec | None = None,
         **score_args) -> Report:
    """Return the report of ``unit`` from a scored result.

    ``result`` is a saved result file (what ``ecoscore render`` and ``ecoscore score --format
    result`` write), a ``ScoredCohort``, or None: then document ``doc`` is scored here (sample
    data unless ``facts`` is given; ``score_args`` go to ``score_cohort``). ``unit`` defaults
    to the first unit; an alias names the same unit.
    """
    if result is None:
        if doc is None:
            raise EcoscoreError("请给出评分结果文件(result)或考核文件编号(doc)")
        cohort = score_cohort(doc, **score_args)
    elif isinstance(result, ScoredCohort):
        cohort = result
    else:
        cohort = _read(Path(result))
    if isinstance(doc, str) and doc != cohort.spec.id and Path(doc).suffix != ".yaml":
        raise EcoscoreError(f"评分结果文件属于考核文件 {cohort.spec.id},不是本报告的 {doc}")
    return _report(cohort, unit)


def _report(cohort: ScoredCohort, unit: str | None) -> Report:
    """Return the report of ``unit``: a scored unit (or an alias), or a department with a report."""
    spec = cohort.spec
    if unit is not None and unit not in cohort.units and departments.is_department(spec, unit):
        return Report(cohort, spec.department_reports, department=unit)
    return Report(cohort, _resolve_unit(spec, unit, cohort.units + spec.department_names()))


def build(doc: str | Spec, unit: str | None = None, *, year: int | None = None, facts=None,
          previous=None, readings=None) -> Report:
    """Score the cohort of ``doc`` (sample data unless ``facts`` is given) and return ``unit``'s report."""
    spec = doc if isinstance(doc, Spec) else load_spec(doc)
    if facts is not None and not isinstance(facts, (str, Path)):
        names = list(spec.unit_names) + [u for u in facts.index if u not in spec.unit_names and u == unit]
    else:
        names = None
    cohort = score_cohort(spec, facts, previous, year=year, readings=readings, units=names)
    return _report(cohort, unit)


@dataclass
class Report:
    """One unit's report over a scored cohort; each method renders one section.

    With ``department`` set, the report is that department's (``reports.departments``): the
    unit's result restricted to the lines naming the department, under the department's name.
    """

    cohort: ScoredCohort
    unit: str
    department: str | None = None

    @property
    def name(self) -> str:
        """Return whom the report is for: the department, else the unit."""
        return self.department or self.unit

    @property
    def added(self) -> bool:
        """Return whether the unit was added by the analyst (not a unit of the document)."""
        return self.unit not in self.spec.unit_names

    @cached_property
    def _mine(self) -> dict[str, str]:
        """Return the department's lines and roles (``departments.lines_of``), found once."""
        return departments.lines_of(self.spec, self.department) if self.department else {}

    def _own(self, audit: pd.DataFrame) -> pd.DataFrame:
        """Return ``audit`` restricted to the department's lines (all of it without a department)."""
        if self.department is None:
            return audit
        return audit[audit["line_id"].isin(self._mine)]

    @property
    def spec(self) -> Spec:
        """Return the document's spec (with the readings scored)."""
        return self.cohort.spec

    @property
    def year(self) -> int:
        """Return the assessment year."""
        return self.cohort.year

    @property
    def result(self) -> Result:
        """Return this year's result."""
        return self.cohort.current

    @property
    def previous(self) -> Result | None:
        """Return last year's result, scored by the same rules (None when no facts)."""
        return self.cohort.previous

    @property
    def source(self) -> str:
        """Return the data source as the reader sees it."""
        return self.cohort.source

    @property
    def sample(self) -> bool:
        """Return whether the report is made from sample data (示例数据)."""
        return self.cohort.sample

    @property
    def scenario(self) -> str:
        """Return, for a result scored under a scenario (``--scenario``), the banner that says so; else ""."""
        sc = self.cohort.provenance.get("scenario")
        return words.scenario_banner(sc) if sc else ""

    # ----------------------------------------------------------------- data
    @cached_property
    def audit(self) -> pd.DataFrame:
        """Return the unit's audit rows (a department's: the lines naming it)."""
        return self._own(self.result.unit_audit(self.unit))

    @cached_property
    def row(self) -> dict:
        """Return the unit's summary row; a department's counts its own lines (no total, grade or rank)."""
        row = self.result.unit_summary(self.unit)
        if self.department is None:
            return row
        return {**row, **departments.counts(self.audit), "unit": self.department, "total": np.nan, "grade": "",
                "verdict": "", "rank": np.nan, "gates": ""}

    def peers(self, result: Result | None = None) -> pd.DataFrame:
        """Return the summary rows of the units this unit is compared with: its rank group
        (a district is never compared with its own departments). Ranks are the result's own.
        """
        s = (result or self.result).summary
        group = s.loc[s["unit"] == self.unit, "rank_group"]
        return s[s["rank_group"] == group.iloc[0]] if len(group) else s.iloc[0:0]

    @cached_property
    def rollup(self) -> pd.DataFrame:
        """Return the unit's rollup rows (groups with their adjustments, then the total)."""
        return self.result.unit_rollup(self.unit)

    @cached_property
    def shown(self) -> words.Shown:
        """Return the unit's points as every section prints them (``words.points_shown``)."""
        return words.points_shown(self.audit, self.rollup if len(self.rollup) else None)

    def _sections_rollup(self) -> pd.DataFrame:
        r = self.rollup
        return r[(r["level"] == "group") & (r["depth"] == 0)]

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

    def sections(self, result: Result | None = None) -> pd.DataFrame:
        """Return one row per section: label, points (possible, awarded after adjustments,
        as rolled up) and status counts.
        """
        res = result or self.result
        a = self._own(res.unit_audit(self.unit))
        a = a[a["kind"] != "gate"]
        sec = a["group"].map(self.section_of)
        rolled = res.unit_rollup(self.unit).set_index("id")
        rows = []
        for s in dict.fromkeys(sec):
            part = a[sec == s]
            row = {"section": s, "label": tables.section_label(self.spec, s),
                   "possible": float(rolled.at[s, "possible"]) if s in rolled.index else np.nan,
                   "awarded": float(rolled.at[s, "awarded"]) if s in rolled.index else np.nan}
            status = [words.status(o, k) for o, k in zip(part["outcome"], part["kind"])]
            for word in ("达标", "未达标", "已完成", "未完成", "缺数据"):
                row[word] = sum(1 for x in status if x == word)
            rows.append(row)
        return pd.DataFrame(rows)

    def _status_columns(self) -> list[str]:
        kinds = set(self.audit["kind"])
        cols = (["达标", "未达标"] if "indicator" in kinds else []) + (["已完成", "未完成"] if "task" in kinds else [])
        return cols + ["缺数据"]

    def _title(self, text: str) -> str:
        return f"{self.name}:{text}"

    # ------------------------------------------------------------- sections
    def summary(self) -> blocks.HTMLBlock:
        """Return the one-page summary that leads the report (``reports.summary``)."""
        return summary.html(self)

    def goals(self) -> blocks.HTMLBlock:
        """Return the static 距下一等次 section: the fewest changes that reach the unit's next goal
        and what each fact it can act on earns (``reports.goals``; worked out from the result's facts).
        """
        return goals.section(self)

    def header(self) -> blocks.HTMLBlock:
        """Return the header: unit, document, year, result, rank, gates, readings, warnings."""
        if self.department is not None:
            return self._department_header()
        r, spec = self.row, self.spec
        kpis = []
        if self.scored:
            out_of = f"(满分{fmt(spec.total)})" if spec.total else ""
            kpis.append((fmt(r["total"]), f"总分{out_of}", "total"))
        if r["grade"]:
            kpis.append((r["grade"], "等次", "grade"))
        if r["binding"]:
            kpis.append((f"{r['binding_met']}/{r['binding']}", "约束性指标达标", "binding"))
        if r["indicators"]:
            kpis.append((f"{r['indicators_met']}/{r['indicators']}", "全部指标达标", "indicators"))
        if r["tasks"]:
            kpis.append((f"{r['tasks_done']}/{r['tasks']}", "任务完成", "tasks"))
        if words.rank(r, spec):
            kpis.append((words.rank(r, spec), words.rank_caption(r, spec), "rank"))
        notices = []
        if self.scored:
            notices.append(("formula", self.formula()))
        if r["verdict"]:
            notices.append(("info", f"结论:{r['verdict']}"))
        if r["gates"]:
            notices.append(("warn", f"前置条件:{r['gates']}"))
        elif (self.audit["kind"] == "gate").any():
            notices.append(("info", "前置条件:" + narrative.gates(self.audit)))
        for caution in self.result.warnings:
            notices.append(("warn", caution))
        depends = self.depends_on_readings()
        if depends:
            notices.append(("reading", f"本单位的等次、位次或结论取决于条款读法(共{len(depends)}处,见附录):"
                            + ";".join(depends[:3]) + ("等" if len(depends) > 3 else "")))
        if r["missing"]:
            notices.append(("warn", f"注意:有{r['missing']}项缺少数据,相应项目暂按0分计或暂无法判定,"
                                    "结果可能偏低;补齐数据后请重新评分。"))
        changed = [a for a in spec.ambiguities if spec.readings.get(a.id, a.default) != a.default]
        if changed:
            notices.append(("info", "本报告对以下多解条款采用了非默认读法:" + ";".join(
                f"{a.id} {a.readings[spec.readings[a.id]].description}" for a in changed)))
        if self.added:
            notices.insert(0, ("info", self._added_notice()))
        subtitle = f"{self.year}年度 · 数据来源:{self.source}"
        return blocks.header(unit=self.unit, document=spec.title, subtitle=subtitle, kpis=kpis,
                             sample=self.sample, notices=notices, details=self._readings_html(len(changed)))

    def _added_notice(self) -> str:
        au = self.spec.analyst_units
        label = au.label if au else "分析人员添加的单位"
        return (f"{self.unit}不是《{self.spec.short_title}》所列单位,属于{label}:由分析人员在数据文件中添加,"
                f"类别由分析人员填报({self.row['added']}),仅按本文件{len(self.spec.analyst_line_ids)}项"
                "适用于此类单位的指标与任务评价。" + (au.note if au and au.note else ""))

    def _department_header(self) -> blocks.HTMLBlock:
        a, spec, c = self.audit, self.spec, self.row  # the row counts the department's own lines
        kpis = [(str(len(a)), "牵头或配合的指标与任务", "lines")]
        if c["binding"]:
            kpis.append((f"{c['binding_met']}/{c['binding']}", "约束性指标达标", "binding"))
        if c["indicators"]:
            kpis.append((f"{c['indicators_met']}/{c['indicators']}", "指标达标", "indicators"))
        if c["tasks"]:
            kpis.append((f"{c['tasks_done']}/{c['tasks']}", "任务完成", "tasks"))
        notices = [("info", f"本报告是{self.department}的部门报告:列出《{spec.short_title}》中{self.unit}的指标与"
                            f"重点任务里由{self.department}牵头或配合的各项,结果取自{self.unit}的评分结果。")]
        if c["missing"]:
            notices.append(("warn", f"注意:有{c['missing']}项缺少数据,暂无法判定;补齐数据后请重新评分。"))
        subtitle = f"{self.year}年度 · {self.unit} · 数据来源:{self.source}"
        return blocks.header(unit=self.department, document=spec.title, subtitle=subtitle, kpis=kpis,
                             sample=self.sample, notices=notices)

    def depends_on_readings(self) -> list[str]:
        """Return, in words, each registered reading under which this unit's grade, rank or state differs."""
        sens = self.cohort.sensitivity
        if sens is None or sens.empty:
            return []
        return [words.reading_effect(r, self.spec) for r in sens[sens["unit"] == self.unit].to_dict("records")]

    def formula(self) -> str:
        """Return how the total is made, in the figures the scored table prints (``words.points_shown``),
        which add up exactly: sections, adjustments, a rounding remainder if any, total.
        """
        r = self.row
        shown = words.points_shown(self.result.unit_audit(self.unit), self.rollup)
        text = "总分 ="
        sections = self._sections_rollup()
        for k, (_, s) in enumerate(sections.iterrows()):
            v = shown.groups.get(s["id"], words.shown(s["awarded"]))
            sign = ("−" if v < 0 else "") if k == 0 else (" −" if v < 0 else " +")
            text += f"{sign} {tables.section_label(self.spec, s['id'])}{words.num(abs(v))}分"
        if abs(shown.total_adjustment) > 1e-9:
            text += f" {'+' if shown.total_adjustment >= 0 else '−'} 调整{words.num(abs(shown.total_adjustment))}分"
        if abs(shown.rounding) > 1e-9:  # the printed parts and the printed total differ by rounding: say it as a term
            text += f" {'+' if shown.rounding >= 0 else '−'} {words.ROUNDING}{words.num(abs(shown.rounding))}分"
        text += f" = {words.num(r['total'])}分"
        adj = self.result.unit_adjustments(self.unit)
        tot = adj[adj["level"] == "total"]
        if len(tot):  # the whole reason is on the table's adjustment row
            text += "。调整说明:" + narrative.brief(words.nested(";".join(tot["reason"])),
                                                      max(40, narrative.LIMIT - len(text) - 20))
        return text

    def _readings_html(self, changed: int) -> str:
        """Return the readings taken for the ambiguous clauses that touch this unit's lines, in
        words (the spec's questions and descriptions, never reading codes), collapsed.
        """
        spec = self.spec
        touching = tables.touching(spec, self.audit["line_id"])
        if not touching:
            return ""
        codes = words.reading_names(spec)
        items, other = [], 0
        for a in touching:
            name = spec.readings.get(a.id, a.default)
            reading = a.readings.get(name)
            desc = words.reading_text(reading.description, codes) if reading and reading.description else "(未说明)"
            mark = "默认" if name == a.default else "非默认"
            other += name != a.default
            question = words.reading_text(a.question, codes)
            desc = narrative.brief(desc, max(40, narrative.LIMIT - len(question) - 20))
            desc = f"「{desc}」" if re.search(r"[))］]$", desc) else desc  # never "…))"
            items.append(f"<li>{blocks.esc(a.id)} {blocks.esc(question)} → {blocks.esc(desc)}({mark})</li>")
        head = f"本报告采用的条款读法(涉及本单位的多解条款{len(touching)}处,其中非默认{other}处)"
        return (f'<details class="eco-readings"><summary>{blocks.esc(head)}</summary>'
                f'<ul>{"".join(items)}</ul></details>')

    def narrative(self) -> blocks.HTMLBlock:
        """Return the written summary: result, gates, strengths, losses, priorities, gaps; short
        sentences, one point a line, in the figures the scored table prints.
        """
        if self.department is not None:
            return departments.narrative(self.audit, self.spec, self.department)
        titles = {g.id: g.title for g in self.spec.groups}
        measures = {ln.id: ln.unit_of_measure for ln in self.spec.lines}
        prev = self.previous
        sections = None
        if self.scored:
            shown = self.shown
            sections = self._sections_rollup()
            sections = sections.assign(awarded=[shown.groups.get(i, a) for i, a in zip(sections["id"],
                                                                                      sections["awarded"])])
        paras = narrative.paragraphs(
            self.audit, self.result.summary, self.unit, out_of=self.spec.total,
            rank_text=words.rank_sentence(self.row, self.spec), section_titles=titles, measures=measures,
            previous_audit=prev.unit_audit(self.unit) if prev is not None else None,
            previous_summary=prev.summary if prev is not None else None,
            sections=sections,
            adjustments=self.result.unit_adjustments(self.unit) if self.scored else None,
            countable=sections_that_count(self.spec, self.unit), spec=self.spec)
        return narrative.html(paras)

    @cached_property
    def _chart_sections(self) -> pd.DataFrame:
        """Return this year's ``sections()``, found once for the charts that show them."""
        return self.sections()

    def sections_chart(self) -> charts.Chart:
        """Return each section's points against its maximum (points documents, the figures the
        scored table prints), else the count of each status per section. Sections with nothing
        to count are left out; a section that only deducts is named in the caption instead.
        """
        d = self._chart_sections
        if self.scored and self.spec.family == "points":
            shown = self.shown
            d = d.assign(awarded=[shown.groups.get(s, words.shown(a)) for s, a in zip(d["section"], d["awarded"])])
            return charts.section_scores(d, y="label", title=self._title("各部分得分"))
        cols = self._status_columns()
        bare = d[(d[cols].sum(axis=1) == 0) & (d["awarded"] < 0)]
        note = ";".join(f"{r.label}:{words.points(r.awarded)}" for r in bare.itertuples())
        note = f"{note}(只有扣分项的部分不计入完成情况,见逐项评分表)。" if note else ""
        return charts.status_counts(d, y="label", columns=cols, title=self._title("各部分完成情况"), note=note)

    def lost_points_chart(self, *, top: int = 10) -> charts.Chart | charts.Panel | blocks.HTMLBlock:
        """Return the lines that lost most points; without points, the unfinished tasks by
        completion (per cent of the task) and the unmet indicators with their gaps in their own
        units: two measures, so two parts, never one axis.
        """
        a = self.audit
        a = a.assign(name=[f"{i} {n}" for i, n in zip(a["line_id"], narrative.names(a))])
        if self.scored:
            d = a.assign(lost=narrative.lost_points(a))
            d = d[d["lost"] > 1e-9]
            if d.empty:
                return blocks.note("各计分项目均未失分。")
            more = len(d) - top
            return charts.ranked_bars(d, x="lost", y="name", top=top, key="lost", unit="分",
                                      title=self._title("失分最多的项目"),
                                      note=f"另有{more}项失分较少,见逐项评分表。" if more > 0 else "")
        tasks = a[(a["kind"] == "task") & (a["outcome"] == Outcome.NOT_DONE.value)]
        ind = a[(a["kind"] == "indicator") & (a["outcome"] == Outcome.NOT_MET.value)]
        if tasks.empty and ind.empty:
            return blocks.note("没有未达标指标或未完成任务。")
        parts: list = []
        if len(tasks):
            sized, unsized = tasks[tasks["value"].notna()], tasks[tasks["value"].isna()]
            more = len(sized) - top
            note = (f"另有{more}项未完成任务完成比例较高,见逐项表。" if more > 0 else "") + (
                f"另有{len(unsized)}项未完成任务没有完成比例:{'、'.join(unsized['name'])}。" if len(unsized) else "")
            if len(sized):
                parts.append(charts.completion_bars(sized, x="value", y="name", top=top, note=note,
                                                    title=self._title("完成比例最低的未完成任务")))
            else:
                parts.append(f'<p class="eco-note">{blocks.esc(note)}</p>')
        if len(ind):
            rel = (ind["gap"] / ind["target"].abs()).replace([np.inf, -np.inf], np.nan)
            ind = ind.assign(rel=rel).sort_values("rel", ascending=False, kind="stable", na_position="last")
            items = []
            for _, r in ind.head(top).iterrows():
                ln = self.spec.line(r["line_id"])
                bits = [f"目标{ln.target_text or words.num(r['target'])}", f"实际{tables.actual_text(r, ln)}",
                        f"差距{narrative.row_gap(r)}"]
                items.append((r["name"], ";".join(b for b in bits if not b.endswith(("目标", "实际", "差距")))))
            more = len(ind) - top
            parts.append(charts.gap_list(items, title=self._title("未达标的指标(差距按各指标自身的单位)"),
                                         note=f"另有{more}项未达标指标,见逐项表。" if more > 0 else ""))
        return parts[0] if len(parts) == 1 and isinstance(parts[0], charts.Chart) else charts.Panel(parts)

    def cohort_chart(self) -> charts.Chart | blocks.HTMLBlock:
        """Return every unit of this unit's rank group, in rank order, this unit marked; only
        where the document ranks units and this unit has a rank.
        """
        if self.department is not None:
            return blocks.note(f"部门报告只列{self.department}负责的各项,不作横向比较。")
        if self.spec.ranking.basis == "none":
            return blocks.note(self.spec.ranking.note or "本文件不对单位排名,不作横向比较。")
        if not words.rank(self.row, self.spec):
            return blocks.note(f"{self.unit}不参加本文件的排名,不作横向比较。")
        s = self.peers()
        if len(s) < 2:
            return blocks.note(f"{self.unit}在本考核中没有可比较的同类单位。")
        if self.scored:
            d, x, measure, unit = s, "total", "总分", "分"
        elif s["indicators"].any():
            d, x, measure, unit = s, "indicators_met", "达标指标数", "项"
        else:
            d = s.assign(rate=s["tasks_done"] / s["tasks"].replace(0, np.nan) * 100)
            x, measure, unit = "rate", "任务完成率", "%"
        group = self.row["rank_group"] or self.spec.unit_kind
        chart = charts.cohort_bars(d, x=x, y="unit", highlight=self.unit, unit=unit, rank="rank",
                                   title=f"各{group}{measure}", note=self.spec.ranking.note)
        mine = d.loc[d["unit"] == self.unit, x].iloc[0]
        chart.alt = f"{self.unit}{measure}{words.num(mine, unit)},共{len(d)}个{group}。{chart.alt}"
        return chart

    def compliance_grid(self) -> blocks.HTMLBlock:
        """Return every indicator (and task) of the unit as a tile marked in its status's
        colour (``charts.PALETTE``), by section, under a legend.
        """
        a = self.audit[self.audit["kind"].isin(["indicator", "task"]) & self.audit["possible"].isna()]
        if a.empty:
            return blocks.note("本文件没有达标类指标。")
        groups: dict[str, list[str]] = {}
        keys = []
        for _, r in a.iterrows():
            ln = self.spec.line(r["line_id"])
            status = words.status(r["outcome"], r["kind"])
            key = charts.STATUS_KEY.get(status)
            keys.append(key)
            if r["kind"] == "indicator":
                value = tables.actual_text(r, ln)
                detail = f"目标{ln.target_text or words.num(r['target'])}" + (f";实际{value}" if value else "")
            else:
                detail = f"完成{words.completion(r['value'])}" if r["value"] == r["value"] else ""
            tile = blocks.tile(line_id=r["line_id"], title=r["title"], status=status,
                               css_class=f"eco-t-{key}" if key else "", detail=detail, attribute=r["attribute"])
            groups.setdefault(tables.section_label(self.spec, self.section_of(r["group"])), []).append(tile)
        legend = charts.legend(k for k in charts.PALETTE if k in keys)
        return blocks.HTMLBlock(charts.style() + legend + blocks.grid(list(groups.items())).html, css=False)

    def trend_chart(self) -> charts.Chart | blocks.HTMLBlock:
        """Return this year against last year by section: the points the scored table prints
        (sections with a maximum; a section that only deducts is named in the caption), or the
        items met or done (sections counting nothing in either year are left out).
        """
        if self.previous is None:
            return blocks.note("未提供上年数据,无法与上年比较。")
        if self.unit not in self.previous.summary["unit"].tolist():
            return blocks.note(f"上年数据中没有{self.unit},无法与上年比较。")
        now = self._chart_sections
        before = self.sections(self.previous)
        merged = now.merge(before, on=["section", "label"], how="left", suffixes=("", "_prev"))
        y0, y1 = f"{self.year - 1}年", f"{self.year}年"
        last_audit = self._own(self.previous.unit_audit(self.unit))
        extra = ""
        if self.scored and self.spec.family == "points":
            cur = self.shown.groups
            old = words.points_shown(last_audit, self.previous.unit_rollup(self.unit)).groups
            merged["current"] = [cur.get(s, words.shown(v)) for s, v in zip(merged["section"], merged["awarded"])]
            merged["previous"] = [old.get(s, words.shown(v)) if v == v else np.nan
                                  for s, v in zip(merged["section"], merged["awarded_prev"])]
            scored = merged["possible"] > 0
            bare = merged[~scored & ((merged["current"] != 0) | (merged["previous"].fillna(0) != 0))]
            extra = ";".join(f"{r.label}:{y0}{words.points(r.previous)}、{y1}{words.points(r.current)}"
                             for r in bare.itertuples())
            extra = f"{extra}(扣分项不在图中)。" if extra else ""
            merged, unit = merged[scored], "分"
        else:
            cols = self._status_columns()
            good = [c for c in ("达标", "已完成") if c in cols]
            merged["current"] = merged[good].sum(axis=1)
            merged["previous"] = merged[[f"{c}_prev" for c in good]].sum(axis=1, min_count=1)
            counted = merged[cols].sum(axis=1) + merged[[f"{c}_prev" for c in cols]].sum(axis=1) > 0
            merged, unit = merged[counted], "项"
        missing = int((last_audit["outcome"] == Outcome.MISSING.value).sum())
        note = (f"上年按同一规则以上年数据计算;上年有{missing}项缺数据(按0分计或无法判定)。"
                if missing else "上年按同一规则以上年数据计算。")
        title = self._title("与上年比较(" + ("得分" if unit == "分" else "达标或完成的项数") + ")")
        return charts.year_comparison(merged, y="label", labels=(y0, y1), unit=unit, title=title, note=extra + note)

    def table(self) -> blocks.HTMLBlock:
        """Return the scored table: lines, group sums, adjustments and the total, as rolled up."""
        a = self.audit.assign(section=self.audit["group"].map(self.section_of))
        return tables.scored_table(a, self.spec, rollup=self.rollup, caption=self._title("逐项评分表"), shown=self.shown)

    def department_view(self, department: str | None = None) -> blocks.HTMLBlock:
        """Return a department's own tasks (a department's report, or ``department`` given),
        or, for a district or county, every line not achieved with its responsible units.
        """
        if self.department is not None:
            return departments.table(self.audit, self.spec, self.department)
        mine = any(self.unit in (*ln.lead, *ln.responsible) for ln in self.spec.lines)
        if department is not None or mine:
            return tables.own_tasks(self.audit, self.spec, self.unit, department)
        return tables.responsibility(self.audit, self.spec, self.unit)

    def appendix(self) -> blocks.HTMLBlock:
        """Return the analyst's appendix, collapsed: the unit's own audit trail, the results that
        depend on a reading, its remarks, and the readings of the ambiguous clauses touching its lines.
        """
        ev = self.cohort.evidence
        remarks = [words.evidence(s, x) for s, x, u, ln in zip(ev["source"], ev["text"], ev["unit"], ev["line_id"])
                   if u == self.unit and not ln]
        return tables.appendix(self.audit, self.spec, source=self.source, remarks=remarks,
                               depends=self.depends_on_readings(), name=self.name)
