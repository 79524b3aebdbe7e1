"""What a hostile case expects, and the checks every case gets.

A case is refused (``REFUSED``: problems that must be in the table, each pinned by its
location columns and a stable Chinese phrase), read (``READ``: the exact values the engine
must get, as changes from the good file the case was made from), or read with a warning
(``WARNED``). Whatever the expectation, the command line must show no Python traceback or
exception name, and must write nothing but the output it was asked for.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from ecoscore import load_spec
from ecoscore.errors import Problem
from ecoscore.facts import read_bundle
from tests.hostile import build as B

REFUSED, READ, WARNED = "refused", "read", "warned"
#: Text a user must never see: a traceback, an exception class, an errno.
PYTHON_TEXT = re.compile(r"Traceback|File \"|\b[A-Z]\w*(Error|Exception|Warning)\b|BadZipFile|\[Errno|No such file")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Expect:
    """What the engine must do with a case.

    ``pins``: problems (REFUSED) or warnings (WARNED) that must be present; each is a dict of
    Problem column → wanted text (``row`` compared exactly, ``file`` by file name, defaulting
    to the case's current file, ``text`` searched in expected and found together, the
    others as substrings). ``absent``: pins no problem may match (a misleading message).
    ``values``/``previous``: {(unit, fact key): value} changed from the baseline's reading.
    ``dropped``: fact columns that are gone from this year's table. ``events``: {index:
    {field: value}} changed in the baseline's events. ``remarks``: {unit: text as typed}.
    """

    kind: str
    pins: tuple[dict, ...] = ()
    absent: tuple[dict, ...] = ()
    baseline: str = "xlsx"
    values: dict = field(default_factory=dict)
    previous: dict = field(default_factory=dict)
    dropped: tuple[str, ...] = ()
    events: dict = field(default_factory=dict)
    remarks: dict = field(default_factory=dict)


def refused(*pins: dict, absent: tuple[dict, ...] = ()) -> Expect:
    return Expect(REFUSED, pins, absent)


def read(baseline: str = "xlsx", **kw) -> Expect:
    return Expect(READ, baseline=baseline, **kw)


def warned(*pins: dict, baseline: str = "xlsx", **kw) -> Expect:
    return Expect(WARNED, pins, baseline=baseline, **kw)


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], B.Built]
    expect: Expect
    xfail: str = ""
    root_skips: bool = False  # root reads any file: an unreadable file cannot be made


# -- the good readings the READ cases are compared with --------------------------------------------
@cache
def baseline(name: str):
    """Return the bundle read from the good file a case was made from."""
    import tempfile

    if name == "xlsx":
        return read_bundle(load_spec(B.FACTS_DOC), B.GOOD_XLSX)
    if name == "csv":
        return read_bundle(load_spec(B.FACTS_DOC), B.GOOD_CSV)
    if name == "split":
        return read_bundle(load_spec(B.FACTS_DOC), B.CURRENT_ONLY, B.PREVIOUS_2019)
    if name == "num":
        with tempfile.TemporaryDirectory() as tmp:
            b = B.numbers_csv(Path(tmp), {})
            return read_bundle(load_spec(b.doc), b.current)
    raise KeyError(name)


def expected_frame(base: pd.DataFrame | None, changes: dict, dropped=()) -> pd.DataFrame | None:
    if base is None:
        return None
    want = base.drop(columns=list(dropped)).copy()
    for (unit, key), v in changes.items():
        want[key] = want[key].astype(object) if isinstance(v, str) else want[key]
        want.loc[unit, key] = v
    return want


def assert_same(got: pd.DataFrame | None, want: pd.DataFrame | None, what: str) -> None:
    assert (got is None) == (want is None), what
    if got is None:
        return
    pd.testing.assert_frame_equal(got.sort_index(axis=1), want.sort_index(axis=1), check_dtype=False,
                                  obj=what)


def event_records(bundle) -> list[dict]:
    cols = ["unit", "line_id", "item", "amount", "evidence", "date"]
    return bundle.events[cols].to_dict("records")


# -- matching problems -----------------------------------------------------------------------------
def matches(p: Problem, pin: dict, default_file: str) -> bool:
    for k, want in {"file": default_file, **pin}.items():
        if k == "file":
            ok = Path(p.file).name == want
        elif k == "row":
            ok = p.row == want
        elif k == "text":
            ok = want in f"{p.expected}|{p.found}"
        else:
            ok = want in str(getattr(p, k))
        if not ok:
            return False
    return True


def show(problems: list[Problem]) -> str:
    return "\n".join(f"  {(Path(p.file).name, p.sheet, p.row, p.column, p.unit, p.expected, p.found[:120])}"
                     for p in problems)


def check_pins(problems: list[Problem], e: Expect, built: B.Built) -> None:
    name = built.current.name
    for pin in e.pins:
        assert any(matches(p, pin, name) for p in problems), f"no problem matches {pin}; got:\n{show(problems)}"
    for pin in e.absent:
        bad = [p for p in problems if matches(p, pin, name)]
        assert not bad, f"misleading problem(s) matching {pin}:\n{show(bad)}"


def check_refusal_words(problems: list[Problem], built: B.Built) -> None:
    """Every problem names its file (one of the inputs) and says in Chinese what was expected."""
    names = {p.name for p in built.inputs()}
    for p in problems:
        assert Path(p.file).name in names, f"problem names no input file:\n{show([p])}"
        assert _CJK.search(p.expected), f"expected is not in Chinese:\n{show([p])}"
        assert not PYTHON_TEXT.search(f"{p.expected} {p.found}"), f"Python text in a problem:\n{show([p])}"


# -- writing nothing -----------------------------------------------------------------------------
def snapshot(folder: Path) -> dict[str, tuple]:
    """Return every entry under ``folder``: kind, size, mtime and bytes of files (when readable);
    a folder by its kind and permissions only (its mtime moves when the requested output lands).
    """
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        if stat.S_ISDIR(st.st_mode):
            out[str(p.relative_to(folder))] = (stat.S_IFDIR, st.st_mode)
            continue
        data = None
        if stat.S_ISREG(st.st_mode):
            try:
                data = p.read_bytes()
            except PermissionError:
                data = None
        out[str(p.relative_to(folder))] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, data)
    return out
