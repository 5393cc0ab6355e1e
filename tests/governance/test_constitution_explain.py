"""The constitution in plain English from its data, and the rule-by-rule difference between versions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from governance.constitution import Share
from governance.constitution.explain import RuleDifference, easy_read_summary, rule_differences, rule_sections
from governance.constitutions import load_model_constitution, model_constitution_names


@pytest.mark.parametrize("name", model_constitution_names())
def test_every_model_reads_in_plain_english_from_its_own_data(name: str) -> None:
    c = load_model_constitution(name)
    text = " ".join(s for section in rule_sections(c) for s in section.sentences)
    for mc in c.member_classes:
        assert mc.plural.capitalize() in text
    assert f"The board has between {c.board.min_seats} and {c.board.max_seats} directors." in text
    assert f"Ordinary resolutions need {c.resolutions.ordinary} of the votes cast." in text
    for decision in c.resolutions.named:
        assert f"{decision.description}: needs {decision.threshold}" in text
    assert "_" not in text  # no short names such as budget_holder leak into the words
    assert f"Our board has {c.board.min_seats} to {c.board.max_seats} people." in easy_read_summary(c)


def test_differences_say_what_each_rule_was_and_is_now() -> None:
    old = load_model_constitution("cic_guarantee")
    quorum = replace(old.quorum.general_meeting, share_of_members=Share.parse("at least 20%"))
    spending = replace(old.spending, members_vote_above_pence=250_000)
    new = replace(
        old,
        quorum=replace(old.quorum, general_meeting=quorum),
        spending=spending,
        member_classes=old.member_classes[:2],
        board=replace(old.board, classes=old.board.classes[:2]),
    )
    assert rule_differences(old, new) == (
        RuleDifference("Member classes", "the professionals", "removed"),
        RuleDifference("Board, seats by member class", "seats for professional", "removed"),
        RuleDifference("Quorum, general meeting quorum, share of members", "at least 10%", "at least 20%"),
        RuleDifference("Spending, members vote on spending above", "£1,000", "£2,500"),
    )
    assert rule_differences(old, old) == ()
