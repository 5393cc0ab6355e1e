"""Direct-payment monitoring returns and the pool's open page, read straight from the ledger.

A return covers one contributor's sub-account for a period of whole days (UK time): the opening balance,
money in by funding source, what was bought for them, and the closing (unspent) balance. Each entry
counts in the period the money was for, not when it was recorded: a payment on the first day of the
service it paid for, money in on the first day of the period it covers, a reversal where its original
counts (so the pair nets to zero in one return). An entry with no such dates counts on the day it was
recorded (UK time). A service period that spans two returns counts whole in the one holding its first
day (docs/budgets.md explains why). Every figure is a sum of the account's own ledger entries, so
opening + money in - money bought = closing exactly, and, unless money was recorded for a period still
to come, a period running to today closes at the stored balance (the statement's closing figure).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from coop import clock
from coop.audit.service import Actor, AuditEntry, record
from coop.budgets.ledger import CONTRIBUTOR, MONEY_IN, MONEY_OUT
from coop.budgets.tables import LedgerEntry, LedgerTransaction, PoolAccount, PoolPayment
from coop.members.entries import csv_cell
from coop.template_filters import LONDON
from governance.budget import FUNDING_SOURCE_NAMES, FundingSource

#: The first day any return can start on (nothing in coop is older).
EARLIEST = date(2000, 1, 1)
#: The end of a return that takes in everything, money recorded for periods still to come included.
LATEST = date(9999, 12, 31)


def source_name(code: str) -> str:
    try:
        return FUNDING_SOURCE_NAMES[FundingSource(code)]
    except ValueError:
        return "Other money in"


def quarter_of(day: date) -> tuple[date, date]:
    """The council financial-year quarter (April to June, ...) holding `day`."""
    first_month = ((day.month - 4) % 12) // 3 * 3 + 4
    year = day.year if first_month <= day.month else day.year - 1
    start = date(year + (first_month > 12), (first_month - 1) % 12 + 1, 1)
    end_month = start.month + 3
    end = date(start.year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


@dataclass(frozen=True, slots=True)
class MoneyInLine:
    on: date  # the day it counts on: the start of the period it covers, else the day it was recorded
    recorded: date
    reference: str
    source: str  # a FundingSource value, or "" when not recorded
    funder: str
    period_start: date | None
    period_end: date | None
    note: str
    amount_pence: int  # a correction that takes money back is negative


@dataclass(frozen=True, slots=True)
class BoughtLine:
    on: date  # the day it counts on: the first day of the service paid for, else the day it was recorded
    recorded: date
    reference: str
    what: str
    payee: str
    amount_pence: int  # this person's share; a refund is negative
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True, slots=True)
class SourceTotal:
    source: str
    funder: str
    amount_pence: int

    @property
    def name(self) -> str:
        return source_name(self.source)


@dataclass
class MonitoringReturn:
    person: str
    pool_name: str
    start: date
    end: date
    opening_pence: int = 0
    money_in: list[MoneyInLine] = field(default_factory=list)
    bought: list[BoughtLine] = field(default_factory=list)
    committed_pence: int = 0  # reserved for payments waiting for approval (periods running to today)
    floor_pence: int = 0

    @property
    def total_in_pence(self) -> int:
        return sum(line.amount_pence for line in self.money_in)

    @property
    def total_bought_pence(self) -> int:
        return sum(line.amount_pence for line in self.bought)

    @property
    def closing_pence(self) -> int:
        return self.opening_pence + self.total_in_pence - self.total_bought_pence

    @property
    def by_source(self) -> list[SourceTotal]:
        totals: dict[tuple[str, str], int] = {}
        for line in self.money_in:
            key = (line.source, line.funder)
            totals[key] = totals.get(key, 0) + line.amount_pence
        return [SourceTotal(s, f, v) for (s, f), v in totals.items()]

    @property
    def by_payee(self) -> list[tuple[str, int]]:
        return _group(self.bought)


def _group(lines: Iterable[BoughtLine]) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.payee] = totals.get(line.payee, 0) + line.amount_pence
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


# ---------------------------------------------------------------------------------------------------------
# Reading the ledger
# ---------------------------------------------------------------------------------------------------------


_TXN_COLUMNS = (
    "id",
    "reference",
    "kind",
    "description",
    "funding_source",
    "funder",
    "period_start",
    "period_end",
    "reverses",
)


async def _entries(account_id: int) -> list[dict[str, Any]]:
    """Every entry of one account, oldest first, with its transaction's details (`txn_id` for its id)."""
    txn_columns = [
        getattr(LedgerEntry.txn, name).as_alias("txn_id" if name == "id" else name) for name in _TXN_COLUMNS
    ]
    return await (
        LedgerEntry.select(LedgerEntry.amount_pence, LedgerEntry.created_at, *txn_columns)
        .where(LedgerEntry.account == account_id)
        .order_by(LedgerEntry.id)
    )


@dataclass(frozen=True, slots=True)
class _Origin:
    """What a transaction was for: its own kind and details, or, for a reversal, the original's."""

    kind: str
    reference: str
    source: str
    funder: str
    payee: str
    what: str
    period_start: date | None
    period_end: date | None


async def _origins(rows: list[dict[str, Any]]) -> dict[int, _Origin]:
    """For every transaction in `rows`, what it paid for or where its money came from (reversals are
    described by the transaction they reverse)."""
    originals = {int(r["reverses"]) for r in rows if r["reverses"] is not None}
    txn_ids = {int(r["txn_id"]) for r in rows} | originals
    if not txn_ids:
        return {}
    txns = await LedgerTransaction.select(
        LedgerTransaction.id,
        LedgerTransaction.kind,
        LedgerTransaction.reference,
        LedgerTransaction.description,
        LedgerTransaction.funding_source,
        LedgerTransaction.funder,
        LedgerTransaction.reverses,
        LedgerTransaction.period_start,
        LedgerTransaction.period_end,
    ).where(LedgerTransaction.id.is_in(sorted(txn_ids)))
    payments = {
        int(p["txn"]): p
        for p in await PoolPayment.select(PoolPayment.txn, PoolPayment.payee, PoolPayment.description).where(
            PoolPayment.txn.is_in(sorted(txn_ids))
        )
    }
    own = {
        int(t["id"]): _Origin(
            t["kind"],
            t["reference"],
            t["funding_source"] or "",
            t["funder"] or "",
            payments[int(t["id"])]["payee"] if int(t["id"]) in payments else "",
            payments[int(t["id"])]["description"] if int(t["id"]) in payments else t["description"],
            t["period_start"],
            t["period_end"],
        )
        for t in txns
    }
    result: dict[int, _Origin] = {}
    for t in txns:
        origin = own[int(t["id"])]
        if t["kind"] == "reversal" and t["reverses"] is not None:
            origin = own[int(t["reverses"])]
        result[int(t["id"])] = origin
    return result


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def counts_on(row: dict[str, Any], origin: _Origin) -> date:
    """The day an entry counts on in a return: the first day of the period the money was for (a
    reversal's original's, for entries written before reversals carried it), else the day recorded."""
    start: date | None = row["period_start"] or origin.period_start
    return start if start is not None else _local_day(row["created_at"])


async def monitoring_return(account_id: int, start: date, end: date) -> MonitoringReturn:
    """The return for one contributor's sub-account from `start` to `end` (both days included). A little
    over 60 lines: the figures are built from one pass over the entries, kept together so they reconcile."""
    account = (
        await PoolAccount.select(
            PoolAccount.name,
            PoolAccount.kind,
            PoolAccount.committed_pence,
            PoolAccount.floor_pence,
            PoolAccount.pool.name.as_alias("pool_name"),
        )
        .where(PoolAccount.id == account_id)
        .first()
    )
    assert account is not None and account["kind"] == CONTRIBUTOR
    rows = await _entries(account_id)
    origins = await _origins(rows)
    sheet = MonitoringReturn(
        person=account["name"],
        pool_name=account["pool_name"],
        start=start,
        end=end,
        committed_pence=int(account["committed_pence"]) if end >= clock.today_in_london() else 0,
        floor_pence=int(account["floor_pence"]),
    )
    for row in sorted(rows, key=lambda r: (counts_on(r, origins[int(r["txn_id"])]), r["created_at"])):
        amount = int(row["amount_pence"])
        origin = origins[int(row["txn_id"])]
        on = counts_on(row, origin)
        if on < start:
            sheet.opening_pence += amount
            continue
        if on > end:
            continue
        recorded = _local_day(row["created_at"])
        period = (row["period_start"] or origin.period_start, row["period_end"] or origin.period_end)
        correction = f"Correction to {origin.reference}" if row["kind"] == "reversal" else ""
        if origin.kind == "contribution" or (origin.kind != "payment" and amount > 0):
            sheet.money_in.append(
                MoneyInLine(
                    on,
                    recorded,
                    row["reference"],
                    origin.source,
                    origin.funder,
                    *period,
                    correction or row["description"],
                    amount,
                )
            )
        else:
            what = origin.what or row["description"]
            sheet.bought.append(
                BoughtLine(
                    on,
                    recorded,
                    row["reference"],
                    f"{correction}: {what}" if correction else what,
                    origin.payee,
                    -amount,
                    *period,
                )
            )
    return sheet


# ---------------------------------------------------------------------------------------------------------
# The CSV download
# ---------------------------------------------------------------------------------------------------------

RETURN_COLUMNS = [
    "Counts on",
    "Recorded on",
    "Reference",
    "Type",
    "Funding source",
    "Paid by",
    "Covers from",
    "Covers to",
    "What",
    "Paid to",
    "Money in (£)",
    "Money out (£)",
]


def pounds_cell(pence: int) -> str:
    """An exact amount in pounds for a spreadsheet, like 1234.56 (never through a float)."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def return_csv(sheet: MonitoringReturn) -> str:
    """The return as CSV: a summary block, then every line. Text cells are formula-escaped like the
    register export; amounts are written by `pounds_cell` from integers, so they are plain numbers. A
    little over 60 lines: one row after another in the order a funder reads them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def text(*cells: str) -> list[str]:
        return [csv_cell(c) for c in cells]

    writer.writerow(text("Direct payment monitoring return"))
    writer.writerow(text("Person", sheet.person))
    writer.writerow(text("Pool", sheet.pool_name))
    writer.writerow(text("From", sheet.start.isoformat()))
    writer.writerow(text("To", sheet.end.isoformat()))
    writer.writerow([*text("Opening balance (£)"), pounds_cell(sheet.opening_pence)])
    for total in sheet.by_source:
        label = f"Money in: {total.name}" + (f" from {total.funder}" if total.funder else "")
        writer.writerow([*text(label + " (£)"), pounds_cell(total.amount_pence)])
    writer.writerow([*text("Total money in (£)"), pounds_cell(sheet.total_in_pence)])
    writer.writerow([*text("Total spent (£)"), pounds_cell(sheet.total_bought_pence)])
    writer.writerow([*text("Closing balance (£)"), pounds_cell(sheet.closing_pence)])
    writer.writerow([*text("Unspent at the end of the period (£)"), pounds_cell(sheet.closing_pence)])
    writer.writerow([])
    writer.writerow(text(*RETURN_COLUMNS))
    for line in sheet.money_in:
        writer.writerow(
            [
                *text(
                    line.on.isoformat(),
                    line.recorded.isoformat(),
                    line.reference,
                    "Money in",
                    source_name(line.source) if line.source else "",
                    line.funder,
                    line.period_start.isoformat() if line.period_start else "",
                    line.period_end.isoformat() if line.period_end else "",
                    line.note,
                    "",
                ),
                pounds_cell(line.amount_pence),
                "",
            ]
        )
    for bought in sheet.bought:
        writer.writerow(
            [
                *text(
                    bought.on.isoformat(),
                    bought.recorded.isoformat(),
                    bought.reference,
                    "Bought",
                    "",
                    "",
                    bought.period_start.isoformat() if bought.period_start else "",
                    bought.period_end.isoformat() if bought.period_end else "",
                    bought.what,
                    bought.payee,
                ),
                "",
                pounds_cell(bought.amount_pence),
            ]
        )
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------
# The pool's open page: totals by service, never one person's money
# ---------------------------------------------------------------------------------------------------------


async def _world_entries(pool_id: int, kind: str) -> list[dict[str, Any]]:
    account = (
        await PoolAccount.select(PoolAccount.id)
        .where((PoolAccount.pool == pool_id) & (PoolAccount.kind == kind))
        .first()
    )
    assert account is not None
    return await _entries(int(account["id"]))


async def spending_by_service(pool_id: int) -> list[tuple[str, int]]:
    """Money out of the pool by who provided the service, net of refunds, biggest first. Sums to the
    pool's money out (its "money out" account balance) to the penny."""
    rows = await _world_entries(pool_id, MONEY_OUT)
    origins = await _origins(rows)
    lines = [
        BoughtLine(
            _local_day(r["created_at"]),
            _local_day(r["created_at"]),
            r["reference"],
            "",
            origins[int(r["txn_id"])].payee or "Other spending",
            int(r["amount_pence"]),
        )
        for r in rows
    ]
    return [(payee, total) for payee, total in _group(lines) if total != 0]


async def money_in_total(pool_id: int) -> int:
    return -sum(int(r["amount_pence"]) for r in await _world_entries(pool_id, MONEY_IN))


async def downloaded_return(
    organisation_id: int, account: dict[str, Any], start: date, end: date, *, actor: Actor
) -> str:
    """The return as CSV for a download, recorded in the audit trail (who took a copy of whose money)."""
    sheet = await monitoring_return(int(account["id"]), start, end)
    await record(
        AuditEntry(
            "budget.return_downloaded",
            organisation_id=organisation_id,
            target_type="pool_account",
            target_id=str(account["public_id"]),
            detail={"from": start.isoformat(), "to": end.isoformat()},
        ),
        actor,
    )
    return return_csv(sheet)
