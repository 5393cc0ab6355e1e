"""Ballot files on disk to `Contest`s: the file-reading shell around `governance.counting`'s readers.

Lives in `coop/` because it opens files and reads .xlsx through openpyxl, which `governance/` may not use.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from governance.counting.model import Contest, CountError, aggregate

# Each format's reader is imported when a file of that format is read: `coop count ward.blt` loads neither
# the CSV, CDF and ES&S readers nor RCTab's rules.
if TYPE_CHECKING:
    from governance.counting.rctab import RctabRules, RctabSource

BallotFormat = Literal["blt", "csv", "long-csv", "wide-csv", "cdf", "ess", "rctab"]
FORMATS: tuple[BallotFormat, ...] = ("blt", "csv", "long-csv", "wide-csv", "cdf", "ess", "rctab")


def read_xlsx_rows(path: str | Path) -> list[list[str | None]]:
    """The first worksheet's cells as text (None for an empty cell), read-only and values only.

    Rows are as the file stores them, so the list index is the row number minus one. A row the file does not
    contain at all reads as `[]`; a row it contains, even with no values, has at least one cell (`[None]`).
    RCTab counts every stored row as a ballot (a stored empty row is a ballot ranking nobody), so the
    difference matters; the sheet's nominal size (often a million rows) does not.
    """
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    with warnings.catch_warnings():
        # Vendor exports carry worksheet extensions openpyxl drops with a warning; the cell values are intact.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            workbook = load_workbook(filename=str(path), read_only=True, data_only=True)
        except (OSError, ValueError, KeyError) as error:
            raise CountError(f"{path}: cannot read the spreadsheet ({error})") from None
        try:
            sheet = workbook.worksheets[0]
            rows: list[list[str | None]] = []
            # Walk the stored rows directly: iter_rows() pads out to the nominal dimension and hides which
            # rows are stored.
            with sheet._get_source() as source:
                parser = WorkSheetParser(
                    source,
                    sheet._shared_strings,
                    data_only=True,
                    epoch=workbook.epoch,
                    date_formats=workbook._date_formats,
                    timedelta_formats=workbook._timedelta_formats,
                )
                for number, cells in parser.parse():
                    while len(rows) < number - 1:
                        rows.append([])
                    width = max((cell["column"] for cell in cells), default=1)
                    row: list[str | None] = [None] * width
                    for cell in cells:
                        value = cell["value"]
                        row[cell["column"] - 1] = None if value is None else _cell_text(value)
                    rows.append(row)
            return rows
        finally:
            workbook.close()


def _cell_text(cell: object) -> str:
    # Whole numbers stored as floats (IDs, ranks) read back as "12", not "12.0".
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CountError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise CountError(f"{path}: the file is not UTF-8 text") from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        raise CountError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from None


def guess_format(path: str | Path) -> BallotFormat:
    """The format a file's name suggests: .blt, .xlsx (ess), .json (cdf, or rctab for *_config.json), .csv."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".blt":
        return "blt"
    if suffix == ".xlsx":
        return "ess"
    if suffix == ".json":
        return "rctab" if p.name.endswith("_config.json") else "cdf"
    if suffix in (".csv", ".txt"):
        try:
            with p.open(encoding="utf-8-sig", errors="replace") as handle:
                head = handle.read(4096).lower()
        except OSError as error:
            raise CountError(f"{p}: cannot read the file ({error.strerror or error})") from None
        if head.startswith("ballot_id,rank,choice"):
            return "long-csv"
        first = head.splitlines()[0] if head else ""
        if "rank1" in first.replace(" ", ""):
            return "wide-csv"
        return "csv"
    raise CountError(f"{p}: cannot tell the ballot format from the name; give --format")


def load_contest(
    path: str | Path,
    *,
    format: BallotFormat | None = None,
    seats: int | None = None,
    title: str | None = None,
) -> Contest:
    """Read any supported ballot file into a `Contest`; `seats` None keeps what the file states (else 1).

    For `rctab`, `path` is an RCTab contest config and its sources are read as `load_rctab_case` does; ES&S
    spreadsheets are read that way too, since only the config says where the votes are and what labels mean.
    """
    p = Path(path)
    fmt = format or guess_format(p)
    name = title if title is not None else p.stem
    if fmt == "rctab":
        contest, _rules = load_rctab_case(p)
        return contest if seats is None else _with_seats(contest, seats)
    if fmt == "blt":
        from governance.counting.blt import parse_blt

        contest = parse_blt(_read_text(p))
        if title is not None:
            contest = contest.restated(title=title)
        return contest if seats is None else _with_seats(contest, seats)
    if fmt in ("csv", "long-csv", "wide-csv"):
        from governance.counting.csv_ballots import read_long_csv, read_simple_csv, read_wide_csv
    if fmt == "csv":
        return read_simple_csv(_read_text(p), seats=seats, title=name)
    if fmt == "long-csv":
        return read_long_csv(_read_text(p), seats=seats or 1, title=name)
    if fmt == "wide-csv":
        return read_wide_csv(_read_text(p), seats=seats or 1, title=name)
    if fmt == "cdf":
        from governance.counting.cdf import read_cdf

        return read_cdf(_read_json(p), seats=seats or 1, title=name)
    if fmt == "ess":
        # An ES&S sheet holds names but no candidate list, labels or rank layout: the RCTab config has them.
        raise CountError("ES&S .xlsx ballots are counted through their RCTab config: use METHOD rctab")
    raise CountError(f"unknown ballot format {fmt!r}; use one of {', '.join(FORMATS)}")


def _with_seats(contest: Contest, seats: int) -> Contest:
    if seats < 1:
        raise CountError("seats must be at least 1")
    return contest.restated(seats=seats)


def _source_contest(
    source: RctabSource,
    base: Path,
    names: tuple[str, ...],
    aliases: Mapping[str, str],
    rules: RctabRules,
    seats: int,
    title: str,
) -> Contest:
    file_path = (base / source.file_path).resolve()
    if not file_path.is_file():
        raise CountError(f"RCTab config: CVR file {source.file_path!r} not found (looked for {file_path})")
    max_rankings = rules.max_rankings_allowed if rules.max_rankings_allowed is not None else len(names)
    provider = source.provider
    if provider == "ess":
        from governance.counting.ess import read_ess_rows

        if source.first_vote_column_index is None or source.first_vote_row_index is None:
            raise CountError("RCTab config: an ess source needs firstVoteColumnIndex and firstVoteRowIndex")
        return read_ess_rows(
            read_xlsx_rows(file_path),
            candidates=names,
            aliases=aliases,
            first_vote_column_index=source.first_vote_column_index,
            first_vote_row_index=source.first_vote_row_index,
            max_rankings=max_rankings,
            overvote_label=source.overvote_label,
            skipped_rank_label=source.skipped_rank_label,
            undeclared_write_in_label=source.undeclared_write_in_label,
            overvote_delimiter=source.overvote_delimiter,
            treat_blank_as_undeclared_write_in=source.treat_blank_as_undeclared_write_in,
            seats=seats,
            title=title,
        )
    if provider == "cdf":
        from governance.counting.cdf import read_cdf

        return read_cdf(
            _read_json(file_path),
            contest_id=source.contest_id,
            candidates=names,
            aliases=aliases,
            seats=seats,
            title=title,
            undeclared_write_in_label=source.undeclared_write_in_label,
        )
    if provider == "genericCsv":
        from governance.counting.csv_ballots import read_rctab_csv

        return read_rctab_csv(
            _read_text(file_path),
            candidates=names,
            aliases=aliases,
            first_vote_column_index=source.first_vote_column_index or 1,
            first_vote_row_index=source.first_vote_row_index or 2,
            undeclared_write_in_label=source.undeclared_write_in_label,
            seats=seats,
            title=title,
        )
    raise CountError(f"RCTab config: CVR provider {provider!r} is not supported (ess, cdf, genericCsv are)")


def load_rctab_case(config_path: str | Path) -> tuple[Contest, RctabRules]:
    """An RCTab contest config and its CVR files (paths relative to the config) as a contest and its rules."""
    from governance.counting.rctab import rctab_candidates, rules_from_rctab_config

    path = Path(config_path)
    config = _read_json(path)
    if not isinstance(config, Mapping):
        raise CountError(f"{path}: an RCTab config is a JSON object")
    rules = rules_from_rctab_config(config)
    names, aliases, _excluded = rctab_candidates(config)
    if not rules.sources:
        raise CountError(f"{path}: the config has no cvrFileSources")
    seats = rules.number_of_winners or 1
    title = rules.contest_name or path.stem
    parts = [_source_contest(s, path.parent, names, aliases, rules, seats, title) for s in rules.sources]
    ballots = aggregate(b for part in parts for b in part.ballots)
    return Contest(title=title, candidates=names, seats=seats, ballots=ballots), rules
