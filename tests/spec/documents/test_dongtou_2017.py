"""洞头区 2017 美丽温州建设工作任务书及任务分解表 (seed 001): worked examples by hand.

The document has no points. 评优前置指标 (any unmet → 不得评优), 合格否决指标 (any triggered →
不合格), 96 task rows of the 分解表 by action area, and 附加考核 (酌情扣分).
"""

import re

import pandas as pd
import pytest

from ecoscore import load_spec, score
from ecoscore.spec.integrity import clauses_not_in_seed, normalise
from tests.conftest import ROOT

SEED = ROOT / "data" / "seeds" / "001_a1e5e2ea9911389b.txt"
TEXT = SEED.read_text(encoding="utf-8")
D = "洞头区"


@pytest.fixture(scope="module")
def spec():
    return load_spec("dongtou-2017")


def all_good(spec, **changes) -> pd.DataFrame:
    """Every task 100% done by every unit it applies to, every gate passed; then ``changes``.

    ``changes`` maps a fact key to ``{unit: value}``.
    """
    cols: dict[str, dict] = {}
    for ln in spec.lines:
        for u in spec.unit_names:
            if not ln.applies(u):
                continue
            if ln.kind == "task":
                cols.setdefault(f"{ln.id}:completion", {})[u] = 100.0
            elif ln.kind == "gate":
                # 评优前置: 是否满足 → 是; 合格否决: 是否发生 → 否
                cols.setdefault(f"{ln.id}:flag", {})[u] = ln.rule.kind == "评优前置"
    for key, per_unit in changes.items():
        cols.setdefault(key, {}).update(per_unit)
    return pd.DataFrame(cols)


def row(result, unit):
    return result.unit_summary(unit)


# --- structure ---------------------------------------------------------------------------------

def test_counts(spec):
    # units: 洞头区 + 22 responsible units named in the 分解表, in order of first appearance
    assert spec.unit_names[:4] == [D, "环保局", "治水办", "经信局"]
    assert spec.unit_names[-1] == "科技局"
    assert len(spec.units) == 1 + 22
    kinds = [ln.kind for ln in spec.lines]
    # gates: 评优前置 1-3 and 合格否决 1-3
    assert [ln.id for ln in spec.lines if ln.kind == "gate"] == [
        "一(一)1", "一(一)2", "一(一)3", "一(二)1", "一(二)2", "一(二)3"]
    # tasks = 分解表 rows per area:
    # 五水共治 13 + 大气 (4+8+1+3) 16 + 土壤 6 + 节能减排 (4+7+3) 14 + 绿色经济 (4+1+1) 6
    # + 三改一拆 (1+1+1+5) 8 + 美丽乡村 (1+3) 4 + 生态屏障 2 + 灾害防控 3 + 生态文化 (4+4) 8
    # + 制度创新 (2+1+1) 4 + 保障措施 (1+1+10) 12 = 96
    assert kinds.count("task") == 13 + 16 + 6 + 14 + 6 + 8 + 4 + 2 + 3 + 8 + 4 + 12 == 96
    assert [ln.id for ln in spec.lines if ln.kind == "deduction"] == ["四①", "四②"]
    assert spec.total is None and spec.family == "taskbook"
    # every lead/responsible name is a unit of its own
    named = {u for ln in spec.lines for u in (*ln.lead, *ln.responsible)}
    assert named <= set(spec.unit_names) and spec.departments == ()


def test_ids_unique(spec):
    ids = [ln.id for ln in spec.lines]
    assert len(ids) == len(set(ids))
    assert len({a.id for a in spec.ambiguities}) == len(spec.ambiguities)


def test_clauses_verbatim(spec):
    assert clauses_not_in_seed(spec, TEXT) == []
    body = normalise(TEXT)
    for a in spec.ambiguities:
        for part in a.clause.split("\n"):
            assert normalise(part) in body, a.id


# cells of the two attachments that are not sentences: headers, unit names, numbers, titles
_NOT_SENTENCES = {
    "附件1", "附件2:", "2017年度洞头区美丽温州建设工作任务书", "2017年度洞头区美丽温州建设工作任务分解表",
    "项目", "序号", "考核指标", "责任单位", "-", "(农林水利局)", "前置条件", "美丽浙江建设年度重点任务",
    "美丽浙江建设保障措施", "附加考核", "评优前置指标", "合格否决指标",
}


def _sentences():
    lines = TEXT.splitlines()
    start = lines.index("附件1")
    stop = next(i for i, x in enumerate(lines) if x.startswith("打印本页"))
    spec = load_spec("dongtou-2017")
    units = set(spec.unit_names) | {"区委渔农办"}
    areas = {g.title for g in spec.groups}
    for raw in lines[start:stop]:
        cell = normalise(raw)
        if not cell or cell in _NOT_SENTENCES or cell in units or cell.isdigit():
            continue
        cell = re.sub(r"^(\d+\.|\([一二三四五六七八九十]+\)|[一二三四]、)", "", cell)
        head = cell.rstrip("。")
        if head in _NOT_SENTENCES or re.sub("[“”]", "", head) in areas:
            continue  # section and action-area headings: the group titles
        for piece in re.split(r"[;。]", cell):
            if piece:
                yield piece


def test_every_sentence_of_both_attachments_is_in_a_clause(spec):
    clauses = [normalise(ln.clause) for ln in spec.lines]
    missing = [s for s in _sentences() if not any(s in c for c in clauses)]
    assert missing == []


def test_sample_hints_cover_every_fact(spec):
    for ln in spec.lines:
        for _, f in ln.fact_keys():
            if f.kind != "text":
                assert f.name in ln.sample, (ln.id, f.name)
        if ln.kind == "task":
            lo, hi = ln.sample["completion"]
            assert lo < 100 <= hi
        if ln.kind == "gate":
            assert ln.sample["flag"] == ([0.85] if ln.rule.kind == "评优前置" else [0.05])


# --- gates and verdicts ------------------------------------------------------------------------

def test_all_good_district(spec):
    s = row(score(spec, all_good(spec)), D)
    assert s["verdict"] == "重点任务完成96/96项"
    assert s["missing"] == 0 and s["gates"] == ""


def test_veto_gate_fails_the_district(spec):
    # 合格否决 1: 新出现劣V类水体 → 发生 → 不合格, whatever the tasks
    r = score(spec, all_good(spec, **{"一(二)1:flag": {D: True}}))
    s = row(r, D)
    assert s["verdict"] == "重点任务完成96/96项;触发合格否决,考核不合格"
    assert s["gates"] == "触发合格否决:未完成剿劣任务或新出现劣V类水体"
    # the gate applies to 洞头区 only (A7 default): 治水办, its responsible unit, is not failed
    assert row(r, "治水办")["verdict"] == "重点任务完成1/1项"


def test_excellence_gate_unmet_bars_excellence(spec):
    # 评优前置 3: 公众满意度提升目标未完成 → 不满足 → 不得评优, but not 不合格
    s = row(score(spec, all_good(spec, **{"一(一)3:flag": {D: False}})), D)
    assert s["verdict"] == "重点任务完成96/96项;未满足评优前置条件,不得评优"
    assert "不合格" not in s["verdict"]
    assert s["gates"] == "未满足评优前置:完成生态环境公众满意度提升目标"


def test_veto_outranks_excellence_gate(spec):
    s = row(score(spec, all_good(spec, **{"一(一)1:flag": {D: False}, "一(二)3:flag": {D: True}})), D)
    assert s["verdict"].endswith("触发合格否决,考核不合格")


def test_missing_veto_fact_is_unknown_not_an_excellence_failure(spec):
    # 合格否决 2 (重大突发环境事件) not reported: whether it happened is unknown, so the district may
    # be 不合格; it is not a 评优前置 failure and not yet 不合格
    facts = all_good(spec).drop(columns=["一(二)2:flag"])
    s = row(score(spec, facts), D)
    assert s["verdict"] == "重点任务完成96/96项;合格否决指标缺数据,是否触发未知,可能不合格"
    assert s["gates"] == ("合格否决指标缺数据,是否触发未知,可能不合格:"
                          "因监管不力、失职渎职造成重大突发环境事件或引起重大群体性事件")
    assert "评优前置" not in s["verdict"] + s["gates"]
    assert (s["veto_status"], s["bar_status"]) == ("missing", "met")
    assert not s["vetoed"] and s["barred"]  # may be 不合格: not certified 优秀 either
    assert s["missing"] == 1


def test_missing_excellence_fact_bars_but_says_unknown(spec):
    # 评优前置 3 (公众满意度) not reported: kept from 优秀, worded as unknown, never 不合格
    facts = all_good(spec).drop(columns=["一(一)3:flag"])
    s = row(score(spec, facts), D)
    assert s["verdict"] == "重点任务完成96/96项;评优前置指标缺数据,是否满足未知,暂不得评优"
    assert s["gates"] == "评优前置指标缺数据,是否满足未知,暂不得评优:完成生态环境公众满意度提升目标"
    assert (s["veto_status"], s["bar_status"]) == ("clear", "missing")
    assert s["barred"] and not s["vetoed"]


def test_missing_veto_and_unmet_bar_say_both(spec):
    facts = all_good(spec, **{"一(一)2:flag": {D: False}}).drop(columns=["一(二)3:flag"])
    s = row(score(spec, facts), D)
    assert s["verdict"] == ("重点任务完成96/96项;合格否决指标缺数据,是否触发未知,可能不合格;"
                            "未满足评优前置条件,不得评优")
    assert (s["veto_status"], s["bar_status"]) == ("missing", "not_met")


def test_a_triggered_veto_is_not_unknown(spec):
    # 合格否决 1 发生, 合格否决 2 missing: the unit is 不合格 whatever the missing one says
    facts = all_good(spec, **{"一(二)1:flag": {D: True}}).drop(columns=["一(二)2:flag"])
    s = row(score(spec, facts), D)
    assert s["verdict"] == "重点任务完成96/96项;触发合格否决,考核不合格"
    assert s["veto_status"] == "triggered" and s["vetoed"]


# --- gates linked to the tasks that measure the same thing -----------------------------------------

def test_gates_link_the_tasks_that_measure_the_same_thing(spec):
    assert spec.line("一(一)1").linked_tasks == ("二(一)1②", "二(二)1①")
    assert spec.line("一(二)1").linked_tasks == ("二(一)1①", "二(一)1③")
    assert spec.line("一(二)3").linked_tasks == tuple(
        [f"二(四)1{c}" for c in "①②③④"] + [f"二(四)2{c}" for c in "①②③④⑤⑥⑦"])
    assert [ln.id for ln in spec.lines if ln.linked_tasks] == ["一(一)1", "一(二)1", "一(二)3"]


def test_veto_clear_while_linked_task_unfinished_is_flagged(spec):
    # 合格否决 3 recorded 未发生 (节能降耗和减排目标完成), but 二(四)2① 减排计划 only 60% done
    r = score(spec, all_good(spec, **{"二(四)2①:completion": {D: 60.0, "环保局": 60.0}}))
    s = row(r, D)
    assert s["verdict"] == ("重点任务完成95/96项;前置条件与任务完成情况不一致:"
                            "未完成节能降耗或主要污染物减排年度工作目标,请核实")
    assert s["gates"] == ("前置条件与任务完成情况不一致:“未完成节能降耗或主要污染物减排年度工作目标”记为未触发,"
                          "但相关任务未完成:二(四)2① 编制并实施2017年重点污染物减排目标和计划,请核实")
    assert s["gate_conflicts"] == "一(二)3"
    assert not s["vetoed"] and not s["barred"]  # a warning: the recorded gate stands
    # 环保局 has the task but not the gate (A7 default): no warning in its report
    assert row(r, "环保局")["gate_conflicts"] == ""


def test_bar_met_while_linked_tasks_unfinished_is_flagged(spec):
    # 评优前置 1 recorded 满足 (水质、空气考核良好以上), but both 考核 tasks recorded 未完成
    facts = all_good(spec, **{"二(一)1②:completion": {D: 0.0}, "二(二)1①:completion": {D: 50.0},
                              "二(四)1①:completion": {D: 80.0}})
    s = row(score(spec, facts), D)
    assert s["gate_conflicts"] == "一(一)1,一(二)3"
    assert s["verdict"] == ("重点任务完成93/96项;前置条件与任务完成情况不一致:"
                            "交接断面水质和环境空气质量考核结果均为良好以上、"
                            "未完成节能降耗或主要污染物减排年度工作目标,请核实")
    assert "二(一)1② 跨行政区域河流交接断面水质、二(二)1① 环境空气质量考核" in s["gates"]


def test_gate_that_failed_or_missing_task_is_no_disagreement(spec):
    # the gate already says the target was missed: gate and task agree
    s = row(score(spec, all_good(spec, **{"一(二)3:flag": {D: True}, "二(四)1①:completion": {D: 50.0}})), D)
    assert s["gate_conflicts"] == "" and s["verdict"].endswith("触发合格否决,考核不合格")
    # a linked task without a figure is unknown, not unfinished
    s = row(score(spec, all_good(spec).drop(columns=["二(一)1③:completion"])), D)
    assert s["gate_conflicts"] == ""


# --- each department sees its own tasks --------------------------------------------------------

def own_tasks(result, unit):
    a = result.unit_audit(unit)
    return list(a.loc[a["kind"] == "task", "line_id"])


def test_department_sees_only_its_own_tasks(spec):
    r = score(spec, all_good(spec))
    # 公安局: only 大气 3 大气移动源污染防治 (环保局, 公安局)
    assert own_tasks(r, "公安局") == ["二(二)3"]
    # 气象局: 大气 1 重污染天气预警 (气象局, 环保局); 灾害防控 3 气象灾害监测预警
    assert own_tasks(r, "气象局") == ["二(二)1④", "二(九)3"]
    # 住建局: 五水共治 雨污分流改造管网2公里; 三改一拆 3 小城镇环境综合整治
    assert own_tasks(r, "住建局") == ["二(一)1⑪", "二(六)3"]
    # 治水办: 五水共治 地表水环境质量改善提升 (its 合格否决 gate is the district's)
    assert own_tasks(r, "治水办") == ["二(一)1①"]
    assert list(r.unit_audit("治水办")["kind"]) == ["task"]
    # 环保局, counted by area in the 分解表:
    # 五水 8 + 大气 (3+1+3+1+1+1) 10 + 土壤 6 + 节能减排 (1+1+2+3) 7 + 三改一拆 1 + 美丽乡村 1
    # + 生态文化 (2+4) 6 + 制度创新 3 + 保障措施 (1+1+6) 8 = 50
    assert len(own_tasks(r, "环保局")) == 8 + 10 + 6 + 7 + 1 + 1 + 6 + 3 + 8 == 50
    # 综合执法局: 五水 2 + 大气 1 + 节能减排 1 + 绿色经济 1 + 三改一拆 6 + 生态文化 1 + 保障措施 1 = 13
    assert len(own_tasks(r, "综合执法局")) == 2 + 1 + 1 + 1 + 6 + 1 + 1 == 13
    # the district sees every task, the 6 gates and the 2 附加考核 lines
    assert len(r.unit_audit(D)) == 96 + 6 + 2


def test_rows_without_responsible_unit_are_the_districts(spec):
    # 分解表 责任单位 "-": 钢铁水泥玻璃清洁排放, 燃煤热电超低排放, 水泥错峰生产, 行业清洁排放改造, 环保电价
    dash = [ln.id for ln in spec.lines if ln.kind == "task" and not ln.lead]
    assert dash == ["二(二)2③", "二(二)2④", "二(二)2⑤", "二(四)2③", "二(四)2④"]
    assert all(spec.line(i).applies_to == (D,) for i in dash)


# --- tasks done --------------------------------------------------------------------------------

def test_tasks_done_counts(spec):
    facts = all_good(spec, **{
        "二(一)1⑩:completion": {D: 75.0, "区委渔农办(农林水利局)": 75.0},  # 清淤3万方 of 4万方
        "二(六)4⑤:completion": {D: 0.0, "环保局": 0.0},                    # 噪声未低于55分贝
        "二(三)5:completion": {"卫计局": 90.0},                              # only the 卫计局 part lags
    })
    r = score(spec, facts)
    # 洞头区: 96 - 2 = 94 (二(三)5 is judged on the district's own figure, 100, by default: A1)
    assert row(r, D)["verdict"] == "重点任务完成94/96项"
    # 环保局: 50 - 1 (噪声) = 49; 渔农办: 12 - 1 = 11; 卫计局: 2 - 1 = 1
    assert row(r, "环保局")["tasks_done"] == 49
    assert row(r, "区委渔农办(农林水利局)")["tasks_done"] == 11
    assert row(r, "卫计局")["verdict"] == "重点任务完成1/2项"
    a = r.audit.set_index(["unit", "line_id"])
    assert a.loc[(D, "二(一)1⑩"), "outcome"] == "not_done"
    assert a.loc[(D, "二(一)1⑩"), "reason"] == "完成75%,未完成"


def test_missing_completion_is_flagged(spec):
    facts = all_good(spec).drop(columns=["二(九)2:completion"])
    s = row(score(spec, facts), "市场监督管理局")
    assert s["missing"] == 1 and s["tasks_done"] == 1


def test_additional_deduction_is_recorded(spec):
    # 四① 被约谈: analyst enters 2 points; 四② nothing reported → no deduction (default 0)
    r = score(spec, all_good(spec, **{"四①:deduct": {D: 2.0}}))
    a = r.audit.set_index(["unit", "line_id"])
    assert a.loc[(D, "四①"), "awarded"] == -2
    assert a.loc[(D, "四②"), "awarded"] == 0
    s = row(r, D)
    assert s["deduction"] == -2
    assert s["total"] != s["total"]  # no points in the document: no total
    assert s["verdict"] == "重点任务完成96/96项"  # A5 default: recorded, verdict unchanged


# --- readings ----------------------------------------------------------------------------------

def test_a1_shared_task_readings(spec):
    # 二(一)1⑨ 加油站 (环保局, 经信局): 经信局 60%, 环保局 100%, district's own figure 100%
    facts = all_good(spec, **{"二(一)1⑨:completion": {"经信局": 60.0}})
    a = score(spec, facts).audit.set_index(["unit", "line_id"])
    assert a.loc[(D, "二(一)1⑨"), "outcome"] == "done"
    a = score(spec, facts, readings={"A1": "all_responsible"}).audit.set_index(["unit", "line_id"])
    assert a.loc[(D, "二(一)1⑨"), "outcome"] == "not_done"
    assert a.loc[(D, "二(一)1⑨"), "value"] == 60
    # lead_figure: 环保局 leads → 100% → 已完成
    a = score(spec, facts, readings={"A1": "lead_figure"}).audit.set_index(["unit", "line_id"])
    assert a.loc[(D, "二(一)1⑨"), "outcome"] == "done"


def test_a2_lead_only(spec):
    r = score(spec, all_good(spec), readings={"A2": "lead_only"})
    # 环保局 is listed but not first in 9 rows: 二(二)1④ 气象局, 二(二)2① 发改局, 二(二)2② 经信局,
    # 二(三)1/2 渔农办, 二(十)2① 教育局, 二(十)2② 司法局, 三(二) 财政局, 三(三)① 组织部 → 50 - 9
    assert row(r, "环保局")["tasks"] == 50 - 9
    assert own_tasks(r, "公安局") == []


def test_a4_pro_rata(spec):
    facts = all_good(spec, **{"二(一)1⑩:completion": {D: 75.0}})
    r = score(spec, facts, readings={"A4": "pro_rata"})
    # 五水共治 13 rows, weight 1 each: 12 + 0.75
    assert r.groups.loc[D, "二(一)"] == pytest.approx(12.75)
    assert row(r, D)["tasks_done"] == 95


def test_a5_bar_excellent(spec):
    r = score(spec, all_good(spec, **{"四①:flag": {D: False}}), readings={"A5": "bar_excellent"})
    assert row(r, D)["verdict"].endswith("未满足评优前置条件,不得评优")


def test_a7_gates_bind_responsible_units_too(spec):
    facts = all_good(spec, **{"一(二)1:flag": {D: True, "治水办": True}})
    r = score(spec, facts, readings={"A7": "responsible_too"})
    assert row(r, "治水办")["verdict"] == "重点任务完成1/1项;触发合格否决,考核不合格"


def test_every_reading_switches_or_says_why_not(spec):
    for a in spec.ambiguities:
        assert len(a.readings) >= 2 and a.default in a.readings
        assert a.question and a.clause
        for name, r in a.readings.items():
            if name != a.default:
                assert r.overrides or "暂不能切换" in r.description, (a.id, name)
