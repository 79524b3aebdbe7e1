"""舟山 2020 生态文明建设示范市创建 (seed 003): worked examples from the indicator table, by hand."""

import copy

import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.spec import build_spec
from ecoscore.spec.integrity import clauses_not_in_seed, normalise
from tests.conftest import ROOT

SEED = ROOT / "data" / "seeds" / "003_d8ef49ab736b72ff.txt"
DOC = "zhoushan-2020"
CITY, DINGHAI, PUTUO, DAISHAN, SHENGSI = "舟山市", "定海区", "普陀区", "岱山县", "嵊泗县"
NAN = float("nan")

# 附件1 指标属性 column, row by row: 约束性 1-11, 13-17, 22-23, 25-29, 31, 33-35, 37, 40-45, 49, 51;
# 参考性 12, 18-21, 24, 30, 32, 36, 38, 39, 46-48, 50, 52-54.
BINDING = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 22, 23, 25, 26, 27, 28, 29, 31,
           33, 34, 35, 37, 40, 41, 42, 43, 44, 45, 49, 51]
REFERENCE = [12, 18, 19, 20, 21, 24, 30, 32, 36, 38, 39, 46, 47, 48, 50, 52, 53, 54]


@pytest.fixture(scope="module")
def spec():
    return load_spec(DOC)


def table(cells: dict) -> pd.DataFrame:
    """``{fact key: {unit: value}}`` → the wide facts table the engine reads."""
    return pd.DataFrame(cells)


def outcome(result, unit, line_id) -> str:
    rows = result.audit[(result.audit["unit"] == unit) & (result.audit["line_id"] == line_id)]
    assert len(rows) == 1, (unit, line_id)
    return rows.iloc[0]["outcome"]


def row(result, unit, line_id):
    a = result.audit
    return a[(a["unit"] == unit) & (a["line_id"] == line_id)].iloc[0]


# ------------------------------------------------------------------ structure


def test_54_indicators_36_binding_18_reference(spec):
    ind = [ln for ln in spec.lines if ln.kind == "indicator"]
    assert [ln.id for ln in ind] == [f"指标{k}" for k in range(1, 55)]
    assert len(BINDING) == 36 and len(REFERENCE) == 18 and sorted(BINDING + REFERENCE) == list(range(1, 55))
    assert [int(ln.id[2:]) for ln in ind if ln.attribute == "约束性"] == BINDING
    assert [int(ln.id[2:]) for ln in ind if ln.attribute == "参考性"] == REFERENCE
    assert all(ln.max is None for ln in ind)


def test_units_tasks_and_lead_units(spec):
    assert spec.unit_names == [CITY, DINGHAI, PUTUO, DAISHAN, SHENGSI]
    assert spec.family == "compliance" and spec.total is None
    ids = [ln.id for ln in spec.lines]
    # 主要任务 1-25; 附件2 has no 序号 6, and its 15th row is split (city / 普陀区)
    assert [i for i in ids if i.startswith("主要任务")] == [f"主要任务{k}" for k in range(1, 26)]
    key = [i for i in ids if i.startswith("重点任务")]
    assert "重点任务6" not in key and len(key) == 46
    assert spec.line("重点任务15(2)").applies_to == (PUTUO,)
    assert spec.line("目标2020-定海区").applies_to == (DINGHAI,)
    assert spec.line("目标2020-其他县区").applies_to == (PUTUO, DAISHAN, SHENGSI)
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


# ------------------------------------------------------------------ the city meets every binding indicator

CITY_FACTS = {
    "指标1:done": "是", "指标2:done": "是",
    "指标3:value": 26,                       # ≥25
    "指标4:done": "是", "指标5:done": "是", "指标6:done": "是",
    "指标7:value": 100, "指标8:value": 100,   # 100
    "指标9:value": 120, "指标9:target": 100,  # 完成上级下达的目标: 120 ≥ 100
    "指标10:done": "是", "指标11:done": "是", "指标13:done": "是",
    # 14: 优良天数比例 93.2 ≥ 上级目标 92; PM2.5 20 ≤ 上级目标 22
    "指标14:p0_value": 93.2, "指标14:p0_target": 92, "指标14:p1_value": 20, "指标14:p1_target": 22,
    # 15: III类比例 80 < 85, but 77 → 80 is +3 points > 全省平均 +1.5; V类 2.0 ≤ 全省平均 3.0
    "指标15:p0_value": 80, "指标15:p0_reference": 1.5, "指标15:p1_value": 2.0, "指标15:p1_target": 3.0,
    # 16: 25 ≥ 考核任务 20 and 24 → 25 not lower
    "指标16:value": 25, "指标16:target": 20,
    "指标17:value": 62,                      # ≥60
    "指标22:value": 100, "指标23:value": 100,
    "指标25:value": 93, "指标26:value": 95,   # ≥92
    "指标27:done": "是",
    **{f"指标28:{k}": "是" for k in ("p0_p0_done", "p0_p1_done", "p0_p2_done", "p1_p0_done", "p1_p1_done",
                                     "p2_p0_done", "p2_p1_done")},
    "指标29:p0_done": "是", "指标29:p1_done": "是", "指标29:p2_done": "是",
    "指标31:value": 40, "指标31:target": 38,  # 完成上级管控目标
    "指标33:p0_done": "是", "指标33:p1_value": 15, "指标33:p1_target": 12,
    # 34: 单位GDP用水量 33 > 31, but 35 → 33 falls 2/35 = 5.71% > 全省平均 4%; 工业 13 → 12 falls
    "指标34:p0_value": 33, "指标34:p0_reference": 4.0, "指标34:p1_value": 12,
    # 35: 0.52 ≤ 上级目标 0.55 and 0.54 → 0.52 not higher
    "指标35:value": 0.52, "指标35:target": 0.55,
    "指标37:value": 0.0011, "指标37:target": 0.0012,  # ≤ 年度任务
    "指标40:value": 92,                      # ≥90
    "指标41:value": 100, "指标42:value": 96, "指标43:value": 96, "指标44:value": 100,
    "指标45:value": 97,                      # ≥96
    "指标49:p0_done": "是", "指标49:p1_done": "是", "指标49:p2_value": 85,  # ≥80
    "指标51:value": 85,                      # ≥80
}
CITY_PREVIOUS = {"指标15:p0_value": 77, "指标15:p1_value": 2.5, "指标16:value": 24, "指标34:p0_value": 35,
                 "指标34:p1_value": 13, "指标35:value": 0.54}


def city_tables(**changes):
    facts = {**CITY_FACTS, **changes}
    return (pd.DataFrame({k: {CITY: v} for k, v in facts.items()}),
            pd.DataFrame({k: {CITY: v} for k, v in CITY_PREVIOUS.items()}))


def test_city_meeting_all_binding_indicators(spec):
    facts, previous = city_tables()
    r = score(spec, facts, previous)
    s = r.unit_summary(CITY)
    assert s["binding"] == 36 and s["binding_met"] == 36 and s["binding_not_met"] == 0
    assert s["verdict"] == "约束性指标全部达标"
    for k in BINDING:
        assert outcome(r, CITY, f"指标{k}") == "met", k
    # reference indicators were not reported: 缺数据, which does not touch the verdict
    assert outcome(r, CITY, "指标54") == "missing"
    # counties: 指标37 碳排放强度 is a city indicator (A3), so 35 binding lines; nothing reported
    county = r.unit_summary(DINGHAI)
    assert county["binding"] == 35 and county["binding_met"] == 0
    assert "暂无法判定" in county["verdict"]


def test_one_binding_miss_changes_the_verdict(spec):
    # 指标40 一般工业固体废物综合利用率 89.5 < 90 → 未达标, gap 0.5
    facts, previous = city_tables(**{"指标40:value": 89.5})
    r = score(spec, facts, previous)
    assert r.unit_summary(CITY)["verdict"] == "1项约束性指标未达标"
    assert row(r, CITY, "指标40")["gap"] == pytest.approx(0.5)


# ------------------------------------------------------------------ category-dependent targets


def test_forest_cover_by_terrain_category(spec):
    # 森林覆盖率: 山区 ≥70 / 丘陵区 ≥40 / 平原地区 ≥19. Put 岱山县 in 山区 for this example; the others
    # stay 丘陵区. 45: 定海区 (丘陵区) meets ≥40; 岱山县 (山区) misses ≥70 by 25; 嵊泗县 38 misses ≥40 by 2.
    raw = copy.deepcopy(spec.raw)
    for u in raw["units"]:
        if u["name"] == DAISHAN:
            u["categories"] = {**u["categories"], "地形分区": "山区"}
    mixed = build_spec(raw, spec.path)
    facts = table({"指标18:value": {DINGHAI: 45, DAISHAN: 45, SHENGSI: 38}})
    r = score(mixed, facts)
    assert outcome(r, DINGHAI, "指标18") == "met"
    assert outcome(r, DAISHAN, "指标18") == "not_met"
    assert row(r, DAISHAN, "指标18")["target"] == 70 and row(r, DAISHAN, "指标18")["gap"] == 25
    assert outcome(r, SHENGSI, "指标18") == "not_met" and row(r, SHENGSI, "指标18")["gap"] == 2
    assert "参考性" == row(r, DINGHAI, "指标18")["attribute"]


def test_terrain_reading_switches_the_bar(spec):
    # A1: every island unit 丘陵区 (≥40) by default; 平原地区 reading ≥19; 山区 reading ≥70
    facts = table({"指标18:value": {CITY: 45, SHENGSI: 38}})
    assert outcome(score(spec, facts), SHENGSI, "指标18") == "not_met"
    assert outcome(score(spec, facts, readings={"A1": "plain"}), SHENGSI, "指标18") == "met"
    assert outcome(score(spec, facts, readings={"A1": "mountain"}), CITY, "指标18") == "not_met"


def test_public_transport_by_city_size(spec):
    # 中小城市 ≥50 (城区常住人口, default); 大城市 ≥60 when classed by 市域常住人口 (A2)
    facts = table({"指标48:value": {CITY: 55, DINGHAI: 45}})
    r = score(spec, facts)
    assert outcome(r, CITY, "指标48") == "met"
    assert r.audit[(r.audit["unit"] == DINGHAI) & (r.audit["line_id"] == "指标48")].empty  # city only (A3)
    r2 = score(spec, facts, readings={"A2": "city_population"})
    assert outcome(r2, CITY, "指标48") == "not_met" and row(r2, CITY, "指标48")["gap"] == 5
    # A3 all_units: the county is checked too, as a 中小城市 (≥50): 45 misses by 5
    r3 = score(spec, facts, readings={"A3": "all_units", "A2": "city_population"})
    assert outcome(r3, DINGHAI, "指标48") == "not_met" and row(r3, DINGHAI, "指标48")["target"] == 50


# ------------------------------------------------------------------ #28 three parts


def test_ecological_red_line_three_parts(spec):
    # 生态保护红线: 面积不减小、性质不改变、功能不降低 — all three (and the other two 三线) must hold
    yes = {k: "是" for k in ("p0_p0_done", "p0_p1_done", "p0_p2_done", "p1_p0_done", "p1_p1_done",
                            "p2_p0_done", "p2_p1_done")}
    cells = {f"指标28:{k}": {CITY: v, DINGHAI: v} for k, v in yes.items()}
    cells["指标28:p0_p1_done"] = {CITY: "是", DINGHAI: "否"}  # 定海区: 性质改变
    r = score(spec, table(cells))
    assert outcome(r, CITY, "指标28") == "met"
    assert outcome(r, DINGHAI, "指标28") == "not_met"
    assert "生态保护红线性质不改变:否" in row(r, DINGHAI, "指标28")["reason"]


# ------------------------------------------------------------------ against last year


def test_green_loans_rise_year_on_year(spec):
    # 指标12 绿色贷款 逐年上升: 130 → 150 met; 40 → 40 not a rise (A5 strict); 32 → 30 fell;
    # 岱山县 has no 2019 value → 缺数据 (A6 undecided)
    facts = table({"指标12:value": {CITY: 150, DINGHAI: 40, PUTUO: 30, DAISHAN: 20}})
    prev = table({"指标12:value": {CITY: 130, DINGHAI: 40, PUTUO: 32, DAISHAN: NAN}})
    r = score(spec, facts, prev)
    assert [outcome(r, u, "指标12") for u in (CITY, DINGHAI, PUTUO, DAISHAN, SHENGSI)] == \
        ["met", "not_met", "not_met", "missing", "missing"]
    assert row(r, PUTUO, "指标12")["gap"] == 2
    # A5: 持平也算 → 定海区 met; A6: 缺上年数据按未达标 → 岱山县 未达标
    assert outcome(score(spec, facts, prev, readings={"A5": "equal_counts"}), DINGHAI, "指标12") == "met"
    assert outcome(score(spec, facts, prev, readings={"A6": "not_met"}), DAISHAN, "指标12") == "not_met"


def test_water_quality_bar_or_improvement(spec):
    # 指标15 III类比例 "≥85,或逐年提高且提高幅度大于全省平均值" (全省平均 +1.5 个百分点),
    # V类 "≤全省平均值,或逐年下降" (全省平均 3.0):
    # 舟山市 80 (77 → 80, +3 > 1.5), V类 2.0 ≤ 3.0 → met
    # 定海区 88 ≥ 85; V类 4.0 > 3.0 but 4.5 → 4.0 fell → met
    # 普陀区 80 (79 → 80, +1 ≤ 1.5) → III类 fails → not met
    facts = table({
        "指标15:p0_value": {CITY: 80, DINGHAI: 88, PUTUO: 80},
        "指标15:p0_reference": {CITY: 1.5, DINGHAI: 1.5, PUTUO: 1.5},
        "指标15:p1_value": {CITY: 2.0, DINGHAI: 4.0, PUTUO: 1.0},
        "指标15:p1_target": {CITY: 3.0, DINGHAI: 3.0, PUTUO: 3.0},
    })
    prev = table({"指标15:p0_value": {CITY: 77, DINGHAI: 90, PUTUO: 79},
                  "指标15:p1_value": {CITY: 2.5, DINGHAI: 4.5, PUTUO: 1.0}})
    r = score(spec, facts, prev)
    assert [outcome(r, u, "指标15") for u in (CITY, DINGHAI, PUTUO)] == ["met", "met", "not_met"]


def test_water_use_change_as_rate_or_difference(spec):
    # 指标34 单位GDP用水量 "≤31,或逐年下降且下降幅度高于全省平均值": 35 → 33 is a fall of
    # 2/35 = 5.71% (> 全省平均 4%) → met by default (A8 mixed: rate); as a difference 2 < 4 → not met
    facts, previous = city_tables()
    assert outcome(score(spec, facts, previous), CITY, "指标34") == "met"
    r = score(spec, facts, previous, readings={"A8": "all_diff"})
    assert outcome(r, CITY, "指标34") == "not_met"
    assert r.unit_summary(CITY)["verdict"] == "1项约束性指标未达标"


def test_target_and_stable_coastal_water(spec):
    # 指标16 "完成上级规定的考核任务;已达标地区保持稳定,未达标地区持续改善" (A7 both):
    # 舟山市 25 ≥ 20 and 24 → 25 → met; 定海区 25 ≥ 20 but 27 → 25 fell → not met;
    # 普陀区 18 < 20 though 15 → 18 improved → not met; under A7 target_or_improve 普陀区 met
    facts = table({"指标16:value": {CITY: 25, DINGHAI: 25, PUTUO: 18},
                   "指标16:target": {CITY: 20, DINGHAI: 20, PUTUO: 20}})
    prev = table({"指标16:value": {CITY: 24, DINGHAI: 27, PUTUO: 15}})
    r = score(spec, facts, prev)
    assert [outcome(r, u, "指标16") for u in (CITY, DINGHAI, PUTUO)] == ["met", "not_met", "not_met"]
    r2 = score(spec, facts, prev, readings={"A7": "target_or_improve"})
    assert [outcome(r2, u, "指标16") for u in (CITY, DINGHAI, PUTUO)] == ["met", "met", "met"]


def test_satisfaction_above_provincial_average_or_rising(spec):
    # 指标53 "高于全省平均值或逐年上升" (全省平均 85.5): 86 > 85.5 met; 85.5 is not above, but
    # 84 → 85.5 rose → met; 85 from 85 → neither; A5 equal_counts makes the unchanged one met
    facts = table({"指标53:value": {CITY: 86, DINGHAI: 85.5, PUTUO: 85},
                   "指标53:target": {CITY: 85.5, DINGHAI: 85.5, PUTUO: 85.5}})
    prev = table({"指标53:value": {CITY: 90, DINGHAI: 84, PUTUO: 85}})
    r = score(spec, facts, prev)
    assert [outcome(r, u, "指标53") for u in (CITY, DINGHAI, PUTUO)] == ["met", "met", "not_met"]
    assert outcome(score(spec, facts, prev, readings={"A5": "equal_counts"}), PUTUO, "指标53") == "met"


# ------------------------------------------------------------------ readings of table-vs-text targets


def test_text_target_for_garbage_treatment_changes_the_verdict(spec):
    # 指标45: 附件1 ≥96 (97 met); 正文 "稳定在100%" (A9a text) → 97 misses by 3 → 1 binding miss
    facts, previous = city_tables()
    r = score(spec, facts, previous, readings={"A9a": "text"})
    assert outcome(r, CITY, "指标45") == "not_met" and row(r, CITY, "指标45")["gap"] == 3
    assert r.unit_summary(CITY)["verdict"] == "1项约束性指标未达标"


def test_park_area_table_or_text(spec):
    # 指标46 城镇人均公园绿地面积 14: ≥13 (附件1) met; ≥15 (正文, A9b text) not met
    facts = table({"指标46:value": {CITY: 14}})
    assert outcome(score(spec, facts), CITY, "指标46") == "met"
    assert outcome(score(spec, facts, readings={"A9b": "text"}), CITY, "指标46") == "not_met"


def test_main_tasks_apply_to_counties_under_a4(spec):
    facts = table({"主要任务1:completion": {CITY: 100, PUTUO: 80}})
    r = score(spec, facts)
    assert r.unit_summary(PUTUO)["tasks"] == 2  # 重点任务15(2) and 目标2020-其他县区
    r2 = score(spec, facts, readings={"A4": "all_units"})
    assert r2.unit_summary(PUTUO)["tasks"] == 27
    assert outcome(r2, PUTUO, "主要任务1") == "not_done" and outcome(r2, CITY, "主要任务1") == "done"
