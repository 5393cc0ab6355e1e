"""The provider directory: the board and secretary add providers and services through GOV.UK forms with
an error summary and messages by each field; members read them; another organisation's are not found."""

from __future__ import annotations

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in

BASE = "/o/riverside/commissioning"


def test_the_secretary_adds_a_provider_and_a_service(demo, client):
    from coop.audit.tables import AuditEvent
    from coop.commissioning.tables import Provider, ServiceOffer

    sign_in(client, "helen@riverside.example")
    empty = post_form(client, f"{BASE}/providers/new", {})
    assert empty.status_code == 422
    assert "govuk-error-summary" in empty.text and 'href="#name"' in empty.text
    assert "Enter the provider&#39;s name" in empty.text or "Enter the provider's name" in empty.text
    bad_cqc = post_form(
        client,
        f"{BASE}/providers/new",
        {"name": "Sunrise Care", "kind": "cic", "cqc_number": "123", "contact": "01234 567890"},
    )
    assert bad_cqc.status_code == 422
    assert 'id="cqc_number-error"' in bad_cqc.text
    made = post_form(
        client,
        f"{BASE}/providers/new",
        {
            "name": "Sunrise Care",
            "kind": "cic",
            "cqc_number": "1-987654321",
            "cqc_rating": "Good",
            "contact": "Ann, 01234 567890",
        },
    )
    assert made.status_code == 303
    provider = run(Provider.select().where(Provider.name == "Sunrise Care").first())
    assert provider["cqc_rating"] == "Good" and provider["kind"] == "cic"
    page = page_text(client.get(made.headers["location"]).text)
    assert "Provider added" in page and "1-987654321" in page

    offers = f"{BASE}/providers/{provider['public_id']}/offers/new"
    bad = post_form(client, offers, {"name": "Day centre", "unit": "fortnight", "price": "12.345"})
    assert bad.status_code == 422
    assert 'id="unit-error"' in bad.text and 'id="price-error"' in bad.text
    good = post_form(client, offers, {"name": "Day centre", "unit": "session", "price": "£45.50"})
    assert good.status_code == 303
    offer = run(ServiceOffer.select().where(ServiceOffer.name == "Day centre").first())
    assert offer["price_pence"] == 4_550 and offer["provider"] == provider["id"]
    actions = {r["action"] for r in run(AuditEvent.select(AuditEvent.action))}
    assert {"commissioning.provider_added", "commissioning.offer_added"} <= actions


def test_members_read_the_directory_but_cannot_change_it(demo, client):
    from tests.coop.commissioning.helpers import make_offer
    from tests.coop.votes.helpers import org_id

    offer = make_offer(org_id())
    sign_in(client, "jamie@riverside.example")
    index = client.get(f"{BASE}/")
    assert index.status_code == 200 and "Brightway Support" in index.text
    from coop.commissioning.tables import Provider

    provider = run(Provider.select().where(Provider.id == offer["provider"]).first())
    page = client.get(f"{BASE}/providers/{provider['public_id']}")
    assert page.status_code == 200 and "£60.00 a hour" in page_text(page.text)
    assert "Propose buying" not in page.text
    assert client.get(f"{BASE}/providers/new").status_code == 403
    assert post_form(client, f"{BASE}/providers/new", {"name": "X", "kind": "cic"}).status_code == 403
    assert client.get(f"{BASE}/offers/{offer['public_id']}/propose").status_code == 403


def test_another_organisations_provider_offer_and_contract_are_not_found(demo, client):
    """Priya belongs to both organisations: Northfield's records under Riverside's address are 404."""
    from coop.audit.service import SYSTEM
    from coop.commissioning import providers
    from coop.organisations.tables import Organisation

    northfield = int(run(Organisation.select().where(Organisation.slug == "northfield").first())["id"])
    provider = run(
        providers.create_provider(
            northfield, providers.ProviderDetails("Northfield Care", "charity", contact="x"), actor=SYSTEM
        )
    )
    row = run(providers.provider_in_org(northfield, provider))
    offer = run(
        providers.create_offer(
            northfield, int(row["id"]), providers.OfferDetails("Respite", "", "day", 10_000), actor=SYSTEM
        )
    )
    sign_in(client, "priya@riverside.example")
    assert client.get(f"/o/northfield/commissioning/providers/{provider}").status_code == 200
    for path in (
        f"{BASE}/providers/{provider}",
        f"{BASE}/providers/{provider}/offers/new",
        f"{BASE}/offers/{offer}/propose",
        f"{BASE}/proposals/{offer}",
        f"{BASE}/contracts/{offer}",
        f"{BASE}/providers/not-a-uuid",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Northfield Care" not in response.text
