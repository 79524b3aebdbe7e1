"""Roll the audit trail up: group subtotals with the document's caps, totals, grades,
verdicts, gates and ranks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecoscore.rules.base import Outcome, fmt
from ecoscore.spec import Spec

SUMMARY_COLUMNS = [
    "unit", "total", "base", "bonus", "deduction", "grade", "verdict", "rank", "missing", "gates",
    "binding", "binding_met", "binding_not_met", "binding_missing", "indicators_met", "indicators", "tasks", "tasks_done",
]


def group_totals(spec: Spec, audit: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Return unit × group subtotals, each clipped to the group's floor and cap."""
    sums = audit.pivot_table(index="unit", columns="group", values="awarded", aggfunc="sum", fill_value=0.0)
    sums = sums.reindex(index=names, columns=[g.id for g in spec.groups], fill_value=0.0).fillna(0.0)
    depth = {}
    parent = {g.id: g.parent for g in spec.groups}
    for g in spec.groups:
        d, x = 0, g.id
        while parent.get(x):
            d, x = d + 1, parent[x]
        depth[g.id] = d
    out = sums.copy()
    for g in sorted(spec.groups, key=lambda g: -depth[g.id]):
        kids = [c.id for c in spec.groups if c.parent == g.id]
        col = sums[g.id] + (out[kids].sum(axis=1) if kids else 0.0)
        lo = -np.inf if g.floor is None else g.floor
        hi = np.inf if g.max is None else g.max
        out[g.id] = col.clip(lo, hi)
    out.index.name = "unit"
    return out


def rollup(spec: Spec, audit: pd.DataFrame, names: list[str], facts: pd.DataFrame | None = None):
    """Return ``(groups, summary)`` for a scored cohort."""
    groups = group_totals(spec, audit, names)
    top = [g for g in spec.groups if g.parent is None]
    kind_sum = {k: groups[[g.id for g in top if g.kind == k]].sum(axis=1) for k in ("base", "bonus", "deduction")}
    s = pd.DataFrame({"unit": names})
    s["base"] = kind_sum["base"].to_numpy()
    s["bonus"] = kind_sum["bonus"].to_numpy()
    s["deduction"] = kind_sum["deduction"].to_numpy()
    points_doc = spec.family == "points" or spec.total is not None
    s["total"] = (s["base"] + s["bonus"] + s["deduction"]) if points_doc else np.nan
    out = audit["outcome"]
    kind = audit["kind"]
    binding = (kind == "indicator") & (audit["attribute"] == "约束性")

    def count(mask: pd.Series) -> np.ndarray:
        return s["unit"].map(mask.groupby(audit["unit"]).sum()).fillna(0).astype(int).to_numpy()

    s["missing"] = count(out == Outcome.MISSING.value)
    s["indicators"] = count(kind == "indicator")
    s["indicators_met"] = count((kind == "indicator") & (out == Outcome.MET.value))
    s["binding"] = count(binding)
    s["binding_met"] = count(binding & (out == Outcome.MET.value))
    s["binding_not_met"] = count(binding & (out == Outcome.NOT_MET.value))
    s["binding_missing"] = count(binding & (out == Outcome.MISSING.value))
    s["tasks"] = count(kind == "task")
    s["tasks_done"] = count((kind == "task") & out.isin([Outcome.DONE.value, Outcome.FULL.value]))

    s["gates"], vetoed, barred = _gates(audit, names)
    s["grade"] = _grades(spec, s["total"].to_numpy(), vetoed, barred) if spec.grades else ""
    s["verdict"] = _verdicts(spec, s, vetoed, barred)
    from ecoscore.rules.policies import apply_policies

    s = apply_policies(spec, s, groups, audit, facts)
    s["rank"] = _rank(spec, s)
    return groups, s[SUMMARY_COLUMNS]


def _gates(audit: pd.DataFrame, names: list[str]):
    g = audit[audit["kind"] == "gate"]
    trig = g[g["outcome"] == Outcome.TRIGGERED.value]
    unmet = g[g["outcome"] == Outcome.NOT_MET.value]
    text, vetoed, barred = [], [], []
    t_by = trig.groupby("unit")["title"].apply(list).to_dict()
    u_by = unmet.groupby("unit")["title"].apply(list).to_dict()
    m_by = g[g["outcome"] == Outcome.MISSING.value].groupby("unit")["title"].apply(list).to_dict()
    for u in names:
        bits = []
        if u in t_by:
            bits.append("触发合格否决:" + "、".join(t_by[u]))
        if u in u_by:
            bits.append("未满足评优前置:" + "、".join(u_by[u]))
        if u in m_by:
            bits.append("前置条件缺数据:" + "、".join(m_by[u]))
        text.append(";".join(bits))
        vetoed.append(u in t_by)
        barred.append(u in u_by or u in m_by)
    return text, np.array(vetoed, dtype=bool), np.array(barred, dtype=bool)


def grade_for(spec: Spec, total: float) -> str:
    """Return the band grade for a total, before gates and policies."""
    for band in spec.grades:
        if band.min is None or total >= band.min - 1e-9:
            return band.grade
    return spec.grades[-1].grade


def _grades(spec: Spec, totals, vetoed, barred) -> list[str]:
    top, worst = spec.grades[0].grade, spec.grades[-1].grade
    second = spec.grades[1].grade if len(spec.grades) > 1 else top
    out = []
    for t, v, b in zip(totals, vetoed, barred):
        g = grade_for(spec, t)
        if v:
            g = worst
        elif b and g == top:
            g = second
        out.append(g)
    return out


def _verdicts(spec: Spec, s: pd.DataFrame, vetoed, barred) -> list[str]:
    out = []
    for k, row in enumerate(s.itertuples(index=False)):
        bits = []
        if row.binding:
            miss = row.binding_missing
            if row.binding_not_met:
                bits.append(f"{row.binding_not_met}项约束性指标未达标")
            elif miss:
                bits.append(f"约束性指标无未达标项,但{miss}项缺数据,暂无法判定")
            else:
                bits.append("约束性指标全部达标")
        if spec.family == "taskbook" and row.tasks:
            bits.append(f"重点任务完成{row.tasks_done}/{row.tasks}项")
        if not spec.grades:
            if vetoed[k]:
                bits.append("触发合格否决,考核不合格")
            elif barred[k]:
                bits.append("未满足评优前置条件,不得评优")
        out.append(";".join(bits))
    return out


def _rank(spec: Spec, s: pd.DataFrame) -> pd.Series:
    """Rank within each unit's rank group (units without one rank together)."""
    if s["total"].notna().any():
        key = s["total"]
    elif s["binding"].any():
        key = s["binding_met"] * 1000 + s["indicators_met"]
    else:
        key = s["tasks_done"] / s["tasks"].replace(0, np.nan)
    groups = {u.name: u.rank_group or "" for u in spec.units}
    peer = s["unit"].map(groups).fillna("")
    return key.groupby(peer).rank(ascending=False, method="min")


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
