"""Organisations are tenants: another organisation, or anything in it, is simply not found."""

from __future__ import annotations

from datetime import date

from tests.conftest import run
from tests.coop.helpers import sign_in


def _member_id(slug: str, name: str) -> str:
    from coop.members.tables import Member

    row = run(
        Member.select(Member.public_id)
        .where((Member.organisation.slug == slug) & (Member.name == name))
        .first()
    )
    return str(row["public_id"])


def test_a_member_of_one_organisation_gets_404_for_another(demo, client):
    sign_in(client, "amara@riverside.example")
    for path in (
        "/o/northfield/",
        "/o/northfield/members",
        "/o/northfield/audit",
        f"/o/northfield/members/{_member_id('northfield', 'Lena Novak')}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Northfield" not in response.text and "Lena Novak" not in response.text


def test_another_organisations_member_cannot_be_reached_through_your_own(demo, client):
    sign_in(client, "amara@riverside.example")
    lena = _member_id("northfield", "Lena Novak")
    response = client.get(f"/o/riverside/members/{lena}")
    assert response.status_code == 404
    assert "Lena Novak" not in response.text


def test_a_person_in_two_organisations_sees_each_separately(demo, client):
    sign_in(client, "priya@riverside.example")
    home = client.get("/")
    assert "Riverside Shared Support CIC" in home.text and "Northfield Carers Co-operative" in home.text
    riverside = client.get("/o/riverside/members").text
    northfield = client.get("/o/northfield/members").text
    assert "Amara Okafor" in riverside and "Amara Okafor" not in northfield
    assert "Lena Novak" in northfield and "Lena Novak" not in riverside


def test_a_ceased_member_loses_access_at_once(demo, client):
    from coop.members.tables import Member

    sign_in(client, "jamie@riverside.example")
    assert client.get("/o/riverside/").status_code == 200
    run(Member.update({Member.ceased_on: date.today()}).where(Member.name == "Jamie Carter"))
    assert client.get("/o/riverside/").status_code == 404
    assert client.get("/o/riverside/members").status_code == 404


def test_unknown_organisations_and_odd_slugs_are_404(demo, client):
    sign_in(client, "amara@riverside.example")
    for slug in ("nowhere", "RIVERSIDE", "riverside%00", "-x-"):
        assert client.get(f"/o/{slug}/").status_code == 404


def test_members_list_is_a_fragment_for_htmx_and_a_page_otherwise(demo, client):
    sign_in(client, "amara@riverside.example")
    page = client.get("/o/riverside/members")
    fragment = client.get("/o/riverside/members", headers={"HX-Request": "true"})
    assert page.headers["vary"] == fragment.headers["vary"] == "HX-Request"
    assert "<html" in page.text and "<html" not in fragment.text
    assert "Amara Okafor" in fragment.text and "12 current members" in fragment.text
    # The back button after an in-place swap asks htmx to restore the page: that must be whole.
    restored = client.get(
        "/o/riverside/members", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restored.text


def test_the_menu_marks_only_the_section_you_are_in(demo, client):
    import re

    sign_in(client, "helen@riverside.example")
    page = client.get("/o/riverside/members").text
    current = re.findall(r'href="([^"]+)" aria-current="page"', page)
    assert current == ["/o/riverside/members"]
