"""One render of ``render_doc.yaml`` in a process of its own, for the tests that kill it or race two.

    python -m tests.batch.render_child OUT_DIR NOTEBOOK VALUE [WORKERS]

Ctrl-C raises ``KeyboardInterrupt`` as in a terminal, even when the tests run where a
background job ignores SIGINT. Every unit is scored on one value of the document's only fact (``VALUE``: 95 gives each unit
10 points, 50 gives 0), so two runs with different values give different results without a
facts file. Run from the repository root.
"""

from __future__ import annotations

import signal
import sys

import pandas as pd

from ecoscore import score
from ecoscore.batch import render as batch
from ecoscore.scoring.result import ScoredCohort
from tests.conftest import FIXTURES

DOC = str(FIXTURES / "render_doc.yaml")


def stub_scoring(value: float):
    """Return a ``score_cohort`` that scores every unit on ``value`` (no facts file read)."""
    def score_cohort(spec, facts=None, previous=None, *, year=None, **kw):
        table = pd.DataFrame({"一.1:value": [float(value)] * len(spec.unit_names)}, index=spec.unit_names)
        return ScoredCohort(spec, year or spec.year, score(spec, table), None,
                            {"source": f"测试数据{value:g}", "sample": False})

    return score_cohort


def main(argv: list[str]) -> int:
    out, notebook, value = argv[0], argv[1], float(argv[2])
    workers = int(argv[3]) if len(argv) > 3 else 1
    signal.signal(signal.SIGINT, signal.default_int_handler)
    batch.score_cohort = stub_scoring(value)
    summary = batch.render(DOC, workers=workers, out_dir=out, progress=False, notebook=notebook)
    print(summary.describe())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
