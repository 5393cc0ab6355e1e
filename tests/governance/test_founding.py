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
