"""Bulk import of register entries (a spreadsheet of existing members, or another system's register).

A dry run checks every row and reports every problem (row, field, plain English) and writes nothing. A
real run checks the same way and, only when no row has a problem, adds every entry through the same
service as the secretary adding one (`entries.add_register_entries`: numbered by the database, each with
its register event and audit entry), in bounded INSERTs inside one transaction: all of it or none. An
idempotency key makes a retry safe: the same key and rows replay the first outcome; the same key with
other rows is refused."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from coop.audit.service import Actor, AuditEntry, record
from coop.clock import today
from coop.db import write_transaction
from coop.members.entries import (
    NEW_ENTRY_FIELDS,
    NewEntry,
    add_register_entries,
    check_new_entry,
    has_control_characters,
)
from coop.members.errors import MembershipError
from coop.members.tables import Member, MemberImport
from coop.members.words import email_errors
from coop.organisations.service import OrgContext, constitution_of
from governance.constitution import Constitution

IMPORT_FIELDS = ("name", "member_class", "admitted_on", *NEW_ENTRY_FIELDS[2:])
MAX_ROWS = 5000  # one request's worth; a larger register is imported in parts
EMAIL_LOOKUP_BATCH = 500
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KEY_NEEDED = "Send an idempotency key of 16 to 64 letters, digits, - or _ with a real import"


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int  # numbered from 1 in the order sent (a CSV page adds the header line itself)
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    dry_run: bool
    rows: int
    imported: int = 0
    import_id: str | None = None
    replayed: bool = False
    problems: list[RowProblem] = field(default_factory=list)


# Column headings a spreadsheet may use, said plainly: lower case, spaces and dashes as underscores.
HEADINGS = {
    **{k: k for k in IMPORT_FIELDS},
    "full_name": "name",
    "class": "member_class",
    "membership_class": "member_class",
    "admitted": "admitted_on",
    "date_admitted": "admitted_on",
    "shares": "shares_held",
    "postal_address": "address",
    "email_address": "email",
    "phone_number": "phone",
    "contact": "contact_by",
}
CSV_MAX_BYTES = 500_000  # about 5,000 rows, well inside a request's size limit even sent back to confirm


class ImportConflict(MembershipError):
    """The idempotency key was used before for a different import."""

    status_code = 409


def read_day(raw: str) -> date | None:
    """An ISO date (2024-03-31) or a UK one (31/03/2024), as spreadsheets write them; None if neither."""
    text = raw.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if 1000 <= day.year <= 9999:
            return day
    return None


def check_rows(
    constitution: Constitution, rows: Sequence[Mapping[str, str]], on: date
) -> tuple[list[NewEntry], list[RowProblem]]:
    """Every row as a NewEntry, and every problem of every row (an email twice in the file included)."""
    entries: list[NewEntry] = []
    problems: list[RowProblem] = []
    first_row_of: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        errors: dict[str, str] = {}
        raw_day = str(row.get("admitted_on") or "")
        admitted = read_day(raw_day)
        if admitted is None:
            errors["admitted_on"] = (
                "Enter the date they were admitted, like 2024-03-31 or 31/03/2024"
                if raw_day.strip()
                else "Enter the date they were admitted"
            )
        entry = check_new_entry(constitution, row, admitted, errors, on=on, date_field="admitted_on")
        email = entry.email if entry else str(row.get("email") or "").strip().lower()
        if email and "email" not in errors:
            if email in first_row_of:
                errors["email"] = f"This email address is also on row {first_row_of[email]}"
            first_row_of.setdefault(email, number)
        problems.extend(RowProblem(number, f, m) for f, m in errors.items())
        if entry is not None and not errors:
            entries.append(entry)
    return entries, problems


async def _already_members(organisation_id: int, rows: Sequence[Mapping[str, str]]) -> list[RowProblem]:
    """Rows whose email is already a current member's in this organisation (looked up in batches)."""
    row_of: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        email = str(row.get("email") or "").strip().lower()
        # Only addresses that could be on the register are looked up (nothing malformed reaches a query).
        if email and not email_errors(email, "email", "") and not has_control_characters(email):
            row_of.setdefault(email, number)
    emails = list(row_of)
    found: list[RowProblem] = []
    for start in range(0, len(emails), EMAIL_LOOKUP_BATCH):
        batch = emails[start : start + EMAIL_LOOKUP_BATCH]
        taken = await Member.select(Member.email).where(
            (Member.organisation == organisation_id) & Member.ceased_on.is_null() & Member.email.is_in(batch)
        )
        found.extend(
            RowProblem(row_of[r["email"]], "email", "There is already a member with this email address")
            for r in taken
        )
    return sorted(found, key=lambda p: p.row)


def rows_from_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV file (UTF-8, a heading row first, as spreadsheets save it), each by field name.
    A file coop cannot read is refused under `csv_file` in plain English."""
    if not data.strip():
        raise MembershipError({"csv_file": "Choose a CSV file with a heading row and at least one member"})
    if len(data) > CSV_MAX_BYTES:
        raise MembershipError({"csv_file": "The file must be smaller than 500 KB. Import it in parts"})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MembershipError({"csv_file": "Save the file as CSV UTF-8 and choose it again"}) from None
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise MembershipError({"csv_file": "The file is not a CSV file coop can read"}) from None
    headings = [re.sub(r"[\s-]+", "_", h.strip().lower()) for h in (table[0] if table else [])]
    unknown = ", ".join(h for h in headings if h and h not in HEADINGS)
    if unknown:
        message = f"The file has columns coop does not know ({unknown}). Use {', '.join(IMPORT_FIELDS)}"
        raise MembershipError({"csv_file": message})
    if "name" not in [HEADINGS.get(h) for h in headings]:
        raise MembershipError({"csv_file": "The file needs a heading row with a name column"})
    fields = [HEADINGS.get(h, "") for h in headings]
    rows = [dict(zip(fields, cells, strict=False)) for cells in table[1:] if any(c.strip() for c in cells)]
    if not rows:
        raise MembershipError({"csv_file": "The file has a heading row but no members"})
    if len(rows) > MAX_ROWS:
        message = f"The file has {len(rows)} members. Import at most {MAX_ROWS} at a time"
        raise MembershipError({"csv_file": message})
    return [{k: v for k, v in row.items() if k} for row in rows]


async def check_csv(org: OrgContext, data: bytes) -> tuple[str, ImportOutcome, list[str]]:
    """A dry run of a CSV file: its text (to send back with the confirmation), the outcome with every
    problem, and the names it would add."""
    rows = rows_from_csv(data)
    outcome = await import_members(org, rows, Actor(None), dry_run=True)
    return data.decode("utf-8-sig"), outcome, [r.get("name", "").strip() for r in rows]


async def import_csv(org: OrgContext, data: bytes, actor: Actor, *, idempotency_key: str) -> ImportOutcome:
    """The real import of a CSV file, checked again first (the register may have changed since)."""
    return await import_members(
        org, rows_from_csv(data), actor, dry_run=False, idempotency_key=idempotency_key
    )


def new_key() -> str:
    """An idempotency key for a confirmation form: made when the check page is shown, sent back with it."""
    return secrets.token_urlsafe(24)


def fingerprint(rows: Sequence[Mapping[str, str]]) -> str:
    payload = [{k: str(row.get(k) or "") for k in IMPORT_FIELDS} for row in rows]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def import_members(
    org: OrgContext,
    rows: Sequence[Mapping[str, str]],
    actor: Actor,
    *,
    dry_run: bool,
    idempotency_key: str | None = None,
) -> ImportOutcome:
    """Check `rows` and, unless `dry_run` or any row has a problem, add them all (see the module)."""
    if not rows:
        raise MembershipError({"members": "Send at least one member to import"})
    if len(rows) > MAX_ROWS:
        raise MembershipError({"members": f"Send at most {MAX_ROWS} members at a time"})
    if not dry_run and not KEY_PATTERN.match(idempotency_key or ""):
        raise MembershipError({"Idempotency-Key": KEY_NEEDED})
    if not dry_run:
        replay = await _replay(org.organisation_id, str(idempotency_key), fingerprint(rows))
        if replay is not None:
            return replay
    constitution = await constitution_of(org.organisation_id)
    entries, problems = check_rows(constitution, rows, today())
    problems = sorted([*problems, *await _already_members(org.organisation_id, rows)], key=lambda p: p.row)
    if dry_run or problems:
        return ImportOutcome(dry_run=dry_run, rows=len(rows), problems=problems)
    return await _write(org, entries, actor, str(idempotency_key), fingerprint(rows))


async def _replay(organisation_id: int, key: str, print_: str) -> ImportOutcome | None:
    done = (
        await MemberImport.select(MemberImport.public_id, MemberImport.fingerprint, MemberImport.rows)
        .where((MemberImport.organisation == organisation_id) & (MemberImport.idempotency_key == key))
        .first()
    )
    if done is None:
        return None
    if done["fingerprint"] != print_:
        raise ImportConflict(
            {"Idempotency-Key": "This key was used for a different import. Use a new key for new rows"}
        )
    rows = int(done["rows"])
    return ImportOutcome(
        dry_run=False, rows=rows, imported=rows, import_id=str(done["public_id"]), replayed=True
    )


async def _write(
    org: OrgContext, entries: list[NewEntry], actor: Actor, key: str, print_: str
) -> ImportOutcome:
    """All the entries and the import's record in one transaction. The unique index on (organisation,
    key) lets one of two concurrent imports with the same key win; the other then replays it."""
    try:
        async with write_transaction():
            made = await MemberImport.insert(
                MemberImport(
                    organisation=org.organisation_id,
                    idempotency_key=key,
                    fingerprint=print_,
                    rows=len(entries),
                    created_by=actor.person_id,
                )
            ).returning(MemberImport.id, MemberImport.public_id)
            await add_register_entries(org.organisation_id, entries, actor, source="import")
            await record(
                AuditEntry(
                    "member.imported",
                    organisation_id=org.organisation_id,
                    target_type="member_import",
                    target_id=str(made[0]["id"]),
                    detail={"rows": len(entries)},
                ),
                actor,
            )
    except MembershipError:
        raise
    except Exception as exc:
        if "unique" not in f"{type(exc).__name__} {exc}".lower():
            raise
        replay = await _replay(org.organisation_id, key, print_)
        if replay is None:
            raise
        return replay
    public_id = str(made[0]["public_id"])
    return ImportOutcome(dry_run=False, rows=len(entries), imported=len(entries), import_id=public_id)
