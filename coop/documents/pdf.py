"""Turning a document's HTML into a tagged, accessible PDF (PDF/UA-1) with WeasyPrint.

The document's language, title and headings come from its HTML (`<html lang>`, `<title>`, `<h1>`...), so
the PDF has them too: WeasyPrint's PDF/UA variant writes the structure tree (tags in reading order), the
document language and the title shown in the viewer's window. Rendering is CPU work, so it runs in a
worker thread, at most `_PARALLEL` at once, and never fetches anything: documents are built from our own
data with no images or links to load.

WeasyPrint (and Pango under it) is imported when the first PDF is made, not when the app starts: loading
it takes about a second, which every `coop` command and every worker start would otherwise pay.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import anyio

PDF_VARIANT = "pdf/ua-1"
_PARALLEL = anyio.CapacityLimiter(2)  # a PDF of a few hundred pages takes a core for some seconds
_STYLESHEET = Path(__file__).with_name("print.css")


@cache
def _weasyprint() -> tuple[Any, Any, Any]:
    """WeasyPrint's HTML class, the print stylesheet, and a fetcher that allows no protocol at all (so a
    document never makes the server fetch a file or a web address)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    return HTML, CSS(filename=str(_STYLESHEET)), URLFetcher(allowed_protocols=())


def html_to_pdf(markup: str) -> bytes:
    """The PDF of a whole HTML document (which must set `lang` and `<title>`)."""
    html_class, stylesheet, no_fetching = _weasyprint()
    document = html_class(string=markup, base_url=None, url_fetcher=no_fetching)
    pdf = document.write_pdf(stylesheets=[stylesheet], pdf_variant=PDF_VARIANT)
    assert isinstance(pdf, bytes)  # write_pdf returns the bytes when no target is given
    return pdf


async def render_pdf(markup: str) -> bytes:
    """`html_to_pdf` in a worker thread, so a long document does not hold up other requests."""
    return await anyio.to_thread.run_sync(html_to_pdf, markup, limiter=_PARALLEL)
