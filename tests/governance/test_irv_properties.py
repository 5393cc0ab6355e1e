"""Properties of the IRV (and RCTab STV) counter that must hold for any ballots (hypothesis)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from governance.counting import rctab
from governance.counting.irv import count_irv
from governance.counting.model import (
    OVERVOTE_UNKNOWN,
    UNDECLARED_WRITE_IN,
    Contest,
    CountError,
    CountSheet,
    RankedBallot,
    aggregate,
)
from governance.counting.rctab import RctabRules, count_rctab

NAMES = ("Ada", "Ben", "Cal", "Dee", "Eve", "Fay")


@st.composite
def contests(draw: st.DrawFn, *, messy: bool = True, seats: int = 1) -> Contest:
    n = draw(st.integers(min_value=max(2, seats), max_value=len(NAMES)))
    candidate = st.integers(min_value=0, max_value=n - 1)
    if messy:
        at_rank = st.one_of(
            candidate.map(lambda c: (c,)),
            st.just(()),
            st.just((OVERVOTE_UNKNOWN,)),
            st.lists(candidate, min_size=2, max_size=3, unique=True).map(tuple),
        )
    else:
        at_rank = candidate.map(lambda c: (c,))
    ballot = st.builds(
        RankedBallot,
        st.lists(at_rank, max_size=n + 1).map(tuple),
        st.integers(min_value=1, max_value=5),
    )
    ballots = draw(st.lists(ballot, min_size=1, max_size=25))
    if not messy:
        ballots = [b for b in ballots if len(set(b.ranks)) == len(b.ranks)] or [RankedBallot(((0,),))]
    return Contest("test", NAMES[:n], seats, aggregate(ballots))


def _balanced(sheet: CountSheet, total: int) -> None:
    for r in sheet.rounds:
        assert sum(r.tallies.values()) + sum(r.inactive.values()) == Decimal(total), r.number


def _tie_broken(sheet: CountSheet) -> bool:
    return any(e.kind == "tie_break" for r in sheet.rounds for e in r.events)


@given(contests(), st.integers(min_value=0, max_value=2**31))
def test_every_ballot_is_accounted_for_in_every_round(contest: Contest, seed: int) -> None:
    sheet = count_irv(contest, seed=seed)
    _balanced(sheet, contest.total_weight)
    assert len(sheet.elected) <= 1


@settings(max_examples=60)
@given(contests(seats=3), st.booleans(), st.sampled_from(["exhaustImmediately", "alwaysSkipToNextRank"]))
def test_stv_ballots_and_surplus_are_accounted_for(contest: Contest, whole: bool, overvote: str) -> None:
    rules = RctabRules(
        winner_election_mode="multiWinnerAllowMultipleWinnersPerRound",
        number_of_winners=3,
        decimal_places=4,
        non_integer_winning_threshold=not whole,
        overvote_rule=overvote,  # type: ignore[arg-type]
        max_skipped_ranks_allowed=1,
        tiebreak_mode="random",
        random_seed=5,
    )
    sheet = count_rctab(contest, rules)
    _balanced(sheet, contest.total_weight)
    assert len(set(sheet.elected)) == len(sheet.elected) <= 3


@given(contests(), st.integers(min_value=0, max_value=2**31))
def test_same_seed_same_count(contest: Contest, seed: int) -> None:
    assert count_irv(contest, seed=seed).to_json() == count_irv(contest, seed=seed).to_json()


@given(contests(), st.permutations(range(len(NAMES))), st.integers(min_value=0, max_value=2**31))
def test_relabelling_candidates_keeps_the_winner_when_no_tie_was_broken(
    contest: Contest, shuffle: list[int], seed: int
) -> None:
    n = len(contest.candidates)
    order = [i for i in shuffle if i < n]  # new position -> old candidate index
    new_index = {old: new for new, old in enumerate(order)}

    def relabel(c: int) -> int:
        return new_index[c] if c >= 0 else c

    relabelled = Contest(
        contest.title,
        tuple(contest.candidates[old] for old in order),
        1,
        tuple(
            RankedBallot(tuple(tuple(relabel(c) for c in at_rank) for at_rank in b.ranks), b.weight)
            for b in contest.ballots
        ),
    )
    first = count_irv(contest, seed=seed)
    second = count_irv(relabelled, seed=seed)
    assume(not _tie_broken(first) and not _tie_broken(second))
    assert first.elected == second.elected
    assert [dict(r.tallies) for r in first.rounds] == [dict(r.tallies) for r in second.rounds]


@given(contests(messy=False), st.integers(min_value=0, max_value=2**31))
def test_a_first_round_majority_always_wins(contest: Contest, seed: int) -> None:
    firsts: Counter[int] = Counter()
    for b in contest.ballots:
        if b.ranks:
            firsts[b.ranks[0][0]] += b.weight
    assume(firsts)
    leader, votes = max(firsts.items(), key=lambda item: item[1])
    assume(votes * 2 > sum(firsts.values()))
    sheet = count_irv(contest, seed=seed)
    assert sheet.elected == (contest.candidates[leader],)
    assert len(sheet.rounds) == 1


@st.composite
def whole_vote_rules(draw: st.DrawFn) -> RctabRules:
    return RctabRules(
        overvote_rule=draw(
            st.sampled_from(["exhaustImmediately", "alwaysSkipToNextRank", "exhaustIfMultipleContinuing"])
        ),
        max_skipped_ranks_allowed=draw(st.one_of(st.none(), st.integers(0, 2))),
        max_rankings_allowed=draw(st.one_of(st.none(), st.integers(1, 4))),
        batch_elimination=draw(st.booleans()),
        continue_until_two_candidates_remain=draw(st.booleans()),
        undeclared_write_ins=draw(st.booleans()),
        tiebreak_mode="previousRoundCountsThenRandom",
        random_seed=draw(st.integers(0, 2**31)),
    )


@st.composite
def long_counts(draw: st.DrawFn) -> Contest:
    """Contests that run for several rounds: more ballots, mostly regular ranks, some messy ones."""
    n = draw(st.integers(3, len(NAMES)))
    candidate = st.integers(0, n - 1).map(lambda c: (c,))
    at_rank = st.one_of(
        candidate,
        candidate,
        candidate,
        candidate,
        st.sampled_from([(), (OVERVOTE_UNKNOWN,), (UNDECLARED_WRITE_IN,), (0, 1), (n + 2,)]),
    )
    ballot = st.builds(RankedBallot, st.lists(at_rank, max_size=n + 2).map(tuple), st.integers(1, 5))
    return Contest("test", NAMES[:n], 1, aggregate(draw(st.lists(ballot, min_size=5, max_size=60))))


@settings(max_examples=300)
@given(long_counts(), whole_vote_rules())
@example(
    # Two ballots naming an unknown candidate, met at different ranks in one move: the bulk reader stopped
    # the later ballot first, and reported it where the per-group loop reports the earlier one.
    Contest(
        "test",
        NAMES[:3],
        1,
        (
            RankedBallot((), 1),
            RankedBallot(((0,),), 2),
            RankedBallot(((2,),), 3),
            RankedBallot(((1,), (1,), (5,)), 1),
            RankedBallot(((1,), (5,)), 1),
        ),
    ),
    RctabRules(winner_election_mode="singleWinnerMajority", decimal_places=4, random_seed=0),
)
def test_moving_groups_in_bulk_gives_the_sheet_of_moving_them_one_by_one(
    contest: Contest, rules: RctabRules
) -> None:
    """Whole-vote counts move groups off the rank table in bulk; the same count with the per-group loop (the
    one counts with surpluses use) must give the same sheet, figure for figure, or the same error."""

    def count(bulk: bool) -> dict[str, object] | str:
        prepare = rctab._prepare

        def prepared(*args: object, **kwargs: object) -> tuple[rctab._Tabulation, list[str]]:
            tab, names = prepare(*args, **kwargs)  # type: ignore[arg-type]
            assert tab.bulk  # whole-vote rules with no look-back always move in bulk
            return replace(tab, bulk=bulk), names

        rctab._prepare = prepared  # type: ignore[assignment]
        try:
            return count_rctab(contest, rules).to_json()
        except CountError as error:
            return f"error: {error}"
        finally:
            rctab._prepare = prepare  # type: ignore[assignment]

    assert count(bulk=True) == count(bulk=False)
