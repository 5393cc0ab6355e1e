"""The organisation menu every page under /o/<slug>/ shows, built in Python.

The layout used to build the thirteen items as a Jinja list, test each one's roles and compare each href
with the path, on every page: about a quarter of a small page's render (bench/README.md §4.10). The items
an organisation's member may see depend only on the organisation's slug, their role set and whether they
have a membership, so they are made once per such key (an LRU) with both forms of each item's HTML ready;
a request then only picks which item is the section it is in.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from markupsafe import Markup

BOARD_ROLES = frozenset({"director", "secretary", "admin"})
AUDIT_ROLES = frozenset({"secretary", "admin", "treasurer"})

# (path under /o/<slug>/, label, who may see it: None for everyone, "member" for a membership, or roles)
_ITEMS: tuple[tuple[str, str, frozenset[str] | str | None], ...] = (
    ("", "Overview", None),
    ("members", "Members", None),
    ("board", "Board", None),
    ("meetings", "Meetings", None),
    ("budgets", "Budgets", None),
    ("commissioning", "Services", None),
    ("me", "Your membership", "member"),
    ("register", "Register", BOARD_ROLES),
    ("applications", "Applications", BOARD_ROLES),
    ("votes", "Votes", None),
    ("resolutions", "Resolutions", None),
    ("constitution", "Constitution", None),
    ("audit", "Audit log", AUDIT_ROLES),
)
_ITEM = Markup(
    '          <li class="govuk-service-navigation__item{active_class}">\n'
    '            <a class="govuk-service-navigation__link" href="{href}"{current}>{label}</a>\n'
    "          </li>\n"
)


class MenuOrg(Protocol):
    slug: str
    member_id: int
    roles: frozenset[str]


class _Item:
    """One menu item: its href, the prefix that marks a page inside its section, and both renderings."""

    __slots__ = ("active", "href", "inside", "is_membership", "plain")

    def __init__(self, href: str, label: str, *, overview: bool, is_membership: bool) -> None:
        self.href = href
        # Whole path segments only: /o/x/members must not light up /o/x/me; the overview is its path only.
        self.inside = None if overview else href.rstrip("/") + "/"
        self.is_membership = is_membership
        self.plain = _ITEM.format(active_class="", href=href, current="", label=label)
        self.active = _ITEM.format(
            active_class=Markup(" govuk-service-navigation__item--active"),
            href=href,
            current=Markup(' aria-current="page"'),
            label=label,
        )


@lru_cache(maxsize=1024)
def _items(slug: str, roles: frozenset[str], has_membership: bool) -> tuple[_Item, ...]:
    base = f"/o/{slug}/"
    items = []
    for path, label, allowed in _ITEMS:
        if allowed == "member":
            if not has_membership:
                continue
        elif isinstance(allowed, frozenset) and not roles & allowed:
            continue
        items.append(_Item(base + path, label, overview=path == "", is_membership=allowed == "member"))
    return tuple(items)


def organisation_menu(org: MenuOrg, path: str) -> Markup:
    """The menu's <li> items for `org` as the signed-in member sees it, the section `path` is in marked as
    the current page. "Your membership" is left out on a supporter's pages (/o/<slug>/supporting…)."""
    supporting = path.startswith(f"/o/{org.slug}/supporting")
    parts = []
    for item in _items(org.slug, org.roles, bool(org.member_id)):
        if item.is_membership and supporting:
            continue
        here = path == item.href or (item.inside is not None and path.startswith(item.inside))
        parts.append(item.active if here else item.plain)
    return Markup("").join(parts).removesuffix("\n")  # the layout's own line ends the last item
