"""HTTP for what the secretary posts (board and secretary): the letters-to-post page, the letters and
each open vote's postal ballot packs as PDFs in bounded parts, and entering a returned ballot paper by its
reference (which leads to the vote's paper-ballot page with the member chosen)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.boards.service import MANAGER_ROLES
from coop.documents import postal
from coop.documents.ballot_packs import ReturnReferenceError
from coop.documents.rendering import pdf_response
from coop.guards import current_org, requires_member, requires_role
from coop.web import form_errors_page, redirect, render


class LettersController(Controller):
    path = "/o/{org_slug:str}/documents/letters"
    guards = [requires_member, requires_role(*MANAGER_ROLES)]

    @get("/", name="letters_to_post")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "documents/letters.html", await postal.overview(current_org(request)))

    @get("/pdf", name="letters_pdf")
    async def letters_pdf(
        self, request: Request[Any, Any, Any], after: FromQuery[int] = 0
    ) -> Response[bytes]:
        org = current_org(request)
        documents = await postal.letter_documents(org, after)
        if not documents:
            raise NotFoundException()
        return await pdf_response(request, org, "Letters to post", documents, f"{org.slug}-letters-{after}")

    @get("/votes/{vote_id:int}", name="vote_ballot_packs")
    async def vote_packs(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        context = await postal.vote_packs_overview(current_org(request), vote_id)
        if context is None:
            raise NotFoundException()
        return render(request, "documents/vote_packs.html", context)

    @get("/votes/{vote_id:int}/pdf", name="vote_ballot_packs_pdf")
    async def vote_packs_pdf(
        self, request: Request[Any, Any, Any], vote_id: FromPath[int], after: FromQuery[int] = 0
    ) -> Response[bytes]:
        org = current_org(request)
        documents = await postal.pack_documents(org, vote_id, after)
        if not documents:
            raise NotFoundException()
        name = f"{org.slug}-vote-{vote_id}-ballot-packs-{after}"
        return await pdf_response(request, org, "Postal ballot packs", documents, name)

    @get("/returns", name="ballot_returns")
    async def returns(self, request: Request[Any, Any, Any], reference: FromQuery[str] = "") -> Response[Any]:
        """A GET form: looking a reference up changes nothing; the ballot is entered on the vote's page."""
        org = current_org(request)
        if "reference" not in request.query_params:
            return render(request, "documents/returns.html", {"reference": ""})
        # A GET form (looking up changes nothing), so it is answered here rather than as a refused post.
        try:
            found = await postal.returned_ballot(org, reference)
        except ReturnReferenceError as exc:
            context = {"reference": reference[:60]}
            return form_errors_page(request, "documents/returns.html", {"reference": str(exc)}, context)
        member = quote(found.member_public_id)
        return redirect(request, f"/o/{org.slug}/votes/{found.vote_id}/paper?member={member}&channel=paper")
