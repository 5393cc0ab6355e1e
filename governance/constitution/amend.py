"""Amending a constitution: what changed, in words, and which resolution the change needs under the rules
in force (the old constitution)."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from fractions import Fraction
from typing import NamedTuple

from governance.constitution.schema import (
    BoardClassRule,
    Constitution,
    LegalForm,
    MemberClass,
    NamedDecision,
    VoteBase,
)
from governance.constitution.share import Comparison, Share, format_fraction
from governance.resolutions import ResolutionKind
from governance.violations import Violation


class ConstitutionChange(NamedTuple):
    """One changed field: its dotted path, the old and new values, and a sentence describing the change."""

    path: str
    old: object
    new: object
    description: str


def show_value(value: object, name: str = "") -> str:
    """A setting's value in words, as a board secretary would write it."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and name.endswith("_pence"):
        pounds, pence = divmod(value, 100)
        return f"£{pounds:,}" + (f".{pence:02d}" if pence else "")
    if isinstance(value, Share):
        return str(value)
    if isinstance(value, Fraction):
        return format_fraction(value)
    if isinstance(value, Enum):
        return str(value.value).replace("_", " ")
    if isinstance(value, tuple):
        return "; ".join(show_value(v) for v in value) if value else "none"
    return str(value)


def item_name(item: object) -> str:
    if isinstance(item, MemberClass):
        return f"the {item.plural}"
    if isinstance(item, BoardClassRule):
        return f"seats for {item.key.replace('_', ' ')}"
    if isinstance(item, NamedDecision):
        return item.description.lower()
    return str(getattr(item, "key", item))


def diff_constitutions(old: Constitution, new: Constitution) -> list[ConstitutionChange]:
    """Every field that differs between two constitutions, in schema order."""
    changes: list[ConstitutionChange] = []
    _diff(old, new, "", "", changes)
    return changes


def _diff(old: object, new: object, path: str, context: str, out: list[ConstitutionChange]) -> None:
    for f in fields(old):  # type: ignore[arg-type]
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a == b:
            continue
        sub_path = f"{path}.{f.name}" if path else f.name
        label = str(f.metadata.get("label", f.name))
        where = f"{context}, {label.lower()}" if context else label
        if is_dataclass(a) and not isinstance(a, Share) and is_dataclass(b):
            _diff(a, b, sub_path, where, out)
        elif _is_keyed(a) or _is_keyed(b):
            _diff_keyed(a, b, sub_path, where, out)
        else:
            out.append(
                ConstitutionChange(
                    sub_path,
                    a,
                    b,
                    f"{where}: changed from {show_value(a, f.name)} to {show_value(b, f.name)}.",
                )
            )


def _is_keyed(value: object) -> bool:
    return (
        isinstance(value, tuple) and bool(value) and all(hasattr(v, "key") and is_dataclass(v) for v in value)
    )


def _diff_keyed(old: object, new: object, path: str, context: str, out: list[ConstitutionChange]) -> None:
    before = {v.key: v for v in old} if isinstance(old, tuple) else {}
    after = {v.key: v for v in new} if isinstance(new, tuple) else {}
    for key, item in before.items():
        if key not in after:
            out.append(
                ConstitutionChange(f"{path}.{key}", item, None, f"{context}: removed {item_name(item)}.")
            )
    for key, item in after.items():
        if key not in before:
            out.append(
                ConstitutionChange(f"{path}.{key}", None, item, f"{context}: added {item_name(item)}.")
            )
        elif before[key] != item:
            _diff(before[key], item, f"{path}.{key}", f"{context}, {item_name(item)}", out)


@dataclass(frozen=True, slots=True)
class RequiredResolution:
    """The resolution an amendment needs: a special resolution, or a named decision whose stricter rule
    applies (then pass `named_decision` to `resolution_outcome` with ResolutionKind.NAMED).

    `class_vetoes` are member classes that can block the change as a class.
    """

    kind: ResolutionKind
    named_decision: str | None
    threshold: Share
    min_turnout: Share | None
    vetoable_as: tuple[str, ...]
    """Decision keys whose class vetoes apply; pass them to ResolutionFacts.also_vetoable_as."""
    class_vetoes: tuple[str, ...]
    reasons: tuple[str, ...]


def _strictness(threshold: Share, turnout: Share | None) -> tuple[Fraction, int, Fraction]:
    return (
        threshold.fraction,
        int(threshold.comparison is Comparison.MORE_THAN),
        turnout.fraction if turnout else Fraction(0),
    )


def required_resolution(old: Constitution, new: Constitution) -> RequiredResolution | None:
    """Which resolution changing `old` into `new` needs under `old`'s rules (None if nothing changed).

    A company changes its articles by special resolution (CA06 s.21); a society or group as its rules say.
    When the constitution names a decision for the change ("constitution_amendment"; also
    "eligibility_change" when who may join a class changes) that decision applies, the strictest if
    several; member classes with a veto on any of them can block the change.
    """
    changes = diff_constitutions(old, new)
    if not changes:
        return None
    reasons: list[str] = []
    if old.legal_form.is_company:
        reasons.append("A company changes its articles by special resolution (Companies Act 2006 s.21).")
    elif old.legal_form.is_society:
        reasons.append(
            "A society changes its rules as the rules say; the change takes effect only once the FCA "
            "registers it."
        )
    else:
        reasons.append("The group changes its constitution as the constitution says.")

    touched = ["constitution_amendment"]
    if any(_changes_eligibility(c) for c in changes):
        touched.append("eligibility_change")
    named = [d for d in (old.named_decision(key) for key in touched) if d is not None]
    kind: ResolutionKind = ResolutionKind.SPECIAL
    chosen = None
    threshold, turnout, base_words = old.resolutions.special, None, "of votes cast"
    if named:
        # The decision the constitution names for this change applies; if it names several (a change to
        # eligibility is also an amendment), the strictest one.
        chosen = max(named, key=lambda d: _strictness(d.threshold, d.min_turnout))
        kind, threshold, turnout = ResolutionKind.NAMED, chosen.threshold, chosen.min_turnout
        if chosen.base is VoteBase.ELIGIBLE_VOTES:
            base_words = "of all eligible votes"
        for d in named:
            reasons.append(f'The constitution says "{d.description}" needs {d.threshold} {base_words}.')
    vetoable_as = tuple(d.key for d in named) or ("special",)
    vetoes = tuple(mc.key for mc in old.member_classes if any(k in mc.vetoes for k in vetoable_as))
    for key in vetoes:
        reasons.append(f"The {old.class_plural(key)} can block this change as a class.")
    reasons.append(f"It needs {threshold} {base_words}" + (f", with {turnout} turnout." if turnout else "."))
    return RequiredResolution(
        kind, chosen.key if chosen else None, threshold, turnout, vetoable_as, vetoes, tuple(reasons)
    )


def _changes_eligibility(change: ConstitutionChange) -> bool:
    """Whether a change alters who may join a class: its questions, or adding or removing the class."""
    parts = change.path.split(".")
    return parts[0] == "member_classes" and (len(parts) == 2 or parts[-1] == "eligibility_questions")


def amendment_violations(old: Constitution, new: Constitution) -> list[Violation]:
    """Changes that no resolution to amend the constitution can make."""
    found: list[Violation] = []
    if old.legal_form is not new.legal_form:
        message = (
            f"Changing from a {old.legal_form.plain_name} to a {new.legal_form.plain_name} is a conversion, "
            "not an amendment of the constitution, and has its own legal process."
        )
        if old.legal_form.is_cic:
            if new.legal_form.is_cic:
                message += " A CIC limited by guarantee cannot become one limited by shares, or the reverse."
            else:
                message += (
                    " A CIC can never become an ordinary company; it may only convert to a charity, a CIO or "
                    "an asset-locked community benefit society, or be dissolved."
                )
        found.append(Violation("amend.legal_form", message))
    if old.legal_form is LegalForm.CIC_GUARANTEE and new.asset_lock.dividend_cap is not None:
        found.append(Violation("amend.dividends", "A CIC limited by guarantee cannot pay dividends."))
    return found
