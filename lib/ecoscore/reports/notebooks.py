"""The report notebooks (``notebooks/<doc>.ipynb``), generated from one outline per document.

A report notebook is thin: a ``parameters`` cell (``doc``, ``unit``, ``result``: the scored
result file a batch injects; None scores the sample data in place) that runs as it is, one
``from ecoscore.reports import report``, then a Chinese heading and one library call per section.
The committed notebooks are made by this module, so they stay alike: after adding a
document (or editing ``outline``) run ``python -m ecoscore.reports.notebooks`` and commit the
result (``tests/test_notebooks.py`` checks that the files match). Code cells carry ``jupyter.source_hidden`` and the
``hide-input`` tag, and the HTML export drops inputs anyway.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from ecoscore.paths import NOTEBOOK_DIR
from ecoscore.spec import Spec, list_documents, load_spec

#: Default unit of each document's notebook (otherwise the document's first unit).
DEFAULT_UNITS = {
    "xx-2020": "江干区",
    "lishui-2024": "市生态环境局",
    "dongtou-2017": "洞头区",
    "shengzhou-2024": "嵊州市",
    "zhoushan-2020": "舟山市",
}

def outline(spec: Spec) -> list[tuple[str, str]]:
    """Return the sections of a document's report: ``(heading, the one library call)``.

    The outline follows the document's family; headings use the document's own words
    (its ``unit_kind``), so a new document gets a sensible notebook without editing here.
    """
    kind = spec.unit_kind
    if spec.family == "points":
        departments = any(u in (*ln.lead, *ln.responsible) for ln in spec.lines for u in spec.unit_names)
        if departments:  # 000: each unit is a department with its own task book
            middle = [("重点工作任务完成情况", "rep.department_view()"), (f"{kind}得分比较", "rep.cohort_chart()")]
        else:
            middle = [(f"各{kind}总分比较", "rep.cohort_chart()")]
        tail = [] if departments else [("失分事项的牵头部门", "rep.department_view()")]
        return [
            ("总体评价", "rep.narrative()"),
            ("各部分得分", "rep.sections_chart()"),
            ("失分最多的项目", "rep.lost_points_chart()"),
            ("距下一等次", "rep.goals()"),
            *middle,
            ("与上年比较", "rep.trend_chart()"),
            *tail,
            ("逐项评分表", "rep.table()"),
            ("附录:评分过程", "rep.appendix()"),
        ]
    if spec.family == "taskbook":
        return [
            ("总体评价", "rep.narrative()"),
            ("各项行动任务完成情况", "rep.sections_chart()"),
            ("任务完成一览", "rep.compliance_grid()"),
            ("差距最大的任务", "rep.lost_points_chart()"),
            ("距下一等次:可改进的任务", "rep.goals()"),
            ("责任单位任务", "rep.department_view()"),
            *([("各单位任务完成率比较", "rep.cohort_chart()")] if spec.ranking.basis != "none" else []),
            ("与上年比较", "rep.trend_chart()"),
            ("逐项评分表", "rep.table()"),
            ("附录:评分过程", "rep.appendix()"),
        ]
    return [
        ("总体评价", "rep.narrative()"),
        ("指标达标一览", "rep.compliance_grid()"),
        ("各类指标达标情况", "rep.sections_chart()"),
        ("差距较大的指标与任务", "rep.lost_points_chart()"),
        ("距下一等次:约束性指标全部达标", "rep.goals()"),
        # one notebook serves the unit and, where the plan tasks departments, each department
        (("责任部门与须做的事" if spec.department_reports else "未达标指标的责任单位"), "rep.department_view()"),
        *([(f"各{kind}达标指标比较", "rep.cohort_chart()")] if spec.ranking.basis != "none" else []),
        ("与上年比较", "rep.trend_chart()"),
        ("逐项达标情况表", "rep.table()"),
        ("附录:评分过程", "rep.appendix()"),
    ]


def _code(source: str, *tags: str):
    cell = new_code_cell(source, metadata={"jupyter": {"source_hidden": True},
                                           "tags": [*tags, "hide-input"]})
    return cell


def make(doc: str, unit: str | None = None) -> nbformat.NotebookNode:
    """Return the report notebook of document ``doc``; the default unit comes from
    ``DEFAULT_UNITS``, else it is the document's first unit.
    """
    spec = load_spec(doc)
    unit = unit or DEFAULT_UNITS.get(doc) or spec.unit_names[0]
    params = (
        "# 参数(批量生成报告时由 papermill 注入)\n"
        f"doc = {doc!r}\n"
        f"unit = {unit!r}\n"
        "result = None  # 评分结果文件(ecoscore render 注入);None 表示在此按示例数据评分"
    )
    cells = [
        _code(params, "parameters"),
        _code("from ecoscore.reports import report\n\n"
              "rep = report.load(result, unit, doc=doc)"),
        _code("rep.summary()"),  # the one-page summary a leader reads first
        _code("rep.header()"),
    ]
    for heading, call in outline(spec):
        cells.append(new_markdown_cell(f"## {heading}"))
        cells.append(_code(call))
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"{doc}-{k:02d}"
    return nb


def run_in_process(nb: nbformat.NotebookNode, **parameters) -> nbformat.NotebookNode:
    """Return a copy of report notebook ``nb`` with its outputs filled in this process,
    without a kernel: the ``parameters`` cell is replaced by ``parameters`` (``result`` may be
    a ``ScoredCohort``), every other code cell runs in one namespace, and the value of its
    last expression is its output, as a kernel shows it (``text/html`` and ``text/plain``).

    The same report content as a papermill run, for measuring a report's own work
    (``benchmarks/bench_report.py``) and checking every sample page's size; reports
    themselves are always rendered by papermill (``ecoscore render``).
    """
    nb = nbformat.from_dict(nb)
    space: dict = dict(parameters)
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        count += 1
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, cell.get("id", "<cell>"), "exec"), space)  # noqa: S102 - our own notebook
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), space) if last else None  # noqa: S307
        cell.execution_count = count
        cell.outputs = []
        if value is not None:
            data = {"text/plain": repr(value)}
            if hasattr(value, "_repr_html_"):
                data["text/html"] = value._repr_html_()
            cell.outputs = [new_output("execute_result", data=data, execution_count=count)]
    return nb


def write_all(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """Write every document's notebook into ``folder``; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for doc in list_documents():
        path = folder / f"{doc}.ipynb"
        nbformat.write(make(doc), str(path))
        out.append(path)
    return out


if __name__ == "__main__":
    for p in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else NOTEBOOK_DIR):
        print(p)
