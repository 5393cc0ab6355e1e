"""Constitutions as data: loading, checking, help text and the shipped model constitutions."""

from __future__ import annotations

import dataclasses
import typing
from fractions import Fraction

import pytest

from governance.constitution import (
    Comparison,
    Constitution,
    ConstitutionError,
    LegalForm,
    Share,
    UserLedGroup,
    constitution_to_toml,
    parse_constitution,
)
from governance.constitutions import (
    load_model_constitution,
    model_constitution_names,
    model_constitution_text,
)

MINIMAL = """
name = "Test CIC"
legal_form = "cic_guarantee"

[member_classes.budget_holder]
name = "budget holder"
plural = "budget holders"
description = "People with personal budgets."

[board]
min_seats = 3
max_seats = 5

[asset_lock]
asset_locked = true
"""


def _schema_dataclasses() -> list[type]:
    seen: list[type] = []
    todo: list[type] = [Constitution]
    while todo:
        cls = todo.pop()
        if cls in seen or cls is Share:
            continue
        seen.append(cls)
        for hint in typing.get_type_hints(cls).values():
            for candidate in (hint, *typing.get_args(hint)):
                if dataclasses.is_dataclass(candidate) and isinstance(candidate, type):
                    todo.append(candidate)
    return seen


def test_every_schema_field_has_help_text_and_a_label() -> None:
    classes = _schema_dataclasses()
    assert len(classes) >= 12
    missing = [
        f"{cls.__name__}.{f.name}"
        for cls in classes
        for f in dataclasses.fields(cls)
        if not str(f.metadata.get("help", "")).strip() or not str(f.metadata.get("label", "")).strip()
    ]
    assert missing == []


def test_model_constitution_names_lists_the_five_shipped_models() -> None:
    assert model_constitution_names() == (
        "cic_guarantee",
        "cic_shares",
        "cooperative_society",
        "multi_stakeholder_coop",
        "user_led_organisation",
    )


@pytest.mark.parametrize("name", model_constitution_names())
def test_every_model_constitution_loads_and_validates(name: str) -> None:
    constitution = load_model_constitution(name)
    assert constitution.member_classes
    assert constitution.board.min_seats <= constitution.board.max_seats
    # Documented field by field: comment lines are a large part of every model file.
    text = model_constitution_text(name)
    assert sum(1 for line in text.splitlines() if line.strip().startswith("#")) >= 20


def test_unknown_model_constitution_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_model_constitution("no_such_model")


def test_seed_cic_reserves_two_budget_holder_and_two_carer_seats_and_caps_professionals() -> None:
    c = load_model_constitution("cic_guarantee")
    assert c.legal_form is LegalForm.CIC_GUARANTEE
    assert c.board.max_seats == 5
    budget, carer, professional = (
        c.board_class_rule(k) for k in ("budget_holder", "family_carer", "professional")
    )
    assert budget is not None and budget.min == 2 and budget.reserved_seats == 2
    assert carer is not None and carer.min == 2
    assert professional is not None and professional.max == 1
    assert c.board.user_led.share == Share(Comparison.AT_LEAST, Fraction(3, 4))
    assert c.board.user_led.family_carers_count is True
    assert c.resolutions.written_lapse_days == 28
    assert c.spending.two_person_approval_at_or_above_pence == 50000
    assert c.spending.two_person_threshold_pence == 50000
    assert c.spending.two_person_approval_window_days == 30


def test_a_stored_constitution_with_the_older_above_setting_still_loads_and_means_what_it_says() -> None:
    """Constitutions adopted before the edge was explicit say "above £500": in whole pence that is
    "at or above £500.01", so £500 exactly still needs one person there, as their text promises."""
    text = model_constitution_text("cic_guarantee").replace(
        "two_person_approval_at_or_above_pence = 50000", "two_person_approval_above_pence = 50000"
    )
    assert "two_person_approval_above_pence = 50000" in text
    c = parse_constitution(text)
    assert c.spending.two_person_approval_above_pence == 50000
    assert c.spending.two_person_threshold_pence == 50001
    assert parse_constitution(constitution_to_toml(c)) == c  # an amendment keeps its wording


def test_both_edges_at_once_is_reported_on_the_spending_table() -> None:
    text = model_constitution_text("cic_guarantee").replace(
        "two_person_approval_at_or_above_pence = 50000",
        "two_person_approval_at_or_above_pence = 50000\ntwo_person_approval_above_pence = 50000",
    )
    with pytest.raises(ConstitutionError) as caught:
        parse_constitution(text)
    assert [e.path for e in caught.value.errors] == ["spending"]
    assert "not both" in caught.value.errors[0].message


def test_the_payee_window_must_be_from_1_to_366_days() -> None:
    for days in ("0", "367"):
        text = model_constitution_text("cic_guarantee").replace(
            "two_person_approval_window_days = 30", f"two_person_approval_window_days = {days}"
        )
        with pytest.raises(ConstitutionError) as caught:
            parse_constitution(text)
        assert [e.path for e in caught.value.errors] == ["spending.two_person_approval_window_days"]


def test_cic_shares_model_has_the_35_percent_dividend_cap() -> None:
    assert load_model_constitution("cic_shares").asset_lock.dividend_cap == Fraction(35, 100)


def test_multi_stakeholder_investors_are_capped_at_ten_percent() -> None:
    c = load_model_constitution("multi_stakeholder_coop")
    investor = c.member_class("investor")
    assert investor is not None and investor.voting_cap == Share(Comparison.AT_MOST, Fraction(1, 10))
    user = c.member_class("user")
    assert user is not None and "constitution_amendment" in user.vetoes
    assert user.user_led_group is UserLedGroup.USES_SUPPORT


def test_minimal_constitution_fills_in_documented_defaults() -> None:
    c = parse_constitution(MINIMAL)
    assert c.resolutions.ordinary == Share(Comparison.MORE_THAN, Fraction(1, 2))
    assert c.resolutions.special == Share(Comparison.AT_LEAST, Fraction(3, 4))
    assert c.notice.general_meeting_clear_days == 14
    assert c.proxies.deadline_hours == 48
    assert c.board.chair_casting_vote is False
    assert c.member_classes[0].key == "budget_holder"


def _errors(text: str) -> list[str]:
    with pytest.raises(ConstitutionError) as info:
        parse_constitution(text)
    return [str(e) for e in info.value.errors]


def test_a_word_where_a_number_belongs_names_the_field() -> None:
    text = MINIMAL + '\n[board.classes.budget_holder]\nmin = "two"\n'
    assert 'board.classes.budget_holder.min: must be a whole number 0 or more, got "two"' in _errors(text)


def test_every_error_is_reported_not_just_the_first() -> None:
    text = MINIMAL.replace('legal_form = "cic_guarantee"', 'legal_form = "charity"').replace(
        "min_seats = 3", "min_seats = -1"
    )
    text += '\n[proxies]\ndeadline_hours = 72\nallowed = "yes"\n'
    errors = _errors(text)
    assert any(e.startswith("legal_form: must be one of") and '"charity"' in e for e in errors)
    assert "board.min_seats: must be a whole number 1 or more, got -1" in errors
    assert "proxies.deadline_hours: must be a whole number from 0 to 48, got 72" in errors
    assert 'proxies.allowed: must be true or false, got "yes"' in errors


def test_misspelt_setting_is_reported_rather_than_ignored() -> None:
    errors = _errors(MINIMAL.replace("max_seats = 5", "max_seats = 5\nmax_seat = 6"))
    assert errors == ["board.max_seat: is not a setting this schema knows (check the spelling)"]


def test_missing_required_field_is_reported() -> None:
    errors = _errors(MINIMAL.replace('name = "Test CIC"\n', ""))
    assert errors == ["name: is required"]


def test_bad_share_text_is_reported_with_an_example() -> None:
    errors = _errors(MINIMAL + '\n[resolutions]\nspecial = "three quarters"\n')
    assert errors == [
        'resolutions.special: must be a share such as "more than 50%" or "at least 75%", got "three quarters"'
    ]


def test_invalid_toml_is_a_constitution_error() -> None:
    errors = _errors("name = ")
    assert len(errors) == 1 and errors[0].startswith("The text is not valid TOML")


def test_company_cannot_weaken_the_special_resolution() -> None:
    errors = _errors(MINIMAL + '\n[resolutions]\nspecial = "at least 2/3"\n')
    assert errors == ['resolutions.special: must be "at least 75%" for a company']


def test_society_may_set_its_own_special_majority() -> None:
    text = MINIMAL.replace("cic_guarantee", "cooperative_society").replace("asset_locked = true", "")
    c = parse_constitution(text + '\n[resolutions]\nspecial = "at least 2/3"\n')
    assert c.resolutions.special == Share(Comparison.AT_LEAST, Fraction(2, 3))


def test_dividend_cap_is_only_for_cic_limited_by_shares() -> None:
    errors = _errors(MINIMAL + 'dividend_cap = "35%"\n')
    assert errors == [
        "asset_lock.dividend_cap: only a CIC limited by shares may pay dividends under a cap, "
        "not a community interest company limited by guarantee"
    ]


def test_dividend_cap_above_35_percent_is_refused() -> None:
    text = MINIMAL.replace("cic_guarantee", "cic_shares") + 'dividend_cap = "40%"\n'
    assert _errors(text) == ["asset_lock.dividend_cap: must be at most 35% of distributable profits, got 40%"]


def test_cic_must_be_asset_locked() -> None:
    errors = _errors(MINIMAL.replace("asset_locked = true", "asset_locked = false"))
    assert errors == ["asset_lock.asset_locked: must be true: every CIC is asset locked"]


def test_company_general_meeting_notice_below_14_clear_days_is_refused() -> None:
    errors = _errors(MINIMAL + "\n[notice]\ngeneral_meeting_clear_days = 13\n")
    assert errors == [
        "notice.general_meeting_clear_days: must be at least 14 for a company (Companies Act s.307), got 13"
    ]


def test_class_minimums_that_cannot_fit_on_the_board_are_refused() -> None:
    text = MINIMAL + "\n[board.classes.budget_holder]\nmin = 6\n"
    errors = _errors(text)
    assert (
        "board.classes: the fewest directors per class add up to 6, more than board.max_seats (5)" in errors
    )


def test_board_seats_for_an_unknown_class_are_refused() -> None:
    errors = _errors(MINIMAL + "\n[board.classes.trustee]\nmin = 1\n")
    assert errors == ['board.classes.trustee: "trustee" is not one of the member classes']


def test_veto_on_an_unknown_decision_is_refused() -> None:
    errors = _errors(
        MINIMAL.replace(
            'description = "People with personal budgets."', 'description = "x"\nvetoes = ["merger"]'
        )
    )
    assert errors == [
        'member_classes.budget_holder.vetoes: "merger" is not "ordinary", "special" or a named decision '
        "in resolutions.named"
    ]


def test_co_operative_society_refuses_weighted_votes() -> None:
    text = MINIMAL.replace("cic_guarantee", "cooperative_society").replace(
        'description = "People with personal budgets."', 'description = "x"\nvote_weight = 2'
    )
    errors = _errors(text)
    assert len(errors) == 1 and errors[0].startswith(
        "member_classes.budget_holder.vote_weight: a co-operative"
    )


@pytest.mark.parametrize("name", model_constitution_names())
def test_every_model_constitution_survives_a_round_trip_through_toml(name: str) -> None:
    constitution = load_model_constitution(name)
    assert parse_constitution(constitution_to_toml(constitution)) == constitution


def test_round_trip_keeps_unusual_class_names_and_fractions() -> None:
    text = MINIMAL.replace("[member_classes.budget_holder]", '[member_classes."budget holder (PB)"]').replace(
        'name = "budget holder"', 'name = "budget holder \\"PB\\""'
    )
    text += '\n[resolutions.named.merger]\ndescription = "Merging"\nthreshold = "at least 2/3"\n'
    constitution = parse_constitution(text)
    again = parse_constitution(constitution_to_toml(constitution))
    assert again == constitution
    assert again.member_classes[0].key == "budget holder (PB)"
    assert again.resolutions.named[0].threshold == Share(Comparison.AT_LEAST, Fraction(2, 3))
