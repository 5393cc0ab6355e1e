"""The job queue's one table (see coop/jobs/queue.py for how rows move between states)."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Job(Table, tablename="job"):
    """One piece of work: queued until `run_at`, then running under a worker's lease, then done or, after
    its last failed attempt, needs attention (with the reason) until a site admin retries it."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    kind = Varchar(length=60, help_text="Which handler runs it, e.g. 'mail.deliver'.")
    payload = Text(default="{}", help_text="JSON: what the handler needs (ids, never secrets).")
    state = Varchar(
        length=20, default="queued", index=True, help_text="queued, running, done, needs_attention."
    )
    run_at = Timestamptz(default=TimestamptzNow(), index=True, help_text="Not before this time.")
    attempts = Integer(default=0, help_text="Times a worker has taken it.")
    max_attempts = Integer(default=8)
    locked_by = Varchar(length=80, null=True, default=None, help_text="The worker holding the lease.")
    locked_until = Timestamptz(null=True, default=None, help_text="After this another worker may take it.")
    last_error = Text(default="", help_text="Why the last attempt failed, in words an admin can act on.")
    dedupe_key = Varchar(
        length=200, null=True, default=None, unique=True, help_text="At most one job per key, ever."
    )
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
