"""Answering the /start journey over HTTP, for the start tests: a CIC whose board is two disabled people
(budget holders), two family carers and one professional."""

from __future__ import annotations

from typing import Any

from tests.coop.helpers import post_form

STARTER = "jamie@riverside.example"  # a demo member with no role, starting an organisation of their own

QUESTIONS: list[tuple[str, dict[str, Any]]] = [
    ("model", {"model": "cic_guarantee"}),
    ("name", {"name": "Brookside Shared Support CIC"}),
    ("web-address", {"slug": "brookside"}),
    ("objects", {"objects": "To let disabled people in Brookside choose and buy their support together."}),
    ("community", {"community": "Disabled people and family carers in Brookside."}),
    ("classes", {"member_classes": ["budget_holder", "family_carer", "professional"]}),
]
LATER_QUESTIONS: list[tuple[str, dict[str, Any]]] = [
    ("asset-lock", {"asset_locked_body": "Brookside Disabled People's Forum (charity 1234567)"}),
    ("year-end", {"year_end_day": "31", "year_end_month": "3"}),
    ("office", {"registered_office": "Brook Hall, 2 Brook Lane, Brookside, BR1 2AB"}),
]
# (name, email, class, counts as user-led): all five are first directors.
FOUNDERS = [
    ("Jamie Carter", STARTER, "budget_holder", True),
    ("Ade Bello", "ade@brookside.example", "budget_holder", True),
    ("Cerys Morgan", "cerys@brookside.example", "family_carer", True),
    ("Dev Patel", "dev@brookside.example", "family_carer", True),
    ("Erin Walsh", "erin@brookside.example", "professional", False),
]
PARTICULARS = {
    "country_of_residence": "England",
    "nationality": "British",
    "occupation": "None",
    "date_of_birth_day": "17",
    "date_of_birth_month": "5",
    "date_of_birth_year": "1980",
}


def answer(client: Any, page: str, data: dict[str, Any]) -> Any:
    return post_form(client, f"/start/{page}", data)


def add_founder(client: Any, name: str, email: str, member_class: str, user_led: bool) -> int:
    data = {"name": name, "email": email, "address": "1 Brook Lane, Brookside", "member_class": member_class}
    data["director"] = "yes"
    if user_led:
        data["counts_as_user_led"] = "yes"
    response = post_form(client, "/start/founders/add", data)
    assert response.status_code == 303, response.text[:3000]
    location = response.headers["location"]
    assert location.endswith("/director"), location
    done = post_form(client, location, PARTICULARS)
    assert done.status_code == 303, done.text[:3000]
    return int(location.split("/")[3])


def answer_everything(client: Any, founders: list[tuple[str, str, str, bool]] | None = None) -> None:
    for page, data in QUESTIONS:
        response = answer(client, page, data)
        assert response.status_code == 303, (page, response.text[:3000])
    for founder in founders if founders is not None else FOUNDERS:
        add_founder(client, *founder)
    assert answer(client, "secretary", {"secretary": "1"}).status_code == 303
    for page, data in LATER_QUESTIONS:
        response = answer(client, page, data)
        assert response.status_code == 303, (page, response.text[:3000])
