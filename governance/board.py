"""Board composition: whether a board, or a board after an appointment, resignation or removal, keeps the
constitution's rules on size, seats per member class, co-option and the user-led share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from fractions import Fraction

from governance.constitution.schema import Constitution, OnBreach, UserLedGroup
from governance.constitution.share import Share
from governance.violations import Violation


class AppointmentRoute(StrEnum):
    """How a director came to the board."""

    ELECTED = "elected"
    """Elected by the members at a general meeting."""
    CO_OPTED = "co_opted"
    """Appointed by the board itself between general meetings."""
    APPOINTED_BY_CLASS = "appointed_by_class"
    """Chosen (elected or appointed) by one member class for that class's seats."""


@dataclass(frozen=True, slots=True)
class Director:
    """A director, as the composition rules see them.

    `user_led_consent` records that the director agreed to be counted toward the user-led share; without it
    they are never counted, whatever their classes say. `user_led_basis`, when given, says how they count
    (for example a professional who is also disabled); otherwise it comes from their member classes.
    """

    id: str
    name: str
    term_start: date
    classes: frozenset[str] = frozenset()
    user_led_consent: bool = False
    user_led_basis: UserLedGroup | None = None
    route: AppointmentRoute = AppointmentRoute.ELECTED
    appointed_by_class: str | None = None
    term_end: date | None = None


@dataclass(frozen=True, slots=True)
class ChangeCheck:
    """What a proposed change to the board would do to the rules.

    `would_break`: rules the change would break, or breaches it would make worse (stop the change).
    `warnings`: rules set to warn only (the user-led share with `on_breach = "warn"`) the change would break.
    `already_broken`: rules the board breaks now, which the change leaves no worse.
    `resolves`: rules the board breaks now that the change would put right.
    """

    would_break: tuple[Violation, ...]
    warnings: tuple[Violation, ...]
    already_broken: tuple[Violation, ...]
    resolves: tuple[Violation, ...]

    @property
    def allowed(self) -> bool:
        return not self.would_break


@dataclass(frozen=True, slots=True)
class _Finding:
    code: str
    subject: str
    gap: int  # how far from meeting the rule; larger is worse
    blocking: bool
    template: str  # "{verb}" becomes "has" (now) or "would have" (after a change)

    def violation(self, verb: str) -> Violation:
        return Violation(self.code, self.template.replace("{verb}", verb))


def counts_toward_user_led(
    constitution: Constitution, director: Director, *, family_carers_count: bool | None = None
) -> bool:
    """Whether this director counts toward the user-led share under this constitution (or, if
    `family_carers_count` is given, under that choice about carers instead of the constitution's)."""
    if not director.user_led_consent:
        return False
    if family_carers_count is None:
        family_carers_count = constitution.board.user_led.family_carers_count
    accepted = {UserLedGroup.USES_SUPPORT}
    if family_carers_count:
        accepted.add(UserLedGroup.FAMILY_CARER)
    if director.user_led_basis is not None:
        return director.user_led_basis in accepted
    for key in director.classes:
        member_class = constitution.member_class(key)
        if member_class is not None and member_class.user_led_group in accepted:
            return True
    return False


def user_led_share(constitution: Constitution, directors: Sequence[Director]) -> Fraction:
    """The exact share of directors who count toward the user-led share (0 for an empty board)."""
    if not directors:
        return Fraction(0)
    return Fraction(sum(counts_toward_user_led(constitution, d) for d in directors), len(directors))


@dataclass(frozen=True, slots=True)
class UserLedTest:
    """The board measured against one published definition of a user-led or disabled people's organisation."""

    definition: str
    share: Share
    family_carers_count: bool
    counted: int
    directors: int
    met: bool


# The definitions in use (domain notes §4): which one an organisation follows is its own setting, but
# members and funders ask about the others, so the board is shown against each.
USER_LED_DEFINITIONS: tuple[tuple[str, Share, tuple[bool, ...]], ...] = (
    ("User-led organisation, Department of Health fund test", Share.parse("more than 50%"), (True, False)),
    ("User-led organisation, DH/ODI test", Share.parse("at least 75%"), (True, False)),
    # The DR UK test also needs at least 50% of staff to be disabled people; only the board part is here.
    (
        "Disabled people's organisation, Disability Rights UK board test",
        Share.parse("at least 75%"),
        (False,),
    ),
)


def user_led_status_by_definition(
    constitution: Constitution, directors: Sequence[Director]
) -> tuple[UserLedTest, ...]:
    """The board against each published definition, with and without family carers where that varies."""
    results = []
    for name, share, carer_options in USER_LED_DEFINITIONS:
        for carers in carer_options:
            counted = sum(
                counts_toward_user_led(constitution, d, family_carers_count=carers) for d in directors
            )
            label = name + (" (counting family carers)" if carers else "")
            results.append(
                UserLedTest(
                    label, share, carers, counted, len(directors), share.is_met(counted, len(directors))
                )
            )
    return tuple(results)


def board_composition_violations(
    constitution: Constitution, directors: Sequence[Director]
) -> list[Violation]:
    """Every composition rule the board, as it stands, breaks (warn-only rules included)."""
    return [f.violation("has") for f in _findings(constitution, directors)]


def appointment_violations(
    constitution: Constitution, directors: Sequence[Director], proposed: Director
) -> ChangeCheck:
    """What appointing `proposed` would do to the rules."""
    if any(d.id == proposed.id for d in directors):
        raise ValueError(f"{proposed.name} is already a director")
    return _compare(constitution, directors, [*directors, proposed], extra=())


def resignation_violations(
    constitution: Constitution, directors: Sequence[Director], resigning_id: str
) -> ChangeCheck:
    """What the resignation of the director with id `resigning_id` would do to the rules."""
    _find(directors, resigning_id)
    return _compare(constitution, directors, [d for d in directors if d.id != resigning_id], extra=())


def removal_violations(
    constitution: Constitution,
    directors: Sequence[Director],
    removed_id: str,
    *,
    removed_by_class: str | None = None,
) -> ChangeCheck:
    """What removing a director would do to the rules.

    `removed_by_class` is the member class taking the decision, or None for the members (or board) as a
    whole; a class may be the only body allowed to remove the directors it chose.
    """
    removed = _find(directors, removed_id)
    extra: list[Violation] = []
    if removed.route is AppointmentRoute.APPOINTED_BY_CLASS and removed.appointed_by_class is not None:
        rule = constitution.board_class_rule(removed.appointed_by_class)
        if rule is not None and rule.only_class_may_remove and removed_by_class != removed.appointed_by_class:
            plural = constitution.class_plural(removed.appointed_by_class)
            extra.append(
                Violation(
                    "board.removal_by_class",
                    f"{removed.name} was chosen by the {plural}; the constitution says only the {plural} "
                    "may remove them.",
                )
            )
    return _compare(constitution, directors, [d for d in directors if d.id != removed_id], extra=tuple(extra))


def class_change_violations(
    constitution: Constitution, directors: Sequence[Director], director_id: str, new_classes: frozenset[str]
) -> ChangeCheck:
    """What moving the director with id `director_id` into `new_classes` would do to the rules."""
    changed = _find(directors, director_id)
    after = [replace(d, classes=new_classes) if d.id == changed.id else d for d in directors]
    return _compare(constitution, directors, after, extra=())


def _find(directors: Sequence[Director], director_id: str) -> Director:
    for d in directors:
        if d.id == director_id:
            return d
    raise ValueError(f"no director with id {director_id!r} on this board")


def _compare(
    constitution: Constitution,
    before: Sequence[Director],
    after: Sequence[Director],
    extra: tuple[Violation, ...],
) -> ChangeCheck:
    now = {(f.code, f.subject): f for f in _findings(constitution, before)}
    then = {(f.code, f.subject): f for f in _findings(constitution, after)}
    would_break = list(extra)
    warnings: list[Violation] = []
    already: list[Violation] = []
    for key, finding in then.items():
        previous = now.get(key)
        if previous is not None and finding.gap <= previous.gap:
            already.append(previous.violation("has"))
        elif finding.blocking:
            would_break.append(finding.violation("would have"))
        else:
            warnings.append(finding.violation("would have"))
    resolves = [f.violation("has") for key, f in now.items() if key not in then]
    return ChangeCheck(tuple(would_break), tuple(warnings), tuple(already), tuple(resolves))


def _directors_word(count: int) -> str:
    return f"{count} director" if count == 1 else f"{count} directors"


def _percent(part: int, whole: int) -> str:
    if whole == 0:
        return "0%"
    exact = Fraction(part * 100, whole)
    if exact.denominator == 1:
        return f"{exact.numerator}%"
    return f"about {round(exact)}%"


def _findings(constitution: Constitution, directors: Sequence[Director]) -> list[_Finding]:
    board = constitution.board
    n = len(directors)
    found: list[_Finding] = []

    if n < board.min_seats:
        found.append(
            _Finding(
                "board.too_few_directors",
                "",
                board.min_seats - n,
                True,
                (
                    f"The board {{verb}} {_directors_word(n)}; the constitution requires at least "
                    f"{board.min_seats}."
                ),
            )
        )
    if n > board.max_seats:
        found.append(
            _Finding(
                "board.too_many_directors",
                "",
                n - board.max_seats,
                True,
                (
                    f"The board {{verb}} {_directors_word(n)}; the constitution allows at most "
                    f"{board.max_seats}."
                ),
            )
        )

    for rule in board.classes:
        count = sum(rule.key in d.classes for d in directors)
        words = constitution.class_count_words(rule.key, count)
        if count < rule.min:
            found.append(
                _Finding(
                    "board.class_minimum",
                    rule.key,
                    rule.min - count,
                    True,
                    (f"The board {{verb}} {words}; the constitution requires at least {rule.min}."),
                )
            )
        if rule.max is not None and count > rule.max:
            found.append(
                _Finding(
                    "board.class_maximum",
                    rule.key,
                    count - rule.max,
                    True,
                    (f"The board {{verb}} {words}; the constitution allows at most {rule.max}."),
                )
            )

    reserved = [rule.key for rule in board.classes for _ in range(rule.reserved_seats)]
    if reserved and n <= board.max_seats:
        open_seats = board.max_seats - len(reserved)
        outside = n - _fill_reserved_seats(reserved, directors)
        if outside > open_seats:
            reserving = " and ".join(
                dict.fromkeys(
                    constitution.class_plural(rule.key) for rule in board.classes if rule.reserved_seats
                )
            )
            found.append(
                _Finding(
                    "board.reserved_seats",
                    "",
                    outside - open_seats,
                    True,
                    (
                        f"The board {{verb}} {_directors_word(outside)} in seats open to anyone; the "
                        f"constitution has only {open_seats} such seats; the rest are reserved for "
                        f"{reserving}."
                    ),
                )
            )

    share = board.user_led.share
    if share is not None:
        counted = sum(counts_toward_user_led(constitution, d) for d in directors)
        if not share.is_met(counted, n):
            who = "disabled people or people who use support"
            if board.user_led.family_carers_count:
                who = "disabled people, people who use support or family carers"
            found.append(
                _Finding(
                    "board.user_led_share",
                    "",
                    share.smallest_whole_number(n) - counted,
                    board.user_led.on_breach is OnBreach.BLOCK,
                    (
                        f"The board {{verb}} {counted} out of {_directors_word(n)} counted as {who} "
                        f"({_percent(counted, n)}); the constitution requires {share}."
                    ),
                )
            )

    if board.max_co_opted is not None:
        co_opted = sum(d.route is AppointmentRoute.CO_OPTED for d in directors)
        if co_opted > board.max_co_opted:
            found.append(
                _Finding(
                    "board.co_option_limit",
                    "",
                    co_opted - board.max_co_opted,
                    True,
                    (
                        f"The board {{verb}} {co_opted} co-opted "
                        f"{'director' if co_opted == 1 else 'directors'}; the constitution allows at most "
                        f"{board.max_co_opted}."
                    ),
                )
            )
    return found


def _fill_reserved_seats(seats: Sequence[str], directors: Sequence[Director]) -> int:
    """The most reserved seats the directors can fill at once, each in one seat of one of their classes.

    A director in two reserving classes could sit in either, so this is a maximum matching (Kuhn's
    augmenting paths), not a count per class.
    """
    holder: list[int | None] = [None] * len(seats)

    def place(d: int, visited: set[int]) -> bool:
        for s, key in enumerate(seats):
            if key in directors[d].classes and s not in visited:
                visited.add(s)
                current = holder[s]
                if current is None or place(current, visited):
                    holder[s] = d
                    return True
        return False

    return sum(place(d, set()) for d in range(len(directors)))
