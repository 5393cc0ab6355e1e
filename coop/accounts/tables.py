"""Tables for people who sign in, their sessions and trusted devices, sign-in throttling and password
resets."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Person(Table, tablename="person"):
    """A login identity. One person may be a member of several organisations."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    email = Varchar(length=320, unique=True, help_text="Lower-cased; the sign-in name.")
    display_name = Varchar(length=200)
    password_hash = Text(null=True, default=None, help_text="argon2id PHC string; null: cannot sign in yet.")
    is_site_admin = Boolean(default=False, help_text="Runs this coop instance (outbox, organisations).")
    created_at = Timestamptz(default=TimestamptzNow())
    disabled_at = Timestamptz(null=True, default=None)


class LoginSession(Table, tablename="login_session"):
    """A signed-in browser. Only a SHA-256 of the token is stored; the token lives in the cookie."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    token_hash = Varchar(length=64, unique=True)
    person = ForeignKey(Person, null=False, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(default=TimestamptzNow(), help_text="Absolute expiry, however active.")
    user_agent = Varchar(length=200, default="")


class LoginThrottle(Table, tablename="login_throttle"):
    """Failed sign-in counters, in the database so every worker sees the same limits."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    key = Varchar(length=128, unique=True, help_text="'account:<email>' or 'ip:<address hash>'.")
    failures = Integer(default=0)
    window_started_at = Timestamptz(default=TimestamptzNow())
    last_failure_at = Timestamptz(default=TimestamptzNow())


class PasswordReset(Table, tablename="password_reset"):
    """A one-time link to set a new password; only a hash of its token is stored."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    token_hash = Varchar(length=64, unique=True)
    person = ForeignKey(Person, null=False, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)


class TrustedDevice(Table, tablename="trusted_device"):
    """A browser that has signed in successfully (OWASP's device cookie). Only a SHA-256 of the cookie's
    nonce is stored; while the row lasts, that browser meets its own sign-in limit, not the account's."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    nonce_hash = Varchar(length=64, unique=True)
    person = ForeignKey(Person, null=False, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(default=TimestamptzNow())
    failures = Integer(default=0, help_text="Wrong passwords in a row from this browser.")
    last_failure_at = Timestamptz(default=TimestamptzNow())


class SignUp(Table, tablename="sign_up"):
    """Someone signing up at /start: nothing becomes an account until they open the link emailed to them.
    Only a hash of the link's token is stored; the password's hash is wiped once the sign-up is settled."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    email = Varchar(length=320, index=True, help_text="Lower-cased, as given.")
    display_name = Varchar(length=200)
    password_hash = Text(null=True, default=None, help_text="argon2id PHC string until the sign-up settles.")
    status = Varchar(
        length=20,
        default="waiting",
        help_text="waiting, sent (link emailed), existing (an account already), throttled or verified.",
    )
    token_hash = Varchar(length=64, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)
    used_at = Timestamptz(null=True, default=None)
