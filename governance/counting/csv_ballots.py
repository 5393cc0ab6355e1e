"""Read ranked ballots from CSV text: RCTab generic CSV, long CSV, wide rank CSV and coop's simple CSV.

Every reader takes the file's text (no paths: `coop.ballot_files` does the file part) and returns a `Contest`
with identical rankings aggregated. Ranks stay raw (skips, overvotes, repeats) for the counter to judge.

**Simple CSV** (for coop users) is one ballot per line, the candidates in order of preference:

    # Lines starting with # are comments. Two optional directives come first:
    # candidates: Alice Adams, Bob Brown, Carol Chen
    # seats: 1
    Alice Adams, Bob Brown
    Carol Chen
    Bob Brown, Alice Adams, Carol Chen

Fields follow CSV quoting, so a name containing a comma is written in double quotes. The `candidates:`
directive lists everyone standing (also those nobody ranked) in ballot-paper order; without it the candidates
are taken from the ballots in order of first appearance, and with it any other name on a ballot is an error.
Blank lines are ignored. Names are matched exactly, after trimming spaces.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from governance.counting.model import (
    OVERVOTE_UNKNOWN,
    UNDECLARED_WRITE_IN,
    Contest,
    CountError,
    RankedBallot,
    TableBallots,
    merged_ballots,
)
from governance.counting.table_layout import rankings_table

Ranking = tuple[tuple[int, ...], ...]


def ballots_table(rankings: Iterable[Ranking], candidates: int) -> TableBallots:
    """Rankings read one per paper, merged (first-seen order) and laid out as the contest's rank table
    directly: the same ballots as `aggregate_rankings`, with no `RankedBallot` made for each."""
    return rankings_table(Counter(rankings), candidates)


def aggregate_rankings(rankings: Iterable[Ranking]) -> tuple[RankedBallot, ...]:
    """Identical rankings merged into weighted ballots, first-seen order; counting raw tuples first (in C)
    makes this several times faster than building a ballot per paper and merging afterwards."""
    return merged_ballots(Counter(rankings))


def _rows(text: str, what: str, *, skip_initial_space: bool = False) -> list[list[str]]:
    try:
        # Lines with their endings, so quoted fields may span lines; no file or stream is involved.
        lines = text.lstrip("\ufeff").splitlines(keepends=True)
        return list(csv.reader(lines, skipinitialspace=skip_initial_space))
    except csv.Error as error:
        raise CountError(f"{what}: the file is not valid CSV ({error})") from None


class _Names:
    """Candidate names to indexes, fixed or growing in order of first appearance."""

    def __init__(self, fixed: Sequence[str] | None, aliases: Mapping[str, str] | None = None) -> None:
        self.fixed = fixed is not None
        self.names: list[str] = list(fixed or ())
        self.index = {name: i for i, name in enumerate(self.names)}
        for alias, name in (aliases or {}).items():
            if name in self.index:
                self.index.setdefault(alias, self.index[name])

    def code(self, name: str, where: str, what: str) -> int:
        found = self.index.get(name)
        if found is not None:
            return found
        if self.fixed:
            raise CountError(f"{what}: {where}: {name!r} is not one of the candidates")
        self.index[name] = len(self.names)
        self.names.append(name)
        return self.index[name]


def read_rctab_csv(
    text: str,
    *,
    candidates: Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    first_vote_column_index: int = 1,
    first_vote_row_index: int = 2,
    undeclared_write_in_label: str | None = None,
    seats: int = 1,
    title: str = "",
) -> Contest:
    """RCTab generic CSV: a header row of candidate names, then one row per ballot whose cells give the rank
    the voter gave each candidate (blank: not ranked). Indexes are 1-based, as in the RCTab config.

    Two candidates given the same rank on one ballot are an overvote at that rank.
    """
    what = "Generic CSV"
    rows = _rows(text, what)
    if first_vote_row_index < 2 or len(rows) < first_vote_row_index - 1:
        raise CountError(f"{what}: the header row (row {first_vote_row_index - 1}) is missing")
    header = rows[first_vote_row_index - 2]
    first_col = first_vote_column_index - 1
    if first_col < 0 or first_col >= len(header):
        raise CountError(f"{what}: firstVoteColumnIndex {first_vote_column_index} is past the header")
    names = _Names(candidates, aliases)
    columns: list[int] = []
    for col in range(first_col, len(header)):
        name = header[col].strip()
        if not name:
            raise CountError(f"{what}: header column {col + 1} has no candidate name")
        if undeclared_write_in_label is not None and name == undeclared_write_in_label:
            columns.append(UNDECLARED_WRITE_IN)
        else:
            columns.append(names.code(name, f"header column {col + 1}", what))
    ballots: list[Ranking] = []
    for row_no, row in enumerate(rows[first_vote_row_index - 1 :], start=first_vote_row_index):
        if not any(cell.strip() for cell in row):
            continue
        by_rank: dict[int, list[int]] = {}
        for col, code in enumerate(columns, start=first_col):
            cell = row[col].strip() if col < len(row) else ""
            if not cell:
                continue
            try:
                rank = int(cell)
            except ValueError:
                raise CountError(
                    f"{what}: row {row_no}, column {col + 1}: rank {cell!r} is not a number"
                ) from None
            if rank < 1:
                raise CountError(f"{what}: row {row_no}, column {col + 1}: rank {rank} must be 1 or more")
            by_rank.setdefault(rank, []).append(code)
        top = max(by_rank, default=0)
        ballots.append(tuple(tuple(by_rank.get(r, ())) for r in range(1, top + 1)))
    return Contest(
        title=title,
        candidates=tuple(names.names),
        seats=seats,
        ballots=ballots_table(ballots, len(names.names)),
    )


def read_long_csv(
    text: str,
    *,
    candidates: Sequence[str] | None = None,
    seats: int = 1,
    title: str = "",
    undervote_label: str = "$UNDERVOTE",
    overvote_label: str = "$OVERVOTE",
    undeclared_write_in_label: str | None = None,
) -> Contest:
    """Long CSV (ranked.vote, Burlington): header `ballot_id,rank,choice`, one row per marked rank.

    `choice` is a candidate, the undervote label (nothing marked at that rank) or the overvote label (several
    marks at that rank). Rows of one ballot may come in any order; a ballot naming two choices at one rank has
    an overvote there. `Write-in` is an ordinary option unless named as `undeclared_write_in_label`.
    """
    what = "Long CSV"
    rows = _rows(text, what)
    if not rows:
        raise CountError(f"{what}: the file is empty")
    header = [h.strip().lower() for h in rows[0]]
    try:
        id_col, rank_col, choice_col = (header.index(k) for k in ("ballot_id", "rank", "choice"))
    except ValueError:
        raise CountError(f"{what}: the header must name ballot_id, rank and choice") from None
    names = _Names(candidates)
    by_ballot: dict[str, dict[int, list[int]]] = {}
    for row_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(id_col, rank_col, choice_col):
            raise CountError(f"{what}: row {row_no} has too few fields")
        ballot_id = row[id_col].strip()
        try:
            rank = int(row[rank_col])
        except ValueError:
            raise CountError(f"{what}: row {row_no}, field rank: {row[rank_col]!r} is not a number") from None
        if rank < 1:
            raise CountError(f"{what}: row {row_no}, field rank: {rank} must be 1 or more")
        choice = row[choice_col].strip()
        marks = by_ballot.setdefault(ballot_id, {}).setdefault(rank, [])
        if choice == undervote_label or not choice:
            continue
        if choice == overvote_label:
            marks.append(OVERVOTE_UNKNOWN)
        elif undeclared_write_in_label is not None and choice == undeclared_write_in_label:
            marks.append(UNDECLARED_WRITE_IN)
        else:
            marks.append(names.code(choice, f"row {row_no}, field choice", what))
    ballots: list[Ranking] = []
    for marks_by_rank in by_ballot.values():
        top = max((r for r, m in marks_by_rank.items() if m), default=0)
        ballots.append(tuple(tuple(marks_by_rank.get(r, ())) for r in range(1, top + 1)))
    return Contest(
        title=title,
        candidates=tuple(names.names),
        seats=seats,
        ballots=ballots_table(ballots, len(names.names)),
    )


def read_wide_csv(
    text: str,
    *,
    candidates: Sequence[str] | None = None,
    seats: int = 1,
    title: str = "",
    rank_prefix: str = "rank",
    skipped_label: str = "skipped",
    overvote_label: str = "overvote",
) -> Contest:
    """Wide rank CSV (VoteKit, Portland): columns `rank1..rankN` (other columns ignored), one row per ballot.

    A cell holds a candidate name, the skipped label or a blank (nothing marked), or the overvote label.
    """
    what = "Wide CSV"
    rows = _rows(text, what)
    if not rows:
        raise CountError(f"{what}: the file is empty")
    rank_cols: dict[int, int] = {}
    prefix = rank_prefix.lower()
    for col, head in enumerate(rows[0]):
        key = head.strip().lower()
        if key.startswith(prefix) and key[len(prefix) :].isdigit():
            rank_cols[int(key[len(prefix) :])] = col
    if not rank_cols:
        raise CountError(f"{what}: no {rank_prefix}1..{rank_prefix}N columns in the header")
    top_rank = max(rank_cols)
    missing = [r for r in range(1, top_rank + 1) if r not in rank_cols]
    if missing:
        raise CountError(f"{what}: the header lacks {rank_prefix}{missing[0]}")
    names = _Names(candidates)
    ballots: list[Ranking] = []
    for row_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        ranks: list[tuple[int, ...]] = []
        for r in range(1, top_rank + 1):
            col = rank_cols[r]
            cell = row[col].strip() if col < len(row) else ""
            if not cell or cell == skipped_label:
                ranks.append(())
            elif cell == overvote_label:
                ranks.append((OVERVOTE_UNKNOWN,))
            else:
                ranks.append((names.code(cell, f"row {row_no}, field {rows[0][col].strip()}", what),))
        while ranks and not ranks[-1]:
            ranks.pop()
        ballots.append(tuple(ranks))
    return Contest(
        title=title,
        candidates=tuple(names.names),
        seats=seats,
        ballots=ballots_table(ballots, len(names.names)),
    )


def read_simple_csv(text: str, *, seats: int | None = None, title: str = "", bulk: bool = True) -> Contest:
    """coop's simple CSV (see the module docstring): one ballot per line, candidates in order of preference.

    `seats` overrides a `# seats:` directive; with neither, one seat. Identical lines are read once (`bulk`;
    False reads every record, the reference the bulk way is tested against): a file of a million papers
    holds far fewer distinct lines.
    """
    what = "Simple CSV"
    declared: list[str] | None = None
    stated_seats: int | None = None
    lines = text.lstrip("\ufeff").splitlines()
    body: list[str] = lines
    if "#" in text:
        body = []
        for line_no, line in enumerate(lines, start=1):
            stripped = line.strip()
            if stripped.startswith("#"):
                directive, _sep, value = stripped[1:].partition(":")
                key = directive.strip().lower()
                if _sep and key == "candidates":
                    parsed = _rows(value, what, skip_initial_space=True)
                    declared = [n.strip() for n in (parsed[0] if parsed else []) if n.strip()]
                    if len(set(declared)) != len(declared):
                        raise CountError(f"{what}: line {line_no}: a candidate is listed twice")
                elif _sep and key == "seats":
                    try:
                        stated_seats = int(value.strip())
                    except ValueError:
                        raise CountError(
                            f"{what}: line {line_no}: seats {value.strip()!r} is not a number"
                        ) from None
                body.append("")
                continue
            body.append(line)
    names = _Names(declared)
    rankings: Mapping[Ranking, int] | None = None
    if bulk and not any('"' in line for line in body):
        # With no quotes a record is a line, so each distinct line is read once and counts for its copies.
        # A mistake found this way is reported by reading record by record, which names its line.
        try:
            rankings = _simple_rankings(Counter(body).items(), names, what)
        except (CountError, csv.Error):
            names = _Names(declared)
    if rankings is None:
        records = _rows("\n".join(body), what, skip_initial_space=True)
        rankings = _simple_rankings(((row, 1) for row in records), names, what, numbered=True)
    if not names.names:
        raise CountError(f"{what}: no candidates and no ballots in the file")
    chosen_seats = seats if seats is not None else (stated_seats or 1)
    if chosen_seats < 1:
        raise CountError(f"{what}: seats must be at least 1")
    return Contest(
        title=title,
        candidates=tuple(names.names),
        seats=chosen_seats,
        ballots=rankings_table(rankings, len(names.names)),
    )


def _simple_rankings(
    records: Iterable[tuple[str, int]] | Iterable[tuple[list[str], int]],
    names: _Names,
    what: str,
    *,
    numbered: bool = False,
) -> Counter[Ranking]:
    """Simple CSV records (lines to parse, or parsed rows) and how many papers each stands for, as rankings
    merged in first-seen order. `numbered`: the records are every record in order, so errors can name the
    line."""
    rankings: Counter[Ranking] = Counter()
    for line_no, (record, copies) in enumerate(records, start=1):
        row = next(csv.reader([record], skipinitialspace=True), []) if isinstance(record, str) else record
        choices = [cell.strip() for cell in row if cell.strip()]
        if not choices:
            continue
        where = f"line {line_no}" if numbered else "a line"
        rankings[tuple((names.code(name, where, what),) for name in choices)] += copies
    return rankings
