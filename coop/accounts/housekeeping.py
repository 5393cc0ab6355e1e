"""The worker's sweep that forgets sign-in records nobody needs any more, so the tables behind sign-in stay
small however many addresses and made-up emails strangers try: ended sessions, used or expired reset
links, expired trusted browsers, and throttle counters whose window has long passed."""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.custom_types import Combinable

from coop.accounts.service import ACCOUNT_FREE_FAILURES
from coop.accounts.tables import LoginSession, LoginThrottle, PasswordReset, TrustedDevice
from coop.db import delete_in_batches
from coop.settings import Settings

QUIET_FOR = timedelta(days=1)
"""How long a throttle counter must have been quiet before it goes: longer than any window it counts in
(a minute per address for sign-in, an hour per address for sign-up, 15 minutes per teller)."""


def stale_counters(now: datetime) -> Combinable:
    """Counters that limit nothing any more. Windowed counters (per address, per teller) once their window
    started a day ago. A per-account counter counts wrong passwords in a row with no window, so it goes
    only while it is under the free tries and a day quiet: a counter that makes someone wait, or locks the
    account, stays until the right password or a reset clears it."""
    quiet = now - QUIET_FOR
    windowed = LoginThrottle.key.not_like("account:%") & (LoginThrottle.window_started_at <= quiet)
    free = (
        LoginThrottle.key.like("account:%")
        & (LoginThrottle.failures < ACCOUNT_FREE_FAILURES)
        & (LoginThrottle.last_failure_at <= quiet)
    )
    return windowed | free


async def forget_stale_sign_in_records(settings: Settings, now: datetime) -> None:
    idle = timedelta(minutes=settings.session_idle_minutes)
    await delete_in_batches(
        LoginSession, (LoginSession.expires_at <= now) | (LoginSession.last_seen_at <= now - idle)
    )
    # A link that is used or out of date answers "expired or already used" whether or not its row is kept.
    await delete_in_batches(PasswordReset, PasswordReset.expires_at <= now)
    await delete_in_batches(TrustedDevice, TrustedDevice.expires_at <= now)
    await delete_in_batches(LoginThrottle, stale_counters(now))
