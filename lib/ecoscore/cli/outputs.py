"""Where the command line writes: never over an input, never over a file the user filled.

``template --out`` onto a filled workbook or ``score --facts F --out F`` would replace what
the user typed; both are refused with the file named (``--force`` lets ``template`` replace
an existing file on purpose).
"""

from __future__ import annotations

from pathlib import Path

from ecoscore.errors import EcoscoreError


def check_output(out: str | Path | None, inputs=(), *, force: bool = True) -> None:
    """Refuse ``out`` when it is one of ``inputs``, or (``force`` False) when it exists."""
    if not out:
        return
    target = Path(out)
    for given in inputs:
        if given and target.exists() and Path(given).exists() and target.resolve() == Path(given).resolve():
            raise EcoscoreError(f"输出文件就是输入的数据文件:{out};请另取文件名,以免覆盖原数据")
    if not force and target.is_file():
        raise EcoscoreError(f"文件已存在:{out}(可能已填好数据);如确需覆盖,请加 --force,或另取文件名")
