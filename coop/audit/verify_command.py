"""`coop audit verify ORG_SLUG`: check an organisation's audit log, link by link, from the command line."""

from __future__ import annotations

import click


@click.group(help="The audit log: every change to an organisation's records, chained by hash.")
def audit() -> None:
    pass


@audit.command(help="Check that an organisation's audit log is complete and unchanged; exit 1 if not.")
@click.argument("org_slug")
def verify(org_slug: str) -> None:
    from coop.audit.descriptions import describe_event
    from coop.audit.service import ChainCheck, check_chain
    from coop.cli import run_with_database
    from coop.organisations.tables import Organisation

    async def work() -> ChainCheck | None:
        org = await Organisation.select(Organisation.id).where(Organisation.slug == org_slug).first()
        return await check_chain(int(org["id"])) if org is not None else None

    check = run_with_database(work)
    if check is None:
        raise click.ClickException(f"There is no organisation {org_slug!r}.")
    if check.ok:
        click.echo(f"OK: the audit log of {org_slug} is unbroken: {check.events} events checked.")
        return
    first = check.first_problem
    assert first is not None
    where = f"event {first.seq}" + (f" (row id {first.event_id}, {first.action})" if first.event_id else "")
    what = f", {describe_event(first.action).lower()}" if first.action else ""
    click.echo(f"BROKEN: the audit log of {org_slug} has been changed. First broken link: {where}{what}.")
    for problem in check.problems:
        click.echo(f"  {problem.message}")
    click.echo(f"{len(check.problems)} problems; {check.events} events checked, {check.last_seq} written.")
    raise SystemExit(1)
