"""The totals the register, the members list and the pool's "add a person" page show are counted from
indexes (the highest entry number, less the ceased and the resignations in effect), not by reading every
entry: they must still be exactly the counts of the entries they describe, with members ceased, resigned
(written down or only in effect by date), resigning later, and taking part in the pool."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import run
from tests.coop.budgets.helpers import make_pool
from tests.coop.helpers import sign_in
from tests.coop.members.helpers import add_members, member_row

SECRETARY = "helen@riverside.example"


def _caption(html: str, words: str) -> int:
    found = re.search(rf"caption[^>]*>(\d+) {words}", html)
    assert found is not None, html[:3000]
    return int(found[1])


def test_totals_shown_are_the_counts_of_what_they_describe(demo, client):
    from coop.budgets.tables import PoolAccount
    from coop.clock import today
    from coop.members.register import current_on
    from coop.members.tables import Member

    organisation = int(member_row("Jamie Carter")["organisation"])
    setup = make_pool(contributors=3)
    add_members(organisation, 60, prefix="Counted")
    on = today()
    ids = [
        int(r["id"])
        for r in run(Member.select(Member.id).where(Member.name.like("Counted%")).order_by(Member.id))
    ]
    in_pool = [
        int(a["member"])
        for a in run(PoolAccount.select(PoolAccount.member).where(PoolAccount.pool == setup.pool_id))
        if a["member"]
    ]
    # Ceased (one of them in the pool), resigned in effect but not written down (one in the pool),
    # resigning tomorrow (still current), resigning today (no longer current).
    run(
        Member.update({Member.ceased_on: on - timedelta(days=3), Member.ceased_reason: "resigned"}).where(
            Member.id.is_in([*ids[:5], in_pool[0]])
        )
    )
    run(
        Member.update({Member.leaving_on: on - timedelta(days=1)}).where(
            Member.id.is_in([*ids[5:9], in_pool[1]])
        )
    )
    run(Member.update({Member.leaving_on: on + timedelta(days=1)}).where(Member.id.is_in(ids[9:12])))
    run(Member.update({Member.leaving_on: on}).where(Member.id.is_in(ids[12:14])))

    entries = run(Member.count().where(Member.organisation == organisation))
    current = run(Member.count().where((Member.organisation == organisation) & current_on(on)))
    outside = run(
        Member.count().where(
            (Member.organisation == organisation) & current_on(on) & Member.id.not_in(in_pool)
        )
    )
    assert entries > current > outside > 0 and current == entries - 6 - 5 - 2

    sign_in(client, SECRETARY)
    assert _caption(client.get("/o/riverside/register").text, "entries") == entries
    assert _caption(client.get("/o/riverside/members").text, "current members") == current
    people = client.get(f"/o/riverside/budgets/{setup.pool_public_id}/people").text
    assert _caption(people, "members") == outside
    # A search still counts the matching rows themselves.
    assert _caption(client.get("/o/riverside/register?q=Counted").text, "entries") == 60
