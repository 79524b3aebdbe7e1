"""A report's own work, without a kernel: the aim of issue 11 is ≤ 0.25 s a report, and
pages of median ≤ 150 KB, none over 300 KB.

    python benchmarks/bench_report.py            # every sample report of all five documents
    python benchmarks/bench_report.py --quick    # the first three of each

Each document is scored once; then, per report, the report notebook's cells run in this
process (``notebooks.run_in_process``) and the page is exported as ``ecoscore render`` does.
The first report of a document is run once untimed (imports, caches), as a warm worker is.
Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ecoscore import list_documents, load_spec
from ecoscore.batch.render import report_names
from ecoscore.reports import notebooks, standalone
from ecoscore.scoring.cohort import score_cohort


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="three reports per document")
    args = ap.parse_args()
    every_time, every_size = [], []
    print(f"{'document':16} {'reports':>7} {'median s':>9} {'max s':>7} {'cells s':>8} {'export s':>9} "
          f"{'median KB':>10} {'max KB':>7}")
    for doc in list_documents():
        spec = load_spec(doc)
        cohort = score_cohort(doc)
        names = report_names(spec)[: 3 if args.quick else None]
        nb = notebooks.make(doc)
        standalone.to_html(notebooks.run_in_process(nb, doc=doc, unit=names[0], result=cohort), "warm-up")
        times, cells, exports, sizes = [], [], [], []
        for unit in names:
            t0 = time.perf_counter()
            run = notebooks.run_in_process(nb, doc=doc, unit=unit, result=cohort)
            t1 = time.perf_counter()
            page = standalone.to_html(run, f"{spec.short_title} — {unit}")
            t2 = time.perf_counter()
            times.append(t2 - t0)
            cells.append(t1 - t0)
            exports.append(t2 - t1)
            sizes.append(len(page.encode("utf-8")) / 1024)
        every_time += times
        every_size += sizes
        print(f"{doc:16} {len(names):7d} {statistics.median(times):9.3f} {max(times):7.3f} "
              f"{statistics.median(cells):8.3f} {statistics.median(exports):9.3f} "
              f"{statistics.median(sizes):10.0f} {max(sizes):7.0f}")
    print(f"{'all':16} {len(every_time):7d} {statistics.median(every_time):9.3f} {max(every_time):7.3f} "
          f"{'':8} {'':9} {statistics.median(every_size):10.0f} {max(every_size):7.0f}")


if __name__ == "__main__":
    main()
