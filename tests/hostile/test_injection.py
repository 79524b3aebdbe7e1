"""Formula text users typed (=HYPERLINK(…), @SUM, +cmd|…) comes back out of every spreadsheet
the project writes — the problem lists of ``validate --out`` (xlsx, csv), ``validate --format
csv`` and the ``score`` exports — as text, never as a live formula.

The check here is independent of ``ecoscore.cells``: the written xlsx must hold no ``<f>``
element at all, and no CSV field may start with = + - @ (or a tab/CR) unless it is a plain
number.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ecoscore.cli import main
from tests.hostile import build as B
from tests.hostile.expect import snapshot

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


def live(field: str) -> bool:
    """Return whether a spreadsheet would run a CSV field as a formula."""
    if not field or field[0] not in "=+-@\t\r":
        return False
    return not (field[0] in "+-" and (len(field.strip()) <= 1 or _NUMBER.match(field.strip())))


def csv_fields(text: str) -> list[str]:
    return [f for row in csv.reader(io.StringIO(text)) for f in row]


def assert_csv_neutral(text: str, *, must_carry: list[str]) -> None:
    fields = csv_fields(text)
    assert not [f for f in fields if live(f)], [f for f in fields if live(f)]
    for inj in must_carry:  # the text is still there, with Excel's text prefix
        assert any(f == "'" + inj for f in fields), f"{inj!r} not carried as text"


def assert_xlsx_neutral(path: Path, *, must_carry: list[str]) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), f"formula in {name}"
    wb = load_workbook(path)
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    for inj in must_carry:
        assert inj in values, f"{inj!r} not carried as text"


@pytest.fixture
def units_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return B.injected_units(tmp_path)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_validate_out_sends_formula_text_back_as_text(units_file, tmp_path, suffix, capsys):
    out = tmp_path / f"问题清单{suffix}"
    before = snapshot(tmp_path)
    assert main(["validate", str(units_file.doc), str(units_file.current), "--out", str(out)]) == 1
    capsys.readouterr()
    after = snapshot(tmp_path)
    assert set(after) - set(before) == {out.name} and {k: after[k] for k in before} == before
    names = B.INJECTIONS  # all four were typed as unit names: each comes back in 单位 and 实际为
    if suffix == ".csv":
        assert_csv_neutral(out.read_text(encoding="utf-8-sig"), must_carry=names)
    else:
        assert_xlsx_neutral(out, must_carry=names)


def test_validate_csv_on_stdout_is_neutral(units_file, capsys):
    assert main(["validate", str(units_file.doc), str(units_file.current), "--format", "csv"]) == 1
    assert_csv_neutral(capsys.readouterr().out, must_carry=B.INJECTIONS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_score_exports_carry_evidence_as_text(tmp_path, monkeypatch, fmt, capsys):
    monkeypatch.chdir(tmp_path)
    built = B.injected_evidence(tmp_path)
    wb = load_workbook(built.current)  # the input holds the text as text cells, as Excel saves a typed '=…
    assert wb[B.EVENTS_SHEET]["E4"].data_type == "s"
    out = tmp_path / f"评分.{fmt}"
    before = snapshot(tmp_path)
    assert main(["score", str(built.doc), "--facts", str(built.current), "--format", fmt, "--out", str(out)]) == 0
    capsys.readouterr()
    after = snapshot(tmp_path)
    assert set(after) - set(before) == {out.name} and {k: after[k] for k in before} == before
    if fmt == "csv":
        text = out.read_text(encoding="utf-8-sig")
        fields = csv_fields(text)
        assert not [f for f in fields if live(f)]
        assert any(B.INJECTIONS[0] in f for f in fields), "the evidence is not in the export"
    else:
        with zipfile.ZipFile(out) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    assert b"<f>" not in z.read(name), f"formula in {name}"
        values = [c.value for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row]
        assert any(isinstance(v, str) and B.INJECTIONS[0] in v for v in values)
