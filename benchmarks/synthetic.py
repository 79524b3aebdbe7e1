"""A synthetic cohort (示例数据) of N counties for ``shengzhou-2024``, written as the facts workbook
a user fills in: 嵊州市 (the document's own unit) plus N-1 counties an analyst adds
(``Spec.analyst_units``), each with its 农村生活污水治理分区.

Nothing here is official data. The workbook is written by the project's own writer
(``ecoscore.facts.template.build_workbook``, with the added units' rows appended the way the
bundled sample data appends them, ``ecoscore.facts.samples._added_rows``) and marked 示例数据 on
every sheet. Values are drawn from each line's ``sample`` hints in the spec (ranges that
straddle the indicator's target), with a fixed seed; last year's values from the ``.delta`` hints.

The province and city of each county are the analyst's own grouping, not the document's: they
go in the template's 省份/城市 columns (under 分析人员分组(非考核文件内容); read back as
``FactsBundle.groups`` and kept as ``ScoredCohort.groups``), on this year's row of each unit.
``Synthetic.grouping`` is the same table beside the facts, for tests to compare with.

Used by ``benchmarks/bench_scale.py`` and ``tests/batch/test_scale.py``; run by hand:
``python benchmarks/synthetic.py 3000 --out /tmp/示例数据-3000县.xlsx``.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ecoscore.facts.workbook import CATEGORY_PREFIX, TASKS, UNITS, build_layout
from ecoscore.spec import Spec, load_spec
from ecoscore.spec.domains import domain

DOC = "shengzhou-2024"
HOME_UNIT = "嵊州市"
#: 嵊州市's own grouping (the analyst's too: the document names no province or city).
HOME_GROUP = ("浙江省", "绍兴市")
REGION = CATEGORY_PREFIX + "region"
EAST, NORTHEAST, MIDWEST, MIDWEST_DISTRICT = "东部地区", "东北地区", "中西部其他地区", "中西部地(略)市辖区"
#: Provinces with their 农村生活污水治理分区 (指标20) and a rough count of their county-level
#: units (the weights of the synthetic spread; cities hold about nine counties each).
PROVINCES = [
    ("北京市", EAST, 16), ("天津市", EAST, 16), ("河北省", EAST, 167), ("山西省", MIDWEST, 117),
    ("内蒙古自治区", MIDWEST, 103), ("辽宁省", NORTHEAST, 100), ("吉林省", NORTHEAST, 60),
    ("黑龙江省", NORTHEAST, 121), ("上海市", EAST, 16), ("江苏省", EAST, 95), ("浙江省", EAST, 90),
    ("安徽省", MIDWEST, 104), ("福建省", EAST, 84), ("江西省", MIDWEST, 100), ("山东省", EAST, 136),
    ("河南省", MIDWEST, 157), ("湖北省", MIDWEST, 103), ("湖南省", MIDWEST, 122), ("广东省", EAST, 122),
    ("广西壮族自治区", MIDWEST, 111), ("海南省", EAST, 25), ("重庆市", MIDWEST, 38), ("四川省", MIDWEST, 183),
    ("贵州省", MIDWEST, 88), ("云南省", MIDWEST, 129), ("西藏自治区", MIDWEST, 74), ("陕西省", MIDWEST, 107),
    ("甘肃省", MIDWEST, 86), ("青海省", MIDWEST, 44), ("宁夏回族自治区", MIDWEST, 22),
    ("新疆维吾尔自治区", MIDWEST, 107),
]
COUNTIES_PER_CITY = 9
DISTRICT_SHARE = 0.15  # of the counties in 中西部 provinces, named 区 and in the 市辖区 band of 指标20


@dataclass
class Synthetic:
    """A synthetic cohort: this year's and last year's facts (index unit, columns fact keys, as
    ``ecoscore.score`` takes them) and the analyst's grouping (index unit; province, city).
    """

    spec: Spec
    year: int
    current: pd.DataFrame
    previous: pd.DataFrame
    grouping: pd.DataFrame
    seed: int = 0

    @property
    def added(self) -> list[str]:
        """Return the counties an analyst adds (every unit but the document's own)."""
        return [u for u in self.current.index if u not in self.spec.unit_names]


def county_names(n: int, seed: int = 0) -> tuple[list[str], pd.DataFrame]:
    """Return ``n - 1`` synthetic county names and their grouping (province, city, region)."""
    rng = np.random.default_rng([seed, 1])
    weights = np.array([w for _, _, w in PROVINCES], dtype=float)
    prov = rng.choice(len(PROVINCES), size=n - 1, p=weights / weights.sum())
    names, rows = [], []
    for i, p in enumerate(prov, start=1):
        province, region, size = PROVINCES[p]
        cities = max(1, round(size / COUNTIES_PER_CITY))
        city = f"示例市{int(rng.integers(cities)) + 1:02d}"
        district = region == MIDWEST and rng.random() < DISTRICT_SHARE
        kind = "区" if district else "市" if rng.random() < 0.12 else "县"
        name = f"示例{kind}{i:04d}"
        names.append(name)
        rows.append((name, province, city, MIDWEST_DISTRICT if district else region))
    table = pd.DataFrame(rows, columns=["unit", "province", "city", "region"]).set_index("unit")
    return names, table


def _decimals(lo: float, hi: float) -> int:
    width = abs(hi - lo) or 1.0
    return max(1, 1 - math.floor(math.log10(width)))


def _draw(hint, n: int, rng: np.random.Generator, kind: str):
    """Return ``n`` values drawn from a ``sample`` hint (see ``ecoscore.facts.samples``)."""
    if hint is None:
        return np.full(n, np.nan)
    if not isinstance(hint, list):  # a fixed value
        return np.full(n, float(hint) if isinstance(hint, (int, float)) else np.nan)
    if kind == "bool" or len(hint) == 1:
        return (rng.random(n) < float(hint[0])).astype(float)
    lo, hi = float(hint[0]), float(hint[1])
    v = np.round(rng.uniform(lo, hi, n), _decimals(lo, hi))
    if len(hint) == 3:
        v = np.where(rng.random(n) < float(hint[2]), hi, v)
    return v


def cohort(n: int, *, seed: int = 0) -> Synthetic:
    """Return a synthetic cohort of ``n`` units: 嵊州市 and ``n - 1`` added counties (a test
    sets its hand-worked cases in ``current``/``previous`` before writing the workbook).
    """
    from ecoscore.facts.samples import hint_for

    spec = load_spec(DOC)
    year = spec.year
    lay = build_layout(spec)
    names, groups = county_names(n, seed)
    units = [*spec.unit_names, *names]
    rng = np.random.default_rng([seed, 2])
    cur, prev = {}, {}
    for f in lay.fields.values():
        if f.alt or f.line is None or f.home not in (UNITS, TASKS) or f.fact.kind in ("text", "choice", "date"):
            continue  # free text, another reading's facts, events: not drawn
        d = domain(f.fact)
        values = _draw(hint_for(f), len(units), rng, f.fact.kind)
        if d.low is not None or d.high is not None:
            values = np.clip(values, d.low, d.high)
        # what applies to an added county does not depend on which one
        asked = [f.applies(u, spec) for u in spec.unit_names] + [bool(names) and f.applies(names[0], spec)] * len(names)
        values = np.where(asked, values, np.nan)
        cur[f.key] = values
        delta = hint_for(f, ".delta")
        if f.fact.previous and delta is not None:
            lo, hi = float(delta[0]), float(delta[1])
            back = values - np.round(rng.uniform(lo, hi, len(units)), _decimals(lo, hi))
            prev[f.key] = np.clip(back, d.low, d.high) if d.low is not None or d.high is not None else back
    current = pd.DataFrame(cur, index=pd.Index(units, name="unit"))
    previous = pd.DataFrame(prev, index=pd.Index(units, name="unit"))
    current[REGION] = pd.Series(groups["region"]).reindex(units).astype(object)
    current.loc[spec.unit_names, REGION] = None  # the document's own unit has its 分区 in the spec
    home = pd.DataFrame([HOME_GROUP], columns=["province", "city"], index=spec.unit_names)
    grouping = pd.concat([home, groups[["province", "city"]]])
    grouping.index.name = "unit"
    for frame in (current, previous, grouping):
        frame.attrs.update({"sample": True, "source": "示例数据(合成)"})
    return Synthetic(spec, year, current, previous, grouping, seed)


def write_workbook(syn: Synthetic, path: str | Path, *, project_rows: bool = False) -> Path:
    """Write the cohort as one facts workbook (this year's and last year's rows) and return the path.

    The template is the project's (``build_workbook``); the added counties' rows go below the
    document's unit with the cells the bundled sample data writes for such units
    (``ecoscore.facts.samples._added_rows``: values, categories, grey where a line does not
    apply), and the analyst's grouping in the 省份/城市 columns of this year's rows. An added unit
    of shengzhou-2024 reports no task (``analyst_units.lines`` is 附件1), so the rows here are
    written in one pass over the units sheet, the same cells; ``project_rows=True`` uses
    ``_added_rows`` itself (to measure it: it also walks the task sheet, asking
    ``task_reporters`` once per task line — once per added unit and line before issue 13,
    about 90 s for 300 units).
    """
    from ecoscore import atomic
    from ecoscore.facts.samples import _added_rows
    from ecoscore.facts.template import build_workbook
    from ecoscore.facts.workbook import SHEET_NAMES

    spec, year = syn.spec, syn.year
    own, added = list(spec.unit_names), syn.added
    cur, prev = _as_facts(syn.current), _as_facts(syn.previous)
    wb = build_workbook(spec, year=year, facts=cur.loc[own], previous=prev.loc[own], previous_rows=True,
                        sample=True)
    ws = wb[SHEET_NAMES[UNITS]]
    col = {ws.cell(4, j).value: j for j in range(1, ws.max_column + 1)}
    if project_rows:
        _added_rows(wb, spec, year, cur.loc[added])
        _added_rows(wb, spec, year - 1, prev.loc[added])
    else:
        _append_rows(ws, col, syn, [(year, cur.loc[added]), (year - 1, prev.loc[added])])
    grouping = syn.grouping.to_dict("index")
    for r in range(5, ws.max_row + 1):  # the grouping, on this year's row of each unit
        unit, y = ws.cell(r, col["unit"]).value, ws.cell(r, col["year"]).value
        if unit in grouping and y == year:
            ws.cell(r, col["province"], grouping[unit]["province"])
            ws.cell(r, col["city"], grouping[unit]["city"])
    return atomic.save_workbook(wb, path)


def _append_rows(ws, col: dict, syn: Synthetic, years: list[tuple[int, pd.DataFrame]]) -> None:
    """Write the added units' rows below the document's, as ``_added_rows`` writes them."""
    from ecoscore.facts.template import GREY, THIN, cell_value

    spec = syn.spec
    lay = build_layout(spec)
    if not syn.added:
        return
    probe = syn.added[0]  # what applies to an added unit does not depend on which one
    if any(spec.applies(ln, probe) for ln in lay.task_lines):
        raise ValueError(f"{spec.id}: added units report tasks; use project_rows=True")
    fields = [(f, col[f.key], f.applies(probe, spec) and (f.line is not None or f.key.startswith(CATEGORY_PREFIX)))
              for f in lay.on(UNITS)]
    row = 5 + sum(1 for r in range(5, ws.max_row + 1) if ws.cell(r, col["unit"]).value is not None)
    for year, frame in years:
        records = frame.to_dict("index")
        for u, values in records.items():
            ws.cell(row, col["year"], year)
            ws.cell(row, col["unit"], u)
            for f, j, usable in fields:
                c = ws.cell(row, j)
                c.border = THIN
                if not usable:
                    c.fill = GREY
                elif f.key in values:
                    c.value = cell_value(values[f.key], f)
            row += 1


def _as_facts(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with blanks as None (the writer leaves those cells empty)."""
    return frame.astype(object).where(frame.notna(), None)


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic cohort's workbook."""
    ap = argparse.ArgumentParser(description="写出合成的示例数据工作簿(嵊州市 + N-1 个分析人员添加的县)")
    ap.add_argument("n", type=int)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(f"已写出 {write_workbook(cohort(args.n, seed=args.seed), args.out)}(示例数据)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
