"""The /start journey's service: the answers a person has given so far (a draft kept server-side, so
they can stop and come back), each page's answer checked and saved, and "create" handing the same answers
file `coop create-org` reads to the same `found_from_text`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

from coop import clock
from coop.audit.service import Actor
from coop.db import write_transaction
from coop.form_values import whole_number
from coop.organisations.tables import Organisation
from coop.setup import start_forms as forms
from coop.setup.answers import read_answers
from coop.setup.answers_file import answers_toml
from coop.setup.service import Founded, found_from_text
from coop.setup.tables import FoundingDraft
from governance.board import board_composition_violations
from governance.constitution import Constitution, LegalForm
from governance.constitutions import load_model_constitution, model_constitution_names
from governance.founding import FoundingAnswers, first_board, founding_check, name_flags, slug_from_name
from governance.violations import RuleViolationError, Violation

# The question pages in the order they are asked; "founders" is a list with a page per founder.
PAGES = (
    "model",
    "name",
    "web-address",
    "objects",
    "community",
    "classes",
    "founders",
    "secretary",
    "asset-lock",
    "year-end",
    "office",
    "check",
)
QUESTIONS = frozenset(PAGES) - {"founders", "check"}
NEEDS_MODEL = frozenset(PAGES) - {"model"}
NEEDS_FOUNDERS = frozenset({"secretary"})


@cache
def models() -> dict[str, Constitution]:
    """The model constitutions founders choose from, by key."""
    return {key: load_model_constitution(key) for key in model_constitution_names()}


@dataclass(frozen=True, slots=True)
class Draft:
    """What a person has answered so far; `founded` is the organisation their last draft created."""

    answers: dict[str, Any]
    founded: dict[str, Any] | None = None

    @property
    def model(self) -> Constitution | None:
        return models().get(str(self.answers.get("model", "")))

    @property
    def legal_form(self) -> LegalForm:
        model = self.model
        return model.legal_form if model else LegalForm.CIC_GUARANTEE

    @property
    def founders(self) -> list[dict[str, Any]]:
        return list(self.answers.get("founders", []))

    @property
    def started(self) -> bool:
        return bool(self.answers)


# The answer each question page gives, to find the first question not answered yet.
_ANSWER_OF = {
    "model": "model",
    "name": "name",
    "web-address": "slug",
    "objects": "objects",
    "community": "community",
    "classes": "member_classes",
    "founders": "founders",
    "asset-lock": "asset_locked_body",
    "year-end": "year_end",
    "office": "registered_office",
}


def resume_page(draft: Draft) -> str:
    """Where "continue where you left off" goes: the first question not answered yet, else the check."""
    for page in PAGES:
        if page == "secretary":
            if draft.founders and not any(f.get("secretary") for f in draft.founders):
                return page
        elif (
            page in _ANSWER_OF
            and not draft.answers.get(_ANSWER_OF[page])
            and (page != "asset-lock" or "asset_locked_body" not in draft.answers)
        ):
            return page
    return "check"


def previous_page(page: str) -> str:
    index = PAGES.index(page) if page in PAGES else 0
    return PAGES[index - 1] if index > 0 else ""


def next_page(page: str) -> str:
    return PAGES[PAGES.index(page) + 1]


async def load_draft(person_id: int) -> Draft:
    row = (
        await FoundingDraft.select(
            FoundingDraft.answers,
            FoundingDraft.founded.slug.as_alias("slug"),
            FoundingDraft.founded.name.as_alias("name"),
        )
        .where(FoundingDraft.person == person_id)
        .first()
    )
    if row is None:
        return Draft({})
    founded = {"slug": row["slug"], "name": row["name"]} if row["slug"] else None
    return Draft(json.loads(row["answers"] or "{}"), founded)


async def _store(person_id: int, answers: dict[str, Any], founded: int | None = None) -> None:
    text = json.dumps(answers, ensure_ascii=False)
    now = clock.now()
    await FoundingDraft.insert(
        FoundingDraft(person=person_id, answers=text, founded=founded, updated_at=now)
    ).on_conflict(
        target=FoundingDraft.person,
        action="DO UPDATE",
        values=[FoundingDraft.answers, FoundingDraft.founded, FoundingDraft.updated_at],
    )


async def _save(person_id: int, changes: dict[str, Any]) -> None:
    async with write_transaction():
        draft = await load_draft(person_id)
        await _store(person_id, {**draft.answers, **changes})


async def start_again(person_id: int) -> None:
    """Forget the draft (and which organisation the last one created)."""
    await FoundingDraft.delete().where(FoundingDraft.person == person_id)


async def _slug_taken(slug: str) -> bool:
    return bool(await Organisation.exists().where(Organisation.slug == slug))


# Pages that ask for one piece of required text: (field, most characters, error if empty, what it is).
_TEXT_PAGES = {
    "objects": ("objects", forms.LONG_TEXT, "Enter what the organisation is for", "what it is for"),
    "community": ("community", forms.LONG_TEXT, "Enter the community it serves", "the community"),
    "office": ("registered_office", forms.ADDRESS_TEXT, "Enter the registered office address", "the address"),
}


async def answer_question(person_id: int, page: str, form: Any) -> forms.Errors:
    """Check one question page's answer and save it in the draft; the errors, if any (nothing saved)."""
    draft = await load_draft(person_id)
    model = draft.model
    changes: dict[str, Any]
    if page == "model":
        changes, errors = forms.read_model(form, models())
        if not errors and changes["model"] != draft.answers.get("model"):
            changes["member_classes"] = []  # another model has other classes: choose them again
    elif model is None:
        return {"model": "Choose the model constitution first"}
    elif page == "name":
        changes, errors = forms.read_name(form, model.legal_form)
    elif page == "web-address":
        changes, errors = forms.read_slug(form)
        if not errors and await _slug_taken(changes["slug"]):
            errors = {
                "slug": f"/o/{changes['slug']}/ is already used by another organisation; choose another"
            }
    elif page in _TEXT_PAGES:
        name, limit, missing, what = _TEXT_PAGES[page]
        changes, errors = forms.read_required_text(form, name, limit, missing, what)
    elif page == "classes":
        changes, errors = forms.read_classes(form, model)
    elif page == "secretary":
        number, errors = forms.read_secretary(form, draft.founders)
        changes = {"founders": [{**f, "secretary": i == number} for i, f in enumerate(draft.founders, 1)]}
    elif page == "asset-lock":
        changes, errors = forms.read_asset_lock(form, model.legal_form)
    elif page == "year-end":
        changes, errors = forms.read_year_end(form)
    else:
        return {"model": "There is no such question"}
    if not errors:
        await _save(person_id, changes)
    return errors


def suggested_slug(draft: Draft) -> str:
    return str(draft.answers.get("slug") or slug_from_name(str(draft.answers.get("name", ""))))


async def save_founder(person_id: int, number: int | None, form: Any) -> tuple[int, forms.Errors]:
    """Add a founder (`number` None) or change founder `number` (from 1); their number, or the errors."""
    draft = await load_draft(person_id)
    founders = draft.founders
    if number is not None and not 1 <= number <= len(founders):
        return 0, {"name": "There is no such founder; go back to the list of founders"}
    if number is None and len(founders) >= forms.MAX_FOUNDERS:
        return 0, {
            "name": f"You can add up to {forms.MAX_FOUNDERS} founders here; add other members once the "
            "organisation exists"
        }
    others = [f for i, f in enumerate(founders, 1) if i != number]
    founder, errors = forms.read_founder(form, list(draft.answers.get("member_classes", [])), others)
    if errors:
        return 0, errors
    if number is None:
        founders.append(founder)
        number = len(founders)
    else:
        # Keep what the other pages answered about them (particulars, secretary).
        founders[number - 1] = {**founders[number - 1], **founder}
    await _save(person_id, {"founders": founders})
    return number, {}


async def save_director(person_id: int, number: int, form: Any, today: date) -> forms.Errors:
    """A founding director's particulars for the register of directors."""
    draft = await load_draft(person_id)
    founders = draft.founders
    if not 1 <= number <= len(founders):
        return {"nationality": "There is no such founder; go back to the list of founders"}
    values, errors = forms.read_director(form, today)
    if errors:
        return errors
    founders[number - 1] = {**founders[number - 1], **values}
    await _save(person_id, {"founders": founders})
    return {}


async def remove_founder(person_id: int, number: int) -> bool:
    draft = await load_draft(person_id)
    founders = draft.founders
    if not 1 <= number <= len(founders):
        return False
    del founders[number - 1]
    await _save(person_id, {"founders": founders})
    return True


def founding_answers(draft: Draft) -> FoundingAnswers:
    """The draft as `coop create-org` would read it from an answers file."""
    read = read_answers(answers_toml(draft.answers))
    assert read.answers is not None  # the writer only writes what the reader reads
    return read.answers


async def preview_founder(person_id: int, form: Any) -> Draft:
    """The draft as it would be with the founder on the form (added, or founder `editing` changed), for
    showing the board's composition while the form is filled in. Nothing is saved."""
    draft = await load_draft(person_id)
    founders = draft.founders
    founder, _ = forms.read_founder(form, list(draft.answers.get("member_classes", [])), [])
    number = whole_number(str(form.get("editing", ""))[:20], low=1, high=max(len(founders), 1))
    if number is not None and number <= len(founders):
        founders[number - 1] = {**founders[number - 1], **founder}
    elif len(founders) < forms.MAX_FOUNDERS:
        founders.append(founder)
    return replace(draft, answers={**draft.answers, "founders": founders})


def board_status(draft: Draft, today: date) -> list[str]:
    """The composition rules the founding directors break so far, in plain English (empty: none)."""
    model = draft.model
    if model is None:
        return []
    directors = first_board(founding_answers(draft), today)
    return [v.message for v in board_composition_violations(model, directors)] if directors else []


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What is still wrong with the answers (each with the page that puts it right) and the name flags."""

    problems: tuple[tuple[Violation, str], ...]
    flags: tuple[Violation, ...] = field(default=())


_PAGE_OF = (
    ("founding.legal_form", "model"),
    ("founding.slug", "web-address"),
    ("founding.name", "name"),
    ("founding.cic_name", "name"),
    ("founding.objects", "objects"),
    ("founding.community", "community"),
    ("founding.year_end", "year-end"),
    ("founding.registered_office", "office"),
    ("founding.asset_locked_body", "asset-lock"),
    ("founding.unknown_class", "classes"),
    ("founding.no_classes", "classes"),
    ("founding.required_class", "classes"),
    ("founding.no_secretary", "secretary"),
    ("founding.secretary", "secretary"),
    ("founding.not_a_founder", "founders"),
)


def page_for(violation: Violation) -> str:
    """The question page where the founder puts this problem right (founders and board: the list)."""
    for prefix, page in _PAGE_OF:
        if violation.code.startswith(prefix):
            return page
    return "founders"


def _not_a_founder(draft: Draft, email: str, is_site_admin: bool) -> list[Violation]:
    # Anyone may start their own organisation; only a site admin may start one for other people.
    if is_site_admin or any(f.get("email") == email.lower() for f in draft.founders):
        return []
    return [
        Violation(
            "founding.not_a_founder",
            f"Add yourself as a founder, with the email address you sign in with ({email}): you are "
            "starting this organisation, so you are one of its first members.",
        )
    ]


async def check_draft(draft: Draft, email: str, is_site_admin: bool, today: date) -> CheckResult:
    """Everything `found_organisation` would refuse, found before anyone presses "create"."""
    model = draft.model
    if model is None:
        problem = Violation("founding.legal_form", "Choose the model constitution to start from.")
        return CheckResult(((problem, "model"),))
    answers = founding_answers(draft)
    check = founding_check(model, answers, today)
    found = [*check.violations, *_not_a_founder(draft, email, is_site_admin)]
    slug = answers.slug or slug_from_name(answers.name)
    if slug and await _slug_taken(slug):
        found.append(Violation("founding.slug_taken", f"The web address /o/{slug}/ is already used."))
    return CheckResult(tuple((v, page_for(v)) for v in found), check.flags)


async def create(person_id: int, email: str, is_site_admin: bool, actor: Actor, today: date) -> Founded:
    """Found the organisation from the draft through the same path as `coop create-org`, and keep which
    organisation it was for the confirmation page. RuleViolationError lists every problem."""
    async with write_transaction():
        draft = await load_draft(person_id)
        refused = _not_a_founder(draft, email, is_site_admin)
        if draft.model is None:
            refused.append(Violation("founding.legal_form", "Choose the model constitution to start from."))
        if refused:
            raise RuleViolationError(refused)
        answers = {**draft.answers, "slug": suggested_slug(draft)}
        founded = await found_from_text(str(answers["model"]), answers_toml(answers), actor, today)
        await _store(person_id, {}, founded.organisation_id)
    return founded


def flags_for(draft: Draft) -> list[Violation]:
    name = str(draft.answers.get("name", ""))
    return name_flags(name, draft.legal_form) if name else []
