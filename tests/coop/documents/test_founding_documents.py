"""For each of the five model constitutions: an organisation founded from the founders' answers has its
founding documents (articles or rules, the community interest statement for CICs, the incorporation
checklist, the registers, the application form and the first board minutes), each a page and a tagged PDF
in English whose text holds the founders' choices and the clauses the law requires of its legal form."""

from __future__ import annotations

import html
from datetime import date

import pytest

from tests.conftest import run
from tests.coop.documents.pdfs import pdf_facts
from tests.coop.helpers import PASSWORD, page_text, sign_in
from tests.coop.setup.founding_answers import MODELS, answers_toml

OBJECTS = "To let the people who use support decide and buy it together."
COMMUNITY = "Disabled people and family carers in the borough."
OFFICE = "1 Mill Lane, Riverside, RV1 2AB"
COMPANY_CLAUSES = ("Companies Act 2006", "Liability of members")
CIC_CLAUSES = (
    "The company is to be a community interest company.",
    "The company shall not transfer any of its assets other than for full consideration.",
    "specified asset-locked body",
    '"Asset-locked body" means a community interest company, a charity or a Scottish charity',
)
SOCIETY_CLAUSES = (
    "It is registered under the Co-operative and Community Benefit Societies Act 2014.",
    f"The society's registered office is at {OFFICE}.",
    "Application of profits",
    "The society shall appoint an auditor each year",
    "Withdrawal of members",
    "Changing these rules",
    "£100,000",
)
MANDATORY = {
    "cic_guarantee": (*COMPANY_CLAUSES, *CIC_CLAUSES, "limited to £1, the amount each member undertakes"),
    "cic_shares": (*COMPANY_CLAUSES, *CIC_CLAUSES, "limited to the amount, if any, unpaid on their shares"),
    "cooperative_society": (*SOCIETY_CLAUSES, "bona fide co-operative society"),
    "multi_stakeholder_coop": (*SOCIETY_CLAUSES, "bona fide co-operative society"),
    "user_led_organisation": (*COMPANY_CLAUSES, "limited to £1, the amount each member undertakes"),
}


def _found(model: str, settings) -> tuple[str, str]:
    """Found the organisation with its first director able to sign in; (slug, that director's email)."""
    from coop.accounts.service import create_person
    from coop.audit.service import SYSTEM
    from coop.setup.service import found_from_text

    director = next(name for name, _, is_director, _ in MODELS[model]["founders"] if is_director)
    email = director.split()[0].lower() + "@founders.example"
    run(create_person(email, director, PASSWORD, settings=settings))
    founded = run(found_from_text(model, answers_toml(model), SYSTEM, date(2026, 4, 1)))
    return founded.slug, email


def _pdf_text(client, slug: str, key: str, org_name: str) -> str:
    response = client.get(f"/o/{slug}/documents/{key}/pdf")
    assert response.status_code == 200, (key, response.text[:500])
    facts = pdf_facts(response.content)
    assert facts.tagged, key
    assert facts.language == "en-GB", key
    assert facts.title.endswith(f" - {org_name}"), (key, facts.title)
    return facts.text


@pytest.mark.parametrize("model", sorted(MODELS))
def test_each_model_gives_founding_documents_with_the_founders_choices(model: str, settings, client) -> None:
    spec = MODELS[model]
    slug, email = _found(model, settings)
    sign_in(client, email)
    index = html.unescape(page_text(client.get(f"/o/{slug}/documents").text))
    cic = model.startswith("cic_")
    assert ("Community interest statement (form CIC36)" in index) is cic
    directors = [name for name, _, is_director, _ in spec["founders"] if is_director]

    articles = _pdf_text(client, slug, "articles", spec["name"])
    assert spec["name"] in articles and OBJECTS in articles
    assert all(name in articles for name in directors)
    for clause in MANDATORY[model]:
        assert clause in articles, (model, clause)
    if spec["asset_locked_body"]:
        assert f"The specified asset-locked body is {spec['asset_locked_body']}." in articles
    if model == "cic_shares":
        assert "in total at most 35% of the company's distributable profits" in articles

    checklist = _pdf_text(client, slug, "incorporation-checklist", spec["name"])
    assert spec["name"] in checklist and OFFICE in checklist and "31 March" in checklist
    assert all(name in checklist for name, *_ in spec["founders"])

    minutes = _pdf_text(client, slug, "first-board-minutes", spec["name"])
    assert all(name in minutes for name in directors)
    assert "1 April 2026" in minutes and OFFICE in minutes and "31 March" in minutes

    members = _pdf_text(client, slug, "register-of-members", spec["name"])
    assert all(name in members for name, *_ in spec["founders"])
    board = _pdf_text(client, slug, "register-of-directors", spec["name"])
    assert all(name in board for name in directors)
    form = _pdf_text(client, slug, "membership-application-form", spec["name"])
    assert f"I want to become a member of {spec['name']}" in form

    statement = client.get(f"/o/{slug}/documents/community-interest-statement/pdf")
    if not cic:
        assert statement.status_code == 404
        return
    text = pdf_facts(statement.content).text
    for section in ("Section A", "Section B", "Section C", "Section D"):
        assert section in text
    assert COMMUNITY in text and OBJECTS in text and spec["asset_locked_body"] in text
    assert all(name in text for name in directors)


def test_the_articles_page_shows_the_same_clauses_as_the_pdf(settings, client) -> None:
    slug, email = _found("cic_guarantee", settings)
    sign_in(client, email)
    page = client.get(f"/o/{slug}/documents/articles")
    assert page.status_code == 200
    text = html.unescape(page_text(page.text))
    assert "Articles of association of Riverside Support CIC" in text
    assert "The company is to be a community interest company." in text
    assert f'href="/o/{slug}/documents/articles/pdf"' in page.text
