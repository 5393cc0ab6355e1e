"""Weight groups: a weight is shown only where at least five ballots share it; smaller groups merge."""

from __future__ import annotations

import pytest

from governance.weight_groups import WeightGroup, group_of, weight_groups


def test_one_weight_is_one_group_however_few_the_ballots() -> None:
    assert weight_groups({1: 3}) == [WeightGroup((1,), 3)]
    assert weight_groups({}) == []


def test_weights_shared_by_five_or_more_ballots_stand_alone() -> None:
    assert weight_groups({1: 40, 3: 5}) == [WeightGroup((1,), 40), WeightGroup((3,), 5)]
    assert all(g.shows_weight for g in weight_groups({1: 40, 3: 5}))


def test_a_small_group_merges_with_its_neighbour() -> None:
    groups = weight_groups({1: 40, 3: 2})
    assert groups == [WeightGroup((1, 3), 42)]
    assert not groups[0].shows_weight


def test_small_groups_merge_with_each_other_first_when_together_they_reach_five() -> None:
    assert weight_groups({1: 40, 2: 3, 3: 2, 10: 6}) == [
        WeightGroup((1,), 40),
        WeightGroup((2, 3), 5),
        WeightGroup((10,), 6),
    ]


def test_every_group_has_five_unless_there_are_fewer_ballots_in_all() -> None:
    for counts in ({1: 1, 2: 1, 3: 1}, {1: 4, 2: 4, 3: 4, 4: 1}, {5: 2, 1: 9, 2: 1, 9: 1}):
        groups = weight_groups(counts)
        assert sum(g.ballots for g in groups) == sum(counts.values())
        assert sorted(w for g in groups for w in g.weights) == sorted(counts)
        total = sum(counts.values())
        assert all(g.ballots >= 5 for g in groups) or (len(groups) == 1 and total < 5)
        assert set(group_of(groups)) == set(counts)


def test_a_minimum_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        weight_groups({1: 1}, minimum=0)
