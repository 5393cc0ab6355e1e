"""A small organisation of its own for a browser journey, made with `coop create-org` on the e2e server's
database. Its founders are demo people (their accounts are linked by email, so they sign in at once), and
nobody else joins it, so a journey can count on its register: who is on the board, and how many votes
there are in all."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Server


@dataclass(frozen=True)
class Founder:
    name: str
    email: str
    member_class: str
    director: bool = False
    secretary: bool = False


def answers_toml(name: str, slug: str, founders: tuple[Founder, ...]) -> str:
    lines = [
        f'name = "{name}"',
        f'slug = "{slug}"',
        'legal_form = "cic_guarantee"',
        'objects = "To let the people who use support decide and buy it together."',
        'community = "Disabled people and family carers in the borough."',
        'year_end = "31 March"',
        'registered_office = "1 Mill Lane, Riverside, RV1 2AB"',
        'member_classes = ["budget_holder", "family_carer", "professional"]',
        'asset_locked_body = "Riverside Disabled People\'s Forum"',
        "adopted_on = 2026-04-01",
    ]
    for f in founders:
        lines += [
            "",
            "[[founders]]",
            f'name = "{f.name}"',
            f'member_class = "{f.member_class}"',
            f'email = "{f.email}"',
            'address = "1 High Street, Riverside"',
            f"director = {'true' if f.director else 'false'}",
            # Founding directors of the two user-led classes agree to be counted toward the user-led share.
            f"counts_as_user_led = {'true' if f.director and f.member_class != 'professional' else 'false'}",
            f"secretary = {'true' if f.secretary else 'false'}",
        ]
        if f.director:
            lines += [
                'nationality = "British"',
                'country_of_residence = "England"',
                'occupation = "None"',
                "date_of_birth = 1980-05-17",
            ]
    return "\n".join(lines) + "\n"


def found(server: Server, name: str, slug: str, founders: tuple[Founder, ...]) -> str:
    """Create the organisation with the command the operator uses; returns its slug."""
    answers = server.log.parent / f"{slug}.toml"
    answers.write_text(answers_toml(name, slug, founders), encoding="utf-8")
    env = {
        **os.environ,
        "COOP_DATABASE_URL": f"sqlite:///{database(server)}",
        "PICCOLO_CONF": "coop.piccolo_conf",
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "coop"), "create-org", "cic_guarantee", str(answers)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return slug


def database(server: Server) -> Path:
    return server.log.parent / "e2e.sqlite3"


def execute(server: Server, sql: str, *params: Any) -> int:
    """One statement on the server's SQLite database (a second client, as the operator's command is);
    returns the number of rows changed."""
    with closing(sqlite3.connect(database(server), timeout=30)) as db, db:
        return db.execute(sql, params).rowcount
