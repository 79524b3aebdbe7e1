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
