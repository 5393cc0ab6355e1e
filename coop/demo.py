"""The demo: Riverside Shared Support CIC, a user-led CIC run by disabled people and family carers.

Its board follows its constitution: two disabled people who hold personal budgets, two family carers
and one professional. A second, smaller organisation shows that one person can belong to several.
Later capabilities add to `seed_demo` (a pool, an open vote, a meeting).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from typing import Any

from coop.accounts.service import create_person
from coop.accounts.tables import Person
from coop.audit.service import SYSTEM, Actor
from coop.organisations.service import ROLE_NAMES, add_member, create_organisation
from coop.organisations.tables import Organisation
from coop.settings import Settings

DEMO_SLUG = "riverside"
SECOND_SLUG = "northfield"


@dataclass(frozen=True, slots=True)
class DemoPerson:
    name: str
    email: str | None  # None: a member who never signs in (the secretary records their votes)
    member_class: str
    admitted_on: date
    roles: tuple[str, ...] = ()
    site_admin: bool = False

    def describe(self) -> str:
        parts = [self.member_class.replace("_", " ")] + [ROLE_NAMES[r].lower() for r in self.roles]
        if self.site_admin:
            parts.append("site admin")
        return ", ".join(parts)


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    # The board: 2 budget holders, 2 family carers, 1 professional.
    DemoPerson(
        "Amara Okafor", "amara@riverside.example", "budget_holder", date(2023, 4, 3), ("director", "admin")
    ),
    DemoPerson(
        "Daniel Price",
        "daniel@riverside.example",
        "budget_holder",
        date(2023, 4, 3),
        ("director", "treasurer"),
    ),
    DemoPerson(
        "Helen Jones", "helen@riverside.example", "family_carer", date(2023, 4, 3), ("director", "secretary")
    ),
    DemoPerson("Priya Shah", "priya@riverside.example", "family_carer", date(2023, 4, 3), ("director",)),
    DemoPerson("Tom Evans", "tom@riverside.example", "professional", date(2023, 6, 12), ("director",)),
    # Members.
    DemoPerson("Jamie Carter", "jamie@riverside.example", "budget_holder", date(2023, 9, 1)),
    DemoPerson("Sofia Rossi", "sofia@riverside.example", "budget_holder", date(2024, 1, 15)),
    DemoPerson("Ben Williams", None, "budget_holder", date(2024, 2, 20)),
    DemoPerson("Grace Lee", "grace@riverside.example", "budget_holder", date(2024, 5, 7)),
    DemoPerson("Margaret Hughes", None, "family_carer", date(2023, 11, 30)),
    DemoPerson("Kwame Mensah", "kwame@riverside.example", "family_carer", date(2024, 3, 18)),
    DemoPerson("Ruth Adeyemi", "ruth@riverside.example", "professional", date(2025, 1, 9)),
)

SITE_ADMIN = DemoPerson("Sam Operator", "admin@coop.example", "site_admin", date(2023, 4, 3), site_admin=True)

# A neighbouring carers' co-op that Priya also belongs to.
SECOND_ORG_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("Priya Shah", "priya@riverside.example", "member", date(2024, 6, 1), ("director",)),
    DemoPerson(
        "Lena Novak",
        "lena@northfield.example",
        "member",
        date(2024, 6, 1),
        ("director", "secretary", "admin"),
    ),
    DemoPerson("Omar Farouk", "omar@northfield.example", "member", date(2024, 7, 9)),
)


def model_constitution_text(name: str) -> str:
    return files("governance.constitutions").joinpath(f"{name}.toml").read_text(encoding="utf-8")


async def seed_demo(settings: Settings) -> bool:
    """Create the demo organisations and people. Returns False if they already exist (it never duplicates)."""
    if await Organisation.exists().where(Organisation.slug == DEMO_SLUG):
        return False
    password = settings.demo_password
    person_ids: dict[str, int] = {}

    async def person_for(p: DemoPerson) -> int | None:
        if p.email is None:
            return None
        if p.email not in person_ids:
            person_ids[p.email] = await create_person(
                p.email, p.name, password, settings=settings, is_site_admin=p.site_admin
            )
        return person_ids[p.email]

    await person_for(SITE_ADMIN)
    riverside = await create_organisation(
        slug=DEMO_SLUG,
        name="Riverside Shared Support CIC",
        legal_form="cic_guarantee",
        model_name="cic_guarantee",
        constitution_toml=model_constitution_text("cic_guarantee"),
        adopted_on=date(2023, 4, 3),
        company_number="14799201",
        actor=SYSTEM,
    )
    for p in DEMO_PEOPLE:
        await add_member(
            organisation_id=riverside,
            name=p.name,
            member_class=p.member_class,
            admitted_on=p.admitted_on,
            person_id=await person_for(p),
            roles=p.roles,
            actor=SYSTEM,
        )
    from coop.boards.demo import seed_board

    await seed_board(riverside)
    await seed_membership(riverside, settings)
    from coop.votes.demo import seed_votes

    await seed_votes(riverside)
    from coop.budgets.demo import seed_pool

    await seed_pool(riverside)
    from coop.commissioning.demo import seed_commissioning

    await seed_commissioning(riverside)
    from coop.meetings.demo import seed_meetings

    await seed_meetings(riverside, settings)
    northfield = await create_organisation(
        slug=SECOND_SLUG,
        name="Northfield Carers Co-operative",
        legal_form="cooperative_society",
        model_name="cooperative_society",
        constitution_toml=model_constitution_text("cooperative_society"),
        adopted_on=date(2024, 6, 1),
        actor=SYSTEM,
    )
    for p in SECOND_ORG_PEOPLE:
        await add_member(
            organisation_id=northfield,
            name=p.name,
            member_class=p.member_class,
            admitted_on=p.admitted_on,
            person_id=await person_for(p),
            roles=p.roles,
            actor=SYSTEM,
        )
    from coop.boards.demo import NORTHFIELD_ADDRESS, NORTHFIELD_DIRECTORS

    await seed_board(northfield, NORTHFIELD_DIRECTORS, NORTHFIELD_ADDRESS)
    return True


async def seed_membership(organisation_id: int, settings: Settings) -> None:
    """Register details, communication needs, a supporter, a standing proxy, applications in every state."""
    from coop.members import service as members
    from coop.members.tables import Member, MembershipApplication, MemberSupporter
    from coop.organisations.service import org_context

    secretary = await Person.select(Person.id).where(Person.email == "helen@riverside.example").first()
    assert secretary is not None
    org = await org_context(DEMO_SLUG, secretary["id"])
    assert org is not None
    actor = Actor(secretary["id"])
    await Member.update({Member.guarantee_pence: 100}).where(Member.organisation == organisation_id)

    async def member(name: str) -> dict[str, Any]:
        row = (
            await Member.select()
            .where((Member.organisation == organisation_id) & (Member.name == name))
            .first()
        )
        assert row is not None
        return row

    addresses = {
        "Ben Williams": ("12 Mill Lane\nRiverside\nRV1 2AB", "post", ["large_print", "post"]),
        "Margaret Hughes": ("3 Station Road\nRiverside\nRV2 4CD", "post", ["easy_read", "post"]),
        "Jamie Carter": ("", "email", ["easy_read"]),
        "Grace Lee": ("", "email", ["bsl"]),
        "Sofia Rossi": ("", "supporter", ["supporter", "easy_read"]),
    }
    for name, (address, contact_by, needs) in addresses.items():
        row = await member(name)
        email = row["email"] or (
            None if contact_by == "post" else f"{name.split()[0].lower()}@riverside.example"
        )
        await members.update_contact(org, row, address, email or "", "", contact_by, actor)
        await members.set_needs(org, row["id"], needs, "", True, actor)
    for name, facts in {"Amara Okafor": ["disabled", "uses_support"], "Helen Jones": ["carer"]}.items():
        await members.set_facts(org, (await member(name))["id"], facts, True, actor)
    # Sofia's sister helps her use coop (written directly: the demo sends no emails).
    sofia = await member("Sofia Rossi")
    maria = await create_person(
        "maria@riverside.example", "Maria Rossi", settings.demo_password, settings=settings
    )
    await MemberSupporter.insert(
        MemberSupporter(
            member=sofia["id"],
            person=maria,
            name="Maria Rossi",
            email="maria@riverside.example",
            created_by=secretary["id"],
        )
    )
    helen = await member("Helen Jones")
    await members.appoint_proxy(
        org,
        (await member("Margaret Hughes"))["id"],
        members.ProxyForm(
            proxy=str(helen["public_id"]),
            other_name="",
            other_email="",
            scope="standing",
            meeting_name="",
            meeting_starts_at=None,
            instructions="Vote as you think best.",
        ),
        actor,
    )
    constitution = await members.constitution_of(organisation_id)

    async def apply(name: str, email: str, class_key: str, about: str = "") -> dict[str, Any]:
        member_class = constitution.member_class(class_key)
        assert member_class is not None
        form = members.ApplicationForm(
            name=name,
            email=email,
            address="",
            contact_by="email",
            answers=tuple(True for _ in member_class.eligibility_questions),
            about=about,
        )
        public_id = await members.submit_application(organisation_id, class_key, form, constitution, SYSTEM)
        application = await members.application_in_org(org, public_id)
        assert application is not None
        return application

    await apply("Leon Baptiste", "leon@example.org", "budget_holder", "I would like easy read papers.")
    chloe = await apply("Chloe Martin", "chloe@example.org", "family_carer")
    await MembershipApplication.update(
        {
            MembershipApplication.status: "more_info",
            MembershipApplication.board_message: "Where does the person you care for live?",
            MembershipApplication.reply_token_hash: members.token_hash(secrets.token_urlsafe(32)),
        }
    ).where(MembershipApplication.id == chloe["id"])
    # Ruth Adeyemi joined through an application the board admitted.
    ruth_application = await apply("Ruth Adeyemi", "ruth@riverside.example", "professional")
    ruth = await member("Ruth Adeyemi")
    await MembershipApplication.update(
        {
            MembershipApplication.status: "admitted",
            MembershipApplication.member: ruth["id"],
            MembershipApplication.decided_by: secretary["id"],
            MembershipApplication.decided_at: members.now(),
        }
    ).where(MembershipApplication.id == ruth_application["id"])
    mark = await apply("Mark Stone", "mark@example.org", "professional")
    await MembershipApplication.update(
        {
            MembershipApplication.status: "refused",
            MembershipApplication.decided_by: secretary["id"],
            MembershipApplication.decided_at: members.now(),
            MembershipApplication.board_message: "We are not taking new professional members this year.",
        }
    ).where(MembershipApplication.id == mark["id"])
    # The members who asked for post have a notice waiting on the secretary's "Letters to send" page.
    from coop.members.notices import Notice, send_notice

    await send_notice(
        settings,
        organisation_id,
        [(await member(name))["id"] for name in ("Ben Williams", "Margaret Hughes")],
        Notice(
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
        ),
    )
