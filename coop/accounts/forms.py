"""Form bodies for signing in, passwords and resets. Every field defaults to empty so a missing field
becomes a friendly error next to it, not a 400."""

from __future__ import annotations

from msgspec import Struct


class SignInForm(Struct):
    email: str = ""
    password: str = ""
    next: str = ""


class ConfirmPasswordForm(Struct):
    password: str = ""
    next: str = ""


class ResetRequestForm(Struct):
    email: str = ""


class NewPasswordForm(Struct):
    password: str = ""


class ChangePasswordForm(Struct):
    current_password: str = ""
    new_password: str = ""
    end_other_sessions: str = ""


def sign_in_errors(form: SignInForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.email.strip():
        errors["email"] = "Enter your email address"
    elif "@" not in form.email or len(form.email) > 320:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if not form.password:
        errors["password"] = "Enter your password"
    return errors
