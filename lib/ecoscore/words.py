"""The words a reader sees for the values inside: outcomes, polarities, gate kinds, line kinds.

Scoring keeps codes (``Outcome``, ``Polarity``, gate kinds); every Chinese word for them is
chosen here and nowhere else, so the report, the index, the CLI and the exports say the same.
"""

from __future__ import annotations

from ecoscore.rules.base import POLARITY, Outcome, Polarity, fmt

OUTCOME = {
    Outcome.FULL: "满分", Outcome.PARTIAL: "部分得分", Outcome.ZERO: "未得分",
    Outcome.BONUS: "加分", Outcome.NO_BONUS: "无加分",
    Outcome.DEDUCTED: "扣分", Outcome.NO_DEDUCTION: "无扣分",
    Outcome.MET: "达标", Outcome.NOT_MET: "未达标",
    Outcome.DONE: "已完成", Outcome.NOT_DONE: "未完成",
    Outcome.TRIGGERED: "触发", Outcome.CLEAR: "未触发",
    Outcome.MISSING: "缺数据", Outcome.NOT_APPLICABLE: "不适用",
}

#: A task line's outcome as a task-book word (a task with points partly earned is 未完成).
TASK_STATUS = {Outcome.DONE: "已完成", Outcome.FULL: "已完成", Outcome.NOT_DONE: "未完成",
               Outcome.PARTIAL: "未完成", Outcome.ZERO: "未完成", Outcome.MISSING: "缺数据"}
#: An indicator's outcome as a compliance word.
INDICATOR_STATUS = {Outcome.MET: "达标", Outcome.NOT_MET: "未达标", Outcome.MISSING: "缺数据"}

POLARITY_CLASS = {Polarity.GOOD: "eco-ok", Polarity.PARTIAL: "eco-part", Polarity.BAD: "eco-bad",
                  Polarity.MISSING: "eco-none", Polarity.NOT_APPLICABLE: ""}

GATE = {"bar": "评优前置", "veto": "合格否决"}

KIND = {"base": "基本分", "bonus": "加分", "deduction": "扣分", "indicator": "指标", "task": "任务",
        "gate": "前置条件"}


def outcome(code) -> str:
    """Return the Chinese word for an outcome code (``"full"`` → 满分)."""
    try:
        return OUTCOME[Outcome(code)]
    except ValueError:
        return str(code)


def status(code, kind: str) -> str:
    """Return the status word of a line as the compliance grid and section counts show it."""
    o = Outcome(code)
    table = TASK_STATUS if kind == "task" else INDICATOR_STATUS
    return table.get(o, OUTCOME[o])


def polarity(code) -> Polarity:
    """Return the polarity of an outcome code."""
    return POLARITY[Outcome(code)]


def css_class(code) -> str:
    """Return the CSS class that colours an outcome by its polarity."""
    return POLARITY_CLASS[polarity(code)]


#: How a table writes "no unit" (a yes/no, an index, a coefficient): the gap is a bare number.
NO_UNIT = ("", "-", "—", "/", "无量纲")


def gap(value, gap_unit: str = "") -> str:
    """Return a gap in the indicator's own unit: "4.8个百分点" for a percentage rate (unit
    ``%``), "3μg/m³", "2万吨", "1个" for other units, a bare "0.01" for a coefficient or an
    index (no unit, "-"). "" when there is no gap figure.

    ``gap_unit`` is the unit of one part (the audit's ``gap_unit``); a unit naming several
    parts ("% / μg/m³", "-、%、-") cannot say which one the gap is in, so none is written.
    """
    if value is None or value != value:
        return ""
    text = fmt(value)
    if value and text.lstrip("-") in ("0", "0.0", "0.00"):  # a real gap below 0.005: never "差距0"
        text = f"{value:.2g}" if abs(value) >= 1e-4 else "不足0.0001"
    unit = str(gap_unit or "").strip()
    if unit in NO_UNIT or " / " in unit or "、" in unit:
        unit = ""
    elif unit == "%":
        unit = "个百分点"
    return f"{text}{unit}"


def rank(row, spec) -> str:
    """Return a unit's rank as "第2/9名", or "" where the document does not rank it."""
    r = row["rank"]
    if r != r or r is None or not row.get("rank_of"):
        return ""
    return f"第{int(r)}/{int(row['rank_of'])}名"


def rank_caption(row, spec) -> str:
    """Return what a rank means: the basis, whether the document ranks, and a veto's effect."""
    if not rank(row, spec):
        return ""
    group = row.get("rank_group") or spec.unit_kind
    kind = "排名" if spec.ranking.kind == "document" else "按总分位次(仅供参考)"
    veto = ";触发合格否决,排在未触发单位之后" if row.get("vetoed") else ""
    return f"在{int(row['rank_of'])}个{group}中{kind}{veto}"


def rank_sentence(row, spec) -> str:
    """Return the rank as a sentence for the narrative ("" where the document does not rank)."""
    text = rank(row, spec)
    if not text:
        return ""
    return f"{rank_caption(row, spec)}为{text}"

#: Where a piece of evidence was typed (``ecoscore.facts.evidence.SOURCES``).
EVIDENCE_SOURCE = {"event": "加扣分事项依据", "task_note": "完成情况说明", "line_note": "情况说明",
                   "remark": "备注", "long_note": "说明"}


def evidence(source: str, text: str) -> str:
    """Return one piece of evidence as shown beside its line: "〔完成情况说明〕text"."""
    return f"〔{EVIDENCE_SOURCE.get(source, source)}〕{text}"


def reading_effect(row, spec) -> str:
    """Return what another reading would change for a unit, e.g.
    "A2(从60分起扣):等次良好→合格;位次第2/9名→第3/9名;总分−3.2分".
    """
    amb = next((a for a in spec.ambiguities if a.id == row["ambiguity"]), None)
    reading = amb.readings.get(row["reading"]) if amb else None
    desc = reading.description if reading and reading.description else row["reading"]
    bits = []
    changes = set(str(row["changes"]).split(","))
    if "grade" in changes:
        bits.append(f"等次{row['grade_before'] or '—'}→{row['grade'] or '—'}")
    if "rank" in changes and row["rank"] == row["rank"]:
        n = int(row["rank_of"])
        before = f"第{int(row['rank_before'])}/{n}名" if row["rank_before"] == row["rank_before"] else "—"
        bits.append(f"位次{before}→第{int(row['rank'])}/{n}名")
    if "compliance" in changes:
        bits.append(f"约束性指标{COMPLIANCE.get(row['compliance_before'], '—')}→{COMPLIANCE.get(row['compliance'], '—')}")
    if "vetoed" in changes:
        bits.append("触发合格否决" if row["vetoed"] else "不再触发合格否决")
    if "barred" in changes and not bits:
        bits.append("评优前置条件的判定改变")
    t, t0 = row.get("total"), row.get("total_before")
    if t == t and t0 == t0 and abs(t - t0) > 1e-9:
        bits.append(f"总分{t0:.2f}→{t:.2f}".replace(".00", ""))
    return f"{row['ambiguity']}({desc}):" + ";".join(bits)


COMPLIANCE = {"met": "全部达标", "not_met": "有未达标", "undetermined": "暂无法判定"}
