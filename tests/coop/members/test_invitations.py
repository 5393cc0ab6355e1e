"""Invitations by email: one-time link, expiry, cancelling; and email through a real local SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import make_client, run
from tests.coop.helpers import post_form, sign_in
from tests.coop.jobs.helpers import run_jobs
from tests.coop.jobs.smtp_sink import SmtpSink
from tests.coop.members.helpers import link_in, member_row, outbox_to

SECRETARY = "helen@riverside.example"


def _invite(client, email="nia@example.org", name="Nia Roberts", member_class="family_carer"):
    return post_form(
        client, "/o/riverside/invitations", {"name": name, "email": email, "member_class": member_class}
    )


def test_invitation_link_works_once_and_makes_a_member(demo, client, settings):
    sign_in(client, SECRETARY)
    bad = post_form(client, "/o/riverside/invitations", {"name": "", "email": "x", "member_class": ""})
    assert bad.status_code == 422
    for message in (
        "Enter their full name",
        "Enter an email address in the correct format",
        "Choose a membership class",
    ):
        assert message in bad.text
    assert _invite(client).status_code == 303
    mail = outbox_to("nia@example.org")[-1]
    link = link_in(mail["body"], "/invitations/")
    assert "within 14 days" in mail["body"]
    with make_client(settings) as nia:
        page = nia.get(link)
        assert page.status_code == 200 and "Join Riverside Shared Support CIC" in page.text
        assert page.headers["content-type"].startswith("text/html")  # it once came as text/plain
        assert post_form(nia, link, {"password": "a long memorable passphrase"}).status_code == 303
        row = member_row("Nia Roberts")
        assert row["member_class"] == "family_carer" and row["person"] is not None
        assert "This link has expired" in nia.get(link).text
        used = post_form(nia, link, {"password": "a long memorable passphrase"})
        assert used.status_code == 200 and used.headers["content-type"].startswith("text/html")
        sign_in(nia, "nia@example.org", "a long memorable passphrase")
        assert nia.get("/o/riverside/me").status_code == 200
    assert "Accepted" in client.get("/o/riverside/invitations").text


def test_expired_or_cancelled_invitations_do_not_work(demo, client, settings):
    from coop.members.tables import MemberInvitation

    sign_in(client, SECRETARY)
    _invite(client)
    link = link_in(outbox_to("nia@example.org")[-1]["body"], "/invitations/")
    run(
        MemberInvitation.update(
            {MemberInvitation.expires_at: datetime.now(UTC) - timedelta(seconds=1)}
        ).where(MemberInvitation.email == "nia@example.org")
    )
    with make_client(settings) as nia:
        assert "This link has expired" in nia.get(link).text
    _invite(client, email="tariq@example.org", name="Tariq Ali")
    link = link_in(outbox_to("tariq@example.org")[-1]["body"], "/invitations/")
    invitation = run(
        MemberInvitation.select(MemberInvitation.public_id)
        .where(MemberInvitation.email == "tariq@example.org")
        .first()
    )
    assert post_form(client, f"/o/riverside/invitations/{invitation['public_id']}/revoke").status_code == 303
    with make_client(settings) as tariq:
        assert "This link has expired" in tariq.get(link).text
        assert post_form(tariq, link, {"password": "a long memorable passphrase"}).status_code == 200
    from coop.members.tables import Member

    assert not run(Member.exists().where(Member.name == "Tariq Ali"))


def test_someone_with_an_account_signs_in_to_accept(demo, client, settings):
    sign_in(client, SECRETARY)
    _invite(client, email="omar@northfield.example", name="Omar Farouk")
    link = link_in(outbox_to("omar@northfield.example")[-1]["body"], "/invitations/")
    with make_client(settings) as omar:
        page = omar.get(link)
        assert "Sign in to accept" in page.text
        response = post_form(omar, link, {})
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/sign-in?next=/invitations/"
        )
        sign_in(omar, "omar@northfield.example")
        assert "Accept and join" in omar.get(link).text
        assert post_form(omar, link, {}).status_code == 303
        assert omar.get("/o/riverside/me").status_code == 200


def test_a_member_cannot_invite_and_another_organisation_cannot_cancel(demo, settings):
    from coop.members.tables import MemberInvitation

    with make_client(settings) as secretary, make_client(settings) as member, make_client(settings) as lena:
        sign_in(secretary, SECRETARY)
        _invite(secretary)
        sign_in(member, "jamie@riverside.example")
        assert _invite(member, email="x@example.org").status_code == 403
        invitation = run(MemberInvitation.select(MemberInvitation.public_id).first())
        sign_in(lena, "lena@northfield.example")
        assert (
            post_form(lena, f"/o/northfield/invitations/{invitation['public_id']}/revoke").status_code == 404
        )
        assert run(MemberInvitation.select(MemberInvitation.revoked_at).first())["revoked_at"] is None


def test_invitation_email_goes_through_a_real_smtp_server(demo, settings):
    from coop.mail.tables import OutboxMessage

    sink = SmtpSink().start()
    try:
        smtp_settings = sink.settings(settings)
        with make_client(smtp_settings) as client:
            sign_in(client, SECRETARY)
            assert _invite(client).status_code == 303
        assert sink.received == []  # the request only queued it
        run_jobs(smtp_settings)
        (message,) = [r for r in sink.received if r.to == "nia@example.org"]
        text = message.message.get_payload()
        assert "invites you to become a member" in text and "/invitations/" in text
        stored = run(OutboxMessage.select().where(OutboxMessage.to_address == "nia@example.org").first())
        assert stored["transport"] == "smtp" and stored["sent_at"] is not None and stored["error"] == ""
    finally:
        sink.stop()


def _passwordless_person(email: str, name: str) -> int:
    """An account made without a password, as naming someone a supporter makes one."""
    from coop.accounts.service import insert_person

    return run(insert_person(email, name, None))


def test_an_account_without_a_password_chooses_one_and_joins_in_one_step(demo, client, settings):
    from coop.accounts.tables import Person
    from coop.audit.tables import AuditEvent

    person_id = _passwordless_person("nia@example.org", "Nia Roberts")
    sign_in(client, SECRETARY)
    _invite(client)
    link = link_in(outbox_to("nia@example.org")[-1]["body"], "/invitations/")
    with make_client(settings) as nia:
        assert "Sign in to accept" not in nia.get(link).text  # no password yet: they choose one here
        assert post_form(nia, link, {"password": "a long memorable passphrase"}).status_code == 303
        sign_in(nia, "nia@example.org", "a long memorable passphrase")
        assert nia.get("/o/riverside/me").status_code == 200
    assert member_row("Nia Roberts")["person"] == person_id
    events = run(AuditEvent.select(AuditEvent.action).where(AuditEvent.target_id == str(person_id)))
    assert {"action": "auth.password_set"} in events
    assert run(Person.select(Person.password_hash).where(Person.id == person_id).first())["password_hash"]


def test_a_refused_acceptance_sets_no_password(demo, client, settings):
    from coop.accounts.tables import Person
    from coop.members.tables import Member

    person_id = _passwordless_person("nia@example.org", "Nia Roberts")
    sign_in(client, SECRETARY)
    _invite(client)
    link = link_in(outbox_to("nia@example.org")[-1]["body"], "/invitations/")
    # Meanwhile she was put on the register with that account: accepting is refused, and all of it is.
    run(Member.update({Member.person: person_id}).where(Member.name == "Jamie Carter"))
    with make_client(settings) as nia:
        refused = post_form(nia, link, {"password": "a long memorable passphrase"})
        assert refused.status_code == 422 and "already a member of this organisation" in refused.text
    account = run(Person.select(Person.password_hash).where(Person.id == person_id).first())
    assert account["password_hash"] is None
