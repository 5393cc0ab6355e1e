"""Starting an organisation at /start: sign in first, one question a page, saved as it goes and resumable,
every bad answer refused by its field with nothing changed, and "create" founding it through the same
service as `coop create-org`."""

from __future__ import annotations

import html
from dataclasses import replace

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.setup.start_steps import (
    FOUNDERS,
    PARTICULARS,
    STARTER,
    add_founder,
    answer,
    answer_everything,
)


def _text(response: object) -> str:
    return html.unescape(page_text(response.text))  # type: ignore[attr-defined]


def _counts() -> tuple[int, int]:
    from coop.members.tables import Member
    from coop.organisations.tables import Organisation

    return run(Organisation.count()), run(Member.count())


def test_a_visitor_is_sent_to_sign_in_and_comes_back(demo, client) -> None:
    response = client.get("/start/model", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/start/model"


def test_every_question_page_has_a_back_link_and_save_for_later(demo, client) -> None:
    sign_in(client, STARTER)
    assert "Start now" in client.get("/start").text
    answer(client, "model", {"model": "cic_guarantee"})
    from coop.setup.start_service import PAGES

    for page in PAGES[:-1]:  # every question, and the founders list
        response = client.get(f"/start/{page}")
        assert response.status_code == 200, page
        assert 'class="govuk-back-link"' in response.text
        later = 'href="/start?saved=1"' if page == "founders" else 'value="later" name="then"'
        assert later in response.text, page
    assert client.get("/start/nothing-here").status_code == 404


def test_a_question_needs_the_model_first(demo, client) -> None:
    sign_in(client, STARTER)
    response = client.get("/start/name", follow_redirects=False)
    assert response.headers["location"] == "/start/model"


def test_bad_answers_are_refused_by_their_field_and_nothing_is_saved(demo, client) -> None:
    sign_in(client, STARTER)
    cases = [
        ("model", {"model": "not_a_model"}, "Choose the model constitution to start from"),
        ("model", {}, "Choose the model constitution to start from"),
    ]
    for page, data, message in cases:
        response = answer(client, page, data)
        assert response.status_code == 422 and message in _text(response)
    answer(client, "model", {"model": "cic_guarantee"})
    cases = [
        ("name", {"name": "Brookside Support Ltd"}, 'must end with "Community Interest Company" or "CIC"'),
        ("name", {"name": ""}, "Enter the organisation's name."),
        ("name", {"name": "A" * 161 + " CIC"}, "The name must be 160 characters or fewer"),
        ("web-address", {"slug": "Not A Slug!"}, "Enter a web address of lower-case letters"),
        ("web-address", {"slug": "riverside"}, "/o/riverside/ is already used by another organisation"),
        ("objects", {"objects": "  "}, "Enter what the organisation is for"),
        ("objects", {"objects": "x\x00y"}, "must not contain control characters"),
        ("community", {"community": "c" * 5001}, "must be 5000 characters or fewer"),
        ("classes", {}, "Choose at least one member class"),
        (
            "classes",
            {"member_classes": ["budget_holder"]},
            "Your constitution needs family carers on the board",
        ),
        ("classes", {"member_classes": ["budget_holder", "nobody"]}, "Choose at least one member class"),
        ("asset-lock", {"asset_locked_body": ""}, "Enter the asset-locked body"),
        ("year-end", {"year_end_day": "31", "year_end_month": "2"}, "must be a real day of the year"),
        ("year-end", {"year_end_day": "٣", "year_end_month": "3"}, "Enter the year end as a day and a month"),
        ("office", {"registered_office": ""}, "Enter the registered office address"),
        ("secretary", {"secretary": "1"}, "Choose which founder will be the secretary"),
    ]
    for page, data, message in cases:
        response = answer(client, page, data)
        assert response.status_code == 422, (page, data)
        text = _text(response)
        assert "There is a problem" in text and message in text, (page, message, text[:600])
        assert "govuk-error-message" in response.text  # by the field, not only in the summary
    from coop.accounts.tables import Person
    from coop.setup.start_service import load_draft

    person = run(Person.select(Person.id).where(Person.email == STARTER).first())
    assert run(load_draft(person["id"])).answers == {
        "model": "cic_guarantee",
        "legal_form": "cic_guarantee",
        "member_classes": [],
    }


def test_founder_and_director_pages_refuse_bad_particulars(demo, client) -> None:
    sign_in(client, STARTER)
    answer(client, "model", {"model": "cic_guarantee"})
    answer(client, "classes", {"member_classes": ["budget_holder", "family_carer", "professional"]})
    response = post_form(client, "/start/founders/add", {"name": "", "email": "nope", "member_class": "x"})
    text = _text(response)
    assert response.status_code == 422
    for message in (
        "Enter the founder's full name",
        "Enter an email address in the correct format",
        "Enter the founder's home address",
        "Choose which member class the founder joins",
        "Say whether the founder will be one of the first directors",
    ):
        assert message in text
    number = add_founder(client, *FOUNDERS[0])
    duplicate = {"name": "Other", "email": STARTER, "address": "x", "member_class": "budget_holder"}
    response = post_form(client, "/start/founders/add", {**duplicate, "director": "no"})
    assert "Another founder has this email address" in _text(response)
    young = {**PARTICULARS, "date_of_birth_year": str(run_today().year - 10)}
    response = post_form(client, f"/start/founders/{number}/director", young)
    assert response.status_code == 422 and "A director must be 16 or over" in _text(response)
    response = post_form(client, f"/start/founders/{number}/director", {"date_of_birth_day": "31"})
    text = _text(response)
    for message in (
        "Enter the country where they usually live",
        "Enter their nationality",
        "Enter the date of birth",
    ):
        assert message in text
    assert client.get("/start/founders/9").status_code == 404
    assert post_form(client, "/start/founders/9/remove").status_code == 404


def run_today():  # type: ignore[no-untyped-def]
    from coop.clock import today

    return today()


def test_the_board_is_checked_as_founders_are_added(demo, client) -> None:
    sign_in(client, STARTER)
    answer(client, "model", {"model": "cic_guarantee"})
    answer(client, "classes", {"member_classes": ["budget_holder", "family_carer", "professional"]})
    add_founder(client, *FOUNDERS[0])
    add_founder(client, *FOUNDERS[2])
    text = _text(client.get("/start/founders"))
    assert "The board has 1 family carer; the constitution requires at least 2." in text
    assert "The board has 1 budget holder; the constitution requires at least 2." in text
    for founder in (FOUNDERS[1], FOUNDERS[3]):
        add_founder(client, *founder)
    text = _text(client.get("/start/founders"))
    assert "The 4 first directors meet the constitution's rules for the board." in text


def test_save_and_come_back_later_resumes_from_start(demo, client) -> None:
    sign_in(client, STARTER)
    answer(client, "model", {"model": "cic_guarantee"})
    response = answer(client, "name", {"name": "Brookside Shared Support CIC", "then": "later"})
    assert response.headers["location"] == "/start?saved=1"
    client.cookies.clear()
    sign_in(client, STARTER)
    start = client.get("/start")
    assert "Continue where you left off" in start.text
    assert 'href="/start/web-address"' in start.text  # the first question not answered yet
    assert 'value="Brookside Shared Support CIC"' in client.get("/start/name").text
    assert client.get("/start/web-address").text.count('value="brookside-shared-support-cic"') == 1
    again = post_form(client, "/start/again")
    assert again.headers["location"] == "/start/model"
    assert "Start now" in client.get("/start").text


def test_a_change_link_comes_back_to_check_your_answers(demo, client) -> None:
    sign_in(client, STARTER)
    answer_everything(client)
    check = client.get("/start/check")
    assert 'href="/start/name?change=1"' in check.text
    response = answer(client, "name", {"name": "Brookside Together CIC", "change": "1"})
    assert response.headers["location"] == "/start/check"
    assert "Brookside Together CIC" in _text(client.get("/start/check"))
    # A founder changed from the check page goes through their particulars and back to the check page.
    assert 'href="/start/founders/2?change=1"' in check.text
    founder = {"name": "Ade Bello", "email": "ade@brookside.example", "address": "2 Brook Lane"}
    founder |= {
        "member_class": "budget_holder",
        "director": "yes",
        "counts_as_user_led": "yes",
        "change": "1",
    }
    response = post_form(client, "/start/founders/2", founder)
    assert response.headers["location"] == "/start/founders/2/director?change=1"
    assert 'name="change" value="1"' in client.get(response.headers["location"]).text
    response = post_form(client, "/start/founders/2/director", {**PARTICULARS, "change": "1"})
    assert response.headers["location"] == "/start/check"


def test_create_founds_the_organisation_with_the_founder_as_its_secretary(demo, client) -> None:
    from coop.boards.tables import Directorship
    from coop.organisations.service import constitution_of
    from coop.organisations.tables import Organisation
    from coop.setup.tables import FoundingRecord
    from governance.constitutions import load_model_constitution

    sign_in(client, STARTER)
    answer_everything(client)
    check = client.get("/start/check")
    assert check.status_code == 200 and "Put these right" not in check.text
    before = _counts()
    response = post_form(client, "/start/create")
    assert response.headers["location"] == "/start/created"
    created = _text(client.get("/start/created"))
    assert "Organisation created" in created and "/o/brookside/" in created
    assert _counts() == (before[0] + 1, before[1] + len(FOUNDERS))

    org = run(Organisation.select().where(Organisation.slug == "brookside").first())
    model = load_model_constitution("cic_guarantee")
    expected = replace(
        model,
        asset_lock=replace(
            model.asset_lock, specified_bodies=("Brookside Disabled People's Forum (charity 1234567)",)
        ),
    )
    assert run(constitution_of(org["id"])) == expected
    assert (org["year_end_month"], org["year_end_day"]) == (3, 31)
    board = run(Directorship.select(Directorship.nationality).where(Directorship.organisation == org["id"]))
    assert [d["nationality"] for d in board] == ["British"] * 5
    record = run(FoundingRecord.select().where(FoundingRecord.organisation == org["id"]).first())
    assert 'name = "Brookside Shared Support CIC"' in record["answers"]
    # The founder is signed in as its secretary and administrator, and the draft is done with.
    overview = client.get("/o/brookside/")
    assert overview.status_code == 200
    assert client.get("/o/brookside/audit").status_code == 200  # secretary and admin only
    assert "Start now" in client.get("/start").text


def test_a_board_that_breaks_the_rules_is_refused_with_the_reason(demo, client) -> None:
    sign_in(client, STARTER)
    answer_everything(client, [f for f in FOUNDERS if f[0] != "Dev Patel"])
    before = _counts()
    check = _text(client.get("/start/check"))
    assert "The board has 1 family carer; the constitution requires at least 2." in check
    response = post_form(client, "/start/create")
    assert response.status_code == 422
    text = _text(response)
    assert "Put these right before you create the organisation" in text
    assert "The board has 1 family carer; the constitution requires at least 2." in text
    assert _counts() == before


def test_someone_who_is_not_a_founder_cannot_found_it_for_others(demo, client) -> None:
    sign_in(client, STARTER)
    answer_everything(client, [*FOUNDERS[1:], ("Fola Ade", "fola@brookside.example", "budget_holder", True)])
    before = _counts()
    response = post_form(client, "/start/create")
    assert response.status_code == 422
    assert "Add yourself as a founder" in _text(response)
    assert _counts() == before


def test_a_site_admin_may_found_one_for_others(demo, client) -> None:
    sign_in(client, "admin@coop.example")
    answer_everything(client, [*FOUNDERS[1:], ("Fola Ade", "fola@brookside.example", "budget_holder", True)])
    assert post_form(client, "/start/create").headers["location"] == "/start/created"


def test_the_founder_form_shows_the_board_as_it_would_be_while_it_is_filled_in(demo, client) -> None:
    sign_in(client, STARTER)
    answer(client, "model", {"model": "cic_guarantee"})
    answer(client, "classes", {"member_classes": ["budget_holder", "family_carer", "professional"]})
    add_founder(client, *FOUNDERS[0])
    form = {"member_class": "budget_holder", "director": "yes", "counts_as_user_led": "yes"}
    htmx = {"HX-Request": "true"}
    fragment = post_form(client, "/start/founders/preview", form, headers=htmx)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "budget holder" not in _text(fragment)  # two budget holders now: that rule is met
    assert "The board has 0 family carers; the constitution requires at least 2." in _text(fragment)
    # Changing founder 1 to a professional leaves one budget holder.
    changed = post_form(
        client,
        "/start/founders/preview",
        {**form, "editing": "1", "member_class": "professional"},
        headers=htmx,
    )
    assert "The board has 0 budget holders; the constitution requires at least 2." in _text(changed)
    # Nothing was saved, and without JavaScript the address goes back to the founders page.
    assert _text(client.get("/start/founders")).count("Change") == 1
    assert post_form(client, "/start/founders/preview", form).headers["location"] == "/start/founders"


def test_pages_make_the_same_queries_with_5_founders_and_the_most_allowed(demo, client, monkeypatch) -> None:
    """Founders are kept in the one draft row, so no page's queries grow with them; the list is capped."""
    from typing import Any

    from coop.db import current_engine
    from coop.setup.start_forms import MAX_FOUNDERS

    sign_in(client, STARTER)
    answer_everything(client)
    queries: list[str] = []
    engine_class = type(current_engine())
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        queries.append(str(querystring))
        return await original(self, querystring, in_pool)

    pages = ["/start", "/start/founders", "/start/founders/1", "/start/secretary", "/start/check"]

    def measure() -> list[int]:
        counts = []
        for url in pages:
            client.get(url)
            queries.clear()
            assert client.get(url).status_code == 200, url
            counts.append(len(queries))
        return counts

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    few = measure()
    monkeypatch.setattr(engine_class, "run_querystring", original)
    for n in range(len(FOUNDERS), MAX_FOUNDERS):
        member = {
            "name": f"Member {n}",
            "address": "1 Lane",
            "member_class": "budget_holder",
            "director": "no",
        }
        assert post_form(client, "/start/founders/add", member).status_code == 303
    refused = post_form(client, "/start/founders/add", {**member, "name": "One too many"})
    assert refused.status_code == 422 and f"You can add up to {MAX_FOUNDERS} founders here" in _text(refused)
    monkeypatch.setattr(engine_class, "run_querystring", counting)
    assert measure() == few
    assert _text(client.get("/start/founders")).count("Member class") == MAX_FOUNDERS
