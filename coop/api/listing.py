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

from coop.api.paging import PageOf, check_dates, day_start, keyset, next_day
from coop.audit.tables import AuditEvent
from coop.budgets.tables import LedgerTransaction
from coop.commissioning.tables import CommissionProposal, Contract, Provider
from coop.members.tables import Member
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
LEDGER = Listing(LedgerTransaction, LedgerTransaction.pool, dated=LedgerTransaction.created_at)


async def page_of(
    listing: Listing,
    owner_id: int,
    item: Callable[[dict[str, Any]], T],
    *,
    cursor: str | None,
    limit: int,
    filters: Filters = Filters(),
) -> PageOf[T]:
    """One page of `listing` for its owner, filtered, each row as `item` makes it."""
    check_dates(filters.since, filters.until)
    query = listing.table.select(*listing.columns).where(listing.owner == owner_id)
    rows, nxt = await keyset(_filtered(query, listing, filters), listing.table.id, cursor=cursor, limit=limit)
    return PageOf(items=[item(r) for r in rows], next=nxt)


def _filtered(query: Select, listing: Listing, filters: Filters) -> Select:
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
