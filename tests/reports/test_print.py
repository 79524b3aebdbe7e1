"""Reports on A4 paper: real sample reports printed by ``render(pdf=True)`` and read back.

One unit of each of two documents is rendered with its own notebook and printed by Debian's
Chromium (``make system``; a missing browser fails, as in ``test_browser``). The PDFs' text is
read with PDFium (``pypdfium2``, Chromium's own PDF engine: what a reader's viewer copies),
by page and by band (header, body, footer). The layout checks open the same pages in
Playwright with print media emulated, at the printable width of A4.
"""

from __future__ import annotations

import http.server
import re
import threading
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from bs4 import BeautifulSoup

from ecoscore import load_spec
from ecoscore.batch.render import render
from ecoscore.reports.standalone import (
    CHROMIUM_ARGS,
    STACK_COLUMNS,
    PdfPrinter,
    page_footer,
    page_header,
    wrap_tables,
)

CHROMIUM = Path("/usr/bin/chromium")
#: one unit of each of two documents (the quickest to render); shengzhou's appendix is wide enough
#: to be stacked in print (``STACK_COLUMNS``), lishui's ten columns print as a table
UNITS = {"shengzhou-2024": 0, "lishui-2024": 0}
MM = 72 / 25.4  # points per millimetre
TOP, BOTTOM, SIDE = 16 * MM, 14 * MM, 12 * MM  # report.css @page margins
PRINT_WIDTH = round((210 - 2 * 12) / 25.4 * 96)  # A4 less its side margins, in CSS pixels (703)


def squeeze(text: str) -> str:
    """Return ``text`` without spaces, line breaks and punctuation: the words that must be printed.

    (Chromium squeezes adjacent CJK punctuation, so "(“" may be read back as "“(".)
    """
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] != "P")


class Printed:
    """A report's HTML (parsed) and its PDF (text by page, in three bands)."""

    def __init__(self, doc: str, unit: str, html: Path, pdf: Path):
        self.doc, self.unit, self.html, self.pdf = doc, unit, html, pdf
        self.soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        self.header, self.body, self.footer, self.outside = [], [], [], []
        pages = pdfium.PdfDocument(str(pdf))
        try:
            for page in pages:
                w, h = page.get_size()
                text = page.get_textpage()
                self.header.append(squeeze(text.get_text_bounded(0, h - TOP, w, h)))
                self.body.append(squeeze(text.get_text_bounded(0, BOTTOM, w, h - TOP)))
                self.footer.append(squeeze(text.get_text_bounded(0, 0, w, BOTTOM)))
                # anything printed in the side margins, or past the paper's edge, was cut off
                self.outside.append(squeeze(text.get_text_bounded(w - SIDE + 1, 0, w + 10_000, h)
                                            + text.get_text_bounded(-10_000, 0, SIDE - 1, h)))
        finally:
            pages.close()
        self.text = "".join(self.body)

    def page_of(self, snippet: str) -> int:
        """Return the first page (0-based) whose body holds ``snippet``; -1 if none does."""
        s = squeeze(snippet)
        return next((i for i, t in enumerate(self.body) if s in t), -1)


@pytest.fixture(scope="module")
def printed(tmp_path_factory, sample_data) -> dict[str, Printed]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make system)", pytrace=False)
    out = tmp_path_factory.mktemp("printed")
    found = {}
    for doc, k in UNITS.items():
        unit = load_spec(doc).unit_names[k]
        with sample_data(doc):
            summary = render(doc, units=[unit], workers=1, out_dir=out, progress=False, pdf=True)
        assert summary.ok, summary.describe()
        found[doc] = Printed(doc, unit, summary.written[unit], summary.pdfs[unit])
    return found


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        yield b
        b.close()


DOCS = sorted(UNITS)


@pytest.mark.parametrize("doc", DOCS)
def test_every_details_prints_open(printed, doc):
    rep = printed[doc]
    details = rep.soup.select("details")
    assert len(details) > 10 and rep.soup.select("details.eco-clause")
    lacking = []
    for d in details:  # each run of text, in case the content is laid out anew in print (a stacked table)
        for text in d.find_all(string=True):
            words = squeeze(text)
            if words and not text.find_parent(["summary", "style"]) and words not in rep.text:
                lacking.append(words[:40])
    assert lacking == [], f"{len(lacking)} texts inside <details> not printed: {lacking[:3]}"


def cell_words(cell) -> str:
    return squeeze("".join(t for t in cell.find_all(string=True) if not t.find_parent(["summary", "style"])))


@pytest.mark.parametrize("doc", DOCS)
def test_every_column_of_every_table_prints(printed, doc):
    rep = printed[doc]
    tables = rep.soup.select("table")
    widest = max(tables, key=lambda t: len(t.select("thead th")))
    names = [th.get_text(strip=True) for th in widest.select("thead th")]
    assert len(names) >= 10 and {"牵头单位", "评分规则"} <= set(names)
    checked, lacking = set(), []
    for table in tables:
        names = [th.get_text(strip=True) for th in table.select("thead th")]
        for row in table.select("tbody tr"):
            cells = row.find_all(["td", "th"], recursive=False)
            for name, cell in zip(names, cells):
                words = cell_words(cell)
                if words and words not in rep.text:
                    lacking.append(f"{name}: {words[:30]}")
                checked.add(name)
    assert lacking == [], f"{len(lacking)} cells not printed: {lacking[:5]}"
    assert {"牵头单位", "评分规则", "依据条款"} <= checked  # the columns lost off the right edge before
    assert [(i + 1, t[:30]) for i, t in enumerate(rep.outside) if t] == []  # nothing in the margins or cut off


def test_a_stacked_table_is_among_those_printed(printed):
    """The column checks above cover the stacked layout too (a table too wide for A4)."""
    widths = {doc: max(len(t.select("thead th")) for t in rep.soup.select("table")) for doc, rep in printed.items()}
    assert max(widths.values()) >= STACK_COLUMNS, widths


@pytest.mark.parametrize("doc", DOCS)
def test_no_table_is_wider_than_the_page(printed, browser, doc):
    rep = printed[doc]
    page = browser.new_page(viewport={"width": PRINT_WIDTH, "height": 1000})
    try:
        page.goto(rep.html.resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        found = page.evaluate("""() => {
            const width = document.documentElement.clientWidth;
            const right = e => e.getBoundingClientRect().right;
            const tables = Array.from(document.querySelectorAll('table'));
            return {width, scroll: document.documentElement.scrollWidth, tables: tables.length,
                    wide: tables.filter(t => right(t) > width + 0.5).map(t => [t.rows[0].cells.length, right(t)]),
                    cells: Array.from(document.querySelectorAll('th, td')).filter(c => right(c) > width + 0.5).length};
        }""")
    finally:
        page.close()
    assert found["width"] == PRINT_WIDTH and found["tables"] >= 4
    assert found["wide"] == [] and found["cells"] == 0, found
    assert found["scroll"] <= PRINT_WIDTH


@pytest.mark.parametrize("doc", DOCS)
def test_every_page_names_the_document_and_unit_and_counts_pages(printed, doc):
    rep = printed[doc]
    title = squeeze(load_spec(doc).short_title)
    n = len(rep.header)
    assert n >= 5
    for i, (head, foot) in enumerate(zip(rep.header, rep.footer)):
        assert head == title + squeeze(rep.unit), (i + 1, head)
        assert foot == squeeze(f"示例数据,非官方数据 第 {i + 1} 页 / 共 {n} 页"), (i + 1, foot)


@pytest.mark.parametrize("doc", DOCS)
def test_the_summary_leads_page_one_and_ends_its_page(printed, doc):
    rep = printed[doc]
    summary = rep.soup.select_one("section.summary")
    if summary is None:
        pytest.skip("this report has no one-page summary (section.summary)")
    own = [squeeze(t) for t in summary.find_all(string=True) if t.find_parent(["style", "script"]) is None]
    own = [t for t in own if len(t) >= 4]
    assert rep.page_of(own[0]) == 0  # the summary's heading opens the first page
    last = max(rep.page_of(t) for t in own[-3:])
    after = next(t for t in (squeeze(s) for s in summary.find_all_next(string=True)
                             if s.find_parent(["style", "script", "section"]) is None)
                 if len(t) >= 4 and t not in "".join(own))
    assert rep.page_of(after) == last + 1, f"the report goes on on the summary's page: {after[:30]}"


def test_the_printer_stays_offline(tmp_path):
    asked = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = tmp_path / "外链.html"
        page.write_text(f'<!DOCTYPE html><html lang="zh-CN"><head><link rel="stylesheet" href="{base}/a.css">'
                        f'</head><body><h1>离线打印</h1><img src="{base}/b.png"></body></html>', encoding="utf-8")
        with PdfPrinter() as printer:
            data = printer.print_pdf(page, header=page_header("文件", "单位"), footer=page_footer())
    finally:
        server.shutdown()
    assert data[:5] == b"%PDF-"
    assert asked == []


def test_only_tables_of_many_columns_are_stacked_and_labelled():
    def table(n: int, rows: str) -> str:
        head = "".join(f"<th>列&lt;{k}&gt;</th>" for k in range(n))
        return f'<table class="eco-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'

    def row(n: int) -> str:
        return "<tr>" + "".join(f'<td class="c">{k}</td>' for k in range(n)) + "</tr>"

    narrow = table(STACK_COLUMNS - 1, row(STACK_COLUMNS - 1))
    assert wrap_tables(narrow) == f'<div class="table-wrap">{narrow}</div>'
    wide = wrap_tables(table(STACK_COLUMNS, row(STACK_COLUMNS) + '<tr><td colspan="3">小计</td></tr>'))
    soup = BeautifulSoup(wide, "html.parser")
    assert soup.div["class"] == ["table-wrap", "table-stack"]
    first, odd = soup.select("tbody tr")
    assert [td.get("class") for td in first.find_all("td")] == [["c"]] * STACK_COLUMNS
    assert first.get("data-shape") is None and odd["data-shape"] == "other"  # a row of another shape prints as it is
    # each column's name labels its cells once, in a style of the table's own (in print and on a phone);
    # "<" and ">" escaped so that no text can end the style element
    (style,) = soup.div.find_all("style", recursive=False)
    tid = soup.div["id"]
    assert style.string.startswith("@media print, screen and (max-width: 600px){")
    assert re.findall(rf'#{tid} tr:not\(\[data-shape\]\) > td:nth-child\((\d+)\)::before\{{content:"([^"]*)"\}}',
                      style.string) == [(str(k + 1), f"列\\3c {k}\\3e ：") for k in range(STACK_COLUMNS)]
    assert "<" not in style.string
    # the scored table is stacked on a phone only, 编号 and 考核内容 unlabelled
    scored = BeautifulSoup(wrap_tables(table(4, row(4)).replace('"eco-table"', '"eco-table eco-scored"')), "html.parser")
    assert scored.div["class"] == ["table-wrap", "table-phone"]
    assert scored.style.string.startswith("@media screen and (max-width: 600px){")
    assert re.findall(r'nth-child\((\d+)\):not\(:has\(> details\)\)::before\{content:"[^"]*"', scored.style.string) == ["3", "4"]
