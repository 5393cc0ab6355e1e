"""Secrecy while voting (issue 20): copies of the database taken while a vote is open, by anyone who can read
the database but not the vote key directory, link no more ballots to voters than chance, before and after
the vote closes, on both engines.

32 members vote in a known order, each for a different ranking, so a correct link names one voter's whole
ballot and guessing blind links 1 in 32 on average. Copies are taken halfway and after the last vote: on
SQLite the database file with its WAL as they lie (what a file-level backup or snapshot takes) and an online
backup (`.backup`, as docs/operating.md recommends); on PostgreSQL `pg_dump`, with the live tables' `ctid`
and `xmin`. The adversary looks for any readable choice or tracker in the copies; lines the voters up by
every order a copy gives (participation ids, row ids, `ctid`, `xmin`, dump order, the audit log) against the
published board in every order it has; and, strongest, takes a copy after every single ballot, so it knows
exactly which sealed box each voter cast. None of it links more than chance without the key.

The control: with the vote's key file (which the close destroys), that last copy-per-ballot attack links
every voter. What protects the vote is that only the close ever uses the key, and then destroys it.
"""

from __future__ import annotations

import itertools
import os
import random
import shutil
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import run
from tests.coop.votes.helpers import make_vote, now, org_id

VOTERS = 32
OPTIONS = ("Ash", "Birch", "Cedar", "Damson", "Elm")
TABLES = ["vote_participation", "vote_sealed_ballot", "vote_ballot", "audit_event"]


def _voters_and_choices(seed: int) -> tuple[list[int], list[str]]:
    from coop.audit.service import SYSTEM
    from coop.organisations.service import add_member

    organisation = org_id()

    async def add() -> list[int]:
        return [
            await add_member(
                organisation_id=organisation,
                name=f"Linkage voter {i:02d}",
                member_class="budget_holder",
                admitted_on=date(2024, 1, 1),
                person_id=None,
                actor=SYSTEM,
            )
            for i in range(VOTERS)
        ]

    rankings = [">".join(map(str, p)) for p in itertools.permutations(range(len(OPTIONS)))]
    return run(add()), random.Random(seed).sample(rankings, VOTERS)


def _query(db: Any, copy: Path | None, sql: str) -> list[tuple[Any, ...]]:
    """Rows from a SQLite copy, or (PostgreSQL) from the live database, which is what a copy holds."""
    if copy is not None:
        with sqlite3.connect(copy) as conn:
            return conn.execute(sql).fetchall()
    return [tuple(r.values()) for r in run(db.run_ddl(sql))]


def _voter_orders(db: Any, copy: Path | None, vote_id: int) -> dict[str, list[int]]:
    """Every order of the voters that a copy gives."""
    where = f"FROM vote_participation WHERE vote = {vote_id}"
    orders = {
        "participation id": [r[0] for r in _query(db, copy, f"SELECT member {where} ORDER BY id")],
        "storage order": [r[0] for r in _query(db, copy, f"SELECT member {where}")],
    }
    if copy is not None:
        orders["rowid"] = [r[0] for r in _query(db, copy, f"SELECT member {where} ORDER BY rowid")]
    else:
        orders["ctid"] = [r[0] for r in _query(db, None, f"SELECT member {where} ORDER BY ctid")]
        orders["xmin"] = [
            r[0] for r in _query(db, None, f"SELECT member {where} ORDER BY xmin::text::bigint, ctid")
        ]
    logged = _query(db, copy, "SELECT action FROM audit_event WHERE action = 'vote.participated'")
    assert logged == [], "a secret vote logged a voter, with its time and place in the log"
    return orders


def _links(
    voter_orders: dict[str, list[int]], board_orders: dict[str, list[str]], chose: dict[int, str]
) -> dict[str, int]:
    """Pair the k-th voter of each order (and its reverse) with the k-th ballot of each board order."""
    links = {}
    for (name, voters), (board, ballots) in itertools.product(voter_orders.items(), board_orders.items()):
        for tag, line in (("", voters), (" reversed", voters[::-1])):
            links[f"{name}{tag} x {board}"] = sum(chose[v] == c for v, c in zip(line, ballots, strict=False))
    return links


def _nothing_readable(blob: bytes, trackers: list[str], choices: list[str]) -> None:
    assert not [t for t in trackers if t.encode() in blob], "a tracking code is readable in a mid-vote copy"
    assert not [c for c in choices if c.encode() in blob], "a choice is readable in a mid-vote copy"


def _mid_vote_copy(db: Any, folder: Path, label: str, trackers: list[str], choices: list[str]) -> list[Path]:
    """Take the copies; check nothing in them can be read; return the SQLite copies to query."""
    if not hasattr(db, "path"):
        _nothing_readable(_pg_dump(TABLES), trackers, choices)
        return []
    raw = folder / f"{label}-raw.sqlite3"
    shutil.copyfile(db.path, raw)
    wal = Path(f"{db.path}-wal")
    wal_bytes = wal.read_bytes() if wal.exists() else b""
    Path(f"{raw}-wal").write_bytes(wal_bytes)
    backup = folder / f"{label}-backup.sqlite3"
    with sqlite3.connect(db.path) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    _nothing_readable(raw.read_bytes() + wal_bytes + backup.read_bytes(), trackers, choices)
    sizes = _query(db, backup, "SELECT DISTINCT length(sealed) FROM vote_sealed_ballot")
    assert len(sizes) == 1, "sealed ballots differ in size, so their size could tell choices apart"
    return [raw, backup]


def _pg_dump(tables: list[str]) -> bytes:
    from tests.pg_cluster import _bin_dir

    command = [str(_bin_dir() / "pg_dump"), "--data-only", *(f"--table={t}" for t in tables)]
    done = subprocess.run(
        [*command, os.environ["COOP_DATABASE_URL"]], capture_output=True, check=True, timeout=120
    )
    return done.stdout


def _board_orders(db: Any, vote_id: int, folder: Path) -> dict[str, list[str]]:
    """The published board and the closed vote's stored ballots, in every order they come in."""
    from coop.votes.board import board_entries

    orders = {"board (tracker order)": [e.choice for e in run(board_entries(vote_id))]}
    where = f"FROM vote_ballot WHERE vote = {vote_id}"
    if hasattr(db, "path"):
        after = folder / "after-close.sqlite3"
        with sqlite3.connect(db.path) as source, sqlite3.connect(after) as target:
            source.backup(target)
        orders["stored order after close"] = [r[0] for r in _query(db, after, f"SELECT choice {where}")]
    else:
        orders["ctid after close"] = [r[0] for r in _query(db, None, f"SELECT choice {where} ORDER BY ctid")]
        dump = _pg_dump(["vote_ballot"]).decode()
        orders["pg_dump after close"] = [
            line.split("\t")[2] for line in dump.splitlines() if line.count("\t") == 3
        ]
    assert all(len(order) == VOTERS for order in orders.values()), {k: len(v) for k, v in orders.items()}
    return orders


def test_copies_taken_while_voting_link_no_more_than_chance(demo, db, tmp_path: Path) -> None:
    from coop.audit.service import SYSTEM
    from coop.votes import vote_keys
    from coop.votes.board import board_json_chunks
    from coop.votes.casting import cast_ballot
    from coop.votes.closing import close_vote
    from coop.votes.records import get_vote
    from coop.votes.sealing import SealedBallot, open_sealed

    voters, choices = _voters_and_choices(seed=20)
    chose = dict(zip(voters, choices, strict=True))
    vote_id = make_vote(kind="ranked", purpose="general", options=OPTIONS, closes_in=timedelta(hours=1))
    public_key = run(db.run_ddl(f"SELECT seal_public_key FROM vote WHERE id = {vote_id}"))[0][
        "seal_public_key"
    ]
    key_kept_against_the_rules = vote_keys.load_key(vote_id, public_key)
    trackers: list[str] = []
    cast_box: dict[int, str] = {}  # the strongest adversary: a copy after every ballot
    seen: set[str] = set()
    copies: list[Path] = []
    for number, (member, choice) in enumerate(zip(voters, choices, strict=True), start=1):
        outcome = run(cast_ballot(org_id(), vote_id, member, choice, now=now(), actor=SYSTEM))
        assert outcome.counted
        trackers.append(str(outcome.tracker))
        boxes = {r["fingerprint"]: r["sealed"] for r in run(db.run_ddl("SELECT * FROM vote_sealed_ballot"))}
        (new,) = set(boxes) - seen
        seen.add(new)
        cast_box[member] = boxes[new]
        if number in (VOTERS // 2, VOTERS):
            copies += _mid_vote_copy(db, tmp_path, f"after-{number}", trackers, choices)
    voter_orders = {}
    for copy in copies or [None]:
        label = copy.name if copy else "live PostgreSQL"
        voter_orders.update({f"{label}: {k}": v for k, v in _voter_orders(db, copy, vote_id).items()})
    voter_orders = {k: v for k, v in voter_orders.items() if len(v) == VOTERS}

    run(close_vote(org_id(), vote_id, now=now() + timedelta(hours=2), actor=SYSTEM))
    assert not vote_keys.key_exists(vote_id, public_key), "the close left the key file behind"
    assert run(db.run_ddl("SELECT * FROM vote_sealed_ballot")) == []
    vote = run(get_vote(org_id(), vote_id))

    async def board_text() -> str:
        return b"".join([chunk async for chunk in board_json_chunks(vote)]).decode()

    published = run(board_text())
    assert not [box for box in seen if box in published], "the board pairs a sealed box with a ballot"
    if hasattr(db, "path"):  # and no box is left in the file or its WAL for a later copy to find
        wal = Path(f"{db.path}-wal")
        stored = Path(db.path).read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert not [box for box in cast_box.values() if box[:40].encode() in stored]
    links = _links(voter_orders, _board_orders(db, vote_id, tmp_path), chose)
    mean = sum(links.values()) / len(links)
    print(
        f"\n{len(links)} ways of lining voters up against the board: mean {mean:.2f}, "
        f"max {max(links.values())} links of {VOTERS} (chance: 1)"
    )
    assert mean <= 2.5 and max(links.values()) <= 6, links

    # The copy-per-ballot adversary knows which box each voter cast; the board says nothing of boxes, so
    # without the key it can only guess. With the key it would read every box: the key is what protects.
    with_key = sum(
        open_sealed(key_kept_against_the_rules, SealedBallot(_fingerprint(box), box)).choice == chose[member]
        for member, box in cast_box.items()
    )
    assert with_key == VOTERS
    print(
        f"copy after every ballot: links voters to sealed boxes {VOTERS}/{VOTERS}; to choices "
        f"{with_key}/{VOTERS} with the key file, none readable without it (the close destroys it)"
    )


def _fingerprint(sealed: str) -> str:
    import base64

    from coop.votes.sealing import fingerprint_of

    return fingerprint_of(base64.b64decode(sealed))
