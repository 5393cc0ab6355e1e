"""M4: a process paying from a pool in a loop is killed with SIGKILL at a random moment, 20 times. After
every kill the database is intact and the ledger exact: no half-written transfer, every invariant holds."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import run
from tests.coop.budgets.helpers import make_pool, money_holders

ROOT = Path(__file__).resolve().parents[3]
KILLS = 20


def test_killing_the_writer_mid_payment_never_leaves_half_a_transfer(demo, db, engine_name):
    from coop.budgets.invariants import ledger_problems
    from coop.budgets.tables import LedgerTransaction
    from coop.db import CoopSQLiteEngine

    setup = make_pool(contributors=3, deposit_pence=1_000)
    url = f"sqlite:///{db.path}" if isinstance(db, CoopSQLiteEngine) else os.environ["COOP_DATABASE_URL"]
    env = {**os.environ, "COOP_DATABASE_URL": url, "PICCOLO_CONF": "coop.piccolo_conf"}
    command = [
        sys.executable,
        "-m",
        "tests.coop.budgets.payment_loop",
        str(setup.organisation_id),
        str(setup.pool_id),
        *map(str, setup.accounts),
    ]
    rng = random.Random(20261123)
    counts = []
    for _ in range(KILLS):
        writer = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = writer.stdout.readline()
            assert line.strip() == b"ready", writer.stderr.read().decode()[-3000:]
            time.sleep(rng.uniform(0.3, 1.5))
            assert writer.poll() is None, writer.stderr.read().decode()[-3000:]
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=30)
            writer.stdout.close()
            writer.stderr.close()
        if isinstance(db, CoopSQLiteEngine):
            with sqlite3.connect(db.path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert run(ledger_problems(money_holders(), setup.pool_id)) == []
        counts.append(run(LedgerTransaction.count().where(LedgerTransaction.pool == setup.pool_id)))
    print(f"\n{engine_name}: {KILLS} kills, {counts[-1]} ledger transactions written, invariants held 20/20")
    assert counts[-1] > counts[0] > 0
