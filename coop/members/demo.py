"""The demo's membership records: register details, communication needs, a supporter, a standing proxy,
applications in every state and letters waiting to be posted (`coop.demo.seed_demo` calls this)."""

from __future__ import annotations

import secrets
from typing import Any

from coop.accounts.service import create_person, token_hash
from coop.accounts.tables import Person
from coop.audit.service import SYSTEM, Actor
from coop.clock import now
from coop.members.applications import ApplicationForm, application_in_org, submit_application
from coop.members.needs import set_facts, set_needs, update_contact
from coop.members.notices import Notice, send_notice
from coop.members.proxies import ProxyForm, appoint_proxy
from coop.members.tables import Member, MembershipApplication, MemberSupporter
from coop.organisations.service import OrgContext, constitution_of, org_context
from coop.settings import Settings

SECRETARY_EMAIL = "helen@riverside.example"
# name: (address, how they want to be contacted, communication needs)
CONTACTS = {
    "Ben Williams": ("12 Mill Lane\nRiverside\nRV1 2AB", "post", ["large_print", "post"]),
    "Margaret Hughes": ("3 Station Road\nRiverside\nRV2 4CD", "post", ["easy_read", "post"]),
    "Jamie Carter": ("", "email", ["easy_read"]),
    "Grace Lee": ("", "email", ["bsl"]),
    "Sofia Rossi": ("", "supporter", ["supporter", "easy_read"]),
}
FACTS = {"Amara Okafor": ["disabled", "uses_support"], "Helen Jones": ["carer"]}
AGM_NOTICE = Notice(
    kind="agm",
    subject="Annual general meeting",
    body="Our annual general meeting is on Tuesday 3 March at 7pm, at the Mill Hall, Riverside.\n\n"
    "We will look at the accounts, elect the board and decide on the shared PA service.\n\n"
    "If you cannot come, you can appoint a proxy to vote for you.\n",
    easy_read=(
        "We are having our big yearly meeting.",
        "It is on Tuesday 3 March at 7pm.",
        "It is at the Mill Hall.",
        "If you cannot come, someone can vote for you.",
    ),
)


async def seed_membership(organisation_id: int, settings: Settings, slug: str) -> None:
    """Register details, communication needs, a supporter, a standing proxy, applications in every state."""
    secretary = await Person.select(Person.id).where(Person.email == SECRETARY_EMAIL).first()
    assert secretary is not None
    org = await org_context(slug, secretary["id"])
    assert org is not None
    actor = Actor(secretary["id"])
    await Member.update({Member.guarantee_pence: 100}).where(Member.organisation == organisation_id)
    await _contacts_and_needs(org, actor)
    await _supporter_and_proxy(org, actor, settings)
    await _applications(org, actor)
    # The members who asked for post have a notice waiting on the secretary's "Letters to send" page.
    letters_to = [(await _member(org, name))["id"] for name in ("Ben Williams", "Margaret Hughes")]
    await send_notice(settings, organisation_id, letters_to, AGM_NOTICE)


async def _member(org: OrgContext, name: str) -> dict[str, Any]:
    row = (
        await Member.select()
        .where((Member.organisation == org.organisation_id) & (Member.name == name))
        .first()
    )
    assert row is not None
    return row


async def _contacts_and_needs(org: OrgContext, actor: Actor) -> None:
    for name, (address, contact_by, needs) in CONTACTS.items():
        row = await _member(org, name)
        email = row["email"] or (
            None if contact_by == "post" else f"{name.split()[0].lower()}@riverside.example"
        )
        await update_contact(org, row, address, email or "", "", contact_by, actor)
        await set_needs(org, row["id"], needs, "", True, actor)
    for name, facts in FACTS.items():
        await set_facts(org, (await _member(org, name))["id"], facts, True, actor)


async def _supporter_and_proxy(org: OrgContext, actor: Actor, settings: Settings) -> None:
    # Sofia's sister helps her use coop (written directly: the demo sends no emails).
    sofia = await _member(org, "Sofia Rossi")
    maria = await create_person(
        "maria@riverside.example", "Maria Rossi", settings.demo_password, settings=settings
    )
    await MemberSupporter.insert(
        MemberSupporter(
            member=sofia["id"],
            person=maria,
            name="Maria Rossi",
            email="maria@riverside.example",
            created_by=actor.person_id,
        )
    )
    helen = await _member(org, "Helen Jones")
    standing = ProxyForm(
        proxy=str(helen["public_id"]),
        other_name="",
        other_email="",
        scope="standing",
        meeting_name="",
        meeting_starts_at=None,
        instructions="Vote as you think best.",
    )
    await appoint_proxy(org, (await _member(org, "Margaret Hughes"))["id"], standing, actor)


async def _apply(org: OrgContext, name: str, email: str, class_key: str, about: str = "") -> dict[str, Any]:
    constitution = await constitution_of(org.organisation_id)
    member_class = constitution.member_class(class_key)
    assert member_class is not None
    form = ApplicationForm(
        name=name,
        email=email,
        address="",
        contact_by="email",
        answers=tuple(True for _ in member_class.eligibility_questions),
        about=about,
    )
    public_id = await submit_application(org.organisation_id, class_key, form, constitution, SYSTEM)
    application = await application_in_org(org, public_id)
    assert application is not None
    return application


async def _applications(org: OrgContext, actor: Actor) -> None:
    """One application waiting, one asked for more, one admitted (Ruth, on the register) and one refused."""
    await _apply(org, "Leon Baptiste", "leon@example.org", "budget_holder", "I would like easy read papers.")
    chloe = await _apply(org, "Chloe Martin", "chloe@example.org", "family_carer")
    await MembershipApplication.update(
        {
            MembershipApplication.status: "more_info",
            MembershipApplication.board_message: "Where does the person you care for live?",
            MembershipApplication.reply_token_hash: token_hash(secrets.token_urlsafe(32)),
        }
    ).where(MembershipApplication.id == chloe["id"])
    ruth_application = await _apply(org, "Ruth Adeyemi", "ruth@riverside.example", "professional")
    ruth = await _member(org, "Ruth Adeyemi")
    await MembershipApplication.update(
        {
            MembershipApplication.status: "admitted",
            MembershipApplication.member: ruth["id"],
            MembershipApplication.decided_by: actor.person_id,
            MembershipApplication.decided_at: now(),
        }
    ).where(MembershipApplication.id == ruth_application["id"])
    mark = await _apply(org, "Mark Stone", "mark@example.org", "professional")
    await MembershipApplication.update(
        {
            MembershipApplication.status: "refused",
            MembershipApplication.decided_by: actor.person_id,
            MembershipApplication.decided_at: now(),
            MembershipApplication.board_message: "We are not taking new professional members this year.",
        }
    ).where(MembershipApplication.id == mark["id"])
