"""Where a redirect may send a browser: only to a path on this site, percent-encoded.

Every `Location` and `HX-Redirect` header passes through `local_target` (in `coop.web.redirect`), so a
`next=` from a form or a query string, or a path put inside a target, can neither send someone to another
site nor break the response's headers.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlencode

MAX_TARGET_LENGTH = 2000
"""Longer targets (once encoded) are refused: no page of ours has an address anywhere near this long."""

# Kept as they are: the characters RFC 3986 allows in a path, query and fragment, and `%` (an escape;
# a `%` that starts none is encoded below). Everything else, including every non-ASCII character, is
# percent-encoded as UTF-8, so a header value is always printable ASCII.
_KEPT = "/?#@!$&'()*+,;=:~-._%"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Control characters (C0, DEL, C1), invisible format characters (bidi overrides, zero-width), lone
# surrogates and the Unicode line and paragraph separators. Browsers drop tabs and newlines from URLs
# (so `/\t/evil.example` becomes `//evil.example`), and header parsers split or refuse lines on them.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def local_target(target: str, fallback: str = "/") -> str:
    """`target` percent-encoded if it is a path on this site, else `fallback` (itself a trusted path).

    Refused, in the target as given or once percent-decoded: anything not starting with exactly one `/`
    (absolute `https://...` and scheme-relative `//host` addresses, `javascript:`), backslashes (some
    browsers read `/\\host` as `//host`), control, format and line-separator characters, and targets
    over `MAX_TARGET_LENGTH` once encoded.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > MAX_TARGET_LENGTH:
        return fallback
    for form in (target, unquote(target, errors="replace")):
        if form.startswith("//") or "\\" in form or any(_refused(char) for char in form):
            return fallback
    encoded = _STRAY_PERCENT.sub("%25", quote(target, safe=_KEPT))
    return encoded if len(encoded) <= MAX_TARGET_LENGTH else fallback


def sign_in_then(target: str) -> str:
    """The sign-in page, coming back to `target` afterwards if it is a safe local path."""
    kept = local_target(target, fallback="")
    url = f"/sign-in?{urlencode({'next': kept}, safe='/')}"
    return url if kept and len(url) <= MAX_TARGET_LENGTH else "/sign-in"


def _refused(char: str) -> bool:
    return unicodedata.category(char) in _REFUSED_CATEGORIES
