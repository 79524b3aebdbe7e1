"""Read facts files as they arrive: XLSX (Excel, WPS) and CSV in UTF-8, UTF-8 with BOM,
UTF-16 (Excel "Unicode text") and GBK/GB18030.

This module only turns a file into sheets of cells with their positions; what the cells
mean is decided in ``ecoscore.facts.validate``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from ecoscore.errors import FactsError, Problem
from ecoscore.facts.workbook import META_SHEET, NON_DATA_SHEETS, map_header

#: Cell texts read as "no value" in any column.
MISSING_MARKS = {"", "—", "——", "-", "--", "/", "／", "n/a", "N/A", "NA", "#N/A", "缺", "暂缺", "无数据", "暂无数据"}
_META = re.compile(r"文档代码[::]\s*([\w.\-]+)")
_YEAR = re.compile(r"年度[::]\s*(\d{4})")


@dataclass
class RawSheet:
    """One sheet (or a CSV file) as rows of cell values, with its header once found."""

    file: str
    name: str
    rows: list[list[Any]]
    header_row: int | None = None  # 0-based index into rows
    codes: dict[int, str] = field(default_factory=dict)  # column index → field code
    labels: dict[int, str] = field(default_factory=dict)  # column index → header text shown
    typed: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → text as typed,
    # where cleaning changed more than the surrounding whitespace (inner no-break or ideographic spaces)

    def text(self, i: int, j: int | None) -> str | None:
        """Return the text a user typed in a cell (surrounding whitespace stripped), or None
        when the cell is blank. Free text (notes, evidence) is read from here, not from the
        cleaned value, so it comes through exactly as typed.
        """
        row = self.rows[i]
        if j is None or j >= len(row) or row[j] is None:
            return None
        return self.typed.get((i, j)) or as_text(row[j])

    def column(self, j: int) -> str:
        """Return how a column is named in problem tables: letter and header text."""
        label = self.labels.get(j) or self.codes.get(j, "")
        return f"{get_column_letter(j + 1)}列 {label}".strip()

    def where(self, i: int, j: int | None = None, unit: str = "") -> Problem:
        """Return a problem located at row ``i`` (0-based) and column ``j``."""
        return Problem(self.file, self.name, i + 1, "" if j is None else self.column(j), unit)


@dataclass
class RawFile:
    """A facts file: its data sheets and what it says about itself (document id, year)."""

    path: str
    sheets: list[RawSheet]
    doc: str | None = None
    year: int | None = None
    sample: bool = False


def clean(v: Any) -> Any:
    """Return a cell value with whitespace trimmed and "no value" marks turned into None."""
    if v is None:
        return None
    if isinstance(v, str):
        s = v.replace("\u00a0", " ").replace("\u3000", " ").strip()
        if s in MISSING_MARKS or unicodedata.normalize("NFKC", s) in MISSING_MARKS:
            return None
        return s
    if isinstance(v, float) and v != v:
        return None
    return v


def _clean_row(values, i: int, typed: dict[tuple[int, int], str]) -> list[Any]:
    """Return a row of cleaned values; record in ``typed`` the text of cells that cleaning altered."""
    out = []
    for j, v in enumerate(values):
        c = clean(v)
        if isinstance(v, str) and isinstance(c, str) and c != v.strip():
            typed[(i, j)] = v.strip()
        out.append(c)
    return out


def read_file(path: str | Path) -> RawFile:
    """Read a facts file; raise ``FactsError`` if it cannot be read at all."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise FactsError([Problem(name, expected="存在的数据文件", found="文件不存在")])
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, name)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(p, name)
    if suffix in (".xls", ".et"):
        raise FactsError([Problem(name, expected="xlsx 或 csv 文件(请在 Excel/WPS 中“另存为 .xlsx”)",
                                  found=f"{suffix} 格式")])
    raise FactsError([Problem(name, expected="xlsx 或 csv 文件", found=f"扩展名 {suffix or '(无)'}")])


def _read_xlsx(p: Path, name: str) -> RawFile:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, data_only=True, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise FactsError([Problem(name, expected="可以打开的 xlsx 工作簿",
                                  found=f"无法读取({type(e).__name__}),文件可能已损坏或并非 xlsx")]) from None
    out = RawFile(name, [])
    try:
        for ws in wb.worksheets:
            if ws.title == META_SHEET:
                meta = {str(r[0]): r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
                out.doc = str(meta["doc"]) if meta.get("doc") else None
                out.year = int(meta["year"]) if str(meta.get("year", "")).isdigit() else None
                out.sample = str(meta.get("sample", "")).lower() in ("true", "1", "是")
                continue
            if ws.title in NON_DATA_SHEETS:
                continue
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # some writers record a wrong used range; read every row
            rows, typed = [], {}
            for row in ws.iter_rows():
                vals = []
                for c in row:
                    v = getattr(c, "value", None)
                    if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in (c.number_format or ""):
                        v = v * 100  # a cell typed as "92%" holds 0.92: the figure the analyst meant is 92
                    vals.append(v)
                rows.append(_clean_row(vals, len(rows), typed))
            out.sheets.append(RawSheet(name, ws.title, rows, typed=typed))
    finally:
        wb.close()
    _title_meta(out)
    return out


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FactsError([Problem(name, expected="UTF-8、带BOM的UTF-8、GBK/GB18030 或 UTF-16 编码的文本",
                              found="无法识别的编码(文件可能已损坏或不是文本文件)")])


def _read_csv(p: Path, name: str) -> RawFile:
    text = _decode(p.read_bytes(), name)
    if "\x00" in text:
        raise FactsError([Problem(name, expected="CSV 文本文件", found="文件含二进制内容")])
    sample = text[:8192]
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    delim = max(counts, key=lambda d: (counts[d], d == ","))
    typed: dict[tuple[int, int], str] = {}
    rows = [_clean_row(r, i, typed) for i, r in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delim))]
    out = RawFile(name, [RawSheet(name, "", rows, typed=typed)])
    _title_meta(out)
    return out


def _title_meta(f: RawFile) -> None:
    """Find the document id and year in a sheet's title rows when there is no ``_meta`` sheet."""
    for sh in f.sheets:
        for row in sh.rows[:3]:
            for v in row:
                if isinstance(v, str):
                    m, y = _META.search(v), _YEAR.search(v)
                    if m and f.doc is None:
                        f.doc = m.group(1)
                    if y and f.year is None:
                        f.year = int(y.group(1))
                    if "示例数据" in v:
                        f.sample = True


def find_header(sheet: RawSheet, keys: dict[str, str], scan: int = 12) -> None:
    """Locate the header row: the one among the first rows that maps the most cells to field
    codes and includes the unit column (a later row wins a tie, so the code row under the
    Chinese header is preferred). Fills ``header_row``, ``codes`` and ``labels``.
    """
    best, best_n = None, 0
    for i, row in enumerate(sheet.rows[:scan]):
        codes = {j: c for j, v in enumerate(row) if (c := map_header(v, keys))}
        if "unit" not in codes.values() or len(codes) < 2:
            continue
        if len(codes) >= best_n:
            best, best_n = (i, codes), len(codes)
    if best is None:
        return
    i, codes = best
    sheet.header_row, sheet.codes = i, codes
    sheet.labels = {j: str(sheet.rows[i][j]).replace("\n", "") for j in codes}


def data_rows(sheet: RawSheet):
    """Yield ``(row index, row)`` for the non-blank rows under the header."""
    if sheet.header_row is None:
        return
    for i in range(sheet.header_row + 1, len(sheet.rows)):
        row = sheet.rows[i]
        if any(v is not None for v in row):
            yield i, row


def is_data_sheet(sheet: RawSheet) -> bool:
    """Return whether a sheet should hold data (not the help, reference or hidden sheets)."""
    return sheet.name not in NON_DATA_SHEETS


def as_text(v: Any) -> str:
    """Return a cell value as text for problem tables (dates ISO, floats without '.0')."""
    if v is None:
        return "(空)"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return str(v)
