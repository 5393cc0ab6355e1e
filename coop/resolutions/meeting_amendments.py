"""Changing the constitution at a general meeting or AGM: the secretary attaches the changed rules to an
agenda item's special resolution, and when the show of hands passes it the new version is adopted in the
same transaction as the result (`coop.resolutions.adoption`), and not if the constitution changed since it
was attached. Kept out of coop/meetings/ so the meeting code only calls `adopt_meeting_amendment`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.clock import today_in_london
from coop.db import write_transaction
from coop.meetings.service import MeetingInfo
from coop.organisations.service import constitution_of
from coop.organisations.tables import ConstitutionVersion
from coop.resolutions.adoption import adopt_version
from coop.resolutions.amendments import Preview, preview, read_document
from coop.resolutions.service import ResolutionError
from coop.resolutions.tables import MeetingAmendment
from governance.constitution import Constitution, VoteBase, parse_constitution
from governance.constitution.amend import ConstitutionChange, RequiredResolution, diff_constitutions
from governance.constitution.dump import constitution_to_toml
from governance.resolutions import ResolutionKind

GENERAL_MEETINGS = ("general", "annual_general")


@dataclass(frozen=True, slots=True)
class Attached:
    """The amendment attached to an item: the version it amends, the changes in words, and the version it
    became (None until the resolution passes)."""

    base_version: int
    document: str
    adopted_version: int | None


def _check_item(meeting: MeetingInfo, item: dict[str, Any]) -> None:
    if meeting.kind not in GENERAL_MEETINGS:
        raise ResolutionError(
            {"document": "The constitution is changed by the members: attach it to a general meeting or AGM"}
        )
    if item["resolution_kind"] != "special":
        raise ResolutionError(
            {"document": "A change to the constitution needs a special resolution: make this item one first"}
        )
    if item["result"] or meeting.status == "closed":
        raise ResolutionError({"document": "This item has been decided: nothing can be attached to it now"})


async def attached_to(item_id: int) -> Attached | None:
    row = await MeetingAmendment.select().where(MeetingAmendment.item == item_id).first()
    if row is None:
        return None
    return Attached(int(row["base_version"]), str(row["document"]), row["adopted_version"])


async def changes_of(organisation_id: int, attached: Attached) -> tuple[ConstitutionChange, ...]:
    """What the attached amendment changes, against the version it was attached to."""
    base = (
        await ConstitutionVersion.select(ConstitutionVersion.document)
        .where(
            (ConstitutionVersion.organisation == organisation_id)
            & (ConstitutionVersion.version == attached.base_version)
        )
        .first()
    )
    if base is None:
        return ()
    old, new = parse_constitution(str(base["document"])), parse_constitution(attached.document)
    return tuple(diff_constitutions(old, new))


def _decided_by_special(constitution: Constitution, needs: RequiredResolution) -> bool:
    """Whether the item's special resolution, decided on a show of hands of the whole meeting, is the
    resolution this change needs: a special resolution, or a named decision asking no more of it (the same
    majority of votes cast, no turnout rule) and no class able to block it (a show of hands does not say
    how each class voted)."""
    if needs.class_vetoes:
        return False
    if needs.kind is ResolutionKind.SPECIAL:
        return True
    named = constitution.named_decision(needs.named_decision or "")
    return (
        needs.kind is ResolutionKind.NAMED
        and named is not None
        and named.threshold == constitution.resolutions.special
        and named.base is VoteBase.VOTES_CAST
        and named.min_turnout is None
    )


async def check(
    organisation_id: int, meeting: MeetingInfo, item: dict[str, Any], document: str, today: date
) -> Preview:
    """The changes in words and the resolution they need, if this item can carry them; otherwise a
    ResolutionError by field `document` says why."""
    _check_item(meeting, item)
    found = await preview(organisation_id, document, today, written=False)
    if not _decided_by_special(await constitution_of(organisation_id), found.required):
        raise ResolutionError(
            {
                "document": "A show of hands at a meeting can pass this change only when a special "
                "resolution of the whole meeting is all it needs, and it needs more: "
                + " ".join(found.required.reasons)
                + " Put it to the members as a written resolution, where each class's votes are counted."
            }
        )
    return found


async def attach(
    organisation_id: int, meeting: MeetingInfo, item: dict[str, Any], document: str, actor: Actor
) -> Preview:
    """Attach the changed rules to the item, once (a second attachment is refused), with its audit entry."""
    found = await check(organisation_id, meeting, item, document, today_in_london())
    canonical = constitution_to_toml(read_document(document))
    async with write_transaction():
        if await MeetingAmendment.exists().where(MeetingAmendment.item == item["id"]):
            raise ResolutionError(
                {"document": "A change to the constitution is already attached to this item"}
            )
        await MeetingAmendment.insert(
            MeetingAmendment(
                organisation=organisation_id,
                item=item["id"],
                base_version=found.base_version,
                document=canonical,
            )
        )
        await record(
            AuditEntry(
                "meeting.amendment_attached",
                organisation_id,
                "meeting",
                meeting.public_id,
                detail={"item": item["title"], "base_version": found.base_version},
            ),
            actor,
        )
    return found


async def adopt_meeting_amendment(
    organisation_id: int, meeting: MeetingInfo, item: dict[str, Any], actor: Actor
) -> int | None:
    """Inside the transaction that records the item as passed: adopt the attached amendment, if there is
    one and the constitution is still the version it was attached to. Returns the new version."""
    amendment = await MeetingAmendment.select().where(MeetingAmendment.item == item["id"]).first()
    if amendment is None:
        return None
    title = "Annual general meeting" if meeting.kind == "annual_general" else "General meeting"
    adopted = await adopt_version(
        organisation_id,
        int(amendment["base_version"]),
        str(amendment["document"]),
        on=today_in_london(),
        adopted_by=f"Special resolution at the {title.lower()} {meeting.title}: {item['title']}",
        source=("meeting", meeting.public_id),
        actor=actor,
    )
    if adopted is not None:
        await MeetingAmendment.update({MeetingAmendment.adopted_version: adopted}).where(
            MeetingAmendment.id == amendment["id"]
        )
    return adopted
