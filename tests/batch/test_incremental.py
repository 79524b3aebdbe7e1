"""Incremental rendering: a re-run rewrites only the reports whose inputs changed (``batch.manifest``).

The sample workbook of shengzhou-2024 (示例数据) is rendered, then one fact of one county is
edited in the xlsx as an analyst would: 上虞区's 指标1 (生态文明建设工作占党政实绩考核的比例,
target ≥20%) from 21.9% to 22.4%. By the document's words it stays 达标, so no count, rank or
other unit's result moves: exactly 上虞区's report (and the index, the result and the
manifest) may be rewritten; every other report keeps its file (same inode, same bytes).
"""

from __future__ import annotations

import shutil

import nbformat
import openpyxl
import pytest
from bs4 import BeautifulSoup

from ecoscore.batch import manifest
from ecoscore.batch.render import notebook_for, render
from ecoscore.facts import sample_path

DOC = "shengzhou-2024"


def files(folder):
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir() if p.is_file()}


def set_fact(path, unit: str, key: str, value) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["单位数据"]
    keys = next(r for r in ws.iter_rows(min_row=1, max_row=8) if any(c.value == "unit" for c in r))
    col = next(c.column for c in keys if c.value == key)
    row = next(r[0].row for r in ws.iter_rows(min_row=keys[0].row + 1) if any(c.value == unit for c in r))
    ws.cell(row, col).value = value
    wb.save(path)


@pytest.fixture
def workbooks(tmp_path, sample_data):
    with sample_data(DOC):
        cur, prev = sample_path(DOC, 2024), sample_path(DOC, 2023)
    shutil.copy(cur, tmp_path / cur.name)
    shutil.copy(prev, tmp_path / prev.name)
    return tmp_path / cur.name, tmp_path / prev.name


def test_changing_one_units_fact_rewrites_only_its_report_and_the_index(tmp_path, workbooks):
    cur, prev = workbooks
    out = tmp_path / "out"
    first = render(DOC, facts=cur, previous=prev, out_dir=out, progress=False)
    first.raise_for_failures()
    folder = first.out_dir
    every = list(first.written)
    before = files(folder)
    assert manifest.read(folder).keys() == set(every)

    again = render(DOC, facts=cur, previous=prev, out_dir=out, progress=False)  # nothing changed
    assert again.written == {} and list(again.kept) == every
    assert {n for n, f in files(folder).items() if f != before[n]} <= {"index.html", "scored.json", "manifest.json"}

    set_fact(cur, "上虞区", "指标1:value", 22.4)  # ≥20%: still 达标
    before = files(folder)
    edited = render(DOC, facts=cur, previous=prev, out_dir=out, progress=False)
    edited.raise_for_failures()
    assert list(edited.written) == ["上虞区"]
    assert set(edited.kept) == set(every) - {"上虞区"}
    after = files(folder)
    rewritten = {n for n in after if after[n] != before.get(n)}
    assert rewritten == {"上虞区.html", "index.html", "scored.json", "manifest.json"}
    page = BeautifulSoup(after["上虞区.html"][2].decode("utf-8"), "html.parser").get_text()
    assert "22.4%" in page
    index = BeautifulSoup(after["index.html"][2].decode("utf-8"), "html.parser")
    for unit in ("嵊州市", "越城区", "上虞区"):  # the index links the complete current set
        assert index.select_one(f'tr[data-unit="{unit}"] td[data-col="报告"] a') is not None
    assert "沿用已生成的报告" in edited.describe()

    forced = render(DOC, facts=cur, previous=prev, out_dir=out, progress=False, force=True)
    assert list(forced.written) == every and forced.kept == {}


def test_a_changed_notebook_renders_every_report_again(tmp_path, workbooks):
    cur, prev = workbooks
    out, notebook = tmp_path / "out", tmp_path / "report.ipynb"
    shutil.copy(notebook_for(DOC), notebook)
    units = ["上虞区", "越城区"]
    first = render(DOC, facts=cur, previous=prev, out_dir=out, progress=False, units=units, notebook=notebook)
    first.raise_for_failures()
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("## 附注"))
    nbformat.write(nb, notebook)
    again = render(DOC, facts=cur, previous=prev, out_dir=out, progress=False, units=units, notebook=notebook)
    assert set(again.written) == set(units) and again.kept == {}


def test_a_changed_library_renders_every_report_again(tmp_path, workbooks, monkeypatch):
    """The same version number, other library code (an edited install, a development checkout):
    what the reports show may differ, so none is kept."""
    cur, prev = workbooks
    out, units = tmp_path / "out", ["上虞区", "越城区"]
    render(DOC, facts=cur, previous=prev, out_dir=out, progress=False, units=units).raise_for_failures()
    monkeypatch.setattr(manifest, "library_digest", lambda: "another build of the same version")
    again = render(DOC, facts=cur, previous=prev, out_dir=out, progress=False, units=units)
    assert set(again.written) == set(units) and again.kept == {}


def test_the_library_digest_follows_every_file_of_the_package(tmp_path, monkeypatch):
    root = tmp_path / "ecoscore"
    (root / "batch").mkdir(parents=True)
    (root / "reports" / "templates").mkdir(parents=True)
    (root / "batch" / "manifest.py").write_text("x = 1\n", encoding="utf-8")
    page = root / "reports" / "templates" / "report.html.j2"
    page.write_text("<h1>{{ unit }}</h1>", encoding="utf-8")
    monkeypatch.setattr(manifest, "__file__", str(root / "batch" / "manifest.py"))
    manifest.library_digest.cache_clear()
    try:
        before = manifest.library_digest()
        (root / "batch" / "__pycache__").mkdir()
        (root / "batch" / "__pycache__" / "manifest.cpython-311.pyc").write_bytes(b"compiled")
        manifest.library_digest.cache_clear()
        assert manifest.library_digest() == before  # compiled files are not the library
        page.write_text("<h2>{{ unit }}</h2>", encoding="utf-8")
        manifest.library_digest.cache_clear()
        assert manifest.library_digest() != before  # a template edited: every report again
    finally:
        manifest.library_digest.cache_clear()
