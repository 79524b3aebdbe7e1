"""Points by place among the units (004 四(一)15)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoscore.rules import from_params
from ecoscore.rules.base import Outcome
from ecoscore.rules.place import PlacePoints, places
from tests.conftest import make_ctx


def test_places_share_the_better_place_and_skip_missing():
    v = np.array([80.0, 90.0, 90.0, np.nan, 70.0])
    assert list(places(v, higher_is_better=True)[[0, 1, 2, 4]]) == [3, 1, 1, 4]
    assert np.isnan(places(v, higher_is_better=True)[3])
    assert list(places(np.array([3.0, 1.0]), higher_is_better=False)) == [2, 1]


def test_004_si_yi_15_first_second_third():
    # 004 四(一)15(1): 满意度分值位列前3位的,第1名加5分,第2名加4分,第3名加3分
    # values 88, 92, 85, 80 → places 2, 1, 3, 4 → 4, 5, 3, 0
    r = PlacePoints(points=[5, 4, 3])
    s = r.score(make_ctx(5, value=[88.0, 92.0, 85.0, 80.0]))
    assert list(s.points) == [4, 5, 3, 0]
    assert s.outcome[3] is Outcome.NO_BONUS
    assert "列第2名,加4分" in s.reason[0]


def test_drop_penalty_placed_only_or_everyone():
    # 如出现得分比上一年下降的,要扣1分: unit 1 (2nd, dropped) 4 − 1 = 3; unit 4 (unplaced, dropped)
    # keeps 0 when only placed units lose the point, −1 when every unit does
    c = make_ctx(5, value=[88.0, 92.0, 85.0, 80.0], dropped=[True, False, False, True])
    placed = PlacePoints(points=[5, 4, 3], drop_penalty=1).score(c)
    assert list(placed.points) == [3, 5, 3, 0]
    everyone = PlacePoints(points=[5, 4, 3], drop_penalty=1, drop_applies="all").score(c)
    assert list(everyone.points) == [3, 5, 3, -1]
    assert everyone.outcome[3] is Outcome.DEDUCTED


def test_params_round_trip_and_label():
    r = from_params({"type": "place_points", "points": [5, 4, 3], "drop_penalty": 1, "value_label": "满意度分值"})
    assert from_params(r.params()) == r
    assert r.label().startswith("满意度分值在各单位中由高到低排名:第1名5分、第2名4分、第3名3分")
    with pytest.raises(ValueError):
        PlacePoints(drop_applies="some")


@given(st.lists(st.floats(min_value=0, max_value=100), min_size=1, max_size=12))
def test_better_value_never_fewer_points(values):
    v = np.array(values)
    s = PlacePoints(points=[5, 4, 3]).score(make_ctx(5, value=v))
    order = np.argsort(v)
    assert (np.diff(s.points[order]) >= -1e-9).all()
    assert s.points.max() == 5


def test_a_dropped_score_is_bad_whichever_way_the_value_ranks():
    for higher in (True, False):
        facts = {f.name: f.better for f in PlacePoints(higher_is_better=higher, drop_penalty=1).facts()}
        assert facts == {"value": "up" if higher else "down", "dropped": "down"}


def test_drop_read_from_the_value_itself_004_si_yi_15_2():
    # 004 四(一)15(2): 提升值 below zero is "得分比上一年下降": no separate yes/no
    r = PlacePoints(points=(5, 4, 3), drop_penalty=1, drop_from="value", value_label="提升值")
    assert [f.name for f in r.facts()] == ["value"]
    s = r.score(make_ctx(10, value=[2.0, -1.0, -2.0, -3.0]))
    # places 1, 2, 3, 4: 5; 4 − 1 = 3; 3 − 1 = 2; unplaced 0
    assert list(s.points) == [5, 3, 2, 0]


def test_ties_share_the_places_they_occupy():
    v = [90.0, 88.0, 88.0, 80.0]
    assert list(PlacePoints(points=(5, 4, 3)).score(make_ctx(10, value=v)).points) == [5, 4, 4, 0]
    # tied for 2nd: (4 + 3) ÷ 2 = 3.5 each; the next unit is 4th
    s = PlacePoints(points=(5, 4, 3), ties="average").score(make_ctx(10, value=v))
    assert list(s.points) == [5, 3.5, 3.5, 0]
    # three tied for 3rd share 3, 0, 0
    s3 = PlacePoints(points=(5, 4, 3), ties="average").score(make_ctx(10, value=[9.0, 8.0, 7.0, 7.0, 7.0]))
    assert list(s3.points) == pytest.approx([5, 4, 1, 1, 1])
