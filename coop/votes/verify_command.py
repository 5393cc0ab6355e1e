"""`coop verify ORG_SLUG VOTE_ID`: recount a closed vote from its bulletin board; check ballots = voters."""

from __future__ import annotations

import click


@click.command(
    help="Verify a closed vote: board digest, ballots = voters, and a full recount from the board."
)
@click.argument("org_slug")
@click.argument("vote_id", type=int)
def verify(org_slug: str, vote_id: int) -> None:
    from coop.cli import run_with_database
    from coop.votes.verify import verify_vote

    report = run_with_database(lambda: verify_vote(org_slug, vote_id))
    if report.title:
        click.echo(f"Vote {vote_id}: {report.title}")
    for check in report.checks:
        click.echo(f"  [{'ok' if check.ok else 'FAIL'}] {check.message}")
    if not report.ok:
        click.echo("The vote does NOT verify.", err=True)
        raise SystemExit(1)
    click.echo("The vote verifies: the board is unchanged, ballots equal voters, and the recount matches.")
