"""Cohort rules: a unit's points depend on the other units."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoscore.rules.cohort import CohortRank, cohort_position
from tests.conftest import make_ctx


def test_position_by_value_and_by_rank():
    v = np.array([90.0, 80.0, 50.0, np.nan])
    assert list(cohort_position(v, higher_is_better=True, method="value")[:3]) == [1.0, 0.75, 0.0]
    assert list(cohort_position(v, higher_is_better=True, method="rank")[:3]) == [1.0, 0.5, 0.0]
    assert np.isnan(cohort_position(v, higher_is_better=True, method="rank")[3])
    assert list(cohort_position(np.array([5.0, 5.0]), higher_is_better=False, method="rank")) == [1.0, 1.0]


def test_004_san_13_3_rank_only():
    # 004 三.13(3) 湿地保护率 (5分): 根据保护率排名赋分,最好的得满分,最差的得60%分数,介于其中按比例得分
    # values 80, 70, 60 → best 5, worst 3, middle 3 + 2 × 0.5 = 4
    r = CohortRank(target=None, target_share=0, worst_share=0.6)
    s = r.score(make_ctx(5, value=[80.0, 70.0, 60.0]))
    assert list(s.points) == pytest.approx([5, 4, 3])


def test_004_san_13_2_target_share_then_rank():
    # 004 三.13(2) (5分): 完成市下达的指标得60%(3分),其余40%(2分)按排名;未完成按比例扣分,扣完60%为止.
    # Reading "worst gets 60% of the whole": rank part runs 0 → 2.
    # units: 98 (target 95, met, best) → 3 + 2 = 5; 96 (met, middle) → 3 + 2 × (96−90)/(98−90) = 4.5;
    # 90 (target 95, unmet, worst) → 3 × 90/95 = 2.8421 + rank part 0
    r = CohortRank(target="fact", target_share=0.6, worst_share=0.0)
    s = r.score(make_ctx(5, value=[98.0, 96.0, 90.0], target=[95.0, 95.0, 95.0]))
    assert s.points == pytest.approx([5, 4.5, 3 * 90 / 95])
    # Reading "unmet units earn no rank part" changes nothing for the worst here, but does for a middle one:
    r2 = CohortRank(target="fact", target_share=0.6, worst_share=0.0, unmet_gets_rank=False)
    s2 = r2.score(make_ctx(5, value=[98.0, 93.0, 90.0], target=[95.0, 95.0, 95.0]))
    assert s2.points[1] == pytest.approx(3 * 93 / 95)


@given(st.lists(st.floats(min_value=0, max_value=100), min_size=2, max_size=10))
def test_better_value_never_fewer_points(values):
    v = np.array(values)
    s = CohortRank(target=None, target_share=0, worst_share=0.6).score(make_ctx(5, value=v))
    order = np.argsort(v)
    assert (np.diff(s.points[order]) >= -1e-9).all()
    assert (s.points >= 3 - 1e-9).all() and (s.points <= 5 + 1e-9).all()
