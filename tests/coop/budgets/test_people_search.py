"""Adding a person to a pool at any size of membership: find them by name (a GET search with paged
results and a Choose button each, no JavaScript needed), then give their share and floor."""

from __future__ import annotations

import re

from tests.conftest import run
from tests.coop.budgets.helpers import make_pool
from tests.coop.helpers import post_form, sign_in
from tests.coop.members.helpers import add_members, member_row


def _choices(html: str) -> list[str]:
    return re.findall(r'name="member" value="(\d+)"', html)


def test_find_choose_and_add_a_person_without_javascript(demo, client):
    from coop.budgets.tables import PoolAccount

    setup = make_pool(contributors=2)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    add_members(int(member_row("Jamie Carter")["organisation"]), 45, prefix="Pooled")
    sign_in(client, "daniel@riverside.example")
    first = client.get(f"{base}/people")
    assert first.status_code == 200 and "<select" not in first.text
    # A page of 20 choices, a search box, and a link to the next page, all plain HTML.
    assert len(_choices(first.text)) == 20 and 'method="get"' in first.text and "after=" in first.text
    in_pool = {
        str(a["member"])
        for a in run(PoolAccount.select(PoolAccount.member).where(PoolAccount.pool == setup.pool_id))
        if a["member"]
    }
    found = client.get(f"{base}/people?q=pooled+00044")
    assert len(_choices(found.text)) == 1
    chosen_id = _choices(found.text)[0]
    assert chosen_id not in in_pool
    # Choosing is a GET too: it shows the rest of the form with the person filled in.
    chosen = client.get(f"{base}/people?member={chosen_id}")
    assert "Pooled 00044" in chosen.text and f'type="hidden" name="member" value="{chosen_id}"' in chosen.text
    assert post_form(client, f"{base}/people", {"member": chosen_id}).status_code == 303
    assert (
        run(
            PoolAccount.count().where(
                (PoolAccount.pool == setup.pool_id) & (PoolAccount.member == int(chosen_id))
            )
        )
        == 1
    )
    # Someone already taking part is neither offered nor choosable by a hand-made address.
    assert _choices(client.get(f"{base}/people?q=pooled+00044").text) == []
    again = client.get(f"{base}/people?member={chosen_id}")
    assert 'type="hidden" name="member"' not in again.text
    for hostile in ("99999999999999999999999", "-1", "abc", "%00"):
        assert client.get(f"{base}/people?member={hostile}").status_code == 200
    # Adding them twice is refused next to the search, as before.
    twice = post_form(client, f"{base}/people", {"member": chosen_id})
    assert twice.status_code == 422 and 'href="#member"' in twice.text and 'id="member"' in twice.text


def test_an_id_no_member_can_have_is_an_error_not_a_server_error(demo, client):
    """Ids are 32-bit serials on PostgreSQL: 2**31 overflowed the query there (a 500) before it was
    refused at the edge. With a bad share too, the form comes back with its errors."""
    setup = make_pool(contributors=1)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    sign_in(client, "daniel@riverside.example")
    for member in ("2147483648", "9223372036854775807"):
        assert client.get(f"{base}/people", params={"member": member}).status_code == 200
        refused = post_form(client, f"{base}/people", {"member": member, "share": "x" * 300})
        assert refused.status_code == 422, (member, refused.status_code)


def test_the_hand_written_page_walks_the_same_people_as_the_built_query(demo):
    """pool_pages._outside_page (raw SQL) against members_page with the Piccolo condition it replaced:
    the same people in the same order, page by page, forwards, backwards, from the last page and when
    searching, with the same totals."""
    from coop.budgets import pool_pages
    from coop.budgets.tables import PoolAccount
    from coop.members import register

    setup = make_pool(contributors=2)
    organisation = int(member_row("Jamie Carter")["organisation"])
    add_members(organisation, 45, prefix="Pooled")

    def both(search: str, **position: object) -> tuple[object, object]:
        raw = run(pool_pages._outside_page(organisation, setup.pool_id, search, dict(position)))
        built = run(
            register.members_page(
                organisation,
                search=search,
                excluding=pool_pages._not_in_pool(setup.pool_id),
                per_page=20,
                total=raw.total,
                **position,
            )
        )
        assert [r["id"] for r in raw.items] == [r["id"] for r in built.items]
        assert (raw.after, raw.before, raw.first, raw.last) == (
            built.after,
            built.before,
            built.first,
            built.last,
        )
        return raw, built

    seen: list[int] = []
    page, _ = both("")
    while True:
        seen.extend(r["id"] for r in page.items)
        if page.after is None:
            break
        page, _ = both("", after=page.after)
    accounts = run(PoolAccount.select(PoolAccount.member).where(PoolAccount.pool == setup.pool_id))
    in_pool = {a["member"] for a in accounts}
    assert len(seen) == len(set(seen)) == page.total and not in_pool & set(seen)
    last, _ = both("", last=True)
    back, _ = both("", before=last.before)
    tail = [r["id"] for r in back.items] + [r["id"] for r in last.items]
    assert tail == seen[-len(tail) :]
    found, _ = both("pooled 0004")
    assert found.total == len(found.items) == 5  # Pooled 00040 to 00044
    assert both("no such name")[0].total == 0
