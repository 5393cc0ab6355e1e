"""Instant-runoff voting for coop's own single-seat elections: RCTab's rules with coop's defaults.

The defaults, and why:
* a candidate wins with a majority of the votes still in the count (`floor(active/2) + 1`, recomputed each
  round), or as the last candidate standing against one other;
* one candidate is excluded per round (no batch elimination), so every round can be followed by hand;
* a rank with two or more candidates (an overvote) ends the ballot there, as an unclear preference does in UK
  STV practice; skipped ranks are passed over; a candidate ranked twice counts once;
* a tie for exclusion (or for the win between the last two) goes to the candidate with fewer (more) votes
  in the latest earlier round where they differed; if they were level in every round, it is settled by lot
  with `java.util.Random(seed)`, and the seed is recorded on the sheet. With no seed, a needed lot raises
  `TieNeedsLot` so that the caller draws a seed and records it.
"""

from __future__ import annotations

from dataclasses import replace

from governance.counting.model import Contest, CountError, CountSheet
from governance.counting.rctab import RctabRules, TieNeedsLot, count_rctab

__all__ = ["COOP_IRV_RULES", "TieNeedsLot", "count_irv"]

COOP_IRV_RULES = RctabRules(
    winner_election_mode="singleWinnerMajority",
    number_of_winners=1,
    decimal_places=0,
    overvote_rule="exhaustImmediately",
    max_skipped_ranks_allowed=None,
    exhaust_on_duplicate_candidate=False,
    tiebreak_mode="previousRoundCountsThenRandom",
)


def count_irv(contest: Contest, *, seed: int | None = None) -> CountSheet:
    """Count a single-seat election by instant runoff under coop's defaults (see the module docstring)."""
    if contest.seats != 1:
        raise CountError(f"Instant runoff fills one seat; this election has {contest.seats}. Use STV.")
    rules = replace(COOP_IRV_RULES, random_seed=seed)
    sheet = count_rctab(contest, rules)
    return replace(sheet, method="irv", seed=seed)
