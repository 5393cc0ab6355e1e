"""Meek STV: the PR Foundation reference Meek rule (counting.md §4) and its exact-rational form (Droop).

`arithmetic="fixed"` is the PRF reference rule: 9-decimal fixed point, each keep value `w × kf` and each
keep-factor step rounded up, quota = total votes ÷ (seats+1) truncated plus 10^-9, elected at or over it,
iteration until the total surplus is below omega = 10^-6 or stops falling, then the lowest hopeful candidate
defeated (candidates within the total surplus of the lowest count as tied), one at a time.

`arithmetic="rational"` is the same method in exact fractions as Droop counts it: quota exactly
total ÷ (seats+1), elected strictly above it, omega = 10^-10 (iteration stops once the surplus is at most
omega), and "safe" batch defeats of sure losers (the largest group of lowest candidates whose votes plus the
total surplus are below the next candidate, leaving enough candidates to fill the seats).

Ties go to a tie-breaking order fixed by lot in advance, or to `random.Random(seed)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from governance.counting.figures import Value, to_decimal, votes_text
from governance.counting.model import Contest, CountError, CountSheet, Event, Round
from governance.counting.rankings import prepare_rankings
from governance.counting.tiebreak import Lot

HOPEFUL, ELECTED, DEFEATED, WITHDRAWN = range(4)

FIXED_PLACES = 9
FIXED_ONE = 1_000_000_000  # 10^-9 units
FIXED_OMEGA = 1_000  # 10^-6 in 10^-9 units
RATIONAL_PLACES = 12
RATIONAL_OMEGA = Fraction(1, 10**10)
MAX_EXACT_BITS = 65_536
"""Exact keep factors can double in size each iteration (a count whose votes drain away to excess never
reaches omega in practice); past this many bits in a denominator the count stops with a `CountError`."""


@dataclass(slots=True)
class _RoundRecord:
    number: int
    elected: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    tallies: dict[str, Decimal] = field(default_factory=dict)
    inactive: dict[str, Decimal] = field(default_factory=dict)
    threshold: Decimal | None = None


def count_meek_stv(
    contest: Contest,
    *,
    arithmetic: Literal["fixed", "rational"] = "fixed",
    seed: int | None = None,
    tie_order: Sequence[str] | None = None,
) -> CountSheet:
    """Count `contest` by Meek STV (see the module docstring for the two arithmetics)."""
    return _MeekCount(contest, arithmetic, Lot.make(contest.candidates, seed, tie_order)).run()


class _MeekCount:
    def __init__(self, contest: Contest, arithmetic: Literal["fixed", "rational"], lot: Lot) -> None:
        if arithmetic not in ("fixed", "rational"):
            raise CountError(f"unknown Meek arithmetic {arithmetic!r}: use 'fixed' or 'rational'")
        self.contest = contest
        self.exact = arithmetic == "rational"
        self.places = RATIONAL_PLACES if self.exact else FIXED_PLACES
        self.one: Value = Fraction(1) if self.exact else FIXED_ONE
        self.omega: Value = RATIONAL_OMEGA if self.exact else FIXED_OMEGA
        self.lot = lot
        self.names = contest.candidates
        self.n = len(self.names)
        ranked = prepare_rankings(contest)
        self.prefs = ranked.prefs
        self.weights = ranked.weights
        self.valid_poll = ranked.valid_poll
        self.invalid = ranked.invalid
        if self.valid_poll == 0:
            raise CountError("there are no valid ballot papers to count")
        self.status = [WITHDRAWN if c in contest.withdrawn else HOPEFUL for c in range(self.n)]
        self.kf: list[Value] = [0 if s == WITHDRAWN else self.one for s in self.status]
        self.votes: list[Value] = [0] * self.n
        self.excess: Value = 0
        self.quota: Value = self._quota(self.valid_poll * self.one)
        self.surplus: Value = 0
        self.elected: list[int] = []
        self.rounds: list[_RoundRecord] = []

    # ---- arithmetic ----------------------------------------------------------------------------------
    def _quota(self, total: Value) -> Value:
        seats = self.contest.seats
        if self.exact:
            return Fraction(total) / (seats + 1)
        return int(total) // (seats + 1) + 1

    def _reached(self, votes: Value) -> bool:
        return votes > self.quota if self.exact else votes >= self.quota

    def _distribute(self) -> None:
        """B.2.a: every ballot gives each ranked candidate w × kf of its weight w, in rank order."""
        n = self.n
        kf = self.kf
        one = self.one
        votes: list[Value] = [0] * n
        excess: Value = 0
        weights = self.weights
        exact = self.exact
        for i, prefs in enumerate(self.prefs):
            m = weights[i]
            w = one
            for c in prefs:
                k = kf[c]
                if not k:
                    continue
                if k == one:
                    votes[c] += w * m
                    w = 0
                    break
                keep = w * k if exact else -((-w * k) // one)  # fixed: rounded up to 10^-9
                votes[c] += keep * m
                w -= keep
                if w <= 0:
                    break
            if w:
                excess += w * m
        self.votes = votes
        self.excess = excess

    def _update_keep_factors(self) -> None:
        """B.2.f: kf ← kf × q ÷ v (fixed: each step rounded up to 10^-9)."""
        one = self.one
        for c in self.elected:
            if self.exact:
                kf = Fraction(self.kf[c]) * self.quota / self.votes[c]
                if kf.denominator.bit_length() > MAX_EXACT_BITS:
                    raise CountError(
                        "exact rational Meek cannot finish this count: its keep factors have grown past "
                        f"{MAX_EXACT_BITS:,} bits without converging; count it in fixed point instead"
                    )
                self.kf[c] = kf
            else:
                product = -((-int(self.kf[c]) * int(self.quota)) // int(one))
                self.kf[c] = -((-product * int(one)) // int(self.votes[c]))

    # ---- figures -------------------------------------------------------------------------------------
    def dec(self, value: Value) -> Decimal:
        return to_decimal(value, self.places, scaled=not self.exact)

    def text(self, value: Value) -> str:
        return votes_text(self.dec(value), self.places)

    # ---- the count -----------------------------------------------------------------------------------
    def run(self) -> CountSheet:
        seats = self.contest.seats
        record: _RoundRecord | None = None
        while True:
            hopeful = [c for c in range(self.n) if self.status[c] == HOPEFUL]
            seats_left = seats - len(self.elected)
            if not len(hopeful) > seats_left > 0:
                break
            record = _RoundRecord(number=len(self.rounds) + 1)
            self.rounds.append(record)
            outcome, batch, iterations = self._iterate(record)
            self._snapshot(record)
            if outcome == "elected":
                continue
            if outcome == "batch":
                for c in batch:
                    self._defeat(record, c, f"is defeated as a sure loser after {iterations} iteration(s)")
                continue
            self._defeat_lowest(record, outcome, iterations)
        if record is None:
            record = _RoundRecord(number=1)
            self.rounds.append(record)
            self._distribute()
            self._snapshot(record)
        self._finish(record)
        return self._sheet()

    def _iterate(self, record: _RoundRecord) -> tuple[str, list[int], int]:
        last_surplus: Value = self.valid_poll * self.one
        iterations = 0
        while True:
            iterations += 1
            self._distribute()
            total = sum(self.votes[c] for c in range(self.n) if self.status[c] in (HOPEFUL, ELECTED))
            self.quota = self._quota(total)
            winners = [c for c in range(self.n) if self.status[c] == HOPEFUL and self._reached(self.votes[c])]
            surplus = sum((self.votes[c] - self.quota for c in self.elected + winners), start=0)
            self.surplus = surplus if surplus > 0 or self.exact else 0
            if winners:
                winners.sort(key=lambda c: (-self.votes[c], c))
                for c in winners:
                    self.status[c] = ELECTED
                    self.elected.append(c)
                    record.elected.append(self.names[c])
                    record.events.append(
                        Event(
                            "elected",
                            self.names[c],
                            f"{self.names[c]} is elected with {self.text(self.votes[c])} votes, at or above "
                            f"the quota of {self.text(self.quota)} (iteration {iterations}).",
                        )
                    )
                return "elected", [], iterations
            if (self.surplus <= self.omega) if self.exact else (self.surplus < self.omega):
                return "omega", [], iterations
            if self.surplus >= last_surplus:
                return "stable", [], iterations
            if self.exact:
                batch = self._sure_losers()
                if batch:
                    return "batch", batch, iterations
            last_surplus = self.surplus
            self._update_keep_factors()

    def _sure_losers(self) -> list[int]:
        """The largest group of lowest hopeful candidates who cannot catch the next one (safe batch)."""
        surplus = self.surplus
        hopeful = sorted(
            (c for c in range(self.n) if self.status[c] == HOPEFUL), key=lambda c: (self.votes[c], c)
        )
        groups: list[list[int]] = []
        group: list[int] = []
        start: Value = 0
        for c in hopeful:
            if start + surplus >= self.votes[c]:
                group.append(c)
            else:
                if group:
                    groups.append(group)
                group = [c]
                start = self.votes[c]
        if group:
            groups.append(group)
        max_defeat = len(hopeful) - (self.contest.seats - len(self.elected))
        running: Value = 0
        count = 0
        last_safe: int | None = None
        for g in range(len(groups) - 1):
            count += len(groups[g])
            if count > max_defeat:
                break
            running += sum(self.votes[c] for c in groups[g])
            if running + surplus < self.votes[groups[g + 1][0]]:
                last_safe = g
        if last_safe is None:
            return []
        return sorted(c for g in groups[: last_safe + 1] for c in g)

    def _defeat_lowest(self, record: _RoundRecord, outcome: str, iterations: int) -> None:
        hopeful = [c for c in range(self.n) if self.status[c] == HOPEFUL]
        low = min(self.votes[c] for c in hopeful)
        tied = [c for c in hopeful if self.votes[c] <= low + self.surplus]
        if len(tied) > 1:
            chosen, how = self.lot.draw(tied)
            names = ", ".join(self.names[c] for c in sorted(tied))
            record.events.append(
                Event(
                    "tie_break",
                    self.names[chosen],
                    f"{names} are tied for the fewest votes (within the total surplus of "
                    f"{self.text(self.surplus)}); {self.names[chosen]} is chosen {how} and is defeated.",
                )
            )
        else:
            (chosen,) = tied
        why = "below omega" if outcome == "omega" else "no longer falling"
        self._defeat(
            record,
            chosen,
            f"has the fewest votes and is defeated: after {iterations} iteration(s) the total surplus "
            f"({self.text(self.surplus)}) is {why}",
        )

    def _defeat(self, record: _RoundRecord, c: int, why: str) -> None:
        self.status[c] = DEFEATED
        self.kf[c] = 0
        record.excluded.append(self.names[c])
        record.events.append(
            Event("excluded", self.names[c], f"{self.names[c]} ({self.text(self.votes[c])} votes) {why}.")
        )

    def _snapshot(self, record: _RoundRecord) -> None:
        # Tallies as the round's last iteration left them; a candidate defeated in it is shown with the
        # votes they had, so that the round balances (votes + excess = valid poll).
        record.tallies = {
            self.names[c]: self.dec(self.votes[c]) for c in range(self.n) if self.status[c] != WITHDRAWN
        }
        record.inactive = {"excess": self.dec(self.excess)}
        record.threshold = self.dec(self.quota)

    def _finish(self, record: _RoundRecord) -> None:
        seats_left = self.contest.seats - len(self.elected)
        hopeful = sorted(
            (c for c in range(self.n) if self.status[c] == HOPEFUL), key=lambda c: (-self.votes[c], c)
        )
        if seats_left <= 0:
            return
        for c in hopeful:
            self.status[c] = ELECTED
            self.elected.append(c)
            record.elected.append(self.names[c])
            record.events.append(
                Event(
                    "elected",
                    self.names[c],
                    f"{self.names[c]} is elected with {self.text(self.votes[c])} votes: the hopeful "
                    f"candidates are no more than the seats left to fill.",
                )
            )
        if len(hopeful) < seats_left:
            record.events.append(
                Event(
                    "note", None, f"{seats_left - len(hopeful)} seat(s) remain unfilled: no candidates left."
                )
            )

    def _sheet(self) -> CountSheet:
        options: dict[str, object] = {
            "rules": (
                "Meek STV in exact rational arithmetic (omega 10^-10, safe batch defeats)"
                if self.exact
                else "PR Foundation reference Meek rule (9-decimal fixed point, omega 10^-6)"
            ),
            "invalid_papers": self.invalid,
        }
        if self.lot.tie_order is not None:
            options["tie_order"] = [self.names[c] for c in self.lot.tie_order]
        rounds = tuple(
            Round(
                number=r.number,
                tallies=r.tallies,
                threshold=r.threshold,
                elected=tuple(r.elected),
                excluded=tuple(r.excluded),
                inactive=r.inactive,
                events=tuple(r.events),
            )
            for r in self.rounds
        )
        return CountSheet(
            method="meek_rational" if self.exact else "meek_prf",
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
