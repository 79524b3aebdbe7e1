"""The nastiest hostile files through a real process running ``ecoscore validate``: what reaches
the terminal is Chinese, names the file, and carries no traceback, exception name or library
warning (openpyxl's UserWarnings would print in a real run, not under pytest's capture).
"""

from __future__ import annotations

import subprocess
import sys

from tests.hostile import build as B
from tests.hostile.expect import PYTHON_TEXT, snapshot

#: One file from each family that reaches the reader's error paths.
NASTY = {
    "bom-then-gbk": B.bom_then_gbk,
    "utf16-odd": B.utf16_odd_length,
    "huge-field": B.huge_field,
    "truncated-sheet-xml": B.truncated_sheet_xml,
    "directory": B.directory_as_file,
    "merged-and-formula": lambda t: B.workbook(t, lambda wb: (wb[B.UNITS_SHEET].merge_cells("C5:C6"),
                                                              B.set_unit(wb, "丙县", "一.1:value", "=1/0"))),
}
#: One child process runs ``validate`` on each file in turn (a process per file costs an import
#: of pandas each); markers split what each run printed.
CHILD = """
import sys
from ecoscore.cli import main
for doc, path in zip(sys.argv[1::2], sys.argv[2::2]):
    for stream in (sys.stdout, sys.stderr):
        print("@@@", path, file=stream, flush=True)
    code = main(["validate", doc, path])
    print(f"exit={code}", flush=True)
"""


def _split(text: str) -> dict[str, str]:
    parts = {}
    for chunk in text.split("@@@ ")[1:]:
        head, _, body = chunk.partition("\n")
        parts.setdefault(head, "")
        parts[head] += body
    return parts


def test_a_real_process_prints_no_python(tmp_path):
    built, before = {}, {}
    for name, build in NASTY.items():
        folder = tmp_path / name
        folder.mkdir()
        built[name] = build(folder)
        before[name] = snapshot(folder)
    args = [a for b in built.values() for a in (str(b.doc), str(b.current))]
    r = subprocess.run([sys.executable, "-W", "default", "-c", CHILD, *args], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr  # the loop ran to its end: nothing escaped main()
    outs, errs = _split(r.stdout), _split(r.stderr)
    for name, b in built.items():
        out, err = outs[str(b.current)], errs[str(b.current)]
        assert err == "", (name, err)  # no warning, no traceback: the problems go to stdout
        assert not PYTHON_TEXT.search(out), (name, out)
        assert "数据校验未通过" in out and b.current.name in out and "exit=1" in out, (name, out)
        assert snapshot(tmp_path / name) == before[name], name
