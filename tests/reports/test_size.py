"""Every sample report, as its page is written, is light enough to send to forty departments:
median ≤ 150 KB, none over 300 KB (issue 11; they were 191–952 KB with PNG charts).

The pages are made in this process (``notebooks.run_in_process``: the report notebook's cells
run without a kernel, then the same HTML export as ``ecoscore render``), which gives the page
a papermill run gives (``test_in_process_page_is_the_rendered_page``), for every unit of all
five documents in about a minute.
"""

from __future__ import annotations

import re
import statistics

import pytest

from ecoscore import list_documents, load_spec
from ecoscore.batch.render import render, report_names
from ecoscore.reports import notebooks, standalone
from ecoscore.scoring.cohort import score_cohort

KB = 1024
MEDIAN, MOST = 150 * KB, 300 * KB


@pytest.fixture(scope="module")
def sizes(sample_data) -> dict[str, int]:
    """Return ``{"doc/unit": bytes}`` of every sample unit's page."""
    out = {}
    for doc in list_documents():
        spec = load_spec(doc)
        with sample_data(doc):
            cohort = score_cohort(doc)
        nb = notebooks.make(doc)
        for unit in report_names(spec):  # units and departments, as ecoscore render writes them
            page = standalone.to_html(notebooks.run_in_process(nb, doc=doc, unit=unit, result=cohort),
                                      f"{spec.short_title} — {unit}")
            out[f"{doc}/{unit}"] = len(page.encode("utf-8"))
    return out


def test_every_sample_report_is_light(sizes):
    assert len(sizes) >= 120 and {k.split("/")[0] for k in sizes} == set(list_documents())
    heavy = {k: f"{v / KB:.0f} KB" for k, v in sizes.items() if v > MOST}
    assert heavy == {}, f"{len(heavy)} reports over 300 KB"
    assert statistics.median(sizes.values()) <= MEDIAN, f"median {statistics.median(sizes.values()) / KB:.0f} KB"


def test_in_process_page_is_the_rendered_page(sample_data, tmp_path):
    """The page made in this process is the page ``ecoscore render`` writes (title aside, the
    time it was made aside): what the size test measures is what a reader receives."""
    doc = "xx-2020"
    unit = load_spec(doc).unit_names[0]
    with sample_data(doc):
        summary = render(doc, units=[unit], workers=1, out_dir=tmp_path, progress=False)
        cohort = score_cohort(doc)
    assert summary.ok, summary.describe()
    written = summary.written[unit].read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", written).group(1)
    made = standalone.to_html(notebooks.run_in_process(notebooks.make(doc), doc=doc, unit=unit, result=cohort),
                              title)
    stamp = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?")  # the creation time, if a page shows one
    assert stamp.sub("", made) == stamp.sub("", written)
