"""Stand-alone HTML: an executed notebook as one file that makes no request to the network.

nbconvert's own ``lab`` and ``classic`` templates load jQuery, require.js, MathJax and the
widget manager from CDNs. The ``ecoscore_report`` template (``templates/ecoscore_report``)
keeps nbconvert's cell blocks and replaces the page around them: ``lang="zh-CN"``, a
viewport for phones, the inlined ``report.css`` (CJK font stack, print rules), no
``<script>`` at all. Images are inlined as ``data:`` URIs. Every page is checked by
``external_references`` before it is written: a resource that would be fetched from
anywhere but the file itself makes the render fail instead of shipping a broken report.

On paper (``@media print`` in ``report.css``) every ``<details>`` prints open, tables fit
the A4 width and repeat their heads, and the widest tables (``wrap_tables`` labels their
cells) print one row as a block. ``PdfPrinter`` prints pages to A4 PDF with headless
Chromium, a header naming the document and the unit and a footer counting pages: measured
against WeasyPrint 70 on three sample reports it was 13 to 32 times faster, followed the same
print rules (WeasyPrint crashed on the grid of the stacked rows) and reads back as the
same text; Chromium's ``--print-to-pdf`` command line cannot set the header (it prints the
file's path) and costs a browser start per report.
"""

from __future__ import annotations

import html
import re
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from nbconvert import HTMLExporter, TemplateExporter
from nbformat import NotebookNode

from ecoscore.paths import TEMPLATES

REPORT_TEMPLATE = "ecoscore_report"

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"""<([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_CSS_URL = re.compile(r"""url\(\s*["']?\s*([^"')\s]+)|@import\s+["']([^"']+)""", re.I)
#: Attributes whose URL the browser fetches; ``href`` fetches on any tag but a link to click.
_FETCH_ATTRS = {"src", "srcset", "poster", "data", "background", "action", "formaction", "xlink:href", "href"}
_NAVIGATION = {"a", "area"}
_LOCAL = ("data:", "#", "about:blank")
#: Tables are never nested in a report (cells hold text, links and ``<details>``), so a table
#: runs from its ``<table`` to the next ``</table>``.
_TABLE = re.compile(r"<table\b.*?</table\s*>", re.S | re.I)
_TABLE_END = re.compile(r"</table\s*>$", re.I)
_THEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead\s*>", re.S | re.I)
_TBODY = re.compile(r"<tbody\b[^>]*>(.*?)</tbody\s*>", re.S | re.I)
_ROW = re.compile(r"<tr\b.*?</tr\s*>", re.S | re.I)
_TH = re.compile(r"<th\b[^>]*>(.*?)</th\s*>", re.S | re.I)
_TD_OPEN = re.compile(r"<td\b[^>]*>", re.I)
_STYLE = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.S | re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
#: Tables with this many columns or more print as stacked rows (see ``wrap_tables``).
STACK_COLUMNS = 12
#: The scored table, stacked on a phone so that its points are seen without scrolling sideways.
_SCORED = re.compile(r"<table\b[^>]*\bclass=\"[^\"]*\beco-(?:scored|phone)\b", re.I)


def css() -> str:
    """Return the shared stylesheet, for pages built outside nbconvert (the cohort index)."""
    return (TEMPLATES / REPORT_TEMPLATE / "static" / "report.css").read_text(encoding="utf-8")


def make_exporter() -> HTMLExporter:
    """Return an HTML exporter for reports: no code, no prompts, offline template.

    Cells tagged ``remove_cell`` are dropped and ``remove_output`` lose their outputs.
    An exporter is not shared between threads; make one per worker.
    """
    exporter = _ReportExporter(
        template_name=REPORT_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    exporter.register_preprocessor(_tag_remover(), enabled=True)
    return exporter


class _ReportExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last pass, which parses the whole page with
    BeautifulSoup and writes it out again, to give an ``<img>`` without ``alt`` a stock text
    and JupyterLab-template cells a ``tabindex``: a report has no images (its charts are
    HTML, each with its own caption) and uses the classic template, and the pass cost half
    a report's own time. The rest is ``HTMLExporter.from_notebook_node`` as it is.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type",
                             WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


def _tag_remover():
    from nbconvert.preprocessors import TagRemovePreprocessor

    return TagRemovePreprocessor(remove_cell_tags={"remove_cell"}, remove_all_outputs_tags={"remove_output"})


@lru_cache(maxsize=1)
def _shared_exporter() -> HTMLExporter:
    return make_exporter()


def to_html(nb: NotebookNode, title: str, exporter: HTMLExporter | None = None) -> str:
    """Return the executed notebook ``nb`` as one stand-alone HTML page titled ``title``.

    Tables are wrapped in ``<div class="table-wrap">`` so they scroll sideways on a phone
    instead of widening the page. Raises ``ValueError`` if the page would fetch anything.
    """
    exporter = exporter or _shared_exporter()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = dedupe_styles(wrap_tables(body))
    bad = external_references(body)
    if bad:
        raise ValueError(f"报告引用了外部资源(离线无法打开):{', '.join(bad[:5])}")
    return body


def wrap_tables(html: str) -> str:
    """Wrap every ``<table>`` in a horizontally scrolling ``div.table-wrap``.

    A table of ``STACK_COLUMNS`` columns or more (the audit appendix) cannot be read on A4
    at any font size: its wrapper gets ``table-stack``, so the print style sheet lays each
    row out as a block of "label: value" pairs (``report.css``). The scored table
    (``eco-scored``) gets ``table-phone``: on a phone it, and the stacked tables, lay each
    row out so, 编号 and 考核内容 first and 满分/得分/失分 side by side, so that the points
    are seen without scrolling sideways. On a desk nothing changes.

    The labels are the column names, given once per table in a ``<style>`` of
    ``td:nth-child(k)::before`` rules (not an attribute on every cell: that was a sixth of a
    large report); a body row of another shape (a colspan, a missing cell) is marked
    ``data-shape="other"`` and shown as it is.
    """
    ids = iter(range(1, 1_000_000))
    return _TABLE.sub(lambda m: _wrap_one(m, ids), html)


def _wrap_one(m: re.Match, ids) -> str:
    table = _TABLE_END.sub("</table>", m.group(0))
    labels = _column_labels(table)
    if len(labels) >= STACK_COLUMNS:
        kind, media, first = "table-stack", "print, screen and (max-width: 600px)", 0
    elif labels and _SCORED.match(table):
        kind, media, first = "table-phone", "screen and (max-width: 600px)", 2  # 编号, 考核内容 need none
    else:
        return f'<div class="table-wrap">{table}</div>'
    tid = f"eco-t{next(ids)}"
    # on a phone a clause's cell is named by its own "▶ 条款原文" (in print the label names it, open)
    cell = ":not(:has(> details))" if kind == "table-phone" else ""
    rules = "".join(f'#{tid} tr:not([data-shape]) > td:nth-child({k + 1}){cell}::before{{content:"{_css_text(name)}："}}'
                    for k, name in enumerate(labels) if k >= first and name)
    return (f'<div class="table-wrap {kind}" id="{tid}"><style>@media {media}{{{rules}}}</style>'
            f"{_mark_other_rows(table, len(labels))}</div>")


def _column_labels(table: str) -> list[str]:
    """Return the column names (plain text) of a table whose head is one plain row of ``<th>`` (else none)."""
    head = _THEAD.search(table)
    if head is None or len(_ROW.findall(head.group(1))) != 1 or "colspan" in head.group(1).lower():
        return []
    return [html.unescape(_ANY_TAG.sub("", th)).strip() for th in _TH.findall(head.group(1))]


def _css_text(text: str) -> str:
    """Return ``text`` for a CSS string: anything but letters, digits and CJK as a CSS escape
    (so no quote, backslash or ``</style>`` can end the string or the element).
    """
    return "".join(c if c.isalnum() or c in " ()/" else f"\\{ord(c):x} " for c in text)


def _mark_other_rows(table: str, n: int) -> str:
    """Mark every body row that does not have exactly ``n`` plain cells ``data-shape="other"``."""
    def row(r: re.Match) -> str:
        cells = _TD_OPEN.findall(r.group(0))
        if len(cells) == n and not any("colspan" in c.lower() for c in cells):
            return r.group(0)
        return '<tr data-shape="other"' + r.group(0)[3:]

    body = _TBODY.search(table)
    if body is None:
        return table
    return table[:body.start(1)] + _ROW.sub(row, body.group(1)) + table[body.end(1):]


def dedupe_styles(html: str) -> str:
    """Return ``html`` with every ``<style>`` element after the first of the same content
    removed: each report block carries the style sheet it needs (a block shown alone in
    JupyterLab is styled), and a page needs it once.
    """
    seen: set[str] = set()

    def once(m: re.Match) -> str:
        if m.group(0) in seen:
            return ""
        seen.add(m.group(0))
        return m.group(0)

    return _STYLE.sub(once, html)


def external_references(html: str) -> list[str]:
    """Return every URL in ``html`` that a browser would fetch from outside the page itself.

    Only real tags are read (text that merely mentions ``src=`` is escaped and ignored).
    Links a reader may click (``<a href>``) are not fetches; ``data:`` URIs and in-page
    anchors are local. Anything else in ``src``, ``srcset``, ``href`` (``<link>``, SVG
    ``<image>``/``<use>``), CSS ``url()`` or ``@import`` is reported.
    """
    html = _COMMENT.sub("", html)
    urls: list[str] = []
    for m in _TAG.finditer(html):
        tag = m.group(1).lower()
        for a in _ATTR.finditer(m.group(2)):
            name = a.group(1).lower()
            value = next((g for g in a.groups()[1:] if g is not None), "")
            if name == "style":
                urls += _css_urls(value)
            elif name in _FETCH_ATTRS and not (name == "href" and tag in _NAVIGATION):
                parts = re.split(r",\s+", value) if name == "srcset" else [value]  # data: URIs hold commas
                urls += [p.split()[0].rstrip(",") for p in parts if p.strip()]
    for block in _STYLE_BLOCK.findall(html):
        urls += _css_urls(block)
    return [u for u in urls if not u.lower().startswith(_LOCAL)]


def _css_urls(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(text)]


# --------------------------------------------------------------------------- printing to PDF
#: Chromium's flags for printing local pages: no first-run, no GPU, no background network
#: traffic (the machine may have no network at all). Playwright adds ``--headless`` and,
#: as root in CI, ``--no-sandbox``.
CHROMIUM_ARGS = ("--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")
#: Programs tried, in order, when ``ECOSCORE_CHROMIUM`` does not name one.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")
#: The page margins of ``report.css`` (``@page``): the header and footer print inside them.
PAGE_MARGIN = {"top": "16mm", "right": "12mm", "bottom": "14mm", "left": "12mm"}
_BAND = ('<div style="font-size:7.5pt;width:100%;margin:0 12mm;color:#444;display:flex;'
         'justify-content:space-between;gap:8mm;font-family:\'Noto Sans CJK SC\',\'Microsoft YaHei\','
         '\'PingFang SC\',sans-serif">{}</div>')


def find_chromium() -> str | None:
    """Return the browser that prints PDFs: ``$ECOSCORE_CHROMIUM``, else the first of
    ``CHROMIUM_NAMES`` on ``PATH`` (Debian's ``chromium``, installed by ``make system``).
    """
    import os
    import shutil

    named = os.environ.get("ECOSCORE_CHROMIUM")
    if named:
        return named
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def page_header(left: str, right: str) -> str:
    """Return Chromium's header template: ``left`` (the document) and ``right`` (the unit), escaped."""
    return _BAND.format(f"<span>{html.escape(left)}</span><span>{html.escape(right)}</span>")


def page_footer(note: str = "") -> str:
    """Return Chromium's footer template: ``note`` (escaped) and "第 n 页 / 共 m 页"."""
    pages = '<span>第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</span>'
    return _BAND.format(f"<span>{html.escape(note)}</span>{pages}")


class PdfPrinter:
    """Headless Chromium, started once, printing stand-alone pages to A4 PDF.

    Use as a context manager around a batch: every page is printed by the same browser, in
    a fresh tab. What is printed is what a reader gets with Ctrl+P in Chromium, following the
    ``@media print`` rules of ``report.css`` (every ``<details>`` open, tables fitted to the
    width, the widest stacked); the header names the document and the unit, the footer the
    page. Pages are printed offline (no request leaves the machine) with scripts off.

    Chromium is driven through Playwright's sync API (the ``pdf`` extra) in a thread of the
    printer's own: the sync API refuses to run where an asyncio loop runs (a Jupyter kernel,
    a test using Playwright itself), and is bound to the thread that started it. Playwright
    or Chromium missing, or a browser that will not start, raise ``EcoscoreError`` in
    Chinese on entry.
    """

    def __init__(self, executable: str | None = None, *, timeout: float = 120):
        self.executable = executable
        self.timeout_ms = timeout * 1000
        self._thread: ThreadPoolExecutor | None = None
        self._playwright = None
        self._browser = None

    def __enter__(self) -> PdfPrinter:
        from ecoscore.errors import EcoscoreError

        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            raise EcoscoreError("生成 PDF 需要 Playwright:请运行 make setup,或 pip install 'ecoscore[pdf]'") from None
        self.executable = self.executable or find_chromium()
        if not self.executable:
            raise EcoscoreError("生成 PDF 需要 Chromium 浏览器,但未找到:请运行 make system(Debian:apt-get install "
                                "chromium),或用环境变量 ECOSCORE_CHROMIUM 指定浏览器程序")
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="ecoscore-pdf")
        try:
            self._call(self._start)
        except Exception as e:
            self.close()
            raise EcoscoreError(f"无法启动 Chromium({self.executable}),未生成 PDF:{_first_line(e)}") from None
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def print_pdf(self, page_path: str | Path, *, header: str = "", footer: str = "") -> bytes:
        """Return the page at ``page_path`` printed to A4 PDF, with ``header``/``footer``
        templates (``page_header``, ``page_footer``). Raises Playwright's ``Error`` if the
        page cannot be opened or printed; a browser that died is started again first.
        """
        if self._thread is None:
            raise RuntimeError("PdfPrinter is used outside its with-block")
        return self._call(self._print, Path(page_path), header, footer)

    def close(self) -> None:
        """Close the browser and the printer's thread (idempotent)."""
        if self._thread is None:
            return
        try:
            self._call(self._stop)
        finally:
            self._thread.shutdown(wait=True)
            self._thread = None

    # -- in the printer's thread
    def _call(self, fn, *args):
        return self._thread.submit(fn, *args).result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._launch()

    def _launch(self) -> None:
        self._browser = self._playwright.chromium.launch(executable_path=self.executable, args=list(CHROMIUM_ARGS))

    def _stop(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        except Exception:  # a browser that already died has nothing left to close
            pass
        finally:
            self._browser = None
            if self._playwright is not None:
                self._playwright.stop()
                self._playwright = None

    def _print(self, page_path: Path, header: str, footer: str) -> bytes:
        if not self._browser.is_connected():
            self._launch()
        context = self._browser.new_context(java_script_enabled=False, offline=True)
        try:
            context.set_default_timeout(self.timeout_ms)
            page = context.new_page()
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True, margin=PAGE_MARGIN,
                            display_header_footer=bool(header or footer),
                            header_template=header or "<span></span>", footer_template=footer or "<span></span>")
        finally:
            try:
                context.close()
            except Exception:  # the browser died while printing: the error above says why
                pass


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__
