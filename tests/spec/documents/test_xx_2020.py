"""XX市2020年度生态文明建设目标责任书任务分解表 (seed 004): worked examples from the document's words."""


import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.spec.integrity import clauses_not_in_seed, normalise
from tests.conftest import ROOT

SEED = ROOT / "data" / "seeds" / "004_90d5fdf41017c01e.txt"
DOC = "xx-2020"
DISTRICTS = ["江干区", "拱墅区", "西湖区", "滨江区", "钱塘新区", "萧山区", "XX区", "富阳区", "临安区"]
QUOTA = {"江干区": 400, "拱墅区": 200, "西湖区": 900, "滨江区": 400, "钱塘新区": 800, "萧山区": 2400,
         "XX区": 3700, "富阳区": 7500, "临安区": 6900}


@pytest.fixture(scope="module")
def spec():
    return load_spec(DOC)


def table(units, **cols) -> pd.DataFrame:
    """Facts for ``units``: ``{column: value}`` (every unit) or ``{column: {unit: value}}``."""
    data = {c: (v if isinstance(v, dict) else {u: v for u in units}) for c, v in cols.items()}
    return pd.DataFrame(data, index=units, dtype=object).reindex(units)


def full_marks(spec, units) -> dict:
    """Facts giving every base line its full points and no bonus or deduction."""
    out = {}
    for ln in spec.lines:
        r = ln.rule
        for f in r.facts():
            key = f"{ln.id}:{f.name}"
            if f.kind == "text":
                continue
            if r.type == "counted":
                out[key] = True if f.name == "waived" else 0
            elif r.type == "manual":
                out[key] = ln.max if r.mode == "award" and ln.kind == "base" else 0
            elif r.type == "yes_no":
                out[key] = ln.kind == "base"
            elif r.type == "grade_points":
                out[key] = "优秀"
            elif r.type == "improvement_tiers":
                out[key] = False if f.name == "grade_up" else 0
            elif r.type == "lateness":
                out[key] = 0
            elif r.type == "place_points":
                out[key] = False if f.name == "dropped" else 0
            elif ln.kind == "bonus":
                out[key] = 0  # piecewise bonus lines: nothing to count
    out.update({
        "一.4(1):value": 100, "一.4(2):value": 100,
        "二.1:value": 30, "二.1:target": 35,
        "二.2:value": 95, "二.2:strive": 92, "二.2:ensure": 88,
        "二.3:value": 56, "二.3:target": 60,          # 16 + 2×4 = 24 → 20 (加满为止)
        "二.4:value": 3, "二.4:target": 5,
        "三.11(2)①:value": 60,
        "三.11(3):value": 3,
        "三.12(1):value": 10, "三.12(2):value": 5,
        "三.13(2):value": 95, "三.13(2):target": 90,  # every unit equal: all best → full
        "三.13(3):value": 60,
        "三.13(5):value": {u: q for u, q in QUOTA.items() if u in units},
        "三.16(1)②:value": 0,
        "三.16(3):value": 2,
        "三.16(6):value": 10,
        "三.16(8)②:value": 100,
    })
    for name in ("农膜回收率", "化肥利用率", "农药利用率"):
        out[f"三.13(4){name}:value"] = 95
        out[f"三.13(4){name}:target"] = 90
    return out


def perfect(spec, units=None, **changes) -> pd.DataFrame:
    units = units or spec.unit_names
    return table(units, **{**full_marks(spec, units), **changes})


def points(result, unit, line_id):
    a = result.unit_audit(unit).set_index("line_id")
    return a.loc[line_id, "awarded"]


# ------------------------------------------------------------------ structure


def test_units_are_the_nine_districts_of_san_13_5(spec):
    assert spec.unit_names == DISTRICTS
    assert all(spec.unit(u).categories == {"区县": u} for u in DISTRICTS)
    assert spec.line("三.13(5)").rule.target["values"] == QUOTA


def test_points_add_up_to_1000(spec):
    top = {g.id: g.max for g in spec.groups if g.parent is None and g.kind == "base"}
    assert top == {"一": 200, "二": 200, "三": 600}
    assert spec.total == 1000
    assert sum(ln.max for ln in spec.lines if ln.kind == "base") == pytest.approx(1000)
    parent = {g.id: g.parent for g in spec.groups}

    def section(group):
        while parent.get(group):
            group = parent[group]
        return group

    by_section = {s: sum(ln.max for ln in spec.lines if ln.kind == "base" and section(ln.group) == s)
                  for s in ("一", "二", "三")}
    assert by_section == pytest.approx({"一": 200, "二": 200, "三": 600})
    assert [g.id for g in spec.groups if g.kind == "deduction"] == ["四(二)"]


def test_every_numbered_item_is_a_line(spec):
    ids = {ln.id for ln in spec.lines}
    # 三.1 … 三.19 all present, as a line or as a group of lines
    for k in range(1, 20):
        assert any(i == f"三.{k}" or i.startswith(f"三.{k}(") for i in ids), k
    assert {f"四(一){k}" for k in (1, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 17)} <= ids
    assert {"四(一)2-1", "四(一)2-2", "四(一)6(1)", "四(一)6(2)", "四(一)6(3)", "四(一)15(1)", "四(一)15(2)",
            "四(一)15(3)", "四(一)16(1)", "四(一)16(2)", "四(一)16(3)"} <= ids
    assert {f"四(二){k}" for k in range(1, 8)} <= ids
    assert {"一.2(1)", "一.2(2)", "一.2(3)", "一.2(4)", "三.16(7)④", "三.16(7)⑥", "三.17(2)⑤", "三.18③"} <= ids
    assert len(spec.lines) == 138


def test_clauses_are_verbatim(spec):
    seed = SEED.read_text(encoding="utf-8")
    assert clauses_not_in_seed(spec, seed) == []
    body = normalise(seed)
    for a in spec.ambiguities:
        assert all(normalise(p) in body for p in a.clause.split("\n")), a.id


def test_garbled_and_stray_text_kept_with_a_note(spec):
    assert "÷÷%率" in spec.line("一.4(1)").clause and "线性" in spec.line("一.4(1)").note
    assert "蒋盈" in spec.line("三.17(2)②").clause and "无关" in spec.line("三.17(2)②").note


def test_every_line_has_sample_hints_for_its_facts(spec):
    for ln in spec.lines:
        # a fact read from another line (same_facts) is sampled there, under its owner's key
        facts = {f.name: f for f in ln.rule.facts() if f.kind != "text" and f.name not in ln.same_facts}
        # dotted keys are the generator's links and per-unit ranges (value.change_of, value.units …)
        assert {k for k in ln.sample if "." not in k} == set(facts), ln.id
        for name, hint in ln.sample.items():
            if "." in name:
                continue
            if facts[name].kind == "bool":
                assert len(hint) == 1 and 0 <= hint[0] <= 1, (ln.id, name)
            elif facts[name].kind == "choice":
                assert set(hint) <= set(facts[name].choices), (ln.id, name)
            else:
                assert len(hint) in (2, 3) and hint[0] <= hint[1], (ln.id, name)


def test_ambiguities_registered(spec):
    ids = [a.id for a in spec.ambiguities]
    assert ids == [f"A{k}" for k in range(1, 40)]
    for a in spec.ambiguities:
        assert len(a.readings) >= 2 and a.default in a.readings
        assert all(a.id in spec.line(x).ambiguities for x in a.lines), a.id
        # a reading that changes nothing is not a reading: every alternative switches something
        for name, reading in a.readings.items():
            if name != a.default:
                assert reading.overrides, (a.id, name)


def test_perfect_unit_scores_1000_base(spec):
    r = score(spec, perfect(spec))
    s = r.summary.set_index("unit")
    assert (r.groups["一"] == 200).all() and (r.groups["二"] == 200).all()
    assert r.groups["三"].to_numpy() == pytest.approx([600] * 9)
    assert s["base"].to_numpy() == pytest.approx([1000] * 9)
    assert (s["missing"] == 0).all()
    assert (s["deduction"] == 0).all()


# ------------------------------------------------------------------ 一、水环境质量


def test_yi_1_monthly_deductions_waived_per_section_and_upgrade_bonus(spec):
    # the waiver applies per section: only the months of sections whose annual mean missed the
    # target are entered; there is no district-wide yes/no that could waive them all
    assert {f.name for f in spec.line("一.1").rule.facts()} == {"months", "worst", "up"}
    u = ["江干区", "拱墅区", "西湖区"]
    f = perfect(spec, u, **{
        # 拱墅区: section A met its annual target (its 3 months are waived, not entered);
        # section B missed it with 2 months not up to standard
        "一.1:months": {"江干区": 2, "拱墅区": 2, "西湖区": 0},
        "一.1:worst": {"江干区": 1, "拱墅区": 0, "西湖区": 0},
        "一.1:up": {"江干区": 0, "拱墅区": 0, "西湖区": 5},
    })
    r = score(spec, f, units=u)
    # 江干区: 100 − 2×5 − 1×10 = 80
    assert points(r, "江干区", "一.1") == 80
    # 拱墅区: section B's months are not waived by section A: 100 − 2×5 = 90
    assert points(r, "拱墅区", "一.1") == 90
    # 西湖区: 5 个断面升类 × 5 = 25 → 加分不超过20 → 120 (A8 default: beyond the line) …
    assert points(r, "西湖区", "一.1") == 120
    # … but the section stays at its 200: 120 + 60 + 20 + 20 = 220 → 200
    assert r.groups.loc["西湖区", "一"] == 200
    # A8 within_line: 100
    r2 = score(spec, f, units=u, readings={"A8": "within_line"})
    assert points(r2, "西湖区", "一.1") == 100
    # A12 on_top: 劣Ⅴ类月次 15 each → 江干区 100 − 10 − 15 = 75
    r3 = score(spec, f, units=u, readings={"A12": "on_top"})
    assert points(r3, "江干区", "一.1") == 75


def test_yi_1_bonus_added_after_the_floor(spec):
    # "扣分扣完为止" first, then "每个断面加5分,加分不超过20分"
    u = ["江干区"]
    f = perfect(spec, u, **{"一.1:months": 12, "一.1:worst": 6, "一.1:up": 2})
    r = score(spec, f, units=u)
    # deductions 12×5 + 6×10 = 120 → 100 − 120 → 扣完为止 0; then 2 × 5 = 10 → 10
    # (netting first would give 100 − 120 + 10 = −10 → 0)
    assert points(r, "江干区", "一.1") == 10


def test_yi_2_grade_and_improvement_bonus(spec):
    u = ["江干区", "拱墅区"]
    f = perfect(spec, u, **{
        "一.2(1):grade": {"江干区": "良好", "拱墅区": "不合格但至少一项指标合格"},
        # 高锰酸盐指数 10%, 氨氮 30%, 总磷 60%
        "一.2(2):improve_0": 10, "一.2(2):improve_1": 30, "一.2(2):improve_2": 60,
        "一.2(2):grade_up": {"江干区": False, "拱墅区": True},
    })
    r = score(spec, f, units=u)
    assert points(r, "江干区", "一.2(1)") == 45  # 良好 → 45
    assert points(r, "拱墅区", "一.2(1)") == 10  # 不合格但至少一项指标合格 → 10
    # up to 20% → 2, 20-50% → 3, over 50% → 5: 2 + 3 + 5 = 10 (cap 10)
    assert points(r, "江干区", "一.2(2)") == 10
    # 提高一个等级: 10, improvement points not added again
    assert points(r, "拱墅区", "一.2(2)") == 10
    # section: 100 + 45 + 20 + 20 + bonus 10 = 195 (A11 default: bonus counts in 一, capped 200)
    assert r.groups.loc["江干区", "一"] == 195
    # A1 at_least: 10% earns nothing → 0 + 3 + 5 = 8
    assert points(score(spec, f, units=u, readings={"A1": "at_least"}), "江干区", "一.2(2)") == 8
    # A3 once: best single indicator only → 5
    assert points(score(spec, f, units=u, readings={"A3": "once"}), "江干区", "一.2(2)") == 5
    # A11 item: the bonus only fills 一.2 up to 60 → 45 + 10 = 55; 一 = 100 + 55 + 20 + 20 = 195
    r_item = score(spec, f, units=u, readings={"A11": "item"})
    assert r_item.groups.loc["江干区", "一.2"] == 55
    # A11 total: 一 = 100 + 45 + 20 + 20 = 185, the 10 goes to the bonus column
    r_total = score(spec, f, units=u, readings={"A11": "total"})
    assert r_total.groups.loc["江干区", "一"] == 185
    assert r_total.summary.set_index("unit").loc["江干区", "bonus"] == 10 + r_total.groups.loc["江干区", "四(一)"]


def test_yi_3_and_yi_4(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"一.3:province": 1, "一.3:local_half": 2, "一.4(1):value": 95, "一.4(2):value": 89})
    r = score(spec, f, units=u)
    # 一.3: 省控 1 月次 × 10 + 市控/县控(年均值达到V类, 50%) 2 月次 × 2.5 = 15 → 20 − 15 = 5
    assert points(r, "江干区", "一.3") == 5
    # 一.4(1): 95% → 10 × (95 − 90) ÷ 10 = 5; 一.4(2): 89% < 90% → 0
    assert points(r, "江干区", "一.4(1)") == 5
    assert points(r, "江干区", "一.4(2)") == 0


# ------------------------------------------------------------------ 二、大气环境质量


def test_er_air_quality(spec):
    u = ["江干区", "拱墅区", "西湖区"]
    f = perfect(spec, u, **{
        "二.1:value": {"江干区": 30, "拱墅区": 36, "西湖区": 32}, "二.1:target": 32,
        "二.1:assessed": {"拱墅区": 70},
        "二.2:value": {"江干区": 85, "拱墅区": 90, "西湖区": 89}, "二.2:strive": 95, "二.2:ensure": 90,
        "二.3:value": {"江干区": 58, "拱墅区": 61.5, "西湖区": 70}, "二.3:target": 60,
        "二.4:value": {"江干区": 5, "拱墅区": 4.9, "西湖区": 5.1}, "二.4:target": 5,
    })
    r = score(spec, f, units=u)
    # 二.1: 30 ≤ 力争 32 → 100; 36 > 32 → 市发改委办法得分 70; 32 = 32 → 达到 → 100
    assert [points(r, x, "二.1") for x in u] == [100, 70, 100]
    # 二.2: 85% vs 确保 90 → 54 − 2×5 = 44; 90 → 54; 89 → 54 − 2×1 = 52
    assert [points(r, x, "二.2") for x in u] == [44, 54, 52]
    # 二.3: 58 vs 60 → 16 + 2×2 = 20; 61.5 → 16 − 3×1.5 = 11.5; 70 → 16 − 30 → 0
    assert [points(r, x, "二.3") for x in u] == [20, 11.5, 0]
    # 二.4: 5 = 5 is not 低于 → 0 (A5 strict); 4.9 → 20; 5.1 → 0
    assert [points(r, x, "二.4") for x in u] == [0, 20, 0]
    # A5 equal_met: 5 = 5 → 20;  A2 from_max: 85% → 60 − 10 = 50
    r2 = score(spec, f, units=u, readings={"A5": "equal_met", "A2": "from_max"})
    assert points(r2, "江干区", "二.4") == 20
    assert points(r2, "江干区", "二.2") == 50
    # 二 section for 江干区: 100 + 44 + 20 + 0 = 164
    assert r.groups.loc["江干区", "二"] == 164


# ------------------------------------------------------------------ 三、重点工作


def test_san_13_2_cohort_of_three(spec):
    u = ["江干区", "拱墅区", "西湖区"]
    f = perfect(spec, u, **{"三.13(2):value": {"江干区": 98, "拱墅区": 96, "西湖区": 90}, "三.13(2):target": 95})
    r = score(spec, f, units=u)
    # 5 分: 完成指标 60% = 3, 其余 2 分按排名 (A6 of_whole, A7 value)
    # 江干区 best → 3 + 2 = 5; 拱墅区 → 3 + 2 × (96 − 90)/(98 − 90) = 4.5;
    # 西湖区 unmet, worst → 3 × 90/95 + 0 = 2.8421
    assert [points(r, x, "三.13(2)") for x in u] == pytest.approx([5, 4.5, 3 * 90 / 95], abs=1e-6)
    # A6 of_rank_part: worst keeps 60% of the rank part → 2.8421 + 2 × 0.6 = 4.0421;
    # middle → 3 + 2 × (0.6 + 0.4 × 0.75) = 4.8
    r2 = score(spec, f, units=u, readings={"A6": "of_rank_part"})
    assert [points(r2, x, "三.13(2)") for x in u] == pytest.approx([5, 4.8, 3 * 90 / 95 + 1.2], abs=1e-6)


def test_san_13_3_value_or_rank(spec):
    u = ["江干区", "拱墅区", "西湖区"]
    f = perfect(spec, u, **{"三.13(3):value": {"江干区": 80, "拱墅区": 75, "西湖区": 60}})
    # best 5, worst 60% = 3; middle by value 3 + 2 × (75 − 60)/(80 − 60) = 4.5
    r = score(spec, f, units=u)
    assert [points(r, x, "三.13(3)") for x in u] == pytest.approx([5, 4.5, 3])
    # A7 rank: middle place of three → 3 + 2 × 0.5 = 4
    r2 = score(spec, f, units=u, readings={"A7": "rank"})
    assert points(r2, "拱墅区", "三.13(3)") == pytest.approx(4)


def test_san_13_4_thirty_percent_each(spec):
    u = ["江干区", "拱墅区"]
    f = perfect(spec, u, **{"三.13(4)农膜回收率:value": {"江干区": 95, "拱墅区": 85}})
    r = score(spec, f, units=u)
    # A4 pro_rata: each indicator 5/3; 拱墅区 农膜 unmet and worst → 5/3 × 60% × 85/90 = 0.9444
    assert points(r, "拱墅区", "三.13(4)农膜回收率") == pytest.approx(5 / 3 * 0.6 * 85 / 90, abs=1e-6)
    assert r.groups.loc["江干区", "三.13(4)"] == pytest.approx(5)
    # A4 thirty_percent: each 1.5 → 江干区 at most 4.5
    r2 = score(spec, f, units=u, readings={"A4": "thirty_percent"})
    assert r2.groups.loc["江干区", "三.13(4)"] == pytest.approx(4.5)


def test_san_13_5_greening_quota(spec):
    u = ["江干区", "拱墅区", "富阳区"]
    f = perfect(spec, u, **{"三.13(5):value": {"江干区": 380, "拱墅区": 199, "富阳区": 7600}})
    r = score(spec, f, units=u)
    # 江干区 380/400 = 95% → 5 − 0.5 × 5 = 2.5; 拱墅区 199/200 = 99.5% → 5 − 0.25 = 4.75; 富阳区 over 7500 → 5
    assert [points(r, x, "三.13(5)") for x in u] == pytest.approx([2.5, 4.75, 5])
    # A15 whole_points: 99.5% is less than one whole point short → 5
    assert points(score(spec, f, units=u, readings={"A15": "whole_points"}), "拱墅区", "三.13(5)") == 5


def test_san_12_investment(spec):
    u = ["江干区", "拱墅区", "西湖区"]
    f = perfect(spec, u, **{"三.12(1):value": {"江干区": 5, "拱墅区": -5, "西湖区": 12},
                            "三.12(2):value": {"江干区": -10, "拱墅区": 0, "西湖区": 3}})
    r = score(spec, f, units=u)
    # 三.12(1): 5% of 10% → 5; −5% → −5 (负增长按比例扣分); 12% → 10
    assert [points(r, x, "三.12(1)") for x in u] == [5, -5, 10]
    # 三.12(2): −10% → 8 × (20 − 10)/20 = 4; 持平 → 80% = 8; growth → 10
    assert [points(r, x, "三.12(2)") for x in u] == pytest.approx([4, 8, 10])
    # A9 floor_zero: −5% → 0
    assert points(score(spec, f, units=u, readings={"A9": "floor_zero"}), "拱墅区", "三.12(1)") == 0
    # A14 to_full: −10% → 10 × 10/20 = 5
    assert points(score(spec, f, units=u, readings={"A14": "to_full"}), "江干区", "三.12(2)") == pytest.approx(5)


def test_san_16_lateness_shortfall_and_doubling(spec):
    u = ["江干区", "拱墅区"]
    f = perfect(spec, u, **{
        "三.16(7)④:days_late": {"江干区": 15, "拱墅区": 31},
        "三.16(8)②:value": {"江干区": 88, "拱墅区": 100},
        "三.16(1)②:value": {"江干区": 3, "拱墅区": 12},
        "三.16(6):value": {"江干区": 7, "拱墅区": 10},
    })
    r = score(spec, f, units=u)
    # 三.16(7)④: 15 days late → 50% × 15/30 = 25% off → 3.75; 31 days → 80% off → 1
    assert [points(r, x, "三.16(7)④") for x in u] == pytest.approx([3.75, 1])
    # 三.16(8)②: 88% → 12% short → 12/5 × 1.5 = 3.6 → 1.4 (A10 pro_rata)
    assert points(r, "江干区", "三.16(8)②") == pytest.approx(1.4)
    # A10 whole_steps: 2 whole steps × 1.5 = 3 → 2
    assert points(score(spec, f, units=u, readings={"A10": "whole_steps"}), "江干区", "三.16(8)②") == pytest.approx(2)
    # 三.16(1)②: 上级扣 3 分 → 加倍 6 → 14; 上级扣 12 → 24 → 扣完为止 0
    assert [points(r, x, "三.16(1)②") for x in u] == [14, 0]
    # 三.16(6): 7 of 10 enterprises → 5 × 0.7 = 3.5
    assert points(r, "江干区", "三.16(6)") == pytest.approx(3.5)


def test_san_16_4_and_san_18_deduct_from_their_item(spec):
    u = ["江干区", "拱墅区"]
    f = perfect(spec, u, **{
        "三.16(4)①:stages": {"江干区": 2, "拱墅区": 0}, "三.16(4)①:overall": {"江干区": 1, "拱墅区": 0},
        "三.16(4)③:missed": {"江干区": 15, "拱墅区": 3},
        "三.18①:items": {"江干区": 1, "拱墅区": 3}, "三.18③:missing": {"江干区": 1, "拱墅区": 0},
    })
    r = score(spec, f, units=u)
    # 三.16(4): 5 − (2 × 0.5 + 2) − min(15 × 0.1, 1) = 5 − 3 − 1 = 1; 拱墅区 5 − 0.3 = 4.7
    assert r.groups.loc["江干区", "三.16(4)"] == pytest.approx(1)
    assert r.groups.loc["拱墅区", "三.16(4)"] == pytest.approx(4.7)
    # 三.18: 25 − 10 − 5 = 10; 拱墅区 25 − 30 → 扣完为止 0
    assert r.groups.loc["江干区", "三.18"] == 10
    assert r.groups.loc["拱墅区", "三.18"] == 0


def test_san_15_2_4_deducts_from_15_2(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"三.15(2)④:central": 2, "三.15(2)④:city": 3, "三.15(2)②:overdue": 4})
    r = score(spec, f, units=u)
    # ④: 2 × 2 + 3 × 0.5 = 5.5; ②: 4 × 0.5 = 2 → 三.15(2) = 25 − 2 − 5.5 = 17.5
    assert points(r, "江干区", "三.15(2)④") == -5.5
    assert r.groups.loc["江干区", "三.15(2)"] == pytest.approx(17.5)
    assert r.groups.loc["江干区", "三.15"] == pytest.approx(37.5)


def test_section_three_capped_at_600_and_bonus_readings(spec):
    u = ["江干区", "拱墅区"]
    f = perfect(spec, u, **{
        "三.8(3):done": True,                                  # 加4分
        "三.1:points": {"江干区": 0, "拱墅区": 10},              # 拱墅区 loses 10 of 三.1's 50
    })
    r = score(spec, f, units=u)
    # A11 section: 江干区 600 + 4 → capped at 600; 拱墅区 600 − 10 + 4 = 594
    assert r.groups.loc["江干区", "三"] == pytest.approx(600)
    assert r.groups.loc["拱墅区", "三"] == pytest.approx(594)
    # A11 item: the 4 only fills 三.8, already full at 20 → 拱墅区 590
    assert score(spec, f, units=u, readings={"A11": "item"}).groups.loc["拱墅区", "三"] == pytest.approx(590)
    # A11 total: 三 = 590, the 4 counts as bonus beyond the 1000 base
    rt = score(spec, f, units=u, readings={"A11": "total"})
    assert rt.groups.loc["拱墅区", "三"] == pytest.approx(590)
    assert rt.groups.loc["拱墅区", "三.8加分"] == 4


# ------------------------------------------------------------------ 四、加分项和扣分项


def test_si_yi_15_satisfaction_places(spec):
    u = ["江干区", "拱墅区", "西湖区", "滨江区"]
    f = perfect(spec, u, **{
        "四(一)15(1):value": {"江干区": 88, "拱墅区": 92, "西湖区": 85, "滨江区": 80},
        # the one change figure (15(2)) also tells (1) and (3) whose score dropped: 江干区, 滨江区
        "四(一)15(2):value": {"江干区": -2, "拱墅区": 2, "西湖区": 1, "滨江区": -1},
    })
    r = score(spec, f, units=u)
    # (1): 拱墅区 1st → 5; 江干区 2nd → 4 − 1 (得分下降) = 3; 西湖区 3rd → 3; 滨江区 none → 0
    assert [points(r, x, "四(一)15(1)") for x in u] == [3, 5, 3, 0]
    # (2) by the change: 拱墅区 1st 5; 西湖区 2nd 4; 滨江区 3rd 3 − 1 (下降) = 2; 江干区 4th → 0
    assert [points(r, x, "四(一)15(2)") for x in u] == [0, 5, 4, 2]
    # (3): all equal at 0 → all 1st (ties take the better place) → 5, less 1 where the score dropped
    assert [points(r, x, "四(一)15(3)") for x in u] == [4, 5, 5, 4]
    # 拱墅区: 5 + 5 + 5 = 15 → 加分最高不超过10分; 江干区 3 + 0 + 4 = 7
    assert r.groups.loc["拱墅区", "四(一)15"] == 10 and r.groups.loc["江干区", "四(一)15"] == 7
    # A23 all: 滨江区 also loses 1 in (1) though unplaced → −1
    assert points(score(spec, f, units=u, readings={"A23": "all"}), "滨江区", "四(一)15(1)") == -1


def test_si_yi_bonus_items(spec):
    u = ["江干区", "拱墅区"]
    f = perfect(spec, u, **{
        "四(一)4:value": {"江干区": 3, "拱墅区": 6},
        "四(一)9:value": {"江干区": 1, "拱墅区": 3},
        "四(一)6(1):national": {"江干区": 5, "拱墅区": 0},
        "四(一)6(2):sites": {"江干区": 3, "拱墅区": 0},
        "四(一)1:named": {"江干区": 1, "拱墅区": 0}, "四(一)1:villages": {"江干区": 3, "拱墅区": 0},
    })
    r = score(spec, f, units=u)
    # 四(一)4: 3 个百分点 × 0.5 = 1.5; 6 → 5 × 0.5 + 1 × 1 = 3.5
    assert [points(r, x, "四(一)4") for x in u] == pytest.approx([1.5, 3.5])
    # A19 whole: 6 > 5 → 6 × 1 → 上限 5
    assert points(score(spec, f, units=u, readings={"A19": "whole"}), "拱墅区", "四(一)4") == pytest.approx(5)
    # 四(一)9: 1 起 → 3; 3 起 → 9 → 上限 6
    assert [points(r, x, "四(一)9") for x in u] == pytest.approx([3, 6])
    # 四(一)6: 5 × 2 + 3 × 5 = 25 → 该项总加分不超过20分
    assert r.groups.loc["江干区", "四(一)6"] == 20
    # 四(一)1: 5 + 3 × 0.2 = 5.6 (no cap in the document)
    assert points(r, "江干区", "四(一)1") == pytest.approx(5.6)


def test_si_er_deductions(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{
        "四(二)2:national": 1, "四(二)2:province_half": 1, "四(二)2:central_doubled": 1,
        "四(二)3:city": 1, "四(二)5:points": 3.5, "四(二)7:cross_boundary": 2,
    })
    r = score(spec, f, units=u)
    # 四(二)2: 20 + 10 × 50% + 20 × 2 = 65
    assert points(r, "江干区", "四(二)2") == -65
    # 四(二): 65 + 10 (市领导批示) + 3.5 (负面报道, 2-5 分) + 2 × 2 (跨区偷倒) = 82.5, no floor
    assert r.groups.loc["江干区", "四(二)"] == -82.5
    s = r.summary.set_index("unit").loc["江干区"]
    assert s["deduction"] == -82.5
    assert s["total"] == pytest.approx(s["base"] + s["bonus"] - 82.5)


# ------------------------------------------------------------------ readings added in issue 8


def test_items_without_a_scoring_method_are_assessed_alike_a24(spec):
    # 三.8(1) (12分) and 三.5(1) (20分) both give only the work and the points: same rule
    assert spec.line("三.8(1)").rule.type == spec.line("三.5(1)").rule.type == "manual"
    assert "国家/省级" in spec.line("三.8(1)").rule.guidance
    assert all(ln.rule.type != "yes_no" for ln in spec.lines if "A24" in ln.ambiguities)
    u = ["江干区"]
    f = perfect(spec, u, **{"三.8(1):points": 3, "三.16(5):points": 0, "三.5(1):points": 4})
    r = score(spec, f, units=u)
    # assessed: 12 − 3 = 9; 10 − 0 = 10; 20 − 4 = 16
    assert [points(r, "江干区", x) for x in ("三.8(1)", "三.16(5)", "三.5(1)")] == [9, 10, 16]
    # all_or_nothing: any deduction loses the line: 0; 10; 0
    r2 = score(spec, f, units=u, readings={"A24": "all_or_nothing"})
    assert [points(r2, "江干区", x) for x in ("三.8(1)", "三.16(5)", "三.5(1)")] == [0, 10, 0]


def test_negative_investment_growth_deducts_from_san_a9(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"三.12(1):value": -8, "三.12(2):value": -20})
    r = score(spec, f, units=u)
    # 三.12(1): −8% ÷ 10% × 10 = −8; 三.12(2): 降低20% → 0; 三.12 = −8 (no floor at the item)
    assert r.groups.loc["江干区", "三.12"] == pytest.approx(-8)
    # 三 = 600 − 20 (三.12's full marks) − 8 = 572: the negative reaches the 三 subtotal
    assert r.groups.loc["江干区", "三"] == pytest.approx(572)
    # within_item: 三.12 floored at 0 → 三 = 580; floor_zero: 三.12(1) = 0 → 三 = 580
    for reading in ("within_item", "floor_zero"):
        ri = score(spec, f, units=u, readings={"A9": reading})
        assert ri.groups.loc["江干区", "三"] == pytest.approx(580), reading


def test_satisfaction_drop_read_from_the_change_itself(spec):
    assert "dropped" not in {f.name for f in spec.line("四(一)15(2)").rule.facts()}
    u = ["江干区", "拱墅区", "西湖区", "滨江区"]
    f = perfect(spec, u, **{"四(一)15(2):value": {"江干区": -1, "拱墅区": -2, "西湖区": -3, "滨江区": -4}})
    r = score(spec, f, units=u)
    # places 1, 2, 3 by 提升值; each 提升值 < 0 is 得分比上一年下降 → −1: 5−1, 4−1, 3−1; 滨江区 unplaced 0
    assert [points(r, x, "四(一)15(2)") for x in u] == [4, 3, 2, 0]


def test_er_2_shortfall_above_90_two_readings_a25(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"二.2:value": 89, "二.2:strive": 95, "二.2:ensure": 92})
    # split: 差3个百分点, 92→90 的 2 点 ×1 + 90→89 的 1 点 ×2 = 4 → 54 − 4 = 50
    assert points(score(spec, f, units=u), "江干区", "二.2") == 50
    # by_value: 89% < 90%, so all 3 points ×2 = 6 → 48
    assert points(score(spec, f, units=u, readings={"A25": "by_value"}), "江干区", "二.2") == 48


def test_si_yi_10_has_no_cap_a21_a26(spec):
    u = ["江干区", "拱墅区"]
    f = perfect(spec, u, **{"四(一)10:articles": {"江干区": 13, "拱墅区": 2}})
    r = score(spec, f, units=u)
    # 13 篇 × 3 = 39 (no cap in the document); 2 × 3 = 6
    assert [points(r, x, "四(一)10") for x in u] == [39, 6]
    # A26 twelve_a_year: 39 → 36
    assert points(score(spec, f, units=u, readings={"A26": "twelve_a_year"}), "江干区", "四(一)10") == 36
    # A21 beyond_first: the first article is the base: (2 − 1) × 3 = 3; (13 − 1) × 3 = 36
    r21 = score(spec, f, units=u, readings={"A21": "beyond_first"})
    assert [points(r21, x, "四(一)10") for x in u] == [36, 3]


def test_fact_kinds_and_merged_cell_notes(spec):
    assert spec.line("三.11(3)").rule.facts()[0].kind == "count"
    for lid in ("二.2", "二.3", "二.4"):
        ln = spec.line(lid)
        assert "合并单元格" in ln.note and ln.lead == ("区大气办",), lid


def test_san_9_1_2_listed_problems_a27(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"三.9(1)②:listed": 2})
    # per_problem: 5 − 2 × 2.5 = 0; once: 5 − 2.5 = 2.5
    assert points(score(spec, f, units=u), "江干区", "三.9(1)②") == 0
    assert points(score(spec, f, units=u, readings={"A27": "once"}), "江干区", "三.9(1)②") == 2.5


def test_san_16_4_stages_and_overall_a28(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"三.16(4)①:stages": 2, "三.16(4)①:overall": 1})
    # add: 2 × 0.5 + 2 = 3 → 三.16(4) = 5 − 3 = 2; replace: max(1, 2) = 2 → 3
    assert score(spec, f, units=u).groups.loc["江干区", "三.16(4)"] == pytest.approx(2)
    assert score(spec, f, units=u, readings={"A28": "replace"}).groups.loc["江干区", "三.16(4)"] == pytest.approx(3)


def test_si_yi_6_sites_limit_a29(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"四(一)6(2):sites": 3, "四(一)6(2):inspected": 3})
    # no_limit: 3 × 5 + 3 × 2 = 21 → 20; two_sites: 2 × 5 + 2 × 2 = 14
    assert points(score(spec, f, units=u), "江干区", "四(一)6(2)") == 20
    assert points(score(spec, f, units=u, readings={"A29": "two_sites"}), "江干区", "四(一)6(2)") == 14


def test_si_yi_1_only_once_reach_a30(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"四(一)1:named": 1, "四(一)1:villages": 3})
    # per_honour: 5 + 3 × 0.2 = 5.6; whole_item: only the largest, 5
    assert points(score(spec, f, units=u), "江干区", "四(一)1") == pytest.approx(5.6)
    assert points(score(spec, f, units=u, readings={"A30": "whole_item"}), "江干区", "四(一)1") == pytest.approx(5)


def test_si_yi_5_promoted_adds_or_replaces_a31(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"四(一)5:national_feature": 1, "四(一)5:national_promoted": 1})
    # adds: 2 + 3 = 5; replaces: 3 in all, i.e. 2 + 1 = 3
    assert points(score(spec, f, units=u), "江干区", "四(一)5") == 5
    assert points(score(spec, f, units=u, readings={"A31": "replaces"}), "江干区", "四(一)5") == 3


def test_san_15_deductions_without_floor_a32(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"三.15(1)②:cases": 18})
    # line: 15 − 18 → 0, 三.15(1) = 1 + 0 + 4 = 5; item: −3 carries, 三.15(1) = 1 − 3 + 4 = 2
    assert score(spec, f, units=u).groups.loc["江干区", "三.15(1)"] == 5
    assert score(spec, f, units=u, readings={"A32": "item"}).groups.loc["江干区", "三.15(1)"] == 2


def test_si_yi_16_cap_scope_a33(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"四(一)16(1):reports": 5, "四(一)16(3):tv_news": 4})
    # whole_item: 5 × 2 + 4 × 0.5 = 12 → 8; part_3: (1) 10 uncapped + (3) 2 = 12
    assert score(spec, f, units=u).groups.loc["江干区", "四(一)16"] == 8
    assert score(spec, f, units=u, readings={"A33": "part_3"}).groups.loc["江干区", "四(一)16"] == 12


def test_san_11_2_1_news_reports_a34(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"三.11(2)①:value": 40})
    # threshold: 40 < 50 → 0; pro_rata: 2 × 40 ÷ 50 = 1.6
    assert points(score(spec, f, units=u), "江干区", "三.11(2)①") == 0
    assert points(score(spec, f, units=u, readings={"A34": "pro_rata"}), "江干区", "三.11(2)①") == pytest.approx(1.6)


def test_san_13_unmet_target_and_the_rank_part_a35(spec):
    u = ["江干区", "拱墅区", "西湖区"]
    f = perfect(spec, u, **{"三.13(2):value": {"江干区": 98, "拱墅区": 93, "西湖区": 90}, "三.13(2):target": 95})
    # ranked: 拱墅区 misses 95 → 3 × 93/95 = 2.9368, plus the rank part 2 × (93 − 90)/(98 − 90) = 0.75
    assert points(score(spec, f, units=u), "拱墅区", "三.13(2)") == pytest.approx(3 * 93 / 95 + 0.75)
    # target_part_only: 3 × 93/95 only
    r = score(spec, f, units=u, readings={"A35": "target_part_only"})
    assert points(r, "拱墅区", "三.13(2)") == pytest.approx(3 * 93 / 95)


def test_si_yi_4_fractions_of_a_point_a36(spec):
    u = ["江干区"]
    f = perfect(spec, u, **{"四(一)4:value": 2.5})
    # pro_rata: 2.5 × 0.5 = 1.25; whole_points: 2 × 0.5 = 1
    assert points(score(spec, f, units=u), "江干区", "四(一)4") == pytest.approx(1.25)
    assert points(score(spec, f, units=u, readings={"A36": "whole_points"}), "江干区", "四(一)4") == pytest.approx(1)


def test_si_yi_15_ties_a37(spec):
    u = ["江干区", "拱墅区", "西湖区", "滨江区"]
    f = perfect(spec, u, **{"四(一)15(1):value": {"江干区": 90, "拱墅区": 88, "西湖区": 88, "滨江区": 80}})
    # better_place: 1st 5; tied 2nd 4 and 4; 滨江区 is 4th → 0
    assert [points(score(spec, f, units=u), x, "四(一)15(1)") for x in u] == [5, 4, 4, 0]
    # share_places: the tied pair share 2nd and 3rd: (4 + 3) ÷ 2 = 3.5 each
    r = score(spec, f, units=u, readings={"A37": "share_places"})
    assert [points(r, x, "四(一)15(1)") for x in u] == [5, 3.5, 3.5, 0]


def test_si_yi_12_which_ranks_are_behind_a38(spec):
    u = ["江干区", "拱墅区"]
    f = perfect(spec, u, **{"四(一)12:risen5": {"江干区": 1, "拱墅区": 0},
                            "四(一)12:risen5_bottom": {"江干区": 0, "拱墅区": 1}})
    # outside_top10: both up 5 places outside the top 10 → 0.5 each
    assert [points(score(spec, f, units=u), x, "四(一)12") for x in u] == [0.5, 0.5]
    # bottom_ten: only a unit in the bottom 10 → 江干区 0, 拱墅区 0.5
    r = score(spec, f, units=u, readings={"A38": "bottom_ten"})
    assert [points(r, x, "四(一)12") for x in u] == [0, 0.5]


def test_si_yi_7_exactly_ten_percent_a39(spec):
    u = ["江干区", "拱墅区", "西湖区"]
    f = perfect(spec, u, **{"四(一)7:value": {"江干区": 10, "拱墅区": 8, "西湖区": 15}, "四(一)7:points": 3})
    # inclusive: 10% is "10%以上" → 酌情 3; 8% → 0 whatever was entered; 15% → 3
    assert [points(score(spec, f, units=u), x, "四(一)7") for x in u] == [3, 0, 3]
    # strictly_above: 10% is not over 10% → 0
    r = score(spec, f, units=u, readings={"A39": "strictly_above"})
    assert [points(r, x, "四(一)7") for x in u] == [0, 0, 3]


def test_linked_figures_are_entered_once(spec):
    """三.16(3) and its bonus count the same platforms; 四(一)15(1)-(3) read "得分比上一年下降" from 15(2)'s change."""
    keys = [row["key"] for row in spec.fact_table()]
    assert "三.16(3)加分:value" not in keys and not [k for k in keys if k.endswith(":dropped")]
    assert dict(spec.line("四(一)15(3)").fact_keys())["四(一)15(2):value"].name == "change"
    assert spec.line("三.16(3)加分").fact_keys()[0][0] == "三.16(3):value"
    # 4 new platforms: 三.16(3) = min(4 ÷ 2, 1) × 5 = 5; the bonus: 2 beyond the task × 2 = 4 (cap 4)
    # 3 platforms: 5 and 2; 1 platform: 1 ÷ 2 × 5 = 2.5 and no bonus
    r = score(spec, perfect(spec, **{"三.16(3):value": {DISTRICTS[0]: 4, DISTRICTS[1]: 3, DISTRICTS[2]: 1}}))
    assert [points(r, u, "三.16(3)") for u in DISTRICTS[:3]] == [5, 5, 2.5]
    assert [points(r, u, "三.16(3)加分") for u in DISTRICTS[:3]] == [4, 2, 0]
