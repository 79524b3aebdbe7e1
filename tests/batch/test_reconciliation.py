"""Every figure a reader sees adds up, parsed from the written files, for every sample unit.

One batch per document is rendered from the sample data (real papermill runs), then each
unit's HTML report is parsed: its scored table (lines, adjustment rows, group sums, total),
its key figures and its formula line. The same unit's total, grade and rank are then read
from the index page, ``ecoscore score --format json`` and the xlsx export, and must be the
same text. Numbers are compared as printed (at most two decimals), so sums allow half a
cent per figure added.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from ecoscore import cli, list_documents, load_spec
from ecoscore.batch.render import render
from ecoscore.rules.base import fmt

DOCS = list_documents()


def num(text: str) -> float:
    """Parse a printed figure: "607.51", "−4", "+10", "" (→ 0)."""
    text = text.strip().replace("−", "-").replace("+", "")
    return float(text) if text else 0.0


@pytest.fixture(scope="module", params=DOCS)
def batch(request, tmp_path_factory):
    doc = request.param
    out = tmp_path_factory.mktemp("recon")
    summary = render(doc, out_dir=out, progress=False, workers=2)
    assert summary.ok, summary.failures
    json_path, xlsx_path = out / "scores.json", out / "scores.xlsx"
    assert cli.main(["score", doc, "--format", "json", "--out", str(json_path)]) == 0
    assert cli.main(["score", doc, "--format", "xlsx", "--out", str(xlsx_path)]) == 0
    return doc, summary, json.loads(json_path.read_text(encoding="utf-8")), load_workbook(xlsx_path)


def report_figures(path: Path) -> dict:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    kpi = {d["data-kpi"]: d.b.get_text() for d in soup.select("[data-kpi]")}
    table = soup.select_one("table.eco-scored")
    rows = []
    for tr in table.select("tr"):
        cls = tr.get("class") or []
        cells = {k: tr.select_one(f"td.eco-{k}") for k in ("possible", "awarded", "lost")}
        rows.append({"class": cls, "group": tr.get("data-group"), "parent": tr.get("data-parent"),
                     "kind": tr.get("data-kind"),
                     **{k: (c.get_text() if c is not None else None) for k, c in cells.items()},
                     "outcome": (tr.select_one("td.eco-outcome").get_text() if tr.select_one("td.eco-outcome")
                                 else None)})
    formula = soup.select_one("[data-notice=formula]")
    return {"kpi": kpi, "rows": rows, "formula": formula.get_text() if formula else None, "soup": soup}


def formula_terms(formula: str) -> tuple[list[float], float]:
    """Parse "总分 = 一 …63.54分 + 二 …8.5分 − 调整0.12分 = 72.48分" into signed terms and the total."""
    expr = re.sub(r"\(各部分得分四舍五入[^)]*\)", "", formula.split("。")[0]).removeprefix("总分 = ")
    expr, shown = expr.rsplit(" = ", 1)
    tokens = re.split(r"\s([+−])\s", expr)
    first = tokens[0]
    terms = [(-1 if first.startswith("−") else 1) * float(re.findall(r"([\d.]+)分", first)[-1])]
    for sign, term in zip(tokens[1::2], tokens[2::2]):
        terms.append((1 if sign == "+" else -1) * float(re.findall(r"([\d.]+)分", term)[-1]))
    return terms, num(shown.removesuffix("分"))


def check_table_adds_up(rows: list[dict], where: str) -> float | None:
    """Check line → group → total; return the printed total (None for a table without points)."""
    lines = [r for r in rows if "eco-line" in r["class"]]
    sums = [r for r in rows if "eco-sum" in r["class"] and "eco-total" not in r["class"]]
    adjs = [r for r in rows if "eco-adj" in r["class"]]
    total = [r for r in rows if "eco-total" in r["class"]]
    if not any(r["awarded"] is not None for r in lines):
        assert not sums and not total, where
        return None
    for s in sums:
        g = s["group"]
        parts = ([num(r["awarded"]) for r in lines if r["group"] == g]
                 + [num(r["awarded"]) for r in sums if r["parent"] == g]
                 + [num(r["awarded"]) for r in adjs if r["group"] == g])
        assert num(s["awarded"]) == pytest.approx(sum(parts), abs=0.005 * (len(parts) + 1)), (where, g)
        if s["lost"]:
            assert num(s["lost"]) == pytest.approx(num(s["possible"]) - num(s["awarded"]), abs=0.011), (where, g)
    for r in lines:
        if r["lost"]:
            assert num(r["lost"]) == pytest.approx(num(r["possible"]) - num(r["awarded"]), abs=0.011), where
    assert len(total) == 1, where
    top = [num(s["awarded"]) for s in sums if not s["parent"]] + [num(r["awarded"]) for r in adjs if r["group"] == "总分"]
    assert num(total[0]["awarded"]) == pytest.approx(sum(top), abs=0.005 * (len(top) + 1)), where
    return num(total[0]["awarded"])


def test_every_report_adds_up_and_agrees_with_index_json_and_xlsx(batch):
    doc, summary, exported, wb = batch
    spec = load_spec(doc)
    index = BeautifulSoup(summary.index.read_text(encoding="utf-8"), "html.parser")
    assert "示例数据" in index.select_one(".sample-banner").get_text()
    by_unit = {u["unit"]: u for u in exported["units"]}
    sheet = wb["汇总"]
    head = [c.value for c in sheet[2]]
    xlsx = {r[head.index("单位")]: dict(zip(head, r)) for r in sheet.iter_rows(min_row=3, values_only=True)}
    depts = spec.department_names()
    added = [u["unit"] for u in exported["units"] if u["unit"] not in spec.unit_names]
    assert set(summary.written) == set(spec.unit_names) | set(depts) | set(added)
    for dept in depts:  # a department's report: its figures count its own rows, as the index does
        where = f"{doc} {dept}"
        page = report_figures(summary.written[dept])
        check_counts(page, None, where)
        row = index.select_one(f'tr[data-department="{dept}"]')
        cells = [td.get_text() for td in row.select("td")]
        lines = [r for r in page["rows"] if "eco-line" in r["class"]]
        assert int(cells[1]) + int(cells[2]) == len(lines) == int(page["kpi"]["lines"]), where
        assert int(cells[3]) == sum(r["outcome"] in ("未达标", "未完成") for r in lines), where
    for unit, path in summary.written.items():
        if unit in depts:
            continue
        where = f"{doc} {unit}"
        page = report_figures(path)
        total = check_table_adds_up(page["rows"], where)
        rec = by_unit[unit]
        row = index.select_one(f'tr[data-unit="{unit}"]')
        cells = {td["data-col"]: td.get_text() for td in row.select("td")}
        if total is not None:
            # the key figure, the table's total row, the formula, the index, JSON and xlsx: one total
            assert num(page["kpi"]["total"]) == pytest.approx(total, abs=0.006), where
            assert page["kpi"]["total"] == cells["总分"] == fmt(rec["total"]) == fmt(xlsx[unit]["总分"]), where
            parts, shown_total = formula_terms(page["formula"])
            assert shown_total == pytest.approx(total, abs=0.006), where
            # exact as printed, or the page says by how much rounding to 0.01 makes them differ
            said = re.search(r"相加与总分相差([\d.]+)分", page["formula"])
            gap = float(said.group(1)) if said else 0.0
            assert abs(sum(parts) - total) == pytest.approx(gap, abs=0.001), (where, page["formula"])
            # JSON: lines + adjustments = total
            pts = sum(ln["points"] or 0 for ln in rec["lines"]) + sum(a["points"] for a in rec["adjustments"])
            assert pts == pytest.approx(rec["total"], abs=1e-3), where
        else:
            assert rec["total"] is None and "总分" not in cells, where
            check_counts(page, rec, where)
        grade = page["kpi"].get("grade", "")
        assert grade == cells.get("等级", "") == (rec["grade"] or "") == (xlsx[unit].get("等次") or ""), where
        rank_col = "位次" if spec.ranking.kind == "descriptive" else "排名"
        shown_rank = page["kpi"].get("rank", "")
        expect = f"第{rec['rank']}/{rec['rank_of']}名" if rec["rank"] else ""
        assert shown_rank == cells.get(rank_col, "") == expect == (xlsx[unit].get("位次") or ""), where
        if spec.ranking.basis == "none":
            assert not shown_rank and rec["rank"] is None, where
        if rec["verdict"]:
            assert cells["结论"] == rec["verdict"], where
            assert f"结论:{rec['verdict']}" in page["soup"].get_text(), where


def check_counts(page: dict, rec: dict, where: str) -> None:
    """Compliance and task-book reports: the key figures count the table's own rows."""
    rows = [r for r in page["rows"] if "eco-line" in r["class"]]
    for key, kind, good in (("indicators", "indicator", {"达标"}), ("tasks", "task", {"已完成", "满分"})):
        if key in page["kpi"]:
            done, n = map(int, page["kpi"][key].split("/"))
            mine = [r["outcome"] for r in rows if r["kind"] == kind and r["outcome"] != "不适用"]
            assert (done, n) == (sum(o in good for o in mine), len(mine)), (where, key)
