"""Organisations as tenants: who belongs where, with which roles, and setting one up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from coop import clock
from coop.accounts.service import CurrentSession, session_from_row, token_hash
from coop.audit.service import Actor, AuditEntry, record
from coop.db import stored_date, write_transaction
from coop.members.tables import Member, RoleGrant
from coop.organisations.tables import ConstitutionVersion, Organisation
from coop.settings import Settings
from governance.constitution import Constitution, parse_constitution

ROLES = ("director", "secretary", "treasurer", "admin")
ROLE_NAMES = {
    "member": "Member",
    "director": "Director",
    "secretary": "Secretary",
    "treasurer": "Treasurer",
    "admin": "Administrator",
}
# A stored constitution's text always reads as the same rules, and the rules are immutable (frozen dataclasses
# of tuples): a page that needs them (the register's class names, every page that checks a rule) reads the
# text by key and reuses the parsed rules instead of building ~100 dataclasses per request (~8 ms).
parsed_constitution = lru_cache(maxsize=64)(parse_constitution)
MEMBERSHIP_STATE = "membership"
"""scope["state"] key: (slug, OrgContext or None) read with the session by coop.security."""
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class OrgContext:
    """The organisation a request is about, and the signed-in person's place in it."""

    organisation_id: int
    slug: str
    name: str
    legal_form: str
    member_id: int
    member_public_id: str
    member_name: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


# Runs on every request under /o/<slug>/, so it is one hand-written query (a member has at most one
# membership per organisation, so its rows differ only in the role): Piccolo rebuilding a two-table join
# and a second query for the roles cost about an eighth of a vote cast.
_ORG_CONTEXT = (
    "SELECT m.id AS member_id, m.public_id AS member_public_id, m.name AS member_name, "
    "o.id AS organisation_id, o.slug AS slug, o.name AS organisation_name, o.legal_form AS legal_form, "
    "r.role AS role "
    "FROM member m JOIN organisation o ON o.id = m.organisation "
    "LEFT JOIN role_grant r ON r.member = m.id AND r.revoked_at IS NULL "
    "WHERE o.slug = {} AND m.person = {} AND m.ceased_on IS NULL "
    # A resignation that has taken effect ends access on its day, whether or not it is written down yet.
    "AND (m.leaving_on IS NULL OR m.leaving_on > {})"
)

# The same membership read together with the session (coop.accounts.service's session lookup, same
# columns), for a signed-in request under /o/<slug>/: one query where there were two. The membership's
# columns are null when the person has no current membership there (or there is no such organisation).
_SESSION_AND_ORG = (
    "SELECT s.id AS id, s.created_at AS created_at, s.last_seen_at AS last_seen_at, "
    "s.expires_at AS expires_at, p.id AS person_id, "
    "p.email AS email, p.display_name AS display_name, p.is_site_admin AS is_site_admin, "
    "p.disabled_at AS disabled_at, "
    "m.id AS member_id, m.public_id AS member_public_id, m.name AS member_name, "
    "o.id AS organisation_id, o.slug AS slug, o.name AS organisation_name, o.legal_form AS legal_form, "
    "r.role AS role "
    "FROM login_session s JOIN person p ON p.id = s.person "
    "LEFT JOIN organisation o ON o.slug = {} "
    "LEFT JOIN member m ON m.organisation = o.id AND m.person = p.id AND m.ceased_on IS NULL "
    "AND (m.leaving_on IS NULL OR m.leaving_on > {}) "
    "LEFT JOIN role_grant r ON r.member = m.id AND r.revoked_at IS NULL "
    "WHERE s.token_hash = {}"
)


def _org_from(rows: list[dict[str, Any]]) -> OrgContext | None:
    if not rows or rows[0]["member_id"] is None:
        return None
    row = rows[0]
    return OrgContext(
        organisation_id=row["organisation_id"],
        slug=row["slug"],
        name=row["organisation_name"],
        legal_form=row["legal_form"],
        member_id=row["member_id"],
        member_public_id=str(row["member_public_id"]),
        member_name=row["member_name"],
        roles=frozenset(r["role"] for r in rows if r["role"] is not None) | {"member"},
    )


async def org_context(slug: str, person_id: int) -> OrgContext | None:
    """The person's current membership of the organisation `slug`, or None (which callers show as 404)."""
    if not SLUG_PATTERN.match(slug):
        return None
    return _org_from(await Member.raw(_ORG_CONTEXT, slug, person_id, clock.today()))


async def session_and_org(
    token: str, slug: str, settings: Settings
) -> tuple[CurrentSession | None, OrgContext | None]:
    """`load_session(token)` and `org_context(slug, its person)` in one query (`slug` already checked
    against SLUG_PATTERN): the session (None if absent, expired or revoked) and the membership."""
    if len(token) > 100:
        return None, None
    rows = await Member.raw(_SESSION_AND_ORG, slug, clock.today(), token_hash(token))
    session = await session_from_row(rows[0], settings) if rows else None
    return (session, _org_from(rows)) if session is not None else (None, None)


async def member_count(organisation_id: int) -> int:
    """How many members the organisation has (entries not ceased), for its home page."""
    return int(
        await Member.count().where((Member.organisation == organisation_id) & Member.ceased_on.is_null())
    )


async def public_organisation(slug: str) -> dict[str, Any] | None:
    """What anyone may know of an organisation from its address (its joining pages): id, slug and name."""
    return (
        await Organisation.select(Organisation.id, Organisation.slug, Organisation.name)
        .where(Organisation.slug == slug)
        .first()
    )


async def constitution_of(organisation_id: int) -> Constitution:
    """The organisation's rules in force: the newest adopted version of its constitution."""
    # Hand-written: many pages read the rules, and Piccolo building this select cost more than running it.
    rows = await ConstitutionVersion.raw(
        "SELECT document FROM constitution_version WHERE organisation = {} ORDER BY version DESC LIMIT 1",
        organisation_id,
    )
    if not rows:
        raise LookupError(f"organisation {organisation_id} has no constitution")
    return parsed_constitution(str(rows[0]["document"]))


async def founded_on(organisation_id: int) -> date | None:
    """The day its first constitution was adopted (its first financial year and its deadlines count
    from it); None for an organisation without one."""
    row = (
        await ConstitutionVersion.select(ConstitutionVersion.adopted_on)
        .where((ConstitutionVersion.organisation == organisation_id) & (ConstitutionVersion.version == 1))
        .first()
    )
    return None if row is None else stored_date(row["adopted_on"])


async def organisations_of(person_id: int) -> list[dict[str, Any]]:
    return (
        await Member.select(
            Member.organisation.slug.as_alias("slug"),
            Member.organisation.name.as_alias("name"),
            Member.member_class,
        )
        .where((Member.person == person_id) & Member.ceased_on.is_null())
        .order_by(Member.organisation.name)
    )


async def create_organisation(
    *,
    slug: str,
    name: str,
    legal_form: str,
    model_name: str,
    constitution_toml: str,
    adopted_on: date,
    actor: Actor,
    company_number: str | None = None,
) -> int:
    if not SLUG_PATTERN.match(slug):
        raise ValueError(f"organisation address {slug!r} must be lower-case letters, digits and hyphens")
    async with write_transaction():
        rows = await Organisation.insert(
            Organisation(slug=slug, name=name, legal_form=legal_form, company_number=company_number)
        ).returning(Organisation.id)
        org_id = int(rows[0]["id"])
        await ConstitutionVersion.insert(
            ConstitutionVersion(
                organisation=org_id,
                version=1,
                model_name=model_name,
                document=constitution_toml,
                adopted_on=adopted_on,
                adopted_by="Adopted on incorporation",
            )
        )
        await record(
            AuditEntry(
                "organisation.created",
                organisation_id=org_id,
                target_type="organisation",
                target_id=slug,
                detail={"model": model_name},
            ),
            actor,
        )
    return org_id


async def add_member(
    *,
    organisation_id: int,
    name: str,
    member_class: str,
    admitted_on: date,
    person_id: int | None,
    roles: tuple[str, ...] = (),
    actor: Actor,
    email: str | None = None,
    address: str = "",
) -> int:
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
    async with write_transaction():
        rows = await Member.insert(
            Member(
                organisation=organisation_id,
                person=person_id,
                name=name,
                member_class=member_class,
                admitted_on=admitted_on,
                email=email,
                address=address,
            )
        ).returning(Member.id)
        member_id = int(rows[0]["id"])
        for role in roles:
            await RoleGrant.insert(RoleGrant(member=member_id, role=role))
        await record(
            AuditEntry(
                "member.admitted",
                organisation_id=organisation_id,
                target_type="member",
                target_id=str(member_id),
                detail={"class": member_class, "roles": list(roles)},
            ),
            actor,
        )
    return member_id
