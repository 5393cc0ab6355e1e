"""The meeting pack: the notice, the agenda and each paper with its easy-read version, as documents for one
tagged PDF (coop/documents: the same PDF machinery, language and title as every other document), in large
print for a member who asked for it.

Bounded: a pack whose papers run longer than `PART_CHARS` characters is made in parts (the notice and the
agenda in the first), each a PDF of a few dozen pages that renders in seconds, as the registers are; the
meeting page links each part. An agenda has at most `MAX_ITEMS` items, so a pack has at most that many
parts, and a part holds at most one paper more than `PART_CHARS`, itself bounded by the form's limit."""

from __future__ import annotations

from typing import Any

from coop.documents.service import Document, DocumentKind
from coop.meetings.notices import notice_text
from coop.meetings.service import RESOLUTION_KINDS, MeetingInfo, agenda
from coop.members.tables import CommunicationNeed
from coop.organisations.service import OrgContext

NOTICE = DocumentKind("meeting-notice", "Notice of meeting", "The notice, as members were sent it.")
AGENDA = DocumentKind("meeting-agenda", "Agenda", "The business of the meeting, in order.")
PAPER = DocumentKind("meeting-paper", "Paper", "One item's paper, with its easy-read version.")
PRINTS = ("standard", "large")
PART_CHARS = 60_000
"""Characters of papers in one part: about 25 pages of standard print, rendered in a few seconds."""


def _size(item: dict[str, Any]) -> int:
    return len(item["paper"]) + len(item["paper_easy_read"]) + len(item["resolution_text"])


def pack_parts(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The agenda's items split into parts of at most PART_CHARS of papers each (an item longer than that
    is a part of its own), in agenda order. Always at least one part, for the notice and the agenda."""
    parts: list[list[dict[str, Any]]] = [[]]
    size = 0
    for item in items:
        if parts[-1] and size + _size(item) > PART_CHARS:
            parts.append([])
            size = 0
        parts[-1].append(item)
        size += _size(item)
    return parts


def part_labels(items: list[dict[str, Any]]) -> list[str]:
    """What each part holds, for its link: "items 1 to 12"."""
    labels = []
    for part in pack_parts(items):
        if not part:
            labels.append("the notice and the agenda")
        elif len(part) == 1:
            labels.append(f"item {part[0]['position']}")
        else:
            labels.append(f"items {part[0]['position']} to {part[-1]['position']}")
    return labels


async def wants_large_print(member_id: int) -> bool:
    """Whether this member asked for large print (a communication need in force)."""
    return await CommunicationNeed.exists().where(
        (CommunicationNeed.member == member_id)
        & (CommunicationNeed.need == "large_print")
        & CommunicationNeed.ended_at.is_null()
    )


async def pack_documents(
    org: OrgContext, meeting: MeetingInfo, link: str, *, large_print: bool, part: int = 1
) -> tuple[str, list[Document]] | None:
    """Part `part` of the pack: its title and its documents (the first part the notice and the agenda),
    then a paper for each of its items that has one (or an easy-read version, or a resolution). None when
    there is no such part. One query for the agenda whatever the size of the pack."""
    items = await agenda(meeting)
    parts = pack_parts(items)
    if not 1 <= part <= len(parts):
        return None
    notice = notice_text(meeting, items, link, org.name)
    shared: dict[str, Any] = {"meeting": meeting, "large_print": large_print}
    documents = (
        []
        if part > 1
        else [
            Document(
                NOTICE,
                f"Notice of meeting: {meeting.title}",
                "meetings/pack/notice.html",
                {**shared, "notice": notice},
            ),
            Document(
                AGENDA,
                f"Agenda: {meeting.title}",
                "meetings/pack/agenda.html",
                {**shared, "agenda_items": items, "kinds": RESOLUTION_KINDS},
            ),
        ]
    )
    for item in parts[part - 1]:
        if item["paper"] or item["paper_easy_read"] or item["resolution_kind"]:
            documents.append(
                Document(
                    PAPER,
                    f"Item {item['position']}: {item['title']}",
                    "meetings/pack/paper.html",
                    {**shared, "item": item, "kinds": RESOLUTION_KINDS},
                )
            )
    title = f"Meeting pack: {meeting.title}"
    if len(parts) > 1:
        title += f", part {part} of {len(parts)}"
    title += " (large print)" if large_print else ""
    return title, documents
