"""The demo's written resolution: Riverside asks its members to agree to a new meeting venue, sent round
a few days ago, with two agreements in (one online, one on paper)."""

from __future__ import annotations

from datetime import timedelta

from coop import clock
from coop.audit.service import SYSTEM
from coop.members.tables import Member
from coop.resolutions import service


async def seed_resolutions(organisation_id: int) -> None:
    public_id = await service.draft_resolution(
        organisation_id,
        service.Draft(
            title="Hold general meetings at the Riverside Community Hub",
            text="That the company's general meetings be held at the Riverside Community Hub, 3 Wharf Road, "
            "which has step-free access and a hearing loop, unless the board gives notice of another place.",
            easy_read="We want to hold members' meetings at the Community Hub.\n"
            "The Hub has no steps and has a hearing loop.",
            kind="ordinary",
            removes_director=False,
            removes_auditor=False,
        ),
        SYSTEM,
    )
    now = clock.now()
    sent = now.date() - timedelta(days=3)
    await service.circulate(organisation_id, public_id, SYSTEM, on=sent, now=now)
    for name, paper in (("Amara Okafor", False), ("Daniel Price", True)):
        member = (
            await Member.select(Member.id)
            .where((Member.organisation == organisation_id) & (Member.name == name))
            .first()
        )
        if member is not None:
            await service.agree(organisation_id, public_id, int(member["id"]), SYSTEM, on=sent, paper=paper)
