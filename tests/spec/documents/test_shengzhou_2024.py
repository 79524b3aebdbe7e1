"""嵊州 2024-2025 国家生态文明建设示范区创建推进方案 (seed 002): worked examples by hand.

Facts are read off 附件1 (指标责任分解表, the national county indicators of 环办生态〔2024〕4号):
a county that reaches every 指标值 is 约束性指标全部达标; each test then moves one fact across
the line the table draws and checks the verdict, the indicator's outcome and its gap. The gaps
are worked out in the tests from the document's own numbers.

The plan is 嵊州's own: 嵊州市 is its only unit. Other counties are the analyst's cohort, added
through the facts file with their 农村生活污水治理分区 entered (``@unit:region``).
"""

import itertools

import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.spec.integrity import clauses_not_in_seed, normalise
from tests.conftest import ROOT

SEED = ROOT / "data" / "seeds" / "002_d8d920d3a556d624.txt"
DOC = "shengzhou-2024"
SZ = "嵊州市"
NEIGHBOURS = ["越城区", "柯桥区", "上虞区", "诸暨市", "新昌县"]

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
NO_GRASS = ("指标7:p1_value",)

ALL_READINGS = [(a.id, r) for a in load_spec(DOC).ambiguities for r in a.readings]


def frame(rows: dict[str, dict]) -> pd.DataFrame:
    """Return a facts table with one row per unit."""
    return pd.DataFrame.from_dict(rows, orient="index")


def facts(**changes) -> pd.DataFrame:
    """Return this year's facts: 嵊州市 meets everything, ``changes`` replaces some facts."""
    return frame({SZ: {**GOOD, **TASKS, **changes}})


def previous(**changes) -> pd.DataFrame:
    """Return last year's facts for 嵊州市, ``changes`` replacing some."""
    return frame({SZ: {**PREV, **changes}})


def drop(table: pd.DataFrame, keys) -> pd.DataFrame:
    """Return ``table`` without the columns ``keys`` (facts not reported at all)."""
    return table.drop(columns=list(keys))


def added(name: str, region: str, **changes) -> dict:
    """Return the facts row of a county an analyst adds: the indicators (no tasks) and its region."""
    return {**GOOD, "@unit:region": region, **changes}


def run(cur=None, prev=None, readings=None, **kw):
    """Score the document on the given facts (default: 嵊州市 meets every indicator)."""
    cur = facts() if cur is None else cur
    prev = previous() if prev is None else prev
    return score(DOC, cur, prev, readings=readings, **kw)


def line(result, unit, line_id):
    """Return one audit row as a dict."""
    a = result.audit
    return a[(a["unit"] == unit) & (a["line_id"] == line_id)].iloc[0].to_dict()


def outcome(result, unit, line_id) -> str:
    return line(result, unit, line_id)["outcome"]


# ---------------------------------------------------------------- the text, transcribed


def test_counts_follow_the_table():
    """25 indicators: 1-19 约束性 (five 领域), 20-25 参考性; 22 key tasks, for 嵊州市 only."""
    spec = load_spec(DOC)
    ind = [ln for ln in spec.lines if ln.kind == "indicator"]
    assert [ln.id for ln in ind] == [f"指标{k}" for k in range(1, 26)]
    assert sum(ln.attribute == "约束性" for ln in ind) == 19
    assert [ln.id for ln in ind if ln.attribute == "参考性"] == [f"指标{k}" for k in range(20, 26)]
    tasks = [ln for ln in spec.lines if ln.kind == "task"]
    assert len(tasks) == 22 and all(ln.applies_to == (SZ,) for ln in tasks)
    assert spec.total is None and spec.family == "compliance"
    # lead = the unit marked * (or the only / first one); 组织部(考核办) for 指标1
    assert spec.line("指标4").lead == ("生态环境分局",)
    assert spec.line("指标10").lead == ("自然资源局",) and spec.line("指标10").responsible == ("农业农村局",)
    assert spec.line("附件2-5").lead == ("治水办",)


def test_clauses_are_verbatim():
    """Every clause (and every ambiguity's clause) is in the seed, whitespace aside."""
    spec = load_spec(DOC)
    seed = SEED.read_text(encoding="utf-8")
    assert clauses_not_in_seed(spec, seed) == []
    flat = normalise(seed)
    for a in spec.ambiguities:
        for part in a.clause.split("\n"):
            assert normalise(part) in flat, a.id


def test_the_plans_unit_is_shengzhou_with_the_region_the_text_gives_it():
    """The plan names one county, 嵊州市; its neighbours appear nowhere in the text.

    主要任务第5条 sets 嵊州's 农村生活污水治理(管控)率 at “不低于60%”: the ≥60 row of 指标20, which
    for a county-level city (not a 市辖区) is 东部地区.
    """
    spec = load_spec(DOC)
    seed = SEED.read_text(encoding="utf-8")
    assert spec.unit_names == [SZ]
    assert spec.unit(SZ).categories == {"农村生活污水治理分区": "东部地区"}
    assert "2024-2025年确保农村生活污水治理(管控)率不低于60%" in seed
    for name in NEIGHBOURS:
        assert name not in seed and name[:2] not in seed, name
    target = spec.line("指标20").rule.target
    assert target["values"]["东部地区"] == 60


def test_departments_the_plan_tasks_get_reports():
    """department_reports: 嵊州市; every department a line names (lead, shared, or a part's lead)."""
    spec = load_spec(DOC)
    assert spec.department_reports == SZ
    names = spec.department_names()
    # 水投集团 is named only on 指标5's 县城污水处理率 row; 卫健局 only on 指标22; 市委办 only on task 1
    for d in ("水投集团", "卫健局", "市委办", "治水办", "组织部", "统计局"):
        assert d in names, d
    assert names == [d for d in spec.departments if d in names]


def test_each_part_of_a_compound_indicator_has_its_own_lead():
    """part_leads follow 附件1's sub-rows, the *-marked unit first (the only one when none is marked)."""
    spec = load_spec(DOC)
    assert spec.line("指标5").part_leads == (
        ("生态环境分局",),                                   # 地表水…比例 生态环境分局
        ("住建局", "水投集团"),                              # 县城污水处理率 住建局* 、水投集团
        ("住建局", "生态环境分局", "治水办"),                 # 建成区黑臭水体消除率 住建局* …
        ("治水办", "生态环境分局", "住建局", "农业农村局"),     # 较大面积农村黑臭水体整治率* 治水办* …
    )
    assert spec.line("指标6").part_leads == (
        ("生态环境分局",), ("自然资源局", "生态环境分局"), ("自然资源局",))
    assert spec.line("指标7").part_leads == (("自然资源局",), ("自然资源局",))
    # every part's lead is one of the line's responsible units
    for lid in ("指标5", "指标6", "指标7"):
        ln = spec.line(lid)
        assert {u for p in ln.part_leads for u in p} == set(ln.lead) | set(ln.responsible), lid


@pytest.mark.parametrize(("change", "part", "lead", "others", "gap"), [
    # 指标5 水环境质量: each sub-row's own departments, and the gap in that part's figure
    ({"指标5:p0_value": 87}, 0, "生态环境分局", "", 88 - 87),                  # below last year's 88
    ({"指标5:p1_value": 94}, 1, "住建局", "水投集团", 95 - 94),
    ({"指标5:p2_value": 99}, 2, "住建局", "生态环境分局、治水办", 100 - 99),
    ({"指标5:p3_value": 90}, 3, "治水办", "生态环境分局、住建局、农业农村局", 100 - 90),
    # 指标6 区域生态保护监管
    ({"指标6:p0_value": -1.5}, 0, "生态环境分局", "", -1 - -1.5),
    ({"指标6:p1_value": 95}, 1, "自然资源局", "生态环境分局", 100 - 95),
])
def test_a_failing_part_names_its_own_lead(change, part, lead, others, gap):
    """Who must act on a compound indicator is the failing sub-row's *-marked unit, not the merged list."""
    row = line(run(facts(**change)), SZ, next(iter(change)).split(":")[0])
    assert row["outcome"] == "not_met"
    assert (row["part"], row["lead"], row["responsible"]) == (part, lead, others)
    assert row["gap"] == pytest.approx(gap)


def test_the_withdrawn_reading_is_gone():
    """A4 (市辖区-only ≥60) is not supported by the text: the ≥30 row names only 中西部其他地区、东北地区."""
    spec = load_spec(DOC)
    assert "A4" not in {a.id for a in spec.ambiguities}
    assert not spec.line("指标20").ambiguities
    assert all("县级行政区类型" not in u.categories for u in spec.units)


# ---------------------------------------------------------------- verdicts for 嵊州市


def test_a_county_meeting_every_binding_indicator():
    """嵊州市 on the GOOD facts: 19/19 binding met, all 25 met, its 22 tasks done."""
    r = run()
    row = r.unit_summary(SZ)
    assert row["verdict"] == "约束性指标全部达标"
    assert (row["binding"], row["binding_met"], row["indicators_met"]) == (19, 19, 25)
    assert row["tasks_done"] == 22
    assert list(r.summary["unit"]) == [SZ]


def test_one_binding_indicator_missed_with_its_gap():
    """新能源公交车比例 75% (指标12 ≥80): one binding indicator not met, 80 − 75 = 5 short."""
    r = run(facts(**{"指标12:value": 75}))
    assert r.unit_summary(SZ)["verdict"] == "1项约束性指标未达标"
    row = line(r, SZ, "指标12")
    assert row["outcome"] == "not_met" and row["gap"] == pytest.approx(80 - 75)


def test_rural_sewage_target_for_shengzhou_is_60():
    """指标20 (参考性): 东部地区 ≥60. 59 → not met, 60 − 59 = 1 short, verdict unchanged; 60 → met."""
    r = run(facts(**{"指标20:value": 59}))
    assert outcome(r, SZ, "指标20") == "not_met"
    assert line(r, SZ, "指标20")["gap"] == pytest.approx(60 - 59)
    assert r.unit_summary(SZ)["verdict"] == "约束性指标全部达标"
    assert r.unit_summary(SZ)["indicators_met"] == 24
    assert outcome(run(facts(**{"指标20:value": 60})), SZ, "指标20") == "met"


def test_trend_indicator_reads_last_years_facts():
    """指标16 一般工业固体废物综合利用率 96 this year, 保持稳定或持续改善 (strict, A1 default):
    last year 95 → met (改善); 96 → met (保持稳定); 96.5 → not met, 96.5 − 96 = 0.5 short; none → 缺数据.
    """
    got = {}
    for last in (95, 96, 96.5, None):
        r = run(prev=previous(**{"指标16:value": last}))
        got[last] = (outcome(r, SZ, "指标16"), line(r, SZ, "指标16")["gap"], r.unit_summary(SZ)["verdict"])
    assert [g[0] for g in got.values()] == ["met", "met", "not_met", "missing"]
    assert got[96.5][1] == pytest.approx(96.5 - 96)
    assert got[96.5][2] == "1项约束性指标未达标"
    assert got[None][2] == "约束性指标无未达标项,但1项缺数据,暂无法判定"


def test_target_and_trend_on_one_value():
    """指标4 PM2.5 (完成上级规定的考核任务,且保持稳定或持续下降; target 30, last year 29):
    29.5 meets the target but rose 0.5 → not met, gap 29.5 − 29 = 0.5; 31 misses both → gap 31 − 29 = 2.
    """
    r1 = run(facts(**{"指标4:value": 29.5}))
    assert outcome(r1, SZ, "指标4") == "not_met"
    assert line(r1, SZ, "指标4")["gap"] == pytest.approx(29.5 - 29)
    r2 = run(facts(**{"指标4:value": 31}))
    assert line(r2, SZ, "指标4")["gap"] == pytest.approx(31 - 29)


def test_compound_indicator_needs_every_part():
    """指标5 水环境质量 has four parts; 县城污水处理率 94 (<95) alone fails it, 100 elsewhere cannot help.

    指标6: △EQI exactly −1 is not "> −1", so it fails on its first part.
    """
    r = run(facts(**{"指标5:p1_value": 94}))
    assert outcome(r, SZ, "指标5") == "not_met"
    assert "县城污水处理率94%,目标≥95%,未达标" in line(r, SZ, "指标5")["reason"]
    assert line(r, SZ, "指标5")["gap"] == pytest.approx(95 - 94)
    assert r.unit_summary(SZ)["verdict"] == "1项约束性指标未达标"
    assert outcome(run(facts(**{"指标6:p0_value": -1})), SZ, "指标6") == "not_met"
    assert outcome(run(facts(**{"指标6:p0_value": -0.9})), SZ, "指标6") == "met"


def test_or_in_stable_or_improving():
    """“保持稳定或持续改善” is an either-or: 森林覆盖率 65.0 → 65.0 is met by 保持稳定 and 65.0 → 65.2 by
    持续改善; 65.0 → 64.8 meets neither (strict default)."""
    got = [outcome(run(facts(**{"指标7:p0_value": v})), SZ, "指标7") for v in (65.0, 65.2, 64.8)]
    assert got == ["met", "met", "not_met"]


# ---------------------------------------------------------------- A1: 保持稳定, strict or within 1


@pytest.mark.parametrize(("reading", "fall", "expected", "gap"), [
    # strict: any fall fails, gap = the fall
    ("strict", 0.4, "not_met", 0.4),
    ("strict", 0.0, "met", 0.0),
    # within_1: a fall of at most 1 (the indicator's own unit, here 1 percentage point) is stable;
    # beyond it the gap is what exceeds the band
    ("within_1", 0.4, "met", 0.0),
    ("within_1", 1.0, "met", 0.0),
    ("within_1", 1.1, "not_met", 1.1 - 1),
])
def test_a1_forest_cover_stable(reading, fall, expected, gap):
    """A1 on 指标7 森林覆盖率, last year 65.0, this year 65.0 − fall."""
    r = run(facts(**{"指标7:p0_value": round(65.0 - fall, 6)}), readings={"A1": reading})
    assert outcome(r, SZ, "指标7") == expected
    assert line(r, SZ, "指标7")["gap"] == pytest.approx(gap)
    assert r.spec.readings["A1"] == reading
    want = "约束性指标全部达标" if expected == "met" else "1项约束性指标未达标"
    assert r.unit_summary(SZ)["verdict"] == want


@pytest.mark.parametrize(("reading", "value", "expected", "gap"), [
    # PM2.5 last year 29, handed-down target 30 (≤): 29.8 rose 0.8 μg/m3
    ("strict", 29.8, "not_met", 29.8 - 29),
    ("within_1", 29.8, "met", 0.0),
    # 30.5 misses the target by 0.5 whatever the band (and rose 1.5, 0.5 beyond the band)
    ("strict", 30.5, "not_met", 30.5 - 29),
    ("within_1", 30.5, "not_met", 30.5 - 30),
])
def test_a1_pm25_band_in_its_own_unit(reading, value, expected, gap):
    r = run(facts(**{"指标4:value": value}), readings={"A1": reading})
    assert outcome(r, SZ, "指标4") == expected
    assert line(r, SZ, "指标4")["gap"] == pytest.approx(gap)


def test_a1_default_and_its_basis():
    """The default is strict; its basis is the text's own band for EQI (△EQI>-1, 保持基本稳定)."""
    spec = load_spec(DOC)
    a1 = next(a for a in spec.ambiguities if a.id == "A1")
    assert a1.default == "strict" and set(a1.readings) == {"strict", "within_1"}
    assert a1.question and all(r.description for r in a1.readings.values())
    assert "△EQI>-1" in a1.readings["strict"].description
    assert spec.line("指标7").rule.parts[0].tolerance == 0
    band = spec.with_readings({"A1": "within_1"})
    for lid in ("指标4", "指标16", "指标21", "指标25"):
        assert band.line(lid).rule.tolerance == 1 and not band.line(lid).rule.relative, lid
    assert [p.tolerance for p in band.line("指标7").rule.parts] == [1, 1]
    assert band.line("指标5").rule.parts[0].tolerance == 1


# ---------------------------------------------------------------- A6: 草原综合植被盖度*


NONE = "指标7:p1_applies"  # 本地是否有草原


@pytest.mark.parametrize(("reading", "expected", "verdict"), [
    ("where_grassland", "met", "约束性指标全部达标"),
    ("always_required", "missing", "约束性指标无未达标项,但1项缺数据,暂无法判定"),
])
def test_a6_county_without_grassland(reading, expected, verdict):
    """本地是否有草原: 否, no 草原综合植被盖度 either year; 森林覆盖率 65.0 → 65.2.

    where_grassland (default): the part 不适用, 指标7 stands on 森林覆盖率 → met.
    always_required: the part lacks data → 指标7 缺数据, the verdict cannot be given.
    """
    r = run(drop(facts(**{NONE: False}), NO_GRASS), drop(previous(), NO_GRASS), readings={"A6": reading})
    assert outcome(r, SZ, "指标7") == expected
    assert r.unit_summary(SZ)["verdict"] == verdict
    if reading == "where_grassland":
        assert "本地是否有草原:否,草原综合植被盖度不适用" in line(r, SZ, "指标7")["reason"]


def test_a6_no_answer_and_no_value_is_missing_by_default():
    """Neither 本地是否有草原 nor the value: 缺数据 (the unit has not said it has no grassland)."""
    r = run(drop(facts(), NO_GRASS), drop(previous(), NO_GRASS))
    assert outcome(r, SZ, "指标7") == "missing"
    assert "本地是否有草原" in line(r, SZ, "指标7")["reason"]


def test_a6_no_grassland_ignores_a_stray_value():
    """本地是否有草原 否 decides, even with a value entered (80 → 70 would fail the trend)."""
    r = run(facts(**{NONE: False, "指标7:p1_value": 70}))
    assert outcome(r, SZ, "指标7") == "met"
    assert outcome(run(facts(**{NONE: False, "指标7:p1_value": 70}), readings={"A6": "always_required"}),
                   SZ, "指标7") == "not_met"


@pytest.mark.parametrize("reading", ["where_grassland", "always_required"])
def test_a6_forest_still_decides_without_grassland(reading):
    """No grassland, 森林覆盖率 65.0 → 64.8: 指标7 not met under either reading, gap 65.0 − 64.8 = 0.2."""
    r = run(drop(facts(**{"指标7:p0_value": 64.8, NONE: False}), NO_GRASS), drop(previous(), NO_GRASS),
            readings={"A6": reading})
    assert outcome(r, SZ, "指标7") == "not_met"
    assert line(r, SZ, "指标7")["gap"] == pytest.approx(65.0 - 64.8)


@pytest.mark.parametrize("answer", [True, None])
@pytest.mark.parametrize("reading", ["where_grassland", "always_required"])
def test_a6_county_with_grassland_is_judged_on_it(reading, answer):
    """A county with grassland (是, or not answered) is judged on it under either reading:
    80 → 80 met; 80 → 79.5 (A1 strict) not met, gap 80 − 79.5 = 0.5; this year only → 缺数据 (A2 default);
    no value → 缺数据.
    """
    has = {NONE: answer}
    same = run(facts(**has), readings={"A6": reading})
    assert outcome(same, SZ, "指标7") == "met"
    fell = run(facts(**has, **{"指标7:p1_value": 79.5}), readings={"A6": reading})
    assert outcome(fell, SZ, "指标7") == "not_met"
    assert line(fell, SZ, "指标7")["gap"] == pytest.approx(80 - 79.5)
    first = run(facts(**has), drop(previous(), NO_GRASS), readings={"A6": reading})
    assert outcome(first, SZ, "指标7") == "missing"
    # A2 baseline_met: without last year's value the trend part counts as met
    assert outcome(run(facts(**has), drop(previous(), NO_GRASS), readings={"A6": reading, "A2": "baseline_met"}),
                   SZ, "指标7") == "met"
    blank = run(drop(facts(**has), NO_GRASS), drop(previous(), NO_GRASS), readings={"A6": reading})
    assert outcome(blank, SZ, "指标7") == "missing"


def test_a6_grassland_within_1_under_a1():
    """A1 within_1 reaches the grassland part too: 80 → 79.2 (−0.8 ≤ 1) is stable; 80 → 78.8 is 0.2 beyond."""
    ok = run(facts(**{"指标7:p1_value": 79.2}), readings={"A1": "within_1"})
    assert outcome(ok, SZ, "指标7") == "met"
    bad = run(facts(**{"指标7:p1_value": 78.8}), readings={"A1": "within_1"})
    assert outcome(bad, SZ, "指标7") == "not_met"
    assert line(bad, SZ, "指标7")["gap"] == pytest.approx(80 - 78.8 - 1)


def test_a6_default_and_its_basis():
    spec = load_spec(DOC)
    a6 = next(a for a in spec.ambiguities if a.id == "A6")
    assert a6.default == "where_grassland" and set(a6.readings) == {"where_grassland", "always_required"}
    # the basis: every *-marked indicator name needs the thing it measures to exist
    starred = ["较大面积农村黑臭水体整治率*", "森林覆盖率*", "草原综合植被盖度*", "受污染耕地安全利用率*", "农田灌溉水有效利用系数*"]
    seed = SEED.read_text(encoding="utf-8")
    for name in starred:
        assert name in seed and name in a6.readings["where_grassland"].description, name


# ---------------------------------------------------------------- other readings


def test_reading_switch_first_year_and_equal_decline():
    """A2: no PM2.5 for last year → 缺数据, or (baseline_met) judged on the target only.
    A3: 危险废物填埋处置量占比 0 → 0 is not a decline (strict) but is met under equal_ok.
    """
    cur = facts(**{"指标22:value": 0})
    prev = previous(**{"指标4:value": None, "指标22:value": 0})
    base = run(cur, prev)
    assert outcome(base, SZ, "指标4") == "missing"
    assert outcome(base, SZ, "指标22") == "not_met"
    alt = run(cur, prev, readings={"A2": "baseline_met", "A3": "equal_ok"})
    assert outcome(alt, SZ, "指标4") == "met"
    assert outcome(alt, SZ, "指标22") == "met"


def test_reading_switch_water_direction_and_task_lead():
    """A5: 地表水比例 88 → 90 meets the table's 持续提高 but not the task text's 持续下降.
    A7: 第15项 led by 经信局 (附件2) or 发改局 (正文)."""
    assert outcome(run(), SZ, "指标5") == "met"
    assert outcome(run(readings={"A5": "task_text_down"}), SZ, "指标5") == "not_met"
    assert load_spec(DOC).line("附件2-15").lead == ("经信局",)
    assert load_spec(DOC, readings={"A7": "main_text"}).line("附件2-15").lead == ("发改局",)


def test_tasks_by_completion():
    """嵊州市's key tasks: one at 80% leaves 21/22 done; tasks never touch the indicator verdict."""
    r = run(facts(**{"附件2-7:completion": 80}))
    assert r.unit_summary(SZ)["tasks_done"] == 21
    assert outcome(r, SZ, "附件2-7") == "not_done"
    assert r.unit_summary(SZ)["verdict"] == "约束性指标全部达标"


# ---------------------------------------------------------------- the analyst's own cohort


def test_analyst_units_are_declared_not_guessed():
    spec = load_spec(DOC)
    a = spec.analyst_units
    assert a.label == "分析人员自选的对照县(市、区)"
    (cat,) = a.categories
    assert (cat.code, cat.dim) == ("region", "农村生活污水治理分区")
    # the regions exactly as 指标20 lists them (whitespace aside)
    assert cat.values == ("中西部地(略)市辖区", "东部地区", "中西部其他地区", "东北地区")
    assert set(cat.values) == set(spec.line("指标20").rule.target["values"])
    assert a.lines == ("附件1",)
    assert spec.analyst_line_ids == {f"指标{k}" for k in range(1, 26)}
    assert [u.name for u in a.sample] == NEIGHBOURS
    assert all(u.categories == {"农村生活污水治理分区": "东部地区"} for u in a.sample)


def _cohort(**rows):
    return frame({SZ: {**GOOD, **TASKS}, **rows})


@pytest.mark.parametrize(("amb", "reading"), ALL_READINGS)
def test_analyst_unit_judged_by_its_entered_region(amb, reading):
    """An added county in 中西部其他地区 is held to ≥30 on 指标20, one in 东部地区 to ≥60 — under every reading.

    甲县 (中西部其他地区) at 30 → met; 乙县 (中西部其他地区) at 29.5 → not met, 30 − 29.5 = 0.5 short;
    丙区 (东部地区) at 45 → not met, 60 − 45 = 15 short. 指标20 is 参考性: each county's verdict is
    嵊州市's, whose facts differ only there (all met by default; A5's 持续下降 fails 指标5 for all alike).
    """
    cur = _cohort(甲县=added("甲县", "中西部其他地区", **{"指标20:value": 30}),
                  乙县=added("乙县", "中西部其他地区", **{"指标20:value": 29.5}),
                  丙区=added("丙区", "东部地区", **{"指标20:value": 45}))
    prev = frame({u: PREV for u in (SZ, "甲县", "乙县", "丙区")})
    r = run(cur, prev, readings={amb: reading})
    assert list(r.summary["unit"]) == [SZ, "甲县", "乙县", "丙区"]
    assert outcome(r, "甲县", "指标20") == "met"
    assert outcome(r, "乙县", "指标20") == "not_met"
    assert line(r, "乙县", "指标20")["gap"] == pytest.approx(30 - 29.5)
    assert outcome(r, "丙区", "指标20") == "not_met"
    assert line(r, "丙区", "指标20")["gap"] == pytest.approx(60 - 45)
    for u in ("甲县", "乙县", "丙区"):
        assert r.unit_summary(u)["verdict"] == r.unit_summary(SZ)["verdict"], u
    if (amb, reading) != ("A5", "task_text_down"):
        assert r.unit_summary(SZ)["verdict"] == "约束性指标全部达标"


def test_analyst_unit_gets_indicators_only():
    """An added county is scored on 附件1's 25 indicators, never on 嵊州's 22 key tasks;
    a row whose region is not entered is not taken as an added county."""
    cur = _cohort(甲县=added("甲县", "中西部其他地区"), 丁县={**GOOD})
    r = run(cur, frame({SZ: PREV, "甲县": PREV}))
    assert list(r.summary["unit"]) == [SZ, "甲县"]
    ids = set(r.unit_audit("甲县")["line_id"])
    assert ids == {f"指标{k}" for k in range(1, 26)}
    row = r.unit_summary("甲县")
    assert (row["binding"], row["binding_met"], row["tasks"]) == (19, 19, 0)


def test_analyst_unit_without_grassland():
    """A6 applies to an added county as to 嵊州市: no grassland → 不适用 by default, 缺数据 when required."""
    cur = drop(_cohort(甲县=added("甲县", "东部地区", **{NONE: False})), NO_GRASS)
    prev = drop(frame({SZ: PREV, "甲县": PREV}), NO_GRASS)
    assert outcome(run(cur, prev), "甲县", "指标7") == "met"
    assert outcome(run(cur, prev, readings={"A6": "always_required"}), "甲县", "指标7") == "missing"


# ---------------------------------------------------------------- sample hints


def _range(hint):
    return (float(hint[0]), float(hint[1])) if isinstance(hint, list) and len(hint) >= 2 else None


def test_sample_hints_are_plausible():
    """Rates stay within 0–100 in both years (last year = this year − delta), 嵊州's forest cover
    sits at 60–70%, and the hints for binding indicators keep most of them met."""
    spec = load_spec(DOC)
    for ln in spec.lines:
        facts_of = {f.name: f for f in ln.rule.facts()}
        for key, hint in ln.sample.items():
            name, _, suffix = key.partition(".")
            f = facts_of.get(name)
            assert f is not None, (ln.id, key)
            if suffix == "delta" or f.unit != "%":
                continue
            d = _range(ln.sample.get(f"{name}.delta")) or (0.0, 0.0)
            for rng in ([_range(h) for h in hint.values()] if suffix == "units" else [_range(hint)]):
                if rng is None:
                    continue
                lo, hi = rng
                assert 0 <= lo - d[1] and hi - d[0] <= 100 and 0 <= lo <= hi <= 100, (ln.id, key, hint)
    forest = spec.line("指标7").sample
    lo, hi = _range(forest["p0_value"])
    assert 60 <= lo <= hi <= 70
    # the analyst's example counties have hints of their own; the urban 越城区 is far below the hills
    assert set(forest["p0_value.units"]) == set(NEIGHBOURS)
    assert _range(forest["p0_value.units"]["越城区"])[1] < 30
    # most Zhejiang counties have no grassland: 嵊州市 leaves 草原综合植被盖度 blank (不涉及, A6)
    assert forest["p1_value"] is None and SZ not in forest["p1_value.units"]
    assert forest["p1_applies"] is False and forest["p1_applies.units"] == {"新昌县": True}


def test_every_reading_combination_loads():
    """Readings on the same compound line combine (A1, A2, A6 all reach 指标7)."""
    spec = load_spec(DOC)
    for combo in itertools.product(*[list(a.readings) for a in spec.ambiguities]):
        chosen = dict(zip([a.id for a in spec.ambiguities], combo))
        assert spec.with_readings(chosen).readings == chosen
