"""HTTP for the parts of the community interest report (CIC34) the secretary writes: a form with the
prompts beside what coop recorded in the year, saved by year; the report itself is a document
(/o/<slug>/documents/community-interest-report, page and tagged PDF)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Template

from coop.actor import actor_of
from coop.boards.service import MANAGER_ROLES
from coop.clock import today_in_london
from coop.documents import community_report
from coop.guards import current_org, requires_member, requires_role
from coop.web import form_errors_page, redirect, render
from governance.constitution import LegalForm


async def _context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    org = current_org(request)
    if not LegalForm(org.legal_form).is_cic:
        raise NotFoundException()
    facts = await community_report.year_facts(org.organisation_id, today_in_london())
    if facts is None:
        raise NotFoundException()
    return {
        "facts": facts,
        "fields": community_report.FIELDS,
        "prompts": community_report.PROMPTS,
        "form": facts.words,
        "limit": community_report.TEXT_LIMIT,
        "saved": request.query_params.get("saved"),
    }


class CommunityReportController(Controller):
    path = "/o/{org_slug:str}/community-interest-report"
    guards = [requires_member, requires_role(*MANAGER_ROLES)]

    @get("/", name="community_report_words")
    async def show(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "documents/community_report.html", await _context(request))

    @post("/", name="community_report_save")
    async def save(self, request: Request[Any, Any, Any]) -> Response[Any]:
        context = await _context(request)
        words, errors = community_report.read_words(await request.form())
        if errors:
            return form_errors_page(
                request, "documents/community_report.html", errors, {**context, "form": words}
            )
        org = current_org(request)
        await community_report.save_words(org.organisation_id, words, today_in_london(), actor_of(request))
        return redirect(request, f"/o/{org.slug}/community-interest-report?saved=1")
