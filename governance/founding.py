"""Founding an organisation: the checks on the founders' answers (name, classes, founders, board) before
coop creates it from a model constitution. Problems are violations that stop it; flags (sensitive words in
the name) only say what needs approval from Companies House or the FCA.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from governance.board import AppointmentRoute, Director, board_composition_violations
from governance.constitution.schema import Constitution, LegalForm
from governance.violations import Violation

# A CIC's name must end with one of these (Companies (Audit, Investigations and Community Enterprise) Act
# 2004 s.33; the Welsh forms are allowed for a CIC whose registered office is in Wales).
CIC_SUFFIXES = ("Community Interest Company", "CIC", "Cwmni Buddiant Cymunedol", "CBC")

# Words Companies House says need approval before a name may use them (the Company, Limited Liability
# Partnership and Business (Names and Trading Disclosures) Regulations 2015, Schedule 1; Companies House
# guidance "Incorporation and names", annex A). A short list of the ones founders most often meet, not all.
SENSITIVE_WORDS = (
    "Accredit",
    "Association",
    "Authority",
    "Bank",
    "Board",
    "British",
    "Chamber",
    "Charity",
    "Charitable",
    "Co-operative",
    "Council",
    "England",
    "English",
    "Federation",
    "Foundation",
    "Fund",
    "Government",
    "Group",
    "Institute",
    "Institution",
    "International",
    "National",
    "NHS",
    "Police",
    "Royal",
    "Scotland",
    "Scottish",
    "Society",
    "Trust",
    "Trade Union",
    "United Kingdom",
    "University",
    "Wales",
    "Welsh",
)

_SUFFIX_PATTERN = re.compile(
    r"(?:^|\s)(" + "|".join(re.escape(s) for s in CIC_SUFFIXES) + r")\.?\s*$", re.IGNORECASE
)
# A society's name must end "Limited" or "Ltd" unless the FCA agrees otherwise; societies are flagged, not
# refused, because that agreement is common for co-operatives.
_LIMITED_PATTERN = re.compile(r"(?:^|\s)(Limited|Ltd)\.?\s*$", re.IGNORECASE)
_SOCIETY_MIN_MEMBERS = 3  # Co-operative and Community Benefit Societies Act 2014 s.2(2)(a)


@dataclass(frozen=True, slots=True)
class Founder:
    """A founding member as the founders describe them; `director` marks the first directors."""

    name: str
    member_class: str
    email: str = ""
    address: str = ""
    director: bool = False
    counts_as_user_led: bool = False
    """They agree to be counted as a disabled person, a person who uses support or a family carer."""
    secretary: bool = False
    """The founder who will be the secretary (and administrator in coop); exactly one is."""
    # A director's particulars for the register of directors and form IN01 (Companies Act 2006 s.163 and
    # s.165); `address` is the usual residential address, kept private.
    service_address: str = ""
    country_of_residence: str = ""
    nationality: str = ""
    occupation: str = ""
    date_of_birth: date | None = None


@dataclass(frozen=True, slots=True)
class FoundingAnswers:
    """Everything the founders answer to create an organisation from a model constitution."""

    name: str
    slug: str
    legal_form: str
    objects: str
    community: str
    year_end_month: int
    year_end_day: int
    registered_office: str
    member_classes: tuple[str, ...]
    founders: tuple[Founder, ...]
    asset_locked_body: str = ""
    adopted_on: date | None = None


@dataclass(frozen=True, slots=True)
class FoundingCheck:
    """What the checks found: `violations` stop the founding; `flags` are things to get approved."""

    violations: tuple[Violation, ...]
    flags: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def has_cic_suffix(name: str) -> bool:
    return _SUFFIX_PATTERN.search(name.strip()) is not None


def name_violations(name: str, legal_form: LegalForm) -> list[Violation]:
    """What makes the name unusable for this legal form."""
    name = name.strip()
    if not name:
        return [Violation("founding.name_missing", "Enter the organisation's name.")]
    found: list[Violation] = []
    if len(name) > 160:
        found.append(Violation("founding.name_too_long", "The name must be 160 characters or fewer."))
    if legal_form.is_cic and not has_cic_suffix(name):
        found.append(
            Violation(
                "founding.cic_name_suffix",
                f'The name "{name}" must end with "Community Interest Company" or "CIC" (or, in Wales, '
                '"Cwmni Buddiant Cymunedol" or "CBC"): the law requires it of every CIC.',
            )
        )
    if not legal_form.is_cic and has_cic_suffix(name):
        found.append(
            Violation(
                "founding.cic_name_not_cic",
                f'The name "{name}" ends like a community interest company\'s, but a '
                f"{legal_form.plain_name} may not use that ending.",
            )
        )
    return found


def name_flags(name: str, legal_form: LegalForm) -> list[Violation]:
    """Words in the name that need approval first: flagged, not refused."""
    flags = []
    for word in SENSITIVE_WORDS:
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", name, re.IGNORECASE):
            flags.append(
                Violation(
                    "founding.sensitive_word",
                    f'The name uses "{word}", a sensitive word: Companies House (or the FCA for a society) '
                    "must approve it, and may ask for a letter of support from the body concerned.",
                )
            )
    if legal_form.is_society and not _LIMITED_PATTERN.search(name.strip()):
        flags.append(
            Violation(
                "founding.society_limited",
                'A society\'s name usually ends with "Limited" or "Ltd"; leaving it out needs the FCA\'s '
                "agreement.",
            )
        )
    return flags


def first_board(answers: FoundingAnswers, term_start: date) -> list[Director]:
    """The founders who will be directors, as the composition rules see them."""
    return [
        Director(
            id=str(i),
            name=f.name,
            term_start=term_start,
            classes=frozenset({f.member_class}),
            user_led_consent=f.counts_as_user_led,
            route=AppointmentRoute.ELECTED,
        )
        for i, f in enumerate(answers.founders)
        if f.director
    ]


def founding_check(model: Constitution, answers: FoundingAnswers, today: date) -> FoundingCheck:
    """Every problem with the answers for this model constitution, and every name flag."""
    found: list[Violation] = []
    form = model.legal_form
    if answers.legal_form != form.value:
        found.append(
            Violation(
                "founding.legal_form",
                f"This model constitution is for a {form.plain_name}; the answers say "
                f'"{answers.legal_form}".',
            )
        )
    found += name_violations(answers.name, form)
    for field, label in (
        ("objects", "what the organisation is for (its objects)"),
        ("community", "the community it serves"),
        ("registered_office", "the registered office address"),
    ):
        if not str(getattr(answers, field)).strip():
            found.append(Violation(f"founding.{field}_missing", f"Enter {label}."))
    try:
        date(2024, answers.year_end_month, answers.year_end_day)  # a leap year: 29 February is a year end
    except ValueError:
        found.append(
            Violation("founding.year_end", "The year end must be a real day of the year, such as 31 March.")
        )
    if form.is_cic and not answers.asset_locked_body.strip():
        found.append(
            Violation(
                "founding.asset_locked_body",
                "Name the asset-locked body (a charity or another CIC) to receive the assets if the CIC "
                "closes.",
            )
        )
    found += _class_violations(model, answers)
    found += _founder_violations(model, answers)
    found += _secretary_violations(answers)
    for number, founder in enumerate(answers.founders, start=1):
        if founder.director:
            found += director_particulars_violations(founder, number, today)
    directors = first_board(answers, today)
    if directors:
        found += board_composition_violations(model, directors)
    return FoundingCheck(tuple(found), tuple(name_flags(answers.name, form)))


def _class_violations(model: Constitution, answers: FoundingAnswers) -> list[Violation]:
    known = {mc.key for mc in model.member_classes}
    found = [
        Violation(
            "founding.unknown_class",
            f'"{key}" is not a member class in this model constitution; choose from '
            f"{', '.join(sorted(known))}.",
        )
        for key in answers.member_classes
        if key not in known
    ]
    if not answers.member_classes:
        found.append(Violation("founding.no_classes", "Choose at least one member class."))
    for rule in model.board.classes:
        if rule.min > 0 and rule.key not in answers.member_classes:
            found.append(
                Violation(
                    "founding.required_class",
                    f"The constitution needs at least {rule.min} {model.class_plural(rule.key)} on the "
                    "board, so that member class must be open.",
                )
            )
    return found


def _founder_violations(model: Constitution, answers: FoundingAnswers) -> list[Violation]:
    found: list[Violation] = []
    chosen = set(answers.member_classes)
    names: set[str] = set()
    emails: set[str] = set()
    for number, founder in enumerate(answers.founders, start=1):
        who = founder.name.strip() or f"Founder {number}"
        if not founder.name.strip():
            found.append(Violation("founding.founder_name", f"Enter the name of founder {number}."))
        elif founder.name.strip().casefold() in names:
            found.append(Violation("founding.founder_twice", f"{who} is listed twice."))
        names.add(founder.name.strip().casefold())
        email = founder.email.strip().casefold()
        if email and email in emails:
            found.append(
                Violation("founding.email_twice", f"{who} has the same email address as another founder.")
            )
        emails.add(email)
        if founder.member_class not in chosen:
            found.append(
                Violation(
                    "founding.founder_class",
                    f'{who} is in the member class "{founder.member_class}", which is not one of the '
                    "classes chosen.",
                )
            )
        elif not any(mc.key == founder.member_class and mc.can_vote for mc in model.member_classes):
            found.append(
                Violation(
                    "founding.founder_class",
                    f"{who} is a {founder.member_class.replace('_', ' ')}, a class that cannot vote; "
                    "founders must be voting members.",
                )
            )
    fewest = _SOCIETY_MIN_MEMBERS if model.legal_form.is_society else 1
    if len(answers.founders) < fewest:
        found.append(
            Violation(
                "founding.too_few_founders",
                f"A {model.legal_form.plain_name} needs at least {fewest} founding "
                f"{'member' if fewest == 1 else 'members'}; the answers list {len(answers.founders)}.",
            )
        )
    if not any(f.director for f in answers.founders):
        found.append(Violation("founding.no_directors", "Say which founders will be the first directors."))
    return found


def _secretary_violations(answers: FoundingAnswers) -> list[Violation]:
    secretaries = [f for f in answers.founders if f.secretary]
    if not secretaries:
        return [Violation("founding.no_secretary", "Say which founder will be the secretary.")]
    if len(secretaries) > 1:
        return [Violation("founding.secretary_twice", "Choose one founder to be the secretary, not several.")]
    if not secretaries[0].email.strip():
        who = secretaries[0].name.strip() or "The secretary"
        return [
            Violation(
                "founding.secretary_email",
                f"{who} will be the secretary, so coop needs their email address for them to sign in.",
            )
        ]
    return []


# Companies Act 2006 s.157: a director must be at least 16.
DIRECTOR_MIN_AGE = 16


def director_particulars_violations(founder: Founder, number: int, today: date) -> list[Violation]:
    """What the register of directors (and form IN01) still needs about a founding director."""
    who = founder.name.strip() or f"Founder {number}"
    found = [
        Violation(f"founding.director_{field}", f"Enter {who}'s {label}.")
        for field, label in (
            ("nationality", "nationality"),
            ("country_of_residence", "country of residence"),
            ("occupation", 'occupation (or "none")'),
            ("address", "usual residential address"),
        )
        if not str(getattr(founder, field)).strip()
    ]
    born = founder.date_of_birth
    if born is None:
        found.append(Violation("founding.director_date_of_birth", f"Enter {who}'s date of birth."))
    elif born > today or age_on(born, today) < DIRECTOR_MIN_AGE:
        found.append(
            Violation(
                "founding.director_too_young",
                f"{who} must be {DIRECTOR_MIN_AGE} or over to be a director (Companies Act 2006, "
                "section 157).",
            )
        )
    return found


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def founding_constitution(model: Constitution, answers: FoundingAnswers) -> Constitution:
    """Constitution version 1: the model's rules, with the founders' asset-locked body if they named one."""
    body = answers.asset_locked_body.strip()
    if not body:
        return model
    return replace(model, asset_lock=replace(model.asset_lock, specified_bodies=(body,)))


def slug_from_name(name: str) -> str:
    """A web address from the name: "Riverside Support CIC" becomes "riverside-support-cic"."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return "-".join(words)[:60].strip("-")
