"""Turn each data sheet of a facts file into cells: (year, unit, fact key, raw value, position).

Structural problems — an unknown or repeated unit, an unknown fact, task or event line, a
bad year — are found here, sheet by sheet, with pandera schemas over the sheet's fixed
columns. What the values say is checked afterwards, on all sheets together
(``ecoscore.facts``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa

from ecoscore.cells import unquote
from ecoscore.errors import Problem
from ecoscore.facts.files import RawSheet, as_text, data_rows, quote
from ecoscore.facts.validate import (
    COMMA,
    DATE,
    NOT_INTEGER,
    NOT_NUMBER,
    bad_comma,
    parse_date,
    parse_number,
    parse_year,
    run,
    suggest,
)
from ecoscore.facts.workbook import (
    CATEGORY_PREFIX,
    EVENTS,
    GROUP_COLUMNS,
    LONG,
    RESERVED,
    TASKS,
    UNITS,
    Layout,
    norm,
    task_reporters,
)


@dataclass
class Cell:
    """One value for one unit, year and fact, with where it was found."""

    year: int
    unit: str
    key: str
    raw: Any
    where: Problem
    keep: bool = True  # False: a row refused for its unit or year, whose values are still checked


@dataclass
class Collected:
    """What the sheets of one or more files hold, and the problems found in their structure."""

    cells: list[Cell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    kinds: dict[str, list[RawSheet]] = field(default_factory=dict)
    rows: dict[tuple[int, str], Problem] = field(default_factory=dict)  # (year, unit) → its row
    columns: dict[str, Problem] = field(default_factory=dict)  # key → a column holding it
    task_rows: dict[tuple[int, str, str], Problem] = field(default_factory=dict)  # (year, unit, line) → row
    events: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    remarks: dict[str, str] = field(default_factory=dict)
    #: the analyst's grouping (``GROUP_COLUMNS``) typed on each unit's rows: (year, unit) → {code: text}
    groups: dict[tuple[int, str], dict[str, str]] = field(default_factory=dict)
    notes: list[dict] = field(default_factory=list)  # free text as typed, in file order (see Reader._notes)
    foreign: bool = False  # a sheet names none of the document's units: another document's file
    added: list[str] = field(default_factory=list)  # units an analyst added (``Spec.analyst_units``)


def classify(sheet: RawSheet) -> str | None:
    """Return the kind of a sheet from its field codes, or None."""
    codes = set(sheet.codes.values())
    if {"line", "completion"} <= codes:
        return TASKS
    if "line" in codes and ({"item", "amount"} & codes):
        return EVENTS
    if {"fact", "value"} <= codes:
        return LONG
    if "unit" in codes:
        return UNITS
    return None


def at(p: Problem, **changes) -> Problem:
    """Return a copy of a position with some fields changed."""
    q = copy.copy(p)
    for k, v in changes.items():
        setattr(q, k, v)
    return q


class Reader:
    """Extract cells from the sheets of one file for one assessment year."""

    def __init__(self, lay: Layout, out: Collected, *, year: int, years: tuple[int, ...]):
        self.lay, self.out, self.year, self.years = lay, out, year, years
        self.names = lay.units_with_aliases()
        self.names.update({u: u for u in out.added})
        # normalised name → unit, the first spelling winning: built once, not per cell (a
        # cohort of thousands of added units would otherwise be quadratic)
        self.normed: dict[str, str] = {}
        for k, v in self.names.items():
            self.normed.setdefault(norm(k), v)
        self.keys = lay.key_index()
        self.categories = [k for k in lay.fields if k.startswith(CATEGORY_PREFIX)]

    # -- shared pieces -------------------------------------------------------------------
    def _col(self, sheet: RawSheet, code: str) -> int | None:
        for j, c in sheet.codes.items():
            if c == code:
                return j
        return None

    def _frame(self, sheet: RawSheet, codes: list[str]) -> tuple[pd.DataFrame, list[int]]:
        cols = {c: self._col(sheet, c) for c in codes}
        rows, idx = [], []
        for i, row in data_rows(sheet):
            rows.append({c: (row[j] if j is not None and j < len(row) else None) for c, j in cols.items()})
            idx.append(i)
        return pd.DataFrame(rows, columns=codes, index=idx, dtype=object), idx

    def _unit(self, raw) -> str | None:
        if raw is None:
            return None
        s = str(raw).strip()
        if s in self.names:
            return self.names[s]
        return self.normed.get(norm(s))

    def _added_hint(self) -> str:
        a = self.lay.spec.analyst_units
        if a is None:
            return ""
        dims = "、".join(c.dim for c in a.categories)
        return f";如为分析人员添加的{a.label},请在同一行填写其类别({dims})"

    def _declare(self, name, given: set[str]) -> None:
        """Take ``name`` as a unit an analyst added when it is no unit of the document and
        every category of ``Spec.analyst_units`` is entered for it (``given``: the category
        keys filled on its rows); a misspelt unit enters no category and is still refused.
        """
        if name is None or not self.categories or self._unit(name) is not None:
            return
        if set(self.categories) <= given:
            s = str(name).strip()
            self.names[s] = s
            self.normed.setdefault(norm(s), s)
            if s not in self.out.added:
                self.out.added.append(s)

    def _notes(self, sheet: RawSheet, i: int, year: int, unit: str, texts: list[tuple[int | None, str, str]]) -> None:
        """Record the free text of row ``i``: ``texts`` lists (column, line id, source) and
        is recorded in column order, so ``notes`` stays in file order. Blank cells are skipped.
        """
        for j, line_id, source in sorted((t for t in texts if t[0] is not None), key=lambda t: t[0]):
            text = sheet.text(i, j)
            if text:
                self.out.notes.append({"year": year, "unit": unit, "line_id": line_id, "source": source,
                                       "text": text, "file": sheet.file, "sheet": sheet.name, "row": i + 1})

    def _group(self, sheet: RawSheet, i: int, year: int, unit: str, cols: dict[str, int | None]) -> None:
        """Record the grouping typed on row ``i`` (``cols``: code → column) for ``unit`` and
        ``year``; the first value given for each code is kept, a blank never clears one.
        """
        for code, j in cols.items():
            text = sheet.text(i, j)
            if text:
                self.out.groups.setdefault((year, unit), {}).setdefault(code, text.strip())

    def _text_source(self, key: str) -> str:
        """Return the source code of a text fact: a task's 完成情况说明, or another line's note."""
        return "task_note" if self.lay.fields[key].home == TASKS else "line_note"

    def _foreign(self, sheet: RawSheet, frame: pd.DataFrame) -> bool:
        """Record a sheet none of whose units belong to the document (another document's data)."""
        given = [v for v in dict.fromkeys(frame["unit"]) if v is not None]
        if len(given) < 2 or any(self._unit(v) is not None for v in given):
            return False
        names = "、".join(quote(v) for v in given[:3])
        self.out.problems.append(at(sheet.where(sheet.header_row, self._col(sheet, "unit")),
                                    expected=f"考核文件 {self.lay.spec.id} 所列单位(该表可能属于另一考核文件)",
                                    found=f"{len(given)}个单位均不在名单中,如 {names}"))
        self.out.foreign = True
        return True

    def _structure(self, sheet: RawSheet, frame: pd.DataFrame, extra: dict[str, pa.Column],
                   unique: list[str]) -> None:
        """Check the unit (and year) columns and uniqueness; record problems."""
        known = list(self.lay.spec.unit_names)
        cols = {"unit": pa.Column(None, pa.Check(lambda s: s.map(lambda v: self._unit(v) is not None),
                                                  error="unit"), nullable=False)}
        if "year" in frame.columns:
            allowed = "或".join(str(y) for y in self.years)
            cols["year"] = pa.Column(None, pa.Check(
                lambda s: s.map(lambda v: parse_year(v) in self.years), error=f"年度 {allowed}"), nullable=True)
        cols.update(extra)
        schema = pa.DataFrameSchema(cols, unique=unique or None, report_duplicates="exclude_first")
        canon = frame.copy()
        canon["unit"] = [self._unit(v) or v for v in frame["unit"]]
        if "year" in canon.columns:
            # a year that cannot be read keeps its text, so the check names its row ("20", a date)
            canon["year"] = [self.year if v is None else y if (y := parse_year(v)) is not None else as_text(v)
                             for v in frame["year"]]
        first: dict[tuple, int] = {}
        for i, r in canon.iterrows():
            first.setdefault(tuple(r[c] for c in unique), i)

        def locate(i, col):
            j = self._col(sheet, col) if col else None
            return sheet.where(i, j, as_text(frame.at[i, "unit"]) if frame.at[i, "unit"] else "")

        problems, seen_dup = [], set()
        for p in run(schema, canon, locate):
            if p.expected == "不重复":  # one problem per repeated row, shown at the unit column
                if p.row in seen_dup:
                    continue
                seen_dup.add(p.row)
                p.column = sheet.column(self._col(sheet, "unit"))
            problems.append(p)
        for p in problems:
            i = int(p.row) - 1
            if p.expected == "unit":
                raw = frame.at[i, "unit"]
                best = suggest(str(raw), known)
                p.expected = ("考核文件所列单位名称" + (f",最接近的是「{best}」" if best else "")
                              + "(须与名单完全一致)" + self._added_hint())
                p.found = quote(raw)
            elif p.expected == "不重复":
                dup = first[tuple(canon.at[i, c] for c in unique)] + 1
                what = ("每个单位每项指标只填一行" if "fact" in unique else "每个单位每年度只填一行"
                        if "year" in unique else "每个单位每项只填一行")
                p.expected, p.found = what, f"与第{dup}行重复"
            elif p.expected == "不能为空" and p.column == sheet.column(self._col(sheet, "unit")):
                p.expected = "单位名称(有数据的行须填写单位)"
            elif p.expected.startswith("年度"):
                p.expected, p.found = f"{p.expected}(或留空表示{self.year}年度)", quote(frame.at[i, "year"])
        self.out.problems.extend(problems)
        self.bad_rows = {int(p.row) - 1 for p in problems}

    def _checked_only(self, sheet: RawSheet, i: int, frame: pd.DataFrame, keys: dict[int, str],
                      value=None) -> None:
        """Record the values of a row refused for its unit, year or repetition, to be checked
        (so every problem of the row is reported at once) but never used.
        """
        unit = as_text(frame.at[i, "unit"]) if frame.at[i, "unit"] is not None else ""
        row = sheet.rows[i]
        for j, key in keys.items():
            v = value if value is not None else (row[j] if j is not None and j < len(row) else None)
            if v is not None and key in self.lay.fields and self.lay.fields[key].fact.kind != "text":
                self.out.cells.append(Cell(self.year, unit, key, v, sheet.where(i, j, unit), keep=False))

    # -- the four sheet kinds ------------------------------------------------------------
    def units(self, sheet: RawSheet) -> None:
        """Read a wide sheet: a row per unit (and year), a column per fact."""
        codes = ["unit", "year"] if self._col(sheet, "year") is not None else ["unit"]
        frame, idx = self._frame(sheet, codes)
        if self._foreign(sheet, frame):
            return
        keys: dict[int, str] = {}
        seen: dict[str, int] = {}
        facts = {j: c for j, c in sheet.codes.items() if c not in RESERVED}
        unknown = [j for j, c in facts.items() if c not in self.lay.fields]
        if len(unknown) >= 2 and len(unknown) == len(facts):  # no fact of this document at all
            names = [facts[j] for j in unknown]
            self.out.problems.append(at(sheet.where(sheet.header_row), expected=(
                f"考核文件 {self.lay.spec.id} 的指标代码(该表可能属于另一考核文件)"),
                found=f"{len(names)}个指标代码均不属于本考核文件,如 {'、'.join(names[:3])}"))
            self.out.foreign = True
            return
        for j, code in sheet.codes.items():
            if code in RESERVED:
                continue
            if code not in self.lay.fields:
                self._unknown_fact(sheet, sheet.header_row, j, code)
                continue
            if code in seen:
                self.out.problems.append(at(sheet.where(sheet.header_row, j), expected="每个指标只占一列",
                                            found=f"与{sheet.column(seen[code])}重复"))
                continue
            seen[code] = j
            keys[j] = code
            self.out.columns.setdefault(code, sheet.where(sheet.header_row, j))
        if not idx:
            return
        cat_cols = {j: k for j, k in keys.items() if k in self.categories}
        for i in idx:
            row = sheet.rows[i]
            self._declare(frame.at[i, "unit"], {k for j, k in cat_cols.items()
                                                 if j < len(row) and row[j] not in (None, "")})
        self._structure(sheet, frame, {}, unique=codes[::-1] if "year" in codes else ["unit"])
        rcol = self._col(sheet, "remark")
        gcols = {code: self._col(sheet, code) for code, _ in GROUP_COLUMNS}
        texts = [(j, self.lay.fields[k].line_id, self._text_source(k)) for j, k in keys.items()
                 if self.lay.fields[k].fact.kind == "text"] + [(rcol, "", "remark")]
        for i in idx:
            if i in self.bad_rows:
                self._checked_only(sheet, i, frame, keys)
                continue
            row = sheet.rows[i]
            unit = self._unit(row[self._col(sheet, "unit")])
            yraw = frame.at[i, "year"] if "year" in codes else None
            year = parse_year(yraw) if yraw is not None else self.year
            self.out.rows.setdefault((year, unit), sheet.where(i, None, unit))
            if rcol is not None and rcol < len(row) and row[rcol] is not None and year == self.year:
                self.out.remarks[unit] = as_text(row[rcol])
            self._group(sheet, i, year, unit, gcols)
            self._notes(sheet, i, year, unit, texts)
            for j, key in keys.items():
                v = row[j] if j < len(row) else None
                self.out.cells.append(Cell(year, unit, key, v, sheet.where(i, j, unit)))

    def long(self, sheet: RawSheet) -> None:
        """Read a long sheet: a row per unit, fact and value."""
        codes = ["unit", "fact", "value"] + (["year"] if self._col(sheet, "year") is not None else [])
        frame, idx = self._frame(sheet, codes)
        if not idx or self._foreign(sheet, frame):
            return
        fcol, vcol = self._col(sheet, "fact"), self._col(sheet, "value")
        ncol, rcol = self._col(sheet, "note"), self._col(sheet, "remark")
        gcols = {code: self._col(sheet, code) for code, _ in GROUP_COLUMNS}
        canon = frame.copy()
        canon["fact"] = [self.keys.get(norm(unquote(v)), v) if v is not None else None for v in frame["fact"]]
        fact_ok = pa.Column(None, pa.Check(lambda s: s.map(lambda v: v in self.lay.fields), error="fact"),
                            nullable=False)
        frame["fact"] = canon["fact"]
        given: dict[str, set[str]] = {}
        for i in idx:
            if canon.at[i, "fact"] in self.categories and frame.at[i, "value"] not in (None, ""):
                given.setdefault(str(frame.at[i, "unit"]).strip(), set()).add(canon.at[i, "fact"])
        for name, keys in given.items():
            self._declare(name, keys)
        self._structure(sheet, frame, {"fact": fact_ok}, unique=["unit", "fact"] + (
            ["year"] if "year" in codes else []))
        for p in self.out.problems:
            if p.sheet == sheet.name and p.file == sheet.file and p.expected == "fact":
                self._unknown_fact_text(p, frame.at[int(p.row) - 1, "fact"])
        for i in idx:
            if i in self.bad_rows:
                if canon.at[i, "fact"] in self.lay.fields:
                    self._checked_only(sheet, i, frame, {vcol: canon.at[i, "fact"]}, value=frame.at[i, "value"])
                continue
            unit = self._unit(frame.at[i, "unit"])
            key = canon.at[i, "fact"]
            yraw = frame.at[i, "year"] if "year" in codes else None
            year = parse_year(yraw) if yraw is not None else self.year
            self.out.rows.setdefault((year, unit), sheet.where(i, None, unit))
            self.out.columns.setdefault(key, sheet.where(i, fcol))
            self.out.cells.append(Cell(year, unit, key, frame.at[i, "value"], sheet.where(i, vcol, unit)))
            self._group(sheet, i, year, unit, gcols)
            f = self.lay.fields[key]
            value = vcol if f.fact.kind == "text" else None  # a text fact's value is itself a note
            self._notes(sheet, i, year, unit, [(value, f.line_id, self._text_source(key)),
                                               (ncol, f.line_id, "long_note"), (rcol, f.line_id, "remark")])

    def tasks(self, sheet: RawSheet) -> None:
        """Read the task sheet: a row per unit and task line (completion %, note)."""
        lines = {ln.id: ln for ln in self.lay.task_lines}
        frame, idx = self._frame(sheet, ["unit", "line", "completion", "note"])
        if not idx:
            return
        frame["line"] = [_line_id(v, lines) for v in frame["line"]]
        line_ok = pa.Column(None, pa.Check(lambda s: s.map(lambda v: v in lines), error="line"), nullable=False)
        self._structure(sheet, frame, {"line": line_ok}, unique=["unit", "line"])
        for p in self.out.problems:
            if p.sheet == sheet.name and p.expected == "line" and p.file == sheet.file:
                raw = frame.at[int(p.row) - 1, "line"]
                best = suggest(str(raw), list(lines)) if raw is not None else None
                p.expected = "任务书所列条款编号" + (f",最接近的是「{best}」" if best else "")
                p.found = quote(raw)
        ccol, ncol, rcol = self._col(sheet, "completion"), self._col(sheet, "note"), self._col(sheet, "remark")
        for i in idx:
            if i in self.bad_rows:
                if frame.at[i, "line"] in lines:
                    self._checked_only(sheet, i, frame, {ccol: f"{frame.at[i, 'line']}:completion"},
                                       value=frame.at[i, "completion"])
                continue
            unit, line = self._unit(frame.at[i, "unit"]), lines[frame.at[i, "line"]]
            where = sheet.where(i, None, unit)
            reporters = task_reporters(line, self.lay.spec, self.out.added)
            if unit not in reporters:
                self.out.problems.append(at(where, column=sheet.column(self._col(sheet, "line")),
                                            expected=f"该任务的责任单位({'、'.join(reporters)})",
                                            found=f"{line.id} 不适用于{unit}"))
                continue
            self.out.task_rows[(self.year, unit, line.id)] = where
            self.out.cells.append(Cell(self.year, unit, f"{line.id}:completion", frame.at[i, "completion"],
                                       sheet.where(i, ccol, unit)))
            if f"{line.id}:note" in self.lay.fields and frame.at[i, "note"] is not None:
                self.out.cells.append(Cell(self.year, unit, f"{line.id}:note", frame.at[i, "note"],
                                           sheet.where(i, ncol, unit)))
            self.out.tasks.append({"unit": unit, "line_id": line.id, "completion": frame.at[i, "completion"],
                                   "note": frame.at[i, "note"], "row": i + 1, "year": self.year,
                                   "file": sheet.file, "sheet": sheet.name})
            self._notes(sheet, i, self.year, unit, [(ncol, line.id, "task_note"), (rcol, line.id, "remark")])
        for ln in self.lay.task_lines:
            self.out.columns.setdefault(f"{ln.id}:completion", sheet.where(sheet.header_row, ccol))

    def events(self, sheet: RawSheet) -> None:
        """Read the events sheet: a row per event, summed into the counted rules' facts."""
        lines = self.lay.event_lines()
        frame, idx = self._frame(sheet, ["unit", "line", "item", "amount", "evidence", "date"])
        if not idx:
            return
        frame["line"] = [_line_id(v, lines) for v in frame["line"]]
        extra = {
            "line": pa.Column(None, pa.Check(lambda s: s.map(lambda v: v in lines), error="line"), nullable=False),
            "amount": pa.Column(None, [
                pa.Check(lambda s: s.map(lambda v: not bad_comma(v)), error=COMMA),
                pa.Check(lambda s: s.map(lambda v: parse_number(v) is not None or bad_comma(v)), error=NOT_NUMBER),
                pa.Check(lambda s: s.map(lambda v: (parse_number(v) or 0) >= 0), error="非负数(扣分也填正数)"),
            ], nullable=True),
            "date": pa.Column(None, [
                pa.Check(lambda s: s.map(lambda v: parse_date(v) is not None), error=DATE),
                pa.Check(lambda s: s.map(lambda v: (d := parse_date(v)) is None or d.year == self.year),
                         error=f"考核年度内的日期({self.year}年1月1日至12月31日;其他年度的事项不计入本年度)"),
            ], nullable=True),
        }
        self._structure(sheet, frame, extra, unique=[])
        for p in self.out.problems:
            if p.sheet == sheet.name and p.expected == "line" and p.file == sheet.file:
                raw = frame.at[int(p.row) - 1, "line"]
                p.expected = "加扣分事项所属条款编号之一:" + "、".join(lines)
                p.found = quote(raw)
        acol, icol = self._col(sheet, "amount"), self._col(sheet, "item")
        ecol, rcol = self._col(sheet, "evidence"), self._col(sheet, "remark")
        sums: dict[tuple[str, str], list] = {}
        for i in idx:
            if i in self.bad_rows:
                continue
            unit, lid = self._unit(frame.at[i, "unit"]), frame.at[i, "line"]
            item = self._item(lid, frame.at[i, "item"])
            where = sheet.where(i, None, unit)
            if item is None:
                labels = "、".join(e.label for e in self.lay.events.values() if e.line.id == lid)
                self.out.problems.append(at(where, column=sheet.column(icol), expected=f"{lid} 的事项之一:{labels}",
                                            found=quote(frame.at[i, "item"])))
                continue
            if not item.line.applies(unit):
                self.out.problems.append(at(where, column=sheet.column(self._col(sheet, "line")),
                                            expected="该条款适用的单位", found=f"{lid} 不适用于{unit}"))
                continue
            raw = frame.at[i, "amount"]
            amount = parse_number(raw) if raw is not None else (None if item.direct else 1.0)
            if amount is None:
                self.out.problems.append(at(where, column=sheet.column(acol), expected="分值(按实际加扣分的事项须填写)",
                                            found="(空)"))
                continue
            if not item.direct and not float(amount).is_integer():
                self.out.problems.append(at(where, column=sheet.column(acol), expected=f"{NOT_INTEGER}(次数)",
                                            found=quote(raw)))
                continue
            sums.setdefault((unit, item.key), [0.0, sheet.where(i, acol, unit)])[0] += amount
            self.out.events.append({
                "unit": unit, "line_id": lid, "item": item.label, "key": item.key, "amount": amount,
                "evidence": frame.at[i, "evidence"], "date": parse_date(frame.at[i, "date"])
                if frame.at[i, "date"] is not None else None, "row": i + 1, "year": self.year,
                "file": sheet.file, "sheet": sheet.name,
            })
            self._notes(sheet, i, self.year, unit, [(ecol, lid, "event"), (rcol, lid, "remark")])
        for (unit, key), (total, where) in sums.items():
            self.out.cells.append(Cell(self.year, unit, key, total, where))
        for key in self.lay.events:
            self.out.columns.setdefault(key, sheet.where(sheet.header_row, acol))

    def _item(self, lid: str, raw):
        items = [e for e in self.lay.events.values() if e.line.id == lid]
        if raw is None:
            return items[0] if len(items) == 1 else None
        n = norm(raw)
        for e in items:
            if n in (norm(e.label), norm(e.name), norm(e.key)):
                return e
        return None

    def _unknown_fact(self, sheet: RawSheet, i: int, j: int, code: str) -> None:
        p = sheet.where(i, j)
        self._unknown_fact_text(p, code)
        self.out.problems.append(p)

    def _unknown_fact_text(self, p: Problem, code) -> None:
        best = suggest(str(code), list(self.lay.fields), cutoff=0.75) if code is not None else None
        p.expected = "考核文件规定的指标代码" + (f",最接近的是「{best}」" if best else "")
        p.found = quote(code)


def _line_id(v, known) -> str | None:
    """Return the line id a cell names: as typed, or the known id it matches ignoring width
    and spaces ("加．1" is 加.1).
    """
    if v is None:
        return None
    text = as_text(v).strip()
    if text in known:
        return text
    n = norm(text)
    return next((k for k in known if norm(k) == n), text)
