"""Batch rendering against the loop a user would write by hand, in the same run.

    python benchmarks/bench_render.py            # every sample unit of all five documents
    python benchmarks/bench_render.py --quick    # two units of two documents
    python benchmarks/bench_render.py --no-naive # render() against the floor only

``render()`` (parallel workers, one reused kernel per worker, in-process HTML export) is
timed against, per unit, ``papermill NOTEBOOK OUT.ipynb -p unit U`` followed by
``jupyter nbconvert --to html --no-input OUT.ipynb``, one subprocess after the other, and
against the floor: the same report content made in this process without a kernel
(``run_in_process`` and the same export, one unit after the other). All three produce one
HTML report per unit; the figures are printed, not asserted (issue 13's aims: render ≥ 20×
faster than the naive loop, within 1.5× of the floor).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

from ecoscore import list_documents, load_spec
from ecoscore.batch.render import notebook_for, render, report_names
from ecoscore.reports.notebooks import run_in_process
from ecoscore.reports.standalone import make_exporter, to_html
from ecoscore.scoring.cohort import score_cohort

BIN = Path(sys.executable).parent


def naive(doc: str, units: list[str], out: Path) -> float:
    """Time the hand-written loop: papermill CLI, then nbconvert CLI, per unit."""
    nb = notebook_for(doc)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for i, unit in enumerate(units):
        executed = out / f"{i}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(nb), str(executed), "-p", "doc", doc, "-p", "unit", unit,
                        "--no-progress-bar", "--log-level", "ERROR"], check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed),
                        "--log-level", "ERROR"], check=True, capture_output=True)
    return time.perf_counter() - started


def floor(doc: str, units: list[str]) -> float:
    """Time the same report content made in this process without a kernel: scoring once, then
    per unit the notebook's cells (``run_in_process``; the unit's goal sought in its section, one
    session for the cohort as in a kernel) and the HTML export.
    """
    nb = nbformat.read(notebook_for(doc), as_version=4)
    exporter = make_exporter()
    started = time.perf_counter()
    cohort = score_cohort(doc)
    for unit in units:
        done = run_in_process(nb, doc=doc, unit=unit, result=cohort)
        to_html(done, unit, exporter)
    return time.perf_counter() - started


class KernelMemory:
    """Sample the resident memory of this process's child processes (the kernels) while rendering."""

    def __init__(self, every: float = 0.2):
        self.every, self.peak, self._stop = every, {}, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self.every):
            for child in me.children(recursive=True):
                try:
                    self.peak[child.pid] = max(self.peak.get(child.pid, 0), child.memory_info().rss)
                except psutil.Error:
                    pass

    def __enter__(self) -> KernelMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def largest_mb(self) -> float:
        return max(self.peak.values(), default=0) / 2**20


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="two units of two documents")
    p.add_argument("--workers", type=int, default=None, help="render() workers (default: CPU count)")
    p.add_argument("--no-naive", action="store_true", help="render() and the floor only (the naive loop takes ~30 min)")
    args = p.parse_args(argv)
    docs = list_documents()[:2] if args.quick else list_documents()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in docs:
            units = report_names(load_spec(doc))
            units = units[:2] if args.quick else units
            with KernelMemory() as mem:
                summary = render(doc, units=units, workers=args.workers, out_dir=Path(tmp) / "render",
                                 progress=False, force=True)
            if not summary.ok:
                print(summary.describe(), file=sys.stderr)
                return 1
            t_floor = floor(doc, units)
            t_naive = float("nan") if args.no_naive else naive(doc, units, Path(tmp) / "naive" / doc)
            rows.append((doc, len(units), summary.seconds, t_naive, t_floor))
            print(f"{doc:16s} {len(units):3d} units  render() {summary.seconds:6.1f} s "
                  f"({summary.seconds / len(units):5.2f} s/unit)  naive {t_naive:6.1f} s "
                  f"({t_naive / len(units):5.2f} s/unit)  floor {t_floor:6.1f} s ({t_floor / len(units):5.2f} s/unit)"
                  f"  naive/render ×{t_naive / summary.seconds:4.1f}  render/floor ×{summary.seconds / t_floor:4.2f}"
                  f"  kernel peak {mem.largest_mb:4.0f} MB", flush=True)
    n = sum(r[1] for r in rows)
    fast, slow, low = (sum(r[k] for r in rows) for k in (2, 3, 4))
    print(f"{'total':16s} {n:3d} units  render() {fast:6.1f} s ({fast / n:5.2f} s/unit)  naive {slow:6.1f} s "
          f"({slow / n:5.2f} s/unit)  floor {low:6.1f} s ({low / n:5.2f} s/unit)")
    print(f"naive/render = {slow / fast:.1f}×   render/floor = {fast / low:.2f}×   "
          f"(cpu_count={os.cpu_count()}, workers={args.workers or os.cpu_count()}; floor runs in one process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
