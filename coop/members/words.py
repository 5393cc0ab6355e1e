"""The words membership pages and services share: board roles, ways to be contacted, communication
needs, sensitive facts, application states and register events, and the small checks built on them."""

from __future__ import annotations

from coop.organisations.service import OrgContext
from governance.constitution import Constitution
from governance.violations import Violation

BOARD_ROLES = ("director", "secretary", "admin")
CONTACT_BY = {
    "email": "By email",
    "post": "By post",
    "phone": "By phone",
    "supporter": "Through their supporter",
}
NEEDS = {
    "easy_read": "Easy read",
    "large_print": "Large print",
    "audio": "Audio",
    "bsl": "British Sign Language (BSL)",
    "post": "Papers by post",
    "supporter": "Through a named supporter",
}
FACTS = {
    "disabled": "I am a disabled person",
    "uses_support": "I use care or support",
    "carer": "I am an unpaid carer",
}
STATUSES = {
    "submitted": "Waiting for a decision",
    "more_info": "Asked for more information",
    "admitted": "Admitted",
    "refused": "Refused",
}
EVENT_WORDS = {
    "admitted": "Admitted",
    "class_changed": "Membership class changed",
    "details_changed": "Details changed",
    "resignation_given": "Gave notice of resignation",
    "resigned": "Resigned",
    "ceased": "Ceased to be a member",
    "expulsion_proposed": "Told of a proposal to expel them",
    "expulsion_heard": "Heard about the proposal to expel them",
    "expulsion_rejected": "Decided not to expel",
    "expelled": "Expelled",
}


def is_board(org: OrgContext) -> bool:
    return org.has_any(*BOARD_ROLES)


def violation_errors(field: str, violations: list[Violation]) -> dict[str, str]:
    return {field: " ".join(v.message for v in violations)} if violations else {}


def class_name(constitution: Constitution, key: str) -> str:
    member_class = constitution.member_class(key)
    return member_class.name.capitalize() if member_class else key.replace("_", " ").capitalize()


def email_errors(email: str, field: str, what: str) -> dict[str, str]:
    email = email.strip()
    if not email:
        return {field: f"Enter {what}"}
    if "@" not in email or len(email) > 320 or " " in email or email.startswith("@") or email.endswith("@"):
        return {field: "Enter an email address in the correct format, like name@example.com"}
    return {}
