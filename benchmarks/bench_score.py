"""Benchmark: score N synthetic units against the largest spec (aim: 10,000 units < 2 s, linear).

Run by hand: ``python benchmarks/bench_score.py [--units 10000] [--doc DOC]``. Prints the time
for 1,000, 5,000 and N units in the same run, so the growth ratio is measured on one machine
state, and the peak memory of the largest run.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

from ecoscore import list_documents, load_spec, score


def synthetic_facts(spec, n: int, seed: int = 0) -> pd.DataFrame:
    """Return random but well-typed facts for ``n`` units (every line gets a value)."""
    rng = np.random.default_rng(seed)
    names = [f"单位{i:05d}" for i in range(n)]
    cols = {}
    for row in spec.fact_table():
        f = row["fact"]
        if f.kind == "bool":
            cols[row["key"]] = rng.random(n) < 0.8
        elif f.kind == "choice":
            cols[row["key"]] = rng.choice(list(f.choices), n)
        elif f.kind == "text":
            cols[row["key"]] = np.full(n, "说明")
        elif f.kind in ("count", "days"):
            cols[row["key"]] = rng.integers(0, 4, n).astype(float)
        elif f.kind == "points":
            cols[row["key"]] = rng.uniform(0, 1, n)
        else:
            cols[row["key"]] = rng.uniform(60, 100, n)
    return pd.DataFrame(cols, index=names)


def largest_spec():
    """Return the spec with the most lines that apply to every unit (task rows name their unit)."""
    return max((load_spec(d) for d in list_documents()),
               key=lambda s: sum(ln.applies_to is None for ln in s.lines))


def run(spec, n: int, explain: bool = True) -> float:
    """Score ``n`` synthetic units and return the seconds taken (facts built outside the timing)."""
    facts = synthetic_facts(spec, n)
    t0 = time.perf_counter()
    result = score(spec, facts, units=list(facts.index), explain=explain)
    dt = time.perf_counter() - t0
    assert len(result.summary) == n
    return dt


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--doc")
    args = ap.parse_args()
    spec = load_spec(args.doc) if args.doc else largest_spec()
    print(f"document {spec.id}: {len(spec.lines)} lines, {len(spec.fact_table())} facts")
    run(spec, 100)  # warm-up
    big = args.units
    for explain in (False, True):
        label = "numbers only (explain=False)" if not explain else "with Chinese reasons (explain=True)"
        print(label)
        times = {}
        for n in (1_000, 5_000, big):
            times[n] = run(spec, n, explain)
            print(f"  {n:>7} units: {times[n]:.2f} s  ({times[n] / n * 1e6:.0f} µs/unit)")
        print(f"  growth {big // 1000}k/1k: {times[big] / times[1_000]:.1f}× for {big / 1000:.0f}× the units")
        facts = synthetic_facts(spec, big)
        tracemalloc.start()
        score(spec, facts, units=list(facts.index), explain=explain)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"  peak traced memory for {big} units: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
