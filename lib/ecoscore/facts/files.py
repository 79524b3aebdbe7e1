"""Read facts files as they arrive: XLSX (Excel, WPS) and CSV in UTF-8, UTF-8 with BOM,
UTF-16 (Excel "Unicode text") and GBK/GB18030.

This module only turns a file into sheets of cells with their positions; what the cells
mean is decided in ``ecoscore.facts.validate``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from ecoscore.errors import FactsError, Problem
from ecoscore.facts.workbook import META_SHEET, NON_DATA_SHEETS, map_header, norm

#: Cell texts read as "no value" in any column.
MISSING_MARKS = {"", "—", "——", "-", "--", "/", "／", "n/a", "N/A", "NA", "#N/A", "缺", "暂缺", "无数据", "暂无数据"}
_META = re.compile(r"文档代码[::]\s*([\w.\-]+)")
_YEAR = re.compile(r"年度[::]\s*(\d{4})")


class Ambiguous(str):
    """A number typed with a comma in a semicolon-separated CSV ("10,8", "1,234"): such files
    come from systems that write a decimal comma, so the comma cannot be read either way and
    the cell is refused (``validate.AMBIGUOUS``), never guessed.
    """


_COMMA_NUMBER = re.compile(r"^[+-]?[\d.\s]*\d,[\d.,\s]*%?$")


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
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → a formula
    # saved without its result (the cell reads blank, but the user sees a figure in Excel)
    hidden: bool = False  # a sheet hidden in Excel/WPS: read, and said so in its problems
    body: int | None = None  # 0-based index of the first data row (under the header block)
    repeats: list[tuple[int, int]] = field(default_factory=list)  # [start, end) of header blocks
    # repeated among the data rows
    merged: list[tuple[str, int, int, int, int]] = field(default_factory=list)  # (range, first row,
    # last row, first column, last column), 0-based: only the first cell of a merged range holds a value

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
        return f"{get_column_letter(j + 1)}列 {quote(label)}".strip()

    def where(self, i: int, j: int | None = None, unit: str = "") -> Problem:
        """Return a problem located at row ``i`` (0-based) and column ``j``."""
        return Problem(self.file, self.name, i + 1, "" if j is None else self.column(j), quote(unit))


@dataclass
class RawFile:
    """A facts file: its data sheets and what it says about itself (document id, year)."""

    path: str
    sheets: list[RawSheet]
    doc: str | None = None
    year: int | None = None
    sample: bool = False


#: Characters that show as nothing (zero-width spaces and joiners, a byte-order mark left
#: inside a file by joining two exports): pasted from web pages and chat, they make a name
#: that looks right fail to match, so they are dropped from every cell.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def clean(v: Any) -> Any:
    """Return a cell value with whitespace trimmed and "no value" marks turned into None."""
    if v is None:
        return None
    if isinstance(v, str):
        s = v.translate(_INVISIBLE).replace("\u00a0", " ").replace("\u3000", " ").strip()
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
    if p.is_dir():
        raise FactsError([Problem(name, expected="数据文件(xlsx 或 csv)", found="这是一个文件夹,不是文件")])
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(p, name)
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(p, name)
    except PermissionError:
        raise FactsError([Problem(name, expected="可读取的数据文件", found="没有读取权限")]) from None
    except OSError as e:
        raise FactsError([Problem(name, expected="可读取的数据文件",
                                  found=f"读取失败({e.strerror or type(e).__name__})")]) from None
    if suffix in (".xls", ".et"):
        raise FactsError([Problem(name, expected="xlsx 或 csv 文件(请在 Excel/WPS 中“另存为 .xlsx”)",
                                  found=f"{suffix} 格式")])
    raise FactsError([Problem(name, expected="xlsx 或 csv 文件", found=f"扩展名 {suffix or '(无)'}")])


_BROKEN = "文件不是完整的 xlsx 工作簿(可能已损坏、被截断或并非 xlsx),请在 Excel/WPS 中重新打开并另存为 .xlsx"


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file header of .xls and of encrypted .xlsx
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_STRICT = b"purl.oclc.org/ooxml/spreadsheetml"


def _sniff_xlsx(p: Path, name: str) -> None:
    """Refuse, with the fix named, the files that carry an .xlsx name but are something
    openpyxl cannot read: a workbook with a password, an old .xls renamed, Excel's "Strict
    Open XML" save (read by openpyxl as a workbook without sheets).
    """
    with open(p, "rb") as fh:
        head = fh.read(8)
        if head == _OLE:
            fh.seek(0)
            encrypted = _ENCRYPTED in fh.read(1 << 20)
            raise FactsError([Problem(name, expected="未加密的 xlsx 工作簿", found=(
                "文件设有打开密码(已加密);请在 Excel/WPS 中打开,取消密码(文件→信息→保护工作簿/文档加密)后另存为 .xlsx"
                if encrypted else "文件实为旧版 .xls 格式(仅扩展名为 .xlsx);请在 Excel/WPS 中另存为 .xlsx"))])
    if not zipfile.is_zipfile(p):
        return
    with zipfile.ZipFile(p) as z:
        try:
            strict = _STRICT in z.read("xl/workbook.xml")[:4096]
        except (KeyError, zipfile.BadZipFile, zlib.error, OSError):
            return  # left to openpyxl, which names it broken
    if strict:
        raise FactsError([Problem(name, expected="Excel 工作簿(*.xlsx)格式", found=(
            "文件为“Strict Open XML 电子表格”格式,无法读取;请在 Excel 中另存为“Excel 工作簿(*.xlsx)”"))])


def _read_xlsx(p: Path, name: str) -> RawFile:
    _sniff_xlsx(p, name)
    with warnings.catch_warnings():  # openpyxl's English notes on features it skips
        warnings.simplefilter("ignore")
        return _read_workbook(p, name)


def _read_workbook(p: Path, name: str) -> RawFile:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, data_only=True, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError, EOFError, zlib.error):
        raise FactsError([Problem(name, expected="可以打开的 xlsx 工作簿", found=_BROKEN)]) from None
    out = RawFile(name, [])
    title, ws = "", None
    try:
        for ws in wb.worksheets:
            title = ws.title
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
            xml = _sheet_xml(wb, ws)
            for row in ws.iter_rows(max_row=_last_filled_row(xml)):
                vals = []
                for c in row:
                    v = getattr(c, "value", None)
                    if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in (c.number_format or ""):
                        v = v * 100  # a cell typed as "92%" holds 0.92: the figure the analyst meant is 92
                    vals.append(v)
                rows.append(_clean_row(vals, len(rows), typed))
            sheet = RawSheet(name, ws.title, rows, typed=typed, hidden=ws.sheet_state != "visible")
            _cell_marks(sheet, xml)
            out.sheets.append(sheet)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError, EOFError, zlib.error):
        # a sheet's XML cut short or corrupt (ElementTree's ParseError is a SyntaxError), or a
        # number cell another program wrote as no number ("NaN", "INF"): then that cell is named
        try:
            bad = _bad_number_cells(_sheet_xml(wb, ws))
        except (zipfile.BadZipFile, KeyError, OSError, zlib.error):
            bad = []
        if bad:
            raise FactsError([Problem(name, title, row, f"{letters}列", expected=(
                "数值(该单元格在文件中保存的内容不是数字,可能由其他程序导出;请在 Excel/WPS 中重新输入该数值后保存)"),
                found=f"单元格 {letters}{row} 保存为 {quote(text)}") for letters, row, text in bad]) from None
        raise FactsError([Problem(name, title, expected="可以读取的工作表", found=_BROKEN)]) from None
    finally:
        wb.close()
    _title_meta(out)
    return out


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
#: a cell of a sheet's XML: column letters, row, its attributes, its body
_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</(?:\w+:)?f>|<(?:\w+:)?f\s[^>]*/>")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_TYPE = re.compile(rb'\st="([^"]*)"')


def _bad_number_cells(xml: bytes | None) -> list[tuple[str, int, str]]:
    """Return the number cells of a sheet's XML whose value is no finite number ("NaN",
    "INF", "1E+400"), as (column letters, row, value).
    """
    out = []
    for m in _CELL.finditer(xml or b""):
        t = _TYPE.search(m.group(3))
        v = _VALUE.search(m.group(4) or b"")
        if v is None or t is not None and t.group(1) not in (b"n", b""):
            continue  # empty, or text, a shared string, a boolean, an error, a date
        text = v.group(1).decode("utf-8", "replace").strip()
        try:
            ok = math.isfinite(float(text))
        except ValueError:
            ok = False
        if not ok:
            out.append((m.group(1).decode(), int(m.group(2)), text))
    return out


def _sheet_xml(wb, ws) -> bytes | None:
    """Return a worksheet's XML (openpyxl's read-only mode keeps the path to it), or None."""
    path = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    return archive.read(path) if path and archive is not None else None


_FILLED = re.compile(rb'<(?:\w+:)?c r="[A-Z]+(\d+)"[^>]*>\s*<(?!/)')


def _last_filled_row(xml: bytes | None) -> int | None:
    """Return the last row holding a cell with content, or None to read every row.

    Formatting whole rows in Excel or WPS writes a styled, empty row element for each of the
    sheet's million rows; reading them all takes many seconds and hundreds of megabytes.
    """
    if not xml:
        return None
    last = 0
    for m in _FILLED.finditer(xml):
        last = max(last, int(m.group(1)))
    return last if last else None  # no cell references at all: a writer that omits them


def _cell_marks(sheet: RawSheet, xml: bytes | None) -> None:
    """Record the sheet's merged ranges and the formulas saved without a result.

    openpyxl's read-only mode shows neither (a merged range's other cells and an uncalculated
    formula both read as blank), so the sheet's XML is looked at directly.
    """
    from openpyxl.utils import column_index_from_string

    if not xml:
        return
    for c1, r1, c2, r2 in _MERGE.findall(xml):
        ref = f"{c1.decode()}{r1.decode()}:{c2.decode()}{r2.decode()}"
        sheet.merged.append((ref, int(r1) - 1, int(r2) - 1, column_index_from_string(c1.decode()) - 1,
                             column_index_from_string(c2.decode()) - 1))
    if b"<f" not in xml and b":f" not in xml:
        return
    for col, row, _attrs, body in _CELL.findall(xml):
        if not body or not _FORMULA.search(body):
            continue
        if re.search(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>", body):
            continue  # a result was saved with the formula: openpyxl reads it
        f = _FORMULA.search(body).group(1)
        sheet.formulas[(int(row) - 1, column_index_from_string(col.decode()) - 1)] = (
            "=" + f.decode("utf-8", "replace") if f else "(共享公式)")


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as e:
            raise FactsError([Problem(name, row=_line_at(data, e.start + 3), expected=(
                "与文件开头的 UTF-8 标记(BOM)一致的 UTF-8 文本(请在 Excel/WPS 中另存为“CSV UTF-8”)"),
                found=f"第{e.start + 4}字节起不是 UTF-8:文件可能被另一种编码(如 GBK)改存过")]) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if len(data) % 2:
            raise FactsError([Problem(name, expected="完整的 UTF-16 文本(字节数为偶数)",
                                      found=f"UTF-16 文件共{len(data)}字节(奇数):文件可能被截断")])
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FactsError([Problem(name, expected="完整的 UTF-16 文本",
                                      found="含无效的 UTF-16 字符:文件可能已损坏")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        _check_gbk(data, text, name)
        return text
    raise FactsError([Problem(name, expected="UTF-8、带BOM的UTF-8、GBK/GB18030 或 UTF-16 编码的文本",
                              found="无法识别的编码(文件可能已损坏或不是文本文件)")])


def _cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _check_gbk(data: bytes, text: str, name: str) -> None:
    """Refuse a file that decodes as GBK but is not Chinese typed in GBK: UTF-8 text that
    Excel opened as GBK and saved again (garbled, its bytes mostly still UTF-8), or a
    traditional-Chinese Big5 file (as GBK, mostly characters outside the common GB2312 set).
    """
    cjk = [c for c in text if _cjk(c)]
    if len(cjk) < 4:
        return
    as_utf8 = data.decode("utf-8", "replace")
    good = sum(1 for c in as_utf8 if _cjk(c))
    if good > as_utf8.count("\ufffd"):  # real GBK text read as UTF-8 is nearly all replacement marks
        sample = "".join(c for c in text if _cjk(c))[:6]
        raise FactsError([Problem(name, expected="正确编码的文本(UTF-8 或 GBK)", found=(
            f"文件内容是乱码(如「{sample}」):像是 UTF-8 编码的文件被按 GBK 打开后又保存;请使用原始文件,"
            "或在 Excel 中用“数据→从文本/CSV”按 UTF-8 导入后另存"))])

    def common(c):
        try:
            c.encode("gb2312")
            return True
        except UnicodeEncodeError:
            return False

    rare = sum(1 for c in cjk if not common(c))
    if rare > 0.3 * len(cjk):
        try:
            data.decode("big5")
        except UnicodeDecodeError:
            return
        raise FactsError([Problem(name, expected="UTF-8 或 GBK 编码的文本", found=(
            "文件编码像是繁体中文 Big5:请在 Excel/WPS 中另存为“CSV UTF-8”"))])


def _line_at(data: bytes, offset: int) -> int:
    """Return the 1-based line of a byte offset (where a problem in a text file lies)."""
    return data.count(b"\n", 0, offset) + 1


#: A CSV field longer than this is a quote left open, not a value (csv's own limit).
FIELD_LIMIT = 128 * 1024


def _read_csv(p: Path, name: str) -> RawFile:
    text = _decode(p.read_bytes(), name)
    if "\x00" in text:
        raise FactsError([Problem(name, expected="CSV 文本文件", found="文件含二进制内容")])
    delim = _delimiter(text)
    typed: dict[tuple[int, int], str] = {}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows = []
    try:
        for r in reader:
            rows.append(_clean_row(r, len(rows), typed))
    except csv.Error as e:
        long = "larger than field limit" in str(e)
        raise FactsError([Problem(name, row=reader.line_num, expected=(
            f"单元格内容不超过{FIELD_LIMIT // 1024}KB" if long else "可以解析的 CSV 行"),
            found=("单元格过长,通常是某处引号(\")未配对,其后的内容都被读进了同一格" if long
                   else "无法解析(引号或换行有误)"))]) from None
    if delim == ";":
        rows = [[Ambiguous(v) if isinstance(v, str) and _COMMA_NUMBER.match(v) else v for v in r] for r in rows]
    out = RawFile(name, [RawSheet(name, "", rows, typed=typed)])
    _title_meta(out)
    return out


def _delimiter(text: str, lines: int = 40) -> str:
    """Return the separator of a CSV: the one that splits the first lines into the same
    number of fields most often (a comma, a tab or a semicolon; a comma on a tie). Counting
    the characters instead is misled by free text: a remark listing items with ";" or ",".
    """
    head = "\n".join(text.splitlines()[:lines])

    def score(d):
        counts = [len(r) for r in csv.reader(io.StringIO(head, newline=""), delimiter=d) if any(r)]
        counts = [n for n in counts if n > 1]
        if not counts:
            return (0, 0, d == ",")
        mode = max(set(counts), key=lambda n: (counts.count(n), n))
        return (counts.count(mode), mode, d == ",")

    try:
        return max((",", "\t", ";"), key=score)
    except csv.Error:  # a field longer than the limit: the reader names it
        return ","


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


#: How far down a header row is looked for: title blocks of forty rows have been seen.
HEADER_SCAN = 60
#: Rows a header block spans after its first header-like row (header, description, codes).
HEADER_BLOCK = 3


def find_header(sheet: RawSheet, keys: dict[str, str], scan: int = HEADER_SCAN, words=frozenset()) -> None:
    """Locate the header: the first rows that map cells to field codes including the unit
    column. Within that block (``HEADER_BLOCK`` rows) the row mapping the most cells wins, a
    later row on a tie, so the code row under the Chinese header is preferred. Rows of the
    block under the header that only repeat header text (``words``: the template's column
    descriptions, normalised) are skipped. Further down, a title or header block repeated
    among the data (two exports pasted together) is recorded in ``repeats``, to be named.
    Fills ``header_row``, ``body``, ``codes`` and ``labels``.
    """
    best, best_n, first = None, 0, None
    for i, row in enumerate(sheet.rows[:scan]):
        if first is not None and i > first + HEADER_BLOCK:
            break
        codes = _header_codes(row, keys)
        if "unit" not in codes.values() or len(codes) < 2:
            continue
        first = i if first is None else first
        if len(codes) >= best_n:
            best, best_n = (i, codes), len(codes)
    if best is None:
        return
    i, codes = best
    sheet.header_row, sheet.codes = i, codes
    sheet.labels = {j: str(sheet.rows[i][j]).replace("\n", "") for j in codes}
    body = i + 1
    while body < len(sheet.rows) and body <= first + HEADER_BLOCK and _header_text(sheet.rows[body], keys, words):
        body += 1
    sheet.body = body
    k = body
    while k < len(sheet.rows):  # a repeated block: a title row, a header row and what follows it
        row = sheet.rows[k]
        if _title_row(row) or len(_header_codes(row, keys)) >= 2:
            start = k
            k += 1
            while k < len(sheet.rows) and k <= start + HEADER_BLOCK + 1 and (
                    _header_text(sheet.rows[k], keys, words) or len(_header_codes(sheet.rows[k], keys)) >= 2):
                k += 1
            sheet.repeats.append((start, k))
            continue
        k += 1


def _header_codes(row, keys) -> dict[int, str]:
    return {j: c for j, v in enumerate(row) if (c := map_header(v, keys))}


def _header_text(row, keys, words) -> bool:
    """Return whether a row holds only header text (column descriptions, field codes)."""
    cells = [v for v in row if v is not None]
    return bool(cells) and all(isinstance(v, str) and (norm(v) in words or map_header(v, keys)) for v in cells)


def _title_row(row) -> bool:
    """Return whether a row is a sheet's title (it names the document code: 文档代码:…)."""
    return any(isinstance(v, str) and _META.search(v) for v in row)


def data_rows(sheet: RawSheet):
    """Yield ``(row index, row)`` for the non-blank rows under the header (repeated header
    blocks left out: they are reported, see ``repeats``).
    """
    if sheet.header_row is None:
        return
    skip = {k for a, b in sheet.repeats for k in range(a, b)}
    for i in range(sheet.body if sheet.body is not None else sheet.header_row + 1, len(sheet.rows)):
        row = sheet.rows[i]
        if i not in skip and any(v is not None for v in row):
            yield i, row


def is_data_sheet(sheet: RawSheet) -> bool:
    """Return whether a sheet should hold data (not the help, reference or hidden sheets)."""
    return sheet.name not in NON_DATA_SHEETS


#: How much of a cell a problem quotes: a cell holding a whole report (40,000 characters) is
#: named by its start and length, not echoed into the table; anything a user could mean as a
#: name or a figure (a long unit name, a formula typed as text) is quoted whole.
QUOTE_CHARS = 100


def quote(v: Any) -> str:
    """Return a cell value as a problem quotes it: ``as_text``, cut to its first
    ``QUOTE_CHARS`` characters with its length said ("拱墅区很长的说明…(共40003字)").
    """
    text = as_text(v)
    return text if len(text) <= QUOTE_CHARS else f"{text[:QUOTE_CHARS]}…(共{len(text)}字)"


def as_text(v: Any) -> str:
    """Return a cell value as text for problem tables (dates ISO, floats without '.0')."""
    if v is None:
        return "(空)"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else f"{v:g}"  # 1e308, not a 309-digit integer
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return str(v)
