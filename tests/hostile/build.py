"""Build hostile facts files the way real users make them, into a test's own folder.

Every builder takes the folder and returns a ``Built``: the file(s) to validate and the spec
to validate them against. The starting points are good files: the committed
``tests/fixtures/facts`` workbooks and CSV of the small ``facts_doc.yaml`` document (copied and
edited with openpyxl, or re-encoded byte by byte), and for the number-reading cases the tiny
``hostile_doc.yaml`` beside this module (a concentration, an amount in 亩 and a rate for two
units, one named with parentheses), whose CSV and workbook are written here from rows.

Nothing here writes outside the folder it is given.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
FACTS_DOC = FIXTURES / "facts" / "facts_doc.yaml"
HOSTILE_DOC = HERE / "hostile_doc.yaml"
GOOD_XLSX = FIXTURES / "facts" / "good.xlsx"
CURRENT_ONLY = FIXTURES / "facts" / "current_only.xlsx"
PREVIOUS_2019 = FIXTURES / "facts" / "previous_2019.xlsx"
GOOD_CSV = FIXTURES / "facts" / "wide_utf8.csv"
LONG_CSV = FIXTURES / "facts" / "long_form.csv"

#: What a user fills in: the name every built file carries (problems must name it).
XLSX_NAME = "甲乙丙填报表.xlsx"
CSV_NAME = "各区数据.csv"
PREV_NAME = "上年数据.xlsx"

UNITS_SHEET, TASKS_SHEET, EVENTS_SHEET = "单位数据", "任务完成情况", "加扣分事项"
#: Rows of the good workbook's units sheet (1-based): the code row, then 甲区, 乙区, 丙县 (2020),
#: then the same units for 2019.
CODE_ROW = 4
ROW = {"甲区": 5, "乙区": 6, "丙县": 7}
#: The events sheet: code row 3; row 4 甲区 加.1 (1 award), row 5 乙区 扣.1 incident (amount
#: blank: one), row 6 乙区 扣.1 通报扣分 2 points. Column D amount, E evidence, F date.
EVENT_ROW = 4


@dataclass
class Built:
    """A hostile file (and last year's, when given) and the spec to read it with."""

    current: Path
    previous: Path | None = None
    doc: Path = FACTS_DOC

    def inputs(self) -> list[Path]:
        return [p for p in (self.current, self.previous) if p is not None]


# -- facts_doc workbooks -----------------------------------------------------------------------
def col(ws, key: str, code_row: int = CODE_ROW) -> int:
    """Return the 1-based column whose field code is ``key``."""
    for c in ws[code_row]:
        if c.value == key:
            return c.column
    raise KeyError(key)


def workbook(tmp: Path, fn: Callable, *, name: str = XLSX_NAME, base: Path = GOOD_XLSX) -> Built:
    """Return the good workbook changed by ``fn(wb)``, saved as Excel would (no neutralising)."""
    wb = load_workbook(base)
    fn(wb)
    path = tmp / name
    wb.save(path)
    return Built(path)


def set_unit(wb, unit: str, key: str, value, number_format: str | None = None):
    ws = wb[UNITS_SHEET]
    c = ws.cell(ROW[unit], col(ws, key), value)
    if number_format:
        c.number_format = number_format
    return c


def set_event(wb, column: str, value, row: int = EVENT_ROW):
    wb[EVENTS_SHEET][f"{column}{row}"].value = value


def zip_edit(path: Path, member: str, fn: Callable[[bytes], bytes], *, out: Path | None = None) -> Path:
    """Rewrite one member of an xlsx zip with ``fn``; return the written path."""
    with zipfile.ZipFile(path) as src:
        items = [(i, src.read(i.filename)) for i in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            dst.writestr(info, fn(data) if info.filename == member else data)
    target = out or path
    target.write_bytes(buf.getvalue())
    return target


def cell_xml(path: Path, ref: str, new: str, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """Replace the XML of cell ``ref`` on the first sheet with ``new`` (as another writer would)."""
    def fn(data: bytes) -> bytes:
        text, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', new, data.decode("utf-8"), count=1)
        assert n == 1, ref
        return text.encode("utf-8")
    return zip_edit(path, member, fn)


# -- facts_doc CSV --------------------------------------------------------------------------------
def good_rows() -> list[list[str]]:
    """Return the good wide CSV (title, header, codes, 甲区, 乙区, 丙县) as rows of text."""
    return list(csv.reader(io.StringIO(GOOD_CSV.read_text(encoding="utf-8-sig"), newline="")))


def csv_text(rows: list[list[str]], *, delimiter: str = ",", newline: str = "\r\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def csv_file(tmp: Path, data: bytes | str, *, name: str = CSV_NAME, doc: Path = FACTS_DOC) -> Built:
    path = tmp / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Built(path, doc=doc)


def edited_rows(changes: dict[tuple[str, str], str]) -> list[list[str]]:
    """Return the good CSV rows with ``{(unit, field code): text}`` typed over."""
    rows = good_rows()
    codes = rows[2]
    for (unit, key), text in changes.items():
        row = next(r for r in rows[3:] if r[1] == unit)
        row[codes.index(key)] = text
    return rows


# -- hostile_doc: the number cases ------------------------------------------------------------------
NUM_TITLE = "《数字读取测试》单位数据  文档代码:hostile-doc  年度:2020"
NUM_HEAD = ["年度", "单位", "一.1 PM2.5平均浓度(μg/m³)", "一.2 新增造林面积(亩)", "一.3 饮用水水源达标率(%)", "备注"]
NUM_CODES = ["year", "unit", "一.1:value", "一.2:value", "一.3:value", "remark"]
#: The good figures: 甲区 30 μg/m³, 1200 亩, 95 %; 开发区(园区) 40 μg/m³, 800 亩, 92.5 %.
NUM_GOOD = {"甲区": [2020, "甲区", 30, 1200, 95, None], "开发区(园区)": [2020, "开发区(园区)", 40, 800, 92.5, None]}
#: Where a number case's cell sits: the units' rows (1-based, title row 1) and the columns.
NUM_ROW = {"甲区": 4, "开发区(园区)": 5}
NUM_COL = {k: j for j, k in enumerate(NUM_CODES)}


def number_rows(changes: dict[tuple[str, str], object]) -> list[list]:
    rows = [[NUM_TITLE], list(NUM_HEAD), list(NUM_CODES)]
    for unit, good in NUM_GOOD.items():
        row = list(good)
        for (u, key), v in changes.items():
            if u == unit:
                row[NUM_COL[key]] = v
        rows.append(row)
    return rows


def numbers_csv(tmp: Path, changes: dict[tuple[str, str], str], *, delimiter: str = ",",
                encoding: str = "utf-8") -> Built:
    rows = [["" if v is None else str(v) for v in r] for r in number_rows(changes)]
    return csv_file(tmp, csv_text(rows, delimiter=delimiter).encode(encoding), doc=HOSTILE_DOC)


def numbers_xlsx(tmp: Path, changes: dict[tuple[str, str], object], *,
                 formats: dict[tuple[str, str], str] | None = None, name: str = XLSX_NAME) -> Built:
    wb = Workbook()
    ws = wb.active
    ws.title = UNITS_SHEET
    for r in number_rows(changes):
        ws.append(r)
    for (unit, key), fmt in (formats or {}).items():
        ws.cell(NUM_ROW[unit], NUM_COL[key] + 1).number_format = fmt
    path = tmp / name
    wb.save(path)
    return Built(path, doc=HOSTILE_DOC)


# -- the builders -------------------------------------------------------------------------------------
# Encodings (facts_doc wide CSV)
def utf16le_bom_comma(tmp):
    return csv_file(tmp, GOOD_CSV.read_text(encoding="utf-8-sig").encode("utf-16-le").join([b"\xff\xfe", b""]))


def utf16be_bom_tab(tmp):
    text = csv_text(good_rows(), delimiter="\t")
    return csv_file(tmp, b"\xfe\xff" + text.encode("utf-16-be"), name="各区数据.txt")


def bom_then_gbk(tmp):
    """A GBK file someone 'fixed' by adding a UTF-8 BOM in an editor (the rest still GBK)."""
    return csv_file(tmp, b"\xef\xbb\xbf" + GOOD_CSV.read_text(encoding="utf-8-sig").encode("gbk"))


def utf16_odd_length(tmp):
    """A UTF-16 export cut one byte short (a copy interrupted)."""
    return csv_file(tmp, GOOD_CSV.read_text(encoding="utf-8-sig").encode("utf-16")[:-1])


def big5(tmp):
    """A file from a Traditional-Chinese system: Big5, which GB18030 decodes as other characters."""
    text = GOOD_CSV.read_text(encoding="utf-8-sig")
    return csv_file(tmp, text.encode("big5", errors="replace"))


def gb18030_rare_char(tmp):
    """A remark with a character outside GBK (𠮷, four bytes in GB18030): read exactly as typed."""
    rows = edited_rows({("甲区", "remark"): "𠮷祥村整改"})
    return csv_file(tmp, csv_text(rows).encode("gb18030"))


def huge_field(tmp):
    """A remark of 200 KB (a whole report pasted into one cell)."""
    rows = edited_rows({("甲区", "remark"): "说明" * 100_000})
    return csv_file(tmp, csv_text(rows))


def nul_bytes(tmp):
    data = GOOD_CSV.read_bytes()
    return csv_file(tmp, data.replace("乙区,88".encode(), "乙区,8\x008".encode()))


def cr_only(tmp):
    """Old Mac line ends: CR only."""
    return csv_file(tmp, csv_text(good_rows(), newline="\r"))


def lf_only_gbk(tmp):
    return csv_file(tmp, csv_text(good_rows(), newline="\n").encode("gbk"))


def trailing_blank_lines_and_commas(tmp):
    """Excel's CSV of a sheet with a used range wider and longer than the data."""
    rows = [r + ["", "", ""] for r in good_rows()] + [[""] * 21] * 5
    return csv_file(tmp, csv_text(rows))


def excel_trailing_sheet1(tmp):
    """Excel adds an empty Sheet1 after a copy-paste into a new workbook."""
    return workbook(tmp, lambda wb: wb.create_sheet("Sheet1"))


# Delimiters
def semicolon_decimal_comma(tmp):
    """A European-locale export: semicolons between fields, decimal commas in numbers."""
    rows = edited_rows({("甲区", "一.1:value"): "92,5", ("乙区", "指.1:value"): "45,0"})
    return csv_file(tmp, csv_text(rows, delimiter=";"))


def semicolon_thousands(tmp):
    """A semicolon export whose number has a comma that looks like a thousands separator."""
    return numbers_csv(tmp, {("甲区", "一.2:value"): "1,200"}, delimiter=";")


def semicolon_plain(tmp):
    return numbers_csv(tmp, {("甲区", "一.2:value"): "1200.5"}, delimiter=";")


def tab_utf8_tsv(tmp):
    """A "Unicode text" export re-saved as UTF-8 .tsv, note with a comma inside."""
    rows = edited_rows({("甲区", "remark"): "已整改,待复核"})
    return csv_file(tmp, csv_text(rows, delimiter="\t"), name="各区数据.tsv")


# Numbers (hostile_doc)
def n_csv(key: str, text: str, unit: str = "甲区"):
    return lambda tmp: numbers_csv(tmp, {(unit, key): text})


def n_xlsx(key: str, value, unit: str = "甲区", fmt: str | None = None):
    return lambda tmp: numbers_xlsx(tmp, {(unit, key): value}, formats={(unit, key): fmt} if fmt else None)


# Years (facts_doc workbook, 甲区's 2020 row; column A)
def year_cell(value):
    return lambda tmp: workbook(tmp, lambda wb: setattr(wb[UNITS_SHEET][f"A{ROW['甲区']}"], "value", value))


def meta_year(year: int):
    def fn(wb):
        for row in wb["_meta"].iter_rows():
            if row[0].value == "year":
                row[1].value = year
        for ws in wb.worksheets:
            v = ws.cell(1, 1).value
            if isinstance(v, str) and "年度:" in v:
                ws.cell(1, 1).value = v.replace("年度:2020", f"年度:{year}")
    return lambda tmp: workbook(tmp, fn)


# Units
def unit_cell(unit: str, text):
    return lambda tmp: workbook(tmp, lambda wb: setattr(wb[UNITS_SHEET][f"B{ROW[unit]}"], "value", text))


def misspelt_unit_and_bad_value(tmp):
    def fn(wb):
        wb[UNITS_SHEET][f"B{ROW['乙区']}"].value = "乙去"
        set_unit(wb, "乙区", "一.1:value", "约90")
    return workbook(tmp, fn)


def alias_and_name_twice(tmp):
    """丙县 typed once by its alias 丙 (on a 2020 row) and once by name: the same unit twice."""
    def fn(wb):
        ws = wb[UNITS_SHEET]
        ws["A8"].value, ws["B8"].value = 2020, "丙"  # was 2019 甲区
    return workbook(tmp, fn)


def parenthesised_name_fullwidth(tmp):
    return numbers_csv(tmp, {("开发区(园区)", "unit"): "开发区（园区）"})


# Structure
def header_far_down(tmp):
    """A long title block (发文单位, 联系人, 填报说明…) above the header: header on row 15."""
    def fn(wb):
        ws = wb[UNITS_SHEET]
        ws.insert_rows(2, 11)
        for i in range(2, 13):
            ws.cell(i, 1, f"填报说明第{i - 1}条:请按要求如实填写。")
    return workbook(tmp, fn)


def header_repeated(tmp):
    """The header block pasted a second time under the data (two offices' sheets stacked)."""
    def fn(wb):
        ws = wb[UNITS_SHEET]
        head = [[c.value for c in ws[r]] for r in (2, 3, 4)]
        ws.insert_rows(8, 3)
        for k, values in enumerate(head):
            for j, v in enumerate(values, 1):
                ws.cell(8 + k, j, v)
    return workbook(tmp, fn)


def permute(ws, order: list[int]) -> None:
    """Rearrange a sheet's columns: new column k+1 is old column ``order[k]``."""
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    for i, values in enumerate(rows, 1):
        for k, j in enumerate(order, 1):
            ws.cell(i, k).value = values[j - 1] if j - 1 < len(values) else None


def columns_reordered(tmp):
    """年度 and 单位 swapped, the fact columns in reverse order."""
    def fn(wb):
        ws = wb[UNITS_SHEET]
        for rng in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(rng))
        n = ws.max_column
        permute(ws, [2, 1, *range(n, 2, -1)])
    return workbook(tmp, fn)


def extra_unknown_column(tmp):
    """A contact column added between the data (no field code)."""
    def fn(wb):
        ws = wb[UNITS_SHEET]
        ws.insert_cols(3)
        ws["C2"].value, ws["C5"].value, ws["C6"].value = "联系人电话", "0578-1234567", "13900000000"
    return workbook(tmp, fn)


def hidden_old_copy_sheet(tmp):
    """WPS keeps an old copy of the sheet, hidden, with last month's figures."""
    def fn(wb):
        old = wb.copy_worksheet(wb[UNITS_SHEET])
        old.title = "单位数据(旧)"
        old.sheet_state = "hidden"
        old.cell(ROW["甲区"], col(old, "一.1:value")).value = 85
    return workbook(tmp, fn)


def hidden_rows(tmp):
    """The 2019 rows hidden (still read: hidden is not deleted)."""
    def fn(wb):
        for r in (8, 9, 10):
            wb[UNITS_SHEET].row_dimensions[r].hidden = True
    return workbook(tmp, fn)


def whole_rows_formatted(tmp):
    """Whole rows formatted down the sheet (a fill chosen for rows 1:100000 in WPS): the XML
    holds a styled, empty row element for each; the rows above are read as before."""
    b = workbook(tmp, lambda wb: None)

    def fn(data: bytes) -> bytes:
        text = data.decode("utf-8")
        last = max(int(r) for r in re.findall(r'<row r="(\d+)"', text))
        rows = "".join(f'<row r="{i}" s="1" customFormat="1"/>' for i in range(last + 1, 100_001))
        return text.replace("</sheetData>", rows + "</sheetData>").encode("utf-8")

    zip_edit(b.current, "xl/worksheets/sheet1.xml", fn)
    return b


def sheets_renamed_by_wps(tmp):
    def fn(wb):
        wb[UNITS_SHEET].title = "Sheet1"
        wb[TASKS_SHEET].title = "任务完成情况(1)"
    return workbook(tmp, fn)


def sheets_reordered(tmp):
    def fn(wb):
        wb._sheets.reverse()
        wb.active = 0
    return workbook(tmp, fn)


def merged_over_unit(tmp):
    """B6:B7 merged (乙区's name cell swallowed by the merge): row 7 has values but no unit."""
    return workbook(tmp, lambda wb: wb[UNITS_SHEET].merge_cells("B6:B7"))


def merged_over_value(tmp):
    """C5:C6 merged: 甲区's figure spreads over 乙区's cell."""
    return workbook(tmp, lambda wb: wb[UNITS_SHEET].merge_cells("C5:C6"))


def formula_no_cache(tmp):
    """A formula written by a program (no cached result): Excel would show 92.5."""
    return workbook(tmp, lambda wb: set_unit(wb, "甲区", "一.1:value", "=90+2.5"))


def formula_cached(tmp):
    """A formula Excel saved with its result: the cached 92.5 is what was shown and is read."""
    b = workbook(tmp, lambda wb: None)
    cell_xml(b.current, "C5", '<c r="C5" s="5"><f>90+2.5</f><v>92.5</v></c>')
    return b


def excel_error(code: str):
    """An error value a formula left in the cell (``t="e"``)."""
    def build(tmp):
        b = workbook(tmp, lambda wb: None)
        cell_xml(b.current, "C6", f'<c r="C6" s="5" t="e"><f>1/0</f><v>{code}</v></c>')
        return b
    return build


def empty_events_sheet(tmp):
    """The events sheet cleared entirely, header too (no events this year)."""
    def fn(wb):
        ws = wb[EVENTS_SHEET]
        ws.delete_rows(1, ws.max_row)
    return workbook(tmp, fn)


def chart_sheet(tmp):
    def fn(wb):
        from openpyxl.chart import BarChart, Reference

        chart = BarChart()
        ws = wb[UNITS_SHEET]
        chart.add_data(Reference(ws, min_col=3, min_row=5, max_row=7))
        wb.create_chartsheet("图表").add_chart(chart)
    return workbook(tmp, fn)


def saved_as_xlsm(tmp):
    b = workbook(tmp, lambda wb: None, name="甲乙丙填报表.xlsm")
    zip_edit(b.current, "[Content_Types].xml", lambda d: d.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
    return b


def xls_named_xlsx(tmp):
    path = tmp / XLSX_NAME
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    return Built(path)


def zero_bytes(tmp):
    path = tmp / XLSX_NAME
    path.write_bytes(b"")
    return Built(path)


def truncated_zip(tmp):
    """A download cut off half way."""
    path = tmp / XLSX_NAME
    path.write_bytes(GOOD_XLSX.read_bytes()[: GOOD_XLSX.stat().st_size // 2])
    return Built(path)


def truncated_sheet_xml(tmp):
    """A zip whose units sheet's XML stops mid-way (a writer that crashed)."""
    b = workbook(tmp, lambda wb: None)
    zip_edit(b.current, "xl/worksheets/sheet1.xml", lambda d: d[: len(d) // 2])
    return b


def directory_as_file(tmp):
    path = tmp / XLSX_NAME
    path.mkdir()
    return Built(path)


def directory_as_csv(tmp):
    path = tmp / CSV_NAME
    path.mkdir()
    return Built(path)


def unreadable(suffix: str):
    def build(tmp):
        b = workbook(tmp, lambda wb: None) if suffix == ".xlsx" else csv_file(tmp, GOOD_CSV.read_bytes())
        b.current.chmod(0)
        return b
    return build


def long_form_sheet(tmp):
    """The long form (单位, 指标代码, 数值) as an xlsx sheet, from another system's export."""
    rows = list(csv.reader(io.StringIO(LONG_CSV.read_text(encoding="utf-8-sig"), newline="")))
    wb = Workbook()
    ws = wb.active
    ws.title = "导出数据"
    for r in rows:
        ws.append([float(v) if re.fullmatch(r"\d+(\.\d+)?", v) else (v or None) for v in r])
    path = tmp / XLSX_NAME
    wb.save(path)
    return Built(path)


def code_row_deleted(tmp):
    """The grey field-code row deleted (only the Chinese headers left)."""
    return workbook(tmp, lambda wb: wb[UNITS_SHEET].delete_rows(CODE_ROW))


def code_row_fullwidth(tmp):
    """Field codes retyped with a Chinese IME: full-width dots, colons and letters."""
    def fn(wb):
        ws = wb[UNITS_SHEET]
        c = ws.cell(CODE_ROW, col(ws, "一.1:value"))
        c.value = "一．１：ｖａｌｕｅ"
    return workbook(tmp, fn)


def totals_row(tmp):
    """A 合计 row under the units (a habit from statistical tables)."""
    rows = good_rows()
    rows.append(["2020", "合计", "275.5", "", "3", "", "", "", "", "", "10", "164.2"] + [""] * 6)
    return csv_file(tmp, csv_text(rows))


# Events (facts_doc workbook, row 4: 甲区 加.1 1 award, 2020-05-10)
def event_cell(column: str, value, row: int = EVENT_ROW):
    return lambda tmp: workbook(tmp, lambda wb: set_event(wb, column, value, row))


def event_line_fullwidth(tmp):
    return workbook(tmp, lambda wb: set_event(wb, "B", "加．1"))


# Previous year
def previous_edited(fn: Callable) -> Callable:
    """Return a builder: this year's good file, and last year's changed by ``fn(units sheet)``."""
    def build(tmp):
        cur = tmp / XLSX_NAME
        cur.write_bytes(CURRENT_ONLY.read_bytes())
        wb = load_workbook(PREVIOUS_2019)
        fn(wb[UNITS_SHEET])
        prev = tmp / PREV_NAME
        wb.save(prev)
        return Built(cur, prev)
    return build


#: Last year's file without 乙区's row, though 指.1 (a trend) needs last year's value.
previous_lacking_unit = previous_edited(lambda ws: ws.delete_rows(6))


def _label_this_year(ws):
    for r in (5, 6, 7):
        ws[f"A{r}"].value = 2020


#: Last year's file whose year column says 2020 (copied from this year's and not changed).
previous_rows_labelled_this_year = previous_edited(_label_this_year)


def previous_from_another_document(tmp):
    """Last year's 'file' is another county's CSV: none of its units belong here, no title row."""
    cur = tmp / XLSX_NAME
    cur.write_bytes(CURRENT_ONLY.read_bytes())
    rows = good_rows()[1:]
    for r, name in zip(rows[2:], ("越城区", "柯桥区", "上虞区")):
        r[0], r[1] = "2019", name
    prev = tmp / "上年数据.csv"
    prev.write_text(csv_text(rows), encoding="utf-8")
    return Built(cur, prev)


def previous_csv_good(tmp):
    cur = tmp / XLSX_NAME
    cur.write_bytes(CURRENT_ONLY.read_bytes())
    rows = [["年度", "单位", "指.1 森林覆盖率(%)"], ["year", "unit", "指.1:value"],
            ["2019", "甲区", "60.8"], ["2019", "乙区", "46"], ["2019", "丙县", "５８"]]
    prev = tmp / "上年数据.csv"
    prev.write_bytes(csv_text(rows).encode("gbk"))
    return Built(cur, prev)


# Formula-injection text
INJECTIONS = ['=HYPERLINK("http://example.invalid/x","点击查看")', "@SUM(1+1)*cmd|' /C calc'!A0",
              "+cmd|' /C notepad'!A0", "-2+3+cmd|' /C calc'!A0"]


def injected_units(tmp):
    """Unknown units whose names are formulas: they come back in the problem list's 单位 and 实际为."""
    rows = good_rows()
    for r, text in zip(rows[3:5], INJECTIONS):  # 甲区 and 乙区 renamed; 丙县 kept
        r[1] = text
    rows += [["2020", text] + rows[5][2:] for text in INJECTIONS[2:]]
    return csv_file(tmp, csv_text(rows))


def injected_evidence(tmp):
    """A valid workbook whose evidence, note and remark cells hold formula text (as text cells)."""
    def fn(wb):
        for c in (wb[EVENTS_SHEET]["E4"], wb[UNITS_SHEET][f"J{ROW['丙县']}"], wb[TASKS_SHEET]["H5"]):
            c.value = INJECTIONS[0]
            c.data_type = "s"
    return workbook(tmp, fn)


# More files from the wild
def password_protected(tmp):
    """Excel's 'Encrypt with password': an OLE container holding an EncryptedPackage stream."""
    path = tmp / XLSX_NAME
    body = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + body + b"\x00" * 512)
    return Built(path)


def strict_open_xml(tmp):
    """Excel's 'Strict Open XML Spreadsheet' save: the same parts under the ISO namespaces."""
    b = workbook(tmp, lambda wb: None)
    swaps = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
             (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
              b"http://purl.oclc.org/ooxml/officeDocument/relationships")]
    with zipfile.ZipFile(b.current) as z:
        names = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
    for name in names:
        def fn(d):
            for old, new in swaps:
                d = d.replace(old, new)
            return d
        zip_edit(b.current, name, fn)
    return b


def same_file_as_previous(tmp):
    """This year's file given again as last year's."""
    b = workbook(tmp, lambda wb: None, base=CURRENT_ONLY)
    return Built(b.current, b.current)


def two_exports_concatenated(tmp):
    """Two offices' CSV exports joined with `copy /b a.csv+b.csv`: a second BOM, title and header mid-file."""
    data = GOOD_CSV.read_bytes()
    lines = data.decode("utf-8-sig").splitlines(keepends=True)
    first = "".join(lines[:5]).encode("utf-8-sig")
    second = "".join(lines[:3] + lines[5:]).encode("utf-8-sig")
    return csv_file(tmp, first + second)


def mojibake_resaved(tmp):
    """A UTF-8 CSV (no BOM) opened in Excel on Chinese Windows (read as GBK, shown garbled) and
    saved again: the garbled text is now what the file holds, in GBK.
    """
    text = GOOD_CSV.read_text(encoding="utf-8-sig").encode("utf-8").decode("gbk", errors="replace")
    return csv_file(tmp, text.encode("gbk", errors="replace"))


def year_column_deleted(tmp):
    return workbook(tmp, lambda wb: wb[UNITS_SHEET].delete_cols(1))


SEMI_NOTE = ";".join(f"第{i}条已整改" for i in range(1, 151))
COMMA_NOTE = ",".join(f"第{i}条" for i in range(1, 151))


def notes_full_of_semicolons(tmp):
    """A comma CSV whose remark lists items with ASCII semicolons (more of them than commas)."""
    rows = edited_rows({("甲区", "remark"): SEMI_NOTE})
    return csv_file(tmp, csv_text(rows))


def semicolon_notes_full_of_commas(tmp):
    """A semicolon CSV (decimal points) whose remark is a long comma-separated list."""
    return numbers_csv(tmp, {("甲区", "remark"): COMMA_NOTE,
                             ("甲区", "一.2:value"): "1200.5"}, delimiter=";")


def raw_cell(ref: str, xml: str):
    """The good workbook with one cell of the units sheet written as another program writes it."""
    def build(tmp):
        b = workbook(tmp, lambda wb: None)
        cell_xml(b.current, ref, xml)
        return b
    return build


#: WPS writes a name whose characters carry different fonts as rich-text runs.
RICH_UNIT = raw_cell("B5", '<c r="B5" t="inlineStr"><is><r><t>甲</t></r><r><rPr><b/></rPr><t>区</t></r></is></c>')
#: Excel keeps phonetic guides (拼音指南) beside the text; they are not part of the value.
PHONETIC_UNIT = raw_cell("B5", '<c r="B5" t="inlineStr"><is><t>甲区</t><rPh sb="0" eb="2"><t>jiaqu</t></rPh></is></c>')
#: A figure typed as text with part of it in bold.
RICH_NUMBER = raw_cell("C5", '<c r="C5" t="inlineStr"><is><r><t>92</t></r><r><rPr><b/></rPr><t>.5</t></r></is></c>')


# -- a real document: facts no small test document has (a change in %, an improvement) ---------------
XX_DOC = HERE.parent.parent / "lib" / "ecoscore" / "spec" / "documents" / "xx-2020.yaml"
XX_SAMPLE = HERE.parent.parent / "data" / "xx-2020" / "示例数据-2020.xlsx"
#: Rows of the xx-2020 sample's units sheet (code row 4): 江干区 5, 拱墅区 6, 西湖区 7.
XX_ROW = {"江干区": 5, "拱墅区": 6, "西湖区": 7}


def xx_cell(unit: str, key: str, value):
    """The xx-2020 sample workbook with one unit's figure typed over (as 填报表.xlsx)."""
    def build(tmp):
        wb = load_workbook(XX_SAMPLE)
        ws = wb[UNITS_SHEET]
        ws.cell(XX_ROW[unit], col(ws, key), value)
        path = tmp / XLSX_NAME
        wb.save(path)
        return Built(path, doc=XX_DOC)
    return build


#: A figure typed as text 40,000 characters long (a pasted column, a stuck key).
LONG_DIGITS = "3" * 40_000
#: A unit name with a whole paragraph pasted after it: 2 + 5 × 6,000 = 30,002 characters (an xlsx
#: cell holds at most 32,767).
LONG_NAME = "乙区" + "很长的说明" * 6000


def nan_inf_cells(tmp):
    """The good workbook with 甲区's and 乙区's 一.1 saved as NaN and INF (as some exporters write)."""
    b = workbook(tmp, lambda wb: None)
    cell_xml(b.current, "C5", '<c r="C5"><v>NaN</v></c>')
    cell_xml(b.current, "C6", '<c r="C6"><v>INF</v></c>')
    return b

