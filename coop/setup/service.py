"""Creating an organisation from a model constitution and the founders' answers: checked by
`governance.founding`, then written in one transaction (organisation, constitution version 1, founding
record, founders as members, first directors with the director role) with its audit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coop.accounts.tables import Person
from coop.audit.service import Actor, AuditEntry, record
from coop.boards.first_board import register_first_directors
from coop.boards.service import Appointment, Particulars
from coop.db import write_transaction
from coop.organisations.service import SLUG_PATTERN, add_member, create_organisation
from coop.organisations.tables import Organisation
from coop.setup.answers import read_answers
from coop.setup.tables import FoundingRecord
from governance.constitution import Constitution, constitution_to_toml
from governance.constitutions import (
    load_model_constitution,
    model_constitution_names,
    model_constitution_text,
)
from governance.founding import (
    Founder,
    FoundingAnswers,
    founding_check,
    founding_constitution,
    slug_from_name,
)
from governance.violations import RuleViolationError, Violation


@dataclass(frozen=True, slots=True)
class Founded:
    """The organisation created, and the name flags the founders must still get approved."""

    organisation_id: int
    slug: str
    flags: tuple[Violation, ...]


def model_for(model_key: str) -> Constitution:
    """A shipped model constitution, or a violation naming the models there are."""
    if model_key not in model_constitution_names():
        raise RuleViolationError(
            [
                Violation(
                    "founding.unknown_model",
                    f'There is no model constitution called "{model_key}"; choose one of '
                    f"{', '.join(model_constitution_names())}.",
                )
            ]
        )
    return load_model_constitution(model_key)


async def found_from_text(model_key: str, answers_text: str, actor: Actor, today: date) -> Founded:
    """Read an answers file and found the organisation; RuleViolationError lists every problem."""
    model = model_for(model_key)
    read = read_answers(answers_text)
    if read.answers is None or read.problems:
        raise RuleViolationError(read.problems)
    return await found_organisation(model_key, model, read.answers, answers_text, actor, today)


async def _slug_violations(slug: str) -> list[Violation]:
    if not SLUG_PATTERN.match(slug):
        return [
            Violation(
                "founding.slug",
                f'The web address "{slug}" must be 1 to 60 lower-case letters, digits and hyphens, starting '
                "and ending with a letter or digit.",
            )
        ]
    if await Organisation.exists().where(Organisation.slug == slug):
        return [
            Violation("founding.slug_taken", f'The web address "{slug}" is already used; choose another.')
        ]
    return []


async def found_organisation(
    model_key: str,
    model: Constitution,
    answers: FoundingAnswers,
    answers_text: str,
    actor: Actor,
    today: date,
) -> Founded:
    """Check the answers against the model; if they pass, create everything at once or nothing."""
    check = founding_check(model, answers, today)
    slug = answers.slug or slug_from_name(answers.name)
    adopted_on = answers.adopted_on or today
    async with write_transaction():
        violations = [*check.violations, *await _slug_violations(slug)]
        if violations:
            raise RuleViolationError(violations)
        constitution = founding_constitution(model, answers)
        text = constitution_to_toml(constitution) if constitution is not model else None
        organisation_id = await create_organisation(
            slug=slug,
            name=answers.name,
            legal_form=model.legal_form.value,
            model_name=model_key,
            constitution_toml=text if text is not None else model_constitution_text(model_key),
            adopted_on=adopted_on,
            actor=actor,
        )
        await _keep_founding_answers(organisation_id, answers, answers_text)
        await _admit_founders(organisation_id, answers, adopted_on, actor)
        await record(
            AuditEntry(
                "organisation.founded",
                organisation_id=organisation_id,
                target_type="organisation",
                target_id=slug,
                detail={
                    "model": model_key,
                    "founders": len(answers.founders),
                    "directors": sum(f.director for f in answers.founders),
                    "flags": [f.message for f in check.flags],
                },
            ),
            actor,
        )
    return Founded(organisation_id, slug, check.flags)


async def _keep_founding_answers(organisation_id: int, answers: FoundingAnswers, answers_text: str) -> None:
    await Organisation.update(
        {Organisation.year_end_month: answers.year_end_month, Organisation.year_end_day: answers.year_end_day}
    ).where(Organisation.id == organisation_id)
    await FoundingRecord.insert(
        FoundingRecord(
            organisation=organisation_id,
            objects=answers.objects,
            community=answers.community,
            registered_office=answers.registered_office,
            asset_locked_body=answers.asset_locked_body,
            answers=answers_text,
        )
    )


async def _admit_founders(
    organisation_id: int, answers: FoundingAnswers, adopted_on: date, actor: Actor
) -> None:
    """Inside the founding transaction: every founder on the register of members, and the first
    directors on the register of directors (which also gives them the role)."""
    first_board = []
    for founder in answers.founders:
        member_id = await add_member(
            organisation_id=organisation_id,
            name=founder.name,
            member_class=founder.member_class,
            admitted_on=adopted_on,
            person_id=await _person_with_email(founder.email),
            # The secretary runs the organisation in coop from day one, so holds both roles that must
            # always be held (governance.roles.MUST_BE_HELD).
            roles=("secretary", "admin") if founder.secretary else (),
            actor=actor,
            email=founder.email.lower() or None,
            address=founder.address,
        )
        if founder.director:
            member = {"id": member_id, "name": founder.name, "member_class": founder.member_class}
            first_board.append((member, _first_appointment(member_id, founder, answers, adopted_on)))
    await register_first_directors(organisation_id, first_board)


def _first_appointment(
    member_id: int, founder: Founder, answers: FoundingAnswers, adopted_on: date
) -> Appointment:
    """A first director's entry, with the particulars the founders gave for the register."""
    return Appointment(
        str(member_id),
        "elected",
        adopted_on,
        Particulars(
            service_address=founder.service_address or answers.registered_office,
            country_of_residence=founder.country_of_residence,
            nationality=founder.nationality,
            occupation=founder.occupation,
            residential_address=founder.address,
            date_of_birth=founder.date_of_birth,
        ),
        user_led_consent=founder.counts_as_user_led,
    )


async def _person_with_email(email: str) -> int | None:
    """A founder who already has an account here is linked to it, so they can sign in at once."""
    if not email.strip():
        return None
    row = await Person.select(Person.id).where(Person.email == email.strip().lower()).first()
    return int(row["id"]) if row else None
