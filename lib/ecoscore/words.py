"""The words a reader sees for the values inside: outcomes, polarities, gate kinds, line kinds.

Scoring keeps codes (``Outcome``, ``Polarity``, gate kinds); every Chinese word for them is
chosen here and nowhere else, so the report, the index, the CLI and the exports say the same.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

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


# ------------------------------------------------------------------ figures
#: How many decimals a figure is written with (``fmt``: at most two, no trailing zeros). Every
#: figure in a report's text and tables is written by ``num`` (or ``fmt``, the same rule), and
#: every sum a report prints is the sum of the figures it prints (``points_shown``).
DECIMALS = 2


def num(x, unit: str = "") -> str:
    """Return a figure as every report writes it (at most two decimals, no trailing zeros,
    never "-0"), with ``unit``; "" for a missing figure.
    """
    if x is None or (isinstance(x, float) and x != x):
        return ""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return f"{x}{unit}"
    if v != v:
        return ""
    text = fmt(0.0 if abs(v) < 0.5 * 10 ** -DECIMALS else v)
    return f"{text}{unit}"


def shown(x) -> float:
    """Return a figure as written (``num``), as a number: what a reader adds up."""
    text = num(x)
    return float(text) if text else 0.0


def completion(x) -> str:
    """Return a task's completion in per cent: never "100%" for a task not complete (99.996 →
    "99.99%"), never more decimals than ``num``.
    """
    if x is None or x != x:
        return ""
    v = float(x)
    if v < 100 and shown(v) >= 100:
        return f"{math.floor(v * 10 ** DECIMALS) / 10 ** DECIMALS:.{DECIMALS}f}".rstrip("0").rstrip(".") + "%"
    return num(v, "%")


def pair(a, b, unit: str = "") -> tuple[str, str]:
    """Return two figures to be compared (this year and last, value and target), each with
    the fewest decimals (two to four) that keep them apart when they differ: 0.4107 and 0.41
    are "0.4107" and "0.41", not "0.41" twice.
    """
    if a is None or b is None or a != a or b != b or shown(a) != shown(b) or float(a) == float(b):
        return num(a, unit), num(b, unit)
    for d in (3, 4):
        x, y = round(float(a), d), round(float(b), d)
        if x != y:
            return (f"{x:.{d}f}".rstrip("0").rstrip(".") + unit, f"{y:.{d}f}".rstrip("0").rstrip(".") + unit)
    return num(a, unit), num(b, unit)


def points(x, *, verb: str = "得") -> str:
    """Return a line's points as a reader says them: "得8分", and for a negative figure "扣3分"
    (never "得-3分").
    """
    v = shown(x)
    return f"扣{num(-v)}分" if v < 0 else f"{verb}{num(v)}分"


@dataclass
class Shown:
    """A unit's points as its report prints them, so that every printed sum adds up.

    ``lines`` (audit index → points) are each line's own figure (``shown``); a group with no
    adjustment prints the sum of its printed lines and subgroups; a group with a cap or floor
    prints its own figure and the adjustment row the difference. The total is the total as
    every view prints it; ``total_adjustment`` is the figure the total-level adjustment's
    reason gives (the printed sections as scored), and ``rounding`` (尾差) whatever is left
    between the printed parts and the printed total, 0 when they add up.
    """

    lines: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    adjustments: dict = field(default_factory=dict)
    total: float | None = None
    total_adjustment: float = 0.0
    rounding: float = 0.0


def points_shown(audit, rollup, total_id: str = "总分") -> Shown:
    """Return the printed figures of one unit (``Shown``) from its audit rows (``group``,
    ``awarded``, ``kind``) and rollup rows (``level``, ``id``, ``parent``, ``depth``,
    ``adjustment``, ``awarded``).
    """
    out = Shown()
    for k, a, kind in zip(audit.index, audit["awarded"], audit["kind"]):
        if a == a and kind != "gate":
            out.lines[k] = shown(a)
    if rollup is None or not len(rollup):
        return out
    groups = rollup[rollup["level"] == "group"]
    own: dict[str, float] = {}
    for g, a, kind in zip(audit["group"], audit["awarded"], audit["kind"]):
        if a == a and kind != "gate":
            own[g] = own.get(g, 0.0) + shown(a)
    children: dict = {}
    for c, p in zip(groups["id"], groups["parent"]):
        children.setdefault(p, []).append(c)
    for r in groups.sort_values("depth", ascending=False, kind="stable").to_dict("records"):
        parts = round(own.get(r["id"], 0.0) + sum(out.groups[c] for c in children.get(r["id"], ())
                                                  if c in out.groups), DECIMALS)
        if abs(r["adjustment"]) > 1e-9:
            out.groups[r["id"]] = shown(r["awarded"])
            out.adjustments[r["id"]] = round(out.groups[r["id"]] - parts, DECIMALS)
        else:
            out.groups[r["id"]] = parts
    tot = rollup[rollup["level"] == "total"]
    if len(tot):
        t = tot.iloc[0]
        top = groups[groups["parent"].fillna("") == ""]
        sections = round(sum(out.groups[g] for g in top["id"]), DECIMALS)
        out.total = shown(t["awarded"])
        if abs(t["adjustment"]) > 1e-9:  # as its reason says: the sections as scored, each printed
            out.total_adjustment = round(out.total - round(sum(shown(x) for x in top["awarded"]), DECIMALS), DECIMALS)
            out.adjustments[total_id] = out.total_adjustment
        out.rounding = round(out.total - sections - out.total_adjustment, DECIMALS)
    return out


ROUNDING = "四舍五入尾差"


# ---------------------------------------------------------------- brackets
def nested(text: str) -> str:
    """Return ``text`` with brackets inside brackets written as square brackets (GB/T 15834:
    外层用圆括号,里层用方括号), so a reader never meets "))" or "((":
    "平均74.63分(一得73分(13家))" → "平均74.63分(一得73分［13家］)". Text whose brackets do not
    pair up is returned as it is.
    """
    text = str(text or "")
    depth, out, stack = 0, [], []
    for ch in text:
        if ch in "((":
            depth += 1
            stack.append(depth > 1)
            out.append("［" if depth > 1 else "(")
        elif ch in "))":
            if not stack:
                return text
            out.append("］" if stack.pop() else ")")
            depth -= 1
        else:
            out.append(ch)
    return "".join(out) if not stack else text


# ---------------------------------------------------------------- readings
_FACT_KEY = re.compile(r"[((]\s*@[^()()]*[))]|@[\w.\-()()一-龥]+:[A-Za-z_]\w*")
#: A code a reader cannot read: snake_case, a field name, an English word in lower case.
CODE = re.compile(r"[A-Za-z0-9]+_[A-Za-z0-9_]+|@[A-Za-z_]\w*|(?<![A-Za-z])[a-z]{4,}(?![A-Za-z])")


def reading_text(text: str, names: dict[str, str] | None = None) -> str:
    """Return a spec's text about a reading (a question, a description) as a reader sees it:
    the fact keys an analyst fills ("(@key_unit_promotion:approved)") left out, another
    reading named by its code ("C1取combined") named by its words (``names``: code →
    description), and a clause meant for whoever edits the spec (field names such as
    ``applies_to``) left out.
    """
    return _reading_text(str(text or ""), tuple((names or {}).items()))


@lru_cache(maxsize=8192)
def _reading_text(text: str, names: tuple[tuple[str, str], ...]) -> str:
    out = _FACT_KEY.sub("", text)
    if names:
        pattern, words_of = _code_words(names)
        out = pattern.sub(lambda m: words_of[m.group(0)], out)
    clauses = re.split(r"(?<=[。;;])", out)
    out = "".join(c for c in clauses if not CODE.search(c))
    out = re.sub(r"得\s*[-−]\s*(?=\d)", "得负", out)  # "得−5分" (a reading about negative points): 得负5分
    return nested(re.sub(r"[;;]$", "", re.sub(r"\s{2,}", " ", out).strip()))


@lru_cache(maxsize=64)
def _code_words(names: tuple[tuple[str, str], ...]) -> tuple[re.Pattern, dict[str, str]]:
    """Return one pattern matching any reading code of ``names`` as a whole word, and each
    code's words: the first clause of its description ("“按比例计分”").
    """
    words_of = {code: f"“{re.split(r'[,,;;::(( 。]', _reading_text(desc, ()))[0]}”" for code, desc in names}
    alternatives = "|".join(re.escape(c) for c in sorted(words_of, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z_])(?:{alternatives})(?![A-Za-z_])"), words_of


def _short(text: str, limit: int = 24) -> str:
    """Return the first clauses of ``text`` (outside brackets) within ``limit`` characters, "……" marking a cut."""
    if len(text) <= limit:
        return text
    depth, cut = 0, -1
    for k, ch in enumerate(text[:limit]):
        depth += (ch in "((［") - (ch in "))］")
        if depth == 0 and ch in ",,;;::":
            cut = k
    return (text[:cut] if cut > 3 else re.split(r"[((［]", text[:limit])[0]) + "……"


def reading_names(spec) -> dict[str, str]:
    """Return every reading code of ``spec`` with its description (for ``reading_text``)."""
    return {n: r.description for a in spec.ambiguities for n, r in a.readings.items() if r.description}


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
    desc = reading_text(reading.description, reading_names(spec)) if reading and reading.description else "另一种读法"
    desc = _short(desc)
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
        bits.append(f"总分{num(t0)}→{num(t)}")
    named = f"「{desc}」" if re.search(r"[()()]", desc) else f"({desc})"  # never "…))"
    return f"{row['ambiguity']}{named}:" + ";".join(bits)


COMPLIANCE = {"met": "全部达标", "not_met": "有未达标", "undetermined": "暂无法判定"}


def scenario_banner(record: dict | None) -> str:
    """Return the banner of a result scored under a scenario (its provenance record); "" for none."""
    if not record:
        return ""
    note = f"({record['note']})" if record.get("note") else ""
    return (f"假设情景「{record.get('name', '')}」{note}:按改动后的数据计算(改动{record.get('changes', 0)}项),"
            f"不是实际考核结果,不得引用或上报")
