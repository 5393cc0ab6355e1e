"""Membership journeys in the browser, each with JavaScript on and off (A16), by keyboard (A3: Tab, type,
Space, arrows, Enter; no mouse), with axe and the page checks on each new page (A1).

Every journey makes its own people (new applicants, invitees and supporters with unique addresses), so it
never depends on, or changes, what other browser tests see in the shared demo database."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_page, fill_by_keyboard, follow_link, outbox_row, tab_to

pytestmark = pytest.mark.e2e

HELEN = "helen@riverside.example"
ADMIN = "admin@coop.example"
PASSWORD = "plum kettle harbour lantern"
INVITATION_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/invitations/[A-Za-z0-9_\-]+)")
REPLY_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/o/riverside/join/reply/[A-Za-z0-9_\-]+)")
RESET_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/password-reset/[A-Za-z0-9_\-]+)")

NewPage = Callable[..., Page]
States = Callable[[str], Any]


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def unique(name: str) -> tuple[str, str]:
    """A new person's name and email address, different on every run (the demo database is shared)."""
    tag = secrets.token_hex(3)
    return f"{name} {tag.upper()}", f"{name.split()[0].lower()}.{tag}@example.org"


def press(page: Page, name: str) -> None:
    """Tab to a button and press Enter."""
    tab_to(page, page.get_by_role("button", name=name, exact=True))
    page.keyboard.press("Enter")


def choose(page: Page, name: str, value: str) -> None:
    """Choose a radio by keyboard: Tab into the group (it lands on the chosen one, or the first), then the
    arrow keys, which move and choose."""
    group = page.locator(f"input[type=radio][name='{name}']")
    chosen = page.locator(f"input[type=radio][name='{name}']:checked")
    target = page.locator(f"input[type=radio][name='{name}'][value='{value}']")
    tab_to(page, chosen if chosen.count() else group.first)
    if target.evaluate("(el) => el === document.activeElement"):
        page.keyboard.press("Space")
    for _ in range(group.count()):
        if target.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(target).to_be_checked()


def tick(page: Page, label: str) -> None:
    box = page.get_by_label(label, exact=True)
    tab_to(page, box)
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def open_details(page: Page, summary: str) -> None:
    tab_to(page, page.locator("summary", has_text=summary))
    page.keyboard.press("Enter")


def arrive(page: Page, heading: str, *, check: bool = True) -> None:
    """The page has the heading we expect, and passes axe and the page checks (once per new page)."""
    expect(page.locator("h1")).to_have_text(heading)
    if check:
        check_page(page)


def banner(page: Page, text: str) -> None:
    """A success banner, once the page has loaded: with JavaScript, GOV.UK's script then moves focus to
    the banner (role=alert), so tabbing must start after that or focus would jump under our feet."""
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)
    page.wait_for_load_state("load")


def email_to(admin: Page, address: str, subject: str) -> str:
    """The newest email to `address` whose subject contains `subject`, read in the site admin's outbox."""
    href = outbox_row(admin, address, subject).get_by_role("link").get_attribute("href")
    assert href, f"no email to {address} about {subject!r}"
    admin.goto(href)
    return admin.locator("pre.coop-email").inner_text()


def link_in(body: str, pattern: re.Pattern[str]) -> str:
    found = pattern.search(body)
    assert found, f"no link in:\n{body}"
    return found.group(1)


def sign_in_here(page: Page, email: str, password: str) -> None:
    """Sign in on the sign-in page already open (keeping its `next`)."""
    expect(page.locator("h1")).to_have_text("Sign in")
    fill_by_keyboard(page, page.locator("#email"), email)
    fill_by_keyboard(page, page.locator("#password"), password)
    page.keyboard.press("Enter")


def invite(helen: Page, name: str, email: str, *, check: bool = False) -> None:
    helen.goto("/o/riverside/invitations")
    if check:
        check_page(helen)
    fill_by_keyboard(helen, helen.locator("#name"), name)
    fill_by_keyboard(helen, helen.locator("#email"), email)
    choose(helen, "member_class", "family_carer")
    press(helen, "Send the invitation")
    banner(helen, "The invitation has been sent")


def new_member(new_page: NewPage, states: States, javascript: bool, who: str) -> tuple[Page, str, str]:
    """A new member, invited by the secretary and signed in: their page, name and email address."""
    name, email = unique(who)
    helen = new_page(javascript=javascript, storage_state=states(HELEN))
    invite(helen, name, email)
    admin = new_page(javascript=javascript, storage_state=states(ADMIN))
    link = link_in(email_to(admin, email, "invit"), INVITATION_LINK)
    page = new_page(javascript=javascript)
    page.goto(link)
    fill_by_keyboard(page, page.locator("#password"), PASSWORD)
    page.keyboard.press("Enter")
    sign_in_here(page, email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Your membership")
    return page, name, email


# --- joining -----------------------------------------------------------------------------------------------


def apply_to_join(page: Page, name: str, email: str, *, check: bool) -> None:
    """The public join page: choose a class, answer its questions, check the answers, send."""
    page.goto("/o/riverside/join")
    arrive(page, "Join Riverside Shared Support CIC", check=check)
    follow_link(page, "Join as a family carer")
    arrive(page, "Apply to join as a family carer", check=check)
    questions = page.locator("input[type=radio][name^='answer_'][value='yes']")
    for i in range(questions.count()):
        choose(page, f"answer_{i}", "yes")
    fill_by_keyboard(page, page.locator("#name"), name)
    fill_by_keyboard(page, page.locator("#email"), email)
    choose(page, "contact_by", "email")
    fill_by_keyboard(page, page.locator("#about"), "I care for my son, who has a personal budget.")
    press(page, "Continue")
    arrive(page, "Check your answers before sending your application", check=check)
    expect(page.locator("main")).to_contain_text(name)
    expect(page.locator("main")).to_contain_text(email)
    press(page, "Send application")
    expect(page.locator(".govuk-panel")).to_contain_text("Application sent")
    if check:
        check_page(page)


def open_application(helen: Page, name: str, *, check: bool) -> None:
    helen.goto("/o/riverside/applications")
    arrive(helen, "Applications to join", check=check)
    follow_link(helen, re.compile(re.escape(name)))
    arrive(helen, f"Application from {name}", check=check)


def decide(helen: Page, decision: str, message: str, confirm: str, *, check: bool) -> None:
    choose(helen, "decision", decision)
    if message:
        fill_by_keyboard(helen, helen.locator("#message"), message)
    press(helen, "Continue")
    arrive(helen, "Check your decision before you send it", check=check)
    press(helen, confirm)
    banner(helen, "Your decision has been recorded")


def test_joining_through_the_public_page_with_a_question_then_admission(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    name, email = unique("Rosa Applicant")
    applicant = new_page(javascript=javascript)
    apply_to_join(applicant, name, email, check=True)

    # The secretary asks a question first.
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    open_application(helen, name, check=True)
    expect(helen.locator("main")).to_contain_text("I care for my son")
    decide(helen, "more_info", "How many hours a week do you care?", "Send the question", check=True)
    check_page(helen)

    # The applicant answers through the one-time link in the email.
    admin = new_page(javascript=javascript, storage_state=signed_in_states(ADMIN))
    body = email_to(admin, email, "a question about your application")
    assert "How many hours a week do you care?" in body
    applicant.goto(link_in(body, REPLY_LINK))
    expect(applicant.locator("h1")).to_have_text("Answer the board's question")
    check_page(applicant)
    fill_by_keyboard(applicant, applicant.locator("#reply"), "About 40 hours a week.")
    press(applicant, "Send your answer")
    expect(applicant.locator("h1")).to_have_text("Answer sent")
    check_page(applicant)

    # The secretary sees the answer and admits them.
    open_application(helen, name, check=False)
    expect(helen.locator("main")).to_contain_text("About 40 hours a week.")
    decide(helen, "admit", "", f"Admit {name}", check=False)
    expect(helen.locator("main")).to_contain_text("Admitted")

    # The register has the entry, and the welcome email has a set-up link.
    follow_link(helen, "Register")
    expect(helen.locator("h1")).to_have_text("Register of members")
    expect(helen.locator("#register-table")).to_contain_text(name)
    welcome = email_to(admin, email, "Welcome to Riverside Shared Support CIC")
    assert "The board has admitted you as a family carer member." in welcome
    assert INVITATION_LINK.search(welcome), welcome
    check_page(admin)


def test_an_application_is_refused_with_a_reason(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    name, email = unique("Victor Applicant")
    apply_to_join(new_page(javascript=javascript), name, email, check=False)
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    open_application(helen, name, check=False)
    decide(
        helen,
        "refuse",
        "You do not live in the area we serve.",
        "Refuse the application",
        check=True,
    )
    expect(helen.locator("main")).to_contain_text("Refused")
    expect(helen.locator("main")).to_contain_text("You do not live in the area we serve.")
    check_page(helen)
    admin = new_page(javascript=javascript, storage_state=signed_in_states(ADMIN))
    body = email_to(admin, email, "your application")
    assert "You do not live in the area we serve." in body


# --- invitations -------------------------------------------------------------------------------------------


def test_an_invitation_link_makes_a_member_and_works_once(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    name, email = unique("Ines Invitee")
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    invite(helen, name, email, check=True)
    check_page(helen)
    expect(helen.locator("main")).to_contain_text(name)

    admin = new_page(javascript=javascript, storage_state=signed_in_states(ADMIN))
    link = link_in(email_to(admin, email, "invit"), INVITATION_LINK)
    page = new_page(javascript=javascript)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Join Riverside Shared Support CIC")
    check_page(page)
    fill_by_keyboard(page, page.locator("#password"), PASSWORD)
    page.keyboard.press("Enter")
    sign_in_here(page, email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Your membership")
    expect(page.locator("main")).to_contain_text(name)
    expect(page.locator("main")).to_contain_text("Family carer")
    check_page(page)

    # The link cannot be used again, by anyone.
    again = new_page(javascript=javascript)
    again.goto(link)
    expect(again.locator("h1")).to_have_text("This link has expired")
    check_page(again)
    helen.goto("/o/riverside/invitations")
    expect(helen.locator("tbody tr", has_text=email)).to_contain_text("Accepted")


# --- a member who does not use computers ----------------------------------------------------------------


def test_the_secretary_adds_a_member_who_wants_letters(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    name, _ = unique("Olive Offline")
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    helen.goto("/o/riverside/register")
    follow_link(helen, "Add a member")
    expect(helen.locator("h1")).to_have_text("Add a member")
    check_page(helen)
    fill_by_keyboard(helen, helen.locator("#name"), name)
    choose(helen, "member_class", "budget_holder")
    for part, value in zip(("day", "month", "year"), ("3", "4", "2025"), strict=True):
        fill_by_keyboard(helen, helen.locator(f"#admitted_{part}"), value)
    choose(helen, "contact_by", "post")
    fill_by_keyboard(helen, helen.locator("#address"), "4 Canal Street\nRiverside\nRV3 1EF")
    press(helen, "Add to the register")
    expect(helen.locator("h1")).to_have_text(name)
    main = helen.locator("main")
    expect(main).to_contain_text("By post")
    expect(main).to_contain_text("4 Canal Street")
    expect(main).to_contain_text("No, the secretary keeps them informed")
    check_page(helen)
    helen.goto("/o/riverside/register")
    expect(helen.locator("#register-table")).to_contain_text(name)


def test_letters_to_send_print_on_their_own_and_are_marked_sent(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    # The demo's annual general meeting notice waits for the two members who asked for post.
    name = "Ben Williams" if javascript else "Margaret Hughes"
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    helen.goto("/o/riverside/register")
    follow_link(helen, "Letters to send")
    expect(helen.locator("h1")).to_have_text("Letters to send")
    check_page(helen)
    follow_link(helen, f"Annual general meeting (letter to {name})")
    expect(helen.locator("h1")).to_have_text(f"Letter to {name}")
    check_page(helen)
    letter = helen.locator("article.coop-letter")
    if javascript:  # Ben asked for large print
        expect(letter).to_have_class(re.compile("coop-letter--large"))
        expect(letter.locator("p").first).to_have_class(re.compile("govuk-body-l"))
    else:  # Margaret asked for easy read: short sentences before the full notice
        expect(letter).to_contain_text("Easy read")
        expect(letter).to_contain_text("We are having our big yearly meeting.")
    # On paper only the letter prints.
    helen.emulate_media(media="print")
    expect(helen.locator(".coop-header")).to_be_hidden()
    expect(helen.get_by_role("button", name="Mark as sent")).to_be_hidden()
    expect(letter).to_be_visible()
    helen.emulate_media(media="screen")
    press(helen, "Mark as sent")
    banner(helen, "The letter has been marked as sent")
    expect(helen.locator("#letters-sent")).to_contain_text(name)


# --- communication needs, supporters and proxies --------------------------------------------------------


def test_needs_a_supporter_acting_for_the_member_and_proxies(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    member, name, _ = new_member(new_page, signed_in_states, javascript, "Nadia Member")
    check_page(member)

    # Communication needs, kept only with consent.
    follow_link(member, "Change your contact details and communication needs")
    expect(member.locator("h1")).to_have_text("Contact details and communication needs")
    check_page(member)
    tick(member, "Easy read")
    tick(member, "Large print")
    press(member, "Save")
    expect(member.locator(".govuk-error-summary")).to_contain_text("Confirm")
    check_page(member)
    tab_to(member, member.locator("input[name=consent]"))
    member.keyboard.press("Space")
    if not member.locator("input[name=needs][value=easy_read]").is_checked():
        tick(member, "Easy read")  # a form sent back with errors keeps what was chosen
    press(member, "Save")
    banner(member, "communication needs have been saved")
    expect(member.locator("main")).to_contain_text("Easy read, Large print")

    # She names a supporter, who sets a password from the email and signs in.
    supporter_name, supporter_email = unique("Sam Supporter")
    fill_by_keyboard(member, member.locator("#supporter_name"), supporter_name)
    fill_by_keyboard(member, member.locator("#supporter_email"), supporter_email)
    press(member, "Name your supporter")
    banner(member, "Your supporter has been told")
    admin = new_page(javascript=javascript, storage_state=signed_in_states(ADMIN))
    body = email_to(admin, supporter_email, "supporter")
    supporter = new_page(javascript=javascript)
    supporter.goto(link_in(body, RESET_LINK))
    fill_by_keyboard(supporter, supporter.locator("#password"), PASSWORD)
    supporter.keyboard.press("Enter")
    sign_in_here(supporter, supporter_email, PASSWORD)
    expect(supporter.locator("h1")).to_have_text("Your organisations")
    follow_link(supporter, re.compile(f"Help {re.escape(name)}"))
    expect(supporter.locator("h1")).to_have_text(f"{name}'s membership")
    expect(supporter.locator(".govuk-inset-text")).to_contain_text("You do not have a vote of your own")
    check_page(supporter)

    # The supporter sees the member's votes, and changes her details with her (recorded as assisted).
    follow_link(supporter, "All their votes")
    expect(supporter.locator("h1")).to_have_text("Votes")
    check_page(supporter)
    supporter.go_back()
    follow_link(supporter, "Change your contact details and communication needs")
    fill_by_keyboard(supporter, supporter.locator("#phone"), "01632 960 001")
    tab_to(supporter, supporter.locator("input[name=consent]"))
    supporter.keyboard.press("Space")
    press(supporter, "Save")
    banner(supporter, "have been saved")
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    helen.goto("/o/riverside/members")
    follow_link(helen, name)
    expect(helen.locator("main")).to_contain_text(f"helped by {supporter_name}")

    # Proxies: she appoints one for every meeting, then cancels it.
    member.goto("/o/riverside/me")
    follow_link(member, "Appoint a proxy")
    expect(member.locator("h1")).to_have_text("Appoint a proxy")
    check_page(member)
    proxy = "Grace Lee" if javascript else "Kwame Mensah"
    value = member.get_by_label(proxy, exact=True).get_attribute("value")
    assert value
    choose(member, "proxy", value)
    choose(member, "scope", "standing")
    press(member, "Appoint proxy")
    banner(member, "Your proxy has been appointed")
    expect(member.locator("main")).to_contain_text(f"{proxy} votes for you at every meeting")
    press(member, f"Cancel the proxy for {proxy}")
    banner(member, "Your proxy has been cancelled")
    expect(member.locator("main")).to_contain_text("You have not appointed a proxy.")


# --- leaving -----------------------------------------------------------------------------------------------


def test_a_member_who_leaves_loses_access_at_once(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    member, name, _ = new_member(new_page, signed_in_states, javascript, "Leo Leaver")
    follow_link(member, "Resign your membership")
    expect(member.locator("h1")).to_have_text("Resign your membership")
    check_page(member)
    tick(member, "I want to resign my membership")
    press(member, "Resign")
    banner(member, "notice of resignation")
    expect(member.locator("main")).to_contain_text("Your resignation takes effect")

    # The constitution's notice runs; the secretary records that the membership has ended.
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    helen.goto("/o/riverside/members")
    follow_link(helen, name)
    open_details(helen, "End this membership for another reason")
    choose(helen, "reason", "ceased")
    press(helen, "End membership")
    expect(helen.locator("main")).to_contain_text("Membership ended")

    # At once: no organisation pages, no votes, and Riverside is gone from their list.
    for path in ("/o/riverside/me", "/o/riverside/", "/o/riverside/votes", "/o/riverside/members"):
        response = member.goto(path)
        assert response is not None and response.status == 404, path
    member.goto("/")
    expect(member.locator("main")).not_to_contain_text("Riverside Shared Support CIC")
    check_page(member)
    helen.goto("/o/riverside/register")
    expect(helen.locator("#register-table")).to_contain_text(name)  # the entry stays, ended
