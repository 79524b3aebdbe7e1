"""The thin CLI: documents, rules, and score's stable JSON contract."""

import json

from ecoscore.cli import main


def test_documents_lists_all_five(capsys):
    assert main(["documents"]) == 0
    out = capsys.readouterr().out
    for doc in ("xx-2020", "lishui-2024", "dongtou-2017", "shengzhou-2024", "zhoushan-2020"):
        assert doc in out


def test_rules_lists_the_registry(capsys):
    assert main(["rules"]) == 0
    assert "strive_ensure" in capsys.readouterr().out


def test_score_json_contract_on_sample_data(tmp_path):
    out = tmp_path / "scores.json"
    assert main(["score", "lishui-2024", "--format", "json", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["document"] == "lishui-2024"
    assert len(data["units"]) == 26
    unit = data["units"][0]
    assert {"unit", "total", "grade", "verdict", "rank", "lines"} <= set(unit)
    line = unit["lines"][0]
    assert {"id", "points", "max", "outcome", "reason", "clause"} <= set(line)
    # the total is what the lines say, before any policy: base groups capped, bonus capped at 5
    assert unit["grade"] in {"优秀", "良好", "合格", "不合格", "不定档"}


def test_score_reading_switch_and_table(capsys):
    assert main(["score", "xx-2020", "--reading", "A2=from_max"]) == 0
    out = capsys.readouterr().out
    assert "位次" in out and "第1/9名" in out and "江干区" in out


def test_unknown_reading_is_a_clear_error(capsys):
    assert main(["score", "xx-2020", "--reading", "A2=nonsense"]) == 2
    assert "歧义条款 A2 没有名为 'nonsense' 的解读;可选:" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly():
    """`ecoscore validate DOC BAD | head`: no BrokenPipeError traceback; exit 1 (cut short)."""
    import subprocess
    import sys

    from tests.conftest import FIXTURES

    bad = FIXTURES / "bad" / "unknown_unit.xlsx"
    cmd = f"{sys.executable} -c 'import sys; from ecoscore.cli import main; sys.exit(main())' " \
          f"validate xx-2020 {bad} | true; exit ${{PIPESTATUS[0]}}"  # the reader is gone before the first write
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr, r.stderr
    assert r.returncode == 1, r.stderr


def test_out_pointing_at_a_folder_is_refused_in_chinese(tmp_path, capsys):
    from ecoscore.cli.main import main

    assert main(["score", "xx-2020", "--format", "xlsx", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "是一个文件夹" in err and str(tmp_path) in err


def test_score_never_writes_over_its_facts(tmp_path, capsys):
    from ecoscore.cli.main import main
    from tests.conftest import FIXTURES

    facts = tmp_path / "facts.csv"
    facts.write_bytes((FIXTURES / "department_doc_facts.csv").read_bytes())
    before = facts.read_bytes()
    doc = str(FIXTURES / "department_doc.yaml")
    assert main(["score", doc, "--facts", str(facts), "--format", "csv", "--out", str(facts)]) == 2
    assert "就是输入的数据文件" in capsys.readouterr().err and facts.read_bytes() == before


def test_template_does_not_replace_a_filled_workbook_without_force(tmp_path, capsys):
    from ecoscore.cli.main import main

    filled = tmp_path / "填报表.xlsx"
    filled.write_bytes(b"filled in by 40 departments")
    assert main(["template", "xx-2020", "--out", str(filled)]) == 2
    assert "文件已存在" in capsys.readouterr().err and filled.read_bytes() == b"filled in by 40 departments"
    assert main(["template", "xx-2020", "--out", str(filled), "--force"]) == 0
    assert filled.read_bytes()[:2] == b"PK"
