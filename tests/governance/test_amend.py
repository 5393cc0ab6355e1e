"""Amendments: the changes in words, the resolution they need, and changes no amendment can make."""

from __future__ import annotations

from dataclasses import replace

from governance.constitution import Constitution, ConstitutionError, LegalForm, Share, parse_constitution
from governance.constitution.amend import amendment_violations, diff_constitutions, required_resolution
from governance.constitutions import load_model_constitution, model_constitution_text
from governance.quorum import QuorumOutcome
from governance.resolutions import CastVote, Choice, ResolutionFacts, ResolutionKind, resolution_outcome

SEED = load_model_constitution("cic_guarantee")


def with_carer_minimum(n: int) -> Constitution:
    classes = tuple(
        replace(r, min=n, reserved_seats=min(n, r.reserved_seats)) if r.key == "family_carer" else r
        for r in SEED.board.classes
    )
    return replace(SEED, board=replace(SEED.board, classes=classes))


def test_identical_constitutions_have_no_changes_and_need_no_resolution() -> None:
    assert diff_constitutions(SEED, SEED) == []
    assert required_resolution(SEED, SEED) is None


def test_change_to_a_class_minimum_is_described_in_words_with_its_path() -> None:
    changes = diff_constitutions(SEED, with_carer_minimum(1))
    assert len(changes) == 2
    path, old, new, description = changes[0]
    assert path == "board.classes.family_carer.min"
    assert (old, new) == (2, 1)
    assert description == (
        "Board, seats by member class, seats for family carer, fewest directors: changed from 2 to 1."
    )


def test_money_is_shown_in_pounds() -> None:
    new = replace(SEED, spending=replace(SEED.spending, two_person_approval_at_or_above_pence=75050))
    (change,) = diff_constitutions(SEED, new)
    assert (
        change.description
        == "Spending, two people approve spending at or above (pence): changed from £500 to £750.50."
    )


def test_added_and_removed_member_classes_are_listed() -> None:
    text = model_constitution_text("cic_guarantee").replace(
        "[board.classes.professional]\nmin = 0\nmax = 1\n", ""
    )
    start = text.index("[member_classes.professional]")
    end = text.index("# ----", start)
    without_professionals = parse_constitution(text[:start] + text[end:])
    changes = diff_constitutions(SEED, without_professionals)
    assert any(c.path == "member_classes.professional" and c.new is None for c in changes)
    assert "removed the professionals" in changes[0].description


def test_company_amendment_needs_the_named_decision_and_the_budget_holders_can_veto_it() -> None:
    needed = required_resolution(SEED, with_carer_minimum(1))
    assert needed is not None
    assert needed.kind is ResolutionKind.NAMED
    assert needed.named_decision == "constitution_amendment"
    assert needed.threshold == Share.parse("at least 75%")
    assert needed.class_vetoes == ("budget_holder",)
    assert (
        needed.reasons[0] == "A company changes its articles by special resolution (Companies Act 2006 s.21)."
    )


def test_company_without_named_decisions_needs_a_special_resolution() -> None:
    plain = replace(
        SEED,
        resolutions=replace(SEED.resolutions, named=()),
        member_classes=tuple(replace(m, vetoes=()) for m in SEED.member_classes),
    )
    needed = required_resolution(plain, replace(plain, description="Changed."))
    assert (
        needed is not None
        and needed.kind is ResolutionKind.SPECIAL
        and needed.threshold == Share.parse("at least 75%")
    )
    assert needed.class_vetoes == ()


def test_society_follows_its_own_rules_for_amendment() -> None:
    coop = load_model_constitution("multi_stakeholder_coop")
    needed = required_resolution(coop, replace(coop, description="Changed."))
    assert needed is not None
    assert needed.named_decision == "constitution_amendment"
    assert set(needed.class_vetoes) == {"user", "worker"}
    assert "FCA registers it" in needed.reasons[0]


def test_changing_eligibility_brings_in_the_eligibility_decision_too() -> None:
    ulo = load_model_constitution("user_led_organisation")
    classes = tuple(
        replace(m, eligibility_questions=("Are you a disabled person?",)) if m.key == "disabled_member" else m
        for m in ulo.member_classes
    )
    needed = required_resolution(ulo, replace(ulo, member_classes=classes))
    assert needed is not None
    assert set(needed.vetoable_as) == {"constitution_amendment", "eligibility_change"}
    assert needed.class_vetoes == ("disabled_member",)


def test_required_resolution_feeds_resolution_outcome_with_the_class_veto() -> None:
    needed = required_resolution(SEED, with_carer_minimum(1))
    assert needed is not None
    carers = [CastVote(Choice.FOR, member_class="family_carer") for _ in range(10)]
    votes = (*carers, CastVote(Choice.AGAINST, member_class="budget_holder"))
    facts = ResolutionFacts(
        ResolutionKind.NAMED,
        votes,
        named_decision=needed.named_decision,
        quorum=QuorumOutcome(True, 3, 11, "Quorate."),
        also_vetoable_as=needed.vetoable_as,
    )
    outcome = resolution_outcome(SEED, facts)
    assert not outcome.passed and "resolution.class_veto" in [v.code for v in outcome.violations]


def test_company_cannot_name_a_weaker_majority_for_amending_its_articles() -> None:
    text = model_constitution_text("cic_guarantee").replace(
        'description = "Changing the articles (the constitution)"\nthreshold = "at least 75%"',
        'description = "Changing the articles (the constitution)"\nthreshold = "more than 50%"',
    )
    try:
        parse_constitution(text)
    except ConstitutionError as error:
        assert [e.path for e in error.errors] == ["resolutions.named.constitution_amendment.threshold"]
    else:
        raise AssertionError("a weaker amendment majority was accepted")


def test_changing_legal_form_is_not_an_amendment() -> None:
    shares = replace(SEED, legal_form=LegalForm.CIC_SHARES)
    (found,) = amendment_violations(SEED, shares)
    assert found.code == "amend.legal_form"
    assert "cannot become one limited by shares" in found.message
    company = replace(SEED, legal_form=LegalForm.COMPANY_GUARANTEE)
    assert "A CIC can never become an ordinary company" in amendment_violations(SEED, company)[0].message
    assert amendment_violations(SEED, with_carer_minimum(1)) == []
