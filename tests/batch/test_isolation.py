"""A unit's notebook cannot change the next unit's report in a reused kernel (``batch.isolation``).

``isolation_report.ipynb`` prints what it sees of the process, then — for 甲区 only — changes
it every way a careless notebook could: matplotlib's rcParams, a pandas option, a module
global rebound and one added, an item put into a module-level dict, an environment variable,
NumPy's random state, ``sys.path`` and the working directory. 乙区 rendered right after 甲区 in
the same kernel must be byte for byte 乙区 rendered alone (but for the random number it draws:
each kernel seeds its own; in one kernel 乙区 must draw what 甲区 drew).
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from ecoscore import score
from ecoscore.batch import isolation
from ecoscore.batch.render import render
from ecoscore.scoring.result import ScoredCohort
from tests.conftest import FIXTURES

NOTEBOOK = FIXTURES / "isolation_report.ipynb"
DOC = str(FIXTURES / "render_doc.yaml")


@pytest.fixture
def no_facts(monkeypatch):
    def scored(spec, facts=None, previous=None, *, year=None, **kw):
        return ScoredCohort(spec, year or spec.year, score(spec), None, {"source": "无数据", "sample": False})

    monkeypatch.setattr("ecoscore.batch.render.score_cohort", scored)


def test_the_next_unit_sees_the_process_as_the_first_did(tmp_path, no_facts):
    alone = render(DOC, units=["乙区"], workers=1, notebook=NOTEBOOK, out_dir=tmp_path / "alone", progress=False)
    after = render(DOC, units=["甲区", "乙区"], workers=1, notebook=NOTEBOOK, out_dir=tmp_path / "after",
                   progress=False)
    alone.raise_for_failures()
    after.raise_for_failures()
    first = unescape(after.written["甲区"].read_text(encoding="utf-8"))
    second = unescape(after.written["乙区"].read_text(encoding="utf-8"))
    assert "'words.LEAK': None" in first and "'font.size': 10.0" in first
    for clean in ("'font.size': 10.0", "'display.precision': 6", "'words.LEAK': None", "'words.num': 'num'",
                  "'env': None", "'path': False", "'cwd': True"):
        assert clean in second, clean
    assert "leak" not in second.split("'EVIDENCE_SOURCE'")[1].split("]")[0]
    # NumPy's random state is seeded afresh in each kernel: 乙区 draws what 甲区 drew before seeding it
    drawn = [re.search(r"'random': (\d+)", page).group(1) for page in (first, second)]
    assert drawn[0] == drawn[1]
    same = [re.sub(r"&#39;random&#39;: \d+", "", p.written["乙区"].read_text(encoding="utf-8")) for p in (alone, after)]
    assert same[0] == same[1]  # byte for byte, but for that number


def test_restore_reports_and_undoes_each_change(monkeypatch, tmp_path):
    import ecoscore.words as words

    isolation.snapshot(str(tmp_path))
    try:
        monkeypatch.chdir("/")
        words.EVIDENCE_SOURCE["leak"] = "x"
        extra = words.num
        words.num = lambda *a: "leaked"
        changed = isolation.restore()
        assert "cwd" in changed and "ecoscore.words.num" in changed
        assert "ecoscore.words.EVIDENCE_SOURCE (contents)" in changed
        assert words.num is extra and "leak" not in words.EVIDENCE_SOURCE
        assert isolation.restore() == []  # nothing changed since
    finally:
        isolation._state = None
