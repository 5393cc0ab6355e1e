"""Readers' way straight into the rank table: identical ballots merged in numpy, irregular ranks kept aside.

`aggregated` merges the rows of a freshly read table (one row per ballot line) into one row per distinct
ranking, first-seen order, weights added: what `model.aggregate` does for `RankedBallot`s, without an object
per paper. `rankings_table` lays out rankings a reader has already merged (a `Counter` of rank tuples).
Both return `TableBallots`, so the contest keeps its table and makes ballots only when asked.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from governance.counting.model import CountError, Ranking, TableBallots
from governance.counting.table import Cells, RankTable, ranks_table

_EXACT_FLOAT = 2**53
"""Weights are added up in float64 (`np.bincount`), exact below this."""


def _row_keys(cells: Cells, raw: Mapping[int, Ranking]) -> npt.NDArray[np.uint64] | npt.NDArray[np.uint32]:
    """One comparable key per row (an integer, or a row of integers when the codes do not fit in one): equal
    keys exactly for equal ballots (raw ranks decide for raw rows)."""
    rows, width = cells.shape
    bits = int(cells.max(initial=0)).bit_length() or 1
    extra: dict[Ranking, int] = {}
    for ranks in raw.values():
        extra.setdefault(ranks, len(extra))
    if bits * width <= 63 and len(extra) < 2**63:
        # The common case: a row's codes packed into one integer, so merging is a sort of integers.
        keys = np.zeros(rows, dtype=np.uint64)
        for j in range(width):
            keys <<= np.uint64(bits)
            keys |= cells[:, j]
        # A raw row's codes do not say everything (two different overvotes share a code): above 2^63.
        for row, ranks in raw.items():
            keys[row] = np.uint64(2**63 + extra[ranks])
        return keys
    wide = np.zeros((rows, width + 1), dtype=np.uint32)
    wide[:, :width] = cells
    for row, ranks in raw.items():
        wide[row, width] = 1 + extra[ranks]
    return wide


def _first_seen_groups(
    keys: npt.NDArray[np.uint64] | npt.NDArray[np.uint32],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """(the first row of each distinct key, in row order; each row's group: its key's place in that list).

    `np.unique(..., return_index=True)` gives the same with a stable sort, ten times slower here than the
    plain sort below, after which the first row of each run of equal keys is its smallest row number.
    """
    order = np.argsort(keys) if keys.ndim == 1 else np.lexsort(keys.T[::-1])
    ordered = keys[order]
    new_run = np.empty(order.size, dtype=bool)
    new_run[0] = True
    differ = ordered[1:] != ordered[:-1]
    new_run[1:] = differ if differ.ndim == 1 else differ.any(axis=1)
    starts = np.flatnonzero(new_run)
    firsts = np.minimum.reduceat(order, starts)  # per distinct key, in key order
    is_first = np.zeros(order.size, dtype=bool)
    is_first[firsts] = True
    place = np.cumsum(is_first) - 1  # a first row's place among the first rows, in row order
    group = np.empty(order.size, dtype=np.intp)
    group[order] = np.repeat(place[firsts], np.diff(np.append(starts, order.size)))
    return np.flatnonzero(is_first), group


def aggregated(
    cells: Cells, weights: npt.NDArray[np.int64], raw: Mapping[int, Ranking], candidates: int
) -> TableBallots:
    """The rows of a table read line by line, identical ballots merged into one weighted row each, in order
    of first appearance (as `model.aggregate` orders them)."""
    if not cells.shape[0]:
        return TableBallots(RankTable(cells, weights, candidates), {})
    if weights.size and float(weights.sum(dtype=np.float64)) >= _EXACT_FLOAT:
        raise CountError("a ballot weight is too large to count")
    first, group = _first_seen_groups(_row_keys(cells, raw))
    merged = np.bincount(group, weights=weights, minlength=first.size).astype(np.int64)
    merged_raw = {int(group[row]): ranks for row, ranks in raw.items()}
    table = RankTable(cells[first], merged, candidates)
    return TableBallots(table, merged_raw)


def rankings_table(rankings: Mapping[Ranking, int], candidates: int) -> TableBallots:
    """Rankings already merged (each distinct ranking and its papers, in order) as the contest's table."""
    distinct = list(rankings)
    try:
        table = ranks_table(distinct, rankings.values(), candidates)
    except OverflowError:
        raise CountError("a ballot weight is too large to count") from None
    # Rows whose codes do not hold their ranks: a rank that is not one declared candidate, or no ranks.
    odd = np.flatnonzero((table.cells > candidates).any(axis=1))
    return TableBallots(table, {row: distinct[row] for row in odd.tolist()})
