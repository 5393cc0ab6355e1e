"""Properties of the IRV (and RCTab STV) counter that must hold for any ballots (hypothesis)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from governance.counting.irv import count_irv
from governance.counting.model import OVERVOTE_UNKNOWN, Contest, CountSheet, RankedBallot, aggregate
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
