"""Spec loading and the integrity checks: a broken spec fails loudly, naming file and line."""

import copy
from pathlib import Path

import pytest
import yaml

from ecoscore import SpecError, load_spec
from ecoscore.spec import build_spec
from tests.conftest import FIXTURES

MINI = FIXTURES / "specs" / "mini.yaml"
RAW = yaml.safe_load(MINI.read_text(encoding="utf-8"))


def broken(tmp_path, change) -> Path:
    raw = copy.deepcopy(RAW)
    change(raw)
    p = tmp_path / "broken_spec.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return p


def problems(tmp_path, change) -> str:
    p = broken(tmp_path, change)
    with pytest.raises(SpecError) as e:
        load_spec(p)
    assert str(p.resolve()) in str(e.value)
    return str(e.value)


def test_mini_spec_loads():
    s = load_spec(MINI)
    assert s.unit_names == ["甲区", "乙区", "丙区"]
    assert s.line("一.2").rule.label() == "问题每起扣4分"


def test_duplicate_line_id(tmp_path):
    msg = problems(tmp_path, lambda r: r["lines"].append(copy.deepcopy(r["lines"][0])))
    assert "line id '一.1(1)' appears 2 times" in msg


def test_unknown_responsible_unit(tmp_path):
    msg = problems(tmp_path, lambda r: r["lines"][0].update(lead="不存在办"))
    assert "line 一.1(1): responsible unit '不存在办' is not a known unit or department" in msg


def test_points_that_do_not_add_up(tmp_path):
    msg = problems(tmp_path, lambda r: r["lines"][1].update(max=5))
    assert "group 一.1 (第一项): parts add up to 11, not 10" in msg


def test_document_total(tmp_path):
    msg = problems(tmp_path, lambda r: r.update(total=100))
    assert "top-level base groups add up to 30, not the document total 100" in msg


def test_unknown_rule_type_lists_known(tmp_path):
    msg = problems(tmp_path, lambda r: r["lines"][0].update(rule={"type": "magic"}))
    assert "line 一.1(1): rule:" in msg and "unknown rule type 'magic'" in msg and "threshold" in msg


def test_bad_rule_parameter(tmp_path):
    msg = problems(tmp_path, lambda r: r["lines"][0].update(rule={"type": "yes_no", "bogus": 1}))
    assert "line 一.1(1): rule: rule yes_no:" in msg


def test_every_problem_at_once(tmp_path):
    def change(r):
        r["lines"][0]["clause"] = ""
        r["lines"][1]["group"] = "无此组"
        r["ambiguities"][0]["default"] = "nope"

    msg = problems(tmp_path, change)
    assert "line 一.1(1): no clause" in msg
    assert "line 一.1(2): unknown group '无此组'" in msg
    assert "ambiguity Q1: default 'nope' is not one of its readings" in msg


def test_reading_overrides_unknown_line(tmp_path):
    msg = problems(tmp_path, lambda r: r["ambiguities"][0]["readings"]["two"].update(overrides={"九.9": {"max": 1}}))
    assert "overrides unknown '九.9'" in msg


def test_unknown_reading_name():
    s = load_spec(MINI)
    with pytest.raises(SpecError, match="歧义条款 Q1 没有名为 'three' 的解读;可选:four、two"):
        s.with_readings(["Q1=three"])
    with pytest.raises(SpecError, match="没有编号为 'Q9' 的歧义条款"):
        s.with_readings({"Q9": "x"})


def test_unknown_document():
    with pytest.raises(SpecError, match="unknown document"):
        load_spec("no-such-doc")


def test_build_spec_missing_keys():
    with pytest.raises(SpecError, match="missing top-level key 'lines'"):
        build_spec({"id": "x", "title": "t", "family": "points", "units": []}, "inline")


def _line(raw, line_id):
    return next(ln for ln in raw["lines"] if ln["id"] == line_id)


def test_gate_linked_tasks_must_be_task_lines(tmp_path):
    def change(r):
        _line(r, "门.1")["linked_tasks"] = ["无此行", "一.2"]
        _line(r, "一.2")["linked_tasks"] = ["二.1"]

    msg = problems(tmp_path, change)
    assert "line 门.1: linked_tasks names unknown line '无此行'" in msg
    assert "line 门.1: linked_tasks names '一.2', a base line, not a task" in msg
    assert "line 一.2: linked_tasks on a base line (only gate lines link tasks)" in msg


def test_gate_linked_tasks_load(tmp_path):
    def change(r):
        _line(r, "二.1")["kind"] = "task"  # a task line counts no points: group 二 needs no sum
        next(g for g in r["groups"] if g["id"] == "二")["sum_check"] = False
        _line(r, "门.1")["linked_tasks"] = ["二.1"]

    raw = copy.deepcopy(RAW)
    change(raw)
    spec = build_spec(raw, "mini-linked")
    assert spec.line("门.1").linked_tasks == ("二.1",)
    assert spec.line("二.1").linked_tasks == ()


def test_same_facts_must_name_a_fact_of_the_same_kind(tmp_path):
    def share(target):
        def change(raw):
            line = next(ln for ln in raw["lines"] if ln["id"] == "一.1(2)")
            line["same_facts"] = {"done": target}
        return change

    assert "no such fact" in problems(tmp_path, share("一.1(9):done"))
    assert "is a count fact, not bool" in problems(tmp_path, share("一.2:n"))
    ok = broken(tmp_path, share("一.1(1):done"))
    spec = load_spec(ok)
    assert spec.line("一.1(2)").fact_keys()[0][0] == "一.1(1):done"
    assert [r["key"] for r in spec.fact_table()].count("一.1(1):done") == 1
