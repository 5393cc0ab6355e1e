"""Changing the constitution by written resolution: a proposed new version is read and checked, shown as
the differences from the version in force with the resolution it needs (governance.constitution.amend),
put to the members as a written resolution, and adopted as the next version in the same transaction as
the agreement that passes it. It never takes effect otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coop.audit.service import Actor
from coop.db import write_transaction
from coop.resolutions.adoption import in_force
from coop.resolutions.reading import resolution_in_org
from coop.resolutions.service import Draft, ResolutionError, draft_resolution
from coop.resolutions.tables import ConstitutionAmendment
from governance.constitution import Constitution, parse_constitution
from governance.constitution.amend import (
    ConstitutionChange,
    RequiredResolution,
    amendment_violations,
    diff_constitutions,
    required_resolution,
)
from governance.constitution.dump import constitution_to_toml
from governance.constitution.load import ConstitutionError
from governance.resolutions import ResolutionFacts, ResolutionKind, resolution_outcome

DOCUMENT_LIMIT = 200_000
SHOWN_ERRORS = 10


@dataclass(frozen=True, slots=True)
class Preview:
    base_version: int
    changes: tuple[ConstitutionChange, ...]
    required: RequiredResolution


def read_document(document: str) -> Constitution:
    """The proposed rules, read and checked (a ResolutionError by field `document` says what is wrong)."""
    return _read(document)


def _read(document: str) -> Constitution:
    if not document.strip():
        raise ResolutionError({"document": "Enter the constitution as it would read after the change"})
    if len(document) > DOCUMENT_LIMIT:
        raise ResolutionError(
            {"document": f"The constitution must be {DOCUMENT_LIMIT:,} characters or fewer"}
        )
    try:
        return parse_constitution(document)
    except ConstitutionError as exc:
        shown = "; ".join(str(e) for e in exc.errors[:SHOWN_ERRORS])
        more = len(exc.errors) - SHOWN_ERRORS
        raise ResolutionError(
            {
                "document": f"The changed constitution has problems: {shown}"
                + (f" (and {more} more)" if more > 0 else "")
            }
        ) from None


async def preview(organisation_id: int, document: str, today: date, *, written: bool = True) -> Preview:
    """The changes in words and the resolution they need; a ResolutionError says why it cannot be made
    (`written`: by written resolution; otherwise at a general meeting, checked by the caller)."""
    version, current_text = await in_force(organisation_id)
    old, new = parse_constitution(current_text), _read(document)
    problems = amendment_violations(old, new)
    if problems:
        raise ResolutionError({"document": " ".join(v.message for v in problems)})
    required = required_resolution(old, new)
    if required is None:
        raise ResolutionError(
            {"document": "This is the same as the constitution in force: nothing would change"}
        )
    if not written:
        return Preview(version, tuple(diff_constitutions(old, new)), required)
    if required.kind is ResolutionKind.NAMED and required.named_decision is not None:
        check = resolution_outcome(
            old,
            ResolutionFacts(
                kind=ResolutionKind.NAMED,
                votes=(),
                named_decision=required.named_decision,
                written=True,
                eligible_votes=1,
                circulated_on=today,
                eligible_votes_by_class={mc.key: 1 for mc in old.member_classes},
            ),
        )
        meeting_only = [
            v.message
            for v in check.violations
            if v.code in ("resolution.meeting_only", "resolution.written_not_allowed")
        ]
        if meeting_only:
            raise ResolutionError({"document": " ".join(meeting_only)})
    elif not old.resolutions.written_allowed:
        raise ResolutionError(
            {
                "document": "The constitution does not allow written resolutions: "
                "propose the change at a general meeting"
            }
        )
    return Preview(version, tuple(diff_constitutions(old, new)), required)


async def propose(organisation_id: int, document: str, title: str, actor: Actor, today: date) -> str:
    """A draft written resolution to adopt `document`, with the amendment it would make. Returns its id."""
    found = await preview(organisation_id, document, today)
    # Stored as the canonical TOML of what was checked, so what members agree to is exactly what is adopted.
    canonical = constitution_to_toml(_read(document))
    text = "That the constitution be changed as follows:\n" + "\n".join(
        f"- {c.description}" for c in found.changes
    )
    # The draft and its amendment land together or not at all.
    async with write_transaction():
        public_id = await draft_resolution(
            organisation_id,
            Draft(
                title=title,
                text=text,
                easy_read="",
                kind="special",
                removes_director=False,
                removes_auditor=False,
            ),
            actor,
            decision=found.required.named_decision or "",
        )
        row = await resolution_in_org(organisation_id, public_id)
        assert row is not None
        await ConstitutionAmendment.insert(
            ConstitutionAmendment(
                organisation=organisation_id,
                resolution=row["id"],
                base_version=found.base_version,
                document=canonical,
            )
        )
    return public_id
