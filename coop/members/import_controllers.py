"""HTTP for the secretary's bulk import of register entries from a CSV file: choose the file, see every
problem of every row (nothing is written), or check the count and confirm (everyone is added, or nobody)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from coop.actor import actor_of
from coop.errors import form_page, refusal_context
from coop.form_values import form_text
from coop.guards import current_org, requires_member
from coop.members import imports
from coop.members.guards import requires_board
from coop.organisations.service import OrgContext, constitution_of
from coop.urls import org_path
from coop.web import redirect, render

SUMMARY_LIMIT = 30  # problems listed in the error summary; the table below lists every one
PREVIEW = 20  # names shown on the check page


async def _form_context(organisation_id: int) -> dict[str, Any]:
    return {"constitution": await constitution_of(organisation_id), "fields": imports.IMPORT_FIELDS}


async def _refusable_form(request: Request[Any, Any, Any]) -> tuple[OrgContext, Any, dict[str, Any]]:
    """The organisation, the form sent, and the upload page's context, recorded so that a refused file
    shows that page again."""
    org = current_org(request)
    form = await request.form()
    context = await _form_context(org.organisation_id)
    refusal_context(request, context)
    return org, form, context


async def _read_upload(upload: Any) -> bytes:
    """The chosen file's bytes (one past the size limit at most, so a larger file is refused), closed."""
    if not isinstance(upload, UploadFile):
        return b""
    try:
        return await upload.read(imports.CSV_MAX_BYTES + 1)
    finally:
        await upload.close()


def _problems_page(
    request: Request[Any, Any, Any], context: dict[str, Any], outcome: imports.ImportOutcome
) -> Template:
    """The form again with the error summary (each problem links to its row in the table) and the table
    of every problem of every row."""
    errors = {f"row-{p.row}-{p.field}": f"Row {p.row}: {p.message}" for p in outcome.problems[:SUMMARY_LIMIT]}
    problems = {"errors": errors, "problems": outcome.problems, "rows": outcome.rows}
    return render(request, "members/import.html", {**context, **problems}, status_code=422)


class RegisterImportController(Controller):
    path = "/o/{org_slug:str}/register/import"
    guards = [requires_member, requires_board]

    @get("/", name="register_import")
    async def show(self, request: Request[Any, Any, Any]) -> Template:
        context = await _form_context(current_org(request).organisation_id)
        return render(request, "members/import.html", context)

    @post("/", name="register_import_check", opt=form_page("members/import.html"))
    async def check(self, request: Request[Any, Any, Any]) -> Template:
        org, form, context = await _refusable_form(request)
        data = await _read_upload(form.get("csv_file"))
        text, outcome, names = await imports.check_csv(org, data)
        if outcome.problems:
            return _problems_page(request, context, outcome)
        check = {"csv": text, "rows": outcome.rows, "names": names[:PREVIEW], "key": imports.new_key()}
        return render(request, "members/import_check.html", check)

    @post("/confirm", name="register_import_confirm", opt=form_page("members/import.html"))
    async def confirm(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org, form, context = await _refusable_form(request)
        data = form_text(form, "csv", imports.CSV_MAX_BYTES, strip=False).encode()
        key = form_text(form, "idempotency_key", 64)
        outcome = await imports.import_csv(org, data, actor_of(request), idempotency_key=key)
        if outcome.problems:  # the register changed since the check (someone added one of these people)
            return _problems_page(request, context, outcome)
        return redirect(request, f"{org_path(org.slug, 'register')}?imported={outcome.imported}")
