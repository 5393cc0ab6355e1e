"""Settings: one frozen object built from `COOP_*` environment variables, every field documented."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _help(text: str, **kwargs: Any) -> Any:
    return field(metadata={"help": text}, **kwargs)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything an operator can set. `Settings.from_env()` reads `COOP_<FIELD NAME IN CAPITALS>`."""

    database_url: str = _help(
        "Where the data lives: `sqlite:///path/to/file.sqlite3` (the default, `sqlite:///coop.sqlite3` "
        "in the current folder) or `postgres://user:password@host:port/dbname` for PostgreSQL.",
        default="sqlite:///coop.sqlite3",
    )
    secret_key: str = _help(
        "Secret used to sign CSRF tokens and device cookies. Set a long random value in production; if "
        "unset, a new one is made at each start (forms open across a restart then need reloading, and "
        "browsers must sign in once more to be trusted again).",
        default="",
    )
    allowed_hosts: tuple[str, ...] = _help(
        "Host names this server answers to, comma-separated. Requests for any other Host get 400.",
        default=("127.0.0.1", "localhost"),
    )
    base_url: str = _help(
        "The public address of the site, used in links inside emails (never taken from the request).",
        default="http://127.0.0.1:8000",
    )
    secure_cookies: bool = _help(
        "Send cookies only over HTTPS with the `__Host-` prefix, and send HSTS. Leave on; turn off only "
        "for a local demo in a browser that refuses secure cookies on plain http://127.0.0.1.",
        default=True,
    )
    session_idle_minutes: int = _help(
        "Sign a person out after this many minutes without a request (NIST AAL2: 30).", default=30
    )
    session_absolute_hours: int = _help(
        "Sign a person out this many hours after they signed in, however active (NIST AAL2: 12).",
        default=12,
    )
    argon2_memory_kib: int = _help(
        "Argon2id memory cost in KiB (OWASP: 47104 with time cost 1).", default=47104
    )
    argon2_time_cost: int = _help("Argon2id iterations (passes over the memory).", default=1)
    argon2_parallelism: int = _help(
        "Argon2id lanes; 1 keeps concurrent sign-ins from starving 2 cores.", default=1
    )
    smtp_host: str = _help(
        "SMTP server for outgoing email. Empty: messages go to the outbox that site admins can read.",
        default="",
    )
    smtp_port: int = _help("SMTP port of the email server.", default=587)
    smtp_username: str = _help("SMTP user name, if the server needs one.", default="")
    smtp_password: str = _help("SMTP password, if the server needs one.", default="")
    smtp_starttls: bool = _help("Upgrade the SMTP connection with STARTTLS.", default=True)
    mail_from: str = _help("The From address on emails.", default="coop <no-reply@localhost>")
    mail_per_minute: int = _help(
        "Most emails one worker sends a minute (0: no limit). Set it under your mail provider's rate limit; "
        "with several workers each keeps to it.",
        default=120,
    )
    worker_in_app: str = _help(
        "Run a background worker inside `coop serve`: `auto` (the default) does on SQLite and not on "
        "PostgreSQL, where you run `coop worker` processes; `yes` or `no` to choose.",
        default="auto",
    )
    worker_poll_seconds: int = _help("How often an idle worker looks for work that has come due.", default=5)
    job_lease_seconds: int = _help(
        "How long a worker holds a job before another may take it over (a worker that was killed). "
        "A running worker renews its lease well before then.",
        default=300,
    )
    vote_reminder_days: tuple[str, ...] = _help(
        "Days before a vote closes to remind electors who have not voted, comma-separated.",
        default=("3", "1"),
    )
    compliance_reminder_days: int = _help(
        "Days before a filing or meeting date (accounts, confirmation statement, CIC34, AGM) to remind the "
        "secretary, once per date.",
        default=30,
    )
    term_end_reminder_days: int = _help(
        "Days before a director's term ends to remind the secretary, so the AGM or election can be planned.",
        default=60,
    )
    demo_password: str = _help(
        "Password given to every demo account by `coop demo`.", default="correct horse battery staple"
    )
    api_requests_per_minute: int = _help(
        "How many API requests one personal API token may make a minute; more get 429 Too Many Requests.",
        default=120,
    )
    vote_key_dir: str = _help(
        "Folder for the private keys that open each vote's sealed ballots at close (one small file per open "
        "vote, deleted at close). Empty: `vote-keys` beside the SQLite database file, or in the current "
        "folder on PostgreSQL. Keep it on lasting storage but out of database backups, and readable by "
        "every `coop` process (docs/operating.md).",
        default="",
    )
    teller_argon2_memory_kib: int = _help(
        "Argon2id memory in KiB for locking a teller's key with their passphrase. Higher than for sign-in "
        "passwords: a copy of the database holds the locked keys, and tellers unlock them rarely.",
        default=131072,
    )
    teller_argon2_time_cost: int = _help(
        "Argon2id passes for locking a teller's key with their passphrase.", default=3
    )
    debug: bool = _help("Show Litestar's debug pages. Never in production.", default=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"COOP_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _parse(f.type, raw, f.name)
        values.update(overrides)
        settings = cls(**values)
        if not settings.secret_key:
            # A per-process secret is safe (only CSRF tokens and device cookies depend on it) but breaks
            # multi-worker CSRF, and each worker then trusts only the browsers it signed in itself.
            settings = _replace(settings, secret_key=secrets.token_urlsafe(32))
        return settings

    @property
    def runs_worker_in_app(self) -> bool:
        """Whether `coop serve` runs a worker inside itself (see `worker_in_app`)."""
        if self.worker_in_app == "auto":
            return not self.is_postgres
        return self.worker_in_app == "yes"

    @property
    def reminder_days(self) -> tuple[int, ...]:
        """`vote_reminder_days` as whole days, largest first (anything not a whole number is left out)."""
        return tuple(sorted({int(d) for d in self.vote_reminder_days if d.strip().isdigit()}, reverse=True))

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> str:
        if self.is_postgres:
            raise ValueError("not an SQLite database URL")
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            raise ValueError(f"COOP_DATABASE_URL must start with {prefix} or postgres://")
        return self.database_url[len(prefix) :]


def _replace(settings: Settings, **changes: Any) -> Settings:
    current = {f.name: getattr(settings, f.name) for f in fields(settings)}
    current.update(changes)
    return Settings(**current)


def _parse(kind: Any, raw: str, name: str) -> Any:
    kind = str(kind)
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"COOP_{name.upper()} must be true or false, got {raw!r}")
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"COOP_{name.upper()} must be a whole number, got {raw!r}") from None
    if kind.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw
