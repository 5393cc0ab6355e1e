"""The words of the founding documents, built from the founders' answers and the constitution (version 1
for the founding papers, the version in force, or an earlier one asked for, for the articles):
the articles of association (companies) or rules (societies) with their mandatory clauses, the community
interest statement in the sections of form CIC36, and the checklist of the incorporation details. Pure:
facts in, headed sections of plain-English paragraphs out, shown as a page and as a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from governance.constitution import Constitution, LegalForm
from governance.constitution.amend import show_value
from governance.constitution.explain import rule_sections

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
SOCIETIES_ACT = "the Co-operative and Community Benefit Societies Act 2014"
SHARE_LIMIT = "£100,000"  # the most an individual may hold in withdrawable shares (2014 Act s.24)
ASSET_LOCKED_BODY_MEANING = (
    '"Asset-locked body" means a community interest company, a charity or a Scottish charity, or a body '
    "established outside Great Britain that is equivalent to any of those."
)


@dataclass(frozen=True, slots=True)
class FounderFacts:
    """A founding member as the founders gave them (the answers file)."""

    name: str
    member_class: str
    address: str
    director: bool


@dataclass(frozen=True, slots=True)
class FoundingFacts:
    """Everything the founding documents say, read once from the organisation and its founding record."""

    name: str
    legal_form: LegalForm
    constitution: Constitution
    model_name: str
    adopted_on: date
    year_end_month: int
    year_end_day: int
    objects: str
    community: str
    registered_office: str
    asset_locked_body: str
    founders: tuple[FounderFacts, ...]
    company_number: str = ""
    version: int = 1
    """The version of the constitution `constitution` is (the articles are written from it)."""
    version_adopted_on: date | None = None
    version_adopted_by: str = ""

    @property
    def year_end(self) -> str:
        if not 1 <= self.year_end_month <= 12:
            return "not set"
        return f"{self.year_end_day} {MONTHS[self.year_end_month - 1]}"

    @property
    def directors(self) -> tuple[FounderFacts, ...]:
        return tuple(f for f in self.founders if f.director)

    @property
    def is_society(self) -> bool:
        return self.legal_form.is_society

    def class_name(self, key: str) -> str:
        member_class = self.constitution.member_class(key)
        return member_class.name if member_class else key.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Section:
    """A headed part of a document: numbered clauses or plain paragraphs."""

    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    """One field of a filing form: what it asks, the answer from the founders, and whether it is done."""

    field: str
    answer: str
    done: bool
    note: str = ""


def long_date(on: date) -> str:
    return f"{on.day} {MONTHS[on.month - 1]} {on.year}"


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}" + (f".{pence % 100:02d}" if pence % 100 else "")


def _founders_words(facts: FoundingFacts) -> str:
    return ", ".join(d.name for d in facts.directors) or "none named"


def _cic_clauses(facts: FoundingFacts) -> list[Section]:
    """The clauses every CIC's articles must have (CIC Regulations 2005, Schedules 1 to 3)."""
    bodies = facts.constitution.asset_lock.specified_bodies
    named = facts.asset_locked_body or (bodies[0] if bodies else "")
    lock = [
        "The company shall not transfer any of its assets other than for full consideration.",
        "Provided the conditions in this article are met, that does not apply to: (a) the transfer of assets "
        "to any specified asset-locked body, or (with the consent of the Regulator) to any other "
        "asset-locked "
        "body; and (b) the transfer of assets made for the benefit of the community other than by way of a "
        "transfer of assets into an asset-locked body.",
        f"The specified asset-locked body is {named}." if named else "No asset-locked body is specified yet.",
        ASSET_LOCKED_BODY_MEANING,
        "If the company is wound up, its residual assets shall be given to the specified asset-locked body "
        "or, with the Regulator's consent, to another asset-locked body; never to the members.",
    ]
    sections = [
        Section(
            "Community interest company",
            ("The company is to be a community interest company.",),
        ),
        Section("Asset lock", tuple(lock)),
    ]
    cap = facts.constitution.asset_lock.dividend_cap
    if facts.legal_form is LegalForm.CIC_SHARES:
        dividends = (
            f"Dividends may be paid to members only within the cap: in total at most {show_value(cap)} of "
            "the "
            "company's distributable profits for the year, and never more than the Regulations allow."
            if cap is not None
            else "No dividend may be paid to members other than asset-locked bodies."
        )
        sections.append(Section("Dividends", (dividends,)))
    else:
        sections.append(
            Section(
                "No dividends", ("The company shall not pay dividends or distribute profits to members.",)
            ),
        )
    return sections


def _company_opening(facts: FoundingFacts) -> list[Section]:
    c = facts.constitution
    if facts.legal_form is LegalForm.CIC_SHARES:
        liability = "The liability of the members is limited to the amount, if any, unpaid on their shares."
        model = "private companies limited by shares"
    else:
        liability = (
            f"The liability of each member is limited to {_pounds(c.membership.guarantee_pence)}, the amount "
            "each member undertakes to contribute to the assets of the company if it is wound up while they "
            "are a member or within one year after they stop being a member."
        )
        model = "private companies limited by guarantee"
    objects = (
        "The objects of the company are to carry on activities which benefit the community and in "
        f"particular (without limitation): {facts.objects}"
        if facts.legal_form.is_cic
        else f"The objects of the company are: {facts.objects}"
    )
    return [
        Section(
            "Name and interpretation",
            (
                f"The company's name is {facts.name}.",
                'In these articles "the Act" means the Companies Act 2006. Where these articles say nothing, '
                f"the model articles for {model} (the Companies (Model Articles) Regulations 2008) apply.",
            ),
        ),
        Section("Objects", (objects,)),
        Section("Liability of members", (liability,)),
    ]


def _society_opening(facts: FoundingFacts) -> list[Section]:
    co_op = facts.legal_form is LegalForm.COOPERATIVE_SOCIETY
    kind = (
        "The society is a bona fide co-operative society: it is run for the mutual benefit of its members, "
        "who control it democratically with one member, one vote, and membership is open to everyone who "
        "can use its services and accept the responsibilities of membership."
        if co_op
        else "The society is a community benefit society: its business is run for the benefit of the "
        "community."
    )
    return [
        Section(
            "Name, registration and office",
            (
                f"The society's name is {facts.name}. It is registered under {SOCIETIES_ACT}.",
                f"The society's registered office is at {facts.registered_office}.",
            ),
        ),
        Section("Objects", (f"The objects of the society are: {facts.objects}", kind)),
        Section(
            "Shares",
            (
                "Every member holds one membership share of £1, which cannot be withdrawn or transferred and "
                "is cancelled when membership ends.",
                f"No member other than a registered society may hold shares worth more than {SHARE_LIMIT}, "
                "the most the Act allows.",
            ),
        ),
    ]


def _society_closing(facts: FoundingFacts) -> list[Section]:
    lock = facts.constitution.asset_lock
    dissolution = (
        "If the society is dissolved, its residual assets go to "
        + ("; ".join(lock.specified_bodies) if lock.specified_bodies else "another body with similar objects")
        + ", and are never shared among the members."
        if lock.asset_locked
        else "If the society is dissolved, its residual assets go to another co-operative or community "
        "body with similar objects chosen by the members, and are not shared among the members."
    )
    return [
        Section(
            "Withdrawal of members",
            ("A member may withdraw by giving the secretary notice in writing, as the rules above say.",),
        ),
        Section(
            "Borrowing and investment",
            (
                "The society may borrow money, up to a limit the members set at a general meeting, on terms "
                "the board decides.",
                "The society may invest its funds in any way the Act permits.",
            ),
        ),
        Section(
            "Application of profits",
            (
                "Profits are used, in the order the members decide at the annual general meeting: to keep "
                "the society's business sound; for community or social purposes; and to members in "
                "proportion "
                "to their dealings with the society, never in proportion to their capital.",
            ),
        ),
        Section(
            "Audit, annual return and seal",
            (
                "The society shall appoint an auditor each year, unless the members resolve to disapply the "
                "audit as the Act allows.",
                "The secretary sends the annual return and accounts to the Financial Conduct Authority.",
                "If the society has a seal, the secretary keeps it.",
            ),
        ),
        Section(
            "Changing these rules",
            (
                "These rules may be changed only by a special resolution of the members; a change takes "
                "effect when the Financial Conduct Authority registers it.",
            ),
        ),
        Section("Dissolution", (dissolution,)),
    ]


def articles_title(facts: FoundingFacts) -> str:
    return f"Rules of {facts.name}" if facts.is_society else f"Articles of association of {facts.name}"


def articles_sections(facts: FoundingFacts) -> tuple[Section, ...]:
    """The articles (or a society's rules): the mandatory clauses for the legal form, then the rules the
    organisation runs by, from its constitution's data, then the first directors."""
    opening = [_version_section(facts)]
    opening += _society_opening(facts) if facts.is_society else _company_opening(facts)
    if facts.legal_form.is_cic:
        opening += _cic_clauses(facts)
    rules = [Section(s.heading, s.sentences) for s in rule_sections(facts.constitution)]
    directors = Section(
        "The first directors",
        (
            f"The first directors are {_founders_words(facts)}. They hold office from "
            f"{long_date(facts.adopted_on)} "
            "until their terms end as these articles say.",
        ),
    )
    closing = _society_closing(facts) if facts.is_society else []
    return (*opening, *rules, directors, *closing)


def _version_section(facts: FoundingFacts) -> Section:
    """Which version of the constitution these articles are, and since when, so a printed copy says."""
    adopted = long_date(facts.version_adopted_on or facts.adopted_on)
    if facts.version == 1:
        how = "when the organisation was set up"
    else:
        how = f"by {facts.version_adopted_by[:1].lower()}{facts.version_adopted_by[1:]}".rstrip()
        how = how if facts.version_adopted_by else "by resolution"
    kind = "rules" if facts.is_society else "articles"
    return Section(
        "This version",
        (f"These {kind} are version {facts.version} of the constitution, adopted on {adopted} {how}.",),
    )


def community_interest_sections(facts: FoundingFacts) -> tuple[Section, ...]:
    """Form CIC36's sections A (the community), B (activities, benefit, surplus) and C (declarations).
    Section D, the signatures, is the table of directors after these."""
    if facts.legal_form is LegalForm.CIC_SHARES and facts.constitution.asset_lock.dividend_cap is not None:
        surplus = (
            "Any surplus will mainly be reinvested in these activities for the community. A capped dividend "
            f"(in total at most {show_value(facts.constitution.asset_lock.dividend_cap)} of distributable "
            "profits) may be paid to shareholders."
        )
    else:
        surplus = "Any surplus will be reinvested in these activities for the community."
    if facts.asset_locked_body:
        surplus += f" If the company closes, its assets go to {facts.asset_locked_body}."
    return (
        Section(
            "Section A: the community the company will benefit",
            (f"Company name: {facts.name}", facts.community),
        ),
        Section(
            "Section B: the company's activities and how they will benefit the community",
            (
                facts.objects,
                "The people the company serves control it: they are its members and hold seats on its board "
                "as its articles require, so the benefit goes to the wider community they belong to, not "
                "only to the company's members.",
                surplus,
            ),
        ),
        Section(
            "Section C: declarations",
            (
                "We, the first directors, declare that the company will not be an excluded company: it is "
                "not, "
                "and will not be controlled by, a political party or a political campaigning organisation.",
                "We declare that the company's activities will be carried on for the benefit of the "
                "community "
                "described above, and not only for its members or the employees of one employer.",
            ),
        ),
    )


def incorporation_checklist(facts: FoundingFacts) -> tuple[ChecklistRow, ...]:
    """The fields of form IN01 (companies) or the FCA's registration form (societies), each with the
    founders' answer filled in, or what the founders still have to add."""
    if facts.is_society:
        return _society_checklist(facts)
    shares = facts.legal_form is LegalForm.CIC_SHARES
    kind = "Private company limited by " + ("shares" if shares else "guarantee")
    subscribers = "; ".join(f"{f.name}, {f.address}" if f.address else f.name for f in facts.founders)
    directors = "; ".join(d.name for d in facts.directors)
    rows = [
        ChecklistRow("Company name", facts.name, True),
        ChecklistRow("Company type", kind, True),
        ChecklistRow(
            "Community interest company",
            "Yes: form CIC36 goes with the application" if facts.legal_form.is_cic else "No",
            True,
        ),
        ChecklistRow("Registered office address", facts.registered_office, bool(facts.registered_office)),
        ChecklistRow(
            "Where the registered office is",
            "",
            False,
            "Choose England and Wales, Wales, Scotland or Northern Ireland.",
        ),
        ChecklistRow("Registered email address", "", False, "Companies House does not publish it."),
        ChecklistRow(
            "Nature of business (SIC code)",
            "",
            False,
            "For example 88100, social work activities without accommodation for the elderly and disabled.",
        ),
        ChecklistRow("Articles of association", "Bespoke articles: the articles coop made", True),
        ChecklistRow("Accounting reference date (year end)", facts.year_end, 1 <= facts.year_end_month <= 12),
        ChecklistRow(
            "Directors",
            directors,
            bool(directors),
            "Each director verifies their identity and gives a service address, country of residence, "
            "nationality, occupation and date of birth.",
        ),
        ChecklistRow(
            "People with significant control",
            "",
            False,
            "Usually none where no member holds more than 25% of the votes: say so in the statement.",
        ),
        ChecklistRow(
            "Statement of capital and initial shareholdings" if shares else "Statement of guarantee",
            (
                "Each subscriber takes at least one share"
                if shares
                else f"Each subscriber guarantees {_pounds(facts.constitution.membership.guarantee_pence)}"
            ),
            True,
        ),
        ChecklistRow("Subscribers (founding members)", subscribers, bool(subscribers)),
        ChecklistRow("Statement of lawful purpose", "", False, "Every subscriber agrees to it when filing."),
    ]
    return tuple(rows)


def _society_checklist(facts: FoundingFacts) -> tuple[ChecklistRow, ...]:
    founders = "; ".join(f"{f.name}, {f.address}" if f.address else f.name for f in facts.founders)
    kind = (
        "Co-operative society"
        if facts.legal_form is LegalForm.COOPERATIVE_SOCIETY
        else "Community benefit society"
    )
    return (
        ChecklistRow("Society name", facts.name, True, "It ends with Limited unless the FCA agrees."),
        ChecklistRow("Type of society", kind, True),
        ChecklistRow("Registered office address", facts.registered_office, bool(facts.registered_office)),
        ChecklistRow("Rules", "The rules coop made from your answers", True),
        ChecklistRow("Year end", facts.year_end, 1 <= facts.year_end_month <= 12),
        ChecklistRow(
            "At least three founding members", founders, len(facts.founders) >= 3, "Each signs the rules."
        ),
        ChecklistRow("Secretary", "", False, "Name the person who will be the society's secretary."),
        ChecklistRow("Registration fee", "", False, "Pay the FCA's fee for registering new rules."),
    )


def first_board_minutes(facts: FoundingFacts) -> tuple[Section, ...]:
    """A draft of the minutes of the first board meeting: what the first directors decide on the day the
    constitution is adopted, filled in from the answers, for the secretary to correct and the chair to
    sign."""
    spending = facts.constitution.spending
    number = f" with number {facts.company_number}" if facts.company_number else ""
    form = "rules" if facts.is_society else "articles of association"
    items = [
        Section(
            "1. Present",
            (
                "The first directors: " + _founders_words(facts) + ".",
                "The directors chose a chair for the meeting, who confirmed that a quorum was present.",
            ),
        ),
        Section(
            "2. Registration",
            (
                f"The chair reported that {facts.name} was registered as a "
                f"{facts.legal_form.plain_name}{number}, "
                f"with the {form} made from the model constitution ({facts.constitution.name}), adopted on "
                f"{long_date(facts.adopted_on)}.",
            ),
        ),
        Section(
            "3. Directors and the board's make-up",
            (
                "The directors noted that each of them consents to act, and that the board meets the make-up "
                "its constitution requires. Each director declared any interests for the register of "
                "interests.",
            ),
        ),
        Section(
            "4. Members",
            (
                f"Resolved that the {len(facts.founders)} founding members be entered in the register of "
                "members from the day the constitution was adopted.",
            ),
        ),
        Section("5. Registered office", (f"Resolved: the registered office is {facts.registered_office}.",)),
        Section("6. Financial year", (f"Resolved: the financial year ends on {facts.year_end} each year.",)),
        Section(
            "7. Bank account and approvals",
            (
                "Resolved to open a bank account in the organisation's name. Payments of "
                f"{_pounds(spending.two_person_threshold_pence)} or more need two people to approve them, as "
                "the constitution says.",
            ),
        ),
    ]
    if facts.legal_form.is_cic and facts.asset_locked_body:
        items.append(
            Section(
                "8. Asset lock",
                (f"The directors noted that the specified asset-locked body is {facts.asset_locked_body}.",),
            )
        )
    items.append(
        Section(
            f"{len(items) + 1}. Registers and next meeting",
            (
                "Resolved that the registers of members and directors are kept in coop and printed when "
                "needed.",
                "The next board meeting will be held on a date the chair sets, with the notice the "
                "constitution "
                "requires.",
            ),
        )
    )
    return tuple(items)
