"""Narrative text, checked word for word on small fixture documents scored by hand.

points_doc (满分50): 一.1 ≥90% → 20; 一.2 10 − 2 per month; 二.1 10 − analyst deduction;
二.2 yes → 10; 三.1 bonus 2 per award, cap 5; 四.1 −3 per event.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ecoscore import load_spec, score, words
from ecoscore.reports import narrative
from tests.conftest import FIXTURES


def scored(name: str, with_previous: bool = False):
    spec = load_spec(FIXTURES / f"{name}.yaml")
    facts = pd.read_csv(FIXTURES / f"{name}_facts.csv", index_col=0)
    prev = pd.read_csv(FIXTURES / f"{name}_previous.csv", index_col=0) if with_previous else None
    return spec, score(spec, facts, prev), (score(spec, prev) if with_previous else None)


@pytest.fixture(scope="module")
def points():
    return scored("points_doc", with_previous=True)


@pytest.fixture(scope="module")
def compliance():
    return scored("compliance_doc", with_previous=True)


@pytest.fixture(scope="module")
def taskbook():
    return scored("taskbook_doc")


def titles(spec):
    return {g.id: g.title for g in spec.groups}


def test_lost_points_counts_base_and_deductions_not_bonus(points):
    spec, r, _ = points
    a = r.unit_audit("乙区")
    lost = narrative.lost_points(a)
    # 一.1 20-0, 一.2 10-6, 二.1 0, 二.2 10-0, 三.1 bonus not a loss, 四.1 deduction 3
    assert lost.tolist() == [20, 4, 0, 10, 0, 3]


def test_overall_points(points):
    spec, r, _ = points
    s = r.summary
    def rank(u):
        return words.rank_sentence(r.unit_summary(u), spec)

    assert narrative.overall(r.unit_audit("甲区"), s, "甲区", out_of=spec.total, rank_text=rank("甲区")) == (
        "甲区考核总分50分(满分50分;含加分2分),等次为优秀。在3个区、县(市)中按总分位次(仅供参考)为第1/3名。")
    # 16 base points (6 + 10) minus a 3-point deduction
    assert narrative.overall(r.unit_audit("乙区"), s, "乙区", out_of=spec.total, rank_text=rank("乙区")) == (
        "乙区考核总分13分(满分50分;含扣分3分),等次为不合格。在3个区、县(市)中按总分位次(仅供参考)为第3/3名。")


def test_strengths_points(points):
    spec, r, _ = points
    # one point a line; lines named by title in 「」, never by id
    assert narrative.strengths(r.unit_audit("甲区"), section_titles=titles(spec)) == (
        "满分项目3项,合计40分:「水质优良比例」(20分)、「交界断面水质」(10分)、「生态文明宣传」(10分)。\n"
        "水环境质量部分获得满分。\n获得加分2分:「获国家级表彰」2分。\n未发生扣分情形。")
    # 4 awards × 2 = 8, capped at 5
    assert narrative.strengths(r.unit_audit("丙县"), section_titles=titles(spec)) == (
        "满分项目2项,合计30分:「水质优良比例」(20分)、「生态文明宣传」(10分)。\n"
        "获得加分5分:「获国家级表彰」5分。\n未发生扣分情形。")


def test_losses_points_largest_first_with_reasons(points):
    spec, r, _ = points
    assert narrative.losses(r.unit_audit("乙区"), section_titles=titles(spec)) == (
        # base lost 24 + 10 = 34; the deduction is counted apart (one definition each), and said
        # as 扣3分 once, never as "得-3分"
        "共失分34分:水环境质量失24分、重点工作失10分。\n扣分项共扣3分。\n"
        "「水质优良比例」失20分:优良比例88%,目标≥90%,未达到要求,不得分。\n"
        "「生态文明宣传」失10分:是否开展宣传活动:否,不得分。\n"
        "「交界断面水质」失4分:不达标月份2个月,每个月扣2分,扣4分,得6分。\n"
        "「突发环境事件」扣3分:突发环境事件1起,每起扣3分,扣3分。")


def test_losses_keep_user_text_raw_for_the_report_to_escape(points):
    _, r, _ = points
    text = narrative.losses(r.unit_audit("甲区"))
    # the analyst's reason is a clause of its own (no bracket inside a bracket), kept as typed
    assert text == "共失分2分。\n「污水处理设施建设」失2分:人工评定得8分;理由:进度滞后<script>alert(1)</script>。"


def test_losses_limit_says_largest(points):
    spec, r, _ = points
    text = narrative.losses(r.unit_audit("乙区"), limit=1, section_titles=titles(spec))
    assert text.endswith("扣分项共扣3分。以下列出失分最多的1项(共4项)。\n"
                         "「水质优良比例」失20分:优良比例88%,目标≥90%,未达到要求,不得分。")


def test_priorities_most_recoverable_then_nearest(points):
    spec, r, _ = points
    measures = {ln.id: ln.unit_of_measure for ln in spec.lines}
    # 一.1 misses 90% by 2 percentage points (its rule's unit, though the fixture gives no
    # unit_of_measure) → 2/90 = 2.22% of the target
    assert narrative.priorities(r.unit_audit("乙区"), measures=measures) == (
        "建议优先改进以下各项。\n(1)「水质优良比例」:可挽回20分,距目标差2个百分点。\n(2)「生态文明宣传」:可挽回10分。\n"
        "(3)「交界断面水质」:可挽回4分。\n其中距目标最近的是「水质优良比例」:差距2个百分点,为目标值的2.22%。")
    assert narrative.priorities(r.unit_audit("甲区")) == "建议优先改进以下各项。\n(1)「污水处理设施建设」:可挽回2分。"


def test_missing_points(points):
    _, r, _ = points
    assert narrative.missing(r.unit_audit("丙县")) == (
        "有1项缺少数据:「交界断面水质」。\n这些项目暂按0分计,补齐数据后请重新评分。")
    assert narrative.missing(r.unit_audit("甲区")) == ""


def test_gates_empty_without_gate_lines(points):
    _, r, _ = points
    assert narrative.gates(r.unit_audit("甲区")) == ""


def test_change_points(points):
    spec, r, before = points
    # last year: 一.1 85% (0 points), 二.2 not done (0 points) → 20; this year 50
    assert narrative.change(r.unit_audit("甲区"), before.unit_audit("甲区"), r.summary, before.summary, "甲区") == (
        "与上年相比,总分由20分变为50分,提高30分,位次由第3/3名变为第1/3名。\n"
        "变化较大:「水质优良比例」由0分变为20分(+20分)。\n变化较大:「生态文明宣传」由0分变为10分(+10分)。")
    assert narrative.change(r.unit_audit("乙区"), before.unit_audit("乙区"), r.summary, before.summary, "乙区") == (
        "与上年相比,总分由33分变为13分,下降20分,位次由第2/3名变为第3/3名。\n"
        "变化较大:「水质优良比例」由20分变为0分(−20分)。")


def test_compliance_texts(compliance):
    spec, r, _ = compliance
    s = r.summary
    a, b = r.unit_audit("甲县"), r.unit_audit("乙县")
    # the compliance fixture, like 002 and 003, does not rank its units
    assert narrative.overall(a, s, "甲县", out_of=spec.total) == (
        "甲县共4项指标,达标3项、未达标1项,约束性指标全部达标。")
    assert narrative.overall(b, s, "乙县", out_of=spec.total) == (
        "乙县共4项指标,达标1项、未达标2项、缺数据1项,2项约束性指标未达标。")
    assert narrative.strengths(a) == "达标指标3项:「环境空气质量优良天数比例」、「森林覆盖率」、「单位GDP能耗」。"
    assert narrative.losses(b) == (
        "未达标指标2项。\n「环境空气质量优良天数比例」(约束性):优良天数比例80%,目标≥85%,未达标,差距5个百分点。\n"
        "「单位GDP能耗」(约束性):单位GDP能耗0.6吨标煤/万元,上年0.58吨标煤/万元,未达标。")
    measures = {ln.id: ln.unit_of_measure for ln in spec.lines}
    # binding first, nearest first: 0.02/0.58 = 3.45% before 5/85 = 5.88%; each gap in the
    # indicator's own unit
    assert narrative.priorities(b, measures=measures) == (
        "建议优先改进以下各项。\n(1)「单位GDP能耗」(约束性),差距0.02吨标煤/万元,为目标值的3.45%。\n"
        "(2)「环境空气质量优良天数比例」(约束性),差距5个百分点,为目标值的5.88%。")
    assert narrative.priorities(a, measures=measures) == (
        "建议优先改进以下各项。\n(1)「绿色建筑占比」(参考性),差距10个百分点,为目标值的20%。")
    assert narrative.missing(b) == (
        "有1项缺少数据:「森林覆盖率」。\n这些项目暂无法判定是否达到要求,补齐数据后请重新评分。")


def test_compliance_change(compliance):
    _, r, before = compliance
    # last year's trend indicator has no year-before value, so only 1 and 2 were met
    assert narrative.change(r.unit_audit("甲县"), before.unit_audit("甲县"), r.summary, before.summary, "甲县") == (
        "与上年相比,达标指标由2项变为3项。")


def test_taskbook_texts(taskbook):
    spec, r, _ = taskbook
    s = r.summary
    a, b = r.unit_audit("测试区"), r.unit_audit("对照区")
    assert narrative.overall(a, s, "测试区") == "测试区重点任务完成2/3项。"  # a task book ranks nobody
    assert narrative.overall(b, s, "对照区") == "对照区重点任务完成1/3项;未满足评优前置条件,不得评优。"
    assert narrative.gates(a) == "评优前置条件1项全部满足;未触发合格否决情形。"
    assert narrative.gates(b) == "未满足评优前置条件:未发生重大环境污染事件,不得评为优秀;未触发合格否决情形。"
    assert narrative.strengths(a) == "已完成任务2项:「完成农村污水治理」、「淘汰黄标车」。"
    assert narrative.losses(a) == "未完成任务1项。\n「河道清淤」:完成90%,未完成。"
    # a task not finished is never said to be 已完成
    assert narrative.priorities(b) == "建议优先改进以下各项。\n(1)「完成农村污水治理」,目前完成80%,尚未完成。"


def test_gate_veto_and_missing():
    spec = load_spec(FIXTURES / "taskbook_doc.yaml")
    facts = pd.DataFrame({"前置-1:flag": [None], "否决-1:flag": ["是"], "一.1:completion": [100],
                          "一.2:completion": [100], "二.1:completion": [100]}, index=["测试区"])
    r = score(spec, facts, units=["测试区"])
    assert narrative.gates(r.unit_audit("测试区")) == (
        "触发合格否决:发生重大生态破坏事件,考核结果为不合格;以下条件缺数据,暂无法判定:未发生重大环境污染事件。")


def test_paragraphs_leave_out_empty_parts(points):
    spec, r, before = points
    paras = narrative.paragraphs(r.unit_audit("丙县"), r.summary, "丙县", out_of=spec.total,
                                 section_titles=titles(spec),
                                 previous_audit=before.unit_audit("丙县"), previous_summary=before.summary)
    assert [h for h, _ in paras] == ["总体结果", "亮点", "失分与未达标", "优先改进", "数据缺失", "与上年比较"]


def test_gap_text():
    assert narrative.gap_text(2.5, "%") == "2.5个百分点"
    assert narrative.gap_text(3, "微克/立方米") == "3微克/立方米"
    assert narrative.gap_text(0.126) == "0.13"


def test_losses_lists_at_most_ten_unmet_indicators_and_counts_the_rest():
    import pandas as pd

    from ecoscore.reports.narrative import losses

    rows = [{"unit": "甲", "line_id": f"指标{i}", "title": f"指标名{i}", "kind": "indicator",
             "attribute": "约束性" if i <= 12 else "参考性", "outcome": "not_met", "reason": "未达标",
             "possible": float("nan"), "awarded": float("nan"), "section": "附件1", "value": 1.0}
            for i in range(1, 15)]
    text = losses(pd.DataFrame(rows))
    assert text.startswith("未达标指标14项。\n「指标名1」(约束性):未达标。\n")
    assert "「指标名10」" in text and "「指标名11」" not in text
    assert text.endswith("\n另有4项未达标(其中约束性指标2项),见逐项表。")


# ---------------------------------------------------------------- reasons a reader can add up
def _row(**kw):
    base = {"line_id": "x", "title": "t", "kind": "base", "reason": "", "facts": "", "evidence": "",
            "value": float("nan"), "target": float("nan"), "possible": float("nan"), "awarded": float("nan")}
    return pd.Series({**base, **kw})


def test_a_reason_accounts_for_the_whole_maximum_below_the_ensure_value():
    # 004 二.2: 力争值92 → 60, 确保值88 → 54; 84.9 is 3.1 points below 88 (all below 90: 2 per point)
    line = load_spec("xx-2020").line("二.2")
    row = _row(value=84.9, target=92.0, possible=60.0, awarded=47.8, facts="优良天数比例=84.9;力争目标值=92;确保目标值=88",
               reason="优良天数比例84.9%,低于确保值88% 3.1个百分点(其中≥90%部分0个百分点),扣6.2分,得47.8分")
    text = narrative.reason(row, line)
    assert text == ("优良天数比例84.9%,低于确保值88%,差3.1个百分点。未达到确保值,从确保值对应的54分起扣"
                    "(满分60分须达到力争值92%);3.1个百分点每个扣2分,共扣6.2分,得47.8分")
    # the figures said add up to the maximum: 60 − 6 (not 力争值) − 6.2 = 47.8
    assert 60 - (60 - 54) - 6.2 == pytest.approx(47.8)


def test_a_reason_accounts_for_the_base_below_the_maximum():
    # 004 二.3 PM10: 16 on target, +2 per μg/m³ better, −3 per μg/m³ worse, max 20
    line = load_spec("xx-2020").line("二.3")
    worse = _row(value=61.0, target=60.0, possible=20.0, awarded=13.0,
                 reason="PM10年均浓度61微克/立方米,劣于目标60微克/立方米 1,扣3分,得13分")
    assert narrative.reason(worse, line) == (
        "PM10年均浓度61微克/立方米,目标60微克/立方米,比目标高1微克/立方米。达到目标得16分(满分20分);"
        "优于目标才能加分至满分20分。每高1微克/立方米扣3分,扣3分,得13分")
    better = _row(value=50.2, target=60.0, possible=20.0, awarded=20.0)
    assert narrative.reason(better, line).endswith("加19.6分,合计35.6分,按满分20分计,得20分")


def test_a_reason_leaves_the_units_note_to_the_evidence_and_never_scores_below_zero():
    task = _row(reason="完成77.6%,按比例扣6.72分,得23.28分(受审批影响(示例))",
                evidence="〔完成情况说明〕受审批影响(示例)")
    assert narrative.reason(task) == "完成77.6%,按比例扣6.72分,得23.28分"
    assert narrative.reason(_row(reason="被约谈1次,扣1分,得-1分")) == "被约谈1次,扣1分"
    assert narrative.reason(_row(reason="增长率-0.5%,目标10%,按比例得-0.5分")) == "增长率-0.5%,目标10%,按比例扣0.5分"


def test_lines_sharing_a_title_are_told_apart():
    a = pd.DataFrame({
        "line_id": ["附件3-1.1", "附件3-1.2", "指标5", "重点任务2", "附件3-9"],
        "title": ["牵头小组工作", "牵头小组工作", "离任审计", "离任审计", "其他"],
        "clause": ["坚决遏制“两高一低”项目盲目上马,源头优化产业准入。", "推动节能技改减少使用标煤2万吨。",
                   "5 离任审计 有效开展", "2 离任审计 完成六横管委会审计", ""]})
    assert narrative.names(a).tolist() == [
        "牵头小组工作:坚决遏制“两高一低”项目盲目上马", "牵头小组工作:推动节能技改减少使用标煤2万吨",
        "离任审计(指标5)", "离任审计(重点任务2)", "其他"]


def test_text_is_cut_and_broken_outside_brackets():
    assert narrative.brief("甲乙丙丁,戊己(庚,辛)壬癸", 9) == "甲乙丙丁……"
    assert narrative.sentences("理由(与三.5等一致;全部完成扣0分)。下一句;第三") == (
        "理由(与三.5等一致;全部完成扣0分)。\n下一句;\n第三")


def test_the_narrative_is_a_list_when_a_part_has_several_points():
    block = narrative.html([("总体结果", "一句。"), ("失分", "第一点。\n<第二点>。")])
    assert block.html.endswith('<dl class="eco-narr"><dt>总体结果</dt><dd>一句。</dd><dt>失分</dt>'
                               "<dd><ul><li>第一点。</li><li>&lt;第二点&gt;。</li></ul></dd></dl>")
