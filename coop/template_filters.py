"""Jinja filters for showing dates, times and money the way UK readers expect, and the form's CSRF field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, pass_context
from litestar.template.base import csrf_token
from markupsafe import Markup, escape

from coop.navigation import organisation_menu

LONDON = ZoneInfo("Europe/London")


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def pounds(pence: int | None) -> str:
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


@pass_context
def csrf_field(context: Mapping[str, Any]) -> Markup:
    """The hidden field every form posts its CSRF token in. A global, called with the page's own context,
    so templates import the form macros without `with context` (Jinja then builds that module once per
    process, not on every render: it was 40% of the vote page's time)."""
    return Markup('<input type="hidden" name="_csrf_token" value="{}">').format(escape(csrf_token(context)))


def register_filters(env: Environment) -> None:
    env.globals["csrf_field"] = csrf_field
    env.globals["organisation_menu"] = organisation_menu
    env.filters["long_date"] = long_date
    env.filters["date_time"] = date_time
    env.filters["pounds"] = pounds
