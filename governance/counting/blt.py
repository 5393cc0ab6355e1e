"""Read ballots in the BLT format (OpenSTV, Droop, scot-elex) into a `Contest`.

Layout (counting.md §9): a line `<candidates> <seats>`; optionally a line of negative numbers naming withdrawn
candidates; one line per ballot `<weight> <pref> <pref> ... 0`; a line `0`; one name per candidate (quoted or
not); a title. Anything after the title is ignored. In a ballot, `3=5` marks candidates 3 and 5 at the same
rank (kept as an overvote at that rank) and `-` marks a skipped rank. Ranks are kept raw: the counter decides
what a skip or an overvote means.
"""

from __future__ import annotations

import re

from governance.counting.model import Contest, CountError, RankedBallot, aggregate

_SKIPPED_RANK = "-"
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def parse_blt(text: str) -> Contest:
    """Parse BLT text; raise `CountError` naming the line on bad input."""
    lines = text.splitlines()
    cursor = _Cursor(lines)

    lineno, header = cursor.next_content("the line giving the numbers of candidates and seats")
    fields = _strip_comment(header).split()
    if len(fields) != 2 or not all(_is_int(f) for f in fields):
        raise CountError(f"BLT line {lineno}: expected '<candidates> <seats>', found {header.strip()!r}")
    n_candidates, seats = int(fields[0]), int(fields[1])
    if n_candidates < 1:
        raise CountError(f"BLT line {lineno}: there must be at least one candidate")
    if seats < 1:
        raise CountError(f"BLT line {lineno}: there must be at least one seat")

    withdrawn: set[int] = set()
    ballots: list[RankedBallot] = []
    ended = False
    while not ended:
        lineno, line = cursor.next_content("the ballots (the list must end with a line '0')")
        tokens = _strip_comment(line).split()
        if tokens and not ballots and all(_is_negative_int(t) for t in tokens):
            for token in tokens:
                index = -int(token)
                if index > n_candidates:
                    raise CountError(
                        f"BLT line {lineno}: withdrawn candidate {index} does not exist "
                        f"(there are {n_candidates} candidates)"
                    )
                withdrawn.add(index - 1)
            continue
        if tokens and tokens[0].startswith("(") and tokens[0].endswith(")"):
            tokens = tokens[1:]  # an OpenSTV ballot id, which carries no vote
        if tokens == ["0"]:
            break
        ballot, ended = _parse_ballot(tokens, lineno, n_candidates)
        if ballot is not None:
            ballots.append(ballot)

    names: list[str] = []
    while len(names) < n_candidates:
        lineno, line = cursor.next_content(f"the name of candidate {len(names) + 1}")
        stripped = line.strip()
        if stripped.startswith('"'):
            found = _QUOTED.findall(stripped)
            if not found:
                raise CountError(f"BLT line {lineno}: unterminated quoted name {stripped!r}")
            names.extend(_unescape(name) for name in found[: n_candidates - len(names)])
        else:
            names.append(stripped)

    title = ""
    title_line = cursor.next_content_or_none()
    if title_line is not None:
        stripped = title_line[1].strip()
        quoted = _QUOTED.match(stripped)
        title = _unescape(quoted.group(1)) if quoted else stripped

    if len(set(names)) != len(names):
        duplicated = sorted({n for n in names if names.count(n) > 1})
        raise CountError(f"BLT: candidate names must differ; repeated: {', '.join(duplicated)}")
    return Contest(
        title=title,
        candidates=tuple(names),
        seats=seats,
        ballots=aggregate(ballots),
        withdrawn=frozenset(withdrawn),
    )


class _Cursor:
    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._at = 0

    def next_content_or_none(self) -> tuple[int, str] | None:
        while self._at < len(self._lines):
            line = self._lines[self._at]
            self._at += 1
            if line.strip():
                return self._at, line
        return None

    def next_content(self, expecting: str) -> tuple[int, str]:
        found = self.next_content_or_none()
        if found is None:
            raise CountError(f"BLT: the file ends early; expected {expecting}")
        return found


def _parse_ballot(tokens: list[str], lineno: int, n_candidates: int) -> tuple[RankedBallot | None, bool]:
    """One ballot line → (ballot or None for weight 0, whether the line also ends the ballot list)."""
    if not _is_int(tokens[0]):
        raise CountError(f"BLT line {lineno}: expected a ballot weight (a whole number), found {tokens[0]!r}")
    weight = int(tokens[0])
    ranks: list[tuple[int, ...]] = []
    rest = tokens[1:]
    if not rest or rest[-1] != "0":
        raise CountError(f"BLT line {lineno}: a ballot line must end with 0")
    for item in rest[:-1]:
        if item == _SKIPPED_RANK:
            ranks.append(())
            continue
        members: list[int] = []
        for part in item.split("="):
            if not _is_int(part) or int(part) < 1:
                raise CountError(f"BLT line {lineno}: {item!r} is not a candidate number")
            number = int(part)
            if number > n_candidates:
                raise CountError(
                    f"BLT line {lineno}: candidate {number} does not exist (there are {n_candidates})"
                )
            members.append(number - 1)
        ranks.append(tuple(members))
    if weight == 0:
        return None, False
    return RankedBallot(ranks=tuple(ranks), weight=weight), False


def _strip_comment(line: str) -> str:
    # Droop allows /* comments */ in the numeric part of a BLT file.
    return re.sub(r"/\*.*?\*/", " ", line)


def _is_int(token: str) -> bool:
    return token.isdigit()


def _is_negative_int(token: str) -> bool:
    return token.startswith("-") and token[1:].isdigit()


def _unescape(name: str) -> str:
    return name.replace('\\"', '"').replace("\\\\", "\\")
