"""嵊州 2024-2025 国家生态文明建设示范区创建推进方案 (seed 002): worked examples by hand.

Facts are read off 附件1 (指标责任分解表, the national county indicators of 环办生态〔2024〕4号):
a county that reaches every 指标值 is 约束性指标全部达标; each test then moves one fact across
the line the table draws and checks the verdict, the indicator's outcome and its gap.
"""


import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.spec.integrity import clauses_not_in_seed
from tests.conftest import ROOT

SEED = ROOT / "data" / "seeds" / "002_d8d920d3a556d624.txt"
DOC = "shengzhou-2024"
UNITS = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]

# This year's facts of a county meeting every indicator, each chosen against the table:
GOOD = {
    "指标1:value": 22,            # ≥20
    "指标2:done": True,           # 建立
    "指标3:done": True,           # 开展
    "指标4:value": 28,            # PM2.5 ≤ target 30, and ≤ last year's 29
    "指标4:target": 30,
    "指标5:p0_value": 90,         # 地表水Ⅲ类以上比例 ≥ target 85, and ≥ last year's 88
    "指标5:p0_target": 85,
    "指标5:p1_value": 96,         # 县城污水处理率 ≥95
    "指标5:p2_value": 100,        # 建成区黑臭水体消除率 100
    "指标5:p3_value": 100,        # 较大面积农村黑臭水体整治率 100
    "指标6:p0_value": 0.5,        # △EQI > −1
    "指标6:p1_value": 100,        # 整改率 100
    "指标6:p2_done": True,        # 生物多样性调查 开展
    "指标7:p0_value": 65.2,       # 森林覆盖率 ≥ last year's 65.0
    "指标7:p1_value": 80,         # 草原综合植被盖度 = last year's 80 (保持稳定)
    "指标8:value": 95,            # ≥93
    "指标9:done": True,           # 有效保障
    "指标10:done": True,          # 有效开展
    "指标11:done": True,          # 建立
    "指标12:value": 85,           # ≥80
    "指标13:value": 4,            # ≥ target 3
    "指标13:target": 3,
    "指标14:value": 0.61,         # ≥ target 0.60
    "指标14:target": 0.60,
    "指标15:value": 88,           # ≥85
    "指标16:value": 96,           # ≥ last year's 95
    "指标17:value": 92,           # ≥90
    "指标18:value": 100,          # 100
    "指标19:value": 100,          # 100
    "指标20:value": 70,           # 东部地区 ≥60
    "指标21:value": 85,           # ≥ target 80, and ≥ last year's 84
    "指标21:target": 80,
    "指标22:value": 5,            # < last year's 6 (持续下降)
    "指标23:value": 90,           # ≥ target 88
    "指标23:target": 88,
    "指标24:done": True,          # 建立
    "指标25:value": 28,           # ≥ last year's 27.5
}
# Last year's facts, under the same keys (only the keys a trend reads matter).
PREV = {
    "指标4:value": 29,
    "指标5:p0_value": 88,
    "指标7:p0_value": 65.0,
    "指标7:p1_value": 80,
    "指标16:value": 95,
    "指标21:value": 84,
    "指标22:value": 6,
    "指标25:value": 27.5,
}
TASKS = {f"附件2-{k}:completion": 100 for k in range(1, 23)}


def frame(base: dict, units=UNITS, **changes) -> pd.DataFrame:
    """Return a facts table: every unit gets ``base``; ``changes`` maps unit → {key: value}."""
    rows = {u: {**base, **changes.get(u, {})} for u in units}
    return pd.DataFrame.from_dict(rows, orient="index")


def run(facts=None, previous=None, readings=None, **kw):
    """Score the document on the given facts (default: every unit meets every indicator)."""
    facts = frame({**GOOD, **TASKS}) if facts is None else facts
    previous = frame(PREV) if previous is None else previous
    return score(DOC, facts, previous, readings=readings, **kw)


def line(result, unit, line_id):
    """Return one audit row as a dict."""
    a = result.audit
    return a[(a["unit"] == unit) & (a["line_id"] == line_id)].iloc[0].to_dict()


def test_counts_follow_the_table():
    """25 indicators: 1-19 约束性 (five 领域), 20-25 参考性; 22 key tasks, for 嵊州市 only."""
    spec = load_spec(DOC)
    ind = [ln for ln in spec.lines if ln.kind == "indicator"]
    assert [ln.id for ln in ind] == [f"指标{k}" for k in range(1, 26)]
    assert sum(ln.attribute == "约束性" for ln in ind) == 19
    assert [ln.id for ln in ind if ln.attribute == "参考性"] == [f"指标{k}" for k in range(20, 26)]
    tasks = [ln for ln in spec.lines if ln.kind == "task"]
    assert len(tasks) == 22 and all(ln.applies_to == ("嵊州市",) for ln in tasks)
    assert spec.unit_names == UNITS and spec.total is None and spec.family == "compliance"
    # lead = the unit marked * (or the only / first one); 组织部(考核办) for 指标1
    assert spec.line("指标4").lead == ("生态环境分局",)
    assert spec.line("指标10").lead == ("自然资源局",) and spec.line("指标10").responsible == ("农业农村局",)
    assert spec.line("附件2-5").lead == ("治水办",)


def test_clauses_are_verbatim():
    """Every clause (and every ambiguity's clause) is in the seed, whitespace aside."""
    spec = load_spec(DOC)
    seed = SEED.read_text(encoding="utf-8")
    assert clauses_not_in_seed(spec, seed) == []
    flat = "".join(seed.split())
    for a in spec.ambiguities:
        for part in a.clause.split("\n"):
            assert "".join(part.split()) in flat, a.id


def test_a_county_meeting_every_binding_indicator():
    """Every unit on the GOOD facts: 19/19 binding met, all 25 met; 嵊州市 also has its 22 tasks done."""
    r = run()
    for u in UNITS:
        row = r.unit_summary(u)
        assert row["verdict"] == "约束性指标全部达标", u
        assert (row["binding"], row["binding_met"], row["indicators_met"]) == (19, 19, 25)
    assert r.unit_summary("嵊州市")["tasks_done"] == 22
    assert r.unit_summary("越城区")["tasks"] == 0


def test_one_binding_indicator_missed_with_its_gap():
    """柯桥区 with 新能源公交车比例 75% (指标12 ≥80): one binding indicator not met, 5 points short."""
    r = run(frame({**GOOD, **TASKS}, **{"柯桥区": {"指标12:value": 75}}))
    assert r.unit_summary("柯桥区")["verdict"] == "1项约束性指标未达标"
    row = line(r, "柯桥区", "指标12")
    assert row["outcome"] == "not_met" and row["gap"] == pytest.approx(80 - 75)
    assert r.unit_summary("上虞区")["verdict"] == "约束性指标全部达标"


def test_a_reference_indicator_does_not_decide_the_verdict():
    """诸暨市 with 农村生活污水治理率 55% (<60, 参考性): still 约束性指标全部达标, 24/25 met."""
    r = run(frame({**GOOD, **TASKS}, **{"诸暨市": {"指标20:value": 55}}))
    row = r.unit_summary("诸暨市")
    assert row["verdict"] == "约束性指标全部达标" and row["indicators_met"] == 24
    assert line(r, "诸暨市", "指标20")["gap"] == pytest.approx(5)


def test_trend_indicator_reads_last_years_facts():
    """指标16 一般工业固体废物综合利用率 96 this year, 保持稳定或持续改善:
    last year 95 → met (改善); 96 → met (保持稳定); 96.5 → not met, 0.5 short; none → 缺数据.
    """
    prev = frame(PREV, **{"柯桥区": {"指标16:value": 96}, "上虞区": {"指标16:value": 96.5},
                          "诸暨市": {"指标16:value": None}})
    r = run(previous=prev)
    assert [line(r, u, "指标16")["outcome"] for u in ["越城区", "柯桥区", "上虞区", "诸暨市"]] == \
        ["met", "met", "not_met", "missing"]
    assert line(r, "上虞区", "指标16")["gap"] == pytest.approx(0.5)
    assert r.unit_summary("上虞区")["verdict"] == "1项约束性指标未达标"
    assert r.unit_summary("诸暨市")["verdict"] == "约束性指标无未达标项,但1项缺数据,暂无法判定"


def test_target_and_trend_on_one_value():
    """指标4 PM2.5 (完成上级规定的考核任务,且保持稳定或持续下降; target 30, last year 29):
    29.5 meets the target but rose 0.5 → not met, gap 0.5; 31 misses both → gap 2 (to 29).
    """
    r = run(frame({**GOOD, **TASKS}, **{"越城区": {"指标4:value": 29.5}, "柯桥区": {"指标4:value": 31}}))
    assert line(r, "越城区", "指标4")["outcome"] == "not_met"
    assert line(r, "越城区", "指标4")["gap"] == pytest.approx(0.5)
    assert line(r, "柯桥区", "指标4")["gap"] == pytest.approx(2)


def test_compound_indicator_needs_every_part():
    """指标5 水环境质量 has four parts; 县城污水处理率 94 (<95) alone fails it, 100 elsewhere cannot help.

    指标6: △EQI exactly −1 is not "> −1", so it fails on its first part.
    """
    r = run(frame({**GOOD, **TASKS}, **{"越城区": {"指标5:p1_value": 94}, "柯桥区": {"指标6:p0_value": -1}}))
    assert line(r, "越城区", "指标5")["outcome"] == "not_met"
    assert "县城污水处理率94%,目标≥95%,未达标" in line(r, "越城区", "指标5")["reason"]
    assert line(r, "柯桥区", "指标6")["outcome"] == "not_met"
    assert r.unit_summary("越城区")["verdict"] == "1项约束性指标未达标"


def test_or_in_stable_or_improving():
    """“保持稳定或持续改善” is an either-or: 森林覆盖率 65.0 → 65.0 is met by 保持稳定 and 65.0 → 65.2 by
    持续改善 (second branch); 65.0 → 64.8 meets neither."""
    facts = frame({**GOOD, **TASKS}, **{"越城区": {"指标7:p0_value": 65.0}, "上虞区": {"指标7:p0_value": 64.8}})
    r = run(facts)
    assert [line(r, u, "指标7")["outcome"] for u in ["越城区", "柯桥区", "上虞区"]] == ["met", "met", "not_met"]


def test_reading_switch_tolerance_changes_the_verdict():
    """A1: 森林覆盖率 65.0 → 64.6 (−0.4). Strict: 指标7 未达标; with a 1% band (0.65) it is stable."""
    facts = frame({**GOOD, **TASKS}, **{"嵊州市": {"指标7:p0_value": 64.6}})
    strict = run(facts)
    assert strict.unit_summary("嵊州市")["verdict"] == "1项约束性指标未达标"
    assert line(strict, "嵊州市", "指标7")["gap"] == pytest.approx(0.4)
    band = run(facts, readings={"A1": "band_1pct"})
    assert band.unit_summary("嵊州市")["verdict"] == "约束性指标全部达标"
    assert band.spec.readings["A1"] == "band_1pct"


def test_reading_switch_grassland_not_applicable():
    """A6: no 草原综合植被盖度 reported. Literal reading: 指标7 缺数据; 不涉及 reading: met on 森林覆盖率."""
    facts = frame({**GOOD, **TASKS}).drop(columns=["指标7:p1_value"])
    prev = frame(PREV).drop(columns=["指标7:p1_value"])
    literal = run(facts, prev)
    assert line(literal, "新昌县", "指标7")["outcome"] == "missing"
    assert literal.unit_summary("新昌县")["verdict"] == "约束性指标无未达标项,但1项缺数据,暂无法判定"
    na = run(facts, prev, readings={"A6": "not_applicable"})
    assert line(na, "新昌县", "指标7")["outcome"] == "met"
    assert na.unit_summary("新昌县")["verdict"] == "约束性指标全部达标"


def test_reading_switch_first_year_and_equal_decline():
    """A2: no PM2.5 for last year → 缺数据, or (baseline_met) judged on the target only.
    A3: 危险废物填埋处置量占比 0 → 0 is not a decline (strict) but is met under equal_ok.
    """
    prev = frame(PREV, **{"嵊州市": {"指标4:value": None, "指标22:value": 0}})
    facts = frame({**GOOD, **TASKS}, **{"嵊州市": {"指标22:value": 0}})
    base = run(facts, prev)
    assert line(base, "嵊州市", "指标4")["outcome"] == "missing"
    assert line(base, "嵊州市", "指标22")["outcome"] == "not_met"
    alt = run(facts, prev, readings={"A2": "baseline_met", "A3": "equal_ok"})
    assert line(alt, "嵊州市", "指标4")["outcome"] == "met"
    assert line(alt, "嵊州市", "指标22")["outcome"] == "met"


def test_reading_switch_region_category():
    """A4: 嵊州市 (县级市) at 50%: 东部地区 ≥60 → 未达标 (gap 10);市辖区-only reading ≥30 → 达标.
    越城区 (市辖区) at 50% stays 未达标 under both readings."""
    facts = frame({**GOOD, **TASKS}, **{"嵊州市": {"指标20:value": 50}, "越城区": {"指标20:value": 50}})
    east = run(facts)
    assert line(east, "嵊州市", "指标20")["outcome"] == "not_met"
    assert line(east, "嵊州市", "指标20")["gap"] == pytest.approx(10)
    alt = run(facts, readings={"A4": "district_only"})
    assert line(alt, "嵊州市", "指标20")["outcome"] == "met"
    assert line(alt, "越城区", "指标20")["outcome"] == "not_met"


def test_reading_switch_water_direction_and_task_lead():
    """A5: 地表水比例 88 → 90 meets the table's 持续提高 but not the task text's 持续下降.
    A7: 第15项 led by 经信局 (附件2) or 发改局 (正文)."""
    assert line(run(), "嵊州市", "指标5")["outcome"] == "met"
    down = run(readings={"A5": "task_text_down"})
    assert line(down, "嵊州市", "指标5")["outcome"] == "not_met"
    assert load_spec(DOC).line("附件2-15").lead == ("经信局",)
    assert load_spec(DOC, readings={"A7": "main_text"}).line("附件2-15").lead == ("发改局",)


def test_tasks_by_completion():
    """嵊州市's key tasks: one at 80% leaves 21/22 done; tasks never touch the indicator verdict."""
    facts = frame({**GOOD, **TASKS}, **{"嵊州市": {"附件2-7:completion": 80}})
    r = run(facts)
    assert r.unit_summary("嵊州市")["tasks_done"] == 21
    assert line(r, "嵊州市", "附件2-7")["outcome"] == "not_done"
    assert r.unit_summary("嵊州市")["verdict"] == "约束性指标全部达标"
