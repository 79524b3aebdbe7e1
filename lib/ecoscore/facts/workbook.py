"""Where each fact of a document lives in a facts workbook, and what its columns are called.

A facts workbook has up to three data sheets, all read and written from the spec:

* 单位数据 (``units``): a row per unit and year, a column per fact (wide form);
* 任务完成情况 (``tasks``): a row per unit × task line (completion %, note);
* 加扣分事项 (``events``): a row per event (unit, line, item, count or points, evidence, date),
  summed into the facts of the items a rule declares as event items (``Rule.event_items``:
  ``counted`` items whose spec says a missing report means none).

Every data sheet has a row of field codes (fact keys such as ``二.2:value``, or reserved
codes such as ``unit``) under its Chinese header, so headers stay readable and still map
back to facts unambiguously after WPS re-saves and CSV exports. Facts needed only under
another reading of an ambiguous clause are included too (marked), so an analyst can
switch readings without collecting data again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ecoscore.cells import unquote
from ecoscore.errors import SpecError
from ecoscore.rules.base import NUMERIC_KINDS, FactSpec
from ecoscore.spec import Line, Spec

UNITS, TASKS, EVENTS, LONG = "units", "tasks", "events", "long"
SHEET_NAMES = {UNITS: "单位数据", TASKS: "任务完成情况", EVENTS: "加扣分事项", LONG: "数据(长表)"}
HELP_SHEET, REFERENCE_SHEET, LISTS_SHEET, META_SHEET = "填表说明", "指标说明", "_lists", "_meta"
NON_DATA_SHEETS = {HELP_SHEET, REFERENCE_SHEET, LISTS_SHEET, META_SHEET}

#: The fixed columns of each sheet kind: (field code, Chinese header).
COLUMNS = {
    UNITS: [("year", "年度"), ("unit", "单位")],
    TASKS: [("unit", "单位"), ("line", "条款编号"), ("task", "任务"), ("content", "任务内容(原文)"),
            ("lead", "牵头单位"), ("max", "分值"), ("completion", "完成比例(%)"), ("note", "完成情况说明")],
    EVENTS: [("unit", "单位"), ("line", "条款编号"), ("item", "事项"), ("amount", "次数/分值"),
             ("evidence", "依据(文件、文号或情况说明)"), ("date", "发生日期")],
    LONG: [("year", "年度"), ("unit", "单位"), ("fact", "指标代码"), ("label", "指标名称"),
           ("value", "数值"), ("note", "说明")],
}

#: Header words accepted for the fixed columns (besides the field code itself).
ALIASES = {
    "unit": ["单位", "单位名称", "被考核单位", "考核对象", "责任单位"],
    "year": ["年度", "年份"],
    "remark": ["备注"],
    "line": ["条款编号", "条款", "指标编号"],
    "task": ["任务", "重点工作"],
    "content": ["任务内容(原文)", "任务内容"],
    "lead": ["牵头单位"],
    "max": ["分值"],
    "completion": ["完成比例(%)", "完成比例", "完成率(%)", "完成率"],
    "note": ["完成情况说明", "说明", "情况说明"],
    "item": ["事项"],
    "amount": ["次数/分值", "次数或分值", "数量"],
    "evidence": ["依据(文件、文号或情况说明)", "依据", "佐证材料"],
    "date": ["发生日期", "日期"],
    "fact": ["指标代码", "字段代码"],
    "label": ["指标名称"],
    "value": ["数值", "填报值", "值"],
    # the analyst's grouping of the units (``GROUP_COLUMNS``), not the document's
    "province": ["省份", "所在省份", "省(自治区、直辖市)", "省份〔分析人员分组(非考核文件内容)〕"],
    "city": ["城市", "所在城市", "地市", "市(州)", "城市〔分析人员分组(非考核文件内容)〕"],
}
RESERVED = set(ALIASES)
#: The grouping columns an analyst fills for the units of a cohort (province, city): the
#: analyst's own grouping, not the document's; written where a spec lets analysts add units
#: (``Spec.analyst_units``), read wherever they appear.
GROUP_COLUMNS = [("province", "省份"), ("city", "城市")]
GROUP_HEADER = "分析人员分组(非考核文件内容)"
#: Facts ``@unit:<code>``: the categories an analyst enters for a unit the document does not name.
CATEGORY_PREFIX = "@unit:"
ADDED_UNITS_HEADER = "分析人员添加的单位的类别(仅添加的单位填写)"
_KEY_SHAPE = re.compile(r"^@?[^:\s]+:[A-Za-z_]\w*$")

def norm(text) -> str:
    """Return ``text`` in a canonical form for matching headers: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _alias_codes() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, words in ALIASES.items():
        for w in words:
            out.setdefault(norm(w), code)
    return out


#: ``{normalised header word: field code}`` of ``ALIASES`` (the first code listing a word wins),
#: built once: a reader maps every cell of the first rows and of each row it scans for repeats.
_ALIAS_CODES = _alias_codes()


@dataclass(frozen=True)
class Field:
    """One fact in the layout: its key, where it lives, and how its column is labelled."""

    key: str
    fact: FactSpec
    line: Line | None
    home: str
    alt: str = ""  # "C1=combined" when needed only under another reading

    @property
    def group_header(self) -> str:
        """Return the header shared by the line's columns (clause id and title)."""
        if self.line is None:
            return ADDED_UNITS_HEADER if self.key.startswith(CATEGORY_PREFIX) else "定档政策事项"
        return f"{self.line.id} {self.line.title}"

    @property
    def header(self) -> str:
        """Return the column's own Chinese header: the fact, its unit, optional/alt marks."""
        f = self.fact
        unit = f.unit if f.kind != "percent" or f.unit else "%"
        text = f.label + (f"({unit})" if unit else "")
        if self.alt:
            text += f"〔仅用于解读{self.alt}〕"
        elif not f.required or f.default is not None:
            text += "(选填)"
        return text

    @property
    def line_id(self) -> str:
        """Return the line id (or the policy name) of the key."""
        return self.key.rsplit(":", 1)[0]

    def applies(self, unit: str, spec: Spec | None = None) -> bool:
        """Return whether the fact is asked of ``unit`` (with ``spec``, also of a unit an
        analyst added: the lines ``analyst_units`` lists, and the added unit's categories).
        """
        if self.key.startswith(CATEGORY_PREFIX):
            return spec is not None and unit not in spec.unit_names
        if self.line is None:
            return True
        return spec.applies(self.line, unit) if spec is not None else self.line.applies(unit)

    def needed(self, previous: bool = False) -> bool:
        """Return whether a blank value makes the line 缺数据 (this year, or last year)."""
        if self.alt or not self.fact.required or self.fact.default is not None:
            return False
        return self.fact.previous if previous else True


@dataclass(frozen=True)
class EventItem:
    """An item of a line entered on the events sheet (its rule's ``event_items``), placed."""

    key: str
    line: Line
    name: str
    label: str
    direct: bool
    points: float
    unit: str
    cap: float | None

    @property
    def how(self) -> str:
        """Return how the item scores, in Chinese (e.g. ``每次扣2分,最多6分``)."""
        from ecoscore.rules.base import fmt

        verb = "加" if self.points > 0 else "扣"
        cap = f",最多{fmt(self.cap)}分" if self.cap is not None else ""
        if self.direct:
            return f"按实际{verb}分(填写分值){cap}"
        return f"每{self.unit}{verb}{fmt(abs(self.points))}分{cap}"


@dataclass
class Layout:
    """Every fact of a spec (and of its other readings), placed on a sheet."""

    spec: Spec
    fields: dict[str, Field] = field(default_factory=dict)
    events: dict[str, EventItem] = field(default_factory=dict)
    task_lines: list[Line] = field(default_factory=list)

    def on(self, home: str) -> list[Field]:
        """Return the fields whose home is ``home``, in document order."""
        return [f for f in self.fields.values() if f.home == home]

    def key_index(self) -> dict[str, str]:
        """Return ``{normalised key: key}`` for tolerant header matching."""
        return {norm(k): k for k in self.fields}

    def header_words(self) -> frozenset[str]:
        """Return every header text a template of this layout writes, normalised: the rows of a
        header block a reader skips (the column descriptions under the header).
        """
        words = {norm(t) for cols in COLUMNS.values() for _, t in cols}
        words |= {norm(GROUP_HEADER), *(norm(t) for _, t in GROUP_COLUMNS)}
        for f in self.fields.values():
            words |= {norm(f.group_header), norm(f.header), norm(f"{f.line_id} {f.header}")}
        return frozenset(words)

    def event_lines(self) -> list[str]:
        """Return the ids of the lines entered on the events sheet."""
        return list(dict.fromkeys(e.line.id for e in self.events.values()))

    def units_with_aliases(self) -> dict[str, str]:
        """Return ``{name or alias: unit name}``."""
        out = {}
        for u in self.spec.units:
            out[u.name] = u.name
            for a in u.aliases:
                out.setdefault(a, u.name)
        return out


def is_task_line(line: Line) -> bool:
    """Return whether a line is a task-book row (a completion % and optional notes)."""
    facts = line.rule.facts()
    names = {f.name for f in facts if f.kind != "text"}
    return names == {"completion"} and all(f.kind in ("percent", "text") for f in facts)


def task_reporters(line: Line, spec: Spec, added=()) -> list[str]:
    """Return the units that report a line's facts, as its rule declares (``Rule.reporters``):
    of the units the line applies to, all but those whose figure is derived from the others'.
    ``added`` are units an analyst added (``Spec.analyst_units``): they report the lines that score them.
    """
    own = set(spec.unit_names)
    return line.rule.reporters([u for u in spec.unit_names if line.applies(u)]) + [
        u for u in added if u not in own and spec.applies(line, u)]


def _event_items(line: Line) -> dict[str, EventItem]:
    """Return ``{fact key: item}`` for the items the line's rule declares as events."""
    out = {}
    for e in line.rule.event_items():
        key = f"{line.id}:{e.name}"
        out[key] = EventItem(key, line, e.name, e.label, e.direct, e.points, e.unit, e.cap)
    return out


def _place(spec: Spec, alt: str, lay: Layout) -> None:
    for row in spec.fact_table():
        key, f, line = row["key"], row["fact"], row["line"]
        if key in lay.fields:
            continue
        home = UNITS
        if line is not None and is_task_line(line):
            home = TASKS
        elif line is not None:
            items = _event_items(line)
            if key in items:
                home = EVENTS
                if not alt:
                    lay.events[key] = items[key]
        lay.fields[key] = Field(key, f, line, home, alt)
        if home == TASKS and not alt and line not in lay.task_lines:
            lay.task_lines.append(line)


_CACHE: dict[tuple, Layout] = {}


def build_layout(spec: Spec) -> Layout:
    """Return the layout of ``spec``: its own facts first, then those of its other readings."""
    key = (spec.path, tuple(sorted(spec.readings.items())), id(spec))
    hit = _CACHE.get(key)
    if hit is not None and hit.spec is spec:
        return hit
    lay = Layout(spec)
    _place(spec, "", lay)
    for key, f in spec.category_facts:
        lay.fields[key] = Field(key, f, None, UNITS)
    for amb in spec.ambiguities:
        for name in amb.readings:
            if name == spec.readings.get(amb.id, amb.default):
                continue
            try:
                other = spec.with_readings({amb.id: name})
            except SpecError:  # a broken alternative reading must not stop loading facts
                continue
            _place(other, f"{amb.id}={name}", lay)
    if len(_CACHE) > 32:
        _CACHE.clear()
    _CACHE[key] = lay
    return lay


def map_header(cell, keys: dict[str, str]) -> str | None:
    """Return the field code a header cell stands for, or None.

    Accepts a fact key (tolerating full-width/half-width and whitespace changes), a reserved
    code (``unit``), a Chinese header word for a fixed column (``单位``), or anything shaped
    like a fact key (returned as is, to be reported as an unknown fact).
    """
    if not isinstance(cell, str):  # a number, date or blank heads no column
        return None
    return _map_text(cell, keys)


def _map_text(cell: str, keys: dict[str, str]) -> str | None:
    text = unquote(cell.strip())  # a code row written to CSV as "'@unit:类别"
    if not text:
        return None
    n = _norm_cached(text)
    if n in keys:
        return keys[n]
    low = n.lower()
    if low in RESERVED:
        return low
    code = _ALIAS_CODES.get(n)
    if code is not None:
        return code
    if _KEY_SHAPE.match(n):
        return n
    return None


@lru_cache(maxsize=65536)
def _norm_cached(text: str) -> str:
    """Return ``norm(text)``, remembered: a sheet's cells repeat (categories, yes/no, names)."""
    return norm(text)


def expected_text(f: FactSpec) -> str:
    """Return what a fact's cells should hold, in Chinese (for templates and error tables)."""
    if f.kind == "choice":
        return "以下之一:" + "、".join(f.choices)
    if f.kind == "bool":
        return "是 或 否"
    if f.kind == "date":
        return "日期,如 2024-06-30"
    if f.kind == "text":
        return "文字说明"
    lo, hi = bounds(f)
    return range_text(f.kind, lo, hi)


def range_text(kind: str, lo, hi, word: str | None = None) -> str:
    """Return a numeric fact's allowed range in Chinese ("0至100之间的百分数", "非负整数");
    ``word`` names what the figure is ("浓度") instead of the kind's word.
    """
    from ecoscore.rules.base import fmt

    word = word or {"percent": "百分数", "days": "天数", "points": "分值", "count": "整数"}.get(kind, "数值")
    if kind == "percent" and lo == 0 and hi == 100:
        return "0至100之间的百分数"
    if kind == "count" and lo == 0 and hi is None:
        return "非负整数"
    if lo is not None and hi is not None:
        return f"{fmt(lo)}至{fmt(hi)}之间的{word}"
    if lo is not None:
        return f"不小于{fmt(lo)}的{word}" if lo else f"非负{word}(不能为负数)"
    if hi is not None:
        return f"不大于{fmt(hi)}的{word}"
    return word


def bounds(f: FactSpec) -> tuple[float | None, float | None]:
    """Return the allowed range of a numeric fact (percentages 0-100, counts and days ≥ 0)."""
    lo, hi = f.minimum, f.maximum
    if f.kind == "percent":
        lo = 0.0 if lo is None else lo
        hi = 100.0 if hi is None else hi
    elif f.kind in ("count", "days") and lo is None:
        lo = 0.0
    return lo, hi


def is_numeric(f: FactSpec) -> bool:
    """Return whether a fact holds a number."""
    return f.kind in NUMERIC_KINDS
