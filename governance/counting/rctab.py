"""RCTab's tabulation rules (single-winner IRV, RCTab-style STV, multi-pass IRV, bottoms-up), exactly.

Kept as one module on purpose, past the usual 600 lines: it follows RCTab's own tabulator step by step, so
that each rule can be checked against its source and the conformance cases in one reading.

`RctabRules` holds every rule option of an RCTab contest config (counting.md §6); `rules_from_rctab_config`
builds it from the parsed config JSON; `count_rctab` runs the count and returns a `CountSheet` whose rounds
match RCTab's detailed report figure for figure (tallies, threshold, transfers, residual surplus and the
inactive-ballot categories).

Speed: identical rankings are counted once with a weight, each candidate keeps a pile of the ballot groups
counting for them, and a round only touches the piles of the candidates who just left the count. A group's
ranks are read lazily, only as far as the count needs; the rules that look back along a ballot (skipped-rank
limit, repeated candidates, overvotes) are applied by rescanning that ballot from its first rank exactly as
RCTab does, which is only needed where a rank is not a single declared candidate. All ballots in a group
share one history, so a group carries one value per ballot. Vote values are integers in units of 10**-d
(d = `decimalPlacesForVoteArithmetic`), truncated exactly as RCTab's BigDecimal arithmetic with
RoundingMode.DOWN; no float is used. Differences from RCTab: ranks past `maxRankingsAllowed` are ignored
(RCTab's readers never read them), and the write-in pseudo-candidate never wins even unopposed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal, cast, overload

import numpy as np

from governance.counting.java_random import JavaRandom, java_hash_set_order, java_shuffle
from governance.counting.model import (
    OVERVOTE_UNKNOWN,
    UNDECLARED_WRITE_IN,
    Contest,
    CountError,
    CountSheet,
    Event,
    RankedBallot,
    Round,
)
from governance.counting.table import Papers, RankTable, joined, read_on

WinnerElectionMode = Literal[
    "singleWinnerMajority",
    "multiWinnerAllowMultipleWinnersPerRound",
    "multiWinnerAllowOnlyOneWinnerPerRound",
    "multiPassIrv",
    "bottomsUp",
    "bottomsUpUsingPercentageThreshold",
]
OvervoteRule = Literal["alwaysSkipToNextRank", "exhaustImmediately", "exhaustIfMultipleContinuing"]
TiebreakMode = Literal[
    "useCandidateOrder",
    "random",
    "previousRoundCountsThenRandom",
    "previousRoundCountsThenAsk",
    "generatePermutation",
    "stopCountingAndAsk",
]

_WINNER_MODES: tuple[str, ...] = WinnerElectionMode.__args__  # type: ignore[attr-defined]
_OVERVOTE_RULES: tuple[str, ...] = OvervoteRule.__args__  # type: ignore[attr-defined]
_TIEBREAK_MODES: tuple[str, ...] = TiebreakMode.__args__  # type: ignore[attr-defined]

UNDECLARED_WRITE_INS_NAME = "Undeclared Write-ins"
"""The name RCTab gives the pseudo-candidate that collects undeclared write-ins."""

# Inactive-ballot categories on the count sheet (Round.inactive keys).
OVERVOTES = "overvotes"
SKIPPED_RANKINGS = "skipped_rankings"
REPEATED_RANKINGS = "repeated_rankings"
EXHAUSTED_CHOICES = "exhausted"
FINAL_ROUND_SURPLUS = "final_round_surplus"
RESIDUAL_SURPLUS = "residual_surplus"
UNDERVOTES = "undervotes"
"""Ballots that rank nobody (within `maxRankingsAllowed`): never active, reported apart as RCTab does."""

EXHAUSTED_TARGET = "exhausted"
RESIDUAL_TARGET = "residual surplus"


@dataclass(frozen=True, slots=True)
class RctabSource:
    """One `cvrFileSources[]` entry: where the ballots are and how to read them (1-based indexes)."""

    provider: str
    file_path: str
    contest_id: str | None = None
    first_vote_column_index: int | None = None
    first_vote_row_index: int | None = None
    id_column_index: int | None = None
    precinct_column_index: int | None = None
    overvote_delimiter: str | None = None
    overvote_label: str | None = None
    skipped_rank_label: str | None = None
    undeclared_write_in_label: str | None = None
    treat_blank_as_undeclared_write_in: bool = False


@dataclass(frozen=True, slots=True)
class RctabRules:
    """Every RCTab rule option the counter implements, with RCTab's meaning (see counting.md §6)."""

    winner_election_mode: WinnerElectionMode = "singleWinnerMajority"
    number_of_winners: int | None = None
    """None: the contest's seats."""
    decimal_places: int = 4
    """`decimalPlacesForVoteArithmetic`: every product and quotient is truncated to this many places."""
    non_integer_winning_threshold: bool = False
    hare_quota: bool = False
    batch_elimination: bool = False
    continue_until_two_candidates_remain: bool = False
    first_round_determines_threshold: bool = False
    stop_tabulation_early_after_round: int | None = None
    minimum_vote_threshold: Decimal = Decimal(0)
    overvote_rule: OvervoteRule = "alwaysSkipToNextRank"
    max_skipped_ranks_allowed: int | None = None
    """None: unlimited."""
    max_rankings_allowed: int | None = None
    """None: "max", as many ranks as there are declared candidates."""
    exhaust_on_duplicate_candidate: bool = False
    tiebreak_mode: TiebreakMode = "useCandidateOrder"
    random_seed: int | None = None
    excluded: frozenset[str] = frozenset()
    """Candidates removed before counting (config `excluded`), on top of `Contest.withdrawn`."""
    candidate_order: tuple[str, ...] = ()
    """The config's candidate order, for `useCandidateOrder`/`generatePermutation`; empty: the contest's."""
    undeclared_write_ins: bool = False
    """Show the write-in pseudo-candidate even with no votes (a source has an `undeclaredWriteInLabel`)."""
    treat_blank_as_undeclared_write_in: bool = False
    """Recorded for the sheet; the ballot readers apply it (a blank cell becomes an undeclared write-in)."""
    sources: tuple[RctabSource, ...] = ()
    contest_name: str = ""

    @property
    def uses_surpluses(self) -> bool:
        return self.winner_election_mode in (
            "multiWinnerAllowMultipleWinnersPerRound",
            "multiWinnerAllowOnlyOneWinnerPerRound",
        )

    def as_options(self) -> dict[str, object]:
        """The options in RCTab's own spelling, for `CountSheet.options`."""
        return {
            "winnerElectionMode": self.winner_election_mode,
            "numberOfWinners": self.number_of_winners,
            "decimalPlacesForVoteArithmetic": self.decimal_places,
            "nonIntegerWinningThreshold": self.non_integer_winning_threshold,
            "hareQuota": self.hare_quota,
            "batchElimination": self.batch_elimination,
            "continueUntilTwoCandidatesRemain": self.continue_until_two_candidates_remain,
            "doesFirstRoundDetermineThreshold": self.first_round_determines_threshold,
            "stopTabulationEarlyAfterRound": self.stop_tabulation_early_after_round,
            "minimumVoteThreshold": str(self.minimum_vote_threshold),
            "overvoteRule": self.overvote_rule,
            "maxSkippedRanksAllowed": (
                "unlimited" if self.max_skipped_ranks_allowed is None else self.max_skipped_ranks_allowed
            ),
            "maxRankingsAllowed": "max" if self.max_rankings_allowed is None else self.max_rankings_allowed,
            "exhaustOnDuplicateCandidate": self.exhaust_on_duplicate_candidate,
            "tiebreakMode": self.tiebreak_mode,
            "randomSeed": self.random_seed,
            "excluded": sorted(self.excluded),
            "treatBlankAsUndeclaredWriteIn": self.treat_blank_as_undeclared_write_in,
        }


# ----------------------------------------------------------------------------------------------------
# Config mapping


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _int_option(rules: Mapping[str, object], key: str, *, default: int | None = None) -> int | None:
    raw = _text(rules.get(key))
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise CountError(f"RCTab config: rules.{key} must be a whole number, not {raw!r}") from None


def _bool_option(rules: Mapping[str, object], key: str) -> bool:
    raw = rules.get(key, False)
    if isinstance(raw, bool):
        return raw
    text = _text(raw).lower()
    if text in ("", "false", "0", "no"):
        return False
    if text in ("true", "1", "yes"):
        return True
    raise CountError(f"RCTab config: rules.{key} must be true or false, not {raw!r}")


def _choice(rules: Mapping[str, object], key: str, allowed: tuple[str, ...], default: str) -> str:
    raw = _text(rules.get(key)) or default
    if raw not in allowed:
        raise CountError(f"RCTab config: rules.{key} {raw!r} is not one of {', '.join(allowed)}")
    return raw


def _source_from_config(raw: Mapping[str, object], index: int) -> RctabSource:
    def opt_int(key: str) -> int | None:
        text = _text(raw.get(key))
        if text == "":
            return None
        try:
            return int(text)
        except ValueError:
            raise CountError(
                f"RCTab config: cvrFileSources[{index}].{key} must be a whole number, not {text!r}"
            ) from None

    def opt_str(key: str) -> str | None:
        text = _text(raw.get(key))
        return text or None

    provider = _text(raw.get("provider"))
    path = _text(raw.get("filePath"))
    if not provider or not path:
        raise CountError(f"RCTab config: cvrFileSources[{index}] needs a provider and a filePath")
    treat_blank = raw.get("treatBlankAsUndeclaredWriteIn", False)
    return RctabSource(
        provider=provider,
        file_path=path,
        contest_id=opt_str("contestId"),
        first_vote_column_index=opt_int("firstVoteColumnIndex"),
        first_vote_row_index=opt_int("firstVoteRowIndex"),
        id_column_index=opt_int("idColumnIndex"),
        precinct_column_index=opt_int("precinctColumnIndex"),
        overvote_delimiter=opt_str("overvoteDelimiter"),
        overvote_label=opt_str("overvoteLabel"),
        skipped_rank_label=opt_str("skippedRankLabel") or opt_str("undervoteLabel"),
        undeclared_write_in_label=opt_str("undeclaredWriteInLabel"),
        treat_blank_as_undeclared_write_in=treat_blank is True or _text(treat_blank).lower() == "true",
    )


def rctab_candidates(config: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, str], frozenset[str]]:
    """The config's candidates: names in order, alias → name (names map to themselves), and excluded names."""
    raw = config.get("candidates")
    if not isinstance(raw, list) or not raw:
        raise CountError("RCTab config: candidates[] is missing or empty")
    names: list[str] = []
    aliases: dict[str, str] = {}
    excluded: set[str] = set()
    for i, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            raise CountError(f"RCTab config: candidates[{i}] is not an object")
        name = _text(entry.get("name"))
        if not name:
            raise CountError(f"RCTab config: candidates[{i}] has no name")
        if name in aliases:
            raise CountError(f"RCTab config: candidate {name!r} is listed twice")
        names.append(name)
        aliases[name] = name
        for alias in entry.get("aliases") or ():
            alias_text = _text(alias)
            if alias_text:
                aliases[alias_text] = name
        code = _text(entry.get("code"))
        if code:
            aliases[code] = name
        if entry.get("excluded") is True or _text(entry.get("excluded")).lower() == "true":
            excluded.add(name)
    return tuple(names), aliases, frozenset(excluded)


def rules_from_rctab_config(config: Mapping[str, Any]) -> RctabRules:
    """Map a parsed RCTab contest config (`*_config.json`) to `RctabRules`; bad values raise `CountError`."""
    rules = config.get("rules")
    if not isinstance(rules, Mapping):
        raise CountError("RCTab config: the rules object is missing")
    names, _aliases, excluded = rctab_candidates(config)
    raw_sources = config.get("cvrFileSources") or []
    if not isinstance(raw_sources, list):
        raise CountError("RCTab config: cvrFileSources must be a list")
    sources = tuple(_source_from_config(s, i) for i, s in enumerate(raw_sources) if isinstance(s, Mapping))

    mode = cast(
        WinnerElectionMode, _choice(rules, "winnerElectionMode", _WINNER_MODES, "singleWinnerMajority")
    )
    if mode == "bottomsUpUsingPercentageThreshold":
        raise CountError("RCTab config: bottomsUpUsingPercentageThreshold is not supported by this counter")
    max_skipped_raw = _text(rules.get("maxSkippedRanksAllowed")).lower()
    max_rankings_raw = _text(rules.get("maxRankingsAllowed")).lower()
    min_threshold_raw = _text(rules.get("minimumVoteThreshold")) or "0"
    try:
        minimum = Decimal(min_threshold_raw)
    except ArithmeticError:
        raise CountError(
            f"RCTab config: rules.minimumVoteThreshold {min_threshold_raw!r} is not a number"
        ) from None
    stop_after = _int_option(rules, "stopTabulationEarlyAfterRound")
    output = config.get("outputSettings")
    contest_name = _text(output.get("contestName")) if isinstance(output, Mapping) else ""
    return RctabRules(
        winner_election_mode=mode,
        number_of_winners=_int_option(rules, "numberOfWinners"),
        decimal_places=_int_option(rules, "decimalPlacesForVoteArithmetic", default=4) or 0,
        non_integer_winning_threshold=_bool_option(rules, "nonIntegerWinningThreshold"),
        hare_quota=_bool_option(rules, "hareQuota"),
        batch_elimination=_bool_option(rules, "batchElimination"),
        continue_until_two_candidates_remain=_bool_option(rules, "continueUntilTwoCandidatesRemain"),
        first_round_determines_threshold=_bool_option(rules, "doesFirstRoundDetermineThreshold"),
        stop_tabulation_early_after_round=stop_after,
        minimum_vote_threshold=minimum,
        overvote_rule=cast(
            OvervoteRule, _choice(rules, "overvoteRule", _OVERVOTE_RULES, "alwaysSkipToNextRank")
        ),
        max_skipped_ranks_allowed=(
            None if max_skipped_raw in ("", "unlimited") else _int_option(rules, "maxSkippedRanksAllowed")
        ),
        max_rankings_allowed=(
            None if max_rankings_raw in ("", "max") else _int_option(rules, "maxRankingsAllowed")
        ),
        exhaust_on_duplicate_candidate=_bool_option(rules, "exhaustOnDuplicateCandidate"),
        tiebreak_mode=cast(
            TiebreakMode, _choice(rules, "tiebreakMode", _TIEBREAK_MODES, "useCandidateOrder")
        ),
        random_seed=_int_option(rules, "randomSeed"),
        excluded=excluded,
        candidate_order=names,
        undeclared_write_ins=any(
            s.undeclared_write_in_label or s.treat_blank_as_undeclared_write_in for s in sources
        ),
        treat_blank_as_undeclared_write_in=_bool_option(rules, "treatBlankAsUndeclaredWriteIn")
        or any(s.treat_blank_as_undeclared_write_in for s in sources),
        sources=sources,
        contest_name=contest_name,
    )


# ----------------------------------------------------------------------------------------------------
# Counting


class TieNeedsDecision(CountError):
    """A tie that the configured mode leaves to a person (stopCountingAndAsk, previousRoundCountsThenAsk)."""


class TieNeedsLot(CountError):
    """A tie has to be settled by lot and no random seed was given: count again with a (recorded) seed."""


@dataclass(slots=True)
class _Tabulation:
    """The state of one RCTab tabulation (one pass of multi-pass IRV)."""

    names: list[str]
    rules: RctabRules
    seats: int
    scale: int
    ballots: Sequence[tuple[tuple[int, ...], ...]]
    """Each group's raw ranks (one entry per distinct ranking); read lazily, as far as the count needs."""
    weights: list[int]
    max_rankings: int
    longest_ballot: int
    out: set[int]  # excluded from the start
    uwi: int
    """Index of the undeclared write-in pseudo-candidate (after the declared candidates)."""
    uwi_counted: bool
    """Whether the pseudo-candidate takes part: configured, or some ballot has reached a write-in."""
    permutation: list[str]
    random: JavaRandom | None
    table: RankTable
    bulk: bool
    """Groups move in bulk off `table` (`_move_in_bulk`): whole votes and no rule that looks back."""
    # dynamic state
    continuing: list[bool] = field(default_factory=list)
    winners: dict[int, int] = field(default_factory=dict)  # candidate -> round won
    eliminated: dict[int, int] = field(default_factory=dict)  # candidate -> round eliminated
    tally: list[int] = field(default_factory=list)
    piles: list[list[int]] = field(default_factory=list)
    parts: list[list[Papers]] = field(default_factory=list)
    """With `bulk`, the groups each candidate holds, as the arrays they arrived in (`piles` then holds only
    the groups that `_rescan` placed)."""
    pos: list[int] | Papers = field(default_factory=list)
    """Each group's place: the rank index it counts at, -1 before it is read, -2 once inactive. An array
    when groups move in bulk (`bulk`)."""
    values: list[int] = field(default_factory=list)
    amounts: list[int] = field(default_factory=list)  # values[g] * weights[g], kept in step
    inactive: dict[str, int] = field(default_factory=dict)
    residual_total: int = 0
    winner_allocated: dict[int, int] = field(default_factory=dict)
    round_tallies: list[dict[int, int]] = field(default_factory=list)
    thresholds: list[int] = field(default_factory=list)

    # ---------------------------------------------------------------- helpers

    def _fmt(self, scaled: int) -> Decimal:
        return Decimal(scaled).scaleb(-self._places())

    def _places(self) -> int:
        return self.rules.decimal_places if self.rules.uses_surpluses else 0

    def _num_candidates(self) -> int:
        """RCTab's getNumCandidates(): declared, not excluded, plus the write-in pseudo-candidate."""
        return self._num_declared() + (1 if self.uwi_counted else 0)

    def _num_declared(self) -> int:
        return sum(1 for c in range(self.uwi) if c not in self.out)

    # ---------------------------------------------------------------- the move of ballots

    def _move(
        self,
        groups: Sequence[int] | Papers,
        source: int | None,
        transfers: dict[int | None, dict[str, int]] | None,
        final_surplus: bool,
    ) -> None:
        """Give each group in `groups` to its next continuing choice (RCTab computeTalliesForRound).

        This is the hot loop of every count. It touches only the groups that move and reads their ranks only
        as far as needed; a rank that is not a single declared candidate (a skip, an overvote, a write-in,
        the rankings limit) or a rule that looks back (exhaustOnDuplicateCandidate) sends the group to
        `_rescan`, which scans the ballot from the start exactly as RCTab does. What moved where is read
        afterwards from the change in the continuing candidates' tallies.
        """
        amounts = self.amounts
        pos = self.pos
        tally = self.tally
        before = list(tally) if transfers is not None and source is not None else None
        if before is None and not final_surplus:
            total = 0
        elif source is not None and not self.continuing[source] and source not in self.winners:
            total = tally[source]  # an excluded candidate's pile holds exactly their tally
        else:
            total = sum(map(amounts.__getitem__, groups))
        if final_surplus:
            for g in groups:
                pos[g] = -2
            self.inactive[FINAL_ROUND_SURPLUS] = self.inactive.get(FINAL_ROUND_SURPLUS, 0) + total
        elif self.rules.exhaust_on_duplicate_candidate:
            for g in groups:
                self._rescan(g, amounts[g])
        elif self.bulk:
            self._move_in_bulk(groups)
        else:
            ballots = self.ballots
            # Indexed by candidate: True (continuing), False (out); the two markers (-2, -1) index the
            # trailing None entries and so take the slow path, as does the write-in slot.
            look: list[bool | None] = [*self.continuing, None, None]
            look[self.uwi] = None
            piles = self.piles
            limit = self.max_rankings
            truncate = self.longest_ballot > limit
            slow: list[int] = []
            exhausted = 0
            add_to = [pile.append for pile in piles]
            gained = [0] * len(piles)  # added up as groups move, while their entries are in cache
            for g in groups:
                ranks = ballots[g]
                i = pos[g] + 1
                end = len(ranks)
                if truncate and end > limit:
                    end = limit
                try:
                    while i < end:
                        (c,) = ranks[i]  # ValueError unless exactly one candidate at this rank
                        state = look[c]
                        if state:
                            pos[g] = i
                            add_to[c](g)
                            gained[c] += amounts[g]
                            break
                        if state is None:
                            slow.append(g)
                            break
                        i += 1
                    else:
                        if end:
                            # Every remaining rank names a candidate who is out: exhausted choices.
                            exhausted += amounts[g]
                            pos[g] = -2
                        else:
                            slow.append(g)
                except (ValueError, IndexError):
                    slow.append(g)
            for c, amount in enumerate(gained):
                if amount:
                    tally[c] += amount
            if exhausted:
                self.inactive[EXHAUSTED_CHOICES] = self.inactive.get(EXHAUSTED_CHOICES, 0) + exhausted
            for g in slow:
                self._rescan(g, amounts[g])
        if before is not None and transfers is not None and source is not None:
            record = transfers.setdefault(source, {})
            received = 0
            for c, (old, new) in enumerate(zip(before, tally, strict=True)):
                if new != old and c != source:
                    record[self.names[c]] = record.get(self.names[c], 0) + new - old
                    received += new - old
            if total - received > 0:
                record[EXHAUSTED_TARGET] = record.get(EXHAUSTED_TARGET, 0) + total - received

    def _move_in_bulk(self, groups: Sequence[int] | Papers) -> None:
        """`_move`'s loop over the whole list of groups at once, off the contest's rank table (whole votes
        only: a group's amount is then its weight, which the table holds). Exactly the same rules: a rank
        that is not a single declared candidate sends the group to `_rescan`. The groups that move stay
        arrays, in `parts`; only the few that `_rescan` places join `piles`."""
        limit = self.max_rankings if self.longest_ballot > self.max_rankings else None
        pos = cast("Papers", self.pos)
        reading = read_on(
            self.table,
            np.asarray(groups, dtype=np.intp),
            pos,
            self.continuing,
            irregular_ends=False,
            limit=limit,
        )
        tally = self.tally
        parts = self.parts
        for c, went, total in reading.to:
            parts[c].append(went)
            tally[c] += total
        if reading.ended.size:
            # Every remaining rank names a candidate who is out: exhausted choices.
            pos[reading.ended] = -2
            self.inactive[EXHAUSTED_CHOICES] = self.inactive.get(EXHAUSTED_CHOICES, 0) + reading.ended_weight
        amounts = self.amounts
        # In ballot order, as the per-group loop rescans them: the first bad ballot met is the one reported.
        for g in np.sort(reading.stopped).tolist():
            self._rescan(g, amounts[g])

    def _first_round(self) -> None:
        """Round 1: every ballot to its first choice. The common case (one continuing candidate at rank 1)
        takes a few bytecodes per group; anything else goes through `_move`'s rules."""
        if self.bulk:
            self._move(np.arange(len(self.ballots), dtype=np.intp), None, None, False)
            return
        if self.rules.exhaust_on_duplicate_candidate or self.max_rankings < 1:
            self._move(range(len(self.ballots)), None, None, False)
            return
        look: list[bool | None] = [*self.continuing, None, None]
        look[self.uwi] = None
        add_to = [pile.append for pile in self.piles]
        self.pos = [0] * len(self.ballots)
        amounts = self.amounts
        tally = self.tally
        others: list[int] = []
        for g, ranks in enumerate(self.ballots):
            try:
                (c,) = ranks[0]
                if look[c]:
                    add_to[c](g)
                    tally[c] += amounts[g]
                    continue
            except (ValueError, IndexError):
                pass
            others.append(g)
        if others:
            pos = self.pos
            for g in others:
                pos[g] = -1
            self._move(others, None, None, False)

    def _rescan(self, g: int, amount: int) -> None:
        """RCTab's scan of one ballot from its first rank: skipped-rank limit, repeated candidates, the
        overvote rule, and the first continuing candidate; or the category the ballot becomes inactive in."""
        rules = self.rules
        cont = self.continuing
        declared = self.uwi
        ranks = self.ballots[g][: self.max_rankings]
        marked = [i for i, at_rank in enumerate(ranks) if at_rank]
        category = EXHAUSTED_CHOICES
        if not marked:
            category = UNDERVOTES
        last = -1
        seen: set[int] = set()
        max_skip = rules.max_skipped_ranks_allowed
        for i in marked:
            if max_skip is not None and i - last > max_skip + 1:
                category = SKIPPED_RANKINGS
                break
            last = i
            cands: list[int] = []
            for c in ranks[i]:
                if c == UNDECLARED_WRITE_IN:
                    c = declared
                    if not self.uwi_counted:
                        self.uwi_counted = True
                elif c >= declared or (c < 0 and c != OVERVOTE_UNKNOWN):
                    raise CountError(
                        f"A ballot names candidate number {c + 1} at preference {i + 1}, "
                        f"but only {declared} stand."
                    )
                cands.append(c)
            if rules.exhaust_on_duplicate_candidate:
                repeated = False
                for c in cands:
                    if c in seen:
                        repeated = True
                        break
                    seen.add(c)
                if repeated:
                    category = REPEATED_RANKINGS
                    break
            distinct = list(dict.fromkeys(cands))
            if OVERVOTE_UNKNOWN in distinct or len(distinct) > 1:
                if OVERVOTE_UNKNOWN in distinct and len(distinct) > 1:
                    raise CountError("A ballot marks both an overvote label and candidates at one rank.")
                rule = rules.overvote_rule
                if rule == "exhaustIfMultipleContinuing" and OVERVOTE_UNKNOWN in distinct:
                    raise CountError(
                        "Ballots with an overvote label need overvoteRule exhaustImmediately or "
                        "alwaysSkipToNextRank."
                    )
                if rule == "exhaustImmediately":
                    category = OVERVOTES
                    break
                if rule == "alwaysSkipToNextRank":
                    continue
                live = [c for c in distinct if cont[c]]
                if len(live) >= 2:
                    category = OVERVOTES
                    break
                if not live:
                    continue
                distinct = live
            c = distinct[0]
            if cont[c]:
                self.pos[g] = i
                self.piles[c].append(g)
                self.tally[c] += amount
                return
        self.inactive[category] = self.inactive.get(category, 0) + amount
        self.pos[g] = -2

    # ---------------------------------------------------------------- threshold

    def _threshold(self, active: int) -> int:
        r = self.rules
        seats = self.seats
        scale = self.scale
        divisor = seats if r.hare_quota else seats + 1
        # Integer thresholds work in whole votes (unit = scale); non-integer ones in units of 10**-d.
        unit = 1 if r.non_integer_winning_threshold else scale
        if r.hare_quota:
            threshold = -(-active // (divisor * unit)) * unit
        else:
            threshold = (active // (divisor * unit) + 1) * unit
        minimum = int(r.minimum_vote_threshold * scale)
        return max(threshold, minimum) if minimum > 0 else threshold

    # ---------------------------------------------------------------- tie-breaks

    def _break_tie(self, tied: list[int], *, winner: bool, round_no: int, votes: int) -> tuple[int, str]:
        mode = self.rules.tiebreak_mode
        names = self.names
        ordered = sorted(names[c] for c in tied)
        by_name = {names[c]: c for c in tied}
        what = "win" if winner else "be excluded"
        shown = _join([*ordered])
        if mode in ("useCandidateOrder", "generatePermutation"):
            search = self.permutation if winner else list(reversed(self.permutation))
            chosen = next((n for n in search if n in by_name), ordered[-1] if not winner else ordered[0])
            how = (
                "the order of candidates in the contest configuration"
                if mode == "useCandidateOrder"
                else f"a candidate order shuffled with random seed {self.rules.random_seed}"
            )
            reason = (
                f"{shown} were tied on {self._fmt_votes(votes)} votes. {chosen} was chosen to {what} "
                f"because they come {'earliest' if winner else 'latest'} in {how}."
            )
            return by_name[chosen], reason
        if mode == "random":
            chosen = self._random_pick(ordered)
            reason = (
                f"{shown} were tied on {self._fmt_votes(votes)} votes. {chosen} was chosen by lot "
                f"(java.util.Random, seed {self.rules.random_seed}) to {what}."
            )
            return by_name[chosen], reason
        if mode == "stopCountingAndAsk":
            raise TieNeedsDecision(
                f"Round {round_no}: {shown} are tied on {self._fmt_votes(votes)} votes and the rules say the "
                "count must stop for a person to decide."
            )
        # previousRoundCountsThenRandom / previousRoundCountsThenAsk
        contention = ordered
        for earlier in range(round_no - 1, 0, -1):
            tallies = self.round_tallies[earlier - 1]
            groups: dict[int, list[str]] = {}
            for name in java_hash_set_order(contention):
                groups.setdefault(tallies.get(by_name[name], 0), []).append(name)
            key = max(groups) if winner else min(groups)
            contention = groups[key]
            if len(contention) == 1:
                chosen = contention[0]
                reason = (
                    f"{shown} were tied on {self._fmt_votes(votes)} votes. {chosen} had the "
                    f"{'most' if winner else 'fewest'} votes ({self._fmt_votes(key)}) in round {earlier}, "
                    f"so {chosen} was chosen to {what}."
                )
                return by_name[chosen], reason
        if mode == "previousRoundCountsThenAsk":
            raise TieNeedsDecision(
                f"Round {round_no}: {shown} are tied on {self._fmt_votes(votes)} votes in every round and "
                "rules say the count must stop for a person to decide."
            )
        chosen = self._random_pick(contention)
        reason = (
            f"{shown} were tied on {self._fmt_votes(votes)} votes and also in every earlier round, so "
            f"{chosen} was chosen by lot (java.util.Random, seed {self.rules.random_seed}) to {what}."
        )
        return by_name[chosen], reason

    def _random_pick(self, ordered: list[str]) -> str:
        if self.random is None:
            raise TieNeedsLot(
                f"{_join(ordered)} are tied and the tie has to be settled by lot, but no random seed was "
                "given: count again with a seed, and record it."
            )
        return ordered[self.random.next_index(len(ordered))]

    def _fmt_votes(self, scaled: int) -> str:
        return str(self._fmt(scaled))

    # ---------------------------------------------------------------- batch elimination

    def _batch(self, by_tally: list[tuple[int, list[int]]]) -> list[int]:
        running = 0
        seen: list[int] = []
        chosen: list[int] = []
        previous: list[int] = []
        chosen_set: set[int] = set()
        for votes, cands in by_tally:
            new = list(chosen)
            if running < votes:
                for c in seen:
                    if c not in chosen_set:
                        chosen_set.add(c)
                        new.append(c)
            running += votes * len(cands)
            seen.extend(cands)
            if len(new) > len(chosen):
                previous = chosen
                chosen = new
        if (
            self.rules.continue_until_two_candidates_remain
            and len(chosen) + len(self.eliminated) == self._num_candidates() - 1
        ):
            chosen = previous
        return chosen

    # ---------------------------------------------------------------- the round loop

    def _should_continue(self, round_no: int) -> bool:
        r = self.rules
        stop = r.stop_tabulation_early_after_round
        if stop is not None and stop > 0 and round_no >= stop:
            return False
        if len(self.winners) == self._num_declared() and self.seats > self._num_candidates():
            return False
        if r.continue_until_two_candidates_remain:
            return len(self.eliminated) + len(self.winners) + 1 < self._num_candidates() or (
                round_no in self.eliminated.values()
            )
        return len(self.winners) < self.seats or (r.uses_surpluses and round_no in self.winners.values())

    def run(self) -> list[Round]:
        r = self.rules
        n = len(self.names)
        self.continuing = [c not in self.out for c in range(n)]
        self.tally = [0] * n
        self.piles = [[] for _ in range(n)]
        self.parts = [[] for _ in range(n)]
        self.values = [self.scale] * len(self.ballots)
        scale = self.scale
        if scale == 1 and not r.uses_surpluses:
            # Whole votes and no surplus transfers: a group's amount is its weight and never changes, so
            # groups can be moved in bulk off the contest's rank table, which holds the weights too.
            self.amounts = self.weights
        else:
            self.amounts = [scale * w for w in self.weights]
        self.pos = np.full(len(self.ballots), -1, dtype=np.intp) if self.bulk else [-1] * len(self.ballots)
        self.inactive = {}
        rounds: list[Round] = []
        round_no = 0
        to_move: list[int] = []  # candidates whose piles move at the start of the next round
        pending_winners: list[int] = []  # winners of the previous round whose tallies settle this round
        previous: _RoundDraft | None = None
        while self._should_continue(round_no):
            round_no += 1
            transfers: dict[int | None, dict[str, int]] = {}
            seats_filled = len(self.winners) == self.seats
            if round_no == 1:
                self._first_round()
            else:
                for c in to_move:
                    pile: list[int] | Papers = self.piles[c]
                    self.piles[c] = []
                    if self.bulk:
                        pile = joined([*self.parts[c], np.array(pile, dtype=np.intp)])
                        self.parts[c] = []
                    else:
                        # In ballot order, the order the groups lie in memory, so that the processor can
                        # fetch ahead: a pile is one run per earlier move, and read out of order it costs up
                        # to twice as long.
                        pile.sort()
                    self._move(pile, c, transfers, r.uses_surpluses and seats_filled)
                    if not self.continuing[c]:
                        self.tally[c] = 0
            to_move = []
            uwi = self.uwi
            continuing_ids = [c for c in range(n) if self.continuing[c] and (c != uwi or self.uwi_counted)]
            active = sum(self.tally[c] for c in continuing_ids)
            if self.seats > 1:
                recompute = round_no == 1
            else:
                # continueUntilTwoCandidatesRemain freezes the threshold once someone has won.
                recompute = round_no == 1 or not (
                    r.first_round_determines_threshold
                    or (r.continue_until_two_candidates_remain and self.winners)
                )
            threshold = self._threshold(active) if recompute else self.thresholds[-1]
            self.thresholds.append(threshold)
            current = {c: self.tally[c] for c in continuing_ids}
            self.round_tallies.append(current)
            events: list[Event] = []
            elected_now = self._identify_winners(current, threshold, round_no, events)
            eliminated_now: list[int] = []
            if elected_now:
                for w in elected_now:
                    self.winners[w] = round_no
                if r.uses_surpluses:
                    for w in elected_now:
                        self._record_surplus(w, threshold, events)
                        self.continuing[w] = False
                        to_move.append(w)
                elif self.seats > 1 or not r.continue_until_two_candidates_remain:
                    # continueUntilTwoCandidatesRemain keeps a single winner in the count.
                    for w in elected_now:
                        self.continuing[w] = False
            elif len(self.winners) < self.seats or (
                r.continue_until_two_candidates_remain and len(self.eliminated) < self._num_candidates() - 2
            ):
                eliminated_now = self._eliminate(current, round_no, events)
                for loser in eliminated_now:
                    self.eliminated[loser] = round_no
                    self.continuing[loser] = False
                    to_move.append(loser)
            # RCTab updateWinnerTallies: last round's winners keep what they retained, pinned at the quota.
            shown = dict(current)
            residual_moves: dict[int | None, dict[str, int]] = {}
            if self.seats > 1:
                for w, won in self.winners.items():
                    if won == round_no:
                        continue
                    if w in pending_winners:
                        kept = self.winner_allocated.get(w, 0)
                        surplus_left = kept - threshold
                        if surplus_left > 0:
                            self.residual_total += surplus_left
                            residual_moves.setdefault(w, {})[RESIDUAL_TARGET] = surplus_left
                            kept = threshold
                        self.tally[w] = kept
                    shown[w] = self.tally[w]
            pending_winners = list(elected_now) if r.uses_surpluses else []
            if previous is not None:
                for source, moved in residual_moves.items():
                    bucket = transfers.setdefault(source, {})
                    for key, amount in moved.items():
                        bucket[key] = bucket.get(key, 0) + amount
                rounds.append(previous.finish(transfers))
            inactive = dict(self.inactive)
            if self.residual_total:
                inactive[RESIDUAL_SURPLUS] = self.residual_total
            previous = _RoundDraft(
                self,
                round_no,
                {self.names[c]: v for c, v in sorted(shown.items())},
                threshold,
                tuple(self.names[c] for c in elected_now),
                tuple(self.names[c] for c in eliminated_now),
                inactive,
                tuple(events),
            )
        if previous is not None:
            rounds.append(previous.finish({}))
        return rounds

    def _identify_winners(
        self, current: dict[int, int], threshold: int, round_no: int, events: list[Event]
    ) -> list[int]:
        r = self.rules
        uwi = self.uwi
        if current.get(uwi, 0) != 0:
            return []
        unfilled = self.seats - len(self.winners)
        selected: list[int] = []
        if unfilled > 0:
            if len(current) <= unfilled:
                # The write-in pseudo-candidate can never win, even unopposed.
                selected = sorted(
                    (c for c in current if c != uwi), key=lambda c: (-current[c], self.names[c])
                )
            elif r.first_round_determines_threshold and len(current) - 1 == self.seats:
                top = max(current.values())
                selected = [c for c, v in current.items() if v == top]
            elif r.winner_election_mode != "bottomsUp":
                selected = sorted(
                    (c for c, v in current.items() if v >= threshold and c != uwi),
                    key=lambda c: (-current[c], self.names[c]),
                )
        tie_for_many = len(selected) > 1 and (
            r.winner_election_mode == "multiWinnerAllowOnlyOneWinnerPerRound"
            or r.first_round_determines_threshold
        )
        minimum = int(r.minimum_vote_threshold * self.scale)
        tie_for_none = (
            self.seats == 1
            and not selected
            and len(current) == 2
            and unfilled == 1
            and all(v >= minimum for v in current.values())
        )
        if tie_for_many or tie_for_none:
            top = max(current.values())
            selected = [c for c, v in current.items() if v == top]
            if len(selected) > 1:
                chosen, reason = self._break_tie(selected, winner=True, round_no=round_no, votes=top)
                events.append(Event("tie_break", self.names[chosen], reason))
                selected = [chosen]
        for w in selected:
            name = self.names[w]
            votes = self._fmt_votes(current[w])
            if current[w] >= threshold:
                message = f"{name} is elected with {votes} votes, reaching the threshold of "
                message += f"{self._fmt_votes(threshold)}."
            elif len(current) <= unfilled:
                message = (
                    f"{name} is elected with {votes} votes: no more candidates remain than seats to fill."
                )
            else:
                message = f"{name} is elected with {votes} votes, the most of the candidates left."
            events.append(Event("elected", name, message))
        return selected

    def _eliminate(self, current: dict[int, int], round_no: int, events: list[Event]) -> list[int]:
        r = self.rules
        names = self.names
        uwi = self.uwi
        if current.get(uwi, 0) > 0:
            events.append(
                Event(
                    "excluded",
                    names[uwi],
                    f"Undeclared write-ins ({self._fmt_votes(current[uwi])} votes) are set aside first: "
                    "they cannot win.",
                )
            )
            return [uwi]
        by_value: dict[int, list[int]] = {}
        for c, v in current.items():
            by_value.setdefault(v, []).append(c)
        by_tally = sorted(by_value.items())
        minimum = int(r.minimum_vote_threshold * self.scale)
        if minimum > 0 and by_tally[0][0] < minimum:
            below = [c for v, cs in by_tally if v < minimum for c in cs]
            if len(below) == self._num_declared():
                raise CountError("Every declared candidate is below the minimum vote threshold.")
            for c in below:
                events.append(
                    Event(
                        "excluded",
                        names[c],
                        f"{names[c]} is excluded with {self._fmt_votes(current[c])} votes, below the minimum "
                        f"of {self._fmt_votes(minimum)}.",
                    )
                )
            return below
        if r.batch_elimination:
            batch = self._batch(by_tally)
            if len(batch) > 1:
                total = sum(current[c] for c in batch)
                for c in sorted(batch, key=lambda c: (current[c], names[c])):
                    events.append(
                        Event(
                            "excluded",
                            names[c],
                            f"{names[c]} is excluded with {self._fmt_votes(current[c])} votes: together the "
                            f"lowest candidates have {self._fmt_votes(total)} votes, fewer than the next "
                            "candidate, so none of them can win.",
                        )
                    )
                return batch
        low, lowest = by_tally[0]
        if len(lowest) > 1:
            loser, reason = self._break_tie(lowest, winner=False, round_no=round_no, votes=low)
            events.append(Event("tie_break", names[loser], reason))
        else:
            loser = lowest[0]
        events.append(
            Event(
                "excluded",
                names[loser],
                f"{names[loser]} has the fewest votes ({self._fmt_votes(low)}) and is excluded.",
            )
        )
        return [loser]

    def _record_surplus(self, w: int, threshold: int, events: list[Event]) -> None:
        scale = self.scale
        votes = self.tally[w]
        extra = votes - threshold
        fraction = extra * scale // votes if extra > 0 and votes > 0 else 0
        allocated_total = 0
        values = self.values
        weights = self.weights
        amounts = self.amounts
        for g in self.piles[w]:
            v = values[g]
            moving = v * fraction // scale
            allocated_total += (v - moving) * weights[g]
            values[g] = moving
            amounts[g] = moving * weights[g]
        self.winner_allocated[w] = allocated_total
        if extra > 0:
            events.append(
                Event(
                    "surplus",
                    self.names[w],
                    f"{self.names[w]}'s surplus of {self._fmt_votes(extra)} votes moves on: every ballot "
                    f"counting for them passes on {Decimal(fraction).scaleb(-self.rules.decimal_places)} "
                    "of its value.",
                )
            )


@dataclass(slots=True)
class _RoundDraft:
    tab: _Tabulation
    number: int
    tallies: dict[str, int]
    threshold: int
    elected: tuple[str, ...]
    excluded: tuple[str, ...]
    inactive: dict[str, int]
    events: tuple[Event, ...]

    def finish(self, transfers: Mapping[int | None, Mapping[str, int]]) -> Round:
        fmt = self.tab._fmt
        names = self.tab.names
        moved: dict[str, dict[str, Decimal]] = {}
        for source, targets in transfers.items():
            if source is None:
                continue
            moved[names[source]] = {target: fmt(v) for target, v in sorted(targets.items())}
        inactive = {k: fmt(v) for k, v in self.inactive.items()}
        for key in (OVERVOTES, SKIPPED_RANKINGS, REPEATED_RANKINGS, EXHAUSTED_CHOICES):
            inactive.setdefault(key, fmt(0))
        return Round(
            number=self.number,
            tallies={name: fmt(v) for name, v in self.tallies.items()},
            threshold=fmt(self.threshold),
            elected=self.elected,
            excluded=self.excluded,
            transfers=moved,
            inactive=inactive,
            events=self.events,
        )


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _prepare(
    contest: Contest, rules: RctabRules, extra_out: frozenset[str], seats: int
) -> tuple[_Tabulation, list[str]]:
    names = [*contest.candidates, UNDECLARED_WRITE_INS_NAME]
    declared = len(contest.candidates)
    unknown = (rules.excluded | extra_out) - set(contest.candidates)
    if unknown:
        raise CountError(f"Excluded candidate(s) not standing in this contest: {', '.join(sorted(unknown))}")
    max_rankings = rules.max_rankings_allowed if rules.max_rankings_allowed is not None else declared
    # Whole votes, no surplus transfers and no rule that looks back along a ballot: groups move in bulk off
    # the contest's rank table, and a group's ranks are only read one by one when it needs `_rescan`.
    bulk = not rules.uses_surpluses and not rules.exhaust_on_duplicate_candidate and max_rankings >= 1
    ranks_list: Sequence[tuple[tuple[int, ...], ...]]
    table = contest.table
    if bulk:
        ranks_list = _RanksOf(contest.ballots)
        weights = table.weights.tolist()
        longest_ballot = table.cells.shape[1] - 1
        negative = bool(table.weights.size) and int(table.weights.min()) < 0
    else:
        # Both slots read in one loop: a fraction of the instructions of `map(attrgetter(...))` per field.
        ranks_list = [()] * len(contest.ballots)
        weights = [0] * len(contest.ballots)
        for g, ballot in enumerate(contest.ballots):
            ranks_list[g] = ballot.ranks
            weights[g] = ballot.weight
        longest_ballot = max(map(len, ranks_list), default=0)
        negative = bool(weights) and min(weights) < 0
    if negative:
        raise CountError("A ballot has a negative weight.")
    out = {i for i, name in enumerate(contest.candidates) if name in rules.excluded or name in extra_out}
    out |= set(contest.withdrawn)
    order = list(rules.candidate_order) or list(contest.candidates)
    randomness: JavaRandom | None = None
    permutation = list(order)
    needs_seed = rules.tiebreak_mode in ("random", "previousRoundCountsThenRandom", "generatePermutation")
    if needs_seed and rules.random_seed is not None:
        randomness = JavaRandom(rules.random_seed)
        if rules.tiebreak_mode == "generatePermutation":
            permutation = java_shuffle(sorted(permutation), randomness)
            randomness = None
    elif rules.tiebreak_mode == "generatePermutation":
        raise CountError("tiebreakMode generatePermutation needs a randomSeed.")
    tab = _Tabulation(
        names=names,
        rules=rules,
        seats=seats,
        scale=10 ** (rules.decimal_places if rules.uses_surpluses else 0),
        ballots=ranks_list,
        weights=weights,
        max_rankings=max_rankings,
        longest_ballot=longest_ballot,
        out=out,
        uwi=declared,
        uwi_counted=rules.undeclared_write_ins,
        permutation=permutation,
        random=randomness,
        table=table,
        bulk=bulk,
    )
    return tab, names


class _RanksOf(Sequence[tuple[tuple[int, ...], ...]]):
    """The ballots' ranks, read one ballot at a time: all a bulk count needs, with no list made of them."""

    def __init__(self, ballots: Sequence[RankedBallot]) -> None:
        self.ballots = ballots

    def __len__(self) -> int:
        return len(self.ballots)

    @overload
    def __getitem__(self, g: int) -> tuple[tuple[int, ...], ...]: ...
    @overload
    def __getitem__(self, g: slice) -> Sequence[tuple[tuple[int, ...], ...]]: ...
    def __getitem__(
        self, g: int | slice
    ) -> tuple[tuple[int, ...], ...] | Sequence[tuple[tuple[int, ...], ...]]:
        if isinstance(g, slice):
            return [ballot.ranks for ballot in self.ballots[g]]
        return self.ballots[g].ranks


def _sheet(
    contest: Contest, rules: RctabRules, tab: _Tabulation, rounds: list[Round], title: str
) -> CountSheet:
    elected: list[str] = []
    for rnd in rounds:
        elected.extend(rnd.elected)
    scale_places = rules.decimal_places if rules.uses_surpluses else 0
    quota = rounds[-1].threshold if rounds else None
    return CountSheet(
        method=f"rctab:{rules.winner_election_mode}",
        title=title,
        seats=tab.seats,
        candidates=tuple(tab.names if tab.uwi_counted else tab.names[: tab.uwi]),
        valid_poll=Decimal(sum(tab.weights)).quantize(Decimal(1).scaleb(-scale_places)),
        rounds=tuple(rounds),
        elected=tuple(elected),
        quota=quota,
        seed=rules.random_seed,
        options=rules.as_options(),
    )


def count_rctab_passes(contest: Contest, rules: RctabRules) -> tuple[CountSheet, ...]:
    """Count as RCTab does, one sheet per tabulation: one for most modes, one per seat for multiPassIrv."""
    seats = rules.number_of_winners if rules.number_of_winners is not None else contest.seats
    if seats < 1:
        raise CountError("The number of winners must be at least 1.")
    title = contest.title or rules.contest_name
    if rules.winner_election_mode != "multiPassIrv":
        if seats > 1 and rules.winner_election_mode == "singleWinnerMajority":
            raise CountError("singleWinnerMajority elects one winner; use an STV mode for several seats.")
        if seats == 1 and rules.winner_election_mode != "singleWinnerMajority":
            rules = replace(rules, winner_election_mode="singleWinnerMajority")
        tab, _names = _prepare(contest, rules, frozenset(), seats)
        rounds = tab.run()
        return (_sheet(contest, rules, tab, rounds, title),)
    sheets: list[CountSheet] = []
    earlier: list[str] = []
    single = replace(rules, winner_election_mode="singleWinnerMajority", number_of_winners=1)
    for _pass in range(seats):
        tab, _names = _prepare(contest, single, frozenset(earlier), 1)
        if tab._num_candidates() == 0:
            break
        rounds = tab.run()
        sheet = _sheet(contest, single, tab, rounds, title)
        sheets.append(replace(sheet, method="rctab:multiPassIrv", seats=seats, options=rules.as_options()))
        earlier.extend(sheet.elected)
    return tuple(sheets)


def count_rctab(contest: Contest, rules: RctabRules) -> CountSheet:
    """Count `contest` under RCTab's rules; multi-pass IRV passes join into one sheet, rounds renumbered."""
    sheets = count_rctab_passes(contest, rules)
    if len(sheets) == 1:
        return sheets[0]
    rounds: list[Round] = []
    elected: list[str] = []
    for index, sheet in enumerate(sheets, start=1):
        offset = len(rounds)
        for rnd in sheet.rounds:
            events = rnd.events
            if rnd is sheet.rounds[0]:
                already = f" with {_join(elected)} set aside as already elected" if elected else ""
                events = (
                    Event("note", None, f"Pass {index}: a fresh instant-runoff count{already}."),
                    *events,
                )
            rounds.append(replace(rnd, number=rnd.number + offset, events=events))
        elected.extend(sheet.elected)
    first = sheets[0]
    return replace(
        first,
        rounds=tuple(rounds),
        elected=tuple(elected),
        quota=None,
        options={**first.options, "pass_rounds": [len(s.rounds) for s in sheets]},
    )
