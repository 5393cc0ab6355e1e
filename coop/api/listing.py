"""The API's lists: what each list holds (scoped to its organisation, or to a pool), how its state and date
filters apply, and one page of it in id order (`coop.api.paging.keyset`). Every list handler is one call
here with the shape it answers in, so lists behave alike and their queries stay out of the handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import msgspec
from piccolo.columns import Column
from piccolo.query import Select
from piccolo.table import Table

from coop.api.paging import (
    MAX_LIMIT,
    PageOf,
    check_dates,
    day_start,
    decode_key_cursor,
    encode_key_cursor,
    keyset,
    next_day,
    not_our_cursor,
)
from coop.audit.tables import AuditEvent
from coop.budgets.tables import LedgerTransaction
from coop.commissioning.tables import CommissionProposal, Contract, Provider
from coop.meetings import decisions
from coop.meetings.tables import AgendaItem, Meeting
from coop.members.tables import Member
from coop.organisations.service import OrgContext
from coop.resolutions import reading as written
from coop.resolutions.tables import WrittenResolution
from coop.votes import records as votes
from coop.votes.tables import Vote

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing:
    table: type[Table]
    owner: Column  # the organisation (or pool) column every row of the list must match
    columns: tuple[Column, ...] = ()  # () is every column
    state: Callable[[str], Any] | None = None  # a `state` filter value -> its WHERE clause
    dated: Column | None = None  # the column `since` and `until` filter on
    dated_by_day: bool = False  # a Date column (compare days), not a timestamp


@dataclass(frozen=True, slots=True)
class Filters:
    state: str | None = None
    since: date | None = None
    until: date | None = None


MEMBER_STATES = {"current": Member.ceased_on.is_null(), "ceased": Member.ceased_on.is_not_null()}
MEMBERS = Listing(
    Member,
    Member.organisation,
    (
        Member.id,
        Member.public_id,
        Member.name,
        Member.member_class,
        Member.admitted_on,
        Member.ceased_on,
        Member.ceased_reason,
        Member.leaving_on,
        Member.address,
        Member.email,
        Member.shares_held,
        Member.guarantee_pence,
    ),
    state=MEMBER_STATES.__getitem__,
    dated=Member.admitted_on,
    dated_by_day=True,
)
AUDIT_EVENTS = Listing(
    AuditEvent,
    AuditEvent.organisation,
    (
        AuditEvent.id,
        AuditEvent.seq,
        AuditEvent.at,
        AuditEvent.action,
        AuditEvent.target_type,
        AuditEvent.target_id,
        AuditEvent.outcome,
        AuditEvent.hash,
    ),
    dated=AuditEvent.at,
)
VOTES = Listing(
    Vote, Vote.organisation, tuple(votes.VOTE_COLUMNS), state=lambda s: Vote.status == s, dated=Vote.closes_at
)
PROVIDERS = Listing(Provider, Provider.organisation)
PROPOSALS = Listing(
    CommissionProposal, CommissionProposal.organisation, state=lambda s: CommissionProposal.status == s
)
CONTRACTS = Listing(Contract, Contract.organisation, state=lambda s: Contract.status == s)
MEETINGS = Listing(
    Meeting,
    Meeting.organisation,
    (
        Meeting.id,
        Meeting.public_id,
        Meeting.kind,
        Meeting.member_class,
        Meeting.title,
        Meeting.starts_at,
        Meeting.place,
        Meeting.online_link,
        Meeting.status,
        Meeting.notice_sent_on,
        Meeting.minutes_state,
    ),
    state=lambda s: Meeting.status == s,
    dated=Meeting.starts_at,
)
MEETING_RESOLUTIONS = Listing(
    AgendaItem,
    AgendaItem.meeting.organisation,
    decisions.REGISTER_COLUMNS,
    state=lambda s: AgendaItem.result == s,
    dated=AgendaItem.decided_at,
)
WRITTEN_RESOLUTIONS = Listing(
    WrittenResolution,
    WrittenResolution.organisation,
    written.COLUMNS,
    state=lambda s: WrittenResolution.status == s,
    dated=WrittenResolution.decided_on,
    dated_by_day=True,
)
LEDGER = Listing(LedgerTransaction, LedgerTransaction.pool, dated=LedgerTransaction.created_at)


async def page_of(
    listing: Listing,
    owner_id: int,
    item: Callable[[dict[str, Any]], T],
    *,
    cursor: str | None,
    limit: int,
    filters: Filters = Filters(),
    visible: Any = None,
) -> PageOf[T]:
    """One page of `listing` for its owner, filtered, each row as `item` makes it; `visible` is the
    pages' rule for which rows this person may see, where the list has one."""
    check_dates(filters.since, filters.until)
    query = listing.table.select(*listing.columns).where(listing.owner == owner_id)
    if visible is not None:
        query = query.where(visible)
    rows, nxt = await keyset(
        _filtered(query, listing, filters), listing.table._meta.primary_key, cursor=cursor, limit=limit
    )
    return PageOf(items=[item(r) for r in rows], next=nxt)


def _filtered(query: Select[Any], listing: Listing, filters: Filters) -> Select[Any]:
    if filters.state and listing.state is not None:
        query = query.where(listing.state(filters.state))
    if listing.dated is None:
        return query
    after: date | datetime | None = filters.since
    before: date | datetime | None = next_day(filters.until) if filters.until else None
    if not listing.dated_by_day:  # a timestamp: from the start of `since` to the end of `until`, in UTC
        after, before = (
            day_start(filters.since),
            day_start(next_day(filters.until)) if filters.until else None,
        )
    if after:
        query = query.where(listing.dated >= after)
    if before:
        query = query.where(listing.dated < before)
    return query


def row_as(shape: type[T]) -> Callable[[dict[str, Any]], T]:
    """A row as an API shape whose fields are named as its columns; `id` is the row's public id."""

    def item(row: dict[str, Any]) -> T:
        values = {**row, "id": str(row["public_id"])} if "public_id" in row else row
        return msgspec.convert(values, shape, strict=False)

    return item


@dataclass(frozen=True, slots=True)
class Register:
    """A page of the register of resolutions: those decided at meetings, then written ones."""

    at_meetings: list[dict[str, Any]]
    written: list[dict[str, Any]]
    next: str | None


def _register_position(cursor: str | None) -> tuple[str, int]:
    """Where a page of the register starts: ("m", id) in the meetings' part, ("w", id) in the written."""
    key = decode_key_cursor(cursor) or "m0"
    if key[0] in "mw" and key[1:].isdigit() and len(key) <= 11:
        return key[0], min(int(key[1:]), 2**31 - 1)
    raise not_our_cursor()


async def resolutions_register(
    org: OrgContext, method: str | None, *, cursor: str | None, limit: int, filters: Filters
) -> Register:
    """One page of the register of resolutions this person may see, by the pages' rules: resolutions
    decided at meetings in id order, then written resolutions in id order (`method` keeps to one part).
    Two queries at most, whatever the size of the register."""
    check_dates(filters.since, filters.until)
    part, after = _register_position(cursor)
    size = max(1, min(limit, MAX_LIMIT))
    at_meetings: list[dict[str, Any]] = []
    if part == "m" and method in (None, "meeting"):
        query = _filtered(
            AgendaItem.select(*MEETING_RESOLUTIONS.columns).where(decisions.register_where(org)),
            MEETING_RESOLUTIONS,
            filters,
        )
        at_meetings = list(await query.where(AgendaItem.id > after).order_by(AgendaItem.id).limit(size + 1))
        if len(at_meetings) > size:
            at_meetings = at_meetings[:size]
            return Register(at_meetings, [], encode_key_cursor(f"m{at_meetings[-1]['id']}"))
        after = 0
    if method not in (None, "written"):
        return Register(at_meetings, [], None)
    room = size - len(at_meetings)
    query = _filtered(
        WrittenResolution.select(*WRITTEN_RESOLUTIONS.columns).where(written.register_where(org)),
        WRITTEN_RESOLUTIONS,
        filters,
    )
    query = query.where(WrittenResolution.id > after).order_by(WrittenResolution.id)
    rows = list(await query.limit(room + 1))
    if len(rows) <= room:
        return Register(at_meetings, rows, None)
    rows = rows[:room]
    last = f"w{rows[-1]['id']}" if rows else f"m{at_meetings[-1]['id']}"
    return Register(at_meetings, rows, encode_key_cursor(last))
