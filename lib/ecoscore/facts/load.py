"""Facts in: load and validate the facts files analysts collect, and the bundled sample data.

``load_facts(spec, path)`` returns ``(current, previous)``: wide tables indexed by unit name
whose columns are fact keys (``"二.2:value"``, ``"@policy:name"``), as ``ecoscore.score``
takes them. Every problem in the files is collected and raised at once as a ``FactsError``
whose ``table`` has one row per problem (file, sheet, row, column, unit, expected, found);
a file with errors yields nothing. Blank values are not errors — the line is scored
缺数据 — but they are reported as warnings (``strict=True`` makes them errors).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ecoscore.errors import FactsError, Problem
from ecoscore.facts.files import RawFile, find_header, is_data_sheet, read_file
from ecoscore.facts.sheets import Cell, Collected, Reader, at, classify
from ecoscore.facts.validate import (
    ONE_AS_WHOLE,
    convert,
    facts_schema,
    looks_like_fractions,
    ones_as_whole,
    run,
)
from ecoscore.facts.workbook import (
    CATEGORY_PREFIX,
    EVENTS,
    GROUP_COLUMNS,
    LONG,
    SHEET_NAMES,
    TASKS,
    UNITS,
    Layout,
    build_layout,
    expected_text,
    is_numeric,
    task_reporters,
)

#: Where the bundled sample data live: ``data/<doc id>/示例数据-<year>.xlsx``.
from ecoscore.paths import DATA_DIR  # noqa: F401  (re-exported)
from ecoscore.spec import Spec, load_spec

SAMPLE_WORD = "示例数据"
#: Columns of ``FactsBundle.notes``: each piece of free text typed for the current year.
NOTE_COLUMNS = ["unit", "line_id", "source", "text", "file", "sheet", "row"]
#: Columns of ``FactsBundle.groups``: the analyst's grouping of each unit (``GROUP_COLUMNS``).
GROUP_TABLE_COLUMNS = ["unit", *[code for code, _ in GROUP_COLUMNS]]


@dataclass
class FactsBundle:
    """Everything read from a facts file: the fact tables, the events and task rows behind
    them (with the evidence and notes users typed), and the warnings.

    ``events`` and ``tasks`` hold this year's rows of those sheets (``file``, ``sheet`` and
    spreadsheet ``row`` say where each came from); ``remarks`` is the 备注 of each unit's row
    on the units sheet. ``notes`` (columns ``NOTE_COLUMNS``) holds every piece of free text
    typed for this year, in file order and exactly as typed — evidence (依据), task notes
    (完成情况说明), other text facts, 备注 on any sheet, the long form's 说明 — with the
    source codes of ``ecoscore.facts.evidence``, which presents it. ``groups`` (columns
    ``GROUP_TABLE_COLUMNS``: unit, province, city) is the analyst's own grouping of the units
    typed on this year's rows (not the document's), one row per unit given one, in cohort
    order; a blank is ``""``; a unit with no row has none (the views list it as 未分组).
    """

    spec: Spec
    year: int
    current: pd.DataFrame
    previous: pd.DataFrame | None
    events: pd.DataFrame
    tasks: pd.DataFrame
    remarks: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sample: bool = False
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NOTE_COLUMNS))
    groups: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=GROUP_TABLE_COLUMNS))

    @property
    def warning_table(self) -> pd.DataFrame:
        """Return the warnings as a problem table."""
        return FactsError(self.warnings).table


def sample_path(doc: str, year: int) -> Path:
    """Return the path of a document's sample data for ``year``."""
    return DATA_DIR / doc / f"{SAMPLE_WORD}-{year}.xlsx"


def is_sample(frame: pd.DataFrame | None) -> bool:
    """Return whether a fact table was loaded from sample data (示例数据)."""
    return bool(frame is not None and frame.attrs.get("sample"))


def load_facts(spec: Spec | str, path: str | Path, previous: str | Path | None = None, *,
               year: int | None = None, strict: bool = False):
    """Load and validate a facts file (and optionally last year's in a second file).

    Returns ``(current, previous)``; ``previous`` is None when no last-year facts were given.
    Raises ``FactsError`` listing every problem.
    """
    b = read_bundle(spec, path, previous, year=year, strict=strict)
    return b.current, b.previous


def load_sample(spec: Spec | str, year: int | None = None):
    """Load the bundled sample data (示例数据) for ``year`` (default: the document's year),
    with the year before as last year's facts. Returns ``(current, previous)``.
    """
    spec = load_spec(spec) if isinstance(spec, str) else spec
    year = year or spec.year
    cur = sample_path(spec.id, year)
    if not cur.exists():
        raise FactsError([Problem(str(cur), expected=f"{spec.id} 的{year}年度示例数据(运行 ecoscore samples 生成)",
                                  found="文件不存在")])
    prev = sample_path(spec.id, year - 1)
    try:
        b = read_bundle(spec, cur, prev if prev.exists() else None, year=year)
    except FactsError as e:
        hint = Problem(str(cur), expected="与当前考核文件规格一致的示例数据(运行 ecoscore samples 重新生成)",
                       found="示例数据校验未通过")
        raise FactsError([*e.problems, hint]) from None
    return b.current, b.previous


def read_bundle(spec: Spec | str, path: str | Path, previous: str | Path | None = None, *,
                year: int | None = None, strict: bool = False) -> FactsBundle:
    """Read, check and convert a facts file; raise ``FactsError`` listing every problem."""
    spec = load_spec(spec) if isinstance(spec, str) else spec
    year = year or spec.year
    lay = build_layout(spec)
    out = Collected()
    order: dict[tuple[str, str], int] = {}
    warnings: list[Problem] = []
    files, sample, fatal = [], False, False
    keys, words = lay.key_index(), lay.header_words()
    for p, role in ((path, "current"), (previous, "previous")):
        if p is None:
            continue
        files.append(str(p))
        try:
            raw = read_file(p)
        except FactsError as e:
            out.problems.extend(e.problems)
            fatal = True
            continue
        sample = sample or (raw.sample and role == "current")
        if _check_identity(spec, raw, year if role == "current" else year - 1, role, out.problems):
            fatal = True  # another document's file: say so once, not as every fact it lacks
            continue
        reader = Reader(lay, out, year=year if role == "current" else year - 1,
                        years=(year, year - 1) if role == "current" else (year - 1,))
        found = []
        for sheet in raw.sheets:
            order[(sheet.file, sheet.name)] = len(order)
            if not is_data_sheet(sheet):
                continue
            find_header(sheet, keys, words=words)
            kind = classify(sheet) if sheet.header_row is not None else None
            if kind is None and not sheet.name:  # a CSV file is one sheet: it must have a header
                fatal = True
                empty = not any(v is not None for row in sheet.rows for v in row)
                out.problems.append(Problem(sheet.file, expected="含“单位”列的表头行(及字段代码行)",
                                            found="文件为空" if empty else "未找到表头行"))
                continue
            if kind is None:
                if any(v is not None for row in sheet.rows for v in row):
                    warnings.append(Problem(sheet.file, sheet.name, expected="数据表(含“单位”列的表头行)",
                                            found="未识别为数据表,已忽略"))
                continue
            _name_columns(sheet, lay)
            out.problems.extend(_cell_problems(sheet))
            out.kinds.setdefault(kind, []).append(sheet)
            found.append((sheet, kind))
        # the units an analyst added are declared on the units (or long) sheet: read those first,
        # so the tasks and events sheets take their rows wherever the sheets sit in the file
        for sheet, kind in sorted(found, key=lambda sk: sk[1] not in (UNITS, LONG)):
            getattr(reader, kind)(sheet)
    values = _check_values(lay, out, warnings)
    if not fatal and not out.foreign:  # an unreadable or foreign file is reported as such,
        # not as every unit and fact it lacks
        _check_complete(lay, out, year, files, previous is not None, warnings)
    if strict:
        out.problems.extend(warnings)
        warnings = []
    hidden = {(sh.file, sh.name) for sheets in out.kinds.values() for sh in sheets if sh.hidden}
    for q in out.problems + warnings:
        if (q.file, q.sheet) in hidden:
            q.found = f"{q.found}(该工作表已隐藏:请在 Excel/WPS 中右击工作表标签→取消隐藏后查看)"
    if out.problems:
        err = FactsError(sorted(out.problems, key=lambda q: _order(q, order, files)))
        err.warnings = warnings
        raise err
    cur = _typed(lay, values, year, spec, out.added)
    prev = _typed(lay, values, year - 1, spec, out.added) if any(y == year - 1 for y, _ in values) else None
    for frame in (cur, prev):
        if frame is not None:
            frame.attrs.update({"sample": sample, "document": spec.id, "source": files[0]})
    cur.attrs["year"] = year
    events = pd.DataFrame([e for e in out.events if e["year"] == year],
                          columns=["unit", "line_id", "item", "key", "amount", "evidence", "date", "row", "year",
                                   "file", "sheet"])
    tasks = pd.DataFrame([t for t in out.tasks if t["year"] == year],
                         columns=["unit", "line_id", "completion", "note", "row", "year", "file", "sheet"])
    notes = pd.DataFrame([n for n in out.notes if n["year"] == year], columns=NOTE_COLUMNS)
    typed = {u: g for (y, u), g in out.groups.items() if y == year}
    groups = pd.DataFrame([{"unit": u, **{c: typed[u].get(c, "") for c in GROUP_TABLE_COLUMNS[1:]}}
                           for u in cur.index if u in typed], columns=GROUP_TABLE_COLUMNS, dtype=object)
    return FactsBundle(spec, year, cur, prev, events, tasks, out.remarks,
                       sorted(warnings, key=lambda q: _order(q, order, files)), files, sample, notes, groups)


def _check_identity(spec: Spec, raw: RawFile, year: int, role: str, problems: list[Problem]) -> bool:
    """Record a file that says it belongs to another document or year; return True for
    another document (nothing in it can be read against this spec).
    """
    what = "上年数据文件" if role == "previous" else "数据文件"
    if raw.doc and raw.doc != spec.id:
        problems.append(Problem(raw.path, expected=f"{what}应属于考核文件 {spec.id}",
                                found=f"文件标注为考核文件 {raw.doc} 的数据"))
        return True
    if raw.year and raw.year != year:
        problems.append(Problem(raw.path, expected=f"{what}应为{year}年度", found=f"文件标注为{raw.year}年度"))
    return False


def _name_columns(sheet, lay: Layout) -> None:
    from ecoscore.facts.workbook import COLUMNS

    fixed = {code: text for cols in COLUMNS.values() for code, text in cols}
    fixed["remark"] = "备注"
    fixed.update(GROUP_COLUMNS)
    for j, code in sheet.codes.items():
        f = lay.fields.get(code)
        sheet.labels[j] = f"{f.line_id} {f.header}" if f else fixed.get(code, sheet.labels.get(j, code))


def _cell_problems(sheet) -> list[Problem]:
    """Return the problems of a data sheet's layout: a title or header block repeated among
    the data, and cells that read blank but do not look blank to the user — a merged range
    over data (only its first cell holds the value) and a formula saved without its result
    (files written by other systems, or with calculation switched off).
    """
    out = []
    body = sheet.body if sheet.body is not None else sheet.header_row + 1
    skip = {k for a, b in sheet.repeats for k in range(a, b)}
    for a, _ in sheet.repeats:
        out.append(at(sheet.where(a), expected="数据行(标题和表头只在表格顶部出现一次;此处重复的标题/表头行请删除,"
                                            "其下数据如与上方重复也请合并)", found="重复的标题/表头行"))
    unit_col = _unit_col(sheet)
    for ref, r1, r2, c1, c2 in sheet.merged:
        cols = [j for j in sheet.codes if c1 <= j <= c2]
        rows = [i for i in range(max(r1, body), r2 + 1) if i not in skip]
        if not rows or not cols:
            continue
        out.append(at(sheet.where(rows[0], cols[0], sheet.text(r1, unit_col) or "" if r1 >= body else ""),
                      expected="每格单独填写(合并单元格只有左上角一格有值,其余各格读为空)", found=f"合并单元格 {ref}"))
    for (i, j), formula in sorted(sheet.formulas.items()):
        if i < body or i in skip or j not in sheet.codes:
            continue
        out.append(at(sheet.where(i, j, sheet.text(i, unit_col) or ""), expected=(
            "数值(或在 Excel/WPS 中打开后重新计算并保存,使公式结果一并保存)"),
            found=f"公式 {formula} 没有保存计算结果"))
    return out


def _unit_col(sheet) -> int | None:
    return next((j for j, c in sheet.codes.items() if c == "unit"), None)


def _check_values(lay: Layout, out: Collected, warnings: list[Problem]) -> dict[tuple[int, str], dict[str, Cell]]:
    """Check every cell against its fact; return ``{(year, unit): {key: cell}}`` of good cells
    (and add to ``warnings`` the percentages typed as 1, likely meaning 100%).
    """
    given: dict[tuple[int, str, str], Cell] = {}
    by_sheet: dict[tuple[int, str, str], list[Cell]] = {}
    checked_only = []
    for c in out.cells:
        if c.raw is None:
            continue
        if not c.keep:
            checked_only.append(c)
            continue
        f = lay.fields[c.key]
        if not f.applies(c.unit, lay.spec):
            out.problems.append(at(c.where, expected="留空(该指标不适用于此单位)", found=_show(c.raw)))
            continue
        first = given.get((c.year, c.unit, c.key))
        if first is not None:
            w = first.where
            place = f"{w.sheet or '同一文件'}第{w.row}行" if w.file == c.where.file else f"{w.file}"
            out.problems.append(at(c.where, expected="同一单位同一指标只在一处填写",
                                   found=f"{_show(c.raw)}(已在{place}填写)"))
            continue
        given[(c.year, c.unit, c.key)] = c
        by_sheet.setdefault((c.year, c.where.file, c.where.sheet), []).append(c)
    for c in checked_only:  # each row refused for its unit or year is its own entry (its unit may repeat)
        c = at(c, unit=f"\x00{c.where.row}\x00{c.unit}")
        by_sheet.setdefault((c.year, c.where.file, c.where.sheet), []).append(c)
    bad: set[tuple[int, str, str]] = set()
    for (year, _, _), cells in by_sheet.items():
        pct = [c.raw for c in cells if lay.fields[c.key].fact.kind == "percent"]
        keys = list(dict.fromkeys(c.key for c in cells))
        units = list(dict.fromkeys(c.unit for c in cells))
        where, cols = {}, {k: {} for k in keys}
        for c in cells:
            cols[c.key][c.unit] = c.raw
            where[(c.unit, c.key)] = c
        frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()}, index=units,
                             columns=keys, dtype=object)
        frame = frame.astype(object).where(frame.notna(), None)
        fractions = looks_like_fractions(pct)
        schema = facts_schema([lay.fields[k] for k in keys], fractions=fractions)

        def locate(i, col, w=where, year=year):
            bad.add((year, i, col))
            return at(w[(i, col)].where)

        out.problems.extend(run(schema, frame, locate))
        for i, col in ones_as_whole([lay.fields[k] for k in keys], frame, fractions=fractions):
            cell = where[(i, col)]
            if (year, i, col) not in bad and cell.keep:
                warnings.append(at(cell.where, expected=ONE_AS_WHOLE, found=f"{_show(cell.raw)}(按1%读取)"))
    values: dict[tuple[int, str], dict[str, Cell]] = {}
    for (year, unit, key), c in given.items():
        if (year, unit, key) not in bad:
            values.setdefault((year, unit), {})[key] = c
    return values


def _check_complete(lay: Layout, out: Collected, year: int, files: list[str], has_prev_file: bool,
                    warnings: list[Problem]) -> None:
    """Missing units and fact columns are errors; blank values are warnings (缺数据)."""
    spec = lay.spec
    if not files:
        return
    main = files[0]
    if out.kinds and not any(c.raw is not None and c.year == year for c in out.cells):
        out.problems.append(Problem(main, expected=f"{year}年度的数据", found="文件中没有填写任何数据(空白模板)"))
        return
    sheets = {k: v[0] for k, v in out.kinds.items()}
    wide = sheets.get(UNITS) or sheets.get(LONG)
    unit_fields = [f for f in lay.on(UNITS) if f.needed()]
    present = {c.key for c in out.cells} | set(out.columns)
    if unit_fields and not (out.kinds.get(UNITS) or out.kinds.get(LONG)):
        out.problems.append(Problem(main, expected=f"“{SHEET_NAMES[UNITS]}”表(每个单位一行)", found="缺少该工作表"))
    elif unit_fields:
        for u in spec.unit_names:
            if (year, u) not in out.rows and any(f.applies(u) for f in unit_fields):
                out.problems.append(Problem(wide.file, wide.name, "", "单位", u, "该单位的一行数据", "缺少该单位"))
        for f in unit_fields:
            if f.key not in present and any(f.applies(u) for u in spec.unit_names):
                out.problems.append(Problem(wide.file, wide.name, wide.header_row + 1, f"{f.line_id} {f.header}", "",
                                            f"该指标的数据列(字段代码 {f.key})", "缺少该列"))
    task_fields = [f for f in lay.on(TASKS) if f.needed() and f.fact.kind != "text"]
    if task_fields and not out.kinds.get(TASKS) and not any(f.key in present for f in task_fields):
        out.problems.append(Problem(main, expected=f"“{SHEET_NAMES[TASKS]}”表({len(task_fields)}项任务)",
                                    found="缺少该工作表"))
    elif out.kinds.get(TASKS):
        ts = sheets[TASKS]
        given = {(c.year, c.unit, c.key) for c in out.cells}
        for f in task_fields:
            for u in task_reporters(f.line, spec, out.added):
                if (year, u, f.line.id) not in out.task_rows and (year, u, f.key) not in given:
                    out.problems.append(Problem(ts.file, ts.name, "", "条款编号", u, f"任务 {f.line.id} 的一行",
                                                "缺少该任务行"))
    _blank_warnings(lay, out, year, warnings)
    if any(f.needed(previous=True) for f in lay.fields.values()) and not any(
            c.year == year - 1 for c in out.cells):
        warnings.append(Problem(main, expected=f"{year - 1}年度数据(“保持稳定或持续改善”等指标需要)",
                                found="未提供上年数据,相关指标将为缺数据"))
    elif has_prev_file or any(c.year == year - 1 for c in out.cells):
        _missing_previous(lay, out, year - 1, files)
        _blank_warnings(lay, out, year - 1, warnings, previous=True)


def _missing_previous(lay: Layout, out: Collected, year: int, files: list[str]) -> None:
    """Name each unit that has no row of last year's data while others do: its trend lines
    would otherwise turn 缺数据 without a word. The row may be left blank to say so.
    """
    trend = [f for f in lay.on(UNITS) if f.needed(previous=True)]
    rows = [w for (y, _), w in out.rows.items() if y == year]
    if not trend or not rows:
        return
    w = next((r for r in rows if len(files) > 1 and r.file == files[1]), rows[0])
    for u in lay.spec.unit_names:
        if (year, u) not in out.rows and any(f.applies(u) for f in trend):
            out.problems.append(Problem(w.file, w.sheet, "", "单位", u,
                                        f"该单位{year}年度(上年)的一行数据(没有上年数据的,保留该行、各格留空)",
                                        "缺少该单位"))


def _blank_warnings(lay: Layout, out: Collected, year: int, warnings: list[Problem], previous=False) -> None:
    filled = {(c.year, c.unit, c.key) for c in out.cells if c.raw is not None}
    cols = out.columns
    for f in lay.fields.values():
        if not f.needed(previous) or f.home == EVENTS or f.key not in cols:
            continue
        units = task_reporters(f.line, lay.spec, out.added) if f.home == TASKS else [
            u for u in lay.spec.unit_names if f.applies(u)]
        for u in units:
            if (year, u, f.key) in filled:
                continue
            row = out.task_rows.get((year, u, f.line.id)) if f.home == TASKS else out.rows.get((year, u))
            if row is None:
                continue
            col = cols[f.key].column
            if (row.file, row.sheet) != (cols[f.key].file, cols[f.key].sheet):
                col = f"{f.line_id} {f.header}"
            warnings.append(Problem(row.file, row.sheet, row.row, col, u, expected_text(f.fact),
                                    f"(空){'上年' if previous else ''}缺数据,将按缺数据计"))


def _typed(lay: Layout, values, year: int, spec: Spec, added: list[str]) -> pd.DataFrame:
    """Return one year's fact table: the document's units, then the units an analyst added
    (whose categories, entered once, hold for both years).
    """
    names = [*spec.unit_names, *added]
    keys = [k for k in lay.fields if any(k in v for (y, _), v in values.items() if y == year)]
    cats = [k for k in lay.fields if k.startswith(CATEGORY_PREFIX)]
    keys += [k for k in cats if k not in keys and any(k in v for v in values.values())]
    data = {}
    for k in keys:
        f = lay.fields[k]
        col = []
        for u in names:
            cell = values.get((year, u), {}).get(k)
            if cell is None and k in cats:
                cell = values.get((year + 1, u), {}).get(k) or values.get((year - 1, u), {}).get(k)
            col.append(convert(cell.raw, f) if cell is not None else None)
        data[k] = pd.Series(col, index=names, dtype=float if is_numeric(f.fact) else object)
    return pd.DataFrame(data, index=pd.Index(names, name="unit"))


def _show(v) -> str:
    from ecoscore.facts.files import quote

    return quote(v)


def _order(p: Problem, order: dict, files: list[str]):
    m = re.match(r"([A-Z]+)列", p.column or "")
    col = (len(m.group(1)), m.group(1)) if m else (9, "")  # unlettered: keep the order found
    row = p.row if isinstance(p.row, int) else 10**9
    fi = files.index(p.file) if p.file in files else 99
    return fi, order.get((p.file, p.sheet), -1), row, col, p.unit
