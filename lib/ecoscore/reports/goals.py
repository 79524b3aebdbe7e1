"""The static "距下一等次" section: what the unit would have to change to reach its next goal.

A shared HTML page runs no Python, so the report works the answer out when it is made, from
the facts the result was scored from (``ecoscore.whatif.goals.goals_for``; in a batch, in the
kernel presenting the unit), and prints it: the goal, the fewest changes of the unit's own
facts that reach it (verified by rescoring the cohort with caps, floors, policies and ranks),
the result after them, and every fact the unit can act on with what one step earns.
"""

from __future__ import annotations

import pandas as pd

from ecoscore import words
from ecoscore.reports import blocks
from ecoscore.rules.base import fmt
from ecoscore.whatif.goals import goals_for

CHANGES = ["编号", "考核内容", "现值", "改为", "得分变化", "牵头单位"]
CHANGES_MET = ["编号", "考核内容", "现值", "改为", "牵头单位"]
LEVERS = ["编号", "考核内容", "现值", "最多可到", "最多可得分", "每改进一步", "牵头单位"]
LEVERS_MET = ["编号", "考核内容", "现值", "达标所需", "牵头单位"]
HOW = ("本节由评分引擎测算:只改动本单位当年可改变的数据(上年数据、目标值和其他单位的数据不变),"
       "按可得分从大到小选取,最后一项只改到恰好够用;改动后整体重新评分,加分上限、扣分下限、"
       "政策折算和位次均已计入。测算结果供研究工作重点参考,不代表考核结论。")


def section(rep) -> blocks.HTMLBlock:
    """Return the section for ``rep`` (a ``reports.report.Report``)."""
    if rep.department is not None:
        return blocks.note(f"部门报告不单独测算;{rep.unit}距下一等次所需的改动见{rep.unit}的报告。")
    mine = goals_for(rep.cohort, [rep.unit])
    if mine is None:
        return blocks.note("本评分结果文件未保存评分所用的数据,无法测算距下一等次;请用 ecoscore render "
                           "重新生成,或在假设测算工作台中逐项测算。")
    goal = mine[mine["row"] == "goal"]
    changes = mine[mine["row"] == "change"]
    levers = mine[mine["row"] == "lever"]
    scored = rep.scored
    out = []
    if len(goal):
        out.append(_goal_html(rep, goal.iloc[0], len(changes)))
    else:
        out.append(f'<div class="eco-info">{blocks.esc(_no_goal(rep))}</div>')
    if len(changes):
        out.append(blocks.table(_change_rows(changes, scored), CHANGES if scored else CHANGES_MET,
                                numeric=["得分变化"], wide=["考核内容"], phone=True,
                                caption="达到目标所需的最少改动"))
    if scored and len(levers):
        out.append(blocks.table(_lever_rows(levers), LEVERS, numeric=["最多可得分"], wide=["考核内容"], phone=True,
                                caption="本单位可改进的数据:改到最好时可得的分数,及每改进一步所得分数"))
    rest = levers[~levers["line_id"].isin(set(changes["line_id"]))] if not scored else levers.iloc[0:0]
    if len(rest):  # threshold documents: the levers not already in the changes above
        cap = "其余未达标、可以改进的各项及达标所需的数值" if len(changes) else "未达标、可以改进的各项及达标所需的数值"
        out.append(blocks.table(_lever_rows_met(rest), LEVERS_MET, wide=["考核内容"], phone=True, caption=cap))
    out.append(f'<p class="eco-note">{blocks.esc(HOW)}</p>')
    return blocks.HTMLBlock('<div class="eco-goals">' + "".join(out) + "</div>")


def _goal_html(rep, g: pd.Series, n: int) -> str:
    text = f"目标:{g['goal']}。" if g["goal"] else ""
    if g["goal"] and g["reached"] and n:
        after = _after(rep, g)
        text += f"按下表改动{n}项数据后重新评分:{after}。" if after else f"按下表改动{n}项数据即可达到。"
        return f'<div class="eco-info"><b>{blocks.esc(text)}</b></div>'
    if g["note"]:
        text += str(g["note"])
    if not g["reached"] and n:
        after = _after(rep, g)
        text += f"即使下表各项都改到最好,重新评分后{after}。" if after else ""
    return f'<div class="eco-warn">{blocks.esc(text)}</div>'


def _after(rep, g: pd.Series) -> str:
    """Return the result after the changes, as the header prints it ("总分90分,等次优秀,位次第8/26名")."""
    r = rep.row
    bits = []
    if rep.scored and g["total_after"] == g["total_after"] and g["total_after"] is not None:
        bits.append(f"总分{fmt(g['total_after'])}分(现{fmt(r['total'])}分)")
    if g["grade_after"]:
        bits.append(f"等次{g['grade_after']}")
    if g["rank_after"] == g["rank_after"] and g["rank_after"] is not None and words.rank(r, rep.spec):
        bits.append("位次" + words.rank({**r, "rank": g["rank_after"]}, rep.spec))
    return ",".join(bits)


def _no_goal(rep) -> str:
    r = rep.row
    if r["binding"] and r["compliance"] == "met":
        return "约束性指标已全部达标。"
    if r["grade"] and rep.spec.grades and r["grade"] == rep.spec.grades[0].grade:
        return f"已达到最高等次「{r['grade']}」。"
    if words.rank(r, rep.spec) and int(r["rank"]) == 1:
        return "位次已为第1名。"
    return "本文件没有可测算的下一等次或位次。"


def _what(x) -> str:
    """Return a line's title with the fact changed, when the fact is not the title itself."""
    return x.title if x.fact in ("", x.title) else f"{x.title}:{x.fact}"


def _change_rows(changes: pd.DataFrame, scored: bool) -> list[list[str]]:
    rows = []
    for c in changes.itertuples(index=False):
        row = [c.line_id, _what(c), c.now, c.to]
        if scored:
            row.append(_signed(c.points) if c.points == c.points else "")
        rows.append(row + [c.lead])
    return rows


def _lever_rows(levers: pd.DataFrame) -> list[list[str]]:
    rows = []
    for x in levers.itertuples(index=False):
        step = f"{x.step}得{fmt(x.per_step)}分" if x.step and x.per_step == x.per_step else "—"
        rows.append([x.line_id, _what(x), x.now, x.to, fmt(x.points), step, x.lead])
    return rows


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + fmt(x)


def _lever_rows_met(levers: pd.DataFrame) -> list[list[str]]:
    return [[x.line_id, _what(x), x.now, x.to, x.lead] for x in levers.itertuples(index=False)]
