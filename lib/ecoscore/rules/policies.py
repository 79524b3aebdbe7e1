"""Document-specific grading policies, referenced by name from a spec's ``policies`` list.

A policy adjusts the summary after grades are set (e.g. 000: key units may be promoted to
优秀; non-key units get the cohort average adjusted by completion). Policies are behaviour,
so they live here; the spec only names them and gives their parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ecoscore import words
from ecoscore.rules.base import FactSpec, fmt

PolicyFn = Callable[..., pd.DataFrame]
_POLICIES: dict[str, tuple[PolicyFn, Callable[[dict], tuple[FactSpec, ...]]]] = {}


def register_policy(name: str, facts: Callable[[dict], tuple[FactSpec, ...]] = lambda p: ()):
    """Register a policy function under ``name`` with the facts it reads."""

    def deco(fn: PolicyFn) -> PolicyFn:
        if name in _POLICIES:
            raise ValueError(f"policy {name!r} already registered")
        _POLICIES[name] = (fn, facts)
        return fn

    return deco


def known_policies() -> list[str]:
    """Return the registered policy names."""
    return sorted(_POLICIES)


def _get(name: str):
    try:
        return _POLICIES[name]
    except KeyError:
        raise KeyError(f"unknown policy {name!r}; known: {', '.join(known_policies()) or '(none)'}") from None


def policy_facts(params: dict[str, Any]) -> list[tuple[str, FactSpec]]:
    """Return ``(key, fact)`` for the facts a policy reads; keys are ``"@<policy>:<name>"``."""
    _, facts = _get(params["type"])
    return [(f"@{params['type']}:{f.name}", f) for f in facts(params)]


def apply_policies(spec, summary: pd.DataFrame, groups: pd.DataFrame, audit: pd.DataFrame,
                   facts: pd.DataFrame | None) -> pd.DataFrame:
    """Apply every policy the spec names, in order."""
    for params in spec.policies:
        fn, _ = _get(params["type"])
        summary = fn(spec, summary, groups, audit, facts, **{k: v for k, v in params.items() if k != "type"})
    return summary


# ---------------------------------------------------------------------------
# Helpers shared by the policies below
# ---------------------------------------------------------------------------


def _fact_column(facts: pd.DataFrame | None, policy: str, name: str, kind: str,
                 units: list[str] | None = None) -> pd.Series:
    """Return a policy fact for ``units`` (default: every row of ``facts``), coerced to ``kind``.

    Bool facts come back as True / False / None (missing).
    """
    from ecoscore.rules.values import coerce

    key = f"@{policy}:{name}"
    if facts is None or key not in facts.columns:
        idx = list(units) if units is not None else ([] if facts is None else list(facts.index))
        return pd.Series([None] * len(idx), index=idx, dtype=object)
    col = facts[key] if units is None else facts[key].reindex(units)
    return pd.Series(coerce(col, kind), index=col.index, dtype=object)


def _signed(x: float) -> str:
    """Return a signed point figure as the rollup writes it: +10, −4 (a true minus sign)."""
    return ("+" if x >= 0 else "−") + fmt(abs(x))


def _append(text: str, more: str) -> str:
    return f"{text};{more}" if text else more


def _key_units(spec) -> set[str]:
    return {u.name for u in spec.units if u.key}


def _regrade(spec, score: float, inclusive: bool) -> str:
    for band in spec.grades:
        if band.min is None:
            return band.grade
        if (score >= band.min - 1e-9) if inclusive else (score > band.min + 1e-9):
            return band.grade
    return spec.grades[-1].grade


def _section_status(spec, audit: pd.DataFrame, section: str) -> dict[str, tuple[bool, str]]:
    """Return, per unit, whether every line of ``section`` earned full points, and which did not."""
    from ecoscore.rules.base import Outcome

    rows = audit.loc[(audit["section"] == section).to_numpy(), ["unit", "line_id", "outcome", "awarded", "possible"]]
    out = {}
    full = Outcome.FULL.value
    for unit, line_ids, outcomes, awarded, possible in zip(*(rows[c].tolist() for c in rows.columns)):
        done, bits = out.get(unit, (True, []))
        if outcomes != full:
            bits.append(f"{line_ids}{words.outcome(outcomes)}(得{fmt(awarded)}/{fmt(possible)}分)")
        out[unit] = (done and outcomes == full, bits)
    return {u: (done, "、".join(bits[:3]) + (f"等{len(bits)}项" if len(bits) > 3 else ""))
            for u, (done, bits) in out.items()}


# ---------------------------------------------------------------------------
# Grade bands: where a boundary score falls, and whether bonus points count
# ---------------------------------------------------------------------------


def _band_facts(p: dict) -> tuple[FactSpec, ...]:
    if not p.get("confirm"):
        return ()
    return (FactSpec("confirmed", "按分数段“可评为”的等次是否经研究确定", "bool", required=False),)


@register_policy("grade_bands", facts=_band_facts)
def grade_bands(spec, summary, groups, audit, facts, *, inclusive: bool = True,
                bonus_counts: bool = True, confirm: bool = False, pending: str = "待定"):
    """Re-grade by the bands under another reading of "X分以上" and of what the grade is based on.

    ``inclusive: true`` (the default, and what the engine already does) puts a score equal to a
    band's minimum in that band; ``false`` reads "90分以上" as strictly above 90. ``bonus_counts:
    false`` grades on the total without bonus (附加分) points. ``confirm: true`` reads "可评为" as
    a proposal: a grade above the last band stands only when the fact ``confirmed`` is yes, else
    it becomes ``pending`` ("待定") and the verdict names the proposed grade; the last band
    ("70分以下为不合格") applies as it is. With every default nothing changes.
    Gates keep their effect (合格否决 → worst grade; 评优前置 not met → not the top grade).
    """
    if inclusive and bonus_counts and not confirm:
        return summary
    s = summary.copy()
    top, worst = spec.grades[0].grade, spec.grades[-1].grade
    second = spec.grades[1].grade if len(spec.grades) > 1 else top
    how = []
    if not inclusive:
        how.append("“X分以上”不含本数")
    if not bonus_counts:
        how.append("附加分不计入定档分")
    ok = _fact_column(facts, "grade_bands", "confirmed", "bool", list(s["unit"])) if confirm else None
    for i, row in s.iterrows():
        basis = row["total"] - (0.0 if bonus_counts else row["bonus"])
        g = _regrade(spec, basis, inclusive)
        if row["vetoed"]:
            g = worst
        elif row["barred"] and g == top:
            g = second
        text = f"按{'、'.join(how)}定档:定档分{fmt(basis)}分,{g}" if how else ""
        if confirm and g != worst:
            if ok.get(row["unit"]) is True:
                text = _append(text, f"考核得分{fmt(basis)}分可评为{g},经研究确定")
            else:
                text = _append(text, f"考核得分{fmt(basis)}分可评为{g},尚未经研究确定,等次{pending}")
                g = pending
        s.at[i, "grade"] = g
        if text:
            s.at[i, "verdict"] = _append(row["verdict"], text)
    return s


# ---------------------------------------------------------------------------
# 丽水 2024 (seed 000): key units may be promoted; non-key units are not graded
# ---------------------------------------------------------------------------


def _promotion_facts(p: dict) -> tuple[FactSpec, ...]:
    out = [
        FactSpec("province_excellent", "我市是否获得省考优秀(全市一项,填写一次即可)", "bool"),
        FactSpec("no_veto", "本单位是否无否优事项", "bool"),
    ]
    if p.get("goal") == "fact":
        out.append(FactSpec("goal_done", "本单位是否完成年度工作目标(分析人员认定)", "bool"))
    if p.get("require_approval"):
        out.append(FactSpec("approved", "是否经研究同意晋级为优秀", "bool"))
    return tuple(out)


def _citywide(values: pd.Series) -> tuple[bool | None, str]:
    """Combine a city-wide yes/no fact entered once or on every unit's row."""
    given = {v for v in values if v is not None}
    if not given:
        return None, "缺少“我市获得省考优秀”数据"
    if len(given) > 1:
        return None, "“我市获得省考优秀”各行填报不一致"
    v = given.pop()
    return v, ("我市获得省考优秀" if v else "我市未获得省考优秀")


@register_policy("key_unit_promotion", facts=_promotion_facts)
def key_unit_promotion(spec, summary, groups, audit, facts, *, from_grade: str = "良好",
                       to_grade: str = "优秀", section: str = "一", scope: str = "per_unit",
                       goal: str = "tasks", require_approval: bool = False):
    """000 说明: "对于重点单位……我市获得省考优秀、各重点单位完成年度工作目标、达到良好等级且无否优
    事项,可以晋级为优秀".

    A key unit graded ``from_grade`` moves to ``to_grade`` when: the city-wide fact
    ``province_excellent`` is yes (entered on any row; rows that disagree count as unknown);
    the unit completed its annual goals — with ``goal: tasks`` every line of ``section``
    (工作目标, the task book) at full points, i.e. 一 = 80; with ``goal: fact`` as the analyst
    records it in ``goal_done`` — (``scope: per_unit``), or every key unit did so
    (``scope: all_key_units``, reading "各重点单位" as a collective condition); ``no_veto`` is
    yes; and, with ``require_approval``, ``approved`` is yes ("可以" read as discretionary).
    The reasons, met or not, are written into ``verdict``. Totals do not change.
    """
    if scope not in ("per_unit", "all_key_units"):
        raise ValueError("key_unit_promotion scope must be 'per_unit' or 'all_key_units'")
    if goal not in ("tasks", "fact"):
        raise ValueError("key_unit_promotion goal must be 'tasks' or 'fact'")
    name = "key_unit_promotion"
    s = summary.copy()
    keys = _key_units(spec)
    units = list(s["unit"])
    city, city_text = _citywide(_fact_column(facts, name, "province_excellent", "bool"))
    no_veto = _fact_column(facts, name, "no_veto", "bool", units)
    approved = _fact_column(facts, name, "approved", "bool", units) if require_approval else None
    status = _section_status(spec, audit, section)
    sec_max = spec.group(section).max
    if goal == "fact":
        done_fact = _fact_column(facts, name, "goal_done", "bool", units)
        status = {u: (done_fact.get(u) is True,
                      "分析人员认定未完成" if done_fact.get(u) is False else "缺少“完成年度工作目标”认定数据")
                  for u in units}
    key_in_cohort = [u for u in units if u in keys]
    all_done = all(status.get(u, (False, ""))[0] for u in key_in_cohort)
    not_done = [u for u in key_in_cohort if not status.get(u, (False, ""))[0]]
    for i, row in s.iterrows():
        u = row["unit"]
        if u not in keys or row["grade"] != from_grade:
            continue
        ok, fails = [], []
        (ok if city else fails).append(city_text)
        done, unfinished = status.get(u, (False, "无任务书数据"))
        got = fmt(groups.loc[u, section]) if u in groups.index else "—"
        if scope == "per_unit":
            where = f"{section}得{got}/{fmt(sec_max)}分" if goal == "tasks" else "分析人员认定"
            if done:
                ok.append(f"完成年度工作目标({where})")
            else:
                fails.append(f"未完成年度工作目标({where}:{unfinished})" if goal == "tasks"
                             else f"未完成年度工作目标({unfinished})")
        elif all_done:
            ok.append("各重点单位均完成年度工作目标")
        else:
            fails.append(f"并非各重点单位均完成年度工作目标(未完成:{'、'.join(not_done[:4])}"
                         f"{'等' + str(len(not_done)) + '家' if len(not_done) > 4 else ''})")
        ok.append(f"达到{from_grade}等级")
        nv = no_veto.get(u)
        if nv is True:
            ok.append("无否优事项")
        else:
            fails.append("有否优事项" if nv is False else "缺少“无否优事项”数据")
        if require_approval:
            ap = approved.get(u)
            (ok if ap is True else fails).append("经研究同意晋级" if ap is True else "未经研究同意晋级")
        if fails:
            text = f"重点单位未晋级{to_grade}:" + "、".join(fails)
        else:
            s.at[i, "grade"] = to_grade
            text = f"重点单位晋级:{'、'.join(ok)},由{from_grade}晋级为{to_grade}"
        s.at[i, "verdict"] = _append(row["verdict"], text)
    return s


def _non_key_facts(p: dict) -> tuple[FactSpec, ...]:
    return (FactSpec("outstanding", "非重点单位工作成效突出,经研究给予优秀名额", "bool", required=False),)


_POOL_WORD = {"key": "重点单位", "all": "全部成员单位", "non_key": "非重点单位"}
_ADJUSTS = ("vs_key", "vs_non_key", "shortfall", "none")


def _pool(spec, kind: str) -> list[str]:
    """Return the document's units named by ``kind`` (``key``, ``non_key``, ``all``), in spec order."""
    keys = _key_units(spec)
    return [u.name for u in spec.units
            if kind == "all" or (kind == "key") == (u.name in keys)]


def _cohort_note(spec, kind: str, scored: list[str]) -> str:
    """Say which of the document's ``kind`` units an average is taken over when some are not scored."""
    want = _pool(spec, kind)
    absent = [u for u in want if u not in scored]
    if not absent:
        return ""
    shown = "、".join(absent[:4]) + (f"等{len(absent)}家" if len(absent) > 4 else "")
    return (f"(注意:本次评分只含文件所列{len(want)}家{_POOL_WORD[kind]}中的{len(want) - len(absent)}家,"
            f"缺{shown},平均值仅按参与评分的单位计算)")


def _section_names(spec, sections: list[str]) -> str:
    return "+".join(f"{s}、{spec.group(s).title.split('(')[0]}" for s in sections)


@register_policy("non_key_average", facts=_non_key_facts)
def non_key_average(spec, summary, groups, audit, facts, *, base: str = "key", adjust: str = "vs_key",
                    sections: list | tuple = ("一",), average_bonus: bool = False, own_bonus: bool = True,
                    grade: str = "不定档", outstanding_grade: str = "优秀"):
    """000 说明: "对于非重点单位,原则上考核不定档,赋予平均分,根据任务完成情况给予加减分;工作成效
    突出的,可适当考虑一定的优秀名额".

    A non-key unit's total becomes an average ``A`` plus an adjustment ``D`` (plus its own bonus).

    * ``base`` — whose totals are averaged: the document's ``key`` units, ``all`` its units, or
      its ``non_key`` units; ``own`` keeps the unit's own computed total (no average, no
      adjustment). The pool is taken from the spec, not from whoever is scored: when some of
      its units are not in the cohort scored, the average is over those present and the
      verdict and ``adjust_reason`` say which are missing.
    * ``average_bonus`` — whether the averaged totals include their 附加分 (false: the 100-point
      score only).
    * ``adjust`` — 加减分 by task completion, measured on ``sections`` (default 一 工作目标;
      ``[一, 三]`` or ``[一, 二, 三]`` let 工作评价 / 工作推进 count too): ``vs_key`` adds the
      unit's score in those sections minus the key units' average there (both ways);
      ``vs_non_key`` minus the non-key units' average there (both ways); ``shortfall`` the unit's
      score minus the sections' maximum (0 when complete, else negative: subtract only);
      ``none`` nothing.
    * ``own_bonus`` — whether the unit's own 附加分 is added ("另附加分").

    The grade becomes ``grade`` ("不定档"), or ``outstanding_grade`` when the optional fact
    ``outstanding`` is yes. Key units are untouched.
    """
    if base not in ("key", "all", "non_key", "own"):
        raise ValueError("non_key_average base must be key, all, non_key or own")
    if adjust not in _ADJUSTS:
        raise ValueError(f"non_key_average adjust must be one of {', '.join(_ADJUSTS)}")
    sections = list(sections)
    if not sections or any(g not in {x.id for x in spec.groups if x.kind == "base"} for g in sections):
        raise ValueError("non_key_average sections must name base groups of the spec")
    s = summary.copy()
    keys = _key_units(spec)
    scored = list(s["unit"])
    by_unit = s.set_index("unit")
    raw = by_unit["total"].astype(float) - (0.0 if average_bonus else by_unit["bonus"].astype(float))
    sec = groups.reindex(scored)[sections].astype(float).sum(axis=1)
    sec_max = float(sum(spec.group(g).max for g in sections))
    where = _section_names(spec, sections)

    pool = [u for u in _pool(spec, base) if u in raw.index] if base != "own" else []
    ref = float(raw[pool].mean()) if pool else float("nan")
    pool_note = _cohort_note(spec, base, scored) if base != "own" else ""
    adj_kind = {"vs_key": "key", "vs_non_key": "non_key"}.get(adjust)
    adj_pool = [u for u in _pool(spec, adj_kind) if u in sec.index] if adj_kind else []
    adj_ref = float(sec[adj_pool].mean()) if adj_pool else float("nan")
    adj_note = (_cohort_note(spec, adj_kind, scored) if adj_kind and adj_kind != base else "")
    outstanding = _fact_column(facts, "non_key_average", "outstanding", "bool", scored)
    for i, row in s.iterrows():
        u = row["unit"]
        if u in keys:
            continue
        own = float(sec.get(u, 0.0))
        bonus = float(row["bonus"]) if own_bonus else 0.0
        if base == "own" or not pool or (adj_kind and not adj_pool):
            total = row["total"]
            lead = (f"保留本单位计算得分{fmt(total)}分" if base == "own"
                    else f"本次评分范围内无可求平均分的单位,保留本单位计算得分{fmt(total)}分")
        else:
            lead = f"赋予{_POOL_WORD[base]}平均分{fmt(ref)}分({len(pool)}家){pool_note}"
            lead += ",平均分含附加分" if average_bonus else ",平均分不含附加分"
            adj = 0.0
            if adjust != "none":
                if adjust == "shortfall":
                    adj = own - sec_max
                    parts = f"{where}得{fmt(own)}分,满分{fmt(sec_max)}分,只扣不加"
                else:
                    adj = own - adj_ref
                    parts = (f"{where}得{fmt(own)}分,{_POOL_WORD[adj_kind]}{where}平均"
                             f"{fmt(adj_ref)}分({len(adj_pool)}家){adj_note}")
                lead += f",根据任务完成情况加减分{_signed(adj)}分({parts})"
            if own_bonus:
                lead += f",另加本单位附加分{fmt(bonus)}分"
            total = ref + adj + bonus
            lead += f",总分{fmt(total)}分"
        g = outstanding_grade if outstanding.get(u) is True else grade
        tail = ",工作成效突出,给予优秀名额" if g == outstanding_grade else ""
        s.at[i, "total"] = total
        s.at[i, "adjust_reason"] = f"非重点单位原则上考核不定档:{lead}"
        s.at[i, "grade"] = g
        s.at[i, "verdict"] = _append(row["verdict"], f"非重点单位原则上考核不定档:{lead}{tail}")
    return s


def sections_that_count(spec, unit: str) -> set[str] | None:
    """Return the top-level groups whose points can change ``unit``'s total, or None when all can.

    Under ``non_key_average`` with ``base: key`` a non-key unit's total is the key units'
    average plus the adjustment measured on ``sections`` (none with ``adjust: none``) plus its
    bonus groups when ``own_bonus``. With ``base: all`` or ``non_key`` the unit's own total is
    part of the average, and with ``base: own`` it is kept, so every section counts (None).
    """
    for p in spec.policies:
        if p["type"] != "non_key_average" or unit in _key_units(spec):
            continue
        if p.get("base", "key") != "key":
            return None
        out = set() if p.get("adjust", "vs_key") == "none" else set(p.get("sections", ("一",)))
        if p.get("own_bonus", True):
            out |= {g.id for g in spec.groups if g.parent is None and g.kind == "bonus"}
        return out
    return None
