"""The demo boards on the register of directors: Riverside's five directors and Northfield's two, with
particulars."""

from __future__ import annotations

from datetime import date

from coop import clock
from coop.audit.service import SYSTEM, AuditEntry, record
from coop.boards.first_board import register_first_directors
from coop.boards.service import Appointment, Particulars
from coop.db import write_transaction
from coop.members.tables import Member

SERVICE_ADDRESS = "Riverside Shared Support CIC, 12 Mill Lane, Riverside, RV1 2AB"
# name: (route, nationality, occupation, date of birth, residential address, counted as user-led)
DEMO_DIRECTORS: dict[str, tuple[str, str, str, date, str, bool]] = {
    "Amara Okafor": (
        "elected",
        "British",
        "Peer support worker",
        date(1986, 7, 14),
        "4 Elm Road, RV3 1CD",
        True,
    ),
    "Daniel Price": (
        "elected",
        "British",
        "Accounts assistant",
        date(1979, 2, 2),
        "19 Quay Street, RV2 5EF",
        True,
    ),
    "Helen Jones": (
        "elected",
        "British",
        "Family carer",
        date(1968, 11, 23),
        "7 Orchard Close, RV4 8GH",
        True,
    ),
    "Priya Shah": ("elected", "British", "Teacher", date(1975, 5, 9), "31 Park View, RV1 9JK", True),
    "Tom Evans": (
        "co_opted",
        "Irish",
        "Occupational therapist",
        date(1982, 9, 30),
        "2 Weir Court, RV5 3LM",
        False,
    ),
}
NORTHFIELD_ADDRESS = "Northfield Carers Co-operative, 3 Station Road, Northfield, NF1 4QR"
NORTHFIELD_DIRECTORS: dict[str, tuple[str, str, str, date, str, bool]] = {
    "Priya Shah": ("elected", "British", "Teacher", date(1975, 5, 9), "31 Park View, RV1 9JK", False),
    "Lena Novak": (
        "elected",
        "Polish",
        "Care co-ordinator",
        date(1990, 1, 17),
        "8 Hill Rise, NF2 6ST",
        False,
    ),
}


async def seed_board(
    organisation_id: int,
    directors: dict[str, tuple[str, str, str, date, str, bool]] = DEMO_DIRECTORS,
    service_address: str = SERVICE_ADDRESS,
) -> None:
    """Put the demo directors on the register (they already hold the director role)."""
    members = await Member.select(Member.id, Member.name, Member.member_class, Member.admitted_on).where(
        (Member.organisation == organisation_id) & Member.name.is_in(list(directors))
    )
    entries = []
    for m in sorted(members, key=lambda m: list(directors).index(m["name"])):
        route, nationality, occupation, born, home, user_led = directors[m["name"]]
        particulars = Particulars(service_address, "England", nationality, occupation, home, born)
        entries.append(
            (m, Appointment(str(m["id"]), route, m["admitted_on"], particulars, user_led_consent=user_led))
        )
    async with write_transaction():
        seeded = await register_first_directors(organisation_id, entries)
        await record(
            AuditEntry(
                "board.register_seeded", organisation_id=organisation_id, detail={"directors": seeded}
            ),
            SYSTEM,
        )


async def seed_election(organisation_id: int) -> None:
    """Nominations open for two seats at the next AGM, with one member standing already."""
    from datetime import timedelta

    from coop.boards import nominations

    today = clock.now().date()
    public_id = await nominations.call_election(
        organisation_id,
        nominations.NewElection("Election of directors at the next AGM", 2, today + timedelta(days=14)),
        SYSTEM,
        today=today,
    )
    election = await nominations.election_in_org(organisation_id, public_id)
    jamie = (
        await Member.select(Member.id)
        .where((Member.organisation == organisation_id) & (Member.name == "Jamie Carter"))
        .first()
    )
    if election is not None and jamie is not None:
        await nominations.stand(
            organisation_id,
            election,
            int(jamie["id"]),
            "I use a personal budget and I want the board to hear from people like me. I have run our "
            "peer support group for two years and I read the accounts every quarter.",
            "I use a personal budget.\nI want to help run our company.",
            SYSTEM,
            today=today,
        )
