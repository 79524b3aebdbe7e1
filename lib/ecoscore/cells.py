"""Text a spreadsheet must not run: user text written to xlsx and csv is never a live formula.

Facts files carry what people typed, and the problems lists and exports send it back out to
forty departments. A cell beginning with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) would be run as a formula by Excel or WPS (``=HYPERLINK(…)``, ``=cmd|…``). The usual
rule is applied everywhere the project writes a spreadsheet: in CSV such text gets a leading
apostrophe; in xlsx it is stored as text with Excel's quote prefix, so it shows exactly as typed.
Plain numbers ("-5", "+3.2") are left alone.
"""

from __future__ import annotations

import re

import pandas as pd

_RISKY = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


def risky(value) -> bool:
    """Return whether ``value`` is text a spreadsheet would run as a formula."""
    if not isinstance(value, str) or not value.startswith(_RISKY):
        return False
    if value[0] in "+-" and (len(value.strip()) <= 1 or _NUMBER.match(value.strip())):
        return False  # "-" alone (a table's "no unit") or a signed number
    return True


def neutral(value):
    """Return ``value`` with a leading apostrophe when a spreadsheet would run it (CSV cells)."""
    return "'" + value if risky(value) else value


def unquote(value):
    """Return text as it was before ``neutral`` (a CSV cell "'@unit:类别" reads "@unit:类别")."""
    if isinstance(value, str) and value.startswith("'") and risky(value[1:]):
        return value[1:]
    return value


def neutral_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every risky text cell neutralised (``neutral``), headers included."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):  # object or string columns
            out[col] = out[col].map(neutral)
    return out.rename(columns=neutral)


def neutral_workbook(wb) -> None:
    """Store every formula-like cell of an openpyxl workbook as text with the quote prefix.

    openpyxl turns any string starting with ``=`` into a formula; the project writes no
    formulas, so every such cell is user text and is stored as text. Other risky text gets
    the quote prefix too (Excel then keeps it text when the cell is edited).
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" or risky(c.value):
                    c.data_type = "s"
                    c.quotePrefix = True
