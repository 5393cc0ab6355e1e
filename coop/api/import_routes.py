"""API for importing register entries in bulk, with a dry run that reports every row's problems."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.params import FromPath, HeaderParameter, JSONBody
from msgspec import Meta, Struct

from coop.api.auth import ROLES, WRITE, api_actor, api_caller
from coop.api.problems import WRITE_PROBLEMS, ApiProblem, documented_problems
from coop.form_values import INTEGER_MAX
from coop.members import imports
from coop.members.words import BOARD_ROLES

ImportKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        min_length=16,
        max_length=64,
        pattern=imports.KEY_PATTERN.pattern,
        description="Needed for a real import (not a dry run): 16 to 64 letters, digits, - or _. Sending the "
        "same key and rows again replays the first answer and adds nobody twice.",
    ),
]

DAY_FORMATS = "The day admitted: 2024-03-31 or 31/03/2024"


class ImportRow(Struct, forbid_unknown_fields=True):
    """One register entry. Text fields are checked by coop itself, so a dry run can report every problem
    of every row in plain English rather than stopping at the first."""

    name: Annotated[str, Meta(max_length=300)] = ""
    member_class: Annotated[str, Meta(max_length=100, description="A class key of the constitution")] = ""
    admitted_on: Annotated[
        str, Meta(max_length=40, description="The day admitted: 2024-03-31 or 31/03/2024")
    ] = ""
    address: Annotated[str, Meta(max_length=2000)] = ""
    email: Annotated[str, Meta(max_length=400)] = ""
    phone: Annotated[str, Meta(max_length=100)] = ""
    contact_by: Annotated[str, Meta(max_length=20, description="email, post, phone or supporter")] = ""
    shares_held: Annotated[int, Meta(ge=0, le=INTEGER_MAX)] = 0


class MemberImportIn(Struct, forbid_unknown_fields=True):
    members: Annotated[list[ImportRow], Meta(min_length=1, max_length=imports.MAX_ROWS)]
    dry_run: bool = False
    """True: check every row and report its problems, and write nothing."""


class RowProblemOut(Struct):
    row: int
    """Numbered from 1 in the order sent."""
    field: str
    message: str


class ImportOut(Struct):
    dry_run: bool
    rows: int
    imported: int
    replayed: bool
    """True when this answer repeats an import already made with the same Idempotency-Key."""
    problems: list[RowProblemOut]
    id: str | None = None


def _row(row: ImportRow) -> dict[str, str]:
    values = {k: getattr(row, k) for k in imports.IMPORT_FIELDS if k != "shares_held"}
    return {**values, "shares_held": str(row.shares_held)}


class MemberImportRoutes(Controller):
    path = "/orgs/{org_slug:str}/members"
    tags = ["Organisation"]

    @post(
        "/import",
        status_code=200,
        responses={**WRITE_PROBLEMS, **documented_problems(413)},  # 5,000 rows can pass 1 MB
        operation_id="importMembers",
        summary="Add members to the register in bulk, or check them first (board)",
        opt={ROLES: BOARD_ROLES, WRITE: True},
    )
    async def import_members(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        data: JSONBody[MemberImportIn],
        idempotency_key: ImportKey = None,
    ) -> ImportOut:
        rows = [_row(r) for r in data.members]
        outcome = await imports.import_members(
            api_caller(request).org,
            rows,
            api_actor(request),
            dry_run=data.dry_run,
            idempotency_key=idempotency_key,
        )
        if outcome.problems and not outcome.dry_run:
            raise ApiProblem(
                f"Nobody was added: {len(outcome.problems)} problems in the rows. See `errors`.",
                errors={f"members[{p.row - 1}].{p.field}": p.message for p in outcome.problems},
            )
        return ImportOut(
            dry_run=outcome.dry_run,
            rows=outcome.rows,
            imported=outcome.imported,
            replayed=outcome.replayed,
            problems=[RowProblemOut(p.row, p.field, p.message) for p in outcome.problems],
            id=outcome.import_id,
        )
