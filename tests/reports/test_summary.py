"""The one-page summary that leads every report: what it says is what the document and the
scored result say, and its figures add up on the page."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import pytest
from bs4 import BeautifulSoup

from ecoscore.reports import report, summary
from ecoscore.rules.base import fmt


@cache
def built(doc: str, unit: str | None = None, department: str | None = None):
    rep = report.build(doc, unit)
    if department:
        rep = report.Report(rep.cohort, rep.unit, department)
    return rep


def text(rep) -> str:
    soup = BeautifulSoup(rep.summary()._repr_html_(), "html.parser")
    for s in soup("style"):
        s.decompose()
    return re.sub(r"\s+", " ", soup.get_text(" ")).strip()


def test_gap_to_the_next_grade_uses_the_documents_bands():
    """丽水: 90分以上为优秀, 80–90 良好; a 良好 unit is told how far 优秀 is."""
    rep = built("lishui-2024", "市发改委")
    total = float(rep.row["total"])
    assert 80 <= total < 90, "the sample unit must be 良好 for this case"
    assert f"距「优秀」(≥90分)还差{fmt(90 - total)}分" in text(rep)


def test_the_closing_loss_covers_the_gap():
    """The loss named as closing the gap is at least the gap, and is the biggest loss."""
    rep = built("lishui-2024", "市发改委")
    items = summary.losses(rep)
    gap = 90 - float(rep.row["total"])
    assert items[0].lost >= gap
    assert f"补回其中{fmt(gap)}分即可" in text(rep)


def test_a_veto_comes_first_and_says_scores_cannot_help():
    """洞头: the 合格否决 that made the district 不合格 leads the page, before any count."""
    t = text(built("dongtou-2017", "洞头区"))
    assert t.index("触发合格否决") < t.index("重点任务完成")
    assert "须先消除否决情形" in t


def test_total_is_the_full_marks_less_the_losses_plus_the_bonus():
    """XX市江干区: every figure of the reconciliation line adds up, and the points lost per
    lead department add up to the losses; the losses are the audit's own, summed here."""
    rep = built("xx-2020", "江干区")
    t = text(rep)
    m = re.search(r"总分([\d.]+)分 = 满分([\d.]+)分 − 各项失分([\d.]+)分 \+ 加分([\d.]+)分", t)
    assert m, t
    total, full, lost, bonus = (Decimal(x) for x in m.groups())
    assert total == full - lost + bonus
    a = rep.audit
    by_hand = sum(max(r["possible"] - r["awarded"], 0) for _, r in a[a["kind"] == "base"].iterrows())
    by_hand += -a.loc[a["kind"] == "deduction", "awarded"].sum()
    assert lost == Decimal(fmt(by_hand))
    depts = re.search(r"各牵头单位失分: (.*?)。", t).group(1)
    figures = [Decimal(x) for x in re.findall(r" ([\d.]+)分\(\d+项\)", depts)]
    assert sum(figures) == lost


@pytest.mark.parametrize(("values", "total"), [([0.333, 0.333, 0.334], 1.0), ([2.675, 1.125], 3.8),
                                               ([5.0049, 5.0049, 5.0049], 15.01)])
def test_parts_round_to_their_total(values, total):
    shown = summary.parts(values, total)
    assert sum(Decimal(str(x)) for x in shown) == Decimal(str(total))
    assert all(abs(x - v) < 0.01 + 1e-9 for x, v in zip(shown, values))


def test_titles_several_lines_share_are_told_apart():
    """丽水市发改委: two tasks titled 牵头“产业与能源结构优化治理小组”工作 differ by their clause."""
    items = summary.losses(built("lishui-2024", "市发改委"))
    same = [x for x in items if x.row["title"] == items[0].row["title"]]
    assert len(same) >= 2
    assert len({x.title for x in same}) == len(same)


def test_compliance_plan_counts_binding_indicators_not_met():
    rep = built("zhoushan-2020", "舟山市")
    r = rep.row
    missing = int(r["binding"]) - int(r["binding_met"])
    assert missing > 0
    assert f"距约束性指标全部达标还差{missing}项" in text(rep)


def test_a_department_report_has_its_own_summary():
    rep = built("shengzhou-2024", "嵊州市", "生态环境分局")
    t = text(rep)
    assert t.startswith("生态环境分局 2024年度考核结果摘要")
    assert "示例数据" in t


def test_a_unit_without_point_losses_lists_its_unfinished_tasks():
    """洞头区环保局 loses no points (its tasks are counted, not scored): the summary lists its
    unfinished tasks, every one a line of the task book, and never a blank row."""
    rep = built("dongtou-2017", "环保局")
    items = summary.losses(rep)
    assert items and all(isinstance(x.row["line_id"], str) for x in items)
    assert all(x.row["outcome"] in ("not_met", "not_done", "partial") for x in items if x.lost == 0)
    assert "未达标(未完成)的主要项目" in text(rep)
