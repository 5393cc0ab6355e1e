"""The weighted inclusive Gregory method (WIGM) engine shared by the Scottish and PR Foundation rule sets.

One loop serves both (counting.md §3.7 and the PRF reference WIGM): at the top of each stage, stop when the
seats are filled or the continuing candidates are no more than the seats left (they are then all elected);
otherwise transfer the largest untransferred surplus, or failing that exclude the lowest candidate; then elect
everyone at or over the quota, highest first. A rule set (`WigmRules`) supplies the arithmetic, the quota, the
transfer value and the tie-breaking.

Speed: each candidate holds a pile of ballot indexes (numpy arrays) grouped by paper value, so a transfer
touches only the papers of the candidate whose votes move; each group of papers of one value is read on in
bulk off the contest's rank table (`table.read_on`) and moved with integer counts and a single multiplication
per destination.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from governance.counting.figures import Value, to_decimal, votes_text
from governance.counting.model import Contest, CountError, CountSheet, Event, Round
from governance.counting.rankings import check_candidate_number
from governance.counting.table import Papers, Reading, read_on
from governance.counting.tiebreak import Lot, by_earlier_stages

HOPEFUL, PENDING, ELECTED, EXCLUDED, WITHDRAWN = range(5)


@dataclass(frozen=True, slots=True)
class WigmRules:
    """Everything that differs between WIGM rule sets."""

    method: str
    """Short id recorded on the sheet ("scottish_stv", "wigm_prf", "wigm_rational")."""
    name: str
    """Plain name of the rules, for the sheet and its messages."""
    places: int
    """Decimal places of the arithmetic (fixed point) or of the sheet (exact arithmetic)."""
    scaled: bool
    """True: votes are integers in units of 10^-places. False: exact fractions."""
    quota: Callable[[int, int], Value]
    """(valid poll, seats) → quota, in the same units as votes."""
    strict_quota: bool
    """Elected on votes > quota (exact rules) rather than votes ≥ quota."""
    transfer_value: Callable[[Value, Value, Value], Value]
    """(paper value, surplus, candidate's total) → the paper's new value."""
    earlier_stages: bool
    """Ties are first broken by the most recent earlier stage at which the tied candidates differed."""
    transfer_zero_surplus: bool
    """A candidate elected exactly at the quota still has a (zero) surplus 'transferred' (PRF B.3)."""
    quota_places: int
    """Decimal places to show the quota with."""
    references: Mapping[str, str] = field(default_factory=dict)
    """Rules cited in messages: "surplus", "exclusion", "last", and for ties decided by earlier stages or by
    lot "surplus_tie_stage", "surplus_tie_lot", "exclusion_tie_stage", "exclusion_tie_lot"."""


def count_wigm(
    contest: Contest,
    rules: WigmRules,
    *,
    seed: int | None = None,
    tie_order: Sequence[str] | None = None,
) -> CountSheet:
    """Count `contest` by `rules`; see the module docstring."""
    return _WigmCount(contest, rules, Lot.make(contest.candidates, seed, tie_order)).run()


@dataclass(slots=True)
class _Stage:
    number: int
    elected: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    transfers: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    tallies: dict[str, Decimal] = field(default_factory=dict)
    inactive: dict[str, Decimal] = field(default_factory=dict)


class _WigmCount:
    def __init__(self, contest: Contest, rules: WigmRules, lot: Lot) -> None:
        self.contest = contest
        self.rules = rules
        self.lot = lot
        self.names = contest.candidates
        self.n = len(self.names)
        if contest.seats < 1:
            raise CountError("an election must have at least one seat")
        if any(not 0 <= c < self.n for c in contest.withdrawn):
            raise CountError("a withdrawn candidate is not in the list of candidates")
        if contest.table.weights.size and int(contest.table.weights.min()) < 0:
            raise CountError("a ballot weight cannot be negative")
        # Papers are read in bulk off the contest's rank table, only as far as they move. Repeats are harmless
        # here: a paper moves to the first *continuing* candidate it ranks.
        self.at = np.full(len(contest.ballots), -1, dtype=np.intp)
        standing = [c not in contest.withdrawn for c in range(self.n)]
        self.first = self._read_on(np.arange(len(contest.ballots), dtype=np.intp), standing)
        self.valid_poll = sum(total for _, _, total in self.first.to)
        self.invalid = self.first.ended_weight
        if self.valid_poll == 0:
            raise CountError("there are no valid ballot papers to count")
        self.one: Value = 10**rules.places if rules.scaled else 1
        self.quota: Value = rules.quota(self.valid_poll, contest.seats)
        self.status = [WITHDRAWN if c in contest.withdrawn else HOPEFUL for c in range(self.n)]
        self.continuing = [s == HOPEFUL for s in self.status]
        self.votes: list[Value] = [0] * self.n
        self.piles: list[dict[Value, list[Papers]]] = [{} for _ in range(self.n)]
        self.non_transferable: Value = 0
        self.rounding: Value = 0
        self.history: list[list[Value]] = []
        self.stages: list[_Stage] = []
        self.elected: list[int] = []

    # ---- figures -------------------------------------------------------------------------------------
    def dec(self, value: Value) -> Decimal:
        return to_decimal(value, self.rules.places, scaled=self.rules.scaled)

    def text(self, value: Value) -> str:
        return votes_text(self.dec(value), self.rules.places)

    def quota_text(self) -> str:
        return votes_text(self.dec(self.quota), self.rules.quota_places)

    # ---- the count -----------------------------------------------------------------------------------
    def run(self) -> CountSheet:
        seats = self.contest.seats
        stage = self._first_stage()
        while True:
            seats_left = seats - len(self.elected)
            hopeful = [c for c in range(self.n) if self.status[c] == HOPEFUL]
            if seats_left <= 0 or len(hopeful) <= seats_left:
                break
            stage = _Stage(number=len(self.stages) + 1)
            self.stages.append(stage)
            pending = [c for c in self.elected if self.status[c] == PENDING]
            if pending:
                self._transfer_surplus(stage, self._choose_surplus(stage, pending))
            else:
                self._exclude(stage, self._choose_exclusion(stage, hopeful))
            self._close_stage(stage)
        self._fill_last_vacancies(stage)
        return self._sheet()

    def _first_stage(self) -> _Stage:
        stage = _Stage(number=1)
        self.stages.append(stage)
        one = self.one
        for c, papers, total in self.first.to:
            self.piles[c][one] = [papers]
            self.votes[c] = total * one
        stage.events.append(
            Event(
                "note",
                None,
                f"{self.valid_poll:,} valid ballot papers; the quota is {self.quota_text()} votes.",
            )
        )
        if self.invalid:
            stage.events.append(
                Event(
                    "note",
                    None,
                    f"{self.invalid:,} papers give no usable first preference and are not counted.",
                )
            )
        self._close_stage(stage)
        return stage

    def _close_stage(self, stage: _Stage) -> None:
        self.history.append(list(self.votes))
        self._elect_reached(stage)
        stage.tallies = {
            self.names[c]: self.dec(self.votes[c])
            for c in range(self.n)
            if self.status[c] in (HOPEFUL, PENDING, ELECTED)
        }
        stage.inactive = {
            "non_transferable": self.dec(self.non_transferable),
            "rounding": self.dec(self.rounding),
        }

    def _reached(self, votes: Value) -> bool:
        return votes > self.quota if self.rules.strict_quota else votes >= self.quota

    def _election_order(self, c: int) -> tuple[Value, int]:
        # Candidates elected at one stage are listed highest first, equal votes in ballot order: the
        # Renfrewshire ward 3 sheet lists Graham before Sharkey (both 1,311 at stage 6) although Sharkey's
        # surplus goes first by rule 49(2). Only the listing depends on this.
        return (-self.votes[c], c)

    def _elect_reached(self, stage: _Stage) -> None:
        reached = [c for c in range(self.n) if self.status[c] == HOPEFUL and self._reached(self.votes[c])]
        reached.sort(key=self._election_order)
        for c in reached:
            has_surplus = self.votes[c] > self.quota or self.rules.transfer_zero_surplus
            self.status[c] = PENDING if has_surplus else ELECTED
            self.continuing[c] = False
            self.elected.append(c)
            stage.elected.append(self.names[c])
            relation = "above" if self.votes[c] > self.quota else "exactly"
            stage.events.append(
                Event(
                    "elected",
                    self.names[c],
                    f"{self.names[c]} is elected with {self.text(self.votes[c])} votes, "
                    f"{relation} the quota of {self.quota_text()}.",
                )
            )

    # ---- ties ----------------------------------------------------------------------------------------
    def _break_tie(self, stage: _Stage, tied: list[int], *, highest: bool, what: str, kind: str) -> int:
        """Choose one of `tied` (for a surplus, the highest goes first; for exclusion, the lowest goes)."""
        if len(tied) == 1:
            return tied[0]
        references = self.rules.references
        names = _and_list([self.names[c] for c in sorted(tied)])
        word = "more" if highest else "fewer"
        remaining = tied
        history_note = ""
        if self.rules.earlier_stages:
            remaining, decided_at = by_earlier_stages(tied, self.history, prefer_highest=highest)
            if len(remaining) == 1:
                chosen = remaining[0]
                stage.events.append(
                    Event(
                        "tie_break",
                        self.names[chosen],
                        f"{names} are tied; {self.names[chosen]} had {word} votes at stage {decided_at}, "
                        f"the most recent stage at which they differed, so {self.names[chosen]} {what} "
                        f"({references.get(kind + '_stage', 'earlier stages')}).",
                    )
                )
                return chosen
            if decided_at is None:
                history_note = ", and were equal at every earlier stage"
            else:
                history_note = (
                    f"; {_and_list([self.names[c] for c in sorted(remaining)])} had {word} votes at stage "
                    f"{decided_at} but were equal at every other earlier stage"
                )
        chosen, how = self.lot.draw(remaining)
        stage.events.append(
            Event(
                "tie_break",
                self.names[chosen],
                f"{names} are tied{history_note}; {self.names[chosen]} is chosen {how}, so "
                f"{self.names[chosen]} {what} ({references.get(kind + '_lot', 'lot')}).",
            )
        )
        return chosen

    def _choose_surplus(self, stage: _Stage, pending: list[int]) -> int:
        top = max(self.votes[c] for c in pending)
        tied = sorted(c for c in pending if self.votes[c] == top)
        return self._break_tie(
            stage, tied, highest=True, what="has their surplus transferred first", kind="surplus_tie"
        )

    def _choose_exclusion(self, stage: _Stage, hopeful: list[int]) -> int:
        low = min(self.votes[c] for c in hopeful)
        tied = [c for c in hopeful if self.votes[c] == low]
        return self._break_tie(stage, tied, highest=False, what="is excluded", kind="exclusion_tie")

    # ---- transfers -----------------------------------------------------------------------------------
    def _move(self, source: int, new_value: Callable[[Value], Value]) -> tuple[list[Value], Value]:
        """Move every paper `source` holds to its next continuing preference; return gains and exhausted."""
        pile = self.piles[source]
        self.piles[source] = {}
        piles = self.piles
        gained: list[Value] = [0] * self.n
        exhausted: Value = 0
        for value, parts in pile.items():
            new = new_value(value)
            if new <= 0:
                continue  # papers now worth nothing carry no votes anywhere
            papers = np.concatenate(parts) if len(parts) > 1 else parts[0]
            moves = self._read_on(papers, self.continuing)
            for c, went, total in moves.to:
                piles[c].setdefault(new, []).append(went)
                gained[c] += total * new
            exhausted += moves.ended_weight * new
        return gained, exhausted

    def _read_on(self, papers: Papers, continuing: list[bool]) -> Reading:
        """Read `papers` on to their next continuing candidates (`table.read_on`): a rank that is not one
        declared candidate ends a paper's preferences, and a number past the candidates is an error."""
        reading = read_on(self.contest.table, papers, self.at, continuing, irregular_ends=True)
        if reading.stopped.size:
            paper, rank = int(reading.stopped[0]), int(reading.stopped_at[0])
            (c,) = self.contest.ballots[paper].ranks[rank]
            check_candidate_number(c, self.n)
        return reading

    def _record_transfer(self, stage: _Stage, source: int, gained: list[Value], exhausted: Value) -> None:
        moved: dict[str, Decimal] = {}
        for c in range(self.n):
            if gained[c]:
                self.votes[c] += gained[c]
                moved[self.names[c]] = self.dec(gained[c])
        self.non_transferable += exhausted
        moved["non_transferable"] = self.dec(exhausted)
        stage.transfers[self.names[source]] = moved

    def _transfer_surplus(self, stage: _Stage, source: int) -> None:
        total = self.votes[source]
        surplus = total - self.quota
        transfer_value = self.rules.transfer_value
        gained, exhausted = self._move(source, lambda value: transfer_value(value, surplus, total))
        self._record_transfer(stage, source, gained, exhausted)
        loss = surplus - sum(gained) - exhausted
        self.rounding += loss
        stage.transfers[self.names[source]]["rounding"] = self.dec(loss)
        self.votes[source] = self.quota
        self.status[source] = ELECTED
        rule = self.rules.references.get("surplus", "surplus transfer")
        stage.events.append(
            Event(
                "surplus",
                self.names[source],
                f"The surplus of {self.names[source]} ({self.text(surplus)} votes) is transferred: every "
                f"paper they hold moves to its next available preference at a value of surplus × the "
                f"paper's value ÷ {self.text(total)}; {self.text(exhausted)} votes are non-transferable and "
                f"{self.text(loss)} are lost to rounding ({rule}).",
            )
        )

    def _exclude(self, stage: _Stage, source: int) -> None:
        self.status[source] = EXCLUDED
        self.continuing[source] = False
        stage.excluded.append(self.names[source])
        held = self.votes[source]
        gained, exhausted = self._move(source, lambda value: value)
        self._record_transfer(stage, source, gained, exhausted)
        self.votes[source] = 0
        loss = held - sum(gained) - exhausted
        if loss:
            self.rounding += loss  # papers held at a value of 0 carry nothing; kept for the balance
        rule = self.rules.references.get("exclusion", "exclusion")
        stage.events.append(
            Event(
                "excluded",
                self.names[source],
                f"{self.names[source]} has the fewest votes ({self.text(held)}) and is excluded; their "
                f"papers move to their next available preferences at their current values, and "
                f"{self.text(exhausted)} votes are non-transferable ({rule}).",
            )
        )

    def _fill_last_vacancies(self, stage: _Stage) -> None:
        seats_left = self.contest.seats - len(self.elected)
        hopeful = [c for c in range(self.n) if self.status[c] == HOPEFUL]
        if seats_left > len(hopeful):
            stage.events.append(
                Event(
                    "note",
                    None,
                    f"{seats_left - len(hopeful)} seat(s) remain unfilled: there are not enough candidates.",
                )
            )
        if seats_left <= 0 or not hopeful:
            return
        hopeful.sort(key=self._election_order)
        rule = self.rules.references.get("last", "last vacancies")
        for c in hopeful:
            self.status[c] = ELECTED
            self.continuing[c] = False
            self.elected.append(c)
            stage.elected.append(self.names[c])
            stage.events.append(
                Event(
                    "elected",
                    self.names[c],
                    f"{self.names[c]} is elected with {self.text(self.votes[c])} votes, below the quota of "
                    f"{self.quota_text()}, because the continuing candidates are no more than the seats "
                    f"left to fill ({rule}).",
                )
            )
        stage.tallies = {
            self.names[c]: self.dec(self.votes[c])
            for c in range(self.n)
            if self.status[c] in (HOPEFUL, PENDING, ELECTED)
        }

    def _sheet(self) -> CountSheet:
        options: dict[str, object] = {
            "rules": self.rules.name,
            "arithmetic": (
                f"fixed point, {self.rules.places} decimal places"
                if self.rules.scaled
                else f"exact fractions (shown to {self.rules.places} decimal places)"
            ),
            "invalid_papers": self.invalid,
        }
        if self.lot.tie_order is not None:
            options["tie_order"] = [self.names[c] for c in self.lot.tie_order]
        rounds = tuple(
            Round(
                number=s.number,
                tallies=s.tallies,
                threshold=self.dec(self.quota),
                elected=tuple(s.elected),
                excluded=tuple(s.excluded),
                transfers=s.transfers,
                inactive=s.inactive,
                events=tuple(s.events),
            )
            for s in self.stages
        )
        return CountSheet(
            method=self.rules.method,
            title=self.contest.title,
            seats=self.contest.seats,
            candidates=self.names,
            valid_poll=Decimal(self.valid_poll),
            rounds=rounds,
            elected=tuple(self.names[c] for c in self.elected),
            quota=self.dec(self.quota),
            seed=self.lot.seed,
            options=options,
        )


def _and_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
