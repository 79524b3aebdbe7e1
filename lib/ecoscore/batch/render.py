"""Batch rendering: one stand-alone HTML report per unit, and a cohort index beside them.

``render("xx-2020")`` validates the facts, scores the cohort, runs ``notebooks/<doc>.ipynb``
once per unit through papermill (parameters injected) in parallel worker threads
(``ecoscore.batch.workers``), each reusing one kernel (``ecoscore.batch.kernels``), exports each
executed notebook without code (``ecoscore.reports.standalone``) and publishes one set::

    outputs/<doc>/<year>/<unit>.html      one report per unit (file name made safe)
    outputs/<doc>/<year>/<unit>.pdf       the same report on A4 (``pdf=True``)
    outputs/<doc>/<year>/index.html       ranking, cohort chart, links, failures
    outputs/<doc>/<year>/index.pdf        the index on A4 (``pdf=True``)
    outputs/<doc>/<year>/scored.json      the scored result every report and the index read
    outputs/<doc>/<year>/_failed/<unit>.ipynb   the executed notebook of a unit that failed

The set is written into a hidden staging folder beside ``<year>`` and swapped in whole, under
a lock (``ecoscore.batch.publish``): the folder always holds one complete run, never a mix of
two, and a render that is killed, interrupted or runs out of disk leaves the set published
before it as it was. A unit that fails never stops the others: it is listed in the index and
in the returned ``RenderSummary``.

With ``pdf=True`` every HTML page of the set is also printed to A4 PDF beside it, in the
staging folder, by one headless Chromium for the whole batch (``standalone.PdfPrinter``),
each report as soon as it is written while the kernels go on with the next units. A PDF
that fails is listed like a failed report (``pdf_failures``, the index, the command line);
the HTML report stays.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
import unicodedata
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill
import yaml

from ecoscore import atomic
from ecoscore.batch import manifest
from ecoscore.batch.kernels import KernelRuntime
from ecoscore.batch.publish import Staging
from ecoscore.batch.workers import FAILED_DIR, RenderPool, UnitJob
from ecoscore.errors import EcoscoreError, RenderError, RenderFailure
from ecoscore.paths import NOTEBOOK_DIR
from ecoscore.reports.index_page import index_pages
from ecoscore.reports.standalone import PdfPrinter, page_footer, page_header
from ecoscore.scoring.cohort import score_cohort
from ecoscore.spec import Spec, load_spec, parse_readings

_UNSAFE = re.compile(r'[\\/:*?"<>|\'`$&;!#%{}\[\]~^]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)
RESULT_FILE = "scored.json"
INDEX_FILE = "index.html"
#: The words the index's PDF carries in its header, where a report names its unit.
INDEX_HEADER = "汇总索引"
_MAX_BYTES = 180  # file-name budget in UTF-8 bytes, leaving room for ".html" and a suffix


@dataclass
class RenderSummary:
    """What a batch render did: the reports written, the failures, and the time taken."""

    doc: str
    year: int
    out_dir: Path
    index: Path
    written: dict[str, Path] = field(default_factory=dict)
    failures: list[RenderFailure] = field(default_factory=list)
    seconds: float = 0.0
    unit_seconds: dict[str, float] = field(default_factory=dict)
    #: reports of units not asked for this time, kept from the set before (same inputs: ``batch.manifest``)
    carried: dict[str, Path] = field(default_factory=dict)
    #: reports asked for whose inputs had not changed: kept as published, not rendered again
    kept: dict[str, Path] = field(default_factory=dict)
    #: reports with no page in the published set: not asked for this time, none to keep
    not_rendered: list[str] = field(default_factory=list)
    #: the PDF of each page printed (``pdf=True``): report name, or ``INDEX_HEADER`` for the index
    pdfs: dict[str, Path] = field(default_factory=dict)
    #: pages whose PDF failed (their HTML was written); kind ``"pdf"``
    pdf_failures: list[RenderFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether every unit rendered (and, when asked for, every PDF printed)."""
        return not self.failures and not self.pdf_failures

    def raise_for_failures(self) -> None:
        """Raise ``RenderError`` listing the failed units and PDFs, if any."""
        if not self.ok:
            raise RenderError(self.failures + self.pdf_failures)

    def describe(self) -> str:
        """Return a short Chinese account of the run, for the command line."""
        n = len(self.written) + len(self.failures)
        lines = [f"{self.doc} {self.year}年:共 {n} 个单位,成功 {len(self.written)} 个,失败 {len(self.failures)} 个,"
                 f"用时 {self.seconds:.1f} 秒", f"索引页:{self.index}"]
        if self.kept:
            lines.append(f"数据与设置未变、沿用已生成的报告 {len(self.kept)} 份(如需全部重新生成,请加 --force)")
        if self.carried:
            lines.append(f"沿用上次生成的其他单位报告 {len(self.carried)} 份(其数据与设置未变)")
        if self.not_rendered:
            names = "、".join(self.not_rendered[:10]) + (" 等" if len(self.not_rendered) > 10 else "")
            lines.append(f"本次未生成报告 {len(self.not_rendered)} 份:{names}")
        if self.pdfs or self.pdf_failures:
            lines.append(f"PDF:成功 {len(self.pdfs)} 份,失败 {len(self.pdf_failures)} 份")
        for f in self.failures + self.pdf_failures:
            msg = (f.message or "").splitlines() or [""]
            lines.append(f"  失败 {f.unit}:{msg[0]}")
            lines += [f"    {m}" for m in msg[1:4]]
            if f.notebook:
                lines.append(f"    调试用笔记本:{f.notebook}")
        return "\n".join(lines)


def safe_filename(name: str, taken: set[str] | None = None) -> str:
    """Return a file-name stem for ``name`` that is safe on Windows, macOS and Linux.

    Chinese and other letters are kept. Path separators, control characters, quotes and
    shell or URL metacharacters become ``_``; Windows reserved names (``CON``, ``NUL`` …)
    get a ``_`` prefix; leading/trailing dots and spaces go; the stem is cut to fit file-name
    limits. If ``taken`` is given, names already in it (compared case-insensitively) get a
    ``-2``, ``-3`` … suffix, and the result is added to it.
    """
    s = unicodedata.normalize("NFC", str(name))
    s = "".join(" " if unicodedata.category(c) == "Zs" else "_" if unicodedata.category(c)[0] in "CZ" else c
                for c in s)
    s = _UNSAFE.sub("_", s).strip(" .")
    s = re.sub(r"\s+", " ", s)
    if not s or set(s) <= {"_"}:
        s = "unit" + s
    if _RESERVED.match(s):
        s = "_" + s
    s = _cut(s, _MAX_BYTES)
    if taken is None:
        return s
    stem, k = s, 1
    lowered = {t.casefold() for t in taken}
    while stem.casefold() in lowered:
        k += 1
        stem = f"{_cut(s, _MAX_BYTES - 8)}-{k}"
    taken.add(stem)
    return stem


def _cut(s: str, limit: int) -> str:
    while len(s.encode("utf-8")) > limit:
        s = s[:-1]
    return s.rstrip(" .") or "unit"


def report_names(spec: Spec, added=()) -> list[str]:
    """Return every report a batch can write: the document's units, the departments with a
    report of their own (``Spec.department_reports``), then the units an analyst added.
    """
    return list(dict.fromkeys([*spec.unit_names, *spec.department_names(), *added]))


def file_names(spec: Spec, added=()) -> dict[str, str]:
    """Return ``{report name: file stem}`` for every report (stable across subsets)."""
    taken = {"index", FAILED_DIR}
    return {u: safe_filename(u, taken) for u in report_names(spec, added)}


def notebook_for(doc: str) -> Path:
    """Return the report notebook of document ``doc`` (``notebooks/<doc>.ipynb``)."""
    return NOTEBOOK_DIR / f"{doc}.ipynb"


def _pick_units(spec: Spec, units, added=()) -> list[str]:
    """Return the reports asked for: ``"all"`` is every report (``report_names``); names may be
    units (or their aliases), departments with a report, or units an analyst added.
    """
    every = report_names(spec, added)
    if units is None or units == "all":
        return every
    if isinstance(units, str):
        units = [u for u in re.split(r"[,,、]", units) if u.strip()]
    if not units:
        raise EcoscoreError(f"没有给出单位名;请用逗号分隔单位名,或用 all 生成全部报告:{'、'.join(every)}")
    alias = {a: u.name for u in spec.units for a in (u.name, *u.aliases)} | {n: n for n in every}
    found = [alias.get(u, alias.get(u.strip())) for u in units]  # exact name first: names may end in a space
    unknown = [u for u, f in zip(units, found) if f is None]
    if unknown:
        raise EcoscoreError(f"未知单位:{'、'.join(unknown)};{spec.id} 可生成报告的单位有:{'、'.join(every)}")
    return list(dict.fromkeys(found))


@dataclass
class _Plan:
    """Everything checked and loaded before the first file is written."""

    spec: Spec
    year: int
    units: list[str] | str | None  # checked names, or as given when analyst-added names are allowed
    notebook: Path
    params: dict
    facts: str | None
    previous: str | None


def _plan(doc, units, year, facts, previous, readings, notebook) -> _Plan:
    spec = load_spec(doc)
    chosen = parse_readings(spec, readings)
    if chosen:
        spec = spec.with_readings(chosen)
    year = int(year or spec.year)
    # the names an analyst added are known once the facts are read: checked again after scoring
    names = _pick_units(spec, units) if spec.analyst_units is None else units
    nb_path = Path(notebook) if notebook else notebook_for(spec.id)
    if not nb_path.exists():
        raise EcoscoreError(f"找不到报告笔记本:{nb_path}")
    # absolute, links not followed: a link that loops is then said to be unreadable when read
    facts_path = os.path.abspath(facts) if facts is not None else None
    previous_path = os.path.abspath(previous) if previous is not None else None
    if previous_path and not facts_path:
        raise EcoscoreError("给出上年数据(previous)时也须给出当年数据文件(facts)")
    doc_param = str(Path(doc).resolve()) if Path(str(doc)).suffix else spec.id  # a spec given by path
    declared = set(papermill.inspect_notebook(str(nb_path)))
    lacking = {"unit", "result"} - declared
    if lacking:
        raise EcoscoreError(f"报告笔记本 {nb_path} 的 parameters 单元缺少参数:{'、'.join(sorted(lacking))}")
    params = {"doc": doc_param} if "doc" in declared else {}
    return _Plan(spec, year, names, nb_path, params, facts_path, previous_path)


def render(doc: str, units="all", year: int | None = None, workers: int | None = None,
           out_dir: str | Path = "outputs", facts=None, readings=None, progress: bool = True, *,
           previous=None, notebook: str | Path | None = None, cell_timeout: float | None = 600,
           pdf: bool = False, scenario=None, force: bool = False, scheduler: str | None = None) -> RenderSummary:
    """Render one stand-alone HTML report per unit of ``doc``, and the cohort index.

    ``scenario`` (a ``Scenario`` or the path of a scenario file) changes facts before scoring;
    its set goes to ``<out_dir>/<doc>/<year>-情景-<name>/``, never over the real one, and every
    page says it is a scenario's.

    ``units`` is ``"all"`` or a list of unit names (aliases accepted); ``year`` defaults to the
    document's year; ``facts`` is a facts file (``None``: the sample data) and ``previous`` an
    optional file of last year's facts; ``readings`` picks readings of ambiguous clauses
    (``["A2=from_max"]`` or a dict). ``workers`` defaults to ``os.cpu_count()``.
    ``notebook`` replaces ``notebooks/<doc>.ipynb``; ``cell_timeout`` bounds each cell (seconds).
    ``pdf`` also prints every page of the set to an A4 PDF beside it (same stem, ``.pdf``):
    Chromium is started once, before anything is written (``EcoscoreError`` if it cannot be).

    ``scheduler`` (``"tcp://HOST:PORT"``) renders the units on that Dask cluster
    (``ecoscore.batch.distributed``; ``workers`` is then not used): the same pages, written here.

    Incremental: ``manifest.json`` beside the reports records what each was made from
    (``batch.manifest``); a report whose inputs are unchanged and whose files are published is
    kept as it is (not rendered, not rewritten) and listed in ``kept``. ``force`` renders every
    report asked for. The index and ``scored.json`` are always written anew.

    Units, readings, the notebook's parameters and the facts are all checked before anything
    is written (``FactsError`` lists every bad fact). A unit whose notebook fails is listed in
    the summary and the index, and its executed notebook is kept in ``_failed/``; the others
    are still written. Call ``raise_for_failures()`` on the result to turn failures into a
    ``RenderError``. The index ranks the whole cohort and links the reports of the set.

    The set is published whole (``ecoscore.batch.publish``). If another render is writing the
    same folder, this one **waits** for it (saying so on stderr: "另一个渲染正在写入 …,等待中")
    and then publishes its own complete set. A subset of ``units`` keeps the published reports
    of the other units only if they were made from the same scored result (``carried``); the
    others are dropped and listed in ``not_rendered`` (the index shows no link for them).
    A file that cannot be written (disk full, no permission, read-only) raises
    ``RenderWriteError`` and publishes nothing; so does Ctrl-C or SIGTERM (re-raised), which
    kill the kernels at once. Kernel connection files live in a ``KernelRuntime`` folder.
    """
    started = time.perf_counter()
    if scenario is not None and not hasattr(scenario, "apply"):
        from ecoscore.whatif.scenario import Scenario

        scenario = Scenario.load(scenario)
    plan = _plan(doc, units, year, facts, previous, readings, notebook)
    spec = plan.spec
    final = Path(out_dir) / spec.id / (str(plan.year) + (f"-情景-{_safe_name(scenario.name)}" if scenario else ""))
    summary = RenderSummary(spec.id, plan.year, final, final / INDEX_FILE)
    n_workers = max(1, min(workers or os.cpu_count() or 1,
                           len(plan.units) if isinstance(plan.units, list) else len(report_names(spec))))
    printer = PdfPrinter() if pdf else nullcontext()
    with _sigterm_unwinds(), printer, KernelRuntime() as runtime:
        job = UnitJob(nbformat.read(plan.notebook, as_version=4), final, file_names(spec),
                      f"{spec.short_title} — {{unit}}", cell_timeout, str(plan.notebook.resolve().parent),
                      runtime.path, final)
        if scheduler:  # imported here: importing distributed costs ~0.5 s
            from ecoscore.batch.distributed import DaskPool

            pool = DaskPool(job, scheduler)
        else:
            pool = RenderPool(job, n_workers)
        with pool:  # kernels start while the facts are checked
            # scored once for the whole batch (FactsError: nothing written); every report reads this file
            cohort = score_cohort(spec, plan.facts, plan.previous, year=plan.year, scenario=scenario)
            added = [u for u in cohort.units if u not in spec.unit_names]
            names = _pick_units(spec, plan.units, added)
            job.stems = file_names(spec, added)
            with Staging(final, own=lambda name: _own(name, final),
                         on_wait=lambda pid: _say_waiting(final, pid)) as stage:
                try:
                    _write_set(stage, pool, job, cohort, plan, names, summary, progress, printer if pdf else None,
                               force=force)
                except BaseException:
                    pool.abort()  # no worker may write into the staging folder while it is removed
                    raise
                stage.publish()
            # name every file where it now is
            summary.written = {u: stage.shown(p) for u, p in summary.written.items()}
            summary.carried = {u: stage.shown(p) for u, p in summary.carried.items()}
            summary.kept = {u: stage.shown(p) for u, p in summary.kept.items()}
            summary.pdfs = {u: stage.shown(p) for u, p in summary.pdfs.items()}
            for f in summary.failures:
                f.notebook = str(stage.shown(f.notebook)) if f.notebook else ""
    summary.seconds = time.perf_counter() - started
    return summary


def _write_set(stage: Staging, pool, job: UnitJob, cohort, plan: _Plan, names: list[str],
               summary: RenderSummary, progress: bool, printer: PdfPrinter | None = None, *,
               force: bool = False) -> None:
    """Write the whole set into the staging folder: the result, every report whose inputs
    changed (``batch.manifest``; all asked for with ``force``), the reports kept as published,
    the index, the manifest, and with a ``printer`` the PDF of each (a report's as soon as it
    is written).
    """
    spec = plan.spec

    def print_pdf(name: str, page: Path, right: str) -> None:
        if printer is not None:
            header = page_header(spec.short_title, right)
            footer = page_footer("示例数据,非官方数据" if cohort.sample else "")
            _print_pdf(printer, stage, summary, name, page, header, footer)

    job.folder = stage.path
    added = [u for u in cohort.units if u not in spec.unit_names]
    every = report_names(spec, added)
    order = {u: i for i, u in enumerate(every)}
    owner = {d: spec.department_reports for d in spec.department_names()}
    keys = manifest.report_keys(cohort, every, owner=owner, notebook=plan.notebook)
    published = manifest.read(stage.final) if stage.previous else {}
    suffixes = (".html", ".pdf") if printer else (".html",)

    def unchanged(u: str) -> bool:
        return published.get(u) == keys[u] and (stage.final / f"{job.stems[u]}.html").is_file()

    asked = set(names)
    keep = [u for u in every if unchanged(u) and not (force and u in asked)]
    kept_names = set(keep)
    todo = [u for u in names if u not in kept_names]
    with stage.disk_errors():
        result_path = cohort.save(stage.path / RESULT_FILE)
    jobs = [(u, {**plan.params, "unit": u, "result": str(result_path.resolve())}) for u in todo]
    for unit, outcome, seconds in pool.map(jobs, progress=progress, desc=f"{spec.id} {plan.year}"):
        summary.unit_seconds[unit] = seconds
        if isinstance(outcome, OSError):  # the set cannot be completed: publish nothing
            raise stage.write_error(outcome)
        if isinstance(outcome, RenderFailure):
            summary.failures.append(outcome)
        else:
            summary.written[unit] = outcome
            print_pdf(unit, outcome, unit)
    with stage.disk_errors():
        kept = stage.keep(job.stems, keep, suffixes=suffixes)
    summary.kept = {u: p for u, p in kept.items() if u in asked}
    summary.carried = {u: p for u, p in kept.items() if u not in asked}
    for unit, page in kept.items():
        if page.with_suffix(".pdf").exists():
            summary.pdfs[unit] = page.with_suffix(".pdf")
        else:  # kept from a render without PDFs
            print_pdf(unit, page, unit)
    summary.not_rendered = [u for u in every if u not in asked and u not in kept]
    summary.failures.sort(key=lambda f: order[f.unit])
    summary.pdf_failures.sort(key=lambda f: order[f.unit])
    summary.written = dict(sorted(summary.written.items(), key=lambda kv: order[kv[0]]))
    pages = {u: p.name for u, p in {**summary.written, **kept}.items()}
    index = index_pages(cohort, links=pages, failures=summary.failures + summary.pdf_failures, base=stage.path)
    with stage.disk_errors():
        for name, html in index.items():  # index.html, and a large cohort's group pages (分组-*.html)
            atomic.write_text(stage.path / name, html)
        manifest.write(stage.path, keys, dict(sorted(pages.items(), key=lambda kv: order[kv[0]])))
    for name in index:
        label = INDEX_HEADER if name == INDEX_FILE else f"{INDEX_HEADER} {Path(name).stem}"
        print_pdf(label, stage.path / name, f"{plan.year}年 {label}")


def _print_pdf(printer: PdfPrinter, stage: Staging, summary: RenderSummary, name: str, page: Path,
               header: str, footer: str) -> None:
    """Print ``page`` to the PDF beside it; a failure is recorded (the HTML stays), a file
    that cannot be written stops the batch like any other (``RenderWriteError``).
    """
    target = page.with_suffix(".pdf")
    try:
        data = printer.print_pdf(page, header=header, footer=footer)
    except Exception as e:  # one page's PDF must not stop the others
        summary.pdf_failures.append(RenderFailure(name, f"PDF 生成失败(HTML 报告已生成):{_first_line(e)}",
                                                  "", "pdf"))
        return
    with stage.disk_errors():
        atomic.write_bytes(target, data)
    summary.pdfs[name] = target


def _first_line(e: BaseException) -> str:
    text = [t for t in str(e).strip().splitlines() if t.strip()]
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def _own(name: str, folder: Path) -> bool:
    """Return whether ``name`` in the published ``folder`` is a file ecoscore writes (else a
    user's): a PDF is a report's print when an HTML page of the same stem sits beside it. The
    index's group pages (``分组-*.html``, ``index_page.GROUP_PAGE_PREFIX``) and their PDFs are both.
    """
    if name.endswith(".pdf"):
        return (folder / (name[:-4] + ".html")).is_file()
    return (name in (INDEX_FILE, RESULT_FILE, FAILED_DIR, manifest.FILE) or name.endswith(".html")
            or (name.startswith(".") and name.endswith(".tmp")))


def _say_waiting(folder: Path, pid: int | None) -> None:
    who = f"(进程 {pid})" if pid else ""
    print(f"另一个渲染{who}正在写入 {folder},等待中……", file=sys.stderr, flush=True)


@contextmanager
def _sigterm_unwinds():
    """While rendering, let SIGTERM unwind like Ctrl-C (``SystemExit(143)``), so the kernels
    are killed and the staged files removed before the process ends. Only in the main thread,
    and only where nobody else has set a handler.
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def unwind(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, unwind)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def load_params(path: str | Path) -> dict:
    """Return the ``render`` arguments stored in a params file (``params/<doc>.yaml``).

    Keys: ``doc`` (required), ``year``, ``units``, ``facts`` and ``previous`` (paths, relative
    to the current directory; ``null`` means the sample data), ``readings``.
    """
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    known = {"doc", "year", "units", "facts", "previous", "readings"}
    if not isinstance(raw, dict) or "doc" not in raw or set(raw) - known:
        extra = "、".join(sorted(set(raw) - known)) if isinstance(raw, dict) else ""
        raise EcoscoreError(f"参数文件 {path} 须为映射且含 doc;可用的键:{'、'.join(sorted(known))}"
                            + (f";未知的键:{extra}" if extra else ""))
    return raw


def _safe_name(name: str) -> str:
    """Return a scenario's name as a folder name (no path separators or characters Windows refuses)."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", str(name)).strip("._")[:60] or "未命名"
