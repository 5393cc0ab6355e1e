"""Delivering queued email by SMTP: the worker's `mail.deliver` job, one message each.

At least once, never knowingly twice: a message already marked sent (or refused) is never sent again. The
one window left is a worker stopped after the server accepted a message and before the outbox row was
marked sent (a kill -9, a lost connection to the database): that message goes again when the job is retried.
Both copies carry the same Message-ID, so most mail clients show one. Exactly once is impossible with SMTP.
"""

from __future__ import annotations

import asyncio
import smtplib
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

import anyio

from coop import clock
from coop.db import write_transaction
from coop.jobs.worker import JobContext, PermanentFailure
from coop.mail.tables import OutboxMessage
from coop.settings import Settings

SMTP_TIMEOUT_SECONDS = 20


class RateLimiter:
    """At most `per_minute` sends a minute from this process, evenly spaced (0: no limit)."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    async def wait(self) -> None:
        if not self.interval:
            return
        now = self._clock()
        if self._next is not None and now < self._next:
            await self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


_limiters: dict[int, RateLimiter] = {}


def limiter_for(settings: Settings) -> RateLimiter:
    limiter = _limiters.get(settings.mail_per_minute)
    if limiter is None:
        limiter = _limiters[settings.mail_per_minute] = RateLimiter(settings.mail_per_minute)
    return limiter


class AddressRefused(Exception):
    """The server refused the recipient (5xx at RCPT): trying again will not help."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


def message_id_header(settings: Settings, message_id: int) -> str:
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<outbox-{message_id}@{domain}>"


async def deliver(context: JobContext) -> None:
    """Send one outbox message by SMTP and record the server's answer."""
    settings = context.settings
    message_id = int(context.job.payload["message"])
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    if row is None or row["state"] in ("sent", "refused"):
        return  # the idempotency guard: sent once already, or refused for good
    if not settings.smtp_host:
        raise PermanentFailure("This worker has no SMTP server set (COOP_SMTP_HOST), so it cannot send email")
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Message-ID"] = message_id_header(settings, message_id)
    message.set_content(row["body"])
    await limiter_for(settings).wait()
    try:
        reply = await anyio.to_thread.run_sync(_send, settings, message)
    except AddressRefused as refused:
        await _record(message_id, state="refused", reply=refused.reply, error="The address was refused")
        return
    except smtplib.SMTPDataError as exc:
        if exc.smtp_code >= 500:  # the server will never take this message: say so, do not retry
            text = _reply_text(exc.smtp_code, exc.smtp_error)
            await _record(message_id, state="failed", reply=text, error="The server refused the message")
            raise PermanentFailure(f"The mail server refused message {message_id}: {text}") from exc
        await _failed_attempt(context, message_id, exc)
        raise
    except (OSError, smtplib.SMTPException) as exc:
        await _failed_attempt(context, message_id, exc)
        raise
    async with write_transaction():
        await _record(message_id, state="sent", reply=reply, error="", sent_at=clock.now())
        await context.finish()


async def _failed_attempt(context: JobContext, message_id: int, exc: BaseException) -> None:
    reply = ""
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = _reply_text(exc.smtp_code, exc.smtp_error)
    state = "failed" if context.job.last_attempt else "queued"
    await _record(message_id, state=state, reply=reply, error=f"{type(exc).__name__}: {exc}"[:500])


async def _record(
    message_id: int, *, state: str, reply: str, error: str, sent_at: datetime | None = None
) -> None:
    changes: dict[Any, Any] = {
        OutboxMessage.state: state,
        OutboxMessage.smtp_reply: reply[:1000],
        OutboxMessage.error: error,
        OutboxMessage.attempts: OutboxMessage.attempts + 1,
    }
    if sent_at is not None:
        changes[OutboxMessage.sent_at] = sent_at
    await OutboxMessage.update(changes).where(OutboxMessage.id == message_id)


def _reply_text(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def _send(settings: Settings, message: EmailMessage) -> str:
    """One SMTP conversation, step by step so the server's answers can be kept. Returns the final reply."""
    sender = parseaddr(settings.mail_from)[1]
    recipient = str(message["To"])
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        smtp.ehlo()
        if settings.smtp_starttls:
            smtp.starttls()
            smtp.ehlo()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        code, text = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, text, sender)
        code, text = smtp.rcpt(recipient)
        if code >= 500:
            raise AddressRefused(_reply_text(code, text))
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, text)})
        code, text = smtp.data(message.as_bytes())
        return _reply_text(code, text)
