"""Documents as PDF responses: the same body templates as the pages, in a standalone HTML document
(templates/documents/pdf.html) turned into a tagged PDF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jinja2 import Environment
from litestar import Request, Response

from coop.documents.pdf import render_pdf
from coop.documents.service import Document


def document_markup(env: Environment, org: Any, title: str, documents: Sequence[Document]) -> str:
    """The whole HTML of one PDF: `documents` one after another, each from a new page."""
    return env.get_template("documents/pdf.html").render(org=org, title=title, documents=documents)


def environment(request: Request[Any, Any, Any]) -> Environment:
    engine: Any = request.app.template_engine
    return engine.engine  # type: ignore[no-any-return]


def file_name(text: str) -> str:
    """A safe file name from a slug and a title: letters, digits and hyphens only."""
    cleaned = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in text.lower())
    return "-".join(part for part in cleaned.split("-") if part)[:120] or "document"


async def pdf_response(
    request: Request[Any, Any, Any], org: Any, title: str, documents: Sequence[Document], name: str
) -> Response[bytes]:
    """The PDF of `documents`, as a download named `name`.pdf, never cached (registers hold personal data)."""
    pdf = await render_pdf(document_markup(environment(request), org, title, documents))
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(name)}.pdf"',
            "Cache-Control": "no-store",
        },
    )
