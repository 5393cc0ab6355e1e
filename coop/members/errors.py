"""The error membership services raise for a request the rules do not allow, shown next to its fields."""

from __future__ import annotations

from coop.errors import Refused


class MembershipError(Refused, ValueError):
    """A request the rules do not allow; `errors` maps form fields to plain-English messages.

    A `coop.errors.Refused` (so `coop.web` answers it when a controller does not); still a ValueError
    for callers written before that."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(field_errors=errors)

    @property
    def errors(self) -> dict[str, str]:
        return self.field_errors
