"""Founding an organisation from each model constitution and an answers file: the rules in force equal
the model's, the founders are members and the first directors hold the director role; bad answers create
nothing and say why."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.conftest import run
from tests.coop.setup.founding_answers import MODELS, answers_toml

TODAY = date(2026, 4, 1)


def _found(model: str, text: str):
    from coop.audit.service import SYSTEM
    from coop.setup.service import found_from_text

    return run(found_from_text(model, text, SYSTEM, TODAY))


def _refused(model: str, text: str) -> list[str]:
    from governance.violations import RuleViolationError

    with pytest.raises(RuleViolationError) as caught:
        _found(model, text)
    return [v.code for v in caught.value.violations] + [v.message for v in caught.value.violations]


def _counts() -> tuple[int, int, int]:
    from coop.members.tables import Member
    from coop.organisations.tables import ConstitutionVersion, Organisation

    return (run(Organisation.count()), run(ConstitutionVersion.count()), run(Member.count()))


@pytest.mark.parametrize("model", sorted(MODELS))
def test_each_model_founds_an_organisation_whose_rules_are_the_models(db, model: str) -> None:
    from coop.audit.service import verify_chain
    from coop.boards.tables import Directorship
    from coop.members.tables import Member, RoleGrant
    from coop.organisations.service import constitution_of
    from coop.organisations.tables import ConstitutionVersion, Organisation
    from coop.setup.tables import FoundingRecord
    from governance.constitutions import load_model_constitution

    founded = _found(model, answers_toml(model))

    org = run(Organisation.select().where(Organisation.id == founded.organisation_id).first())
    assert org["slug"] == model.replace("_", "-")
    assert org["name"] == MODELS[model]["name"]
    assert (org["year_end_month"], org["year_end_day"]) == (3, 31)
    in_force = run(constitution_of(founded.organisation_id))
    expected = load_model_constitution(model)
    body = MODELS[model]["asset_locked_body"]
    if body:
        expected = replace(expected, asset_lock=replace(expected.asset_lock, specified_bodies=(body,)))
    assert in_force == expected
    versions = run(ConstitutionVersion.select().where(ConstitutionVersion.organisation == org["id"]))
    assert [(v["version"], v["model_name"], v["adopted_on"]) for v in versions] == [(1, model, TODAY)]

    members = run(Member.select().where(Member.organisation == org["id"]).order_by(Member.id))
    founders = MODELS[model]["founders"]
    assert [(m["name"], m["member_class"], m["admitted_on"]) for m in members] == [
        (name, cls, TODAY) for name, cls, _, _ in founders
    ]
    assert all(m["email"].endswith("@founders.example") and m["address"] for m in members)
    grants = run(RoleGrant.select(RoleGrant.member.name.as_alias("name"), RoleGrant.role))
    # Directors hold the director role; the first founder is the secretary and administrator.
    secretary = founders[0][0]
    assert sorted((g["name"], g["role"]) for g in grants) == sorted(
        [(name, "director") for name, _, director, _ in founders if director]
        + [(secretary, "secretary"), (secretary, "admin")]
    )
    # The first directors are on the register of directors from day one, reserved seats first.
    board = run(
        Directorship.select(Directorship.member.name.as_alias("name"), Directorship.seat, Directorship.route)
        .where(Directorship.organisation == org["id"])
        .order_by(Directorship.id)
    )
    assert [d["name"] for d in board] == [name for name, _, director, _ in founders if director]
    assert all(d["route"] == "elected" for d in board)
    particulars = run(
        Directorship.select(
            Directorship.nationality, Directorship.country_of_residence, Directorship.service_address
        ).where(Directorship.organisation == org["id"])
    )
    assert all(
        (p["nationality"], p["country_of_residence"], p["service_address"])
        == ("British", "England", "1 Mill Lane, Riverside, RV1 2AB")
        for p in particulars
    )
    reserved = {rule.key for rule in in_force.board.classes if rule.reserved_seats}
    assert {d["seat"] for d in board} <= reserved | {""}
    record = run(FoundingRecord.select().where(FoundingRecord.organisation == org["id"]).first())
    assert record["registered_office"] == "1 Mill Lane, Riverside, RV1 2AB"
    assert "Disabled people and family carers" in record["community"]
    assert run(verify_chain(org["id"])) == []


def test_a_cic_name_without_the_suffix_is_refused_with_the_reason(db) -> None:
    problems = _refused("cic_guarantee", answers_toml("cic_guarantee", name="Riverside Support Ltd"))
    assert "founding.cic_name_suffix" in problems
    assert any('must end with "Community Interest Company" or "CIC"' in p for p in problems)
    assert _counts() == (0, 0, 0)


def test_a_welsh_cic_name_is_accepted(db) -> None:
    founded = _found("cic_guarantee", answers_toml("cic_guarantee", name="Cefnogaeth Afon CBC"))
    assert founded.slug == "cic-guarantee"


def test_a_board_that_breaks_the_composition_is_refused_with_the_rule(db) -> None:
    founders = [f for f in MODELS["cic_guarantee"]["founders"] if f[0] != "Priya Shah"]
    problems = _refused("cic_guarantee", answers_toml("cic_guarantee", founders=founders))
    assert "board.class_minimum" in problems
    assert "The board has 1 family carer; the constitution requires at least 2." in problems
    assert _counts() == (0, 0, 0)


def test_a_sensitive_word_is_flagged_not_refused(db) -> None:
    founded = _found("cic_guarantee", answers_toml("cic_guarantee", name="Royal Riverside Trust CIC"))
    assert [f.code for f in founded.flags] == ["founding.sensitive_word", "founding.sensitive_word"]
    assert '"Royal"' in founded.flags[0].message or '"Royal"' in founded.flags[1].message
    assert _counts()[0] == 1


def test_a_taken_web_address_is_refused_and_nothing_else_is_created(db) -> None:
    _found("cic_guarantee", answers_toml("cic_guarantee", slug="same"))
    before = _counts()
    problems = _refused("cic_shares", answers_toml("cic_shares", slug="same"))
    assert "founding.slug_taken" in problems
    assert _counts() == before


def test_every_problem_is_reported_at_once(db) -> None:
    text = answers_toml(
        "cic_guarantee",
        name="Riverside",
        asset_locked_body="",
        classes=["budget_holder", "family_carer", "professional", "visitor"],
    )
    problems = _refused("cic_guarantee", text)
    for code in ("founding.cic_name_suffix", "founding.asset_locked_body", "founding.unknown_class"):
        assert code in problems


def test_an_unreadable_answers_file_is_refused_with_what_is_wrong(db) -> None:
    problems = _refused("cic_guarantee", 'name = 3\nyear_end = "the 31st"\n[[founders]]\ndirector = "yes"\n')
    assert "answers.name" in problems
    assert "answers.year_end" in problems
    assert "answers.founders.director" in problems
    assert _refused("no_such_model", answers_toml("cic_guarantee"))[0] == "founding.unknown_model"
