"""The email that carries a one-time link (to reset a password, to confirm a sign-up): one wording, so
every such email says who asked, how long the link lasts, what it does, and that nothing happens if it
was not you. Sent inside the transaction that stores the link, so the link exists if and only if its
email is on its way."""

from __future__ import annotations

from dataclasses import dataclass

from coop.mail.service import send_email
from coop.settings import Settings
from coop.urls import absolute_url


@dataclass(frozen=True, slots=True)
class LinkEmail:
    subject: str
    asked: str  # who asked for it, e.g. "Someone asked to reset the password for your coop account."
    opening: str  # how long the link lasts and what it does, e.g. "within 1 hour to choose a new password"
    not_you: str  # what stays as it was if it was not them


async def send_link_email(settings: Settings, to: str, name: str, path: str, text: LinkEmail) -> None:
    """Email the link to `path` (an absolute URL from this site's base) to `to`, greeting `name`."""
    link = absolute_url(settings, path)
    await send_email(
        settings,
        to=to,
        subject=text.subject,
        body=(
            f"Hello {name},\n\n{text.asked} If it was you, open this link {text.opening}:\n\n{link}\n\n"
            f"If it was not you, you can ignore this email. {text.not_you}\n"
        ),
    )
