"""Sample data (示例数据) a reader could take for real: every value in its fact's domain, linked
facts that agree, a whole's figures consistent with its parts', a realistic spread, exactly one
unit with missing data, and the analyst's example units present with their categories.

Each check is a function returning the problems it finds, run on the committed sample files of
every document for both years; ``test_the_checks_catch_implausible_data`` feeds them broken
data, so each check is seen to fail.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from ecoscore import list_documents, load_spec, score
from ecoscore.facts import load_sample
from ecoscore.facts.samples import LINKS, hint_for, main_unit, sample_fields, whole_and_parts
from ecoscore.facts.workbook import (
    CATEGORY_PREFIX,
    EVENTS,
    build_layout,
)
from ecoscore.rules.base import Outcome, Polarity
from ecoscore.spec.domains import domain

DOCS = list_documents()
GOOD, PARTIAL, BAD = Polarity.GOOD.value, Polarity.PARTIAL.value, Polarity.BAD.value
YEARS = ("this", "last")


@cache
def _sample(doc: str):
    spec = load_spec(doc)
    cur, prev = load_sample(spec)
    return spec, {spec.year: cur, spec.year - 1: prev}


def _frames(doc: str, which: str):
    spec, frames = _sample(doc)
    year = spec.year if which == "this" else spec.year - 1
    return spec, year, frames


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA


def _num(v):
    return None if _blank(v) else float(v)


# -- the checks ------------------------------------------------------------------------------
def domain_problems(spec, facts: pd.DataFrame) -> list[str]:
    """Every value lies in its fact's domain (counts whole, rates 0–100, amounts ≥ 0)."""
    out = []
    for key, f in build_layout(spec).fields.items():
        d = domain(f.fact)
        if key not in facts.columns or not d.numeric:
            continue
        for u, v in facts[key].items():
            if not _blank(v) and not d.contains(v):
                out.append(f"{u} {key}={v!r} 不在 {d.kind}[{d.low}, {d.high}]{'(整数)' if d.whole else ''} 内")
    return out


def whole_problems(spec, facts: pd.DataFrame) -> list[str]:
    """A whole's figure agrees with its parts': a total at least any part's, an average
    (rate, concentration, intensity, index) within the parts' range.
    """
    wp = whole_and_parts(spec)
    if wp is None:
        return []
    whole, parts = wp
    out = []
    for key, f in build_layout(spec).fields.items():
        d = domain(f.fact)
        if key not in facts.columns or f.home == EVENTS or not d.numeric or d.kind in ("points", "days", "year"):
            continue
        if "填写一次" in f.fact.label or whole not in facts.index:
            continue
        w = _num(facts.at[whole, key])
        vals = [_num(facts.at[p, key]) for p in parts if p in facts.index]
        vals = [v for v in vals if v is not None]
        if w is None or len(vals) < 2:
            continue
        if d.additive and w < max(vals) - 1e-9:
            out.append(f"{key}: {whole} 合计 {w} 小于某一{spec.unit_kind}的 {max(vals)}")
        if not d.additive and not min(vals) - 1e-6 <= w <= max(vals) + 1e-6:
            out.append(f"{key}: {whole} {w} 不在各{spec.unit_kind} {min(vals)}–{max(vals)} 之间")
    return out


def link_problems(spec, frames: dict[int, pd.DataFrame], year: int) -> list[str]:
    """Linked facts agree: the links the lines' hints declare, and facts shared by ``same_facts``."""
    facts = frames[year]
    before = frames.get(year - 1)
    fields = sample_fields(spec)  # a figure read through same_facts: with its owner's hints
    out = []
    for ln in spec.lines:
        for name, ref in ln.same_facts.items():
            if f"{ln.id}:{name}" in facts.columns or ref not in fields:
                out.append(f"{ln.id}:{name} 应与 {ref} 为同一数据,只填一次")
    for key, f in fields.items():
        if f.line is None or key not in facts.columns:
            continue
        keys = dict((x.name, k) for k, x in f.line.fact_keys())
        ref = _resolver(keys)
        for link in LINKS:
            arg = hint_for(f, "." + link)
            if arg is None:
                continue
            for u in facts.index:
                v = facts.at[u, key]
                if _blank(v):
                    continue
                got = _check_link(link, arg, ref, facts, before, u, float(v))
                if got:
                    out.append(f"{u} {key}={v}: {got}")
    return out


def _resolver(keys: dict[str, str]):
    return lambda r: r if ":" in r else keys[r]


def _check_link(link, arg, ref, facts, before, u, v) -> str:
    def at(frame, r):
        k = ref(r)
        return None if frame is None or k not in frame.columns or u not in frame.index else _num(frame.at[u, k])

    if link == "at_most":
        refs = [arg] if isinstance(arg, str) else arg
        over = [(r, at(facts, r)) for r in refs if at(facts, r) is not None and v > at(facts, r) + 1e-9]
        return f"大于 {over}" if over else ""
    if link == "same_as":
        o = at(facts, arg)
        return f"不等于 {arg}={o}" if o is not None and abs(v - o) > 1e-9 else ""
    if link == "only_with":
        o = at(facts, arg)
        return f"{arg} 为0时应为0" if v and not o else ""
    if link == "not_with":
        refs = [arg] if isinstance(arg, str) else arg
        return f"与 {refs} 不能同时成立" if v and any(at(facts, r) for r in refs) else ""
    if link == "excess_of":
        o = at(facts, arg[0])
        return f"应为 {arg[0]} 超过{arg[1]}的部分" if o is not None and v != max(0.0, o - arg[1]) else ""
    if link == "change_of":
        o, p = at(facts, arg), at(before, arg)
        return f"应为 {arg} 的本年减上年 {o}-{p}" if o is not None and p is not None and abs(v - (o - p)) > 1e-6 else ""
    if link == "rank_gain_of":
        if before is None or not v.is_integer():
            return "" if before is None else "名次变化应为整数"
        k = ref(arg)
        if k not in before.columns:
            return ""

        def rank(frame):
            col = pd.to_numeric(frame[k], errors="coerce").dropna()
            return None if u not in col.index else 1 + int((col > col[u]).sum())

        now, prev = rank(facts), rank(before)
        return f"应为名次变化 {prev}-{now}" if now is not None and prev is not None and v != prev - now else ""
    return ""


def _outcomes(result) -> pd.DataFrame:
    a = result.audit
    return a.assign(pol=a["outcome"].map(lambda o: Outcome(o).polarity.value))


def spread_problems(spec, result) -> list[str]:
    """Most indicators met, a few misses: a compliance document's units meet at least 75% of
    their binding indicators (the main unit misses 1–3, some unit misses one, one unit meets all);
    elsewhere at least 80% of units with three or more lines lose no more than 30% of them, none
    more than half, and no total falls below 55% of the document's.
    """
    a = _outcomes(result)
    out = []
    if spec.family == "compliance":
        b = a[(a["attribute"] == "约束性") & (a["kind"] == "indicator")]
        b = b[b["pol"].isin([GOOD, BAD])]
        met = b.groupby("unit")["pol"].apply(lambda p: (p == GOOD).mean())
        miss = b.groupby("unit")["pol"].apply(lambda p: int((p == BAD).sum()))
        out += [f"{u} 约束性指标达标比例仅 {m:.0%}" for u, m in met.items() if m < 0.75]
        main = main_unit(spec)
        if main in miss.index and not 1 <= miss[main] <= 3:
            out.append(f"{main} 未达标约束性指标 {miss[main]} 项,应为1至3项")
        if miss.sum() == 0:
            out.append("没有任何单位有未达标的约束性指标")
        if len(miss) > 1 and not (miss == 0).any():
            out.append("没有一个单位全部达到约束性指标")
        return out
    lines = a[a["kind"].isin(["base", "task", "indicator"]) & a["pol"].isin(
        [GOOD, PARTIAL, BAD])]
    lost = lines.groupby("unit")["pol"].apply(lambda p: (p == BAD).mean())
    n = lines.groupby("unit").size()
    lost = lost[n >= 3]
    if len(lost) and (lost <= 0.3).mean() < 0.8:
        out.append(f"失分项超过30%的单位过多:{lost[lost > 0.3].round(2).to_dict()}")
    out += [f"{u} 失分项达 {x:.0%}" for u, x in lost.items() if x > 0.5]
    if spec.total:
        s = result.summary.set_index("unit")["total"].dropna()
        out += [f"{u} 总分 {t:.1f} 低于总分的55%" for u, t in s.items() if t < 0.55 * spec.total]
    return out


def missing_problems(spec, frames: dict[int, pd.DataFrame], result, ignore=()) -> list[str]:
    """Exactly one unit, not the main one, has missing data this year; none last year
    (units in ``ignore`` aside)."""
    out = []
    summary = result.summary.set_index("unit")
    units = [u for u in summary.index[summary["missing"] > 0] if u not in ignore]
    if len(units) != 1:
        out.append(f"缺数据的单位应恰好一个,实为 {units}")
    if main_unit(spec) in units:
        out.append(f"缺数据的不应是 {main_unit(spec)}")
    prev = frames[spec.year - 1]
    for key, f in build_layout(spec).fields.items():
        if key not in prev.columns or not f.needed() or f.home != "units" or f.fact.kind == "text":
            continue
        for u, v in prev[key].items():
            policy = f.line is None and not key.startswith(CATEGORY_PREFIX)
            if _blank(v) and f.applies(u, spec) and not (policy and u not in spec.unit_names):
                out.append(f"上年 {u} {key} 缺数据")
    return out


def added_problems(spec, frames: dict[int, pd.DataFrame], result) -> list[str]:
    """The example units an analyst adds are in both years' data, with the categories the spec
    gives them, and are scored."""
    a = spec.analyst_units
    if a is None or not a.sample:
        return []
    out = []
    scored = set(result.summary["unit"])
    for u in a.sample:
        for year, frame in frames.items():
            if u.name not in frame.index:
                out.append(f"{year}年示例数据缺少分析人员添加的单位 {u.name}")
                continue
            for c in a.categories:
                got = frame.at[u.name, f"{CATEGORY_PREFIX}{c.code}"] if f"{CATEGORY_PREFIX}{c.code}" in frame else None
                if got != u.categories.get(c.dim):
                    out.append(f"{year}年 {u.name} 的{c.dim}应为 {u.categories.get(c.dim)},实为 {got}")
        if u.name not in scored:
            out.append(f"{u.name} 未参与评分")
    return out


# -- the tests -------------------------------------------------------------------------------
@pytest.mark.parametrize("which", YEARS)
@pytest.mark.parametrize("doc", DOCS)
def test_values_lie_in_their_domains(doc, which):
    spec, year, frames = _frames(doc, which)
    assert domain_problems(spec, frames[year]) == []


@pytest.mark.parametrize("which", YEARS)
@pytest.mark.parametrize("doc", DOCS)
def test_a_whole_agrees_with_its_parts(doc, which):
    spec, year, frames = _frames(doc, which)
    assert whole_problems(spec, frames[year]) == []


@pytest.mark.parametrize("which", YEARS)
@pytest.mark.parametrize("doc", DOCS)
def test_linked_facts_agree(doc, which):
    spec, year, frames = _frames(doc, which)
    assert link_problems(spec, frames, year) == []


@cache
def _result(doc):
    spec, frames = _sample(doc)
    return score(spec, frames[spec.year], frames[spec.year - 1])


@pytest.mark.parametrize("doc", DOCS)
def test_the_cohort_shows_a_realistic_spread(doc):
    spec, _ = _sample(doc)
    assert spread_problems(spec, _result(doc)) == []


@pytest.mark.parametrize("doc", DOCS)
def test_exactly_one_unit_has_missing_data(doc):
    spec, frames = _sample(doc)
    assert missing_problems(spec, frames, _result(doc)) == []


@pytest.mark.parametrize("doc", DOCS)
def test_the_analysts_example_units_are_there_with_their_categories(doc):
    spec, frames = _sample(doc)
    assert added_problems(spec, frames, _result(doc)) == []


def test_the_documents_that_need_it_are_checked():
    """A whole with parts (舟山市), links and analyst units occur in the documents checked."""
    assert any(whole_and_parts(load_spec(d)) for d in DOCS)
    assert any(hint_for(f, "." + k) is not None for d in DOCS for f in build_layout(load_spec(d)).fields.values()
               for k in LINKS)
    assert any(load_spec(d).analyst_units is not None for d in DOCS)


# -- the checks fail on implausible data -----------------------------------------------------
SMALL = {
    "id": "small", "title": "《检查测试》", "family": "compliance", "year": 2020,
    "units": [{"name": "甲市", "aliases": ["全市"]}, "乙区", "丙县"],
    "groups": [{"id": "一", "title": "指标", "kind": "base"}],
    "lines": [
        {"id": "一.1", "group": "一", "title": "处理率", "kind": "indicator", "attribute": "约束性", "clause": "x",
         "rule": {"type": "threshold", "target": 90, "value_label": "污水处理率", "value_unit": "%"},
         "sample": {"value": [88, 100]}},
        {"id": "一.2", "group": "一", "title": "减量", "kind": "indicator", "attribute": "约束性", "clause": "x",
         "rule": {"type": "threshold", "target": 1, "value_label": "煤炭消费减量", "value_unit": "万吨"},
         "sample": {"value": [1, 5]}},
        {"id": "一.3", "group": "一", "title": "项目", "kind": "indicator", "attribute": "参考性", "clause": "x",
         "rule": {"type": "threshold", "target": 1, "value_label": "项目数", "value_unit": "个"},
         "sample": {"value": [1, 5], "value.at_most": "一.2:value"}},
    ],
}


def _small():
    from ecoscore.facts.samples import Sampler
    from ecoscore.spec import build_spec

    spec = build_spec(SMALL, "small.yaml")
    s = Sampler(spec)
    return spec, {y: s.year(y).facts for y in (2019, 2020)}


def test_the_checks_pass_plausible_data_and_catch_implausible_data():
    spec, frames = _small()
    now = frames[2020]
    assert domain_problems(spec, now) == [] and whole_problems(spec, now) == []
    assert link_problems(spec, frames, 2020) == []
    broken = now.copy()
    broken.at["乙区", "一.1:value"] = 100.6  # a rate above 100
    broken.at["丙县", "一.3:value"] = 1.2  # a fractional count
    found = domain_problems(spec, broken)
    assert any("100.6" in p for p in found) and any("1.2" in p for p in found)
    broken = now.copy()
    broken.at["甲市", "一.1:value"] = max(now.loc[["乙区", "丙县"], "一.1:value"]) + 0.5  # above every district
    broken.at["甲市", "一.2:value"] = min(now.loc[["乙区", "丙县"], "一.2:value"]) - 0.5  # less than one district
    assert {p.split(": ")[0] for p in whole_problems(spec, broken)} == {"一.1:value", "一.2:value"}
    broken = now.copy()
    broken.at["乙区", "一.3:value"] = broken.at["乙区", "一.2:value"] + 1  # more projects than its bound
    assert any(p.startswith("乙区 一.3:value") for p in link_problems(spec, {**frames, 2020: broken}, 2020))


def test_the_spread_check_catches_a_unit_failing_most_binding_indicators():
    spec, frames = _small()
    broken = frames[2020].copy()
    broken.loc[["乙区", "丙县"], "一.1:value"] = 50.0
    broken.loc[["乙区", "丙县"], "一.2:value"] = 0.0
    found = spread_problems(spec, score(spec, broken, frames[2019]))
    assert any("乙区" in p for p in found) and any("丙县" in p for p in found)
    found = missing_problems(spec, frames, score(spec, frames[2020], frames[2019]))
    assert any("恰好一个" in p for p in found)  # nothing was left blank in this small sample
