"""舟山 2020 生态文明建设示范市创建 (seed 003): worked examples from the document's words, by hand.

The plan is 舟山市's own: 附件1's indicators, the body's 主要任务 and 附件2's key tasks are the city's,
carried by the city departments each row names. The text gives two districts work of their own
(定海区 建成省级示范区; 普陀区 海岛陆生生物多样性调查 and, as one of the 其他县(区), 巩固提升); the
other counties never appear and are the analyst's to add (``@unit:role``). Each verdict rule is
worked under every reading registered for it; the arithmetic is in the tests.
"""

import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.reports.departments import LEAD, SHARE, lines_of
from ecoscore.spec.integrity import clauses_not_in_seed, normalise
from tests.conftest import ROOT

SEED = ROOT / "data" / "seeds" / "003_d8ef49ab736b72ff.txt"
DOC = "zhoushan-2020"
CITY, DINGHAI, PUTUO = "舟山市", "定海区", "普陀区"
NAN = float("nan")

# 附件1 指标属性 column, row by row: 约束性 1-11, 13-17, 22-23, 25-29, 31, 33-35, 37, 40-45, 49, 51;
# 参考性 12, 18-21, 24, 30, 32, 36, 38, 39, 46-48, 50, 52-54.
BINDING = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 22, 23, 25, 26, 27, 28, 29, 31,
           33, 34, 35, 37, 40, 41, 42, 43, 44, 45, 49, 51]
REFERENCE = [12, 18, 19, 20, 21, 24, 30, 32, 36, 38, 39, 46, 47, 48, 50, 52, 53, 54]
INDICATORS = [f"指标{k}" for k in range(1, 55)]
# the body's 主要任务 that add something to the annexes (2, 11, 16, 19 only repeat them)
MAIN_TASKS = [f"主要任务{k}" for k in (1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25)]
ALL_READINGS = [(a.id, r) for a in load_spec(DOC).ambiguities for r in a.readings]


@pytest.fixture(scope="module")
def spec():
    return load_spec(DOC)


def frame(rows: dict[str, dict]) -> pd.DataFrame:
    """Return a facts table with one row per unit (``{unit: {fact key: value}}``)."""
    return pd.DataFrame.from_dict(rows, orient="index")


def table(cells: dict) -> pd.DataFrame:
    """``{fact key: {unit: value}}`` → the wide facts table the engine reads."""
    return pd.DataFrame(cells)


def row(result, unit, line_id) -> dict:
    a = result.audit
    rows = a[(a["unit"] == unit) & (a["line_id"] == line_id)]
    assert len(rows) == 1, (unit, line_id)
    return rows.iloc[0].to_dict()


def outcome(result, unit, line_id) -> str:
    return row(result, unit, line_id)["outcome"]


def line_ids(result, unit) -> set[str]:
    return set(result.audit[result.audit["unit"] == unit]["line_id"])


# ------------------------------------------------------------------ the city meets every binding indicator

CITY_FACTS = {
    "指标1:done": "是", "指标2:done": "是",
    "指标3:value": 26,                       # ≥25
    "指标4:done": "是", "指标5:done": "是", "指标6:done": "是",
    "指标7:value": 100, "指标8:value": 100,   # 100
    "指标9:value": 480, "指标9:target": 450,  # 完成上级下达的目标: 480 ≥ 450
    "指标10:done": "是", "指标11:done": "是", "指标13:done": "是",
    # 14: 优良天数比例 96.2 ≥ 上级目标 93; PM2.5 19 ≤ 上级目标 24
    "指标14:p0_value": 96.2, "指标14:p0_target": 93, "指标14:p1_value": 19, "指标14:p1_target": 24,
    # 15: III类比例 84 < 85, but 82 → 84 is +2 points > 全省平均 +1.5; V类 2.0 ≤ 全省平均 3.0
    "指标15:p0_value": 84, "指标15:p0_reference": 1.5, "指标15:p1_value": 2.0, "指标15:p1_target": 3.0,
    # 16: 25 ≥ 考核目标 20 (已达标) and 24 → 25 not lower (保持稳定)
    "指标16:value": 25, "指标16:target": 20,
    "指标17:value": 62,                      # ≥60
    "指标22:value": 100, "指标23:value": 100,
    "指标25:value": 93, "指标26:value": 95,   # ≥92
    "指标27:done": "是",
    **{f"指标28:{k}": "是" for k in ("p0_p0_done", "p0_p1_done", "p0_p2_done", "p1_p0_done", "p1_p1_done",
                                     "p2_p0_done", "p2_p1_done")},
    "指标29:p0_done": "是", "指标29:p1_done": "是", "指标29:p2_done": "是",
    "指标31:value": 40, "指标31:target": 38,  # 完成上级管控目标
    "指标33:p0_done": "是", "指标33:p1_value": 9, "指标33:p1_target": 7,  # 减煤 9 万吨 ≥ 任务 7
    # 34: 单位GDP用水量 33 > 31, but 35 → 33 falls 2/35 = 5.71% > 全省平均 4%; 工业 13 → 12 falls
    # A8: the provincial average fall as a rate (4%, default) and as a difference (4 立方米/万元, all_diff)
    "指标34:p0_value": 33, "指标34:p0_reference_rate": 4.0, "指标34:p0_reference": 4.0, "指标34:p1_value": 12,
    # 35: 0.44 ≤ 上级目标 0.46 and 0.45 → 0.44 not higher
    "指标35:value": 0.44, "指标35:target": 0.46,
    "指标37:value": 0.0002, "指标37:target": 0.0003,  # ≤ 年度任务
    "指标40:value": 92,                      # ≥90
    "指标41:value": 100, "指标42:value": 96, "指标43:value": 96, "指标44:value": 100,
    "指标45:value": 97,                      # ≥96
    "指标49:p0_done": "是", "指标49:p1_done": "是", "指标49:p2_value": 85,  # ≥80
    "指标51:value": 85,                      # ≥80
}
CITY_PREVIOUS = {"指标15:p0_value": 82, "指标15:p1_value": 2.5, "指标16:value": 24, "指标34:p0_value": 35,
                 "指标34:p1_value": 13, "指标35:value": 0.45}


def city_tables(previous=None, **changes):
    """Return (this year, last year) for 舟山市 meeting every binding indicator, with changes."""
    facts = {**CITY_FACTS, **changes}
    prev = {**CITY_PREVIOUS, **(previous or {})}
    return frame({CITY: facts}), frame({CITY: prev})


def judge(line_id, facts: dict, previous: dict | None = None, readings=None) -> dict:
    """Score 舟山市 on the given facts (short names: ``value`` → ``<line>:value``); return its row."""
    cur = frame({CITY: {f"{line_id}:{k}": v for k, v in facts.items()}})
    prev = frame({CITY: {f"{line_id}:{k}": v for k, v in (previous or {}).items()}}) if previous else None
    return row(score(DOC, cur, prev, readings=readings), CITY, line_id)


# ------------------------------------------------------------------ the text, transcribed


def test_54_indicators_36_binding_18_reference(spec):
    ind = [ln for ln in spec.lines if ln.kind == "indicator"]
    assert [ln.id for ln in ind] == INDICATORS
    assert len(BINDING) == 36 and len(REFERENCE) == 18 and sorted(BINDING + REFERENCE) == list(range(1, 55))
    assert [int(ln.id[2:]) for ln in ind if ln.attribute == "约束性"] == BINDING
    assert [int(ln.id[2:]) for ln in ind if ln.attribute == "参考性"] == REFERENCE
    assert all(ln.max is None for ln in ind)
    # 备注: 排列第一位的为牵头单位; #14 lists "市生态环境局, 市发改委、…"
    assert spec.line("指标14").lead == ("市生态环境局",)
    assert "舟山海事局" in spec.line("指标14").responsible
    assert spec.line("指标12").lead == ("人行舟山市中支",)  # the table's "舟山人行"
    assert spec.line("重点任务3").lead == ("市治水治污办",)


def test_every_clause_is_verbatim(spec):
    seed = SEED.read_text(encoding="utf-8")
    assert clauses_not_in_seed(spec, seed) == []
    body = normalise(seed)
    for amb in spec.ambiguities:
        for part in amb.clause.split("\n"):
            assert normalise(part) in body, amb.id


def test_the_units_are_those_the_text_names(spec):
    """舟山市, and the two districts the text gives work to; 岱山县 and 嵊泗县 never appear."""
    seed = SEED.read_text(encoding="utf-8")
    assert spec.unit_names == [CITY, DINGHAI, PUTUO]
    assert spec.family == "compliance" and spec.total is None
    assert "2020年,定海区建成省级生态文明建设示范区;其他县(区)巩固提升省级以上生态文明建设示范县创建成果。" in seed
    assert "普陀区开展海岛陆生生物多样性调查" in seed
    for name in ("岱山", "嵊泗"):
        assert name not in seed, name
    assert spec.department_reports == CITY


def test_what_each_unit_is_scored_on(spec):
    """Every indicator and task is the city's, but the three the text gives a district."""
    own = {"目标2020-定海区": (DINGHAI,), "目标2020-其他县区": (PUTUO,), "重点任务15(2)": (PUTUO,)}
    for ln in spec.lines:
        assert ln.applies_to == own.get(ln.id, (CITY,)), ln.id
    # the counties' own goals name no department (the county acts): no invented lead
    assert spec.line("目标2020-定海区").lead == () and spec.line("目标2020-其他县区").lead == ()
    # no unit is anyone's lead or partner, and the invented 市创建办 is gone
    for ln in spec.lines:
        assert not {*ln.lead, *ln.responsible} & set(spec.unit_names), ln.id
    assert "市创建办" not in spec.departments
    assert "创建阶段2020" not in {ln.id for ln in spec.lines}


def test_county_results_under_the_text():
    """定海区 is scored on its one goal, 普陀区 on its two tasks; neither on an indicator."""
    cur = table({"目标2020-定海区:completion": {DINGHAI: 100},
                 "目标2020-其他县区:completion": {PUTUO: 80},
                 "重点任务15(2):completion": {PUTUO: 100}})
    r = score(DOC, cur)
    assert line_ids(r, DINGHAI) == {"目标2020-定海区"}
    assert line_ids(r, PUTUO) == {"目标2020-其他县区", "重点任务15(2)"}
    d, p = r.unit_summary(DINGHAI), r.unit_summary(PUTUO)
    assert (d["binding"], d["tasks"], d["tasks_done"]) == (0, 1, 1)
    assert (p["binding"], p["tasks"], p["tasks_done"]) == (0, 2, 1)
    assert outcome(r, PUTUO, "目标2020-其他县区") == "not_done"


# ------------------------------------------------------------------ the analyst's own counties


def test_analyst_units_are_declared_not_guessed(spec):
    a = spec.analyst_units
    assert a.label == "其他县(区)(由分析人员填报)"
    (cat,) = a.categories
    assert (cat.code, cat.dim, cat.values) == ("role", "本方案中的身份", ("其他县(区)",))
    assert a.lines == ("目标2020-其他县区",) and spec.analyst_line_ids == {"目标2020-其他县区"}
    assert [u.name for u in a.sample] == ["岱山县", "嵊泗县"]
    assert all(u.categories == {"本方案中的身份": "其他县(区)"} for u in a.sample)
    assert "仅为演示" in a.note


@pytest.mark.parametrize(("amb", "reading"), [(a, r) for a, r in ALL_READINGS if a != "A10"])
def test_analyst_county_is_scored_on_the_other_counties_goal_only(amb, reading):
    """岱山县 entered with its role: scored on “其他县(区)巩固提升……” only (60% → not done);
    嵊泗县 without a role is not taken as a county of the document."""
    cur = frame({CITY: {"指标3:value": 26},
                 PUTUO: {"目标2020-其他县区:completion": 100},
                 "岱山县": {"@unit:role": "其他县(区)", "目标2020-其他县区:completion": 60},
                 "嵊泗县": {"目标2020-其他县区:completion": 100}})
    r = score(DOC, cur, readings={amb: reading})
    assert list(r.summary["unit"]) == [CITY, DINGHAI, PUTUO, "岱山县"]
    assert line_ids(r, "岱山县") == {"目标2020-其他县区"}
    assert outcome(r, "岱山县", "目标2020-其他县区") == "not_done"
    assert outcome(r, PUTUO, "目标2020-其他县区") == "done"


def test_analyst_county_under_a10_county_tasks_also_reports_the_body_tasks(spec):
    """A10 county_tasks: 岱山县 (role entered) is scored on its goal and on every 主要任务 (group 三)."""
    cur = frame({CITY: {"指标3:value": 26}, "岱山县": {"@unit:role": "其他县(区)", "目标2020-其他县区:completion": 60}})
    r = score(DOC, cur, readings={"A10": "county_tasks"})
    body = {ln.id for ln in spec.lines if ln.group.startswith("三")}
    assert body and line_ids(r, "岱山县") == {"目标2020-其他县区"} | body


def test_analyst_county_under_a10_county_indicators_needs_its_categories(spec):
    """A10 county_indicators: the indicators' targets go by 地形分区 and 城市规模, so an added county
    must enter them; with only its role it is refused as a county of the document. Entered 丘陵区,
    岱山县's 森林覆盖率 45 is judged against 丘陵区 ≥40 (met), 38 against 40 (gap 2)."""
    role_only = frame({CITY: {"指标3:value": 26}, "岱山县": {"@unit:role": "其他县(区)"}})
    assert "岱山县" not in list(score(DOC, role_only, readings={"A10": "county_indicators"}).summary["unit"])
    cats = {"@unit:role": "其他县(区)", "@unit:terrain": "丘陵区", "@unit:size": "中小城市", "@unit:size_pop": "中小城市"}
    cur = frame({CITY: {"指标3:value": 26}, "岱山县": {**cats, "指标18:value": 45}, "嵊泗县": {**cats, "指标18:value": 38}})
    r = score(DOC, cur, readings={"A10": "county_indicators"})
    assert {"指标18", "目标2020-其他县区"} <= line_ids(r, "岱山县")
    assert outcome(r, "岱山县", "指标18") == "met" and row(r, "岱山县", "指标18")["target"] == 40
    assert outcome(r, "嵊泗县", "指标18") == "not_met" and row(r, "嵊泗县", "指标18")["gap"] == 40 - 38


# ------------------------------------------------------------------ who is tasked


def test_departments_the_plan_tasks_get_reports(spec):
    names = spec.department_names()
    assert names == [d for d in spec.departments if d in names]
    # every department listed is named by some city line (石化基地管委会 only on 主要任务10);
    # the collectives 市属相关部门/单位 (附件2 items 3, 21, 33) name no one department: no report
    assert set(names) == set(spec.departments) - {"市属相关部门", "市属相关单位"}
    for d in ("石化基地管委会", "舟山海事局", "人行舟山市中支", "市卫健委", "市水务集团"):
        assert d in names, d


def test_each_part_of_a_compound_indicator_has_its_own_lead(spec):
    """part_leads follow 附件1's sub-rows (each row's first unit leads that part)."""
    assert spec.line("指标49").part_leads == (
        ("市城管局",),                    # 城镇生活垃圾分类减量化行动 市城管局
        ("市城管局", "市农业农村局"),      # 农村生活垃圾集中收集储运 市城管局、市农业农村局
        ("市农业农村局",),                # 农村生活垃圾分类处理建制村覆盖率 市农业农村局
    )
    assert spec.line("指标20").part_leads == (
        ("市资源规划局", "市农业农村局", "市生态环境局", "市水利局"),
        ("市资源规划局", "市农业农村局", "市生态环境局", "市水利局"),
        ("市资源规划局", "市生态环境局", "市水利局"))
    # 城镇开发边界's 责任单位 cell is merged with the 永久基本农田 row above it
    assert spec.line("指标28").part_leads == (("市资源规划局", "市生态环境局"), ("市资源规划局",), ("市资源规划局",))
    assert spec.line("指标50").part_leads == (
        ("市生态环境局", "市发改委", "市市场监管局"),
        ("市生态环境局", "市发改委", "市水利局", "市市场监管局"),
        ("市生态环境局", "市发改委", "市文广旅体局", "市市场监管局"))
    # one merged 责任单位 cell for all sub-rows: the line's own lead and partners
    for lid in ("指标14", "指标15", "指标21", "指标30", "指标33", "指标34", "指标39"):
        assert spec.line(lid).part_leads == (), lid
    for lid in ("指标20", "指标28", "指标49", "指标50"):
        ln = spec.line(lid)
        assert {u for p in ln.part_leads for u in p} == {*ln.lead, *ln.responsible}, lid


def test_a_miss_on_49_part_3_names_the_agriculture_bureau():
    """农村生活垃圾分类处理建制村覆盖率 75% (≥80): 指标49 not met, 80 − 75 = 5 short, and the one to
    act is that row's 市农业农村局, not the line's first unit 市城管局."""
    facts, prev = city_tables(**{"指标49:p2_value": 75})
    r = score(DOC, facts, prev)
    got = row(r, CITY, "指标49")
    assert got["outcome"] == "not_met" and got["gap"] == pytest.approx(80 - 75)
    assert got["lead"] == "市农业农村局" and got["responsible"] == ""
    facts, prev = city_tables(**{"指标49:p0_done": "否"})
    assert row(score(DOC, facts, prev), CITY, "指标49")["lead"] == "市城管局"


def test_department_roles_on_compound_lines(spec):
    """市农业农村局 leads 指标49 (its third part) and shares 指标14; 市文广旅体局 shares only 指标50's third part."""
    agri = lines_of(spec, "市农业农村局")
    assert agri["指标49"] == LEAD and agri["指标14"] == SHARE
    culture = lines_of(spec, "市文广旅体局")
    assert culture["指标50"] == SHARE


# ------------------------------------------------------------------ the body's tasks: only what they add


def test_body_tasks_add_to_the_annexes(spec):
    body = [ln for ln in spec.lines if ln.group.startswith("三")]
    assert [ln.id for ln in body] == MAIN_TASKS
    annex = [normalise(ln.clause) for ln in spec.lines if ln.group.startswith(("附件1", "附件2"))]
    seed = SEED.read_text(encoding="utf-8")
    for ln in body:
        *parts, units = ln.clause.split("\n")
        # marked with the section it comes from
        assert ln.note.startswith("出处:正文三("), ln.id
        # no fragment is an annex row's or indicator's text
        for part in parts:
            assert not any(normalise(part) in a for a in annex), (ln.id, part)
        # the paragraph's own 责任单位, none invented; a lead only where one unit is listed
        assert units.startswith("(责任单位:") and units.endswith(")") and units in seed, ln.id
        named = tuple(units[len("(责任单位:"):-1].split("、"))
        assert (*ln.lead, *ln.responsible) == named, ln.id
        assert ln.lead == (named if len(named) == 1 else ()), ln.id
    # 考核比例25%: 指标3 (≥25) is the figure, 附件2第1项 the task; the body no longer repeats it
    assert [ln.id for ln in spec.lines if "25%" in ln.clause] == ["重点任务1"]
    assert spec.line("指标3").target_text == "≥25"


# ------------------------------------------------------------------ sample hints


def test_every_line_has_sample_hints_for_its_facts(spec):
    # [low, high] / [low, high, p] numbers, [p] yes/no, and <fact>.delta for facts read against last year
    for ln in spec.lines:
        facts = {f.name: f for f in ln.rule.facts() if f.kind != "text"}
        expected = set(facts) | {f"{n}.delta" for n, f in facts.items() if f.previous}
        assert set(ln.sample) == expected, ln.id
        for name, hint in ln.sample.items():
            f = facts[name.removesuffix(".delta")]
            if f.kind == "bool":
                assert len(hint) == 1 and 0 <= hint[0] <= 1, (ln.id, name)
            else:
                assert len(hint) in (2, 3) and hint[0] < hint[1], (ln.id, name)
                if len(hint) == 3:
                    assert 0 <= hint[2] <= 1, (ln.id, name)
            if f.unit == "%" and not name.endswith(".delta") and not f.name.startswith("reference"):
                assert 0 <= hint[0] and hint[1] <= 100, (ln.id, name)  # a rate stays within 0–100


def test_sample_hints_mostly_meet_the_binding_bars(spec):
    """A binding threshold with a fixed bar: at most a fifth of its hint's draws miss it
    (the point mass at ``high`` counts as met). E.g. 指标3 [24.5, 30] against ≥25: 0.5/5.5 = 9%."""
    checked = 0
    for ln in spec.lines:
        r = ln.rule
        if ln.attribute != "约束性" or r.type != "threshold" or not isinstance(r.target, (int, float)):
            continue
        lo, hi, *p = ln.sample["value"]
        short = (r.target - lo) if r.op == ">=" else (hi - r.target)
        miss = min(max(short / (hi - lo), 0), 1) * (1 - (p[0] if p else 0))
        assert miss <= 0.2, (ln.id, miss)
        checked += 1
    assert checked >= 15


# ------------------------------------------------------------------ verdicts for 舟山市


def test_city_meeting_all_binding_indicators():
    facts, previous = city_tables()
    r = score(DOC, facts, previous)
    s = r.unit_summary(CITY)
    assert s["binding"] == 36 and s["binding_met"] == 36 and s["binding_not_met"] == 0
    assert s["verdict"] == "约束性指标全部达标"
    for k in BINDING:
        assert outcome(r, CITY, f"指标{k}") == "met", k
    # reference indicators were not reported: 缺数据, which does not touch the verdict
    assert outcome(r, CITY, "指标54") == "missing"
    # the districts have no indicators to meet under the text as written
    assert r.unit_summary(DINGHAI)["binding"] == 0


def test_one_binding_miss_changes_the_verdict():
    # 指标40 一般工业固体废物综合利用率 89.5 < 90 → 未达标, gap 0.5
    facts, previous = city_tables(**{"指标40:value": 89.5})
    r = score(DOC, facts, previous)
    assert r.unit_summary(CITY)["verdict"] == "1项约束性指标未达标"


    assert row(r, CITY, "指标40")["gap"] == pytest.approx(90 - 89.5)


# ------------------------------------------------------------------ category-dependent targets


@pytest.mark.parametrize(("reading", "value", "expected", "gap"), [
    ("hilly", 45, "met", 0),           # 丘陵区 ≥40
    ("hilly", 38, "not_met", 40 - 38),
    ("plain", 38, "met", 0),           # 平原地区 ≥19
    ("mountain", 45, "not_met", 70 - 45),  # 山区 ≥70
])
def test_forest_cover_by_terrain(reading, value, expected, gap):
    got = judge("指标18", {"value": value}, readings={"A1": reading})
    assert got["outcome"] == expected and got["gap"] == pytest.approx(gap)
    assert got["attribute"] == "参考性"


def test_public_transport_by_city_size():
    # 中小城市 ≥50 (城区常住人口, A2 default); 大城市 ≥60 when classed by 市域常住人口
    facts = table({"指标48:value": {CITY: 55, DINGHAI: 45}})
    r = score(DOC, facts)
    assert outcome(r, CITY, "指标48") == "met"
    assert "指标48" not in line_ids(r, DINGHAI)  # a city indicator under the text as written
    r2 = score(DOC, facts, readings={"A2": "city_population"})
    assert outcome(r2, CITY, "指标48") == "not_met" and row(r2, CITY, "指标48")["gap"] == pytest.approx(60 - 55)
    # A10 county_indicators: 定海区 checked too, as a 中小城市 (≥50): 45 misses by 5
    r3 = score(DOC, facts, readings={"A10": "county_indicators", "A2": "city_population"})
    assert outcome(r3, DINGHAI, "指标48") == "not_met" and row(r3, DINGHAI, "指标48")["target"] == 50


# ------------------------------------------------------------------ #28 three parts


def test_ecological_red_line_three_parts():
    # 生态保护红线: 面积不减小、性质不改变、功能不降低 — all three (and the other two 三线) must hold
    facts, prev = city_tables()
    assert outcome(score(DOC, facts, prev), CITY, "指标28") == "met"
    facts, prev = city_tables(**{"指标28:p0_p1_done": "否"})  # 性质改变
    r = score(DOC, facts, prev)
    assert outcome(r, CITY, "指标28") == "not_met"
    assert "生态保护红线性质不改变:否" in row(r, CITY, "指标28")["reason"]
    assert r.unit_summary(CITY)["verdict"] == "1项约束性指标未达标"


# ------------------------------------------------------------------ against last year


@pytest.mark.parametrize(("now", "last", "readings", "expected"), [
    (150, 130, None, "met"),                           # 逐年上升: 130 → 150
    (40, 40, None, "not_met"),                         # 持平 is not a rise (A5 strict)
    (40, 40, {"A5": "equal_counts"}, "met"),           # A5: 持平也算
    (30, 32, None, "not_met"),                         # fell
    (20, NAN, None, "missing"),                        # no 2019 value (A6 undecided)
    (20, NAN, {"A6": "not_met"}, "not_met"),           # A6: 缺上年数据按未达标
])
def test_green_loans_rise_year_on_year(now, last, readings, expected):
    got = judge("指标12", {"value": now}, {"value": last}, readings)
    assert got["outcome"] == expected
    if (now, last) == (30, 32):
        assert got["gap"] == pytest.approx(32 - 30)


@pytest.mark.parametrize(("iii", "iii_last", "v", "v_last", "expected"), [
    (84, 82, 2.0, 2.5, "met"),       # 84 < 85, but +2 > 全省 +1.5; V类 2.0 ≤ 3.0
    (88, 90, 4.0, 4.5, "met"),       # 88 ≥ 85; V类 4.0 > 3.0 but 4.5 → 4.0 fell
    (80, 79, 1.0, 1.0, "not_met"),   # 80 < 85 and +1 ≤ +1.5: III类 fails
])
def test_water_quality_bar_or_improvement(iii, iii_last, v, v_last, expected):
    # 指标15 III类比例 "≥85,或逐年提高且提高幅度大于全省平均值" (全省平均 +1.5 个百分点),
    # V类 "≤全省平均值,或逐年下降" (全省平均 3.0)
    got = judge("指标15", {"p0_value": iii, "p0_reference": 1.5, "p1_value": v, "p1_target": 3.0},
                {"p0_value": iii_last, "p1_value": v_last})
    assert got["outcome"] == expected


def test_water_use_change_as_rate_or_difference():
    # 指标34 单位GDP用水量 "≤31,或逐年下降且下降幅度高于全省平均值": 35 → 33 is a fall of
    # 2/35 = 5.71% (> 全省平均 4%) → met by default (A8 mixed: rate); as a difference 2 < 4 → not met
    facts, previous = city_tables()
    assert outcome(score(DOC, facts, previous), CITY, "指标34") == "met"
    r = score(DOC, facts, previous, readings={"A8": "all_diff"})
    assert outcome(r, CITY, "指标34") == "not_met"
    assert r.unit_summary(CITY)["verdict"] == "1项约束性指标未达标"


# ------------------------------------------------------------------ #16 已达标地区保持稳定,未达标地区持续改善

# 近岸海域水质优良比例, 上级考核目标 20%: (this year, last year) → (outcome, gap) under each A7 reading.
#   conditional (default): ≥20 must be ≥ last year; <20 must be > last year.
#   both: ≥20 and ≥ last year (a unit below 20 is never met; its gap runs to the higher of 20 and last year).
#   target_or_improve: ≥20 is enough; <20 must be > last year.
COASTAL = [
    # now, last, conditional, both, target_or_improve
    (25, 24, ("met", 0), ("met", 0), ("met", 0)),                    # 已达标, rose
    (25, 27, ("not_met", 27 - 25), ("not_met", 27 - 25), ("met", 0)),  # 已达标, fell 2
    (18, 15, ("met", 0), ("not_met", 20 - 18), ("met", 0)),          # 未达标, improved 3
    (18, 18, ("not_met", 0), ("not_met", 20 - 18), ("not_met", 0)),  # 未达标, not improved (any rise would do)
    (18, 19, ("not_met", 19 - 18), ("not_met", 20 - 18), ("not_met", 19 - 18)),  # 未达标, fell 1
    (20, 20, ("met", 0), ("met", 0), ("met", 0)),                    # exactly the target: 已达标, stable
    (19, 21, ("not_met", 21 - 19), ("not_met", 21 - 19), ("not_met", 21 - 19)),  # dropped below the target
]
A7 = ["conditional", "both", "target_or_improve"]


@pytest.mark.parametrize(("now", "last", "reading", "expected", "gap"),
                         [(c[0], c[1], r, *c[2 + k]) for c in COASTAL for k, r in enumerate(A7)])
def test_coastal_water_conditional_trend(now, last, reading, expected, gap):
    got = judge("指标16", {"value": now, "target": 20}, {"value": last}, {"A7": reading})
    assert got["outcome"] == expected
    assert got["gap"] == pytest.approx(gap)


def test_coastal_water_default_reading_and_its_words(spec):
    a7 = next(a for a in spec.ambiguities if a.id == "A7")
    assert a7.default == "conditional" and set(a7.readings) == set(A7)
    assert "无从适用" in a7.readings["conditional"].description  # its basis: else 未达标地区持续改善 never applies
    got = judge("指标16", {"value": 18, "target": 20}, {"value": 15})
    assert "上级考核目标≥20%(未达标)" in got["reason"] and "须持续改善(高于上年)" in got["reason"]
    assert got["reason"].endswith(";达标")
    # the verdict: 未达标 and not improved is one binding miss
    facts, prev = city_tables(previous={"指标16:value": 18}, **{"指标16:value": 18})
    assert score(DOC, facts, prev).unit_summary(CITY)["verdict"] == "1项约束性指标未达标"


@pytest.mark.parametrize(("facts", "previous", "readings", "expected"), [
    # no target entered: a rise is met on either branch, a fall fails on either; unchanged depends on it
    ({"value": 18}, {"value": 15}, None, "met"),
    ({"value": 18}, {"value": 19}, None, "not_met"),
    ({"value": 18}, {"value": 18}, None, "missing"),
    # no last year: the trend is unknown (A6 undecided) or a miss (A6 not_met)
    ({"value": 25, "target": 20}, None, None, "missing"),
    ({"value": 25, "target": 20}, None, {"A6": "not_met"}, "not_met"),
    # …but reaching the target is enough under target_or_improve
    ({"value": 25, "target": 20}, None, {"A7": "target_or_improve"}, "met"),
    ({"value": 18, "target": 20}, None, {"A7": "target_or_improve"}, "missing"),
])
def test_coastal_water_with_missing_figures(facts, previous, readings, expected):
    assert judge("指标16", facts, previous, readings)["outcome"] == expected


# ------------------------------------------------------------------ #35 完成上级规定的目标;保持稳定或持续改善

# 单位地区生产总值能耗 (下降为好), 上级目标 0.46 吨标准煤/万元: (this year, last year) → (outcome, gap)
#   both (A11 default): ≤0.46 and ≤ last year; the gap runs to the tighter of the two.
#   either: ≤0.46, or ≤ last year.
ENERGY = [
    (0.44, 0.45, ("met", 0), ("met", 0)),                          # within target, fell
    (0.44, 0.43, ("not_met", 0.44 - 0.43), ("met", 0)),            # within target, rose 0.01
    (0.47, 0.49, ("not_met", 0.47 - 0.46), ("met", 0)),            # above target, fell
    (0.48, 0.47, ("not_met", 0.48 - 0.46), ("not_met", 0.48 - 0.47)),  # above target and rose
    (0.46, 0.46, ("met", 0), ("met", 0)),                          # on target, unchanged
]


@pytest.mark.parametrize(("now", "last", "reading", "expected", "gap"),
                         [(c[0], c[1], r, *c[2 + k]) for c in ENERGY for k, r in enumerate(["both", "either"])])
def test_energy_intensity_semicolon(now, last, reading, expected, gap):
    got = judge("指标35", {"value": now, "target": 0.46}, {"value": last}, {"A11": reading})
    assert got["outcome"] == expected
    assert got["gap"] == pytest.approx(gap)


def test_energy_intensity_default_and_its_basis(spec):
    a11 = next(a for a in spec.ambiguities if a.id == "A11")
    assert a11.default == "both" and set(a11.readings) == {"both", "either"}
    seed = SEED.read_text(encoding="utf-8")
    # the basis: where one of two suffices the table writes 或; #35 has none between its halves
    for words in ("≥85,或逐年提高", "≤31,或逐年下降", "高于全省平均值或逐年上升"):
        assert words in seed and words in a11.readings["both"].description
    assert "完成上级规定的目标;保持稳定或持续改善" in seed
    facts, prev = city_tables(previous={"指标35:value": 0.43})  # within target 0.46, but 0.43 → 0.44 rose
    r = score(DOC, facts, prev)
    assert outcome(r, CITY, "指标35") == "not_met"
    assert r.unit_summary(CITY)["verdict"] == "1项约束性指标未达标"
    assert outcome(score(DOC, facts, prev, readings={"A11": "either"}), CITY, "指标35") == "met"


def test_satisfaction_above_provincial_average_or_rising():
    # 指标53 "高于全省平均值或逐年上升" (全省平均 85.5): 86 > 85.5 met; 85.5 is not above, but
    # 84 → 85.5 rose → met; 85 from 85 → neither; A5 equal_counts makes the unchanged one met
    cases = [(86, 90, None, "met"), (85.5, 84, None, "met"), (85, 85, None, "not_met"),
             (85, 85, {"A5": "equal_counts"}, "met")]
    for now, last, readings, expected in cases:
        got = judge("指标53", {"value": now, "target": 85.5}, {"value": last}, readings)
        assert got["outcome"] == expected, (now, last, readings)


# ------------------------------------------------------------------ readings of table-vs-text targets


def test_text_target_for_garbage_treatment_changes_the_verdict():
    # 指标45: 附件1 ≥96 (97 met); 正文 "稳定在100%" (A9a text) → 97 misses by 3 → 1 binding miss
    facts, previous = city_tables()
    r = score(DOC, facts, previous, readings={"A9a": "text"})
    assert outcome(r, CITY, "指标45") == "not_met" and row(r, CITY, "指标45")["gap"] == pytest.approx(100 - 97)
    assert r.unit_summary(CITY)["verdict"] == "1项约束性指标未达标"


def test_park_area_table_or_text():
    # 指标46 城镇人均公园绿地面积 14: ≥13 (附件1) met; ≥15 (正文, A9b text) not met
    assert judge("指标46", {"value": 14})["outcome"] == "met"
    assert judge("指标46", {"value": 14}, readings={"A9b": "text"})["outcome"] == "not_met"


# ------------------------------------------------------------------ A10 属地责任


def test_withdrawn_readings_are_gone(spec):
    """A3 (6 indicators city-only on an unchecked national note) and A4 (主要任务 for counties) give
    way to A10; no line refers to them."""
    ids = {a.id for a in spec.ambiguities}
    assert not {"A3", "A4"} & ids and "A10" in ids
    assert all(not {"A3", "A4"} & set(ln.ambiguities) for ln in spec.lines)


@pytest.mark.parametrize(("reading", "districts_get"), [
    ("as_written", set()),
    ("county_tasks", set(MAIN_TASKS)),
    ("county_indicators", set(MAIN_TASKS) | set(INDICATORS)),
])
def test_territorial_responsibility_reading(reading, districts_get):
    """A10: 定海区 and 普陀区 add the 主要任务 (county_tasks) or also the 54 indicators (county_indicators)
    to the work the text gives them; 附件2's city-wide key tasks stay the city's; the city is unchanged."""
    facts, prev = city_tables()
    r = score(DOC, facts, prev, readings={"A10": reading})
    assert line_ids(r, DINGHAI) == {"目标2020-定海区"} | districts_get
    assert line_ids(r, PUTUO) == {"目标2020-其他县区", "重点任务15(2)"} | districts_get
    assert r.unit_summary(DINGHAI)["binding"] == (36 if reading == "county_indicators" else 0)
    s = r.unit_summary(CITY)
    assert (s["binding_met"], s["verdict"]) == (36, "约束性指标全部达标")
    assert r.spec.department_names() == load_spec(DOC).department_names()


def test_territorial_responsibility_default_is_the_text(spec):
    a10 = next(a for a in spec.ambiguities if a.id == "A10")
    assert a10.default == "as_written" and set(a10.readings) == {"as_written", "county_tasks", "county_indicators"}
    assert a10.clause.split("\n")[0] == "各县(区)政府及功能区管委会均应按辖区落实各项任务属地责任。"
    assert set(a10.lines) == set(INDICATORS) | set(MAIN_TASKS)
