"""Benchmark: a synthetic cohort of N counties of shengzhou-2024 (示例数据), stage by stage.

Run by hand: ``python benchmarks/bench_scale.py [--quick] [--units 300 1000 3000] [--work DIR]``.
For each N and stage a fresh child process sets the stage up from the previous stage's files
(untimed), then times the stage and reads its peak resident memory (``getrusage`` maxrss; the
growth is maxrss after the stage less the resident size before it). Stages:

* ``write``  — the facts workbook (``benchmarks/synthetic.py``: the project's template writer);
* ``read``   — ``ecoscore.scoring.cohort.load_facts`` on it, the read path of ``score_cohort``;
* ``score``  — ``score_cohort`` on the facts read, ``sensitivity=False``; ``score+sens`` with it;
* ``save``   — ``ScoredCohort.save`` (scored.json); ``load`` — ``ScoredCohort.load`` (each report does it);
* ``index``  — ``index_pages``: the main page and, past 200 added counties, a page per province
  (the main page's size, the number of pages and their total size);
* ``render`` — ``ecoscore.batch.render.render(doc, units=<5>, facts=path)``: it reads and scores the
  whole cohort again, so that part is timed apart (``render:score``) and ``render:reports`` is the
  rest (kernels, five reports each seeking its unit's goal, index, publishing).
  Its memory is the parent's; the kernels' peak is shown as ``render:kernels``.

Figures are printed, not asserted, with the growth ratios 1000/300 and 3000/1000 (3.3 and 3.0
when linear). ``--profile STAGE --units N`` runs one stage under cProfile instead and prints
the top costs.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pickle
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # run as a script: synthetic.py sits beside it
    sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

STAGES = ["write", "read", "score", "score+sens", "save", "load", "index", "render"]
MARK = "RESULT "


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _maxrss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def _cpu() -> float:
    """Return the CPU seconds of this process and its finished children (the render's kernels)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def sample_units(names: list[str]) -> list[str]:
    """Return the five units whose reports are rendered: 嵊州市 and four added counties spread out."""
    added = [u for u in names if u != synthetic.HOME_UNIT]
    picks = [added[0], added[len(added) // 3], added[2 * len(added) // 3], added[-1]]
    return [synthetic.HOME_UNIT, *dict.fromkeys(picks)]


class Files:
    """Where the stages of one N leave what the next stage needs."""

    def __init__(self, work: Path, n: int):
        self.n = n
        self.xlsx = work / f"示例数据-{n}县.xlsx"
        self.loaded = work / f"loaded-{n}.pkl"
        self.cohort = work / f"cohort-{n}.pkl"
        self.json = work / f"scored-{n}.json"
        self.index = work / f"index-{n}.html"
        self.out = work / f"out-{n}"


# ------------------------------------------------------------------ stages: setup, then the timed call
def _ensure(stage: str, fs: Files) -> None:
    """Make the files ``stage`` starts from (running the stages before it, untimed)."""
    need = {"read": fs.xlsx, "score": fs.loaded, "score+sens": fs.loaded, "save": fs.cohort, "load": fs.json,
            "index": fs.cohort, "render": fs.xlsx}
    path = need.get(stage)
    if path is None or path.exists():
        return
    before = {fs.xlsx: "write", fs.loaded: "read", fs.cohort: "score+sens", fs.json: "save"}[path]
    _ensure(before, fs)
    setup, call, finish = _stage(before, fs)
    finish(call(setup()))


def _stage(stage: str, fs: Files):
    """Return ``(setup, call, finish)``: the untimed setup, the timed call (given the setup's
    value) and an untimed step that keeps the stage's output and returns its extra figures.
    """
    from ecoscore import load_spec
    from ecoscore.scoring.result import ScoredCohort

    spec = load_spec(synthetic.DOC)

    def unpickle(path):
        return lambda: pickle.loads(path.read_bytes())

    if stage == "write":
        def done(p):
            return {"bytes": p.stat().st_size}

        return (lambda: synthetic.cohort(fs.n), lambda syn: synthetic.write_workbook(syn, fs.xlsx), done)
    if stage == "read":
        from ecoscore.scoring.cohort import load_facts

        def keep(loaded):
            fs.loaded.write_bytes(pickle.dumps(loaded))
            return {"rows": len(loaded.current)}

        return (lambda: None, lambda _: load_facts(spec, fs.xlsx), keep)
    if stage in ("score", "score+sens"):
        from ecoscore.scoring.cohort import attach_evidence, score_cohort

        def run(loaded):
            return loaded, score_cohort(spec, loaded.current, loaded.previous, sensitivity=stage == "score+sens")

        def keep(pair):
            loaded, c = pair
            # as score_cohort(path) would hold it: the file's provenance, the evidence typed, the grouping
            c.current.audit = attach_evidence(c.current.audit, loaded.evidence)
            c.evidence, c.provenance, c.groups = loaded.evidence, loaded.provenance, loaded.groups
            if stage == "score+sens":
                fs.cohort.write_bytes(pickle.dumps(c))
            return {"units": len(c.units), "sensitive": 0 if c.sensitivity is None else len(c.sensitivity)}

        return unpickle(fs.loaded), run, keep
    if stage == "save":
        return unpickle(fs.cohort), lambda c: c.save(fs.json), lambda p: {"bytes": p.stat().st_size}
    if stage == "load":
        return (lambda: None), (lambda _: ScoredCohort.load(fs.json)), (lambda c: {"units": len(c.units)})
    if stage == "index":
        from ecoscore.reports.index_page import MAIN_PAGE, index_pages

        def page(c):
            links = {u: f"{u}.html" for u in sample_units(c.units)}
            return index_pages(c, links=links, failures=[])

        def keep(pages):
            html = pages[MAIN_PAGE]
            fs.index.write_text(html, encoding="utf-8")
            sizes = [len(h.encode("utf-8")) for h in pages.values()]
            return {"bytes": sizes[0], "rows": html.count("<tr"), "pages": len(pages), "all_bytes": sum(sizes),
                    "largest_group_bytes": max(sizes[1:], default=0),
                    "script": any("<script" in h for h in pages.values())}

        return unpickle(fs.cohort), page, keep
    if stage == "render":
        return (lambda: None), lambda _: _render(fs), lambda r: r
    raise ValueError(f"unknown stage {stage!r}; known: {', '.join(STAGES)}")


def _render(fs: Files) -> dict:
    """Render five reports; time the whole cohort's scoring and goal seeking inside it apart."""
    import shutil

    from ecoscore.batch import render as batch

    spent = {"score": 0.0}

    def timed(name, fn):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t0
        return wrapper

    batch.score_cohort = timed("score", batch.score_cohort)
    shutil.rmtree(fs.out, ignore_errors=True)
    units = sample_units([synthetic.HOME_UNIT, *synthetic.county_names(fs.n)[0]])
    summary = batch.render(synthetic.DOC, units=units, facts=fs.xlsx, out_dir=fs.out, workers=2, progress=False)
    summary.raise_for_failures()
    sizes = sorted(p.stat().st_size for p in summary.written.values())
    return {"score": spent["score"], "reports": len(summary.written),
            "report_kb": [round(s / 1024) for s in sizes], "index_bytes": summary.index.stat().st_size,
            "unit_seconds": {u: round(s, 1) for u, s in summary.unit_seconds.items()},
            "kernels_maxrss_mb": round(_maxrss_mb(resource.RUSAGE_CHILDREN))}


def child(stage: str, n: int, work: Path) -> dict:
    """Run one stage for ``n`` units in this process; return its figures."""
    fs = Files(work, n)
    _ensure(stage, fs)
    setup, call, finish = _stage(stage, fs)
    value = setup()
    rss0, max0 = _rss_mb(), _maxrss_mb()
    c0, t0 = _cpu(), time.perf_counter()
    out = call(value)
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    max1 = _maxrss_mb()
    extra = finish(out)
    return {"stage": stage, "n": n, "seconds": seconds, "cpu": cpu, "rss_before_mb": rss0, "maxrss_mb": max1,
            "growth_mb": max1 - rss0, "setup_peak_higher": max1 <= max0, **extra}


def run_child(stage: str, n: int, work: Path) -> dict:
    """Run ``child`` in a fresh interpreter (its own maxrss) and return its figures."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", stage, "--units", str(n), "--work", str(work)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith(MARK)]
    if p.returncode or not lines:
        raise RuntimeError(f"{stage} at {n} failed:\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
    return json.loads(lines[-1][len(MARK):])


def profile(stage: str, n: int, work: Path, top: int = 25) -> None:
    """Run one stage under cProfile and print its top costs (cumulative and own time)."""
    fs = Files(work, n)
    _ensure(stage, fs)
    setup, call, finish = _stage(stage, fs)
    value = setup()
    prof = cProfile.Profile()
    prof.runcall(call, value)
    st = pstats.Stats(prof)
    st.sort_stats("cumulative").print_stats(top)
    st.sort_stats("tottime").print_stats(top // 2)


# ------------------------------------------------------------------ the table
def _ratio(a, b) -> str:
    return f"{b / a:5.2f}" if a and b and a > 0.005 else "   —"


def table(rows: list[dict], ns: list[int]) -> str:
    """Return the figures as a text table: seconds and peak growth per N, and the growth ratios."""
    by = {(r["stage"], r["n"]): r for r in rows}
    lines = []
    for what, key, unit in (("wall time", "seconds", "s"), ("CPU time", "cpu", "s"),
                            ("peak memory growth", "growth_mb", "MB")):
        head = f"{what} ({unit})".ljust(20) + "".join(f"{n:>10}" for n in ns)
        if len(ns) == 3:
            head += f"{'1000/300':>10}{'3000/1000':>10}"
        lines += [head, "-" * len(head)]
        names = []
        for s in STAGES:
            names.append(s)
            if s == "render":
                names += ["render:score", "render:reports"]
        for s in names:
            vals = []
            for n in ns:
                r = by.get((s.split(":")[0], n))
                if r is None:
                    vals.append(None)
                elif ":" in s and key == "seconds":
                    part = s.split(":")[1]
                    vals.append(r["seconds"] - r["score"] if part == "reports" else r[part])
                elif ":" in s:
                    vals.append(None)
                else:
                    vals.append(r[key])
            if all(v is None for v in vals):
                continue
            line = s.ljust(20) + "".join(f"{v:>10.2f}" if v is not None else f"{'':>10}" for v in vals)
            if len(ns) == 3:
                line += f"{_ratio(vals[0], vals[1]):>10}{_ratio(vals[1], vals[2]):>10}"
            lines.append(line)
        lines.append("")
    lines.append("sizes".ljust(20) + "".join(f"{n:>10}" for n in ns))
    for s, k, label in (("write", "bytes", "facts xlsx KB"), ("save", "bytes", "scored.json KB"),
                        ("index", "bytes", "index.html KB"), ("index", "rows", "index <tr> rows"),
                        ("index", "pages", "index pages"), ("index", "all_bytes", "all index pages KB"),
                        ("index", "largest_group_bytes", "largest group KB"),
                        ("render", "kernels_maxrss_mb", "kernel maxrss MB")):
        vals = [by.get((s, n), {}).get(k) for n in ns]
        scale = 1024 if k.endswith("bytes") else 1
        lines.append(label.ljust(20) + "".join(f"{v / scale:>10.0f}" if v is not None else f"{'':>10}"
                                              for v in vals))
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, nargs="+", default=[300, 1000, 3000])
    ap.add_argument("--quick", action="store_true", help="300 units only")
    ap.add_argument("--stages", nargs="+", default=STAGES, choices=STAGES)
    ap.add_argument("--work", help="folder for the files (kept); default: a temporary folder")
    ap.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    ap.add_argument("--profile", choices=STAGES, help="run one stage under cProfile (with --units N)")
    args = ap.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench_scale-"))
    work.mkdir(parents=True, exist_ok=True)
    ns = [300] if args.quick else args.units
    if args.child:
        print(MARK + json.dumps(child(args.child, ns[0], work), ensure_ascii=False))
        return
    if args.profile:
        profile(args.profile, ns[0], work)
        return
    print(f"shengzhou-2024, synthetic cohorts (示例数据) in {work}")
    rows = []
    for n in ns:
        for s in args.stages:
            r = run_child(s, n, work)
            rows.append(r)
            more = {k: v for k, v in r.items() if k not in ("stage", "n", "seconds", "cpu", "rss_before_mb",
                                                              "maxrss_mb", "growth_mb")}
            print(f"  N={n:<5} {s:<11} {r['seconds']:8.2f} s (CPU {r['cpu']:.2f} s)  peak +{r['growth_mb']:7.1f} MB "
                  f"(maxrss {r['maxrss_mb']:.0f} MB)  {more}", flush=True)
    print()
    print(table(rows, ns))
    (work / "figures.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
