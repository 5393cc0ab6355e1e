"""The `coop` command: serve, worker, migrate, demo, settle-resignations, create-admin, create-org, count,
verify, audit."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

# Imports that only some commands need are made inside them: `coop count` must start in a blink and never
# load the web app, its database layer or asyncio (tests/coop/test_count_command.py checks).

T = TypeVar("T")


def run_with_database(work: Callable[[], Awaitable[T]], *, use_pool: bool = False) -> T:
    """Run one async job with the database open, and close it afterwards (no stray threads)."""
    import asyncio

    from coop.db import close_database, open_database

    async def job() -> T:
        await open_database(use_pool=use_pool)
        try:
            return await work()
        finally:
            await close_database()

    return asyncio.run(job())


async def migrate_database() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from coop.db import close_database

    # Migrations run on Piccolo's own connections; close ours so they never hold the write lock.
    await close_database()
    response = await run_forwards(app_name="coop")
    if not response.success:
        raise click.ClickException(f"migrations failed: {response.message}")


@click.group(help="coop: governance for co-operatives, CICs and user-led organisations.")
def main() -> None:
    pass


@main.command(help="Serve the web app.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes. Use 1 on SQLite (one writer); more on PostgreSQL.",
)
def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from coop.settings import Settings

    settings = Settings.from_env()
    if workers > 1 and not settings.is_postgres:
        click.echo("Note: on SQLite one worker is fastest and safest; use PostgreSQL for more.", err=True)
    if workers > 1 and not os.environ.get("COOP_SECRET_KEY"):
        raise click.ClickException("set COOP_SECRET_KEY when running more than one worker (CSRF tokens)")
    uvicorn.run(
        "coop.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,  # never trust X-Forwarded-For unless an operator sets up a proxy
        server_header=False,
        access_log=False,
        log_level="warning",
    )


@main.command(help="Run queued and scheduled work (email, votes opening and closing) until stopped.")
@click.option("--until-idle", is_flag=True, help="Run what is due now, then stop (for cron or a test).")
def worker(until_idle: bool) -> None:
    import asyncio
    import signal

    from coop.jobs.worker import Worker
    from coop.settings import Settings

    settings = Settings.from_env()

    async def work() -> None:
        runner = Worker(settings)
        if until_idle:
            await runner.sweep()
            await runner.run_pending()
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Finish the job in hand, give back the rest of the batch, then stop.
            loop.add_signal_handler(signum, stop.set)
        click.echo(f"coop worker {runner.worker_id} running; Ctrl-C to stop.", err=True)
        await runner.run_forever(stop)

    run_with_database(work, use_pool=settings.is_postgres)


@main.command(help="Create or update the database tables.")
def migrate() -> None:
    import asyncio

    asyncio.run(migrate_database())
    click.echo("The database is up to date.")


@main.command(help="Set up the demo organisation (Riverside Shared Support CIC) and say how to sign in.")
def demo() -> None:
    import asyncio

    from coop.demo import seed_demo
    from coop.settings import Settings

    settings = Settings.from_env()
    asyncio.run(migrate_database())
    created = run_with_database(lambda: seed_demo(settings))
    click.echo("Demo organisation created." if created else "Demo organisation already set up.")
    click.echo(f"\nOpen {settings.base_url}/ and sign in as any of:")
    from coop.demo import DEMO_PEOPLE, SITE_ADMIN

    for person in (*DEMO_PEOPLE, SITE_ADMIN):
        if person.email:
            click.echo(f"  {person.email:<32} {person.name} ({person.describe()})")
    click.echo(
        f"\nPassword for all of them: {settings.demo_password!r} (set COOP_DEMO_PASSWORD to change it)."
    )


@main.command(
    "settle-resignations",
    help="Write down every resignation that has taken effect (roles, supporters and proxies end). Run it "
    "daily, e.g. from cron; pages show the change on its day without it.",
)
def settle_resignations() -> None:
    from coop.members.register import settle_all_due_resignations

    ended = run_with_database(settle_all_due_resignations)
    click.echo(f"{ended} {'resignation' if ended == 1 else 'resignations'} written down.")


@main.command("create-admin", help="Create a site admin who can sign in (asks for the password).")
@click.option("--email", prompt=True)
@click.option("--name", prompt="Full name")
def create_admin(email: str, name: str) -> None:
    import asyncio
    import getpass

    from coop.accounts.passwords import password_problem
    from coop.accounts.service import create_person
    from coop.settings import Settings

    settings = Settings.from_env()
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("Password: ")
    problem = password_problem(password, context_words=(email.split("@")[0], name))
    if problem:
        raise click.ClickException(problem)
    asyncio.run(migrate_database())
    person_id = run_with_database(
        lambda: create_person(email, name, password, settings=settings, is_site_admin=True)
    )
    click.echo(f"Site admin {email} created (person {person_id}).")


@main.command(
    "create-org", help="Create an organisation from a model constitution and a founders' answers file."
)
@click.argument("model")
@click.argument("answers", type=click.Path(exists=True, dir_okay=False))
def create_org(model: str, answers: str) -> None:
    import asyncio
    from pathlib import Path

    from coop import clock
    from coop.audit.service import SYSTEM
    from coop.setup.service import found_from_text
    from governance.violations import RuleViolationError

    text = Path(answers).read_text(encoding="utf-8")
    asyncio.run(migrate_database())
    try:
        founded = run_with_database(lambda: found_from_text(model, text, SYSTEM, clock.today()))
    except RuleViolationError as exc:
        click.echo(f"Nothing was created. Put these right in {answers} and run the command again:", err=True)
        for violation in exc.violations:
            click.echo(f"  - {violation.message}", err=True)
        sys.exit(1)
    click.echo(f"Created {founded.slug}: /o/{founded.slug}/ with constitution version 1 in force.")
    for flag in founded.flags:
        click.echo(f"Needs approval: {flag.message}")


def _register_subcommands() -> None:
    # Commands that live with their area, imported here so `coop --help` lists them all.
    from coop.audit.verify_command import audit
    from coop.count_command import count
    from coop.documents.command import documents
    from coop.votes.verify_command import verify

    main.add_command(audit)
    main.add_command(count)
    main.add_command(documents)
    main.add_command(verify)


_register_subcommands()
