"""Error hierarchy: one base error, one per thing that can be wrong.

Errors are values with fields (as in papermill and pandera): a broken spec names the
file and the line; bad facts carry a table with one row per problem, all at once.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "unit", "expected", "found"]
#: The Chinese header of each problem-table column.
PROBLEM_HEADERS = dict(zip(PROBLEM_COLUMNS, ["文件", "工作表", "行", "列", "单位", "应为", "实际为"]))


class EcoscoreError(Exception):
    """Base of every error raised by ecoscore."""


class SpecError(EcoscoreError):
    """A document spec is malformed or fails its integrity checks."""

    def __init__(self, path: str, problems: list[str]):
        self.path = str(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"spec {self.path} has {len(self.problems)} problem(s):\n{lines}")


@dataclass
class Problem:
    """One problem found in a facts file (a row of the problem table)."""

    file: str
    sheet: str = ""
    row: int | str = ""
    column: str = ""
    unit: str = ""
    expected: str = ""
    found: str = ""


class FactsError(EcoscoreError):
    """Facts supplied by the user are invalid; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.summary())

    @property
    def table(self) -> pd.DataFrame:
        """Return the problems as a table with fixed columns."""
        return pd.DataFrame(
            [[getattr(p, c) for c in PROBLEM_COLUMNS] for p in self.problems],
            columns=PROBLEM_COLUMNS,
        )

    def summary(self) -> str:
        """Return a Chinese, human-readable listing of every problem."""
        head = f"数据校验未通过,共 {len(self.problems)} 处问题:"
        rows = []
        for p in self.problems:
            where = "、".join(
                x
                for x in (
                    f"文件 {p.file}" if p.file else "",
                    f"工作表 {p.sheet}" if p.sheet else "",
                    f"第 {p.row} 行" if p.row != "" else "",
                    f"列「{p.column}」" if p.column else "",
                    f"单位「{p.unit}」" if p.unit else "",
                )
                if x
            )
            rows.append(f"  - {where}:应为 {p.expected};实际为 {p.found}")
        return "\n".join([head, *rows])


@dataclass
class RenderFailure:
    """One unit whose report failed to render.

    ``message`` is the Chinese account shown in the index and on the command line (the
    exception's name and value kept, no traceback: that stays in the kept ``notebook``);
    ``kind`` says what went wrong: ``"cell"`` (a cell raised), ``"timeout"``, ``"kernel"``
    (the kernel died or would not start) or ``"other"``.
    """

    unit: str
    message: str
    notebook: str = ""
    kind: str = "other"


class RenderError(EcoscoreError):
    """One or more reports failed to render; the others were written."""

    def __init__(self, failures: list[RenderFailure]):
        self.failures = list(failures)
        names = "、".join(f.unit for f in self.failures)
        super().__init__(f"{len(self.failures)} 个单位的报告生成失败:{names}")


#: What an operating-system error number means for a folder being written, in Chinese.
_WRITE_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    getattr(errno, "EDQUOT", -1): "超出磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘为只读",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EISDIR: "目标是一个文件夹",
    errno.ENOENT: "文件夹不存在或已被删除",
    errno.ENAMETOOLONG: "路径或文件名过长",
    errno.EIO: "磁盘读写出错",
    errno.ELOOP: "符号链接循环",
    errno.EMFILE: "同时打开的文件过多",
    errno.ENXIO: "目标不是普通文件(如无人读取的管道)",
}


def os_reason(e: OSError) -> str:
    """Return why the operating system refused, in Chinese (never its English text)."""
    return _WRITE_REASONS.get(e.errno) or f"操作系统错误(错误码 {e.errno or type(e).__name__})"


class RenderWriteError(RenderError):
    """The set of reports could not be written (disk full, no permission, read-only disk).

    Nothing was published: the set a previous render published in ``folder`` is untouched and
    the unfinished files are removed. ``path`` is the file or folder that could not be written.
    """

    def __init__(self, folder: str | Path, path: str | Path, reason: str, errno_: int | None = None,
                 *, previous: bool = True):
        self.failures = []
        self.folder, self.path, self.reason, self.errno = str(folder), str(path), reason, errno_
        kept = f"{self.folder} 中原有的报告保持不变" if previous else "未写出任何报告"
        EcoscoreError.__init__(self, f"无法写出报告:{reason}(写入 {self.path} 时)。{kept},未完成的文件已清除。")

    @classmethod
    def from_os_error(cls, e: OSError, folder: str | Path, path: str | Path | None = None, *,
                      previous: bool = True) -> RenderWriteError:
        """Return the error for ``e``, naming ``path`` (default: the file the OS named, else ``folder``)."""
        reason = os_reason(e)
        return cls(folder, path or e.filename or folder, reason, e.errno, previous=previous)
