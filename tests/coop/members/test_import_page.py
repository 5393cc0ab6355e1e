"""The secretary's CSV import: every problem of every row shown (GOV.UK error summary and a table) and
nothing written; a clean file is checked, then added on confirmation, once however often it is sent."""

from __future__ import annotations

import html
import re

from tests.conftest import run
from tests.coop.helpers import csrf_token, page_text, post_form, sign_in

URL = "/o/riverside/register/import/"
SECRETARY = "helen@riverside.example"
GOOD = (
    "Name,Class,Date admitted,Contact by,Email,Postal address\n"
    "Asha Patel,family_carer,31/03/2024,email,asha@import.example,\n"
    'Tom Reed,budget_holder,2024-04-01,post,,"1 High Street\nRiverside"\n'
)


def _upload(client, data: bytes):
    return client.post(
        URL,
        files={"csv_file": ("members.csv", data, "text/csv")},
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def _member_count() -> int:
    from coop.members.tables import Member

    return int(run(Member.count()))


def test_a_file_with_problems_shows_every_one_and_adds_nobody(demo, client):
    sign_in(client, SECRETARY)
    before = _member_count()
    bad = (
        "name,member_class,admitted_on,contact_by,email\n"
        "Asha Patel,astronaut,31/02/2024,email,asha@import.example\n"
        ",family_carer,2024-01-01,post,\n"
        "Asha Again,family_carer,2024-01-01,email,asha@import.example\n"
    )
    response = _upload(client, bad.encode())
    assert response.status_code == 422
    text = page_text(response.text)
    assert "There is a problem" in text and "Nothing has been added" in text
    for message in (
        "Row 1: Choose a membership class",
        "Row 1: Enter the date they were admitted, like 2024-03-31 or 31/03/2024",
        "Row 2: Enter their full name",
        "Row 2: Enter their postal address, so notices can be posted to them",
        "Row 3: This email address is also on row 1",
    ):
        assert message in text, message
    # Each summary link lands on its row in the table.
    for anchor in re.findall(r'href="#(row-[^"]+)"', response.text):
        assert f'id="{anchor}"' in response.text
    assert _member_count() == before


def test_a_file_coop_cannot_read_is_refused_by_its_field(demo, client):
    sign_in(client, SECRETARY)
    for data, message in (
        (b"", "Choose a CSV file"),
        (b"name,favourite_colour\nAsha,green\n", "columns coop does not know (favourite_colour)"),
        (b"\xff\xfe\x00n\x00a", "Save the file as CSV UTF-8"),
        (b"name\n", "a heading row but no members"),
    ):
        response = _upload(client, data)
        assert response.status_code == 422, data
        assert message in page_text(response.text), data
        assert 'href="#csv_file"' in response.text


def test_a_clean_file_is_checked_then_added_once(demo, client):
    from coop.members.tables import Member

    sign_in(client, SECRETARY)
    before = _member_count()
    check = _upload(client, GOOD.encode())
    assert check.status_code == 200, check.text[:3000]
    assert "Add 2 members to the register" in page_text(check.text)
    assert _member_count() == before  # checking writes nothing
    fields = dict(
        re.findall(r'<input type="hidden" name="(csv|idempotency_key)" value="([^"]*)"', check.text)
    )

    form = {k: html.unescape(v) for k, v in fields.items()}
    done = post_form(client, "/o/riverside/register/import/confirm", form)
    assert done.status_code == 303 and done.headers["location"].endswith("/register?imported=2")
    assert "2 members have been added to the register" in client.get(done.headers["location"]).text
    again = post_form(client, "/o/riverside/register/import/confirm", form)  # a double click
    assert again.status_code == 303
    assert _member_count() == before + 2
    tom = run(Member.select().where(Member.name == "Tom Reed").first())
    assert tom["address"] == "1 High Street\nRiverside" and tom["contact_by"] == "post"


def test_only_the_board_may_import(demo, client):
    sign_in(client, "jamie@riverside.example")
    assert client.get(URL).status_code == 403
    # A form without the file: a refused multipart body would leave its parsed upload to the garbage
    # collector (the guard answers before any handler could close it).
    assert post_form(client, URL, {"csv": GOOD}).status_code == 403
    assert post_form(client, "/o/riverside/register/import/confirm", {"csv": GOOD}).status_code == 403
