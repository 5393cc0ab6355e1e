"""Personal API tokens: made on the account page, shown once, stored as a SHA-256, revocable.

A token names one organisation and read or read-write access, but grants nothing of its own: every request
looks up its owner's membership and roles afresh (`org_context`), so a token never does more than its owner
may do at that moment. Each request also counts against the token's per-minute limit, in the database so
every worker shares it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from coop.accounts.service import token_hash
from coop.api.tables import ApiToken
from coop.audit.guarded import guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.clock import now
from coop.db import write_transaction
from coop.organisations.service import OrgContext, org_context

TOKEN_PREFIX = "coop_"  # noqa: S105 (a prefix that makes leaked tokens easy to spot, not a secret)
LIFETIMES_DAYS = (7, 30, 90, 365)
NAME_MAX = 100
TOUCH_EVERY = timedelta(seconds=60)
RATE_WINDOW = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class NewToken:
    name: str
    organisation_slug: str
    can_write: bool
    lifetime_days: int


@dataclass(frozen=True, slots=True)
class ApiCaller:
    """Who is behind an API request: the token, its owner, and the owner's place in the organisation now."""

    token_id: int
    person_id: int
    can_write: bool
    org: OrgContext


@dataclass(frozen=True, slots=True)
class RateLimited:
    retry_after: int
    """Whole seconds until the token's next minute starts."""


def new_token_problems(new: NewToken, slugs: set[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = new.name.strip()
    if not name:
        errors["name"] = "Enter a name for the token, so you know later what it is for"
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer"
    if new.organisation_slug not in slugs:
        errors["organisation"] = "Select the organisation the token is for"
    if new.lifetime_days not in LIFETIMES_DAYS:
        errors["lifetime"] = "Select how long the token lasts"
    return errors


async def create_token(person_id: int, new: NewToken, actor: Actor) -> str:
    """Store a new token's hash and return the token itself: the only time anyone sees it.
    The caller checks `new_token_problems` first; an organisation the person is not in is a ValueError."""
    org = await org_context(new.organisation_slug, person_id)
    if org is None:
        raise ValueError("not a member of that organisation")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    moment = now()
    async with write_transaction():
        rows = await ApiToken.insert(
            ApiToken(
                token_hash=token_hash(token),
                person=person_id,
                organisation=org.organisation_id,
                name=new.name.strip(),
                can_write=new.can_write,
                created_at=moment,
                expires_at=moment + timedelta(days=new.lifetime_days),
                window_started_at=moment,
            )
        ).returning(ApiToken.id)
        await record(
            AuditEntry(
                "api_token.created",
                organisation_id=org.organisation_id,
                target_type="api_token",
                target_id=str(rows[0]["id"]),
                detail={"access": "read-write" if new.can_write else "read", "days": new.lifetime_days},
            ),
            actor,
        )
    return token


async def tokens_of(person_id: int) -> list[dict[str, Any]]:
    """A person's tokens that still work, newest first (never the token itself: it is not stored)."""
    return await (
        ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.can_write,
            ApiToken.created_at,
            ApiToken.expires_at,
            ApiToken.last_used_at,
            ApiToken.organisation.name.as_alias("organisation_name"),
        )
        .where((ApiToken.person == person_id) & ApiToken.revoked_at.is_null() & (ApiToken.expires_at > now()))
        .order_by(ApiToken.id, ascending=False)
    )


async def revoke_token(person_id: int, token_id: int, actor: Actor) -> bool:
    """Revoke one of the person's own tokens; False if there is no such live token of theirs."""
    rows = await guarded_update(
        ApiToken,
        {ApiToken.revoked_at: now()},
        (ApiToken.id == token_id) & (ApiToken.person == person_id) & ApiToken.revoked_at.is_null(),
        returning=[ApiToken.organisation],
        audit=lambda row: AuditEntry(
            "api_token.revoked",
            organisation_id=int(row["organisation"]),
            target_type="api_token",
            target_id=str(token_id),
        ),
        actor=actor,
    )
    return bool(rows)


# One hand-written lookup per API request, like the session lookup.
_LIVE_KEY_SQL = (
    "SELECT t.id AS id, t.person AS person_id, t.can_write AS can_write, t.expires_at AS expires_at, "
    "t.last_used_at AS last_used_at, o.slug AS slug, p.disabled_at AS disabled_at "
    "FROM api_token t JOIN organisation o ON o.id = t.organisation JOIN person p ON p.id = t.person "
    "WHERE t.token_hash = {} AND t.revoked_at IS NULL"
)
# The rate limit is one conditional update: a new minute restarts the count; otherwise count this request
# only while under the limit. No row back means the limit is reached (no read-then-write race). The
# last-used time rides on the same write, refreshed at most once a minute.
_COUNT_REQUEST = (
    "UPDATE api_token SET "
    "window_requests = CASE WHEN window_started_at <= {} THEN 1 ELSE window_requests + 1 END, "
    "window_started_at = CASE WHEN window_started_at <= {} THEN {} ELSE window_started_at END, "
    "last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at <= {} THEN {} ELSE last_used_at END "
    "WHERE id = {} AND (window_started_at <= {} OR window_requests < {}) RETURNING id"
)


async def authenticate(token: str | None) -> tuple[int, int, bool, str] | None:
    """(token id, person id, may write, organisation slug) for a live token, else None."""
    if not token or len(token) > 100:
        return None
    rows = await ApiToken.raw(_LIVE_KEY_SQL, token_hash(token))
    if not rows:
        return None
    row = rows[0]
    moment = now()
    if row["expires_at"] <= moment or row["disabled_at"] is not None:
        return None
    return int(row["id"]), int(row["person_id"]), bool(row["can_write"]), str(row["slug"])


async def count_request(token_id: int, per_minute: int) -> RateLimited | None:
    """Count one request against the token's minute; RateLimited when its allowance is used up."""
    moment = now()
    window_start = moment - RATE_WINDOW
    rows = await ApiToken.raw(
        _COUNT_REQUEST,
        window_start,
        window_start,
        moment,
        moment - TOUCH_EVERY,
        moment,
        token_id,
        window_start,
        per_minute,
    )
    if not rows:
        row = await ApiToken.select(ApiToken.window_started_at).where(ApiToken.id == token_id).first()
        started: datetime = row["window_started_at"] if row else moment
        wait = (started + RATE_WINDOW - moment).total_seconds()
        return RateLimited(retry_after=max(1, int(wait) + 1))
    return None


async def caller_in(found: tuple[int, int, bool, str], org_slug: str) -> ApiCaller | None:
    """The caller for a request about `org_slug`: None (shown as 404, like the pages) unless the token is
    for that organisation and its owner is a current member of it now, with their roles as they are now."""
    token_id, person_id, can_write, slug = found
    if slug != org_slug:
        return None
    org = await org_context(slug, person_id)
    if org is None:
        return None
    return ApiCaller(token_id=token_id, person_id=person_id, can_write=can_write, org=org)
