"""Atomic file writes: a file is either written whole or left as it was.

Every output goes to a temporary file in the target directory and is then moved into
place with ``os.replace``, so a failure never leaves a half-written workbook behind.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

#: the keyword marking a workbook ecoscore wrote as an output (problem list, score export): such
#: a file may be written over again; any other existing file is refused (``cli.outputs``)
OUTPUT_KEYWORD = "ecoscore-output"
#: The fixed timestamp written into workbooks that must be byte-for-byte reproducible.
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once, at import (single-threaded), to give files the usual permissions
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path."""
    path = Path(path)
    if path.is_dir():  # say so by the name the user gave, not the temporary file's
        raise IsADirectoryError(21, "Is a directory", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:  # named by the file asked for, not the temporary one
        raise _named(e, path) from None
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a report is shared like any other file
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.filename in (tmp, None):
            raise _named(e, path) from None
        raise
    return path


def _named(e: OSError, path: Path) -> OSError:
    """Return ``e`` as the same kind of error naming ``path``."""
    return type(e)(e.errno, e.strerror, str(path)) if e.errno else e


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically in ``encoding``; return the path."""
    return write_bytes(path, text.encode(encoding))


def workbook_bytes(wb, *, reproducible: bool = False) -> bytes:
    """Return an openpyxl workbook as XLSX bytes; ``reproducible`` fixes every timestamp so
    the same content always gives the same bytes.
    """
    from ecoscore.cells import neutral_workbook

    neutral_workbook(wb)  # user text is never written as a live formula
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if not reproducible:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _STAMP.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, body)
    return out.getvalue()


def save_workbook(wb, path: str | Path, *, reproducible: bool = False) -> Path:
    """Save an openpyxl workbook to ``path`` atomically."""
    return write_bytes(path, workbook_bytes(wb, reproducible=reproducible))
