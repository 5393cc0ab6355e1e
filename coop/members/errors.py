"""The error membership services raise for a request the rules do not allow, shown next to its fields."""

from __future__ import annotations


class MembershipError(ValueError):
    """A request the rules do not allow; `errors` maps form fields to plain-English messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))
