"""The ballot lines of a BLT file read in bulk with numpy, straight into rank-table rows.

Only the plain form is read here: lines of whole numbers (`<weight> <pref> ... 0`) separated by spaces or
tabs, every preference one declared candidate: what counting programs and election offices export at size.
Anything else (a skipped rank `-`, an overvote `3=5`, a ballot id, a comment, a number that is no candidate,
a line that does not end in 0) makes `read_plain_ballots` answer None, and `blt.parse_blt` reads the file
line by line instead, with the same meaning and the same plain-English errors.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from governance.counting.model import Ranking
from governance.counting.table import Cells, laid_out

CHUNK_BYTES = 1 << 22
"""Bytes read in one go: the arrays of one chunk stay a few tens of megabytes, whatever the file's size."""
_DIGITS_MAX = 18
"""The longest number read here (it fits in int64); a longer one goes the slow way."""

Lines = tuple[npt.NDArray[np.int64], npt.NDArray[np.intp], npt.NDArray[np.int64]]
"""(weights, preferences per line, the preferences one after another) of the lines with weight > 0."""


def read_plain_ballots(
    body: bytes, candidates: int
) -> tuple[Cells, npt.NDArray[np.int64], dict[int, Ranking]] | None:
    """The ballot lines `body` (whole lines) as table rows (one per line of weight > 0, file order), their
    weights, and the rows whose ranks the codes do not hold (a ballot with no preferences: `()`); or None if
    the lines are not all plain (see the module docstring)."""
    data = np.frombuffer(body, dtype=np.uint8)
    digits = data - np.uint8(48)  # wraps for non-digits, so "is a digit" is "< 10"
    returns = np.flatnonzero(data == 13)
    plain = (
        np.count_nonzero(digits < 10)
        + np.count_nonzero(data == 32)
        + np.count_nonzero(data == 9)
        + np.count_nonzero(data == 10)
        + returns.size
    )
    if plain != data.size:
        return None
    if returns.size and (returns[-1] + 1 >= data.size or (data[returns + 1] != 10).any()):
        return None  # a lone \r is a line break to Python: the line-by-line reader numbers those lines
    parts: list[Lines] = []
    start = 0
    while start < len(body):
        stop = body.find(b"\n", min(start + CHUNK_BYTES, len(body) - 1)) + 1 or len(body)
        part = _read_chunk(data[start:stop], digits[start:stop], candidates)
        if part is None:
            return None
        parts.append(part)
        start = stop
    weights = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, dtype=np.int64)
    lengths = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, dtype=np.intp)
    flat = np.concatenate([p[2] for p in parts]) if parts else np.empty(0, dtype=np.int64)
    cells = laid_out(lengths, flat, candidates)
    empty = np.flatnonzero(lengths == 0)
    return cells, weights, dict.fromkeys(empty.tolist(), ())


def _read_chunk(data: npt.NDArray[np.uint8], digits: npt.NDArray[np.uint8], candidates: int) -> Lines | None:
    edges = np.diff((digits < 10).view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    lengths = np.flatnonzero(edges == -1) - starts
    if not starts.size:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.intp), np.empty(0, dtype=np.int64)
    longest = int(lengths.max())
    if longest > _DIGITS_MAX:
        return None
    values = digits[starts].astype(np.int64)
    for k in range(1, longest):
        more = np.flatnonzero(lengths > k)
        values[more] = values[more] * 10 + digits[starts[more] + k]
    # Tokens per line: how many start before each line's end (far fewer lines than tokens to look up).
    per_line = np.diff(np.searchsorted(starts, np.flatnonzero(data == 10)), prepend=0)
    per_line = per_line[per_line > 0]  # blank lines hold no ballot
    if int(per_line.min()) < 2:
        return None  # a line of one number: not a ballot (the line-by-line reader says why)
    last = np.cumsum(per_line) - 1
    first = last - per_line + 1
    if values[last].any():
        return None  # a ballot line must end with 0
    inner = np.ones(values.size, dtype=bool)
    inner[first] = False
    inner[last] = False
    prefs = values[inner]
    if prefs.size and (int(prefs.min()) < 1 or int(prefs.max()) > candidates):
        return None  # not a candidate number
    weights = values[first]
    counted = weights > 0  # a line of weight 0 carries no ballot
    lengths_out = (per_line - 2)[counted]
    return weights[counted], lengths_out.astype(np.intp), prefs[np.repeat(counted, per_line - 2)]
