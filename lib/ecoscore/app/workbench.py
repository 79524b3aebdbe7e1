"""The what-if workbench: ipywidgets over a ``WhatIf`` session (JupyterLab, or Voilà with no code shown).

Pick a document and a unit; the unit's facts appear as inputs, pre-filled from the data and
bounded by each fact's domain (rates 0–100, whole counts, yes/no toggles, choices as
dropdowns). Every change rescores at once (only the lines the fact touches, for the whole
cohort) and the headline (total, grade or verdict, rank in the cohort), the sections and the
changed lines are shown against the baseline; the sections chart redraws. Goal seeking, the
readings of ambiguous clauses and scenarios (save, load, compare) sit below.

Everything shown is made by the library (``ecoscore.whatif``, ``ecoscore.reports``); this
module only lays it out. Tests drive it headlessly by setting widget values.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as W
import numpy as np
import pandas as pd

from ecoscore import list_documents, words
from ecoscore.errors import EcoscoreError
from ecoscore.reports import report as report_mod
from ecoscore.rules.base import fmt
from ecoscore.scoring.result import EVIDENCE_COLUMNS, ScoredCohort
from ecoscore.whatif import goals
from ecoscore.whatif.scenario import Scenario
from ecoscore.whatif.session import WhatIf

CSS = """<style>
.eco-wb table{border-collapse:collapse;font-size:13px}.eco-wb td,.eco-wb th{border:1px solid #ddd;padding:2px 6px}
.eco-wb .up{color:#1a7f37}.eco-wb .down{color:#c62828}.eco-wb .big{font-size:20px;font-weight:bold}
</style>"""


def _delta(now, before, unit: str = "分") -> str:
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return ""
    d = float(now) - float(before)
    if abs(d) < 0.005:
        return "(不变)"
    cls = "up" if d > 0 else "down"
    return f'<span class="{cls}">({"+" if d > 0 else "−"}{fmt(abs(d))}{unit})</span>'


class Workbench:
    """The workbench for one document (``doc``) and unit; ``show()`` returns the widget to display."""

    def __init__(self, doc: str | None = None, unit: str | None = None, *, facts=None, previous=None):
        self.doc_pick = W.Dropdown(options=list_documents(), value=doc or list_documents()[0], description="考核文件")
        self.unit_pick = W.Dropdown(description="单位")
        self.headline = W.HTML()
        self.sections = W.HTML()
        self.lines = W.HTML()
        self.chart = W.HTML()
        self.changes = W.HTML()
        self.goal_out = W.HTML()
        self.readings_out = W.HTML()
        self.message = W.HTML()
        self.reset_button = W.Button(description="全部复原", icon="undo")
        self.goal_pick = W.Dropdown(description="目标")
        self.goal_button = W.Button(description="测算最少改动")
        self.scenario_name = W.Text(description="情景名称", value="情景1")
        self.scenario_path = W.Text(description="文件", value="情景1.yaml")
        self.save_button = W.Button(description="保存情景")
        self.load_button = W.Button(description="载入情景")
        self.inputs: dict[str, W.Widget] = {}
        self.reading_picks: dict[str, W.Dropdown] = {}
        self.form = W.VBox()
        self.readings_box = W.VBox()
        self._facts, self._previous = facts, previous
        self._busy = False
        self.reset_button.on_click(lambda _: self.reset())
        self.goal_button.on_click(lambda _: self.seek())
        self.save_button.on_click(lambda _: self.save_scenario(self.scenario_path.value))
        self.load_button.on_click(lambda _: self.load_scenario(self.scenario_path.value))
        self.doc_pick.observe(lambda c: self.open(c["new"]), names="value")
        self.unit_pick.observe(lambda c: self._pick_unit(c["new"]), names="value")
        self.open(self.doc_pick.value, unit)

    # -- building ------------------------------------------------------------------------------

    def open(self, doc: str, unit: str | None = None) -> None:
        """Load a document's facts (sample data unless ``facts`` were given) and show its first unit."""
        self.session = WhatIf(doc, self._facts if doc == self.doc_pick.value else None,
                              self._previous if doc == self.doc_pick.value else None)
        self._busy = True
        self.unit_pick.options = self.session.names
        self.unit_pick.value = unit if unit in self.session.names else self.session.names[0]
        self._busy = False
        self._build_readings()
        self._pick_unit(self.unit_pick.value)

    def _pick_unit(self, unit: str) -> None:
        if self._busy or unit is None:
            return
        self.unit = unit
        self._build_form()
        goal = goals.default_goal(self.session, unit)
        options = []
        if goal is not None:
            options.append((goal.words(self.session.spec), goal))
        if self.session.spec.ranking.basis != "none":
            options.append(("位次进入前3名", goals.Goal("rank", 3)))
        self.goal_pick.options = options or [("(本单位已无更高目标)", None)]
        self.goal_pick.value = self.goal_pick.options[0][1]
        self.refresh()

    def _widget(self, key: str):
        fact = self.session.facts[key]
        f, d = fact.spec, fact.domain
        v = self.session.value(self.unit, key)
        label = f"{fact.line.id} {f.label}" + (f"({f.unit})" if f.unit and f.kind not in ("bool", "choice") else "")
        style, layout = {"description_width": "55%"}, W.Layout(width="98%")
        if f.kind == "bool":
            w = W.ToggleButtons(options=[("是", True), ("否", False), ("未填", None)], value=v,
                                description=label, style=style)
        elif f.kind == "choice":
            w = W.Dropdown(options=[("未填", None), *[(c, c) for c in f.choices]], value=v, description=label,
                           style=style, layout=layout)
        else:
            lo = d.low if d.low is not None else -1e12
            hi = d.high if d.high is not None else 1e12
            cls = W.BoundedIntText if d.whole else W.BoundedFloatText
            start = v if v is not None else (lo if d.low is not None else 0)
            w = cls(value=int(start) if d.whole else float(start), min=lo, max=hi, description=label,
                    style=style, layout=layout)
        w.observe(lambda c, k=key: self._changed(k, c["new"]), names="value")
        return w

    def _build_form(self) -> None:
        s = self.session
        self.inputs = {}
        by_section: dict[str, list] = {}
        audit = s.baseline.audit
        mine = audit[audit["unit"] == self.unit]
        section_of = dict(zip(mine["line_id"], mine["section"]))
        for key, fact in s.facts.items():
            if not fact.changeable or fact.line is None or fact.line.id not in section_of:
                continue
            self.inputs[key] = self._widget(key)
            by_section.setdefault(section_of[fact.line.id], []).append(self.inputs[key])
        titles = {g.id: g.title for g in s.spec.groups}
        acc = W.Accordion(children=[W.VBox(ws) for ws in by_section.values()])
        for k, sec in enumerate(by_section):
            acc.set_title(k, f"{sec} {titles.get(sec, '')}".strip())
        acc.selected_index = 0 if by_section else None  # the first section open
        self.form.children = [acc]

    def _build_readings(self) -> None:
        self.reading_picks = {}
        rows = []
        names = words.reading_names(self.session.spec)
        for amb in self.session.document.ambiguities:
            pick = W.Dropdown(options=[(("(默认)" if name == amb.default else "")
                                        + words.reading_text(r.description, names)[:60], name)
                                       for name, r in amb.readings.items()],
                              value=self.session.readings.get(amb.id, amb.default),
                              description=amb.id, layout=W.Layout(width="98%"))
            pick.observe(lambda c: self._readings_changed(), names="value")
            self.reading_picks[amb.id] = pick
            rows.append(W.HTML(f"<b>{html.escape(amb.id)}</b> {html.escape(amb.question)}"))
            rows.append(pick)
        self.readings_box.children = rows

    def show(self) -> W.Widget:
        """Return the whole workbench as one widget."""
        top = W.HBox([self.doc_pick, self.unit_pick, self.reset_button])
        goal = W.VBox([W.HBox([self.goal_pick, self.goal_button]), self.goal_out])
        scen = W.VBox([W.HBox([self.scenario_name, self.scenario_path]), W.HBox([self.save_button, self.load_button])])
        tabs = W.Tab(children=[self.form, goal, W.VBox([self.readings_box, self.readings_out]), scen])
        for k, t in enumerate(["改动数据", "距下一等次", "条款读法", "情景"]):
            tabs.set_title(k, t)
        right = W.VBox([self.headline, self.chart, self.sections, self.lines, self.changes])
        return W.VBox([W.HTML(CSS), top, self.message, W.HBox([W.Box([tabs], layout=W.Layout(width="48%")),
                                                                  W.Box([right], layout=W.Layout(width="52%"))])],
                      layout=W.Layout(width="100%"))

    # -- reacting ------------------------------------------------------------------------------

    def _changed(self, key: str, value) -> None:
        if self._busy:
            return
        try:
            self.session.set(self.unit, key, value)
            self.message.value = ""
        except EcoscoreError as e:
            self.message.value = f'<div class="eco-wb"><span class="down">{html.escape(str(e))}</span></div>'
            return
        self.refresh()

    def _readings_changed(self) -> None:
        if self._busy:
            return
        chosen = {a: p.value for a, p in self.reading_picks.items()}
        before = self.session.result.summary.set_index("unit")
        self.session.use_readings(chosen)
        after = self.session.result.summary.set_index("unit")
        self.readings_out.value = self.readings_table(before, after)
        self.refresh()

    def reset(self) -> None:
        """Drop every change and put the inputs back to the data as read."""
        self.session.reset()
        self._busy = True
        for key, w in self.inputs.items():
            v = self.session.value(self.unit, key)
            if v is not None or not isinstance(w, (W.BoundedIntText, W.BoundedFloatText)):
                w.value = int(v) if isinstance(w, W.BoundedIntText) and v is not None else v
        self._busy = False
        self.refresh()

    def set(self, key: str, value) -> None:
        """Set one input as a user would (the widget's value; it rescores)."""
        self.inputs[key].value = value

    # -- showing -------------------------------------------------------------------------------

    def _row(self, result, unit: str) -> dict:
        return result.summary.set_index("unit").loc[unit].to_dict()

    def refresh(self) -> None:
        """Redraw the headline, sections, changed lines, chart and the table of changes."""
        s, u = self.session, self.unit
        now, was = self._row(s.result, u), self._row(s.baseline, u)
        bits = []
        if pd.notna(now.get("total")):
            bits.append(f'<span class="big" data-total>{fmt(now["total"])}分</span>{_delta(now["total"], was["total"])}')
        if now.get("grade"):
            changed = "" if now["grade"] == was["grade"] else f'<span class="up">(原为{html.escape(was["grade"])})</span>'
            bits.append(f'等次 <b data-grade>{html.escape(str(now["grade"]))}</b>{changed}')
        if now.get("verdict"):
            bits.append(f'<span data-verdict>{html.escape(str(now["verdict"]))}</span>')
        if pd.notna(now.get("rank")):
            rank = words.rank(now, s.spec)
            moved = "" if now["rank"] == was["rank"] else f"(原为{words.rank(was, s.spec)})"
            bits.append(f'位次 <b data-rank>{html.escape(rank)}</b>{html.escape(moved)}')
        if now.get("binding"):
            bits.append(f'约束性指标达标 <b data-binding>{int(now["binding_met"])}/{int(now["binding"])}</b>'
                        f'{_delta(now["binding_met"], was["binding_met"], "项")}')
        sample = "示例数据,非官方数据 · " if s.sample else ""
        self.headline.value = (f'<div class="eco-wb"><div>{sample}{html.escape(u)} · 假设测算,不是实际考核结果</div>'
                               + " · ".join(bits) + "</div>")
        self.sections.value = self._sections_html()
        self.lines.value = self._lines_html()
        self.changes.value = self._changes_html()
        self.chart.value = self._chart_html()

    def _sections_html(self) -> str:
        s, u = self.session, self.unit
        g0, g1 = s.baseline.groups, s.result.groups
        top = [g for g in s.spec.groups if g.parent is None]
        rows = "".join(f"<tr><td>{html.escape(g.id)} {html.escape(g.title or '')}</td><td>{fmt(g0.at[u, g.id])}</td>"
                       f"<td>{fmt(g1.at[u, g.id])}</td><td>{_delta(g1.at[u, g.id], g0.at[u, g.id])}</td></tr>"
                       for g in top if u in g1.index)
        return f'<div class="eco-wb"><table><tr><th>部分</th><th>原得分</th><th>现得分</th><th>变化</th></tr>{rows}</table></div>'

    def _lines_html(self) -> str:
        s, u = self.session, self.unit
        a0 = s.baseline.audit
        a1 = s.result.audit
        a0, a1 = a0[a0["unit"] == u].set_index("line_id"), a1[a1["unit"] == u].set_index("line_id")
        pts0, pts1 = a0["awarded"].fillna(0.0), a1["awarded"].fillna(0.0)
        moved = [i for i in a1.index if abs(pts1.get(i, 0) - pts0.get(i, 0)) > 1e-9
                 or str(a1.at[i, "outcome"]) != str(a0.at[i, "outcome"])]
        if not moved:
            return ""
        rows = "".join(f"<tr><td>{html.escape(i)}</td><td>{html.escape(str(a1.at[i, 'title']))}</td>"
                       f"<td>{html.escape(words.outcome(a0.at[i, 'outcome']))}→{html.escape(words.outcome(a1.at[i, 'outcome']))}</td>"
                       f"<td>{fmt(pts0[i])}→{fmt(pts1[i])}</td></tr>" for i in moved)
        return (f'<div class="eco-wb"><b>变化的项目</b><table><tr><th>编号</th><th>考核内容</th><th>结果</th>'
                f'<th>得分</th></tr>{rows}</table></div>')

    def _changes_html(self) -> str:
        t = self.session.changed_facts()
        if t.empty:
            return '<div class="eco-wb">尚未改动任何数据。</div>'
        return '<div class="eco-wb"><b>已改动的数据</b>' + t.to_html(index=False, escape=True) + "</div>"

    def cohort(self) -> ScoredCohort:
        """Return the changed result as a scored cohort (what the reports present)."""
        s = self.session
        prov = {**s.provenance, "scenario": {"name": self.scenario_name.value, "changes": len(s.changes)}}
        return ScoredCohort(s.spec, s.year, s.result, None, prov, pd.DataFrame(columns=EVIDENCE_COLUMNS), None,
                            facts=s.changed_table(), previous_facts=s.previous)

    def _chart_html(self) -> str:
        rep = report_mod.load(self.cohort(), self.unit)
        return rep.sections_chart()._repr_html_()

    # -- goals, readings, scenarios ------------------------------------------------------------

    def seek(self) -> goals.Answer | None:
        """Work out the fewest changes for the chosen goal and show them."""
        goal = self.goal_pick.value
        answer = goals.seek(self.session, self.unit, goal) if goal is not None else None
        if answer is None:
            self.goal_out.value = '<div class="eco-wb">本单位已无更高目标。</div>'
            return None
        head = f"<p><b>{html.escape(answer.text)}</b>:" + (
            f"最少改动{len(answer.changes)}项即可达到。" if answer.reached and len(answer.changes)
            else html.escape(answer.note)) + "</p>"
        table = answer.changes.assign(得分变化=[fmt(x) if pd.notna(x) else "达标" for x in answer.changes["得分变化"]])
        lev = answer.levers or goals.levers(self.session, self.unit)  # a goal already met computed none
        marg = pd.DataFrame([{"编号": lv.line.id, "数据项": lv.fact.label, "现值": lv.current,
                              "每改善1个单位得分": fmt(lv.per_step) if np.isfinite(lv.per_step) else "—",
                              "最多可得分": fmt(lv.gain) if lv.line.max is not None else "达标"} for lv in lev])
        self.goal_out.value = (f'<div class="eco-wb" data-goal>{head}{table.to_html(index=False, escape=True)}'
                               f"<p><b>各项数据的边际得分(按最多可得分排序)</b></p>"
                               f"{marg.to_html(index=False, escape=True) if len(marg) else ''}</div>")
        return answer

    def readings_table(self, before: pd.DataFrame, after: pd.DataFrame) -> str:
        """Return which units' totals, grades, verdicts and ranks change under the readings chosen."""
        rows = []
        for u in after.index:
            b, a = before.loc[u], after.loc[u]
            diff = [c for c in ("total", "grade", "verdict", "rank") if str(b.get(c)) != str(a.get(c))
                    and not (c == "total" and pd.notna(a[c]) and abs(float(a[c]) - float(b[c])) < 0.005)]
            if diff:
                rows.append({"单位": u, "总分": f"{fmt(b['total'])}→{fmt(a['total'])}" if pd.notna(a["total"]) else "—",
                             "等次": f"{b['grade']}→{a['grade']}" if b["grade"] != a["grade"] else b["grade"],
                             "位次": f"{words.rank(b, self.session.spec)}→{words.rank(a, self.session.spec)}"})
        if not rows:
            return '<div class="eco-wb" data-readings>按所选读法,各单位的总分、等次和位次都不变。</div>'
        return ('<div class="eco-wb" data-readings>' + pd.DataFrame(rows).to_html(index=False, escape=True) + "</div>")

    def save_scenario(self, path: str | Path) -> Path:
        """Save the changes and readings as a scenario file."""
        s = self.session
        sc = Scenario(self.scenario_name.value, s.document.id, dict(s.changes), dict(s.readings))
        out = sc.save(path, s.document)
        self.message.value = f'<div class="eco-wb">已保存情景 {html.escape(str(out))}</div>'
        return out

    def load_scenario(self, path: str | Path) -> None:
        """Load a scenario file: its readings and changes replace the current ones."""
        try:
            sc = Scenario.load(path)
            if sc.document != self.session.document.id:
                self.doc_pick.value = sc.document
            self.session.reset()
            self.session.use_readings(sc.readings)
            self.session.update(sc.changes)
        except EcoscoreError as e:
            self.message.value = f'<div class="eco-wb"><span class="down">{html.escape(str(e))}</span></div>'
            return
        self.scenario_name.value = sc.name
        self._busy = True
        for key, w in self.inputs.items():
            v = self.session.value(self.unit, key)
            if v is not None:
                w.value = int(v) if isinstance(w, W.BoundedIntText) else v
        self._busy = False
        self.refresh()


def compare(doc: str, scenarios: list[str | Path], *, facts=None, previous=None) -> pd.DataFrame:
    """Return each unit's total, grade and rank as read and under each scenario, side by side."""
    w = WhatIf(doc, facts, previous)
    cols = {"实际": w.baseline.summary.set_index("unit")}
    for path in scenarios:
        sc = Scenario.load(path)
        w.reset()
        w.use_readings(sc.readings)
        w.update(sc.changes)
        cols[sc.name] = w.result.summary.set_index("unit")
    out = pd.DataFrame(index=w.names)
    for name, s in cols.items():
        out[f"{name}·总分"] = [fmt(x) if pd.notna(x) else "—" for x in s["total"].reindex(w.names)]
        out[f"{name}·等次"] = s["grade"].reindex(w.names).fillna("")
        out[f"{name}·位次"] = [words.rank(s.loc[u], w.spec) if u in s.index else "" for u in w.names]
    out.index.name = "单位"
    return out
