"""HTTP for the organisation's documents (board and secretary): the list, each document as a page, and
as a tagged PDF. Long registers come in bounded parts (`after=`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.boards.service import MANAGER_ROLES
from coop.documents import service
from coop.documents.rendering import pdf_response
from coop.guards import current_org, requires_member, requires_role
from coop.web import render


async def _document(
    request: Request[Any, Any, Any], key: str, after: str, version: str = ""
) -> service.Document:
    document = await service.build_document(current_org(request), key, after[:100], version[:20])
    if document is None:
        raise NotFoundException()
    return document


class DocumentsController(Controller):
    path = "/o/{org_slug:str}/documents"
    guards = [requires_member, requires_role(*MANAGER_ROLES)]

    @get("/", name="documents")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        context = await service.document_list(current_org(request).organisation_id)
        return render(request, "documents/index.html", context)

    @get("/{document_key:str}", name="document")
    async def page(
        self,
        request: Request[Any, Any, Any],
        document_key: FromPath[str],
        after: FromQuery[str] = "",
        version: FromQuery[str] = "",
    ) -> Template:
        document = await _document(request, document_key, after, version)
        context = {"document": document, "after": after[:100], "version": version[:20]}
        return render(request, "documents/page.html", context)

    @get("/{document_key:str}/pdf", name="document_pdf")
    async def pdf(
        self,
        request: Request[Any, Any, Any],
        document_key: FromPath[str],
        after: FromQuery[str] = "",
        version: FromQuery[str] = "",
    ) -> Response[bytes]:
        org = current_org(request)
        document = await _document(request, document_key, after, version)
        return await pdf_response(request, org, document.title, [document], f"{org.slug}-{document_key}")


class BoardRegisterPdfController(Controller):
    """The register of directors as a PDF for every member, beside the board page: members get the
    public register, the board and secretary the private particulars too (as on the page)."""

    path = "/o/{org_slug:str}/board/pdf"
    guards = [requires_member]

    @get("/", name="board_register_pdf")
    async def pdf(self, request: Request[Any, Any, Any], after: FromQuery[str] = "") -> Response[bytes]:
        org = current_org(request)
        document = await _document(request, "register-of-directors", after)
        return await pdf_response(
            request, org, document.title, [document], f"{org.slug}-register-of-directors"
        )
