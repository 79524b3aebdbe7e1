"""Which results depend on a reading: worked by hand on the mini spec's one ambiguity (Q1)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from ecoscore import load_spec
from ecoscore.reports import report
from ecoscore.reports.index_page import index_html
from ecoscore.scoring.cohort import score_cohort
from tests.conftest import FIXTURES
from tests.scoring.test_engine import facts

MINI = FIXTURES / "specs" / "mini.yaml"


def test_a_grade_that_stands_on_a_reading_is_found_and_shown():
    # Q1 (丙条款): 每起扣4分 (default) or 2分. 乙区 with 2 起: 一.2 = 10 − 2×4 = 2 under the default,
    # 10 − 2×2 = 6 under "two". 乙区 = 一.1 6 + 一.2 + 二 9 + bonus 3 (capped) = 20 → 不合格, or 24 → 良好.
    # 丙区 (4 起): 一.2 = 10 − 16 → 0 (扣完为止) or 10 − 8 = 2, total 4 → 6, still 不合格: not listed.
    # Ranks: 甲区 32, 乙区 20 or 24, 丙区 4 or 6: unchanged.
    c = score_cohort(load_spec(MINI), facts(**{"一.2:n": [0, 2, 4]}))
    s = c.sensitivity
    assert s[["unit", "ambiguity", "reading", "changes"]].values.tolist() == [["乙区", "Q1", "two", "grade"]]
    row = s.iloc[0]
    assert (row["total_before"], row["total"], row["grade_before"], row["grade"]) == (20, 24, "不合格", "良好")
    rep = report.load(c, "乙区")
    assert rep.depends_on_readings() == ["Q1(每起扣2分):等次不合格→良好;总分20→24"]
    header = BeautifulSoup(rep.header().html, "html.parser")
    assert "取决于条款读法(共1处" in header.select_one("[data-notice=reading]").get_text()
    assert report.load(c, "丙区").depends_on_readings() == []
    page = BeautifulSoup(index_html(c, links={}, failures=[]), "html.parser")
    cell = page.select_one('tr[data-unit="乙区"] td[data-col="取决于读法"]')
    assert cell.get_text() == "Q1"
    assert page.select_one('tr[data-unit="丙区"] td[data-col="取决于读法"]').get_text() == "—"


def test_sensitivity_can_be_left_out_and_is_saved(tmp_path):
    assert score_cohort("dongtou-2017", sensitivity=False).sensitivity is None
    c = score_cohort(load_spec(MINI), facts(**{"一.2:n": [0, 2, 4]}))
    from ecoscore.scoring.result import ScoredCohort

    back = ScoredCohort.load(c.save(tmp_path / "r.json"))
    assert back.sensitivity[["unit", "ambiguity", "reading", "changes"]].values.tolist() == [
        ["乙区", "Q1", "two", "grade"]]
