"""`coop count`: count a ballot file from the command line and print the count sheet, round by round.

    coop count irv ballots.csv
    coop count stv ward.blt --rules meek
    coop count rctab contest_config.json --json
    coop count plurality ballots.csv --seats 2 --seed 20250301

METHOD is irv, stv, rctab (FILE is then an RCTab contest config), plurality or approval. The file format is
guessed from its name unless --format says otherwise (see `coop.ballot_files`). A tie that has to be settled
by lot needs --seed: draw it in public, record it, and count again with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from coop.ballot_files import FORMATS, BallotFormat, load_contest, load_rctab_case
from governance.counting.model import Contest, CountError, CountSheet, Round

METHODS = ("irv", "stv", "rctab", "plurality", "approval")
STV_RULES = ("scottish", "meek")


def _count_irv(contest: Contest, seed: int | None) -> CountSheet:
    from governance.counting.irv import count_irv

    return count_irv(contest, seed=seed)


def _count_stv(contest: Contest, rules: str, seed: int | None) -> CountSheet:
    if rules == "scottish":
        from governance.counting.scottish import count_scottish_stv

        return count_scottish_stv(contest, seed=seed)
    import governance.counting.meek as meek

    counter: Callable[..., CountSheet] | None = getattr(meek, "count_meek_stv", None) or getattr(
        meek, "count_meek", None
    )
    if counter is None:
        raise click.ClickException("Meek STV is not available in this version of coop.")
    return counter(contest, seed=seed)


def _count_rctab(config: Path, seats: int | None, seed: int | None) -> CountSheet:
    from governance.counting.rctab import count_rctab

    contest, rules = load_rctab_case(config)
    if seats is not None:
        rules = replace(rules, number_of_winners=seats)
        contest = contest.restated(seats=seats)
    if seed is not None:
        rules = replace(rules, random_seed=seed)
    return count_rctab(contest, rules)


def _first_choices(contest: Contest) -> list[tuple[str | None, int]]:
    """Each ballot's first preference for a single-choice count: one candidate, or None (blank or spoilt)."""
    out: list[tuple[str | None, int]] = []
    for ballot in contest.ballots:
        marked = next((at_rank for at_rank in ballot.ranks if at_rank), ())
        valid = len(marked) == 1 and marked[0] >= 0
        out.append((contest.candidates[marked[0]] if valid else None, ballot.weight))
    return out


def _count_plurality(contest: Contest, seed: int | None) -> CountSheet:
    try:
        from governance.counting.plurality import SingleChoiceBallot, count_plurality
    except ImportError:
        raise click.ClickException("Plurality counting is not available in this version of coop.") from None
    ballots = [SingleChoiceBallot(choice, weight) for choice, weight in _first_choices(contest)]
    return count_plurality(contest.candidates, ballots, seats=contest.seats, seed=seed, title=contest.title)


def _count_approval(contest: Contest, seed: int | None) -> CountSheet:
    try:
        from governance.counting.approval import ApprovalBallot, count_approval
    except ImportError:
        raise click.ClickException("Approval counting is not available in this version of coop.") from None
    ballots = [
        ApprovalBallot(
            frozenset(contest.candidates[c] for at_rank in b.ranks for c in at_rank if c >= 0), b.weight
        )
        for b in contest.ballots
    ]
    return count_approval(contest.candidates, ballots, seats=contest.seats, seed=seed, title=contest.title)


def _votes(value: Decimal) -> str:
    return f"{value:,}" if value == value.to_integral_value() else f"{value:,f}"


def _transfer_text(target: str, votes: Decimal) -> str:
    if target == "exhausted":
        return f"{_votes(votes)} exhausted"
    if target == "residual surplus":
        return f"{_votes(votes)} lost to rounding (residual surplus)"
    return f"{_votes(votes)} to {target}"


def _render_round(r: Round) -> list[str]:
    lines = [f"Round {r.number}" + (f" (threshold {_votes(r.threshold)})" if r.threshold is not None else "")]
    width = max((len(name) for name in r.tallies), default=0)
    for name, votes in sorted(r.tallies.items(), key=lambda item: (-item[1], item[0])):
        mark = " elected" if name in r.elected else " excluded" if name in r.excluded else ""
        lines.append(f"  {name.ljust(width)}  {_votes(votes):>12}{mark}")
    inactive = {k: v for k, v in r.inactive.items() if v}
    if inactive:
        shown = ", ".join(f"{k.replace('_', ' ')} {_votes(v)}" for k, v in sorted(inactive.items()))
        lines.append(f"  Not counting: {shown}")
    for event in r.events:
        lines.append(f"  - {event.message}")
    for source, moved in r.transfers.items():
        if moved:
            parts = ", ".join(_transfer_text(target, v) for target, v in moved.items())
            lines.append(f"  {source}'s votes moved: {parts}.")
    return lines


def render_count_sheet(sheet: CountSheet) -> str:
    """The count sheet in words, round by round, for a terminal or a printed notice."""
    lines = [
        sheet.title or "Count",
        f"Method: {sheet.method}; seats: {sheet.seats}; valid poll: {_votes(sheet.valid_poll)}"
        + (f"; quota: {_votes(sheet.quota)}" if sheet.quota is not None else "")
        + (f"; random seed: {sheet.seed}" if sheet.seed is not None else ""),
        "",
    ]
    for r in sheet.rounds:
        lines.extend(_render_round(r))
        lines.append("")
    lines.append("Elected: " + (", ".join(sheet.elected) if sheet.elected else "nobody"))
    return "\n".join(lines)


@click.command("count")
@click.argument("method", type=click.Choice(METHODS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--seats", type=click.IntRange(min=1), default=None, help="Seats to fill (default: the file's)."
)
@click.option(
    "--rules",
    "stv_rules",
    type=click.Choice(STV_RULES),
    default="scottish",
    show_default=True,
    help="STV rules (method stv).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(FORMATS),
    default=None,
    help="Ballot file format (default: guessed from the file name).",
)
@click.option("--seed", type=int, default=None, help="Random seed for ties settled by lot (drawn in public).")
@click.option("--json", "as_json", is_flag=True, help="Print the count sheet as JSON.")
def count(
    method: str,
    file: Path,
    seats: int | None,
    stv_rules: str,
    file_format: BallotFormat | None,
    seed: int | None,
    as_json: bool,
) -> None:
    """Count the ballots in FILE by METHOD (irv, stv, rctab, plurality, approval); print the count sheet."""
    try:
        if method == "rctab":
            sheet = _count_rctab(file, seats, seed)
        else:
            contest = load_contest(file, format=file_format, seats=seats)
            if method == "irv":
                sheet = _count_irv(contest, seed)
            elif method == "stv":
                sheet = _count_stv(contest, stv_rules, seed)
            elif method == "plurality":
                sheet = _count_plurality(contest, seed)
            else:
                sheet = _count_approval(contest, seed)
    except CountError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        payload: dict[str, Any] = sheet.to_json()
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(render_count_sheet(sheet))
