"""Notice in clear days, deemed delivery by post and email, and short notice by consent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from governance.constitutions import load_model_constitution
from governance.notice import (
    DeliveryMethod,
    MeetingKind,
    NoticeSent,
    ShortNoticeConsent,
    clear_days,
    deemed_received,
    earliest_meeting_date,
    latest_sending_date,
    notice_violations,
    proxy_appointment_violations,
    proxy_deadline,
)

SEED = load_model_constitution("cic_guarantee")  # 14 clear days; post and email 2 working days
MON = date(2025, 3, 3)
FRI = date(2025, 3, 7)
HAND, POST, EMAIL = DeliveryMethod.HAND, DeliveryMethod.POST, DeliveryMethod.EMAIL
GM = MeetingKind.GENERAL


def test_clear_days_leave_out_the_day_of_receipt_and_the_day_of_the_meeting() -> None:
    assert clear_days(date(2025, 3, 1), date(2025, 3, 16)) == 14
    assert clear_days(date(2025, 3, 1), date(2025, 3, 2)) == 0


def test_hand_delivery_counts_the_same_day() -> None:
    assert deemed_received(SEED, MON, HAND) == MON


def test_post_on_monday_counts_as_received_on_wednesday() -> None:
    assert deemed_received(SEED, MON, POST) == date(2025, 3, 5)


def test_email_on_friday_skips_the_weekend() -> None:
    assert deemed_received(SEED, FRI, EMAIL) == date(2025, 3, 11)


def test_bank_holidays_are_not_working_days() -> None:
    easter_monday = date(2025, 4, 21)
    assert deemed_received(SEED, date(2025, 4, 17), POST, {date(2025, 4, 18), easter_monday}) == date(
        2025, 4, 23
    )


def test_fourteen_clear_days_by_hand_means_the_meeting_is_15_days_later() -> None:
    assert earliest_meeting_date(SEED, GM, MON, HAND) == MON + timedelta(days=15)


def test_exactly_fourteen_clear_days_is_enough_and_thirteen_is_not() -> None:
    ok = notice_violations(SEED, GM, MON + timedelta(days=15), [NoticeSent("all members", MON, HAND)])
    assert ok == []
    short = notice_violations(SEED, GM, MON + timedelta(days=14), [NoticeSent("all members", MON, HAND)])
    assert [v.code for v in short] == ["notice.too_short"]
    assert short[0].message == (
        "Notice to all members by hand, sent on 3 March 2025, counts as received on 3 March 2025, leaving 13 "
        "clear days before the meeting on 17 March 2025; the constitution requires 14."
    )


def test_posted_notice_needs_two_more_days() -> None:
    meeting = earliest_meeting_date(SEED, GM, MON, POST)
    assert meeting == date(2025, 3, 20)
    assert notice_violations(SEED, GM, meeting, [NoticeSent("Ann", MON, POST)]) == []
    assert notice_violations(SEED, GM, meeting - timedelta(days=1), [NoticeSent("Ann", MON, POST)]) != []


def test_latest_sending_date_gives_full_notice_and_a_day_later_does_not() -> None:
    meeting = date(2025, 6, 20)
    last = latest_sending_date(SEED, GM, meeting, POST)
    assert earliest_meeting_date(SEED, GM, last, POST) <= meeting
    assert earliest_meeting_date(SEED, GM, last + timedelta(days=1), POST) > meeting


def test_the_latest_notice_decides_and_others_are_counted() -> None:
    notices = [NoticeSent("Ann", MON, HAND), NoticeSent("Bob", MON, POST), NoticeSent("Cat", MON, POST)]
    found = notice_violations(SEED, GM, MON + timedelta(days=15), notices)
    assert len(found) == 1 and "Notice to Bob by post" in found[0].message
    assert "(1 other notice also too short)" in found[0].message


def test_board_meeting_uses_its_own_notice_period() -> None:
    assert earliest_meeting_date(SEED, MeetingKind.BOARD, MON, HAND) == MON + timedelta(days=8)


def test_short_notice_with_a_majority_holding_90_percent_of_votes_is_valid() -> None:
    consent = ShortNoticeConsent(members_agreeing=9, members_entitled=10, votes_agreeing=9, total_votes=10)
    notices = [NoticeSent("all members", MON, HAND)]
    assert notice_violations(SEED, GM, MON + timedelta(days=5), notices, short_notice_consent=consent) == []


def test_short_notice_with_89_percent_of_votes_is_not_enough() -> None:
    consent = ShortNoticeConsent(
        members_agreeing=89, members_entitled=100, votes_agreeing=89, total_votes=100
    )
    found = notice_violations(
        SEED, GM, MON + timedelta(days=5), [NoticeSent("all", MON, HAND)], short_notice_consent=consent
    )
    assert [v.code for v in found] == ["notice.too_short", "notice.short_notice_consent"]


def test_short_notice_needs_a_majority_in_number_as_well_as_votes() -> None:
    consent = ShortNoticeConsent(members_agreeing=2, members_entitled=5, votes_agreeing=95, total_votes=100)
    found = notice_violations(
        SEED, GM, MON + timedelta(days=5), [NoticeSent("all", MON, HAND)], short_notice_consent=consent
    )
    assert "a majority of members in number must agree" in found[1].message


def test_agm_short_notice_needs_95_percent_in_the_seed_constitution() -> None:
    consent = ShortNoticeConsent(
        members_agreeing=94, members_entitled=100, votes_agreeing=94, total_votes=100
    )
    found = notice_violations(
        SEED,
        MeetingKind.ANNUAL_GENERAL,
        MON + timedelta(days=5),
        [NoticeSent("all", MON, HAND)],
        short_notice_consent=consent,
    )
    assert "they must hold at least 95% of the votes" in found[-1].message


def test_short_notice_is_refused_where_the_constitution_has_no_rule_for_it() -> None:
    coop = load_model_constitution("cooperative_society")
    consent = ShortNoticeConsent(10, 10, 10, 10)
    found = notice_violations(
        coop, GM, MON + timedelta(days=5), [NoticeSent("all", MON, HAND)], short_notice_consent=consent
    )
    assert [v.code for v in found] == ["notice.too_short", "notice.short_notice_not_allowed"]


def test_no_notice_recorded_is_a_violation() -> None:
    assert [v.code for v in notice_violations(SEED, GM, MON, [])] == ["notice.none_sent"]


def test_longer_notice_from_the_constitution_is_used() -> None:
    longer = replace(SEED, notice=replace(SEED.notice, general_meeting_clear_days=21))
    assert earliest_meeting_date(longer, GM, MON, HAND) == MON + timedelta(days=22)


@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.sampled_from(list(DeliveryMethod)),
    st.sampled_from(list(MeetingKind)),
)
def test_earliest_meeting_date_is_exactly_the_first_valid_day(
    sent: date, method: DeliveryMethod, kind: MeetingKind
) -> None:
    first = earliest_meeting_date(SEED, kind, sent, method)
    notice = [NoticeSent("x", sent, method)]
    assert notice_violations(SEED, kind, first, notice) == []
    assert notice_violations(SEED, kind, first - timedelta(days=1), notice) != []


def test_proxy_deadline_is_48_hours_before_on_working_days() -> None:
    thursday_7pm = datetime(2025, 3, 13, 19, 0)
    assert proxy_deadline(SEED, thursday_7pm) == datetime(2025, 3, 11, 19, 0)


def test_proxy_deadline_skips_the_weekend() -> None:
    monday_10am = datetime(2025, 3, 10, 10, 0)
    assert proxy_deadline(SEED, monday_10am) == datetime(2025, 3, 6, 10, 0)  # the Thursday before
    assert proxy_deadline(SEED, monday_10am, {date(2025, 3, 7)}) == datetime(2025, 3, 5, 10, 0)


def test_proxy_deadline_from_a_saturday_meeting_counts_only_friday_and_before() -> None:
    assert proxy_deadline(SEED, datetime(2025, 3, 8, 14, 0)) == datetime(2025, 3, 6, 0, 0)


def test_late_proxy_and_too_many_proxies_are_refused() -> None:
    meeting = datetime(2025, 3, 13, 19, 0)
    ok = proxy_appointment_violations(
        SEED,
        received_at=datetime(2025, 3, 11, 19, 0),
        meeting_start=meeting,
        proxies_already_held=4,
        proxy_is_member=False,
    )
    assert ok == []
    found = proxy_appointment_violations(
        SEED,
        received_at=datetime(2025, 3, 11, 19, 1),
        meeting_start=meeting,
        proxies_already_held=5,
        proxy_is_member=False,
    )
    assert [v.code for v in found] == ["proxy.late", "proxy.too_many"]
    assert found[0].message == (
        "The proxy form arrived after the deadline of 19:00 on 11 March 2025 (48 working hours before the "
        "meeting)."
    )
