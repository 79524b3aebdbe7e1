"""One workbench change → updated figures, cohort rescored and ranks, chart redrawn (issue 12: aim
< 100 ms for every document's largest unit on the 2-core machine). Also the rescoring alone
(``WhatIf.set``) against a full score of the cohort, in the same run.

    python benchmarks/bench_whatif.py

Figures are printed, not asserted.
"""

from __future__ import annotations

import statistics
import time

from ecoscore import list_documents
from ecoscore.app.workbench import Workbench
from ecoscore.scoring.engine import score


def main() -> None:
    print(f"{'document':16} {'unit':14} {'inputs':>6} {'change ms':>10} {'max ms':>7} {'rescore ms':>11} "
          f"{'full score ms':>14} {'goal s':>7}")
    for doc in list_documents():
        probe = Workbench(doc)
        s = probe.session
        largest = max(s.names, key=lambda u: (s.baseline.audit["unit"] == u).sum())
        wb = Workbench(doc, largest)
        def moved(k, wb=wb, largest=largest):  # one step better, within the domain; None where the value is at its bound
            f, v = wb.session.facts[k], wb.session.value(largest, k)
            if v is None:
                return None
            new = f.domain.clip(v + (1 if f.spec.better == "up" else -1))
            return None if new == v else (int(new) if f.domain.whole else new)

        keys = [k for k, w in wb.inputs.items() if hasattr(w, "min") and moved(k) is not None][:10]
        times, rescore = [], []
        for k in keys:
            new = moved(k)
            t = time.perf_counter()
            wb.set(k, new)  # widget → rescore (cohort, ranks) → headline, tables, chart
            times.append(time.perf_counter() - t)
            wb.reset()
            t = time.perf_counter()
            wb.session.set(largest, k, new)  # the rescoring alone
            rescore.append(time.perf_counter() - t)
            wb.session.reset()
        t = time.perf_counter()
        score(wb.session.spec, wb.session.changed_table(), wb.session.previous)
        full = time.perf_counter() - t
        t = time.perf_counter()
        wb.seek()
        goal = time.perf_counter() - t
        print(f"{doc:16} {largest:14} {len(wb.inputs):6d} {statistics.median(times) * 1000:10.0f} "
              f"{max(times) * 1000:7.0f} {statistics.median(rescore) * 1000:11.0f} {full * 1000:14.0f} {goal:7.2f}")


if __name__ == "__main__":
    main()
