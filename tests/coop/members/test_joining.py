"""Joining: public join pages per class with eligibility questions, check answers, the board's review
(admit, ask for more information, refuse with a reason), and admission writing the register entry."""

from __future__ import annotations

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.members.helpers import application_row, count, link_in, member_row, outbox_to

SECRETARY = "helen@riverside.example"
GOOD = {
    "answer_0": "yes",
    "answer_1": "yes",
    "name": "Rosa Parks",
    "email": "Rosa@Example.org",
    "contact_by": "email",
    "address": "",
    "about": "I need step-free access.",
}


def test_join_pages_are_public_and_ask_the_classes_questions_in_plain_english(demo, client):
    index = client.get("/o/riverside/join")
    assert index.status_code == 200
    assert "Join as a budget holder" in index.text and "Join as a family carer" in index.text
    form = client.get("/o/riverside/join/budget_holder")
    assert form.status_code == 200
    assert (
        "Do you get a personal budget, direct payment or personal health budget for your own support?"
        in form.text
    )
    assert client.get("/o/riverside/join/investor").status_code == 404
    assert client.get("/o/nowhere/join").status_code == 404


def test_empty_or_ineligible_application_is_422_and_nothing_is_stored(demo, client):
    from coop.members.tables import MembershipApplication

    before = count(MembershipApplication)
    empty = post_form(client, "/o/riverside/join/budget_holder", {})
    assert empty.status_code == 422
    assert "<title>Error: Apply to join Riverside Shared Support CIC as a budget holder" in empty.text
    for message, field in (
        ("Enter your full name", "name"),
        ("Enter your email address", "email"),
        ("Choose how you want us to contact you", "contact_by"),
        ("Answer the question", "answer_0"),
    ):
        assert message in empty.text and f'href="#{field}"' in empty.text
    no = post_form(client, "/o/riverside/join/budget_holder", {**GOOD, "answer_1": "no"})
    assert no.status_code == 422 and "To join as a budget holder the answer must be yes" in no.text
    post_only = post_form(client, "/o/riverside/join/budget_holder", {**GOOD, "contact_by": "post"})
    assert post_only.status_code == 422 and "Enter your postal address" in post_only.text
    bad_send = post_form(client, "/o/riverside/join/budget_holder/send", {**GOOD, "email": "nope"})
    assert bad_send.status_code == 422
    assert count(MembershipApplication) == before


def test_check_answers_then_send(demo, client):
    from coop.members.tables import MembershipApplication

    before = count(MembershipApplication)
    check = post_form(client, "/o/riverside/join/budget_holder", GOOD)
    assert check.status_code == 200
    assert "Check your answers before sending your application" in check.text
    assert "I need step-free access." in check.text
    assert count(MembershipApplication) == before  # nothing is sent until they confirm
    change = post_form(client, "/o/riverside/join/budget_holder", {**GOOD, "change": "yes"})
    assert change.status_code == 200 and 'value="Rosa Parks"' in change.text
    sent = post_form(client, "/o/riverside/join/budget_holder/send", GOOD)
    assert sent.status_code == 200 and "Application sent" in sent.text
    row = application_row("Rosa Parks")
    assert row["status"] == "submitted" and row["email"] == "rosa@example.org"
    assert "personal budget" in row["answers"]


def _apply(client, name="Rosa Parks", email="rosa@example.org"):
    post_form(client, "/o/riverside/join/budget_holder/send", {**GOOD, "name": name, "email": email})
    return str(application_row(name)["public_id"])


def test_nobody_but_the_board_sees_applications(demo, settings):
    from tests.conftest import make_client

    with make_client(settings) as public, make_client(settings) as member, make_client(settings) as other_org:
        app_id = _apply(public)
        assert public.get(f"/o/riverside/applications/{app_id}", follow_redirects=False).status_code == 303
        sign_in(member, "jamie@riverside.example")
        assert member.get("/o/riverside/applications").status_code == 403
        assert member.get(f"/o/riverside/applications/{app_id}").status_code == 403
        # The secretary of another organisation: 404 for our application, none of its data.
        sign_in(other_org, "lena@northfield.example")
        response = other_org.get(f"/o/northfield/applications/{app_id}")
        assert response.status_code == 404 and "Rosa" not in response.text
        assert "Rosa" not in other_org.get("/o/northfield/applications").text


def test_board_lists_applications_by_status_with_htmx_fragment(demo, client):
    sign_in(client, SECRETARY)
    page = client.get("/o/riverside/applications")
    assert page.status_code == 200 and "Leon Baptiste" in page.text and "Chloe Martin" not in page.text
    assert "Chloe Martin" in client.get("/o/riverside/applications?status=more_info").text
    assert "Mark Stone" in client.get("/o/riverside/applications?status=refused").text
    assert "Ruth Adeyemi" in client.get("/o/riverside/applications?status=admitted").text
    fragment = client.get("/o/riverside/applications?status=refused", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Mark Stone" in fragment.text


def test_admission_writes_the_register_entry_and_sends_an_account_link(demo, client, settings):
    from coop.members.tables import Member

    app_id = _apply(client)
    sign_in(client, SECRETARY)
    url = f"/o/riverside/applications/{app_id}"
    page = client.get(url)
    assert "Application from Rosa Parks" in page.text and "I need step-free access." in page.text
    members_before = count(Member)
    empty = post_form(client, url, {})
    assert empty.status_code == 422 and "Choose what to do with this application" in empty.text
    check = post_form(client, url, {"decision": "admit"})
    assert check.status_code == 200 and "Check your decision before you send it" in check.text
    assert count(Member) == members_before  # nothing binding before confirming
    done = post_form(client, url, {"decision": "admit", "confirmed": "yes"})
    assert done.status_code == 303
    rosa = member_row("Rosa Parks")
    assert rosa["member_class"] == "budget_holder" and rosa["ceased_on"] is None and rosa["person"] is None
    assert application_row("Rosa Parks")["status"] == "admitted"
    again = post_form(client, url, {"decision": "refuse", "message": "x", "confirmed": "yes"})
    assert again.status_code == 422 and "already been decided" in again.text
    mail = outbox_to("rosa@example.org")[-1]
    assert "Welcome to Riverside" in mail["subject"]
    link = link_in(mail["body"], "/invitations/")
    # Rosa sets up her account with the link and lands on her own page.
    from tests.conftest import make_client

    with make_client(settings) as rosa_browser:
        accept = rosa_browser.get(link)
        assert accept.status_code == 200 and "Choose a password" in accept.text
        weak = post_form(rosa_browser, link, {"password": "short"})
        assert weak.status_code == 422
        assert post_form(rosa_browser, link, {"password": "a long memorable passphrase"}).status_code == 303
        sign_in(rosa_browser, "rosa@example.org", "a long memorable passphrase")
        me = rosa_browser.get("/o/riverside/me")
        assert me.status_code == 200 and "Rosa Parks" in me.text
        assert member_row("Rosa Parks")["person"] is not None
        assert rosa_browser.get(link).text.count("This link has expired") >= 1


def test_ask_for_more_information_then_the_applicant_replies(demo, client, settings):
    app_id = _apply(client)
    sign_in(client, SECRETARY)
    url = f"/o/riverside/applications/{app_id}"
    no_question = post_form(client, url, {"decision": "more_info", "message": ""})
    assert no_question.status_code == 422 and "Enter the question to ask" in no_question.text
    assert (
        post_form(
            client,
            url,
            {"decision": "more_info", "message": "Which area do you live in?", "confirmed": "yes"},
        ).status_code
        == 303
    )
    assert application_row("Rosa Parks")["status"] == "more_info"
    mail = outbox_to("rosa@example.org")[-1]
    link = link_in(mail["body"], "/join/reply/")
    from tests.conftest import make_client

    with make_client(settings) as applicant:
        form = applicant.get(link)
        assert form.status_code == 200 and "Which area do you live in?" in form.text
        assert post_form(applicant, link, {"reply": ""}).status_code == 422
        sent = post_form(applicant, link, {"reply": "North Riverside."})
        assert sent.status_code == 200 and "Answer sent" in sent.text
        assert "This link has expired" in applicant.get(link).text  # one use only
    row = application_row("Rosa Parks")
    assert row["status"] == "submitted" and row["reply"] == "North Riverside."
    assert "North Riverside." in client.get(url).text


def test_refusal_needs_a_reason_and_tells_the_applicant(demo, client):
    from coop.members.tables import Member

    app_id = _apply(client)
    sign_in(client, SECRETARY)
    url = f"/o/riverside/applications/{app_id}"
    no_reason = post_form(client, url, {"decision": "refuse", "message": "  "})
    assert no_reason.status_code == 422 and "Enter the reason for refusing" in no_reason.text
    before = count(Member)
    assert (
        post_form(
            client, url, {"decision": "refuse", "message": "You live outside our area.", "confirmed": "yes"}
        ).status_code
        == 303
    )
    assert count(Member) == before
    row = application_row("Rosa Parks")
    assert row["status"] == "refused" and row["board_message"] == "You live outside our area."
    assert "You live outside our area." in outbox_to("rosa@example.org")[-1]["body"]
    assert "You live outside our area." in page_text(client.get(url).text)


def test_admitting_an_existing_account_links_it(demo, client):
    # Priya (already a coop user through Northfield... and Riverside) applies to Northfield's neighbour:
    # here, Omar from Northfield applies to Riverside with his account's email.
    app_id = _apply(client, name="Omar Farouk", email="omar@northfield.example")
    sign_in(client, SECRETARY)
    assert (
        post_form(
            client, f"/o/riverside/applications/{app_id}", {"decision": "admit", "confirmed": "yes"}
        ).status_code
        == 303
    )
    row = member_row("Omar Farouk")
    from coop.accounts.tables import Person

    omar = run(Person.select(Person.id).where(Person.email == "omar@northfield.example").first())
    assert row["person"] == omar["id"]
    assert "Sign in to coop" in outbox_to("omar@northfield.example")[-1]["body"]
