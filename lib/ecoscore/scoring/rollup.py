"""Roll the audit trail up, exactly as it will be shown: line → item → section → total.

Every group's score is the sum of its children (its own lines and its subgroups' scores);
where the document's cap or floor changes that sum, the difference is an explicit
**adjustment** with its reason. The total is the sum of the top-level sections plus a
total-level adjustment when a grading policy sets the total (000's non-key units). So for
every unit: Σ line points + Σ adjustments = total, and each group = Σ children + adjustment.

``base``, ``bonus``, ``deduction`` and ``lost`` have one definition each (see
``SUMMARY_COLUMNS``) and are computed here once; every view reads them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecoscore.rules.base import Outcome, fmt
from ecoscore.scoring.ranking import rank
from ecoscore.spec import Spec

#: The summary, one row per unit. ``base``/``bonus``/``deduction``: the scores of the top-level
#: sections of each kind, after their adjustments (``deduction`` ≤ 0); ``adjustment``: the
#: total-level adjustment (a policy's); ``total`` = base + bonus + deduction + adjustment;
#: ``possible``: the base sections' maximum; ``lost`` = possible − base (points lost in the base
#: sections; bonus not earned is not "lost", deductions are counted in ``deduction``).
#: ``added``: for a unit an analyst added (``Spec.analyst_units``), the categories entered for
#: it ("农村生活污水治理分区:东部地区"); empty for the document's own units.
SUMMARY_COLUMNS = [
    "unit", "total", "base", "bonus", "deduction", "adjustment", "possible", "lost", "grade", "verdict",
    "rank", "rank_of", "rank_group", "vetoed", "barred", "veto_status", "bar_status", "gate_conflicts",
    "compliance", "missing", "gates",
    "binding", "binding_met", "binding_not_met", "binding_missing", "indicators_met", "indicators", "tasks", "tasks_done",
    "added",
]

#: The rolled-up hierarchy, one row per unit × group plus one ``total`` row per unit.
ROLLUP_COLUMNS = ["unit", "level", "id", "parent", "depth", "title", "kind", "possible", "children",
                  "adjustment", "awarded", "reason"]

#: Every adjustment (group caps and floors, policies), one row each.
ADJUSTMENT_COLUMNS = ["unit", "level", "id", "points", "reason"]

TOTAL_ID = "总分"


def printed_adjustment(total: float, printed_parts: float) -> float:
    """Return a total-level adjustment as printed: the printed total less the printed parts, so
    the figures a reader adds up (each with two decimals) give the printed total exactly.
    """
    return round(printed(total) - round(float(printed_parts), 2), 2)


def printed(x: float) -> float:
    """Return ``x`` as the reports print it (``fmt``: at most two decimals)."""
    return float(fmt(x))


def signed(x: float) -> str:
    """Return a signed point figure: +10, −4 (a true minus sign)."""
    return ("+" if x >= 0 else "−") + fmt(abs(x))


def _depths(spec: Spec) -> dict[str, int]:
    parent = {g.id: g.parent for g in spec.groups}
    out = {}
    for g in spec.groups:
        d, x = 0, g.id
        while parent.get(x):
            d, x = d + 1, parent[x]
        out[g.id] = d
    return out


def _why(g, children: float, clipped: float) -> str:
    """Return the reason for a group's adjustment, in the document's terms."""
    adj = clipped - children
    name = f"{g.id} {g.title}" if g.title and g.title != g.id else g.id
    if g.max is not None and clipped <= g.max + 1e-9 and children > g.max + 1e-9:
        return f"{name}以{fmt(g.max)}分为限,调整{signed(adj)}分"
    if g.kind == "deduction":
        return f"{name}扣分以{fmt(-g.floor)}分为限,调整{signed(adj)}分"
    return f"{name}扣分扣完为止(不低于{fmt(g.floor)}分),调整{signed(adj)}分"


def group_rollup(spec: Spec, audit: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(groups, rows)``: unit × group scores after adjustments, and the rollup rows."""
    ids = [g.id for g in spec.groups]
    unit_code = _unit_codes(audit, names)
    group_code = pd.Index(ids).get_indexer(audit["group"].to_numpy())
    keep = (unit_code >= 0) & (group_code >= 0)
    flat = unit_code[keep] * len(ids) + group_code[keep]

    def table(values: np.ndarray) -> np.ndarray:  # units × groups, in ``ids`` order
        sums = np.bincount(flat, weights=np.nan_to_num(values[keep]), minlength=len(names) * len(ids))
        return sums.reshape(len(names), len(ids))

    sums = table(audit["awarded"].to_numpy(dtype=float))
    countable = audit["kind"].isin(["base", "bonus", "task"]).to_numpy()
    poss = table(np.where(countable, audit["possible"].to_numpy(dtype=float), 0.0))
    depth = _depths(spec)
    col = {g: k for k, g in enumerate(ids)}
    kids = {g.id: [col[c.id] for c in spec.groups if c.parent == g.id] for g in spec.groups}
    out, possible = sums.copy(), poss.copy()
    raw, adjust = sums.copy(), np.zeros_like(sums)
    for g in sorted(spec.groups, key=lambda g: -depth[g.id]):  # children before parents
        k = col[g.id]
        children = sums[:, k] + (out[:, kids[g.id]].sum(axis=1) if kids[g.id] else 0.0)
        lo = -np.inf if g.floor is None else g.floor
        hi = np.inf if g.max is None else g.max
        clipped = np.clip(children, lo, hi)
        clipped = np.where(np.abs(clipped - children) > 1e-4, clipped, children)  # float noise is not an adjustment
        raw[:, k], out[:, k], adjust[:, k] = children, clipped, np.round(clipped - children, 6)
        if g.kind == "deduction":
            possible[:, k] = 0.0
        elif g.max is not None:
            possible[:, k] = g.max
        else:
            possible[:, k] = poss[:, k] + (possible[:, kids[g.id]].sum(axis=1) if kids[g.id] else 0.0)
    n = len(names)
    order = [g for g in _document_order(spec)]
    rows = pd.DataFrame(columns=ROLLUP_COLUMNS)
    if order:
        cols = [col[g.id] for g in order]
        a, c, v = adjust[:, cols].T.ravel(), raw[:, cols].T.ravel(), out[:, cols].T.ravel()  # group-major
        reasons = np.full(len(a), "", dtype=object)
        for j in np.flatnonzero(np.abs(a) > 1e-9):
            reasons[j] = _why(order[j // n], c[j], v[j])
        rep = lambda values: np.repeat(np.array(values, dtype=object), n)  # noqa: E731
        rows = pd.DataFrame({
            "unit": np.tile(np.array(names, dtype=object), len(order)), "level": "group",
            "id": rep([g.id for g in order]), "parent": rep([g.parent or "" for g in order]),
            "depth": np.repeat([depth[g.id] for g in order], n), "title": rep([g.title for g in order]),
            "kind": rep([g.kind for g in order]), "possible": possible[:, cols].T.ravel(),
            "children": c, "adjustment": a, "awarded": v, "reason": reasons,
        })
    groups = pd.DataFrame(out, index=pd.Index(names, name="unit"), columns=ids)
    return groups, rows


class _OutcomeColumn:
    """Outcome comparisons on the categorical's codes (fast on a million rows)."""

    def __init__(self, col: pd.Series):
        self.col = col
        cats = list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) else None
        self.codes = col.cat.codes.to_numpy() if cats is not None else None
        self.pos = {c: i for i, c in enumerate(cats)} if cats is not None else None

    def __eq__(self, value: str) -> pd.Series:  # type: ignore[override]
        if self.codes is None:
            return self.col.astype(str) == value
        return pd.Series(self.codes == self.pos.get(value, -2), index=self.col.index)

    def isin(self, values) -> pd.Series:
        if self.codes is None:
            return self.col.astype(str).isin(values)
        return pd.Series(np.isin(self.codes, [self.pos.get(v, -2) for v in values]), index=self.col.index)

    __hash__ = None


def _unit_codes(audit: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Return each audit row's position in ``names`` (-1 for a unit not among them)."""
    u = audit["unit"]
    if isinstance(u.dtype, pd.CategoricalDtype) and list(u.cat.categories) == list(names):
        return u.cat.codes.to_numpy().astype(np.int64)
    return pd.Index(names).get_indexer(u.astype(str).to_numpy())


def _document_order(spec: Spec) -> list:
    """Return the groups depth-first (a parent before its children), in the spec's order."""
    kids: dict[str | None, list] = {}
    for g in spec.groups:
        kids.setdefault(g.parent, []).append(g)
    out: list = []

    def walk(parent):
        for g in kids.get(parent, []):
            out.append(g)
            walk(g.id)

    walk(None)
    return out


def rollup(spec: Spec, audit: pd.DataFrame, names: list[str], facts: pd.DataFrame | None = None):
    """Return ``(groups, summary, rows, adjustments)`` for a scored cohort."""
    groups, rows = group_rollup(spec, audit, names)
    top = [g for g in spec.groups if g.parent is None]
    s = pd.DataFrame({"unit": names})
    for k in ("base", "bonus", "deduction"):
        s[k] = groups[[g.id for g in top if g.kind == k]].sum(axis=1).to_numpy()
    points_doc = spec.family == "points" or spec.total is not None
    top_base = rows[(rows["depth"] == 0) & (rows["kind"] == "base")].groupby("unit", sort=False)["possible"].sum()
    s["possible"] = s["unit"].map(top_base).fillna(0.0).to_numpy() if points_doc else np.nan
    s["total"] = (s["base"] + s["bonus"] + s["deduction"]) if points_doc else np.nan
    s["lost"] = (s["possible"] - s["base"]) if points_doc else np.nan
    out = _OutcomeColumn(audit["outcome"])
    kind = audit["kind"]
    binding = (kind == "indicator") & (audit["attribute"] == "约束性")

    codes = _unit_codes(audit, names)
    valid = codes >= 0

    def count(mask: pd.Series) -> np.ndarray:
        return np.bincount(codes[valid & mask.to_numpy()], minlength=len(names)).astype(int)

    s["missing"] = count(out == Outcome.MISSING.value)
    counted = ~(out == Outcome.NOT_APPLICABLE.value)  # a row a reading marks 不适用 is not counted
    s["indicators"] = count((kind == "indicator") & counted)
    s["indicators_met"] = count((kind == "indicator") & (out == Outcome.MET.value))
    s["binding"] = count(binding)
    s["binding_met"] = count(binding & (out == Outcome.MET.value))
    s["binding_not_met"] = count(binding & (out == Outcome.NOT_MET.value))
    s["binding_missing"] = count(binding & (out == Outcome.MISSING.value))
    s["tasks"] = count((kind == "task") & counted)
    s["tasks_done"] = count((kind == "task") & out.isin([Outcome.DONE.value, Outcome.FULL.value]))
    s["compliance"] = np.where(s["binding"] == 0, "",
                               np.where(s["binding_not_met"] > 0, "not_met",
                                        np.where(s["binding_missing"] > 0, "undetermined", "met")))
    for col, values in _gates(spec, audit, names).items():
        s[col] = values
    s["grade"] = _grades(spec, s["total"].to_numpy(), s["vetoed"], s["barred"]) if spec.grades else ""
    s["verdict"] = _verdicts(spec, s)
    s["adjust_reason"] = ""
    before = s["total"].copy()
    from ecoscore.rules.policies import apply_policies

    s = apply_policies(spec, s, groups, audit, facts)
    s["adjustment"] = (s["total"] - before).fillna(0.0).round(6) if points_doc else 0.0
    shown = groups[[g.id for g in top]].map(printed).sum(axis=1).to_numpy()  # the sections as printed
    s["adjust_reason"] = [f"{why};本单位各部分合计{fmt(b)}分,调整{signed(printed_adjustment(t, b))}分" if why else ""
                          for why, b, t in zip(s["adjust_reason"], shown, s["total"])]
    s = pd.concat([s, rank(spec, s)], axis=1)
    s["added"] = [_entered(spec, u, facts) for u in names]
    rows = pd.concat([rows, _total_rows(s, points_doc)], ignore_index=True)
    adjustments = rows.loc[rows["adjustment"].abs() > 1e-9, ["unit", "level", "id", "adjustment", "reason"]]
    adjustments = adjustments.rename(columns={"adjustment": "points"}).reset_index(drop=True)
    return groups, s[SUMMARY_COLUMNS], rows[ROLLUP_COLUMNS], adjustments[ADJUSTMENT_COLUMNS]


def _entered(spec: Spec, unit: str, facts: pd.DataFrame | None) -> str:
    """Return the categories entered for a unit an analyst added, in words; "" for the document's units."""
    if unit in spec.unit_names or spec.analyst_units is None:
        return ""
    out = []
    for c in spec.analyst_units.categories:
        key = f"@unit:{c.code}"
        value = facts.at[unit, key] if facts is not None and key in facts.columns and unit in facts.index else None
        out.append(f"{c.dim}:{value if isinstance(value, str) else '未填'}")
    return ";".join(out)


def _total_rows(s: pd.DataFrame, points_doc: bool) -> pd.DataFrame:
    if not points_doc:
        return pd.DataFrame(columns=ROLLUP_COLUMNS)
    reason = [r if abs(a) > 1e-9 else "" for r, a in zip(s["adjust_reason"], s["adjustment"])]
    return pd.DataFrame({
        "unit": s["unit"], "level": "total", "id": TOTAL_ID, "parent": "", "depth": -1, "title": TOTAL_ID,
        "kind": "total", "possible": s["possible"], "children": s["base"] + s["bonus"] + s["deduction"],
        "adjustment": s["adjustment"], "awarded": s["total"], "reason": reason,
    })


def _gates(spec: Spec, audit: pd.DataFrame, names: list[str]) -> dict[str, list | np.ndarray]:
    """Return the gate columns of the summary, one value per unit in ``names``.

    ``veto_status``: ``triggered`` (any 合格否决 triggered), else ``missing`` (any fact missing),
    else ``clear`` ("" without 合格否决 gates); ``bar_status``: ``not_met`` / ``missing`` / ``met``
    likewise for 评优前置 — a missing veto is never worded as a bar; ``vetoed``: a 合格否决
    triggered; ``barred``: kept from the top grade (a 评优前置 not met or missing, or a 合格否决
    missing: a unit that may be 不合格 cannot be certified 优秀); ``gate_conflicts``: ids of gates recorded as passed (clear / met) while a task
    they are linked to (``linked_tasks`` in the spec) is unfinished for the same unit, comma-joined;
    ``gates``: all of it in words.
    """
    g = audit[audit["kind"] == "gate"]
    out = g["outcome"].astype(str)
    veto, bar = g["gate"] == "veto", g["gate"] == "bar"

    def by_unit(mask) -> dict[str, list[str]]:
        return g[mask].groupby("unit", observed=True)["title"].apply(list).to_dict()

    t_by = by_unit(veto & (out == Outcome.TRIGGERED.value))
    vm_by = by_unit(veto & (out == Outcome.MISSING.value))
    u_by = by_unit(bar & (out == Outcome.NOT_MET.value))
    bm_by = by_unit(bar & (out == Outcome.MISSING.value))
    # gates passed while a linked task is unfinished
    links = {ln.id: ln.linked_tasks for ln in spec.lines if ln.linked_tasks}
    unfinished = {Outcome.NOT_DONE.value, Outcome.PARTIAL.value, Outcome.ZERO.value}
    tasks = audit[audit["line_id"].isin({t for ts in links.values() for t in ts})]
    task_state = {(str(u), str(i)): (str(o), str(t)) for u, i, o, t in
                  zip(tasks["unit"], tasks["line_id"], tasks["outcome"].astype(str), tasks["title"])}
    passed = g[((veto & (out == Outcome.CLEAR.value)) | (bar & (out == Outcome.MET.value)))
               & g["line_id"].isin(list(links))]
    c_ids: dict[str, list[str]] = {}
    c_words: dict[str, list[str]] = {}
    for u, gid, title, kind in zip(passed["unit"], passed["line_id"], passed["title"], passed["gate"]):
        u, gid = str(u), str(gid)
        late = [(t, task_state[(u, t)][1]) for t in links[gid]
                if task_state.get((u, t), ("",))[0] in unfinished]
        if late:
            c_ids.setdefault(u, []).append(gid)
            state = "未触发" if kind == "veto" else "已满足"
            c_words.setdefault(u, []).append(
                f"“{title}”记为{state},但相关任务未完成:" + "、".join(f"{t} {tt}" for t, tt in late))
    has_veto = set(g.loc[veto, "unit"].astype(str))
    has_bar = set(g.loc[bar, "unit"].astype(str))
    text, veto_status, bar_status, conflicts = [], [], [], []
    for u in names:
        bits = []
        if u in t_by:
            bits.append("触发合格否决:" + "、".join(t_by[u]))
        if u in vm_by:
            bits.append("合格否决指标缺数据,是否触发未知,可能不合格:" + "、".join(vm_by[u]))
        if u in u_by:
            bits.append("未满足评优前置:" + "、".join(u_by[u]))
        if u in bm_by:
            bits.append("评优前置指标缺数据,是否满足未知,暂不得评优:" + "、".join(bm_by[u]))
        if u in c_words:
            bits.append("前置条件与任务完成情况不一致:" + ";".join(c_words[u]) + ",请核实")
        text.append(";".join(bits))
        veto_status.append(Outcome.TRIGGERED.value if u in t_by else Outcome.MISSING.value if u in vm_by
                           else Outcome.CLEAR.value if u in has_veto else "")
        bar_status.append(Outcome.NOT_MET.value if u in u_by else Outcome.MISSING.value if u in bm_by
                          else Outcome.MET.value if u in has_bar else "")
        conflicts.append(",".join(c_ids.get(u, [])))
    vs, bs = np.array(veto_status, dtype=object), np.array(bar_status, dtype=object)
    vetoed = vs == Outcome.TRIGGERED.value
    barred = np.isin(bs, [Outcome.NOT_MET.value, Outcome.MISSING.value]) | (vs == Outcome.MISSING.value)
    return {"gates": text, "vetoed": vetoed.astype(bool), "barred": barred.astype(bool),
            "veto_status": veto_status, "bar_status": bar_status, "gate_conflicts": conflicts}


def grade_for(spec: Spec, total: float) -> str:
    """Return the band grade for a total, before gates and policies."""
    for band in spec.grades:
        if band.min is None or total >= band.min - 1e-9:
            return band.grade
    return spec.grades[-1].grade


def gated(spec: Spec, grade: str, vetoed: bool, barred: bool) -> str:
    """Return ``grade`` after the gates: a veto gives the worst grade, a bar denies the top one."""
    top, worst = spec.grades[0].grade, spec.grades[-1].grade
    second = spec.grades[1].grade if len(spec.grades) > 1 else top
    if vetoed:
        return worst
    if barred and grade == top:
        return second
    return grade


def _grades(spec: Spec, totals, vetoed, barred) -> list[str]:
    return [gated(spec, grade_for(spec, t), v, b) for t, v, b in zip(totals, vetoed, barred)]


def _verdicts(spec: Spec, s: pd.DataFrame) -> list[str]:
    titles = {ln.id: ln.title for ln in spec.lines}
    out = []
    for row in s.itertuples(index=False):
        bits = []
        if row.binding:
            if row.binding_not_met:
                bits.append(f"{row.binding_not_met}项约束性指标未达标")
            elif row.binding_missing:
                bits.append(f"约束性指标无未达标项,但{row.binding_missing}项缺数据,暂无法判定")
            else:
                bits.append("约束性指标全部达标")
        if spec.family == "taskbook" and row.tasks:
            bits.append(f"重点任务完成{row.tasks_done}/{row.tasks}项")
        if not spec.grades:
            if row.vetoed:
                bits.append("触发合格否决,考核不合格")
            else:
                if row.veto_status == Outcome.MISSING.value:
                    bits.append("合格否决指标缺数据,是否触发未知,可能不合格")
                if row.bar_status == Outcome.NOT_MET.value:
                    bits.append("未满足评优前置条件,不得评优")
                elif row.bar_status == Outcome.MISSING.value:
                    bits.append("评优前置指标缺数据,是否满足未知,暂不得评优")
        if row.gate_conflicts:
            named = "、".join(titles.get(i, i) for i in row.gate_conflicts.split(","))
            bits.append(f"前置条件与任务完成情况不一致:{named},请核实")
        out.append(";".join(bits))
    return out


def describe_total(row) -> str:
    """Return a one-line Chinese description of a unit's result."""
    parts = []
    if row.get("total") == row.get("total"):
        parts.append(f"总分{fmt(row['total'])}分")
    if row.get("grade"):
        parts.append(f"等次{row['grade']}")
    if row.get("verdict"):
        parts.append(row["verdict"])
    return ",".join(parts)
