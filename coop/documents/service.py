"""The organisation's documents: which there are, and the facts each one shows. Founding documents come
from the founding record (the founders' answers) and constitution version 1; the registers from the
register tables, one bounded part at a time; the membership application form from the rules in force.
Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coop.boards import service as boards
from coop.clock import today_in_london
from coop.db import stored_date
from coop.documents import community_report
from coop.documents.articles import (
    FounderFacts,
    FoundingFacts,
    articles_sections,
    articles_title,
    community_interest_sections,
    first_board_minutes,
    incorporation_checklist,
    long_date,
)
from coop.members import register
from coop.members.words import class_name
from coop.organisations.service import OrgContext, constitution_of
from coop.organisations.tables import ConstitutionVersion, Organisation
from coop.setup.answers import read_answers
from coop.setup.tables import FoundingRecord
from governance.constitution import LegalForm, parse_constitution

MEMBERS_PART = 500
"""Entries of the register of members in one document (a part): a PDF of 500 rows takes seconds."""
DIRECTOR_PAGES = 10
"""Pages of the register of directors (50 entries each) in one part."""


@dataclass(frozen=True, slots=True)
class DocumentKind:
    key: str
    title: str
    summary: str
    founding: bool = False  # needs the founders' answers (an organisation founded in coop)
    cic_only: bool = False


KINDS = (
    DocumentKind("articles", "Articles of association", "The rules of the company, to file.", founding=True),
    DocumentKind(
        "community-interest-statement",
        "Community interest statement (form CIC36)",
        "Sections A to D of form CIC36, to file with the articles.",
        founding=True,
        cic_only=True,
    ),
    DocumentKind(
        "incorporation-checklist",
        "Incorporation checklist (form IN01)",
        "Each field of the application with your answers filled in, and what is still to add.",
        founding=True,
    ),
    DocumentKind("register-of-members", "Register of members", "Every member, past and present."),
    DocumentKind("register-of-directors", "Register of directors", "Every director, past and present."),
    DocumentKind(
        "membership-application-form",
        "Membership application form",
        "A form to print for people who want to join on paper.",
    ),
    DocumentKind(
        "community-interest-report",
        "Community interest report (form CIC34)",
        "This year's report, drafted from what coop recorded, with the parts you write.",
        cic_only=True,
    ),
    DocumentKind(
        "first-board-minutes",
        "Minutes of the first board meeting (draft)",
        "What the first directors decide, filled in for the secretary to correct and the chair to sign.",
        founding=True,
    ),
)
_BY_KEY = {k.key: k for k in KINDS}


@dataclass(frozen=True, slots=True)
class Document:
    """One document ready to show: its title, the template of its body and what that template needs."""

    kind: DocumentKind
    title: str
    body: str
    context: dict[str, Any]
    next_part: str | None = None  # the `after=` of the next part of a long register


def kind_title(kind: DocumentKind, legal_form: LegalForm) -> str:
    if legal_form.is_society:
        if kind.key == "articles":
            return "Rules of the society"
        if kind.key == "incorporation-checklist":
            return "Registration checklist (Financial Conduct Authority)"
    return kind.title


def kinds_for(legal_form: LegalForm, founded_here: bool) -> list[tuple[DocumentKind, str]]:
    """The documents this organisation has, with their titles for its legal form."""
    return [
        (k, kind_title(k, legal_form))
        for k in KINDS
        if (founded_here or not k.founding) and (legal_form.is_cic or not k.cic_only)
    ]


async def document_list(organisation_id: int) -> dict[str, Any]:
    row = await Organisation.select(Organisation.legal_form).where(Organisation.id == organisation_id).first()
    legal_form = LegalForm(row["legal_form"]) if row else LegalForm.UNINCORPORATED
    founded_here = await FoundingRecord.exists().where(FoundingRecord.organisation == organisation_id)
    return {"kinds": kinds_for(legal_form, founded_here), "founded_here": founded_here}


async def constitution_versions(organisation_id: int) -> list[dict[str, Any]]:
    """Every adopted version, newest first: its number, adoption date and the resolution that adopted it.
    Amendments are rare (a handful in an organisation's life), so this list stays short."""
    return await (
        ConstitutionVersion.select(
            ConstitutionVersion.version, ConstitutionVersion.adopted_on, ConstitutionVersion.adopted_by
        )
        .where(ConstitutionVersion.organisation == organisation_id)
        .order_by(ConstitutionVersion.version, ascending=False)
        .limit(500)
    )


async def _version_row(organisation_id: int, version: int | None) -> dict[str, Any] | None:
    query = ConstitutionVersion.select().where(ConstitutionVersion.organisation == organisation_id)
    if version is not None:
        query = query.where(ConstitutionVersion.version == version)
    return await query.order_by(ConstitutionVersion.version, ascending=False).first()


async def founding_facts(organisation_id: int, version: int | None = 1) -> FoundingFacts | None:
    """The founders' answers with a version of the constitution (1 for the founding papers; None: the
    version in force), or None for an organisation not founded in coop or a version it does not have."""
    record = await FoundingRecord.select().where(FoundingRecord.organisation == organisation_id).first()
    org = await Organisation.select().where(Organisation.id == organisation_id).first()
    first = await _version_row(organisation_id, 1)
    chosen = first if version == 1 else await _version_row(organisation_id, version)
    if record is None or org is None or first is None or chosen is None:
        return None
    answers = read_answers(record["answers"]).answers
    given = answers.founders if answers else ()
    founders = tuple(FounderFacts(f.name, f.member_class, f.address, f.director) for f in given)
    return FoundingFacts(
        name=org["name"],
        legal_form=LegalForm(org["legal_form"]),
        constitution=parse_constitution(str(chosen["document"])),
        model_name=first["model_name"],
        adopted_on=stored_date(first["adopted_on"]),
        year_end_month=int(org["year_end_month"]),
        year_end_day=int(org["year_end_day"]),
        objects=record["objects"],
        community=record["community"],
        registered_office=record["registered_office"],
        asset_locked_body=record["asset_locked_body"],
        founders=founders,
        company_number=org["company_number"] or "",
        version=int(chosen["version"]),
        version_adopted_on=stored_date(chosen["adopted_on"]),
        version_adopted_by=str(chosen["adopted_by"] or ""),
    )


SECTIONS = "documents/body/sections.html"


def _founding_document(kind: DocumentKind, facts: FoundingFacts) -> Document | None:
    title = kind_title(kind, facts.legal_form)
    if kind.key == "articles":
        context = {"sections": articles_sections(facts), "numbered": True, "facts": facts}
        return Document(kind, f"{articles_title(facts)} (version {facts.version})", SECTIONS, context)
    if kind.key == "community-interest-statement":
        if not facts.legal_form.is_cic:
            return None
        context = {"sections": community_interest_sections(facts), "signatures": True}
        return Document(kind, title, "documents/body/sections.html", {**context, "facts": facts})
    if kind.key == "incorporation-checklist":
        rows = incorporation_checklist(facts)
        return Document(kind, title, "documents/body/checklist.html", {"rows": rows, "facts": facts})
    context = {"sections": first_board_minutes(facts), "signatures": True, "chair_signs": True}
    return Document(kind, title, "documents/body/sections.html", {**context, "facts": facts})


async def _members_register(org: OrgContext, kind: DocumentKind, after: str) -> Document:
    constitution = await constitution_of(org.organisation_id)
    page = await register.register_page(org.organisation_id, per_page=MEMBERS_PART, after=after)
    for row in page.items:
        row["class_name"] = class_name(constitution, row["member_class"])
    shares = LegalForm(org.legal_form) is LegalForm.CIC_SHARES
    context = {"rows": page.items, "total": page.total, "shares": shares, "wide": True}
    return Document(kind, kind.title, "documents/body/register_of_members.html", context, page.after)


async def _directors_register(org: OrgContext, kind: DocumentKind, after: int) -> Document:
    state = await boards.board_state(org.organisation_id)
    rows: list[dict[str, Any]] = []
    next_after: int | None = max(after, 0)
    for _ in range(DIRECTOR_PAGES):
        page, next_after = await boards.register_page(org, next_after or 0)
        rows.extend(page)
        if next_after is None:
            break
    context = {"state": state, "rows": rows, "routes": boards.ROUTES, "endings": boards.ENDINGS, "wide": True}
    context["private"] = boards.is_manager(org)
    return Document(
        kind,
        kind.title,
        "documents/body/register_of_directors.html",
        context,
        str(next_after) if next_after else None,
    )


async def _application_form(org: OrgContext, kind: DocumentKind) -> Document:
    constitution = await constitution_of(org.organisation_id)
    record = (
        await FoundingRecord.select(FoundingRecord.registered_office)
        .where(FoundingRecord.organisation == org.organisation_id)
        .first()
    )
    context = {
        "constitution": constitution,
        "legal_form": LegalForm(org.legal_form),
        "return_address": record["registered_office"] if record else "",
    }
    return Document(kind, kind.title, "documents/body/application_form.html", context)


async def _community_report(org: OrgContext, kind: DocumentKind) -> Document | None:
    legal_form = LegalForm(org.legal_form)
    facts = await community_report.year_facts(org.organisation_id, today_in_london())
    if facts is None or not legal_form.is_cic:
        return None
    sections = community_report.report_sections(org.name, legal_form, facts)
    title = f"{kind.title}, year to {long_date(facts.end)}"
    return Document(kind, title, "documents/body/community_interest_report.html", {"sections": sections})


def version_asked(text: str) -> int | None:
    """A version number from a query string (`?version=2`); None for the version in force, and 0 (no such
    version) for anything that is not a small whole number."""
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 0


async def build_document(org: OrgContext, key: str, after: str = "", version: str = "") -> Document | None:
    """The document `key` of this organisation (None: it has no such document). `after` picks the part of
    a long register after the one shown before; `version` an earlier version of the articles (the
    articles are otherwise written from the version in force; the founding papers from version 1)."""
    kind = _BY_KEY.get(key)
    if kind is None:
        return None
    if kind.key == "register-of-members":
        return await _members_register(org, kind, after)
    if kind.key == "register-of-directors":
        position = int(after) if after.isascii() and after.isdigit() and len(after) < 10 else 0
        return await _directors_register(org, kind, position)
    if kind.key == "membership-application-form":
        return await _application_form(org, kind)
    if kind.key == "community-interest-report":
        return await _community_report(org, kind)
    if kind.key == "articles":
        facts = await founding_facts(org.organisation_id, version_asked(version))
        if facts is None:
            return None
        document = _founding_document(kind, facts)
        if document is not None:
            document.context["versions"] = await constitution_versions(org.organisation_id)
        return document
    facts = await founding_facts(org.organisation_id)
    return _founding_document(kind, facts) if facts is not None else None
