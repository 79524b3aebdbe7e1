"""Evidence: the free text reporting units typed in their facts file, as one tidy table.

``collect(bundle)`` returns a table with the fixed columns ``EVIDENCE_COLUMNS``, one row per
piece of text of the bundle's year, in file order (sheet by sheet, row by row, left to right):

* ``unit``: the unit's name as the document spells it (aliases resolved);
* ``line_id``: the spec line the text belongs to (a policy fact's ``@name``), or "" for a
  remark about the unit as a whole (备注 on its row of 单位数据 or of a wide CSV);
* ``source``: where the text was typed, one of ``SOURCES``:

  - ``event``: 依据 of a row of 加扣分事项. The text is prefixed with the event so a reader
    knows what it supports: ``事项(1次,2020-05-10):`` followed by the evidence as typed (the
    amount in the item's unit, or 分 for items scored by the points entered; no date if none
    was given). The item label comes from the spec, the amount and date from the same row;
  - ``task_note``: 完成情况说明 of a task line (on 任务完成情况, or its ``<line>:note`` column
    or fact in a CSV or long form);
  - ``line_note``: another text fact of a line (a gate's 情况说明, a manual score's 理由),
    typed in its column of 单位数据 or as its fact in the long form;
  - ``remark``: 备注, on any sheet;
  - ``long_note``: 说明 of a row of the long form;

* ``text``: exactly as typed, with only surrounding whitespace stripped — never empty, never
  escaped (markup, formulas typed as text and line breaks come through unchanged; escaping is
  the report's job);
* ``file``, ``sheet``, ``row``: where it was typed (``row`` as the spreadsheet row users see,
  as in the problem tables; ``sheet`` is "" for a CSV file).

The text itself is read by ``ecoscore.facts.load.read_bundle`` into ``FactsBundle.notes``;
this module only presents it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ecoscore.facts.load import FactsBundle
from ecoscore.facts.workbook import build_layout
from ecoscore.rules.base import fmt

EVIDENCE_COLUMNS = ["unit", "line_id", "source", "text", "file", "sheet", "row"]
SOURCES = ("event", "task_note", "line_note", "remark", "long_note")


def collect(bundle: FactsBundle) -> pd.DataFrame:
    """Return every piece of text typed for the bundle's year, one row each (``EVIDENCE_COLUMNS``)."""
    context = _event_context(bundle)
    rows = []
    for n in bundle.notes.itertuples(index=False):
        text = n.text
        if n.source == "event":
            text = context.get((n.file, n.sheet, n.row), "") + text
        rows.append([n.unit, n.line_id, n.source, text, n.file, n.sheet, int(n.row)])
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS).astype({"row": int})


def _event_context(bundle: FactsBundle) -> dict[tuple[str, str, int], str]:
    """Return ``{(file, sheet, row): "事项(1次,2020-05-10):"}`` for the bundle's events."""
    items = build_layout(bundle.spec).events
    out = {}
    for e in bundle.events.itertuples(index=False):
        item = items.get(e.key)
        unit = "分" if item is None or item.direct else item.unit
        when = f",{e.date.isoformat()}" if isinstance(e.date, dt.date) else ""
        out[(e.file, e.sheet, int(e.row))] = f"{e.item}({fmt(e.amount)}{unit}{when}):"
    return out
