"""Rendered reports open in a real browser, offline: headless Chromium driven by Playwright.

Chromium comes from Debian (``make system`` installs it; CI runs it). A missing browser
fails these tests loudly rather than skipping them. Screenshots at phone and desktop
width go to ``outputs/screenshots/`` for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from ecoscore import load_spec
from ecoscore.batch.render import RESULT_FILE, render
from ecoscore.rules.base import fmt
from ecoscore.scoring.result import ScoredCohort
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "outputs" / "screenshots"
DOC = "lishui-2024"
PHONE, DESKTOP = 390, 1280


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make system, or apt-get install chromium)",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory, sample_data):
    """Two unit reports and the index of one document, rendered with its own notebook."""
    spec = load_spec(DOC)
    out = tmp_path_factory.mktemp("site")
    with sample_data(DOC):
        summary = render(DOC, units=spec.unit_names[:2], workers=2, out_dir=out, progress=False)
    assert summary.ok, summary.describe()
    return summary, ScoredCohort.load(summary.out_dir / RESULT_FILE).current


class Visit:
    """One page opened offline: every request that is not file: or data: is recorded and aborted."""

    def __init__(self, browser, path: Path, width: int):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def images(self) -> list[dict]:
        return self.page.evaluate(
            "Array.from(document.images).map(i => ({src: i.src.slice(0, 30), ok: i.complete, w: i.naturalWidth}))")

    def overflow(self) -> int:
        """Return how far the page itself scrolls sideways (0: everything fits the width)."""
        return self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    def shoot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / name
        # Chromium cannot capture a page taller than 65,535 px in one image (some lishui reports
        # are ~65k px: issue 11 shortens them); a person looks at the top 30,000 px
        height = min(self.page.evaluate("document.documentElement.scrollHeight"), 30000)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
        return path

    def close(self):
        self.context.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_unit_report_shows_total_and_grade_offline(browser, site, width):
    summary, result = site
    for unit, path in summary.written.items():
        v = Visit(browser, path, width)
        try:
            text = v.page.inner_text("body")
            row = result.unit_summary(unit)
            assert unit in text
            assert fmt(row["total"]) in text
            if row["grade"]:
                assert row["grade"] in text
            assert v.page.locator("figure.eco-chart").count() >= 1, "a report shows at least one chart"
            assert v.images() == [], "charts are HTML, not images"
            assert v.outside == []
            assert v.errors == []
            assert v.overflow() <= 1, "the page must fit the width; wide tables scroll inside their wrapper"
            shot = v.shoot(f"{DOC}-{path.stem}-{width}.png")
            assert shot.stat().st_size > 10_000
        finally:
            v.close()


def test_unit_report_prints(browser, site):
    summary, _ = site
    path = next(iter(summary.written.values()))
    v = Visit(browser, path, DESKTOP)
    try:
        v.page.emulate_media(media="print")
        SHOTS.mkdir(parents=True, exist_ok=True)
        pdf = v.page.pdf(path=str(SHOTS / f"{DOC}-{path.stem}.pdf"), format="A4")
        assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
        assert v.outside == [] and v.errors == []
    finally:
        v.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_index_ranks_links_and_charts_offline(browser, site, width):
    summary, result = site
    v = Visit(browser, summary.index, width)
    try:
        text = v.page.inner_text("body")
        for unit in result.spec.unit_names:
            assert unit in text
        assert v.page.locator("svg.cohort-chart").count() == 1
        assert v.page.locator("svg.cohort-chart rect").count() == len(result.spec.units)
        assert all(i["ok"] and i["w"] > 0 for i in v.images())
        assert v.outside == [] and v.errors == []
        assert v.overflow() <= 1
        v.shoot(f"{DOC}-index-{width}.png")
        unit, path = next(iter(summary.written.items()))
        v.page.locator(f'a[href="{quote(path.name)}"]').click()
        v.page.wait_for_load_state("load")
        assert v.page.url == path.resolve().as_uri()
        assert unit in v.page.inner_text("body")
        assert v.outside == []
    finally:
        v.close()



#: One department of each plan that tasks departments (002, 003), one with a compound line's part.
DEPARTMENTS = {"shengzhou-2024": "住建局", "zhoushan-2020": "市农业农村局"}


@pytest.fixture(scope="module", params=sorted(DEPARTMENTS))
def department_site(request, tmp_path_factory, sample_data):
    doc = request.param
    out = tmp_path_factory.mktemp(f"dept-{doc}")
    with sample_data(doc):
        summary = render(doc, units=[DEPARTMENTS[doc]], workers=1, out_dir=out, progress=False)
    assert summary.ok, summary.describe()
    return doc, summary


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_department_report_lists_its_lines_statuses_and_gaps(browser, department_site, width):
    from ecoscore import words
    from ecoscore.reports import departments, report

    doc, summary = department_site
    dept = DEPARTMENTS[doc]
    rep = report.load(summary.out_dir / RESULT_FILE, dept)
    mine = departments.lines_of(rep.spec, dept)
    assert len(mine) >= 3 and list(rep.audit["line_id"]) == [i for i in rep.audit["line_id"] if i in mine]
    v = Visit(browser, summary.written[dept], width)
    try:
        assert v.page.locator("h1").first.inner_text() == dept
        rows = v.page.locator("table.eco-table").filter(has_text="本部门职责").locator("tbody tr")
        assert rows.count() == len(mine)
        shown = {}
        for k in range(rows.count()):
            cells = rows.nth(k).locator("td").all_inner_texts()
            shown[cells[0]] = cells
        for r in rep.audit.to_dict("records"):
            cells = shown[r["line_id"]]
            assert cells[2].startswith(mine[r["line_id"]])  # 牵头 / 配合
            assert cells[5] == words.status(r["outcome"], r["kind"])
            if r["outcome"] == "not_met" and r["gap"] == r["gap"] and r["gap"] > 0:
                assert cells[6] and cells[6][0].isdigit(), cells  # the gap, in the indicator's unit
        assert v.outside == [] and v.errors == []
        assert v.overflow() <= 1
        v.shoot(f"{doc}-{summary.written[dept].stem}-{width}.png")
    finally:
        v.close()


#: Every document's first unit, as a reader on a phone and at a desk sees its report.
ALL_DOCS = ["dongtou-2017", "lishui-2024", "shengzhou-2024", "xx-2020", "zhoushan-2020"]


@pytest.fixture(scope="module", params=ALL_DOCS)
def doc_site(request, tmp_path_factory, sample_data):
    doc = request.param
    unit = load_spec(doc).unit_names[0]
    out = tmp_path_factory.mktemp(f"doc-{doc}")
    with sample_data(doc):
        summary = render(doc, units=[unit], workers=1, out_dir=out, progress=False)
    assert summary.ok, summary.describe()
    return doc, unit, summary.written[unit]


#: The on-screen font size of every element that holds text of its own, visible ones only.
TEXT_SIZES = """sel => Array.from(document.querySelectorAll(sel))
    .filter(e => e.getClientRects().length && Array.from(e.childNodes).some(
        n => n.nodeType === 3 && n.textContent.trim()))
    .map(e => parseFloat(getComputedStyle(e).fontSize))"""

#: Where the scored table's figures sit: for each line row, the right edge of its 得分 cell (or
#: 结果 cell, in a document without points) and the width of the table's scrolling wrapper.
FIGURES = """() => {
    const rows = Array.from(document.querySelectorAll('table.eco-scored tr.eco-line'));
    const wrap = document.querySelector('table.eco-scored').closest('.table-wrap');
    return {wrapScroll: wrap.scrollWidth - wrap.clientWidth, width: window.innerWidth,
            cells: rows.map(r => r.querySelector('td.eco-awarded') || r.querySelector('td.eco-outcome'))
                       .filter(c => c && c.textContent.trim())
                       .map(c => { const b = c.getBoundingClientRect();
                                   return {left: b.left, right: b.right, text: c.textContent.trim()}; })};
}"""


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_every_document_reads_on_a_phone_and_a_desk(browser, doc_site, width):
    doc, unit, path = doc_site
    v = Visit(browser, path, width)
    try:
        assert v.page.locator("h1").first.inner_text() == unit
        assert v.outside == [] and v.errors == [] and v.images() == []
        assert v.overflow() <= 1, "no sideways scrolling of the page"
        # chart text at least 11 px on screen (the PNG charts shrunk to a phone were ~6 px)
        sizes = v.page.evaluate(TEXT_SIZES, "figure.eco-chart, figure.eco-chart *")
        assert sizes and min(sizes) >= 11, sorted(sizes)[:5]
        # every line's points (or result) within the screen, with no sideways scrolling in the table
        where = v.page.evaluate(FIGURES)
        assert where["cells"], "the scored table shows each line's points or result"
        if width == PHONE:
            assert where["wrapScroll"] <= 1, "the scored table does not scroll sideways on a phone"
        assert all(0 <= c["left"] and c["right"] <= where["width"] + 1 for c in where["cells"]), where["cells"][:3]
        # the summary leads the page and its text is legible too
        assert v.page.locator("main section.summary").count() == 1
        assert min(v.page.evaluate(TEXT_SIZES, "section.summary, section.summary *")) >= 11
        v.shoot(f"{doc}-{path.stem}-{width}.png")
    finally:
        v.close()

