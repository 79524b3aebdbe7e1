"""The two explanatory sheets of a facts workbook: how to fill it in, and what each fact is
(with the clause it comes from, verbatim).
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill

from ecoscore.facts.workbook import (
    EVENTS,
    SHEET_NAMES,
    TASKS,
    UNITS,
    Layout,
    expected_text,
    task_reporters,
)

WRAP = Alignment(wrap_text=True, vertical="top")
HEAD = PatternFill("solid", fgColor="DDEBF7")
BANNER = PatternFill("solid", fgColor="FCE4D6")
_HOME = {UNITS: SHEET_NAMES[UNITS], TASKS: SHEET_NAMES[TASKS], EVENTS: SHEET_NAMES[EVENTS]}


def help_lines(lay: Layout, year: int, sample: bool, needs_prev: bool) -> list[str]:
    """Return the help text, one paragraph per line (also used by ``ecoscore template --help``)."""
    spec = lay.spec
    lines = []
    if sample:
        lines.append("【示例数据】本工作簿中的数值由程序按合理范围随机生成,仅用于演示和测试,不是官方统计或考核数据,"
                     "不得引用或上报。")
    lines += [
        f"考核文件:{spec.title}(文档代码 {spec.id},{year}年度)。",
        f"被考核单位({len(spec.units)}个{spec.unit_kind}):" + "、".join(spec.unit_names) + "。",
        "一、总体要求",
        "1. 请勿修改、删除各表的表头和灰色的“字段代码”行;程序按字段代码识别各列,表头文字仅供阅读。",
        f"2. 单位名称须与上述名单完全一致(可从下拉列表选择),如“{spec.unit_names[0]}”不要写成"
        f"“XX市{spec.unit_names[0]}”或简称。",
        "3. 百分数按0-100填写,如92.5表示92.5%(直接输入“92.5%”也可);不要填成0.925,100%不要填成1。"
        "数字中的逗号或空格只作千位分隔符,每组恰好三位(如1,234或1 234),小数用小数点(写10.8,不写10,8);"
        "请填数值,不要填公式或合并单元格。",
        "4. “是/否”类指标填“是”或“否”;等次类指标从下拉列表选择。",
        "5. 暂无数据的留空(不要填0),该项将按“缺数据”计并在报告中标出;灰色单元格表示该指标不适用于该单位,请留空。",
        "6. 标注“(选填)”的列可留空;标注“〔仅用于解读…〕”的列只在采用该歧义条款的其他解读时使用。",
        "7. 把鼠标停在列标题上可看到字段代码、填写要求、评分规则和条款原文;“指标说明”表列出全部指标。",
        "二、各工作表",
        f"• {SHEET_NAMES[UNITS]}:每个单位一行,每个指标一列。",
    ]
    if needs_prev:
        lines.append(f"• 本考核有“保持稳定或持续改善”“逐年提高”等与上年比较的指标,请在{SHEET_NAMES[UNITS]}表"
                     f"年度为{year - 1}的行中填写上年数值(只需填写白色单元格);也可以用上一年度的同格式文件,"
                     "校验和评分时作为“上年数据文件”一并提供。")
    if lay.task_lines:
        lines.append(f"• {SHEET_NAMES[TASKS]}:每个单位每项任务一行,已预先列出。填写完成比例(0-100,全部完成填100)"
                     "和完成情况说明;未完成的请说明原因。")
    if lay.events:
        lines.append(f"• {SHEET_NAMES[EVENTS]}:每发生一件加分或扣分事项填一行:单位、条款编号、事项、次数或分值、"
                     "依据(文件名称、文号或情况说明)、发生日期。按次计分的事项“次数”留空按1次;扣分也填正数。"
                     "未列出的单位视为该年度没有该事项。")
    lines += [
        "三、另存为 CSV",
        f"CSV 只能保存一个工作表:可将“{SHEET_NAMES[UNITS]}”表另存为 CSV(UTF-8 或 GBK 编码均可),"
        "或使用长表格式(列:单位 unit、指标代码 fact、数值 value,每行一个数值;可用 ecoscore template --long 生成)。"
        "任务完成情况和加扣分事项在 CSV 中以“条款编号:completion”等字段代码作为列。",
        "四、校验",
        f"填好后运行:ecoscore validate {spec.id} 文件名.xlsx。程序一次列出全部问题(文件、工作表、行、列、单位、"
        "应为、实际为);有错误的文件不会被评分,也不会生成任何报告。",
    ]
    return lines


def write_help(ws, lay: Layout, year: int, sample: bool, needs_prev: bool) -> None:
    """Fill the 填表说明 sheet."""
    ws.column_dimensions["A"].width = 120
    first = ("【示例数据,非官方数据,仅供演示】" if sample else "") + f"填表说明  文档代码:{lay.spec.id}  年度:{year}"
    ws.cell(1, 1, first).font = Font(bold=True, size=13, color="C00000" if sample else "000000")
    if sample:
        ws.cell(1, 1).fill = BANNER
    for i, text in enumerate(help_lines(lay, year, sample, needs_prev), start=2):
        c = ws.cell(i, 1, text)
        c.alignment = WRAP
        if text[:2] in ("一、", "二、", "三、", "四、"):
            c.font = Font(bold=True)


REFERENCE_COLUMNS = [("字段代码", 22), ("条款编号", 12), ("指标", 30), ("填写内容", 30), ("填写要求", 26),
                     ("所在工作表", 12), ("适用单位", 24), ("评分规则", 40), ("目标", 14), ("牵头单位", 16),
                     ("条款原文", 80)]


def write_reference(ws, lay: Layout, year: int, sample: bool) -> None:
    """Fill the 指标说明 sheet: one row per fact, with the clause text beside it."""
    spec = lay.spec
    banner = "【示例数据,非官方数据】" if sample else ""
    ws.cell(1, 1, f"{banner}指标说明  文档代码:{spec.id}  年度:{year}").font = Font(bold=True, size=12)
    for j, (name, width) in enumerate(REFERENCE_COLUMNS, start=1):
        c = ws.cell(2, j, name)
        c.font, c.fill = Font(bold=True), HEAD
        ws.column_dimensions[c.column_letter].width = width
    i = 3
    for f in lay.fields.values():
        ln = f.line
        if f.home == TASKS:
            who = "、".join(task_reporters(ln, spec))
        else:
            who = "全部" if ln is None or ln.applies_to is None else "、".join(ln.applies_to)
        need = expected_text(f.fact)
        if f.key in lay.events:
            need += ";" + lay.events[f.key].how
        if f.fact.previous:
            need += ";需要上年数值"
        row = [f.key, f.line_id, ln.title if ln else "定档政策", f.header, need, _HOME.get(f.home, ""), who,
               ln.rule.label() if ln else "", ln.target_text if ln else "", "、".join(ln.lead) if ln else "",
               ln.clause if ln else ""]
        for j, v in enumerate(row, start=1):
            ws.cell(i, j, v).alignment = WRAP
        i += 1
    ws.freeze_panes = "C3"
