"""V15: the process casting ballots is killed with SIGKILL, 50 ballots in flight, 20 times. After every
kill the database is intact and every vote has exactly as many ballots as members recorded as voting:
a ballot is written with its voter's participation, or neither is."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import run
from tests.coop.votes.helpers import make_vote, org_id

ROOT = Path(__file__).resolve().parents[3]
KILLS = 20
CROWD = 3000  # enough that no run finishes casting before the kill, even with fast casts on PostgreSQL


def _add_crowd(organisation: int) -> None:
    from coop.members.tables import Member

    for start in range(0, CROWD, 500):  # bounded batches: PostgreSQL takes at most 32,767 values a statement
        run(
            Member.insert(
                *(
                    Member(
                        organisation=organisation,
                        name=f"Crash voter {i}",
                        member_class="budget_holder",
                        admitted_on=date(2024, 1, 1),
                    )
                    for i in range(start, min(start + 500, CROWD))
                )
            )
        )


def test_killing_the_app_while_ballots_are_cast_never_splits_a_ballot_from_its_voter(demo, db, engine_name):
    from coop.db import CoopSQLiteEngine
    from coop.votes.tables import Ballot, SealedBallotRow, VoteParticipation

    organisation = org_id()
    _add_crowd(organisation)
    url = f"sqlite:///{db.path}" if isinstance(db, CoopSQLiteEngine) else os.environ["COOP_DATABASE_URL"]
    env = {**os.environ, "COOP_DATABASE_URL": url, "PICCOLO_CONF": "coop.piccolo_conf"}
    rng = random.Random(20261123)
    written = []
    for kill in range(KILLS):
        vote_id = make_vote(title=f"Crash test {kill}", closes_in=timedelta(days=1))
        command = [sys.executable, "-m", "tests.coop.votes.cast_loop", str(organisation), str(vote_id)]
        caster = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = caster.stdout.readline()
            assert line.strip() == b"ready", caster.stderr.read().decode()[-3000:]
            time.sleep(rng.uniform(0.05, 0.6))  # a random moment to kill at, not a wait for a result
            assert caster.poll() is None, "every ballot was in before the kill; raise CROWD"
        finally:
            caster.send_signal(signal.SIGKILL)
            caster.wait(timeout=30)
            caster.stdout.close()
            caster.stderr.close()
        if isinstance(db, CoopSQLiteEngine):
            with sqlite3.connect(db.path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ballots = run(Ballot.count().where(Ballot.vote == vote_id))
        ballots += run(SealedBallotRow.count().where(SealedBallotRow.vote == vote_id))
        voters = run(VoteParticipation.count().where(VoteParticipation.vote == vote_id))
        assert ballots == voters, f"kill {kill + 1}: {ballots} ballots but {voters} voters"
        written.append(ballots)
    print(f"\n{engine_name}: {KILLS} kills; ballots = voters after every one; written per run: {written}")
    assert min(written) >= 50
