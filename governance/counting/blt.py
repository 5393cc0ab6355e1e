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


_END_OF_BALLOTS = re.compile(r"^[ \t]*0[ \t]*\r?$", re.MULTILINE)
# Line breaks other than \n and \r\n, which `str.splitlines` honours: the bulk path leaves those files alone.
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def parse_blt(text: str) -> Contest:
    """Parse BLT text; raise `CountError` naming the line on bad input.

    Plain ballot lines (whole numbers, one candidate a preference: nearly every large file) are read in bulk
    straight into the contest's rank table (`blt_numeric`), with no Python object per ballot; any other file
    is read line by line (`parse_blt_by_line`), which gives the same contest and the same errors.
    """
    contest = _parse_in_bulk(text)
    return contest if contest is not None else parse_blt_by_line(text)


def parse_blt_by_line(text: str) -> Contest:
    """Parse BLT text one line at a time: every form of the format, and the errors with their line numbers."""
    cursor = _Cursor(text.splitlines())
    n_candidates, seats = _header(*cursor.next_content("the line giving the numbers of candidates and seats"))
    withdrawn: set[int] = set()
    ballots: list[RankedBallot] = []
    ended = False
    while not ended:
        lineno, line = cursor.next_content("the ballots (the list must end with a line '0')")
        tokens = _strip_comment(line).split()
        if tokens and not ballots and all(_is_negative_int(t) for t in tokens):
            withdrawn |= _withdrawn(lineno, tokens, n_candidates)
            continue
        if tokens and tokens[0].startswith("(") and tokens[0].endswith(")"):
            tokens = tokens[1:]  # an OpenSTV ballot id, which carries no vote
        if tokens == ["0"]:
            break
        ballot, ended = _parse_ballot(tokens, lineno, n_candidates)
        if ballot is not None:
            ballots.append(ballot)
    names, title = _names_and_title(cursor, n_candidates)
    return Contest(
        title=title,
        candidates=tuple(names),
        seats=seats,
        ballots=aggregate(ballots),
        withdrawn=frozenset(withdrawn),
    )


def _parse_in_bulk(text: str) -> Contest | None:
    """`parse_blt` for a file whose ballot lines are plain (`blt_numeric`); None: read it line by line."""
    # The first line `0` ends the ballots. A line `0` with nothing round it is found at memchr speed; if an
    # earlier line is `0` in another form, the bulk reader meets it as a line of one number and declines.
    plain_end = text.find("\n0\n")
    end = _END_OF_BALLOTS.search(text, plain_end + 1) if plain_end >= 0 else _END_OF_BALLOTS.search(text)
    if end is None:
        return None
    before = text[: end.start()]
    head = _HeadLines(before)
    header = head.next_content_or_none()
    if header is None:
        return None
    body_from = head.pos
    second = head.next_content_or_none()
    tokens = _strip_comment(second[1]).split() if second is not None else []
    listed = bool(tokens) and all(_is_negative_int(t) for t in tokens)
    if listed:
        body_from = head.pos
    if _OTHER_BREAKS.search(before, 0, body_from):
        return None  # line numbers as `str.splitlines` counts them: the line-by-line reader's
    n_candidates, seats = _header(*header)
    withdrawn = _withdrawn(second[0], tokens, n_candidates) if listed and second is not None else set()
    try:
        body = before[body_from:].encode("ascii")
    except UnicodeEncodeError:
        return None
    from governance.counting.blt_numeric import read_plain_ballots
    from governance.counting.table_layout import aggregated

    plain = read_plain_ballots(body, n_candidates)
    if plain is None:
        return None
    # The names follow the line `0`, which is line number (line breaks before it) + 1.
    zero_line = before.count("\n") + 1
    names, title = _names_and_title(_Cursor(text[end.end() :].splitlines(), zero_line - 1), n_candidates)
    return Contest(
        title=title,
        candidates=tuple(names),
        seats=seats,
        ballots=aggregated(*plain, n_candidates),
        withdrawn=frozenset(withdrawn),
    )


def _header(lineno: int, header: str) -> tuple[int, int]:
    fields = _strip_comment(header).split()
    if len(fields) != 2 or not all(_is_int(f) for f in fields):
        raise CountError(f"BLT line {lineno}: expected '<candidates> <seats>', found {header.strip()!r}")
    n_candidates, seats = int(fields[0]), int(fields[1])
    if n_candidates < 1:
        raise CountError(f"BLT line {lineno}: there must be at least one candidate")
    if seats < 1:
        raise CountError(f"BLT line {lineno}: there must be at least one seat")
    return n_candidates, seats


def _withdrawn(lineno: int, tokens: list[str], n_candidates: int) -> set[int]:
    withdrawn: set[int] = set()
    for token in tokens:
        index = -int(token)
        if index > n_candidates:
            raise CountError(
                f"BLT line {lineno}: withdrawn candidate {index} does not exist "
                f"(there are {n_candidates} candidates)"
            )
        withdrawn.add(index - 1)
    return withdrawn


def _names_and_title(cursor: _Cursor, n_candidates: int) -> tuple[list[str], str]:
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
    return names, title


class _HeadLines:
    """The first lines of a text, one at a time, split at \n only, without splitting the rest of it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lineno = 0

    def next_content_or_none(self) -> tuple[int, str] | None:
        text = self.text
        while self.pos < len(text):
            end = text.find("\n", self.pos)
            end = len(text) if end < 0 else end
            line = text[self.pos : end]
            self.pos = end + 1
            self.lineno += 1
            if line.strip():
                return self.lineno, line
        return None


class _Cursor:
    def __init__(self, lines: list[str], first_lineno: int = 0) -> None:
        self.lines = lines
        self._at = 0
        self._base = first_lineno
        """Line number of the line before `lines[0]`."""

    def next_content_or_none(self) -> tuple[int, str] | None:
        while self._at < len(self.lines):
            line = self.lines[self._at]
            self._at += 1
            if line.strip():
                return self._base + self._at, line
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
