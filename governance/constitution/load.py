"""Read a constitution from TOML text and check it, reporting every problem with the field it is in.

Field names in the TOML are the dataclass field names in `schema.py`; a table of tables (such as
`[member_classes.budget_holder]`) becomes a tuple of records whose `key` is the table's heading.
"""

from __future__ import annotations

import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any, TypeVar

from governance.constitution.schema import Constitution, LegalForm, VoteBase
from governance.constitution.share import Comparison, Share, format_fraction, parse_fraction

T = TypeVar("T")

_MAX_DIVIDEND_CAP = Fraction(35, 100)
_MAX_PROXY_DEADLINE_HOURS = 48
_COMPANY_MIN_GENERAL_NOTICE = 14


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem in a constitution: the dotted path of the field and what is wrong with it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConstitutionError(ValueError):
    """A constitution that cannot be used as it stands; `errors` lists every problem found."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def parse_constitution(text: str) -> Constitution:
    """Read and check a constitution written in TOML; raise ConstitutionError listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConstitutionError([FieldError("", f"The text is not valid TOML: {exc}")]) from None
    return constitution_from_dict(raw)


def constitution_from_dict(raw: Mapping[str, object]) -> Constitution:
    """Build and check a constitution from already-parsed TOML data."""
    errors: list[FieldError] = []
    built = _build_dataclass(Constitution, raw, "", errors, key=None)
    if built is not None:
        check_constitution(built, errors)
    if errors or built is None:
        raise ConstitutionError(errors)
    return built


def _show(value: object) -> str:
    """A raw TOML value as the secretary typed it, for error messages."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_NOT_GIVEN = object()


def _build_dataclass(
    cls: type[T], raw: object, path: str, errors: list[FieldError], key: str | None
) -> T | None:
    if not isinstance(raw, dict):
        errors.append(FieldError(path, f"must be a table of settings, got {_show(raw)}"))
        return None
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    for name in raw:
        if name not in known or (name == "key" and key is not None):
            errors.append(
                FieldError(_join(path, name), "is not a setting this schema knows (check the spelling)")
            )
    values: dict[str, object] = {}
    ok = True
    for f in fields(cls):  # type: ignore[arg-type]
        field_path = _join(path, f.name)
        if f.name == "key" and key is not None:
            values["key"] = key
            continue
        given = raw.get(f.name, _NOT_GIVEN)
        if given is _NOT_GIVEN:
            if f.default is MISSING and f.default_factory is MISSING:
                errors.append(FieldError(field_path, "is required"))
                ok = False
            continue
        converted, good = _convert(hints[f.name], given, field_path, errors, f.metadata)
        ok = ok and good
        values[f.name] = converted
    if not ok:
        return None
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # a dataclass's own check, e.g. a share above 100%
        errors.append(FieldError(path, str(exc)))
        return None


def _convert(
    hint: Any, raw: object, path: str, errors: list[FieldError], meta: Mapping[str, object]
) -> tuple[object, bool]:
    """Convert one raw TOML value to the field's type; on failure record an error and return (None, False)."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        # Only `X | None` is used in the schema; TOML has no null, so a given value is always the X.
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(inner, raw, path, errors, meta)
    if origin is tuple:
        (item,) = [a for a in typing.get_args(hint) if a is not Ellipsis]
        if is_dataclass(item) and item is not Share:
            return _convert_keyed_tables(item, raw, path, errors)
        if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
            errors.append(FieldError(path, f"must be a list of text items, got {_show(raw)}"))
            return None, False
        return tuple(v.strip() for v in raw), True
    if hint is Share:
        if isinstance(raw, str):
            try:
                return Share.parse(raw), True
            except ValueError:
                pass
        errors.append(
            FieldError(path, f'must be a share such as "more than 50%" or "at least 75%", got {_show(raw)}')
        )
        return None, False
    if is_dataclass(hint):
        built: object = _build_dataclass(typing.cast(type[object], hint), raw, path, errors, key=None)
        return built, built is not None
    if hint is bool:
        if isinstance(raw, bool):
            return raw, True
        errors.append(FieldError(path, f"must be true or false, got {_show(raw)}"))
        return None, False
    if hint is int:
        return _convert_int(raw, path, errors, meta)
    if hint is str:
        if isinstance(raw, str) and raw.strip():
            return raw.strip(), True
        errors.append(FieldError(path, f"must be some text, got {_show(raw)}"))
        return None, False
    if hint is Fraction:
        if isinstance(raw, str):
            try:
                value = parse_fraction(raw)
            except ValueError:
                value = None
            if value is not None and 0 <= value <= 1:
                return value, True
        errors.append(FieldError(path, f'must be a fraction such as "1/3" or "35%", got {_show(raw)}'))
        return None, False
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        allowed = [m.value for m in hint]
        if isinstance(raw, str) and raw in allowed:
            return hint(raw), True
        choices = ", ".join(f'"{a}"' for a in allowed)
        errors.append(FieldError(path, f"must be one of {choices}, got {_show(raw)}"))
        return None, False
    raise TypeError(f"schema field {path} has a type the loader does not know: {hint!r}")


def _convert_int(
    raw: object, path: str, errors: list[FieldError], meta: Mapping[str, object]
) -> tuple[object, bool]:
    low = meta.get("min", 0)
    high = meta.get("max")
    assert isinstance(low, int)
    assert high is None or isinstance(high, int)
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= low and (high is None or raw <= high):
        return raw, True
    wanted = f"a whole number {low} or more" if high is None else f"a whole number from {low} to {high}"
    errors.append(FieldError(path, f"must be {wanted}, got {_show(raw)}"))
    return None, False


def _convert_keyed_tables(item: Any, raw: object, path: str, errors: list[FieldError]) -> tuple[object, bool]:
    if not isinstance(raw, dict):
        errors.append(FieldError(path, f"must be a table with one section per entry, got {_show(raw)}"))
        return None, False
    built = []
    ok = True
    for key, entry in raw.items():
        one = _build_dataclass(item, entry, _join(path, key), errors, key=key)
        ok = ok and one is not None
        built.append(one)
    return tuple(built), ok


def check_constitution(c: Constitution, errors: list[FieldError]) -> None:
    """Rules that involve more than one field, or that the law fixes for the legal form."""
    class_keys = {mc.key for mc in c.member_classes}
    named_keys = {d.key for d in c.resolutions.named}
    form = c.legal_form

    if not c.member_classes:
        errors.append(FieldError("member_classes", "must list at least one member class"))
    if not any(mc.can_vote for mc in c.member_classes) and c.member_classes:
        errors.append(FieldError("member_classes", "at least one member class must be able to vote"))
    for mc in c.member_classes:
        p = f"member_classes.{mc.key}"
        for veto in mc.vetoes:
            if veto not in {"ordinary", "special"} | named_keys:
                errors.append(
                    FieldError(
                        f"{p}.vetoes",
                        f'"{veto}" is not "ordinary", "special" or a named decision in resolutions.named',
                    )
                )
        if mc.voting_cap is not None and mc.voting_cap.comparison is not Comparison.AT_MOST:
            errors.append(FieldError(f"{p}.voting_cap", f'must start "at most", got "{mc.voting_cap}"'))
        if mc.veto_threshold.comparison is Comparison.AT_MOST:
            errors.append(FieldError(f"{p}.veto_threshold", 'must start "more than" or "at least"'))
        if form is LegalForm.COOPERATIVE_SOCIETY and mc.vote_weight != 1:
            errors.append(
                FieldError(
                    f"{p}.vote_weight",
                    "a co-operative society is one member, one vote; weights need the FCA's agreement "
                    "and are not supported here",
                )
            )
    caps = sum((mc.voting_cap.fraction for mc in c.member_classes if mc.voting_cap), Fraction(0))
    if caps >= 1:
        errors.append(FieldError("member_classes", "the classes' voting caps must add up to less than 100%"))

    board = c.board
    if board.min_seats > board.max_seats:
        errors.append(
            FieldError("board.min_seats", f"must not be more than board.max_seats ({board.max_seats})")
        )
    for rule in board.classes:
        p = f"board.classes.{rule.key}"
        if rule.key not in class_keys:
            errors.append(FieldError(p, f'"{rule.key}" is not one of the member classes'))
        if rule.max is not None and rule.min > rule.max:
            errors.append(FieldError(f"{p}.min", f"must not be more than {p}.max ({rule.max})"))
        if rule.reserved_seats > rule.min and rule.max is not None and rule.reserved_seats > rule.max:
            errors.append(FieldError(f"{p}.reserved_seats", f"must not be more than {p}.max ({rule.max})"))
    total_min = sum(r.min for r in board.classes)
    total_reserved = sum(r.reserved_seats for r in board.classes)
    if total_min > board.max_seats:
        errors.append(
            FieldError(
                "board.classes",
                f"the fewest directors per class add up to {total_min}, more than board.max_seats "
                f"({board.max_seats})",
            )
        )
    if total_reserved > board.max_seats:
        errors.append(
            FieldError(
                "board.classes",
                f"the reserved seats add up to {total_reserved}, more than board.max_seats "
                f"({board.max_seats})",
            )
        )
    if board.user_led.share is not None and board.user_led.share.comparison is Comparison.AT_MOST:
        errors.append(FieldError("board.user_led.share", 'must start "more than" or "at least"'))
    if board.decision_threshold.comparison is Comparison.AT_MOST:
        errors.append(FieldError("board.decision_threshold", 'must start "more than" or "at least"'))
    if board.retire_by_rotation is not None and board.retire_by_rotation == 0:
        errors.append(FieldError("board.retire_by_rotation", "must be more than 0; leave it out for none"))
    if board.max_co_opted is not None and board.max_co_opted > board.max_seats:
        errors.append(
            FieldError("board.max_co_opted", f"must not be more than board.max_seats ({board.max_seats})")
        )
    for path, keys in (
        ("quorum.general_meeting.must_include_classes", c.quorum.general_meeting.must_include_classes),
        ("quorum.board.must_include_classes", c.quorum.board.must_include_classes),
    ):
        for key in keys:
            if key not in class_keys:
                errors.append(FieldError(path, f'"{key}" is not one of the member classes'))

    res = c.resolutions
    for path, share in (("resolutions.ordinary", res.ordinary), ("resolutions.special", res.special)):
        if share.comparison is Comparison.AT_MOST:
            errors.append(FieldError(path, 'must start "more than" or "at least"'))
    if form.is_company:
        # CA06 ss.281-283: the articles cannot change what an ordinary or special resolution is.
        if res.ordinary != Share(Comparison.MORE_THAN, Fraction(1, 2)):
            errors.append(FieldError("resolutions.ordinary", 'must be "more than 50%" for a company'))
        if res.special != Share(Comparison.AT_LEAST, Fraction(3, 4)):
            errors.append(FieldError("resolutions.special", 'must be "at least 75%" for a company'))
    amendment = c.named_decision("constitution_amendment")
    if (
        form.is_company
        and amendment is not None
        and amendment.threshold != res.special
        and not amendment.threshold.stricter_than(res.special)
    ):
        errors.append(
            FieldError(
                "resolutions.named.constitution_amendment.threshold",
                'must be at least "at least 75%" for a company: its articles change by special resolution',
            )
        )
    for decision in res.named:
        p = f"resolutions.named.{decision.key}"
        if decision.threshold.comparison is Comparison.AT_MOST:
            errors.append(FieldError(f"{p}.threshold", 'must start "more than" or "at least"'))
        if decision.min_turnout is not None and decision.base is VoteBase.ELIGIBLE_VOTES:
            errors.append(FieldError(f"{p}.min_turnout", "has no effect when counted against eligible votes"))

    notice = c.notice
    if form.is_company:
        for path, days in (
            ("notice.general_meeting_clear_days", notice.general_meeting_clear_days),
            ("notice.agm_clear_days", notice.agm_clear_days),
        ):
            if days < _COMPANY_MIN_GENERAL_NOTICE:
                errors.append(
                    FieldError(path, f"must be at least 14 for a company (Companies Act s.307), got {days}")
                )
        for path, consent in (
            ("notice.short_notice_consent", notice.short_notice_consent),
            ("notice.agm_short_notice_consent", notice.agm_short_notice_consent),
        ):
            if consent is not None and not Fraction(90, 100) <= consent.fraction <= Fraction(95, 100):
                errors.append(FieldError(path, f'must be between 90% and 95% for a company, got "{consent}"'))
        if not c.proxies.allowed:
            errors.append(
                FieldError("proxies.allowed", "must be true: every company member may appoint a proxy")
            )
    for path, consent in (
        ("notice.short_notice_consent", notice.short_notice_consent),
        ("notice.agm_short_notice_consent", notice.agm_short_notice_consent),
    ):
        if consent is not None and consent.comparison is Comparison.AT_MOST:
            errors.append(FieldError(path, 'must start "more than" or "at least"'))
    if c.proxies.deadline_hours > _MAX_PROXY_DEADLINE_HOURS:  # also enforced per field; kept for dicts
        errors.append(FieldError("proxies.deadline_hours", "must be 48 or fewer"))

    lock = c.asset_lock
    if form.is_cic and not lock.asset_locked:
        errors.append(FieldError("asset_lock.asset_locked", "must be true: every CIC is asset locked"))
    if lock.dividend_cap is not None:
        if form is not LegalForm.CIC_SHARES:
            errors.append(
                FieldError(
                    "asset_lock.dividend_cap",
                    f"only a CIC limited by shares may pay dividends under a cap, not a {form.plain_name}",
                )
            )
        elif lock.dividend_cap > _MAX_DIVIDEND_CAP:
            errors.append(
                FieldError(
                    "asset_lock.dividend_cap",
                    f"must be at most 35% of distributable profits, got {format_fraction(lock.dividend_cap)}",
                )
            )
    if c.name in lock.specified_bodies:
        errors.append(FieldError("asset_lock.specified_bodies", "must not name the organisation itself"))
