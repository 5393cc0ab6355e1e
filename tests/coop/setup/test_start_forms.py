"""The /start question readers on their own: what each accepts and the error it gives (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from coop.setup import start_forms as forms
from coop.setup.answers import read_answers
from coop.setup.answers_file import answers_toml
from governance.constitution import LegalForm


@pytest.mark.parametrize(
    ("day", "month", "expected"),
    [("29", "2", "29 February"), ("31", "12", "31 December"), (" 1 ", "4", "1 April")],
)
def test_a_year_end_is_a_real_day_and_month(day: str, month: str, expected: str) -> None:
    assert forms.read_year_end({"year_end_day": day, "year_end_month": month}) == ({"year_end": expected}, {})


@pytest.mark.parametrize(
    ("day", "month"), [("30", "2"), ("31", "4"), ("0", "3"), ("1", "13"), ("x", "1"), ("", "")]
)
def test_an_impossible_year_end_is_refused_by_the_day_field(day: str, month: str) -> None:
    changes, errors = forms.read_year_end({"year_end_day": day, "year_end_month": month})
    assert changes == {} and set(errors) == {"year_end_day"}


def test_a_name_is_checked_for_its_legal_form_and_tidied() -> None:
    assert forms.read_name({"name": "  Brookside   Support CIC "}, LegalForm.CIC_GUARANTEE) == (
        {"name": "Brookside Support CIC"},
        {},
    )
    _, errors = forms.read_name({"name": "Brookside Support CIC"}, LegalForm.COOPERATIVE_SOCIETY)
    assert "may not use that ending" in errors["name"]


def test_text_with_control_characters_or_too_long_is_refused() -> None:
    errors: dict[str, str] = {}
    forms.read_text({"a": "x\x07y"}, "a", 10, errors, "the answer")
    forms.read_text({"b": "x" * 11}, "b", 10, errors, "the answer")
    assert forms.read_text({"c": "line one\r\nline two"}, "c", 100, errors, "it") == "line one\nline two"
    assert errors == {
        "a": "The answer must not contain control characters",
        "b": "The answer must be 10 characters or fewer",
    }


def test_a_director_under_16_is_refused() -> None:
    form = {
        "country_of_residence": "Wales",
        "nationality": "Welsh",
        "occupation": "None",
        "date_of_birth_day": "2",
        "date_of_birth_month": "4",
        "date_of_birth_year": "2010",
    }
    _, errors = forms.read_director(form, date(2026, 4, 1))
    assert errors == {"date_of_birth_day": "A director must be 16 or over (Companies Act 2006, section 157)"}
    values, errors = forms.read_director({**form, "date_of_birth_day": "1"}, date(2026, 4, 1))
    assert errors == {} and values["date_of_birth"] == "2010-04-01"


def test_the_web_answers_read_back_as_the_same_answers_file() -> None:
    """The draft written as an answers file reads back to the same answers, quotes and all."""
    draft = {
        "model": "cic_guarantee",
        "name": 'The "Quoted" \\ Support CIC',
        "legal_form": "cic_guarantee",
        "objects": "Line one\nLine two",
        "community": "Café users",
        "member_classes": ["budget_holder"],
        "year_end": "29 February",
        "registered_office": "1 Lane",
        "asset_locked_body": "Forum",
        "founders": [
            {
                "name": "Amara",
                "member_class": "budget_holder",
                "email": "a@x.example",
                "address": "1 Lane",
                "director": True,
                "secretary": True,
                "nationality": "British",
                "date_of_birth": "1980-05-17",
            },
        ],
    }
    read = read_answers(answers_toml(draft))
    assert read.problems == ()
    answers = read.answers
    assert answers is not None
    assert answers.name == draft["name"] and answers.objects == "Line one\nLine two"
    assert (answers.year_end_month, answers.year_end_day) == (2, 29)
    founder = answers.founders[0]
    assert founder.director and founder.secretary and founder.date_of_birth == date(1980, 5, 17)
