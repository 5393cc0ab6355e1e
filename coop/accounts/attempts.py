"""A limit on wrong secrets other than sign-in passwords (a teller's passphrase), kept in the same
`login_throttle` table as the sign-in limits, so every worker and machine sees one count.

Each attempt is counted before the secret is checked, with a compare-and-set on the count, so concurrent
attempts cannot slip past the limit together; a right secret then clears the count (`forget_attempts`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.columns import Column

from coop.accounts.service import _ensure_counter, _throttle_row
from coop.accounts.tables import LoginThrottle
from coop.audit.guarded import guarded_change
from coop.db import write_transaction

CLAIM_TRIES = 50
"""Each round of the compare-and-set lets one of the attempts racing for it through, so this many rounds is
enough for that many at once; beyond that an attempt is refused as if over the limit."""


@dataclass(frozen=True, slots=True)
class Attempt:
    tries: int
    """Attempts counted in this window, this one included (while allowed)."""
    wait_until: datetime | None = None
    """When refused: when the next attempt will be let through."""
    first_refusal: bool = False
    """The first attempt refused in this window (audit it; later ones in the window are not)."""


async def claim_attempt(key: str, *, limit: int, window: timedelta, moment: datetime) -> Attempt:
    """Count an attempt under `key`, or refuse it once `limit` were counted in the window that began with
    the first of them. The window restarts with the first attempt after it has passed."""
    for _ in range(CLAIM_TRIES):
        row = await _throttle_row(key)
        if row is None:
            async with write_transaction():
                await _ensure_counter(key, moment)
            continue
        failures, started = int(row["failures"]), row["window_started_at"]
        values: dict[Column, object] = {LoginThrottle.last_failure_at: moment}
        if started <= moment - window or failures == 0:
            values.update({LoginThrottle.failures: 1, LoginThrottle.window_started_at: moment})
            tries = 1
        elif failures > limit:
            return Attempt(failures, wait_until=started + window)
        else:
            values[LoginThrottle.failures] = failures + 1
            tries = failures + 1
        async with write_transaction():
            claimed = await guarded_change(
                LoginThrottle,
                values,
                (LoginThrottle.key == key) & (LoginThrottle.failures == failures),
                returning=[LoginThrottle.id],
            )
        if claimed:
            if tries > limit:
                return Attempt(tries, wait_until=started + window, first_refusal=True)
            return Attempt(tries)
    return Attempt(limit + 1, wait_until=moment + window)


async def forget_attempts(key: str) -> None:
    """A right secret: its owner starts the count afresh."""
    async with write_transaction():
        await LoginThrottle.delete().where(LoginThrottle.key == key)


def minutes_until(moment: datetime, until: datetime) -> int:
    return max(1, int((until - moment).total_seconds() + 59) // 60)
