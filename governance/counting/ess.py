"""Read ranked ballots from ES&S cast vote record rows (the first worksheet of an ES&S .xlsx export).

The rows come in already read (`coop.ballot_files.read_xlsx_rows` does the file part): a list of rows, each a
list of cell strings or None. Layout and labels follow RCTab's ES&S source spec: one row per ballot from
`first_vote_row_index`, one column per rank from `first_vote_column_index` (both 1-based, as in the RCTab
config), at most `max_rankings` columns. A cell holds a candidate name or alias, the overvote label, the
skipped-rank (undervote) label, the undeclared write-in label, or several names joined by the overvote
delimiter. A blank cell is a skipped rank, unless blanks are to be treated as undeclared write-ins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from governance.counting.csv_ballots import ballots_table
from governance.counting.model import (
    OVERVOTE_UNKNOWN,
    UNDECLARED_WRITE_IN,
    Contest,
    CountError,
)

Cell = str | None


def _column_name(index0: int) -> str:
    """Spreadsheet column letters for a 0-based index (0 -> A, 26 -> AA), for error messages."""
    letters = ""
    index = index0 + 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_ess_rows(
    rows: Sequence[Sequence[Cell]],
    *,
    candidates: Sequence[str],
    first_vote_column_index: int,
    first_vote_row_index: int,
    max_rankings: int | None = None,
    aliases: Mapping[str, str] | None = None,
    overvote_label: str | None = None,
    skipped_rank_label: str | None = None,
    undeclared_write_in_label: str | None = None,
    overvote_delimiter: str | None = None,
    treat_blank_as_undeclared_write_in: bool = False,
    seats: int = 1,
    title: str = "",
) -> Contest:
    """A `Contest` from ES&S rows; `max_rankings` None reads every column to the end of the row.

    A row given as `[]` is absent from the file and ignored; a stored row with no vote is a ballot that
    ranks nobody, as RCTab counts it. An unknown name is a `CountError` naming its row and column.
    """
    if first_vote_column_index < 1 or first_vote_row_index < 1:
        raise CountError(
            "ES&S: firstVoteColumnIndex and firstVoteRowIndex are 1-based and must be at least 1"
        )
    index = {name: i for i, name in enumerate(candidates)}
    for alias, name in (aliases or {}).items():
        if name not in index:
            raise CountError(f"ES&S: alias {alias!r} points to {name!r}, who is not a candidate")
        index.setdefault(alias, index[name])
    first_col = first_vote_column_index - 1

    def code_for(text: str, row_no: int, col: int) -> int:
        if undeclared_write_in_label is not None and text == undeclared_write_in_label:
            return UNDECLARED_WRITE_IN
        found = index.get(text)
        if found is None:
            raise CountError(
                f"ES&S: row {row_no}, column {_column_name(col)}: {text!r} is not a candidate, alias or label"
            )
        return found

    ballots: list[tuple[tuple[int, ...], ...]] = []
    for offset, row in enumerate(rows[first_vote_row_index - 1 :]):
        row_no = first_vote_row_index + offset
        if not row:
            continue
        last_col = len(row) if max_rankings is None else first_col + max_rankings
        ranks: list[tuple[int, ...]] = []
        for col in range(first_col, last_col):
            raw = row[col] if col < len(row) else None
            text = "" if raw is None else str(raw).strip()
            if text == "":
                ranks.append((UNDECLARED_WRITE_IN,) if treat_blank_as_undeclared_write_in else ())
            elif skipped_rank_label is not None and text == skipped_rank_label:
                ranks.append(())
            elif overvote_label is not None and text == overvote_label:
                ranks.append((OVERVOTE_UNKNOWN,))
            elif overvote_delimiter and overvote_delimiter in text:
                parts = [p.strip() for p in text.split(overvote_delimiter) if p.strip()]
                ranks.append(tuple(dict.fromkeys(code_for(p, row_no, col) for p in parts)))
            else:
                ranks.append((code_for(text, row_no, col),))
        while ranks and not ranks[-1]:
            ranks.pop()
        ballots.append(tuple(ranks))
    return Contest(
        title=title,
        candidates=tuple(candidates),
        seats=seats,
        ballots=ballots_table(ballots, len(candidates)),
    )
