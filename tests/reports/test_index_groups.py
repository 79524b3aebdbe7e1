"""The index of a large cohort (示例数据: 嵊州市 and 249 counties an analyst adds, grouped by the
province and city the analyst typed in the facts file): a small main page with a table of
provinces, one page per province listing its counties by city, every county exactly once.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from ecoscore.batch.render import render
from ecoscore.reports.index_page import (
    GROUP_PAGE_PREFIX,
    MAIN_PAGE,
    UNGROUPED,
    index_html,
    index_pages,
)
from ecoscore.scoring.cohort import score_cohort
from tests.batch.test_scale import synthetic

N = 250
STATUSES = ("met", "not_met", "undetermined")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """Return ``(syn, workbook path, scored cohort)`` of the synthetic cohort."""
    syn = synthetic.cohort(N, seed=3)
    path = synthetic.write_workbook(syn, tmp_path_factory.mktemp("groups") / f"示例数据-{N}县.xlsx")
    return syn, path, score_cohort(synthetic.DOC, path)


@pytest.fixture(scope="module")
def pages(cohort):
    syn, _, c = cohort
    links = {synthetic.HOME_UNIT: "嵊州市.html", syn.added[0]: f"{syn.added[0]}.html"}
    return index_pages(c, links=links, failures=[])


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def group_rows(main: BeautifulSoup) -> dict[str, dict[str, int]]:
    """Return ``{province: {column: count}}`` of the main page's table of groups."""
    out = {}
    for tr in main.select("table.groups tr[data-group]"):
        out[tr["data-group"]] = {td["data-col"]: int(td.get_text()) for td in tr.select("td.num")}
        out[tr["data-group"]]["href"] = unquote(tr.select_one("a")["href"])
    return out


def test_the_main_page_is_small_and_every_page_is_static_sample_data(pages):
    assert len(pages[MAIN_PAGE].encode("utf-8")) < 100_000
    for name, html in pages.items():
        assert "<script" not in html.lower(), name
        assert soup(html).select_one(".sample-banner").get_text().startswith("示例数据"), name
        assert re.search(r"\son\w+=", html) is None, name


def test_the_main_page_counts_the_documents_unit_and_the_analysts_counties(pages, cohort):
    syn, _, c = cohort
    head = soup(pages[MAIN_PAGE]).select_one("p.muted").get_text()
    assert f"嵊州市 + {N - 1} 个分析人员自选的对照县(市、区)" in head
    main = soup(pages[MAIN_PAGE])
    assert [tr["data-unit"] for tr in main.select("table.ranking tr[data-unit]")] == [synthetic.HOME_UNIT]
    assert not main.select("table.added-units")  # no 249-row table on the main page
    assert [td.get_text() for td in main.select('td[data-col="报告"]')] == ["查看"]
    for name, html in pages.items():  # a county without a report this run shows "—"
        cells = {td.get_text() for td in soup(html).select('td[data-col="报告"]')}
        assert "本次未生成" not in cells and cells <= {"—", "查看"}, name
    assert "本次生成报告 2 份" in main.select_one("[data-reports]").get_text()


def test_there_is_one_page_per_province_the_analyst_typed(pages, cohort):
    syn, _, _ = cohort
    provinces = set(syn.grouping.loc[syn.added, "province"])
    rows = group_rows(soup(pages[MAIN_PAGE]))
    assert set(rows) == provinces and UNGROUPED not in rows
    assert {r["href"] for r in rows.values()} == set(pages) - {MAIN_PAGE}
    for province, r in rows.items():
        page = soup(pages[r["href"]])
        assert r["href"].startswith(GROUP_PAGE_PREFIX) and page.h1.get_text() == province
        assert "分析人员" in page.select_one("[data-basis]").get_text()
        assert "非考核文件内容" in page.select_one("[data-basis]").get_text()
        assert page.select_one("a[data-back]")["href"] == MAIN_PAGE


def test_each_county_is_listed_once_in_its_province_and_city_with_its_status(pages, cohort):
    syn, _, c = cohort
    status = dict(zip(c.current.summary["unit"], c.current.summary["compliance"]))
    seen: dict[str, tuple[str, str, str]] = {}
    for name, html in pages.items():
        if name == MAIN_PAGE:
            continue
        page = soup(html)
        for sec in page.select("section[data-section]"):
            for tr in sec.select("tr[data-unit]"):
                unit = tr["data-unit"]
                assert unit not in seen, unit
                seen[unit] = (page.h1.get_text(), sec["data-section"], tr["data-status"])
    assert sorted(seen) == sorted(syn.added)
    g = syn.grouping
    for unit, (province, city, st) in seen.items():
        assert (province, city) == (g.at[unit, "province"], g.at[unit, "city"])
        assert st == status[unit] and st in STATUSES
    # cities in file order within a province
    first = {}
    for unit in syn.added:
        first.setdefault((g.at[unit, "province"], g.at[unit, "city"]), len(first))
    for name, html in pages.items():
        if name != MAIN_PAGE:
            page = soup(html)
            order = [first[(page.h1.get_text(), s["data-section"])] for s in page.select("section[data-section]")]
            assert order == sorted(order)


def test_the_counts_on_the_main_page_add_up_to_the_cohort(pages, cohort):
    syn, _, c = cohort
    main = soup(pages[MAIN_PAGE])
    rows = group_rows(main)
    for province, r in rows.items():
        assert r["met"] + r["not_met"] + r["undetermined"] == r["单位数"], province
        listed = soup(pages[r["href"]]).select("tr[data-unit]")
        assert len(listed) == r["单位数"]
        for st in STATUSES:
            assert r[st] == sum(1 for tr in listed if tr["data-status"] == st)
    total = {td["data-col"]: int(td.get_text()) for td in main.select("table.groups tr[data-total] td.num")}
    assert total["单位数"] == sum(r["单位数"] for r in rows.values()) == N - 1
    assert total["单位数"] + len(main.select("table.ranking tr[data-unit]")) == len(c.units) == N
    s = c.current.summary[c.current.summary["added"] != ""]
    for st in STATUSES:
        assert total[st] == sum(r[st] for r in rows.values()) == int((s["compliance"] == st).sum())
    depends = set(c.sensitivity["unit"]) & set(syn.added)
    assert total["depends"] == len(depends) > 0
    # reading effects: counts per clause here, each county's own on its province page
    counts = {tr.td.get_text(): int(tr.select("td")[-1].get_text()) for tr in main.select("table.reading-counts tbody tr")}
    sens = c.sensitivity[c.sensitivity["unit"].isin(syn.added)]
    assert sum(counts.values()) == sens.groupby(["ambiguity", "reading"])["unit"].nunique().sum()
    assert {tr.td.get_text() for tr in main.select("table.reading-effects tbody tr")} <= {synthetic.HOME_UNIT}
    listed = [tr.td.get_text() for name, html in pages.items() if name != MAIN_PAGE
              for tr in soup(html).select("table.reading-effects tbody tr")]
    assert len(listed) == len(sens) and set(listed) == depends


def test_index_html_is_the_main_page_and_a_small_cohort_keeps_one_page(pages, cohort):
    syn, _, c = cohort
    links = {synthetic.HOME_UNIT: "嵊州市.html", syn.added[0]: f"{syn.added[0]}.html"}
    assert index_html(c, links=links, failures=[]) == pages[MAIN_PAGE]
    whole = index_pages(c, links=links, failures=[], group_above=N)
    assert list(whole) == [MAIN_PAGE]
    assert len(soup(whole[MAIN_PAGE]).select("table.added-units tr[data-unit]")) == N - 1


def test_without_a_province_the_counties_are_grouped_by_the_analysts_category(cohort):
    syn, _, c = cohort
    c2 = type(c)(**{**c.__dict__, "groups": None})
    pages = index_pages(c2, links={}, failures=[])
    rows = group_rows(soup(pages[MAIN_PAGE]))
    regions = {f"农村生活污水治理分区:{r}" for r in syn.current.loc[syn.added, synthetic.REGION]}
    assert set(rows) == regions
    listed = [tr["data-unit"] for name, html in pages.items() if name != MAIN_PAGE
              for tr in soup(html).select("tr[data-unit]")]
    assert sorted(listed) == sorted(syn.added)


def test_render_writes_the_group_pages_the_main_page_links(cohort, tmp_path):
    syn, path, _ = cohort
    units = [synthetic.HOME_UNIT, syn.added[1]]
    summary = render(synthetic.DOC, units=units, facts=path, out_dir=tmp_path, workers=1, progress=False)
    summary.raise_for_failures()
    folder = summary.index.parent
    main = soup(summary.index.read_text(encoding="utf-8"))
    hrefs = [r["href"] for r in group_rows(main).values()]
    assert hrefs and all((folder / h).is_file() for h in hrefs)
    assert sorted(p.name for p in folder.glob(f"{GROUP_PAGE_PREFIX}*.html")) == sorted(hrefs)
    # the county rendered is linked from its province's page, and the link resolves
    province = syn.grouping.at[syn.added[1], "province"]
    page = soup((folder / group_rows(main)[province]["href"]).read_text(encoding="utf-8"))
    link = page.select_one(f'tr[data-unit="{syn.added[1]}"] td[data-col="报告"] a')
    assert link is not None and (folder / unquote(link["href"])).is_file()
    assert "<script" not in (folder / hrefs[0]).read_text(encoding="utf-8")
