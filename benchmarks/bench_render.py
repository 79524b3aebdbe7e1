"""Batch rendering against the loop a user would write by hand, in the same run.

    python benchmarks/bench_render.py            # every sample unit of all five documents
    python benchmarks/bench_render.py --quick    # two units of two documents

``render()`` (parallel workers, one reused kernel per worker, in-process HTML export) is
timed against, per unit, ``papermill NOTEBOOK OUT.ipynb -p unit U`` followed by
``jupyter nbconvert --to html --no-input OUT.ipynb``, one subprocess after the other.
Both produce one HTML report per unit; the figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ecoscore import list_documents, load_spec
from ecoscore.batch.render import notebook_for, render

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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="two units of two documents")
    p.add_argument("--workers", type=int, default=None, help="render() workers (default: CPU count)")
    args = p.parse_args(argv)
    docs = list_documents()[:2] if args.quick else list_documents()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in docs:
            units = load_spec(doc).unit_names
            units = units[:2] if args.quick else units
            summary = render(doc, units=units, workers=args.workers, out_dir=Path(tmp) / "render", progress=False)
            if not summary.ok:
                print(summary.describe(), file=sys.stderr)
                return 1
            t_naive = naive(doc, units, Path(tmp) / "naive" / doc)
            rows.append((doc, len(units), summary.seconds, t_naive))
            print(f"{doc:16s} {len(units):3d} units  render() {summary.seconds:7.1f} s "
                  f"({summary.seconds / len(units):5.2f} s/unit)   naive {t_naive:7.1f} s "
                  f"({t_naive / len(units):5.2f} s/unit)   ×{t_naive / summary.seconds:4.1f}", flush=True)
    n = sum(r[1] for r in rows)
    fast = sum(r[2] for r in rows)
    slow = sum(r[3] for r in rows)
    print(f"{'total':16s} {n:3d} units  render() {fast:7.1f} s ({fast / n:5.2f} s/unit)   "
          f"naive {slow:7.1f} s ({slow / n:5.2f} s/unit)   ratio naive/render = {slow / fast:.1f}")
    print(f"(cpu_count={os.cpu_count()}, workers={args.workers or os.cpu_count()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
