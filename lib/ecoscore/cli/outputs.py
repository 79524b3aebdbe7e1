"""Where the command line writes: never over an input, never over a file the user filled.

``template --out`` onto a filled workbook, ``score --facts F --out F`` (by any spelling of F:
``sub/../F``, a symlink, a hard link) or ``validate --out`` onto another office's workbook
would replace what someone typed. An existing file is written over only when ecoscore wrote it
as an output (a problem list or score export: its workbook keyword, its CSV header, its JSON
form), or with ``--force``; pipes and devices are refused rather than replaced by a file.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path

from ecoscore.atomic import OUTPUT_KEYWORD
from ecoscore.errors import EcoscoreError

_JSON = re.compile(rb'^\s*\{\s*"(format|document)"\s*:')


def check_output(out: str | Path | None, inputs=(), *, force: bool = False) -> None:
    """Refuse ``out`` when it is one of ``inputs``, not a regular file, or (unless ``force``)
    an existing file ecoscore did not write as an output.
    """
    if not out:
        return
    target = Path(out)
    for given in inputs:
        if given and _same(target, Path(given)):
            raise EcoscoreError(f"输出文件就是输入的数据文件:{out};请另取文件名,以免覆盖原数据")
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return  # nothing there (or a path that cannot be written: the write says why)
    if stat.S_ISDIR(mode):
        raise EcoscoreError(f"无法写入:{out} 是一个文件夹,请给出文件名(如 结果.xlsx)")
    if not stat.S_ISREG(mode):
        raise EcoscoreError(f"无法写入:{out} 不是普通文件(如管道或设备);请给出普通文件名,或不加 --out 直接输出到屏幕")
    if not force and not ours(target):
        raise EcoscoreError(f"文件已存在:{out},且不是 ecoscore 写出的结果文件(可能是已填好的数据);"
                            "如确需覆盖,请加 --force,或另取文件名")


def _same(a: Path, b: Path) -> bool:
    """Return whether ``a`` and ``b`` name one file (``..``, symlinks and hard links seen through)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def ours(path: Path) -> bool:
    """Return whether ``path`` is an output ecoscore wrote (so writing it again loses nothing)."""
    try:
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                return f"<cp:keywords>{OUTPUT_KEYWORD}</cp:keywords>".encode() in z.read("docProps/core.xml")
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    if suffix == ".json":
        return bool(_JSON.match(head))
    if suffix == ".csv":
        first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
        return bool(first) and first[0].strip() in _csv_headers()
    return False


def _csv_headers() -> set[str]:
    """Return the header lines of the CSV files ecoscore writes (problem lists, audit exports)."""
    from ecoscore.errors import PROBLEM_HEADERS
    from ecoscore.reports.export import AUDIT

    return {",".join([*PROBLEM_HEADERS.values(), "级别"]), ",".join(PROBLEM_HEADERS.values()),
            ",".join(name for _, name, _ in AUDIT)}
