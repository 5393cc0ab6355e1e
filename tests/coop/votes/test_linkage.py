"""Secrecy in storage (V11, V12): after close, a copy of the database gives no way to link a member to a
choice. The adversary tries every join we know of: shared columns, row order (rowid, physical order, the
order a dump emits), PostgreSQL's xmin transaction ids, and stale copies of rows in the file."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import run
from tests.coop.votes.helpers import make_vote, now, org_id

VOTERS = 200


def _populate_and_vote() -> tuple[int, list[str], list[str]]:
    """200 extra members vote: the first half "for", the second half "against", in that order.
    Returns the vote id, the choices in casting order, and the trackers in casting order."""
    from coop.audit.service import SYSTEM
    from coop.organisations.service import add_member
    from coop.votes.casting import cast_ballot

    organisation = org_id()

    async def add_members() -> list[int]:
        return [
            await add_member(
                organisation_id=organisation,
                name=f"Voter {i:03d}",
                member_class="budget_holder",
                admitted_on=date(2024, 1, 1),
                person_id=None,
                actor=SYSTEM,
            )
            for i in range(VOTERS)
        ]

    members = run(add_members())
    vote_id = make_vote(closes_in=timedelta(hours=1))
    choices = ["for" if i < VOTERS // 2 else "against" for i in range(VOTERS)]

    async def vote_all() -> list[str]:
        trackers = []
        for member, choice in zip(members, choices, strict=True):
            outcome = await cast_ballot(organisation, vote_id, member, choice, now=now(), actor=SYSTEM)
            assert outcome.counted
            trackers.append(outcome.tracker)
        return trackers

    return vote_id, choices, run(vote_all())


def _order_accuracy(ballot_choices_in_storage_order: list[str], cast_choices: list[str]) -> float:
    """The adversary pairs the i-th participation row with the i-th stored ballot."""
    hits = sum(a == b for a, b in zip(ballot_choices_in_storage_order, cast_choices, strict=True))
    return hits / len(cast_choices)


def _close(vote_id: int) -> None:
    from coop.audit.service import SYSTEM
    from coop.votes.closing import close_vote

    run(close_vote(org_id(), vote_id, now=now() + timedelta(hours=2), actor=SYSTEM))


def test_ballot_table_has_no_member_link_time_or_sequential_id(db):
    from coop.votes.bulletin import TRACKER_BYTES, new_tracker
    from coop.votes.tables import Ballot

    names = {c._meta.db_column_name for c in Ballot._meta.columns}
    assert names == {"tracker", "vote", "choice", "weight"}
    assert Ballot._meta.primary_key._meta.db_column_name == "tracker"
    assert [c for c in Ballot._meta.foreign_key_columns if c._meta.db_column_name != "vote"] == []
    assert TRACKER_BYTES * 8 >= 128 and len({new_tracker() for _ in range(1000)}) == 1000


def test_a_sqlite_copy_after_close_cannot_link_members_to_choices(demo, db, tmp_path: Path):
    from coop.db import CoopSQLiteEngine

    if not isinstance(db, CoopSQLiteEngine):
        return  # the PostgreSQL adversary is below
    vote_id, cast_choices, trackers = _populate_and_vote()
    _close(vote_id)
    copy = tmp_path / "stolen.sqlite3"
    shutil.copyfile(db.path, copy)
    wal = Path(f"{db.path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "the WAL still holds pages from before the close"
    conn = sqlite3.connect(copy)
    try:
        ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'vote_ballot'").fetchone()[0]
        assert ddl.rstrip().endswith("WITHOUT ROWID")
        try:
            conn.execute("SELECT rowid FROM vote_ballot").fetchall()
            raise AssertionError("the ballot table has a rowid")
        except sqlite3.OperationalError:
            pass
        participation = conn.execute(
            "SELECT * FROM vote_participation WHERE vote = ? ORDER BY id", (vote_id,)
        ).fetchall()
        ballots = conn.execute(
            "SELECT tracker, choice FROM vote_ballot WHERE vote = ?", (vote_id,)
        ).fetchall()
        shared = {c[1] for c in conn.execute("PRAGMA table_info(vote_ballot)")} & {
            c[1] for c in conn.execute("PRAGMA table_info(vote_participation)")
        }
    finally:
        conn.close()
    assert shared == {"vote"}  # the only common column is the same for every row
    assert len(participation) == len(ballots) == VOTERS
    # Storage order is tracker order, which knows nothing of casting order.
    assert [t for t, _ in ballots] == sorted(trackers)
    accuracy = _order_accuracy([c for _, c in ballots], cast_choices)
    assert accuracy <= 0.5 + 0.15, f"row order links {accuracy:.0%} of ballots (chance is 50%)"
    # No stale copy of a ballot row is left in free pages: each tracker appears exactly twice in the whole
    # file, once in the table and once in the index on (vote), whose entries end with the primary key.
    raw = copy.read_bytes()
    from collections import Counter

    assert Counter(raw.count(t.encode()) for t in trackers) == {2: VOTERS}
    print(f"\nSQLite copy after close: order-based accuracy {accuracy:.0%} (chance 50%), 0 stale rows")


def test_a_postgresql_copy_after_close_cannot_link_members_to_choices(demo, db):
    from coop.db import CoopSQLiteEngine

    if isinstance(db, CoopSQLiteEngine):
        return  # the SQLite adversary is above
    vote_id, cast_choices, trackers = _populate_and_vote()

    def xmin_links(table: str) -> int:
        ballots = run(db.run_ddl(f"SELECT xmin::text AS x FROM {table} WHERE vote = {vote_id}"))
        parts = run(db.run_ddl(f"SELECT xmin::text AS x FROM vote_participation WHERE vote = {vote_id}"))
        return len({b["x"] for b in ballots} & {p["x"] for p in parts})

    # Before close every sealed box shares its transaction id with a voter: only the key, which the close
    # destroys, could read the box (tests/coop/votes/test_linkage_while_open.py).
    assert xmin_links("vote_sealed_ballot") == VOTERS
    _close(vote_id)
    assert xmin_links("vote_ballot") == 0
    # Physical order (what pg_dump's COPY emits): ctid order.
    ballots = run(db.run_ddl(f"SELECT tracker, choice FROM vote_ballot WHERE vote = {vote_id} ORDER BY ctid"))
    assert [b["tracker"] for b in ballots] == sorted(trackers)
    accuracy = _order_accuracy([b["choice"] for b in ballots], cast_choices)
    assert accuracy <= 0.5 + 0.15, f"physical order links {accuracy:.0%} of ballots (chance is 50%)"
    columns = run(
        db.run_ddl(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'vote_ballot'"
        )
    )
    assert {c["column_name"] for c in columns} == {"tracker", "vote", "choice", "weight"}
    assert not [c for c in columns if "time" in c["data_type"] or c["data_type"] == "date"]
    print(f"\nPostgreSQL after close: xmin links 0/{VOTERS}, order-based accuracy {accuracy:.0%}")


def test_without_the_close_time_scrub_a_sqlite_copy_keeps_stale_ballot_rows(demo, db, monkeypatch):
    """The control for the test above: it would catch a close that skipped VACUUM and the WAL checkpoint."""
    from coop.db import CoopSQLiteEngine
    from coop.votes import closing

    if not isinstance(db, CoopSQLiteEngine):
        return

    async def no_scrub() -> None:
        return None

    monkeypatch.setattr(closing, "scrub_storage", no_scrub)
    vote_id, _, trackers = _populate_and_vote()
    _close(vote_id)
    wal = Path(f"{db.path}-wal")
    raw = Path(db.path).read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert sum(raw.count(t.encode()) > 2 for t in trackers) > 0
