"""The register of members as pages and a download, at any size: entries in order of their stored entry
numbers (given by the database when an entry is made, see the migration that added them), keyset pages
and a search, the members list, and the CSV streamed in batches. Nothing here writes: whether a member's
resignation has taken effect is worked out from its date (`settle_all_due_resignations` writes it down,
for the scheduled job)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import date
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from piccolo.query import Select

from coop.audit.service import Actor, AuditEntry, record
from coop.clock import today
from coop.db import is_sqlite
from coop.members.entries import csv_cell
from coop.members.leaving import settle_due_resignations
from coop.members.tables import Member
from coop.members.words import class_name
from coop.organisations.service import constitution_of
from coop.pagination import KeysetPage, keyset_page
from governance.constitution import Constitution

CSV_BATCH = 250  # small enough that other requests on this worker get a turn between batches
PRINT_PAGE = 500
SEARCH_LIMIT = 100
CEASED_WORDS = {"resigned": "Resigned", "expelled": "Expelled", "ceased": "Ceased", "died": "Died"}
REGISTER_COLUMNS = (
    "Entry",
    "Name",
    "Address for notices",
    "Email for notices",
    "Membership class",
    "Date admitted",
    "Date ceased",
    "How membership ended",
    "Shares held",
    "Guarantee",
)
REGISTER_FIELDS = (
    Member.id,
    Member.public_id,
    Member.entry_number,
    Member.name,
    Member.address,
    Member.email,
    Member.member_class,
    Member.admitted_on,
    Member.ceased_on,
    Member.ceased_reason,
    Member.leaving_on,
    Member.shares_held,
    Member.guarantee_pence,
)


def current_on(on: date) -> Any:
    """Members on `on`: not ceased, and no resignation that has taken effect by then (written or not)."""
    return Member.ceased_on.is_null() & (Member.leaving_on.is_null() | (Member.leaving_on > on))


def is_current(row: dict[str, Any], on: date) -> bool:
    """`current_on` for a row already read."""
    return row["ceased_on"] is None and (row["leaving_on"] is None or row["leaving_on"] > on)


def clean_search(value: str) -> str:
    return " ".join(value.split())[:SEARCH_LIMIT]


def _matching(organisation_id: int, search: str, *, by_number: bool) -> Any:
    where = Member.organisation == organisation_id
    if not search:
        return where
    if by_number and search.isdigit():
        # An entry number: one index lookup (a number too long to be one matches nothing).
        return where & (Member.entry_number == (int(search) if len(search) <= 9 else -1))
    pattern = f"%{search}%"
    # Case-insensitive either way: SQLite's LIKE already is (for ASCII), PostgreSQL needs ILIKE.
    return where & (Member.name.like(pattern) if is_sqlite() else Member.name.ilike(pattern))


# How many entries, and how many current members, without reading every entry. Entries are numbered 1, 2,
# 3… by the database as they are made (the triggers of the migration that added entry numbers) and are never
# deleted, so the register holds exactly as many entries as its highest number: one index seek. Current
# members are those entries less the ceased and the resignations already in effect, each counted through
# an index that holds only them (few, next to the register; member_org_idx, member_current_idx).
_ENTRIES = "(SELECT COALESCE(MAX(entry_number), 0) FROM member WHERE organisation = {})"
_CURRENT = (
    "(SELECT COALESCE(MAX(entry_number), 0) FROM member WHERE organisation = {})"
    " - (SELECT COUNT(*) FROM member WHERE organisation = {} AND ceased_on IS NOT NULL)"
    " - (SELECT COUNT(*) FROM member WHERE organisation = {} AND ceased_on IS NULL AND leaving_on <= {})"
)


def current_count_sql(organisation_id: int, on: date) -> tuple[str, tuple[Any, ...]]:
    """An SQL expression (with Piccolo's {} placeholders) counting the organisation's current members on
    `on`, and its values: to be one part of a caller's single statement."""
    return _CURRENT, (organisation_id, organisation_id, organisation_id, on)


async def _entries(organisation_id: int) -> int:
    rows = await Member.raw(f"SELECT {_ENTRIES} AS n", organisation_id)
    return int(rows[0]["n"])


async def _current(organisation_id: int) -> int:
    sql, values = current_count_sql(organisation_id, today())
    rows = await Member.raw(f"SELECT {sql} AS n", *values)
    return int(rows[0]["n"])


async def _paged(
    query: Callable[[], Select[Any]],
    where: Any,
    columns: tuple[Any, ...],
    position: dict[str, Any],
    per_page: int,
    total: int | None = None,
) -> KeysetPage:
    if total is None:
        total = await Member.count().where(where)
    return await keyset_page(query, columns, total=total, per_page=per_page, **position)


async def register_page(
    organisation_id: int, *, search: str = "", per_page: int = 50, **position: Any
) -> KeysetPage:
    """Entries (current and ceased) in entry-number order, optionally only names (or the entry number)
    matching `search`. `position` is after=, before= or last= from the page links."""
    where = _matching(organisation_id, search, by_number=True)
    return await _paged(
        lambda: Member.select(*REGISTER_FIELDS).where(where),
        where,
        (Member.entry_number,),
        position,
        per_page,
        None if search else await _entries(organisation_id),
    )


async def name_index_page(organisation_id: int, **position: Any) -> KeysetPage:
    """Every name in the register in alphabetical order, with its entry number."""
    where = Member.organisation == organisation_id
    query = lambda: Member.select(  # noqa: E731
        Member.id, Member.public_id, Member.name, Member.entry_number
    ).where(where)
    return await _paged(query, where, (Member.name, Member.id), position, 50, await _entries(organisation_id))


async def members_page(
    organisation_id: int,
    *,
    search: str = "",
    excluding: Any = None,
    per_page: int = 50,
    total: int | None = None,
    **position: Any,
) -> KeysetPage:
    """Current members by name (the members list, and choosing a member elsewhere), optionally matching
    `search` and leaving out `excluding` (a condition on Member, e.g. those already in a pool). `total`:
    how many match, when the caller can count them more cheaply than a COUNT over the matching rows."""
    where = _matching(organisation_id, search, by_number=False) & current_on(today())
    if excluding is not None:
        where = where & excluding
    elif total is None and not search:
        total = await _current(organisation_id)
    query = lambda: Member.select(  # noqa: E731
        Member.id, Member.public_id, Member.name, Member.member_class, Member.admitted_on
    ).where(where)
    return await _paged(query, where, (Member.name, Member.id), position, per_page, total)


async def current_member(
    organisation_id: int, member_id: int, *, excluding: Any = None
) -> dict[str, Any] | None:
    """A current member of the organisation by row id (from a Choose button), or None."""
    where = (Member.organisation == organisation_id) & (Member.id == member_id) & current_on(today())
    if excluding is not None:
        where = where & excluding
    return await Member.select(Member.id, Member.public_id, Member.name).where(where).first()


def register_cells(row: dict[str, Any], constitution: Constitution, on: date) -> list[str]:
    """One register entry as the words the register page and the CSV both show. A resignation whose day
    has come shows as the end of membership even before it is written down."""
    ceased_on, reason = row["ceased_on"], row["ceased_reason"] or ""
    if ceased_on is None and row["leaving_on"] is not None and row["leaving_on"] <= on:
        ceased_on, reason = row["leaving_on"], "resigned"
    guarantee = row["guarantee_pence"] or 0
    return [
        str(row["entry_number"] or ""),
        row["name"],
        (row["address"] or "").replace("\r\n", ", ").replace("\n", ", "),
        row["email"] or "",
        class_name(constitution, row["member_class"]),
        _long(row["admitted_on"]),
        _long(ceased_on),
        CEASED_WORDS.get(reason, ""),
        str(row["shares_held"] or 0),
        f"£{guarantee // 100}.{guarantee % 100:02d}" if guarantee else "",
    ]


_ROW = (
    '    <tr class="govuk-table__row">\n'
    '      <td class="govuk-table__cell">{}</td>\n'
    '      <td class="govuk-table__cell"><a class="govuk-link" href="/o/{}/members/{}">{}</a></td>\n'
    "{}    </tr>\n"
).format
_CELL_OPEN = '<td class="govuk-table__cell">'


def html_text(value: str) -> str:
    """`value` escaped exactly as Jinja's autoescape (markupsafe.escape) writes it, as a plain string:
    without building a Markup object per cell, which cost 4 times the replacing itself."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def register_rows_html(rows: list[dict[str, Any]], slug: str, constitution: Constitution, on: date) -> Markup:
    """The register page's table body: each entry's row (its number, its name linking to the member,
    then the rest of `register_cells`), every value escaped. Made here with plain string formatting
    rather than by a Jinja loop over 500 cells, which was most of the page's render (bench/README.md
    §4.10); `Markup.format` would cost as much again."""
    out = []
    for row in rows:
        cells = [html_text(cell) for cell in register_cells(row, constitution, on)]
        rest = "".join([f"{_CELL_OPEN}{cell}</td>" for cell in cells[2:]])
        out.append(_ROW(cells[0], html_text(slug), html_text(str(row["public_id"])), cells[1], rest))
    # Every value above went through `html_text`; the rest is this function's own fixed markup.
    return Markup("".join(out))  # noqa: S704


@lru_cache(maxsize=4096)  # a register's dates repeat (admissions come in batches); strftime is the cost
def _long(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


async def register_csv(organisation_id: int) -> AsyncIterator[str]:
    """The whole register as CSV text, chunk by chunk: the heading row at once, then CSV_BATCH entries
    at a time, each batch one index seek past the last entry number sent (memory stays flat)."""
    constitution = await constitution_of(organisation_id)
    on = today()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REGISTER_COLUMNS)
    yield out.getvalue()
    after = 0
    while True:
        rows = await (
            Member.select(*REGISTER_FIELDS)
            .where((Member.organisation == organisation_id) & (Member.entry_number > after))
            .order_by(Member.entry_number)
            .limit(CSV_BATCH)
        )
        if not rows:
            return
        out.seek(0)
        out.truncate()
        for row in rows:
            writer.writerow([csv_cell(cell) for cell in register_cells(row, constitution, on)])
        yield out.getvalue()
        after = rows[-1]["entry_number"]


async def export_register(organisation_id: int, actor: Actor) -> AsyncIterator[str]:
    """Record that the register was downloaded (it holds personal data), then give the CSV's chunks."""
    await record(AuditEntry("register.exported", organisation_id=organisation_id), actor)
    return register_csv(organisation_id)


async def settle_all_due_resignations(on: date | None = None) -> int:
    """For the scheduled job (daily): write down every resignation that has taken effect, in every
    organisation (ending roles, supporter links and proxies, with its event and audit record). Pages do
    not need it to be correct; votes and proxies read the written state. Returns how many ended."""
    on = on or today()
    due = await (
        Member.select(Member.organisation)
        .where(Member.ceased_on.is_null() & Member.leaving_on.is_not_null() & (Member.leaving_on <= on))
        .distinct()
    )
    ended = 0
    for row in due:
        ended += await settle_due_resignations(int(row["organisation"]), on)
    return ended
