"""Helpers for vote tests: create and open votes directly, find members, read the tables."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import run

SECRETARY = "helen@riverside.example"
MEMBER = "jamie@riverside.example"
TRACKER_RE = re.compile(r'class="coop-tracker[^"]*">([A-Z2-7-]{26,40})<')
FINGERPRINT_RE = re.compile(r'class="coop-fingerprint[^"]*">([A-Z2-7-]{26,40})<')


def now() -> datetime:
    return datetime.now(UTC)


def org_id(slug: str = "riverside") -> int:
    from coop.organisations.tables import Organisation

    return int(run(Organisation.select(Organisation.id).where(Organisation.slug == slug).first())["id"])


def member_id(email: str) -> int:
    from coop.members.tables import Member

    row = run(
        Member.select(Member.id)
        .where((Member.person.email == email) & (Member.organisation.slug == "riverside"))
        .first()
    )
    return int(row["id"])


def member_by_name(name: str) -> dict[str, Any]:
    from coop.members.tables import Member

    return run(Member.select(Member.id, Member.public_id).where(Member.name == name).first())


def make_vote(
    *,
    kind: str = "motion",
    purpose: str = "ordinary_resolution",
    options: tuple[str, ...] = (),
    seats: int = 1,
    secret: bool = True,
    closes_in: timedelta = timedelta(days=7),
    open_it: bool = True,
    title: str = "Shared PA service",
    opened_at: datetime | None = None,
) -> int:
    from coop.audit.service import SYSTEM
    from coop.votes.lifecycle import NewVote, create_vote, open_vote

    org = org_id()
    vote_id = run(
        create_vote(
            org,
            NewVote(
                title=title,
                question="Should we commission a shared personal assistant service?",
                kind=kind,
                purpose=purpose,
                closes_at=now() + closes_in,
                easy_read="We could share PAs.",
                options=options,
                seats=seats,
                secret=secret,
            ),
            actor=SYSTEM,
        )
    )
    if open_it:
        run(open_vote(org, vote_id, now=opened_at or now(), actor=SYSTEM))
    return vote_id


def cast(
    vote_id: int, email: str, choice: str, *, when: datetime | None = None, channel: str = "online"
) -> Any:
    from coop.audit.service import SYSTEM
    from coop.votes.casting import cast_ballot

    return run(
        cast_ballot(
            org_id(), vote_id, member_id(email), choice, now=when or now(), actor=SYSTEM, channel=channel
        )
    )


def close(vote_id: int, *, when: datetime | None = None, settings: Any = None) -> Any:
    from coop.audit.service import SYSTEM
    from coop.votes.closing import close_vote

    return run(close_vote(org_id(), vote_id, now=when or now(), actor=SYSTEM, notify=settings is not None))


def rows(table: str) -> list[dict[str, Any]]:
    from coop.db import current_engine

    return run(current_engine().run_ddl(f"SELECT * FROM {table}"))


def ballots() -> list[dict[str, Any]]:
    """Every ballot as stored, readable or not: the readable rows, and each sealed box opened with its
    vote's key file as only the close (or an operator holding the key) can."""
    from coop.votes import vote_keys
    from coop.votes.sealing import SealedBallot, open_sealed

    out = rows("vote_ballot")
    keys = {int(v["id"]): v["seal_public_key"] for v in rows("vote") if v["seal_public_key"]}
    for box in rows("vote_sealed_ballot"):
        vote = int(box["vote"])
        box_read = SealedBallot(box["fingerprint"], box["sealed"])
        entry = open_sealed(vote_keys.load_key(vote, keys[vote]), box_read)
        out.append({"tracker": entry.tracker, "vote": vote, "choice": entry.choice, "weight": entry.weight})
    return out
