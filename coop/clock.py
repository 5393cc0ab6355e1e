"""The one clock coop reads: the time now (UTC), today's date (UTC, or in London for the calendar the
law and the accounts use), and a way for tests to set it instead of waiting.

Code asks `clock.now()` at the moment it needs the time; nothing stores a `datetime.now` of its own, so
`frozen_at` moves every part of coop at once. Pure rules in `governance/` never read a clock: the time is
passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def _system_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_now


def now() -> datetime:
    """The time now, timezone-aware in UTC."""
    return _source()


def today() -> date:
    """Today's date in UTC (registers, terms, resignations: the dates coop has always kept in UTC)."""
    return now().date()


def today_in_london() -> date:
    """Today's date in the UK (periods of accounts and returns, which follow the UK calendar)."""
    return now().astimezone(LONDON).date()


@contextmanager
def frozen_at(moment: datetime | Callable[[], datetime]) -> Iterator[None]:
    """For tests: every `clock.now()` inside gives `moment` (or what calling it gives, to move time on)."""
    global _source
    if isinstance(moment, datetime) and moment.tzinfo is None:
        raise ValueError("give the frozen time a timezone (UTC)")
    previous = _source
    _source = moment if callable(moment) else (lambda: moment)
    try:
        yield
    finally:
        _source = previous
