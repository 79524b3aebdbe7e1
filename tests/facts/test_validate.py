"""Validation: the bad-input matrix (one malformed file per problem, each with its exact error
rows, and nothing written), and the parsing and matching the checks rely on.

The fixtures are made by ``tests/fixtures/make_fixtures.py`` from ``fixtures/facts/facts_doc.yaml``;
files named ``previous_*`` are given as last year's file beside a good current file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ecoscore import load_spec
from ecoscore.cli import main
from ecoscore.errors import PROBLEM_COLUMNS, FactsError
from ecoscore.facts import read_bundle
from ecoscore.facts.validate import parse_bool, parse_date, parse_number, parse_year, suggest
from tests.conftest import FIXTURES

FIX = FIXTURES
SPEC_PATH = FIX / "facts" / "facts_doc.yaml"
BAD = FIX / "bad"
CURRENT = FIX / "facts" / "current_only.xlsx"

# fixture → the exact problem rows (file name, sheet, row, column, unit, expected, found)
EXPECTED = {
    "blank_template.xlsx": [
        ('blank_template.xlsx', '', '', '', '', '2020年度的数据', '文件中没有填写任何数据(空白模板)'),
    ],
    "blank_unit_with_values.xlsx": [
        ('blank_unit_with_values.xlsx', '单位数据', 6, 'B列 单位', '', '单位名称(有数据的行须填写单位)', '(空)'),
        ('blank_unit_with_values.xlsx', '单位数据', '', '单位', '乙区', '该单位的一行数据', '缺少该单位'),
    ],
    "bool_not_yes_no.xlsx": [
        ('bool_not_yes_no.xlsx', '单位数据', 7, 'F列 一.4 是否建立河长制', '丙县', '是 或 否', '基本建立'),
    ],
    "conflicting_values.xlsx": [
        ('conflicting_values.xlsx', '任务完成情况', 4, 'G列 完成比例(%)', '甲区', '同一单位同一指标只在一处填写', '100(已在单位数据第5行填写)'),
    ],
    "count_not_integer.xlsx": [
        ('count_not_integer.xlsx', '单位数据', 6, 'E列 一.3 不达标月数(个月)', '乙区', '整数', '1.5'),
    ],
    "duplicate_column.xlsx": [
        ('duplicate_column.xlsx', '单位数据', 4, 'J列 一.2 考核等次', '', '每个指标只占一列', '与D列 一.2 考核等次重复'),
    ],
    "duplicated_unit.xlsx": [
        ('duplicated_unit.xlsx', '单位数据', 6, 'B列 单位', '甲区', '每个单位每年度只填一行', '与第5行重复'),
        ('duplicated_unit.xlsx', '单位数据', '', '单位', '乙区', '该单位的一行数据', '缺少该单位'),
    ],
    "empty.csv": [
        ('empty.csv', '', '', '', '', '含“单位”列的表头行(及字段代码行)', '文件为空'),
    ],
    "event_bad_date.xlsx": [
        ('event_bad_date.xlsx', '加扣分事项', 5, 'F列 发生日期', '乙区', '日期,如 2024-06-30', '2020-13-45'),
    ],
    "event_count_not_integer.xlsx": [
        ('event_count_not_integer.xlsx', '加扣分事项', 5, 'D列 次数/分值', '乙区', '整数(次数)', '1.5'),
    ],
    "event_negative_amount.xlsx": [
        ('event_negative_amount.xlsx', '加扣分事项', 6, 'D列 次数/分值', '乙区', '非负数(扣分也填正数)', '-2'),
    ],
    "event_points_missing.xlsx": [
        ('event_points_missing.xlsx', '加扣分事项', 6, 'D列 次数/分值', '乙区', '分值(按实际加扣分的事项须填写)', '(空)'),
    ],
    "event_unknown_item.xlsx": [
        ('event_unknown_item.xlsx', '加扣分事项', 6, 'C列 事项', '乙区', '扣.1 的事项之一:发生较大环境事件、被上级通报扣分', '其他通报'),
    ],
    "event_unknown_line.xlsx": [
        ('event_unknown_line.xlsx', '加扣分事项', 4, 'B列 条款编号', '甲区', '加扣分事项所属条款编号之一:加.1、扣.1', '加.9'),
    ],
    "gbk_unknown_unit.csv": [
        ('gbk_unknown_unit.csv', '', 5, 'B列 单位', '丽水市乙区', '考核文件所列单位名称,最接近的是「乙区」(须与名单完全一致)', '丽水市乙区'),
        ('gbk_unknown_unit.csv', '', '', '单位', '乙区', '该单位的一行数据', '缺少该单位'),
    ],
    "grade_outside_scale.xlsx": [
        ('grade_outside_scale.xlsx', '单位数据', 5, 'D列 一.2 考核等次', '甲区', '以下之一:优秀、良好、合格、不合格', '特优'),
    ],
    "legacy_format.xls": [
        ('legacy_format.xls', '', '', '', '', 'xlsx 或 csv 文件(请在 Excel/WPS 中“另存为 .xlsx”)', '.xls 格式'),
    ],
    "long_duplicate_fact.csv": [
        ('long_duplicate_fact.csv', '', 42, 'B列 单位', '甲区', '每个单位每项指标只填一行', '与第4行重复'),
    ],
    "long_unknown_fact.csv": [
        ('long_unknown_fact.csv', '', 3, '一.2 考核等次', '', '该指标的数据列(字段代码 一.2:grade)', '缺少该列'),
        ('long_unknown_fact.csv', '', 5, 'C列 指标代码', '甲区', '考核文件规定的指标代码,最接近的是「一.2:grade」', '一.2:grades'),
        ('long_unknown_fact.csv', '', 18, 'C列 指标代码', '乙区', '考核文件规定的指标代码,最接近的是「一.2:grade」', '一.2:grades'),
        ('long_unknown_fact.csv', '', 31, 'C列 指标代码', '丙县', '考核文件规定的指标代码,最接近的是「一.2:grade」', '一.2:grades'),
    ],
    "missing_required_column.xlsx": [
        ('missing_required_column.xlsx', '单位数据', 4, '一.4 是否建立河长制', '', '该指标的数据列(字段代码 一.4:done)', '缺少该列'),
    ],
    "missing_unit_row.xlsx": [
        ('missing_unit_row.xlsx', '单位数据', '', '单位', '丙县', '该单位的一行数据', '缺少该单位'),
        # last year's rows are in the same sheet: the unit lacks that row too (its trend lines need it)
        ('missing_unit_row.xlsx', '单位数据', '', '单位', '丙县',
         '该单位2019年度(上年)的一行数据(没有上年数据的,保留该行、各格留空)', '缺少该单位'),
    ],
    "negative_count.xlsx": [
        ('negative_count.xlsx', '单位数据', 6, 'E列 一.3 不达标月数(个月)', '乙区', '非负整数(不能为负数)', '-1'),
    ],
    "negative_days.xlsx": [
        ('negative_days.xlsx', '单位数据', 5, 'G列 三.1 推迟完成天数(按时完成填0)(天)', '甲区', '非负天数(不能为负数)', '-3'),
    ],
    "no_header.csv": [
        ('no_header.csv', '', '', '', '', '含“单位”列的表头行(及字段代码行)', '未找到表头行'),
    ],
    "non_numeric_value.xlsx": [
        ('non_numeric_value.xlsx', '单位数据', 6, 'C列 一.1 优良天数比例(%)', '乙区', '数字(不含文字和单位)', '约90'),
    ],
    "not_a_workbook.xlsx": [
        ('not_a_workbook.xlsx', '', '', '', '', '可以打开的 xlsx 工作簿',
         '文件不是完整的 xlsx 工作簿(可能已损坏、被截断或并非 xlsx),请在 Excel/WPS 中重新打开并另存为 .xlsx'),
    ],
    "percent_as_fraction.xlsx": [
        ('percent_as_fraction.xlsx', '单位数据', 5, 'C列 一.1 优良天数比例(%)', '甲区', '百分数按0-100填写(如92.5表示92.5%),不应填为小数比例', '0.925'),
        ('percent_as_fraction.xlsx', '单位数据', 6, 'C列 一.1 优良天数比例(%)', '乙区', '百分数按0-100填写(如92.5表示92.5%),不应填为小数比例', '0.88'),
        ('percent_as_fraction.xlsx', '单位数据', 7, 'C列 一.1 优良天数比例(%)', '丙县', '百分数按0-100填写(如92.5表示92.5%),不应填为小数比例', '0.95'),
    ],
    "percent_negative.csv": [
        ('percent_negative.csv', '', 4, 'C列 一.1 优良天数比例(%)', '甲区', '0至100之间的百分数', '-5'),
    ],
    "percent_over_100.xlsx": [
        ('percent_over_100.xlsx', '单位数据', 5, 'C列 一.1 优良天数比例(%)', '甲区', '0至100之间的百分数', '120'),
    ],
    "previous_other_document.xlsx": [
        ('previous_other_document.xlsx', '', '', '', '', '上年数据文件应属于考核文件 facts-doc', '文件标注为考核文件 xx-2020 的数据'),
    ],
    "previous_wrong_year.xlsx": [
        ('previous_wrong_year.xlsx', '', '', '', '', '上年数据文件应为2019年度', '文件标注为2020年度'),
    ],
    "task_completion_over_100.xlsx": [
        ('task_completion_over_100.xlsx', '任务完成情况', 5, 'G列 完成比例(%)', '乙区', '0至100之间的百分数', '130'),
    ],
    "task_duplicate_row.xlsx": [
        ('task_duplicate_row.xlsx', '任务完成情况', 6, 'A列 单位', '甲区', '每个单位每项只填一行', '与第4行重复'),
        ('task_duplicate_row.xlsx', '任务完成情况', '', '条款编号', '丙县', '任务 二.2 的一行', '缺少该任务行'),
    ],
    "task_not_responsible_unit.xlsx": [
        ('task_not_responsible_unit.xlsx', '任务完成情况', 6, 'B列 条款编号', '甲区', '该任务的责任单位(丙县)', '二.2 不适用于甲区'),
        ('task_not_responsible_unit.xlsx', '任务完成情况', '', '条款编号', '丙县', '任务 二.2 的一行', '缺少该任务行'),
    ],
    "task_unknown_line.xlsx": [
        ('task_unknown_line.xlsx', '任务完成情况', 5, 'B列 条款编号', '乙区', '任务书所列条款编号,最接近的是「二.2」', '二.9'),
        ('task_unknown_line.xlsx', '任务完成情况', '', '条款编号', '乙区', '任务 二.1 的一行', '缺少该任务行'),
    ],
    "undecodable.csv": [
        ('undecodable.csv', '', '', '', '', 'UTF-8、带BOM的UTF-8、GBK/GB18030 或 UTF-16 编码的文本', '无法识别的编码(文件可能已损坏或不是文本文件)'),
    ],
    "unknown_fact.xlsx": [
        ('unknown_fact.xlsx', '单位数据', 4, 'D列 一.2:grad', '', '考核文件规定的指标代码,最接近的是「一.2:grade」', '一.2:grad'),
        ('unknown_fact.xlsx', '单位数据', 4, '一.2 考核等次', '', '该指标的数据列(字段代码 一.2:grade)', '缺少该列'),
    ],
    "units_of_another_document.csv": [
        ('units_of_another_document.csv', '', 2, 'B列 单位', '', '考核文件 facts-doc 所列单位(该表可能属于另一考核文件)',
         '3个单位均不在名单中,如 越城区、柯桥区、上虞区'),
    ],
    "unknown_unit.xlsx": [
        ('unknown_unit.xlsx', '单位数据', 5, 'B列 单位', 'XX市甲区', '考核文件所列单位名称,最接近的是「甲区」(须与名单完全一致)', 'XX市甲区'),
        ('unknown_unit.xlsx', '单位数据', '', '单位', '甲区', '该单位的一行数据', '缺少该单位'),
    ],
    "value_for_inapplicable_unit.xlsx": [
        ('value_for_inapplicable_unit.xlsx', '单位数据', 7, 'G列 三.1 推迟完成天数(按时完成填0)(天)', '丙县', '留空(该指标不适用于此单位)', '5'),
    ],
    "wrong_document.xlsx": [
        ('wrong_document.xlsx', '', '', '', '', '数据文件应属于考核文件 facts-doc', '文件标注为考核文件 lishui-2024 的数据'),
    ],
    "year_not_this_or_last.xlsx": [
        ('year_not_this_or_last.xlsx', '单位数据', 6, 'A列 年度', '乙区', '年度 2020或2019(或留空表示2020年度)', '2015'),
        ('year_not_this_or_last.xlsx', '单位数据', '', '单位', '乙区', '该单位的一行数据', '缺少该单位'),
    ],
}


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC_PATH)


def _files(name: str) -> tuple[Path, Path | None]:
    if name.startswith("previous_"):
        return CURRENT, BAD / name
    return BAD / name, None


def test_the_matrix_covers_every_bad_fixture_and_is_large_enough():
    on_disk = sorted(p.name for p in BAD.iterdir())
    assert on_disk == sorted(EXPECTED)
    assert len(EXPECTED) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_names_every_problem(spec, name):
    current, previous = _files(name)
    with pytest.raises(FactsError) as info:
        read_bundle(spec, current, previous)
    table = info.value.table
    assert list(table.columns) == PROBLEM_COLUMNS
    table["file"] = table["file"].map(lambda f: Path(f).name)
    assert [tuple(r) for r in table.itertuples(index=False)] == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_writes_nothing_and_exits_non_zero(spec, name, tmp_path, capsys):
    current, previous = _files(name)
    extra = ["--previous", str(previous)] if previous else []
    out = tmp_path / "out"
    out.mkdir()
    assert main(["validate", str(SPEC_PATH), str(current), *extra]) == 1
    for fmt in ("xlsx", "csv", "json"):
        code = main(["score", str(SPEC_PATH), "--facts", str(current), *extra, "--format", fmt,
                     "--out", str(out / f"scores.{fmt}")])
        assert code == 2
    assert list(out.iterdir()) == []
    err = capsys.readouterr().err
    assert "数据校验未通过" in err


def test_validate_writes_the_problem_list_for_the_departments(tmp_path, capsys):
    out = tmp_path / "问题清单.xlsx"
    assert main(["validate", str(SPEC_PATH), str(BAD / "unknown_unit.xlsx"), "--out", str(out)]) == 1
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["错误", "提示"]
    assert [c.value for c in wb["错误"][1]] == ["文件", "工作表", "行", "列", "单位", "应为", "实际为"]
    assert wb["错误"].cell(2, 5).value == "XX市甲区"
    assert "最接近的是「甲区」" in capsys.readouterr().out


def test_validate_passes_a_good_file_with_warnings_only(capsys):
    assert main(["validate", str(SPEC_PATH), str(FIX / "facts" / "wide_utf8.csv")]) == 0
    out = capsys.readouterr().out
    assert "数据校验通过" in out and "未提供上年数据" in out


def test_strict_makes_blanks_errors(spec, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(FIX / "facts" / "good.xlsx")
    wb["单位数据"]["C6"].value = None  # 乙区 一.1
    path = tmp_path / "blank.xlsx"
    wb.save(path)
    b = read_bundle(spec, path)
    assert [(w.row, w.unit, w.found) for w in b.warnings] == [(6, "乙区", "(空)缺数据,将按缺数据计")]
    with pytest.raises(FactsError) as info:
        read_bundle(spec, path, strict=True)
    assert info.value.problems[0].column == "C列 一.1 优良天数比例(%)"


@pytest.mark.parametrize("text,pct,expected", [
    ("92.5", False, 92.5), ("92.5%", True, 92.5), ("１,２３４", False, 1234.0), (" 7 ", False, 7.0),
    ("约90", False, None), ("92.5%", False, None), ("nan", False, None), (True, False, None), (3, False, 3.0),
])
def test_parse_number(text, pct, expected):
    assert parse_number(text, pct) == expected


@pytest.mark.parametrize("text,expected", [
    ("是", True), ("否", False), ("√", True), ("×", False), ("YES", True), ("已完成", True), (1, True),
    (0, False), (True, True), ("基本完成", None), (2, None),
])
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text,expected", [
    ("2024-06-30", dt.date(2024, 6, 30)), ("2024/6/3", dt.date(2024, 6, 3)), ("2024年6月30日", dt.date(2024, 6, 30)),
    ("20240630", dt.date(2024, 6, 30)), (dt.datetime(2024, 6, 30, 0, 0), dt.date(2024, 6, 30)),
    ("2024-13-45", None), ("六月", None), (45000, None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_parse_year():
    # a year typed in Chinese numerals is read (it was dropped before); a part-year is not
    assert [parse_year(v) for v in (2020, 2020.0, "2020", "2020年", "2020年度", "二〇二〇", "二〇二")] == [
        2020, 2020, 2020, 2020, 2020, 2020, None]


def test_suggest_closest_unit_name():
    known = ["市委组织部", "市发改委", "市经信局", "市生态环境局"]
    assert suggest("丽水市发改委", known) == "市发改委"
    assert suggest("市生态环境", known) == "市生态环境局"
    assert suggest("市经济和信息化局", known) == "市经信局"
    assert suggest("完全无关", known) is None
