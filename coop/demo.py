"""The demo: Riverside Shared Support CIC, a user-led CIC run by disabled people and family carers.

Its board follows its constitution: two disabled people who hold personal budgets, two family carers
and one professional. A second, smaller organisation shows that one person can belong to several.
Later capabilities add to `seed_demo` (a pool, an open vote, a meeting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.resources import files

from coop.accounts.service import create_person
from coop.audit.service import SYSTEM
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
    from coop.members.demo import seed_membership

    await seed_membership(riverside, settings, DEMO_SLUG)
    from coop.votes.demo import seed_votes

    await seed_votes(riverside)
    from coop.budgets.demo import seed_pool

    await seed_pool(riverside)
    from coop.commissioning.demo import seed_commissioning

    await seed_commissioning(riverside)
    from coop.resolutions.demo import seed_resolutions

    await seed_resolutions(riverside)
    from coop.boards.demo import seed_election

    await seed_election(riverside)
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
