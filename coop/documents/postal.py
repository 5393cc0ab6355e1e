"""What the secretary prints and posts: the letters to send and the postal ballot packs of open votes, as
an overview page and as PDFs in bounded parts, and entering a returned ballot paper by its reference."""

from __future__ import annotations

from typing import Any

from coop import clock
from coop.documents import ballot_packs, letters
from coop.documents.service import Document, DocumentKind
from coop.organisations.service import OrgContext
from coop.votes.records import get_vote

LETTER = DocumentKind("letter", "Letter", "A notice to post.")
BALLOT_PACK = DocumentKind("ballot-pack", "Postal ballot pack", "A letter and a ballot paper to post.")


async def overview(org: OrgContext) -> dict[str, Any]:
    """The letters-to-post page: how many letters are waiting, in which parts, and each open vote's packs."""
    return {
        "letter_parts": await letters.letter_parts(org.organisation_id),
        "unsent": await letters.unsent_count(org.organisation_id),
        "votes": await ballot_packs.open_votes_with_postal_electors(org.organisation_id),
    }


async def letter_documents(org: OrgContext, after: int) -> list[Document]:
    rows, _ = await letters.unsent_letters(org.organisation_id, after)
    return [
        Document(
            LETTER,
            row["subject"],
            "documents/body/letter.html",
            {"letter": row, "large_print": row["large_print"]},
        )
        for row in rows
    ]


async def vote_packs_overview(org: OrgContext, vote_id: int) -> dict[str, Any] | None:
    vote = await get_vote(org.organisation_id, vote_id)
    if vote is None:
        return None
    return {"vote": vote, "parts": await ballot_packs.pack_parts(org.organisation_id, vote_id)}


async def pack_documents(org: OrgContext, vote_id: int, after: int) -> list[Document] | None:
    """One part of a vote's postal ballot packs, each a letter and ballot paper; None: no such vote."""
    vote = await get_vote(org.organisation_id, vote_id)
    if vote is None:
        return None
    packs, _ = await ballot_packs.packs(org.organisation_id, vote_id, after)
    address = await ballot_packs.return_address(org.organisation_id)
    today = clock.now()
    return [
        Document(
            BALLOT_PACK,
            f"Your ballot paper: {vote.title}",
            "documents/body/ballot_pack.html",
            {
                "pack": pack,
                "vote": vote,
                "return_address": address,
                "today": today,
                "large_print": pack.large_print,
            },
        )
        for pack in packs
    ]


async def returned_ballot(org: OrgContext, reference: str) -> ballot_packs.ReturnedBallot:
    """The ballot a returned paper's reference names; ReturnReferenceError says why it cannot be entered."""
    return await ballot_packs.resolve_reference(org, reference)
