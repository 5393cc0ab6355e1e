"""Reading a PDF coop made, as a person's PDF reader and a screen reader would: its text, whether it is
tagged (a structure tree and MarkInfo /Marked), its document language and title."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PdfFacts:
    text: str  # every page's text, whitespace folded to single spaces
    tagged: bool
    language: str
    title: str
    pages: int


def pdf_facts(content: bytes) -> PdfFacts:
    from pypdf import PdfReader

    assert content.startswith(b"%PDF-"), content[:200]
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    mark_info = root.get("/MarkInfo")
    tagged = "/StructTreeRoot" in root and bool(mark_info and mark_info.get("/Marked"))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return PdfFacts(
        text=re.sub(r"\s+", " ", text),
        tagged=tagged,
        language=str(root.get("/Lang", "")),
        title=str(reader.metadata.title if reader.metadata else ""),
        pages=len(reader.pages),
    )
