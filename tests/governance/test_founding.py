"""The founding checks on names: the CIC suffix, sensitive words flagged, and web addresses from names."""

from __future__ import annotations

import pytest

from governance.constitution import LegalForm
from governance.founding import has_cic_suffix, name_flags, name_violations, slug_from_name


@pytest.mark.parametrize(
    "name",
    [
        "Riverside Community Interest Company",
        "Riverside CIC",
        "Riverside cic.",
        "Cefnogaeth Afon Cwmni Buddiant Cymunedol",
        "Cefnogaeth Afon CBC",
    ],
)
def test_cic_names_with_an_allowed_ending_pass(name: str) -> None:
    assert has_cic_suffix(name)
    assert name_violations(name, LegalForm.CIC_GUARANTEE) == []


@pytest.mark.parametrize("name", ["Riverside Ltd", "Riverside CICs", "CIC Riverside", "RiversideCIC", ""])
def test_cic_names_without_the_ending_are_refused(name: str) -> None:
    codes = [v.code for v in name_violations(name, LegalForm.CIC_SHARES)]
    assert codes in (["founding.cic_name_suffix"], ["founding.name_missing"])


def test_only_a_cic_may_use_the_cic_ending() -> None:
    codes = [v.code for v in name_violations("Riverside CIC", LegalForm.COMPANY_GUARANTEE)]
    assert codes == ["founding.cic_name_not_cic"]


def test_sensitive_words_are_flagged_as_needing_approval_whole_words_only() -> None:
    flags = name_flags("British Bank Trust CIC", LegalForm.CIC_GUARANTEE)
    assert [f.code for f in flags] == ["founding.sensitive_word"] * 3
    assert all("must approve it" in f.message for f in flags)
    assert name_flags("Trustworthy Banking CIC", LegalForm.CIC_GUARANTEE) == []


def test_a_society_name_without_limited_is_flagged() -> None:
    assert [f.code for f in name_flags("Northfield Carers", LegalForm.COOPERATIVE_SOCIETY)] == [
        "founding.society_limited"
    ]
    assert name_flags("Northfield Carers Ltd", LegalForm.COOPERATIVE_SOCIETY) == []


def test_web_address_from_name() -> None:
    assert slug_from_name("Riverside Shared Support CIC!") == "riverside-shared-support-cic"


def _answers(*founders: object) -> object:
    from governance.founding import FoundingAnswers

    return FoundingAnswers(
        name="Riverside CIC",
        slug="",
        legal_form="cic_guarantee",
        objects="Support",
        community="Riverside",
        year_end_month=3,
        year_end_day=31,
        registered_office="1 Mill Lane",
        member_classes=("budget_holder", "family_carer", "professional"),
        founders=founders,  # type: ignore[arg-type]
        asset_locked_body="Forum",
    )


def _codes(*founders: object) -> list[str]:
    from datetime import date

    from governance.constitutions import load_model_constitution
    from governance.founding import founding_check

    check = founding_check(load_model_constitution("cic_guarantee"), _answers(*founders), date(2026, 4, 1))  # type: ignore[arg-type]
    return [v.code for v in check.violations]


def test_a_director_needs_the_particulars_the_register_needs_and_must_be_16() -> None:
    from datetime import date

    from governance.founding import Founder

    bare = Founder("Amara Okafor", "budget_holder", "a@x.example", director=True, secretary=True)
    codes = _codes(bare)
    for code in ("nationality", "country_of_residence", "occupation", "address", "date_of_birth"):
        assert f"founding.director_{code}" in codes
    young = Founder(
        "Amara Okafor",
        "budget_holder",
        "a@x.example",
        "1 Lane",
        director=True,
        secretary=True,
        nationality="British",
        country_of_residence="England",
        occupation="None",
        date_of_birth=date(2010, 4, 2),  # 16 the day after founding
    )
    assert "founding.director_too_young" in _codes(young)
    assert "founding.director_too_young" not in _codes(
        Founder(**{**{f: getattr(young, f) for f in young.__slots__}, "date_of_birth": date(2010, 4, 1)})  # type: ignore[arg-type]
    )


def test_exactly_one_secretary_with_an_email() -> None:
    from governance.founding import Founder

    assert "founding.no_secretary" in _codes(Founder("A", "budget_holder", "a@x.example"))
    assert "founding.secretary_twice" in _codes(
        Founder("A", "budget_holder", "a@x.example", secretary=True),
        Founder("B", "budget_holder", "b@x.example", secretary=True),
    )
    assert "founding.secretary_email" in _codes(Founder("A", "budget_holder", secretary=True))
