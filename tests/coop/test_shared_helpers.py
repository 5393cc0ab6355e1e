"""The shared helpers every area uses: the clock tests can set, public-id parsing, form text, URL bases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from coop import clock
from coop.form_values import form_text
from coop.public_ids import is_public_id, parse_public_id
from coop.settings import Settings
from coop.urls import absolute_url, org_path


def test_the_clock_can_be_frozen_and_moved_on_then_goes_back_to_real_time():
    moment = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # the night the clocks go forward
    with clock.frozen_at(moment):
        assert clock.now() == moment
        assert clock.today() == date(2026, 3, 28)
        assert clock.today_in_london() == date(2026, 3, 28)
    with clock.frozen_at(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)):
        assert clock.today() == date(2026, 6, 30) and clock.today_in_london() == date(2026, 7, 1)
    ticks = iter([moment, moment + timedelta(hours=1)])
    with clock.frozen_at(lambda: next(ticks)):
        assert clock.now() < clock.now()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)
    with pytest.raises(ValueError), clock.frozen_at(datetime(2026, 1, 1)):
        pass


@pytest.mark.parametrize(
    "value", ["", "not-a-uuid", "1", "x" * 10_000, None, 42, ["a"], "12345678-1234-1234-1234-12345678901Z"]
)
def test_anything_that_is_not_a_uuid_is_no_public_id(value):
    assert parse_public_id(value) is None and not is_public_id(value)


def test_a_uuid_is_a_public_id():
    uid = uuid4()
    assert parse_public_id(str(uid)) == uid and is_public_id(str(uid).upper())


def test_form_text_is_trimmed_capped_and_never_a_file():
    form = {"name": "  Ann Lee  ", "password": " secret ", "file": object()}
    assert form_text(form, "name") == "Ann Lee"
    assert form_text(form, "name", 3) == "Ann"
    assert form_text(form, "password", strip=False) == " secret "
    assert form_text(form, "file") == form_text(form, "missing") == ""


def test_one_way_to_build_paths_and_links():
    assert org_path("riverside") == "/o/riverside/"
    assert org_path("riverside", "budgets", "abc", "payments") == "/o/riverside/budgets/abc/payments"
    for base in ("https://coop.example", "https://coop.example/"):
        settings = Settings(base_url=base, secret_key="k" * 32)
        assert absolute_url(settings, "/invitations/t") == "https://coop.example/invitations/t"
    with pytest.raises(ValueError):
        absolute_url(Settings(base_url="https://coop.example", secret_key="k" * 32), "o/x")
