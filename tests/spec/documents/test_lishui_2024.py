"""丽水 2024 市级成员单位美丽丽水建设考核 (seed 000): worked examples from the document's words."""


import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.spec.integrity import clauses_not_in_seed
from tests.conftest import ROOT

SEED = ROOT / "data" / "seeds" / "000_315dd316568f5e37.txt"
DOC = "lishui-2024"

# 附件1, in document order: 24 领导小组成员单位, then 市委网信办、市信访局
ANNEX1 = [
    "市委组织部", "市委宣传部", "市发改委", "市经信局", "市公安局", "市司法局", "市自然资源局",
    "市生态环境局", "市建设局", "市交通运输局", "市水利局", "市农业农村局", "市商务局", "市文广旅体局",
    "市卫生健康委", "市应急管理局", "市市场监管局", "市统计局", "市林业局", "市法院", "市检察院",
    "市气象局", "市综合执法局", "市审计局", "市委网信办", "市信访局",
]

# 附件3 task book: 序号 → (department, 分值 of each row), read off the seed row by row.
TASK_BOOK = {
    # "重点单位" table
    1: ("市发改委", [8, 15, 15, 5, 15, 3, 3, 3, 3, 10]),          # 58 + 3+3+3+3 + 10 = 80
    2: ("市生态环境局", [8, 8, 6, 6, 6, 3, 6, 2, 6, 3, 3, 2, 3, 2, 2, 2, 2, 2, 8]),  # 37+6+11+3+2+3+4+2+2+2+8 = 80
    3: ("市交通运输局", [25, 10, 10, 10, 10, 5, 10]),               # 35 + 30 + 5 + 10 = 80
    4: ("市农业农村局", [15, 20, 10, 10, 10, 5, 10]),               # 35 + 30 + 5 + 10 = 80
    5: ("市建设局", [15, 10, 3, 8, 3, 8, 10, 8, 2, 3, 2, 8]),       # 36+3+8+10+8+2+3+2+8 = 80
    6: ("市经信局", [15, 15, 15, 10, 10, 5, 10]),                   # 15 + 40 + 10 + 5 + 10 = 80
    7: ("市公安局", [15, 15, 15, 5, 5, 15, 10]),                    # 15+15+25+15+10 = 80
    8: ("市司法局", [15, 15, 15, 15, 20]),                          # 60 + 20 = 80
    9: ("市自然资源局", [15, 20, 15, 20, 2, 8]),                    # 70 + 2 + 8 = 80
    10: ("市水利局", [15, 15, 10, 5, 10, 5, 10, 2, 8]),             # 15+15+30+10+2+8 = 80
    11: ("市综合执法局", [20, 20, 15, 15, 10]),                     # 80
    12: ("市市场监管局", [10, 15, 15, 15, 15, 10]),                 # 80
    13: ("市林业局", [20, 20, 10, 15, 5, 10]),                      # 80
    # "非重点单位" table
    14: ("市委组织部", [20, 20, 20, 20]),                           # 4×20 = 80
    15: ("市委宣传部", [30, 30, 20]),                               # 80
    16: ("市委网信办", [40, 40]),                                   # 80
    17: ("市信访局", [40, 40]),                                     # 80
    18: ("市商务局", [20, 15, 15, 10, 20]),                         # 80
    19: ("市文广旅体局", [10, 10, 20, 20, 20]),                     # 80
    20: ("市卫生健康委", [20, 10, 20, 10, 10, 10]),                 # 80
    21: ("市应急管理局", [15, 20, 15, 15, 15]),                     # 80
    22: ("市审计局", [30, 30, 20]),                                 # 80
    23: ("市统计局", [20, 20, 10, 10, 10, 10]),                     # 80
    24: ("市法院", [20, 20, 10, 10, 10, 10]),                       # 80
    25: ("市检察院", [20, 10, 10, 20, 10, 10]),                     # 80
    26: ("市气象局", [15, 15, 15, 20, 15]),  # last "15" is the seed's final line (no newline) → 80
}
KEY = {name for no, (name, _) in TASK_BOOK.items() if no <= 13}
COUNTIES = [f"三.1:grade_{k}" for k in range(1, 10)]


@pytest.fixture(scope="module")
def spec():
    return load_spec(DOC)


def perfect(spec, **changes) -> pd.DataFrame:
    """Facts giving every unit full marks (100, no bonus), with ``{column: {unit: value}}`` changes."""
    units = spec.unit_names
    cols = {f"{ln.id}:completion": 100.0 for ln in spec.lines if ln.group == "一"}
    cols["二.1:points"] = 4.0
    cols.update({c: "优秀" for c in COUNTIES})
    cols["三.2:grade"] = "优秀"
    cols["@key_unit_promotion:province_excellent"] = "是"
    cols["@key_unit_promotion:no_veto"] = "是"
    df = pd.DataFrame({k: [v] * len(units) for k, v in cols.items()}, index=units, dtype=object)
    for col, per_unit in changes.items():
        if col not in df.columns:
            df[col] = None
        for u, v in per_unit.items():
            df.loc[u, col] = v
    return df


def test_units_are_the_26_departments_of_annex1_13_key(spec):
    assert spec.unit_names == ANNEX1
    assert {u.name for u in spec.units if u.key} == KEY
    assert len(KEY) == 13
    assert sum(1 for u in spec.units if u.key is False) == 13
    assert set(spec.departments) >= set(ANNEX1)


def test_every_task_book_row_is_a_line_with_its_points(spec):
    for no, (dept, points) in TASK_BOOK.items():
        lines = [ln for ln in spec.lines if ln.id.startswith(f"附件3-{no}.")]
        assert [ln.id for ln in lines] == [f"附件3-{no}.{k}" for k in range(1, len(points) + 1)]
        assert [ln.max for ln in lines] == points, dept
        assert all(ln.applies_to == (dept,) and ln.lead == (dept,) for ln in lines)
        assert all(ln.rule.type == "task" and ln.kind == "base" and ln.group == "一" for ln in lines)
    assert sum(len(p) for _, p in TASK_BOOK.values()) == 164
    assert len([ln for ln in spec.lines if ln.group == "一"]) == 164


def test_each_department_adds_up_to_80():
    # No department's rows fall short of (or exceed) 80 in the text, so group 一 keeps its sum check.
    not_80 = [dept for dept, pts in TASK_BOOK.values() if sum(pts) != 80]
    assert not_80 == []


def test_structure_totals_and_grades(spec):
    assert spec.total == 100
    assert {g.id: g.max for g in spec.groups} == {"一": 80, "二": 12, "三": 8, "附加分": 5}
    assert spec.group("一").sum_check
    assert [(b.grade, b.min) for b in spec.grades] == [("优秀", 90), ("良好", 80), ("合格", 70), ("不合格", None)]
    assert [p["type"] for p in spec.policies] == ["grade_bands", "key_unit_promotion", "non_key_average"]


def test_clauses_are_verbatim(spec):
    assert clauses_not_in_seed(spec, SEED.read_text(encoding="utf-8")) == []
    assert spec.line("附件3-22.2").clause == "组织开展领导干部自然资源资产离任审计。"


def test_ambiguities_registered(spec):
    ids = {a.id for a in spec.ambiguities}
    assert ids == {"G1", "G2", "G3", "B1", "C1", "C2", "D1", "D2", "D3", "P1", "P2", "P3", "N1", "N2", "N3", "N4"}
    for a in spec.ambiguities:
        assert len(a.readings) >= 2 and a.default in a.readings
        assert a.clause.replace(" ", "") in SEED.read_text(encoding="utf-8").replace("\n", "")


def test_all_perfect_scores_100(spec):
    r = score(spec, perfect(spec))
    s = r.summary.set_index("unit")
    # 80 + (4+4+4) + (4+4) = 100 for every unit, no missing data
    assert (r.groups["一"] == 80).all() and (r.groups["二"] == 12).all() and (r.groups["三"] == 8).all()
    assert s.loc["市发改委", "total"] == 100 and s.loc["市发改委", "grade"] == "优秀"
    assert (s["missing"] == 0).all()


def test_audit_office_two_tasks_done_one_half(spec):
    # 市审计局: 30 + 30 + 20×50% = 70 in 一 ("根据该项任务的分值和任务量按比例扣分")
    r = score(spec, perfect(spec, **{"附件3-22.3:completion": {"市审计局": 50}}))
    assert r.groups.loc["市审计局", "一"] == 70
    a = r.unit_audit("市审计局").set_index("line_id")
    assert a.loc["附件3-22.3", "awarded"] == 10
    assert a.loc["附件3-22.3", "reason"] == "完成50%,按比例扣10分,得10分"


def test_key_unit_worked_example(spec):
    f = perfect(spec, **{
        "附件3-8.5:completion": {"市司法局": 50},
        "二.1:points": {"市司法局": 3},
        "二.2:not_guided": {"市司法局": 1},
        "二.2:provincial": {"市司法局": 1.5},
        "二.3:provincial": {"市司法局": 2},
        **{c: {"市司法局": g} for c, g in zip(COUNTIES, ["优秀"] * 5 + ["良好"] * 3 + ["合格"])},
        "三.2:grade": {"市司法局": "良好"},
        "附加.1:policies": {"市司法局": 2},
        "附加.2:commendations": {"市司法局": 1},
    })
    r = score(spec, f)
    g = r.groups.loc["市司法局"]
    # 一: 15×4 + 20×50% = 70
    assert g["一"] == 70
    # 二: 协同配合 3; 指导落实 4 − 1 − 1.5 = 1.5; 考核争先 4 − 2 = 2 → 6.5
    assert g["二"] == 6.5
    # 三: 县级 (5×4 + 3×2 + 1×1) ÷ 9 = 3; 市美丽办 良好 2 → 5
    assert g["三"] == 5
    # 附加: 2 policies × 1 + 1 commendation × 2 = 4 (≤ 5)
    assert g["附加分"] == 4
    s = r.unit_summary("市司法局")
    # 70 + 6.5 + 5 + 4 = 85.5 → 良好; not promoted: the 20-point task is only half done
    assert s["total"] == 85.5
    assert s["grade"] == "良好"
    assert "未完成年度工作目标" in s["verdict"]


def test_bonus_group_capped_at_5(spec):
    f = perfect(spec, **{"附加.1:policies": {"市林业局": 4}, "附加.2:commendations": {"市林业局": 1}})
    r = score(spec, f)
    # 4×1 + 1×2 = 6 → 附加分 capped at 5; total 100 + 5 = 105
    assert r.groups.loc["市林业局", "附加分"] == 5
    assert r.unit_summary("市林业局")["total"] == 105


def test_grade_bands_inclusive_and_the_G1_switch(spec):
    # 市水利局: 一 80; 二.1 0 → 二 = 8; 三 all 合格 → 1 + 1 = 2 → 80 + 8 + 2 = 90
    # 市林业局: as above but 三.2 不合格 → 80 + 8 + 1 = 89
    f = perfect(spec, **{
        "二.1:points": {"市水利局": 0, "市林业局": 0},
        **{c: {"市水利局": "合格", "市林业局": "合格"} for c in COUNTIES},
        "三.2:grade": {"市水利局": "合格", "市林业局": "不合格"},
        # no promotion, so that the bands alone decide (市水利局 is a key unit)
        "@key_unit_promotion:province_excellent": {u: "否" for u in spec.unit_names},
    })
    s = score(spec, f).summary.set_index("unit")
    assert s.loc["市水利局", "total"] == 90 and s.loc["市水利局", "grade"] == "优秀"  # 90分以上 includes 90
    assert s.loc["市林业局", "total"] == 89 and s.loc["市林业局", "grade"] == "良好"
    strict = score(spec, f, readings={"G1": "exclusive"}).summary.set_index("unit")
    assert strict.loc["市水利局", "total"] == 90 and strict.loc["市水利局", "grade"] == "良好"


def test_band_edges_70_and_80(spec):
    # 市综合执法局 (key) with 附件3-11.1 (20分) at 0% and 附件3-11.2 (20分) at 50%:
    #   一 = 80 − 20 − 10 = 50; 二 = 12; 三 = 8 → 70 → 合格 (70分以上 includes 70)
    f = perfect(spec, **{"附件3-11.1:completion": {"市综合执法局": 0},
                         "附件3-11.2:completion": {"市综合执法局": 50}})
    s = score(spec, f).unit_summary("市综合执法局")
    assert s["total"] == 70 and s["grade"] == "合格"
    # one more point lost (二.1 = 3) → 69 → 不合格 (70分以下)
    f.loc["市综合执法局", "二.1:points"] = 3
    s = score(spec, f).unit_summary("市综合执法局")
    assert s["total"] == 69 and s["grade"] == "不合格"
    # 附件3-11.2 at 100% instead: 一 = 60, total 80 → 良好
    f.loc["市综合执法局", "二.1:points"] = 4
    f.loc["市综合执法局", "附件3-11.2:completion"] = 100
    s = score(spec, f).unit_summary("市综合执法局")
    assert s["total"] == 80 and s["grade"] == "良好"


def test_county_rating_readings_change_the_number(spec):
    f = perfect(spec, **{c: {"市统计局": g} for c, g in zip(COUNTIES, ["优秀"] * 5 + ["良好"] * 3 + ["合格"])})
    f["三.1:grade"] = "合格"  # the combined grade, read only under C1=combined
    mean = score(spec, f).groups.loc["市统计局", "三"]
    majority = score(spec, f, readings={"C1": "majority"}).groups.loc["市统计局", "三"]
    combined = score(spec, f, readings={"C1": "combined"}).groups.loc["市统计局", "三"]
    # mean: (5×4 + 3×2 + 1) ÷ 9 = 3, + 市美丽办 优秀 4 = 7
    # majority: 优秀 given by 5 of 9 → 4, + 4 = 8
    # combined: analyst enters 合格 → 1, + 4 = 5
    assert (mean, majority, combined) == (7, 8, 5)


def test_guidance_deduction_readings(spec):
    f = perfect(spec, **{"二.2:not_guided": {"市建设局": 3}, "二.3:provincial": {"市建设局": 6}})
    once = score(spec, f).groups.loc["市建设局"]
    # D1 once: 二.2 = 4 − 1 = 3; D2 item_floor: 二.3 = max(0, 4 − 6) = 0 → 二 = 4 + 3 + 0 = 7
    assert once["二"] == 7
    per_case = score(spec, f, readings={"D1": "per_case"}).groups.loc["市建设局"]
    # per case: 二.2 = 4 − 3 = 1 → 二 = 4 + 1 + 0 = 5
    assert per_case["二"] == 5
    beyond = score(spec, f, readings={"D2": "beyond_item"}).groups.loc["市建设局"]
    # beyond the item: 二.3 = 4 − 6 = −2 → 二 = 4 + 3 − 2 = 5
    assert beyond["二"] == 5


def test_missing_deduction_reports_mean_no_deduction(spec):
    # The counted deduction facts default to 0: no report, no deduction.
    r = score(spec, perfect(spec))
    a = r.unit_audit("市法院").set_index("line_id")
    assert a.loc["二.2", "awarded"] == 4 and a.loc["二.3", "awarded"] == 4


def test_non_key_units_are_not_graded(spec):
    s = score(spec, perfect(spec)).summary.set_index("unit")
    for u in ANNEX1:
        assert (s.loc[u, "grade"] == "不定档") == (u not in KEY)


def test_grade_bands_proposed_reading_G3(spec):
    # "90分以上可评为优秀……70分以上可评为合格,70分以下为不合格": no promotion (省考 否), so the bands decide.
    # 市水利局: 一 80; 二.1 0 → 二 8; 三 all 合格 → 2 → 90 → 可评为优秀
    # 市综合执法局: 附件3-11.1 (20分) 0%, 附件3-11.2 (20分) 50% → 一 50; 二.1 3 → 二 11; 三 8 → 69 → 不合格
    f = perfect(spec, **{
        "二.1:points": {"市水利局": 0, "市综合执法局": 3},
        **{c: {"市水利局": "合格"} for c in COUNTIES},
        "三.2:grade": {"市水利局": "合格"},
        "附件3-11.1:completion": {"市综合执法局": 0},
        "附件3-11.2:completion": {"市综合执法局": 50},
        "@key_unit_promotion:province_excellent": {u: "否" for u in spec.unit_names},
    })
    auto = score(spec, f).summary.set_index("unit")
    assert (auto.loc["市水利局", "total"], auto.loc["市水利局", "grade"]) == (90, "优秀")
    assert (auto.loc["市综合执法局", "total"], auto.loc["市综合执法局", "grade"]) == (69, "不合格")
    proposed = score(spec, f, readings={"G3": "proposed"}).summary.set_index("unit")
    # 优秀 is only "可评为": not yet decided → 待定; "70分以下为不合格" has no 可 → stays 不合格
    assert proposed.loc["市水利局", "grade"] == "待定"
    assert "考核得分90分可评为优秀,尚未经研究确定" in proposed.loc["市水利局", "verdict"]
    assert proposed.loc["市综合执法局", "grade"] == "不合格"
    f["@grade_bands:confirmed"] = None
    f.loc["市水利局", "@grade_bands:confirmed"] = "是"
    confirmed = score(spec, f, readings={"G3": "proposed"}).unit_summary("市水利局")
    assert confirmed["grade"] == "优秀" and "经研究确定" in confirmed["verdict"]


def test_bonus_cap_readings_B1(spec):
    f = perfect(spec, **{"附加.1:policies": {"市林业局": 4, "市水利局": 7},
                         "附加.2:commendations": {"市林业局": 1, "市水利局": 1}})
    cap = score(spec, f).groups
    # sum cap: 市林业局 4×1 + 1×2 = 6 → 5; 市水利局 7 (line cap 5) + 2 = 7 → 5
    assert cap.loc["市林业局", "附加分"] == 5 and cap.loc["市水利局", "附加分"] == 5
    per_item = score(spec, f, readings={"B1": "per_item"})
    g = per_item.groups
    # per item: 市林业局 4 + 2 = 6 (each ≤ 5); 市水利局 min(7, 5) + 2 = 7
    assert g.loc["市林业局", "附加分"] == 6 and g.loc["市水利局", "附加分"] == 7
    assert per_item.unit_summary("市林业局")["total"] == 106


def test_provincial_deduction_twice_or_once_D3(spec):
    # The same provincial deduction of 3 entered under 二.2(2) and 二.3; of 二.3's 5, 3 are that one.
    f = perfect(spec, **{"二.2:provincial": {"市建设局": 3}, "二.3:provincial": {"市建设局": 5},
                         "二.3:same_as_guidance": {"市建设局": 3}})
    twice = score(spec, f).groups.loc["市建设局"]
    # twice: 二.2 = 4 − 3 = 1; 二.3 = max(0, 4 − 5) = 0 → 二 = 4 + 1 + 0 = 5
    assert twice["二"] == 5
    once = score(spec, f, readings={"D3": "once"})
    # once: 二.3 = 4 − 5 + 3 = 2 → 二 = 4 + 1 + 2 = 7
    assert once.groups.loc["市建设局", "二"] == 7
    assert once.unit_audit("市建设局").set_index("line_id").loc["二.3", "awarded"] == 2


def test_missing_county_rating_readings_C2(spec):
    # 市统计局: 莲都…缙云 5 优秀, 遂昌、松阳 and one more 良好 (3), 景宁 gave no grade
    grades = ["优秀"] * 5 + ["良好"] * 3 + [None]
    f = perfect(spec, **{c: {"市统计局": g} for c, g in zip(COUNTIES, grades)})
    missing = score(spec, f)
    a = missing.unit_audit("市统计局").set_index("line_id")
    # missing (default): 三.1 缺数据 (0) → 三 = 0 + 4 = 4, flagged
    assert a.loc["三.1", "outcome"] == "missing" and missing.groups.loc["市统计局", "三"] == 4
    assert missing.unit_summary("市统计局")["missing"] == 1
    given = score(spec, f, readings={"C2": "mean_of_given"}).groups.loc["市统计局", "三"]
    # mean of the eight given: (5×4 + 3×2) ÷ 8 = 26 ÷ 8 = 3.25 → 三 = 7.25
    assert given == pytest.approx(3.25 + 4)
    zero = score(spec, f, readings={"C2": "zero"})
    # 景宁 counts 0: 26 ÷ 9 ≈ 2.889 → 三 ≈ 6.889, nothing missing
    assert zero.groups.loc["市统计局", "三"] == pytest.approx(26 / 9 + 4)
    assert zero.unit_summary("市统计局")["missing"] == 0
    # C1=combined: one merged grade (合格 → 1), so a silent county does not matter, in either order
    f["三.1:grade"] = "合格"
    for order in (["C1=combined", "C2=zero"], ["C2=zero", "C1=combined"]):
        assert score(spec, f, readings=order).groups.loc["市统计局", "三"] == 1 + 4
