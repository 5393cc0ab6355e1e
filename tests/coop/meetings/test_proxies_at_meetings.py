"""A proxy recorded at a meeting must match an appointment the member made: for that meeting or standing,
not revoked, naming that proxy, received by the constitution's deadline. The limit on proxies held stays."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import run
from tests.coop.helpers import page_text, sign_in
from tests.coop.meetings.helpers import SECRETARY, appoint_proxy, arrive, call_meeting, meeting_row


def _proxy_rows(meeting: str) -> list[dict]:
    from coop.meetings.tables import Attendance

    return run(
        Attendance.select(Attendance.member.name.as_alias("name"), Attendance.proxy_appointment).where(
            (Attendance.meeting.public_id == meeting) & (Attendance.mode == "proxy")
        )
    )


def test_a_proxy_without_a_matching_appointment_is_refused_in_plain_words(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=20, title="General meeting")
    other = call_meeting(client, kind="general", days=40, title="Another general meeting")

    none = arrive(client, meeting, "Kwame Mensah", "proxy", "His sister Ama")
    assert none.status_code == 422
    assert (
        "Kwame Mensah has not appointed His sister Ama as their proxy for this meeting, so His sister Ama "
        "cannot represent them." in page_text(none.text)
    )
    # An appointment for another meeting does not hold here.
    appoint_proxy("Kwame Mensah", "Ama Mensah", other)
    assert arrive(client, meeting, "Kwame Mensah", "proxy", "Ama Mensah").status_code == 422
    # For this meeting, naming someone else: refused, and the secretary is told whom it names.
    kept = appoint_proxy("Kwame Mensah", "Ama Mensah", meeting)
    wrong = arrive(client, meeting, "Kwame Mensah", "proxy", "His sister Ama")
    assert wrong.status_code == 422
    assert "Their proxy on record for this meeting: Ama Mensah." in page_text(wrong.text)
    assert _proxy_rows(meeting) == []
    # The same name, however it is typed.
    assert arrive(client, meeting, "Kwame Mensah", "proxy", "  ama   MENSAH ").status_code == 303
    assert _proxy_rows(meeting) == [{"name": "Kwame Mensah", "proxy_appointment": kept}]


def test_a_revoked_or_late_appointment_does_not_hold_and_a_standing_one_does(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=20, title="General meeting")
    starts = meeting_row(meeting)["starts_at"]
    appoint_proxy("Grace Lee", "Ama Mensah", revoked=True)
    assert arrive(client, meeting, "Grace Lee", "proxy", "Ama Mensah").status_code == 422

    appoint_proxy("Sofia Rossi", "Ama Mensah", received_at=starts - timedelta(hours=1))
    late = arrive(client, meeting, "Sofia Rossi", "proxy", "Ama Mensah")
    assert late.status_code == 422
    assert "appointment of Ama Mensah arrived after the deadline of" in page_text(late.text)
    assert "so it does not hold for this meeting" in page_text(late.text)

    standing = appoint_proxy("Jamie Carter", "Ama Mensah")
    assert arrive(client, meeting, "Jamie Carter", "proxy", "Ama Mensah").status_code == 303
    assert _proxy_rows(meeting) == [{"name": "Jamie Carter", "proxy_appointment": standing}]
    # Nobody is represented by proxy at a board meeting, appointment or not.
    board = call_meeting(client, days=20, title="Board meeting")
    appoint_proxy("Amara Okafor", "Ama Mensah")
    refused = arrive(client, board, "Amara Okafor", "proxy", "Ama Mensah")
    assert refused.status_code == 422 and "there are no proxies at board meetings" in page_text(refused.text)
