"""Where the command line writes (issue 10, "nothing lost"): never over an input by any spelling
of its name, never over a file ecoscore did not write unless --force, never a pipe or device
replaced by a file; and every refusal or OS failure said in Chinese, naming the file asked for."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile

import pytest

from ecoscore import atomic
from ecoscore.cli import main
from ecoscore.errors import RenderWriteError
from ecoscore.facts import sample_path
from tests.conftest import FIXTURES

DOC = str(FIXTURES / "department_doc.yaml")


def _digest(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def facts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "填报表.csv"
    f.write_bytes((FIXTURES / "department_doc_facts.csv").read_bytes())
    return f


@pytest.mark.parametrize("spelling", ["sub/../填报表.csv", "./sub/../sub/../填报表.csv", "link.csv", "hard.csv"])
def test_the_input_under_another_name_is_never_written_over(facts, spelling, capsys):
    os.symlink(facts.name, "link.csv")
    os.link(facts.name, "hard.csv")
    before = _digest(facts)
    assert main(["score", DOC, "--facts", facts.name, "--format", "csv", "--out", spelling]) == 2
    assert "输出文件就是输入的数据文件" in capsys.readouterr().err
    assert _digest(facts) == before and not os.path.exists("sub")


def test_an_existing_workbook_ecoscore_did_not_write_is_kept_unless_forced(tmp_path, monkeypatch, capsys):
    """Another office's filled workbook given as --out by mistake: refused, then replaced with --force;
    the problem list ecoscore wrote may be written again (re-running validate is normal)."""
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "萧山区填报.xlsx"
    shutil.copy(sample_path("xx-2020", 2020), other)
    bad = tmp_path / "坏.csv"
    bad.write_text("单位,年度\n江干区,二〇一九\n", encoding="utf-8")
    before = _digest(other)
    assert main(["validate", "xx-2020", str(bad), "--out", str(other)]) == 2
    err = capsys.readouterr().err
    assert "文件已存在" in err and "不是 ecoscore 写出的结果文件" in err and "--force" in err
    assert _digest(other) == before
    assert main(["score", "xx-2020", "--format", "xlsx", "--out", str(other)]) == 2
    assert _digest(other) == before
    assert main(["validate", "xx-2020", str(bad), "--out", "问题清单.xlsx"]) == 1
    assert main(["validate", "xx-2020", str(bad), "--out", "问题清单.xlsx"]) == 1  # its own output: again
    assert main(["validate", "xx-2020", str(bad), "--out", str(other), "--force"]) == 1
    assert _digest(other) != before


@pytest.mark.parametrize("fmt,name", [("csv", "审计.csv"), ("json", "结果.json"), ("xlsx", "导出.xlsx"),
                                      ("result", "scored.json")])
def test_each_output_ecoscore_wrote_may_be_written_again(fmt, name, facts):
    for _ in range(2):
        assert main(["score", DOC, "--facts", facts.name, "--format", fmt, "--out", name]) == 0


def test_a_pipe_is_refused_not_replaced(facts, capsys):
    os.mkfifo("管道.csv")
    assert main(["score", DOC, "--facts", facts.name, "--format", "csv", "--out", "管道.csv"]) == 2  # returns: never opened
    assert "不是普通文件" in capsys.readouterr().err
    assert os.path.exists("管道.csv") and not os.path.isfile("管道.csv")


def test_a_write_that_fails_names_the_file_asked_for_not_the_temporary_one(tmp_path, monkeypatch):
    def refused(*a, dir=None, **k):
        raise PermissionError(errno.EACCES, "Permission denied", os.path.join(dir, ".结果.xlsx.x1y2.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    target = tmp_path / "只读" / "结果.xlsx"
    with pytest.raises(PermissionError) as e:
        atomic.write_bytes(target, b"x")
    assert e.value.filename == str(target)


def test_an_os_failure_is_said_in_chinese(tmp_path):
    e = RenderWriteError.from_os_error(NotADirectoryError(errno.ENOTDIR, "Not a directory", "填报表.xlsx/xx-2020"),
                                       tmp_path)
    assert "路径中有一段是文件而不是文件夹" in str(e) and "Not a directory" not in str(e)


def test_render_with_no_unit_named_is_refused(tmp_path, capsys):
    assert main(["render", "xx-2020", "--units", ",", "--out-dir", str(tmp_path), "--quiet"]) == 2
    assert "没有给出单位名" in capsys.readouterr().err and not any(tmp_path.iterdir())
