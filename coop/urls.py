"""Where things are: the paths of an organisation's pages, and absolute links for email.

Paths inside the site are built by `org_path`; a link that leaves the site (in an email, a letter or a
printed notice) is `absolute_url(settings, path)`, so the configured `COOP_BASE_URL` is joined the same
way everywhere, with or without a slash at its end.
"""

from __future__ import annotations

from coop.settings import Settings


def org_path(slug: str, *parts: object) -> str:
    """`/o/<slug>/<part>/<part>…`, e.g. `org_path(slug, "budgets", pool_id)`; no parts is the home page."""
    tail = "/".join(str(part).strip("/") for part in parts)
    return f"/o/{slug}/{tail}" if tail else f"/o/{slug}/"


def absolute_url(settings: Settings, path: str) -> str:
    """The link to `path` (starting with "/") on this site as the operator configured its address."""
    if not path.startswith("/"):
        raise ValueError(f"a site path starts with '/': {path!r}")
    return settings.base_url.rstrip("/") + path
