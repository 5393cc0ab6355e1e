"""The ballot lines of a BLT file read in bulk with numpy, straight into rank-table rows.

Only the plain form is read here: lines of whole numbers (`<weight> <pref> ... 0`) separated by spaces or
tabs, every preference one declared candidate: what counting programs and election offices export at size.
Anything else (a skipped rank `-`, an overvote `3=5`, a ballot id, a comment, a number that is no candidate,
a line that does not end in 0) makes `read_plain_ballots` answer None, and `blt.parse_blt` reads the file
line by line instead, with the same meaning and the same plain-English errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from governance.counting.model import Ranking
from governance.counting.table import Cells, laid_out

CHUNK_BYTES = 1 << 22
"""Bytes read in one go: the arrays of one chunk stay a few tens of megabytes, whatever the file's size."""
_DIGITS_MAX = 18
"""The longest number read here (it fits in int64); a longer one goes the slow way."""

Lines = tuple[npt.NDArray[np.int64], npt.NDArray[np.intp], npt.NDArray[np.integer[Any]]]
"""(weights, preferences per line, the preferences one after another) of the lines with weight > 0."""


def read_plain_ballots(
    body: bytes, candidates: int
) -> tuple[Cells, npt.NDArray[np.int64], dict[int, Ranking]] | None:
    """The ballot lines `body` (whole lines) as table rows (one per line of weight > 0, file order), their
    weights, and the rows whose ranks the codes do not hold (a ballot with no preferences: `()`); or None if
    the lines are not all plain (see the module docstring)."""
    data = np.frombuffer(body, dtype=np.uint8)
    digits = data - np.uint8(48)  # wraps for non-digits, so "is a digit" is "< 10"
    returns = np.count_nonzero(data == 13)
    plain = (
        np.count_nonzero(digits < 10)
        + np.count_nonzero(data == 32)
        + np.count_nonzero(data == 9)
        + np.count_nonzero(data == 10)
        + returns
    )
    if plain != data.size:
        return None
    if returns:
        at = np.flatnonzero(data == 13)
        if at[-1] + 1 >= data.size or (data[at + 1] != 10).any():
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
    weights, lengths, flat = (_joined([p[i] for p in parts]) for i in range(3))
    cells = laid_out(lengths, flat, candidates)
    empty = np.flatnonzero(lengths == 0)
    return cells, weights, dict.fromkeys(empty.tolist(), ())


def _joined(arrays: list[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    if len(arrays) == 1:
        return arrays[0]
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=np.intp)


def _read_chunk(data: npt.NDArray[np.uint8], digits: npt.NDArray[np.uint8], candidates: int) -> Lines | None:
    is_digit = digits < 10
    # Where digit and non-digit meet: a token's start, its end, the next token's start, ... (on booleans,
    # which `nonzero` reads several times faster than the +1/-1 of `np.diff`).
    edges = np.empty(is_digit.size + 1, dtype=bool)
    edges[0], edges[-1] = is_digit[0], is_digit[-1]
    np.not_equal(is_digit[1:], is_digit[:-1], out=edges[1:-1])
    bounds = np.flatnonzero(edges)
    starts, ends = bounds[0::2], bounds[1::2]
    if not starts.size:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.intp), np.empty(0, dtype=np.int64)
    lengths = ends - starts
    longest = int(lengths.max())
    if longest > _DIGITS_MAX:
        return None
    # Digit by digit, only over the tokens that long (candidate numbers are one or two digits).
    values: npt.NDArray[np.integer[Any]] = digits[starts].astype(np.int64 if longest > 9 else np.int32)
    longer = np.flatnonzero(lengths > 1)
    for k in range(1, longest):
        values[longer] = values[longer] * 10 + digits[starts[longer] + k]
        longer = longer[lengths[longer] > k + 1]
    # The last token of each line. Usually it ends right at the line end, one per line; otherwise (blank
    # lines, spaces before the line end) count how many tokens start before each line end.
    breaks = data[ends]
    last = np.flatnonzero((breaks == 10) | (breaks == 13))
    lines = np.count_nonzero(data == 10)
    if last.size == lines:
        per_line = np.diff(last, prepend=-1)
    else:
        per_line = np.diff(np.searchsorted(starts, np.flatnonzero(data == 10)), prepend=0)
        per_line = per_line[per_line > 0]  # blank lines hold no ballot
        last = np.cumsum(per_line) - 1
    if int(per_line.min()) < 2:
        return None  # a line of one number: not a ballot (the line-by-line reader says why)
    first = last - per_line + 1
    if values[last].any():
        return None  # a ballot line must end with 0
    inner = np.ones(values.size, dtype=bool)
    inner[first] = False
    inner[last] = False
    prefs = values[inner]
    if prefs.size and (int(prefs.min()) < 1 or int(prefs.max()) > candidates):
        return None  # not a candidate number
    weights = values[first].astype(np.int64)
    counted = weights > 0  # a line of weight 0 carries no ballot
    if counted.all():
        return weights, per_line - 2, prefs
    return weights[counted], (per_line - 2)[counted], prefs[np.repeat(counted, per_line - 2)]
