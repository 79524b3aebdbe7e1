"""`ecoscore render --pdf`: one A4 PDF beside every HTML page, staged and published with the set.

Real renders of ``render_doc.yaml`` with the lean notebook of ``test_publish`` (every unit
scored on one value), printed by Debian's Chromium. What the print looks like is
``tests/reports/test_print.py``; here: which files, where, and what a failure does.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from bs4 import BeautifulSoup

from ecoscore import atomic, cli, load_spec
from ecoscore.batch.render import INDEX_HEADER, render
from ecoscore.errors import EcoscoreError
from ecoscore.reports.standalone import PdfPrinter
from tests.batch.render_child import DOC, stub_scoring
from tests.batch.test_publish import notebook

SPEC = load_spec(DOC)
UNITS = SPEC.unit_names  # 甲区, 乙区, 丙县
A4 = (595.3, 841.9)  # points (Chromium rounds to whole CSS pixels)


@pytest.fixture(scope="module")
def lean(tmp_path_factory) -> Path:
    return notebook(tmp_path_factory.mktemp("notebooks"))


@pytest.fixture(autouse=True)
def scored_95(monkeypatch, tmp_path):
    monkeypatch.setattr("ecoscore.batch.render.score_cohort", stub_scoring(95))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))


@pytest.fixture
def calls(monkeypatch):
    """Count browser starts and pages printed; remember where each PDF was written."""
    seen = {"launches": 0, "printed": [], "written": []}
    launch, print_pdf, write_bytes = PdfPrinter._launch, PdfPrinter.print_pdf, atomic.write_bytes

    def counted_launch(self):
        seen["launches"] += 1
        return launch(self)

    def counted_print(self, page, **kw):
        seen["printed"].append(Path(page).name)
        return print_pdf(self, page, **kw)

    def recorded_write(path, data):
        if str(path).endswith(".pdf"):
            seen["written"].append(Path(path))
        return write_bytes(path, data)

    monkeypatch.setattr(PdfPrinter, "_launch", counted_launch)
    monkeypatch.setattr(PdfPrinter, "print_pdf", counted_print)
    monkeypatch.setattr(atomic, "write_bytes", recorded_write)
    return seen


def final_of(out: Path) -> Path:
    return out / SPEC.id / str(SPEC.year)


def pdf_text(path: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    try:
        for page in doc:
            assert all(abs(x - a) < 1 for x, a in zip(page.get_size(), A4)), (path.name, page.get_size())
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def stems(folder: Path, suffix: str) -> set[str]:
    return {p.stem for p in folder.glob(f"*{suffix}")}


def test_cli_render_pdf_writes_one_pdf_per_html_in_the_published_set(tmp_path, lean, calls, capsys):
    out = tmp_path / "out"
    code = cli.main(["render", DOC, "--pdf", "--out-dir", str(out), "--notebook", str(lean), "--quiet",
                     "--workers", "2"])
    said = capsys.readouterr().out
    assert code == 0, said
    final = final_of(out)
    assert stems(final, ".html") == stems(final, ".pdf") == {*UNITS, "index"}
    for unit in UNITS:
        pages = pdf_text(final / f"{unit}.pdf")
        assert unit in pages[0] and "10.00" in pages[0]  # the lean report: its unit and total
        assert all(SPEC.short_title in p and unit in p for p in pages)  # the header
    index = pdf_text(final / "index.pdf")
    assert all(INDEX_HEADER in p for p in index) and all(u in "".join(index) for u in UNITS)
    # printed inside the staging folder, so published with the set; nothing of it remains
    assert len(calls["written"]) == 4
    assert all(p.parent.name.startswith(f".{SPEC.year}.staging-") for p in calls["written"]), calls["written"]
    assert sorted(p.name for p in final.parent.iterdir()) == [str(SPEC.year)]
    assert [p.name for p in final.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"] == []
    assert calls["launches"] == 1  # one browser for the batch
    assert "PDF:成功 4 份,失败 0 份" in said


def test_a_failed_pdf_is_recorded_and_does_not_stop_the_batch(tmp_path, lean, calls, monkeypatch):
    from playwright.sync_api import Error

    print_pdf = PdfPrinter.print_pdf

    def broken_for_one(self, page, **kw):
        if Path(page).stem == UNITS[1]:
            raise Error("Target page, context or browser has been closed\nlog: …")
        return print_pdf(self, page, **kw)

    monkeypatch.setattr(PdfPrinter, "print_pdf", broken_for_one)
    summary = render(DOC, out_dir=tmp_path, workers=2, progress=False, notebook=lean, pdf=True)
    final = final_of(tmp_path)
    assert list(summary.written) == UNITS and summary.failures == []  # every HTML report is there
    assert [f.unit for f in summary.pdf_failures] == [UNITS[1]] and not summary.ok
    failure = summary.pdf_failures[0]
    assert failure.kind == "pdf"
    assert failure.message == "PDF 生成失败(HTML 报告已生成):Error: Target page, context or browser has been closed"
    assert set(summary.pdfs) == {UNITS[0], UNITS[2], INDEX_HEADER}
    assert stems(final, ".pdf") == {UNITS[0], UNITS[2], "index"}
    assert (final / f"{UNITS[1]}.html").is_file()
    listed = BeautifulSoup((final / "index.html").read_text(encoding="utf-8"), "html.parser").select_one("#failures")
    assert listed is not None and UNITS[1] in listed.get_text() and "PDF 生成失败" in listed.get_text()
    assert "PDF:成功 3 份,失败 1 份" in summary.describe()
    assert f"失败 {UNITS[1]}:PDF 生成失败" in summary.describe()
    assert calls["launches"] == 1


def test_a_subset_keeps_the_other_reports_pdfs_and_prints_those_it_lacks(tmp_path, lean, calls):
    render(DOC, units=UNITS[:2], out_dir=tmp_path, workers=2, progress=False, notebook=lean)  # no PDFs
    render(DOC, units=UNITS[2:], out_dir=tmp_path, workers=1, progress=False, notebook=lean)  # keeps 甲区, 乙区
    final = final_of(tmp_path)
    assert stems(final, ".pdf") == set()

    calls["printed"].clear()
    first = render(DOC, units=[UNITS[0]], out_dir=tmp_path, workers=1, progress=False, notebook=lean, pdf=True)
    assert first.ok and list(first.carried) == UNITS[1:]
    # the carried reports had no PDF: printed too, so every HTML of the set has its PDF
    assert sorted(calls["printed"]) == sorted([f"{u}.html" for u in UNITS] + ["index.html"])
    assert stems(final, ".html") == stems(final, ".pdf")
    kept = (final / f"{UNITS[2]}.pdf").read_bytes()

    calls["printed"].clear()
    again = render(DOC, units=[UNITS[0]], out_dir=tmp_path, workers=1, progress=False, notebook=lean, pdf=True)
    assert again.ok and list(again.carried) == UNITS[1:] and list(again.kept) == [UNITS[0]]  # nothing changed
    assert calls["printed"] == ["index.html"]  # every report's PDF kept with it
    assert (final / f"{UNITS[2]}.pdf").read_bytes() == kept
    assert stems(final, ".html") == stems(final, ".pdf")


def test_a_render_without_pdf_drops_the_old_prints_and_keeps_a_users_pdf(tmp_path, lean):
    render(DOC, out_dir=tmp_path, workers=2, progress=False, notebook=lean, pdf=True)
    final = final_of(tmp_path)
    (final / "考核办法.pdf").write_bytes(b"%PDF-1.4 a user's own file")
    summary = render(DOC, out_dir=tmp_path, workers=2, progress=False, notebook=lean)
    assert summary.ok and summary.pdfs == {}
    assert stems(final, ".pdf") == {"考核办法"}  # a print older than its report would disagree with it
    assert (final / "考核办法.pdf").read_bytes() == b"%PDF-1.4 a user's own file"


def test_no_browser_means_nothing_is_written(tmp_path, lean, monkeypatch):
    monkeypatch.setenv("ECOSCORE_CHROMIUM", str(tmp_path / "没有这个浏览器"))
    with pytest.raises(EcoscoreError, match="无法启动 Chromium"):
        render(DOC, out_dir=tmp_path / "out", workers=1, progress=False, notebook=lean, pdf=True)
    assert not (tmp_path / "out").exists()
