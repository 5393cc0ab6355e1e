"""Exact vote counting: motions, plurality, approval, IRV and multi-seat STV, with full count sheets.

Every counter takes plain facts (a `Contest` of ranked ballots, or votes for a motion) and returns a
`CountSheet`: every round, every transfer, and the reason for every tie-break, reproducible from a seed.

The names below are loaded when first used, so that importing one module of the package (as `coop count`
does) does not import every counter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from governance.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from governance.counting.approval import count_approval
    from governance.counting.blt import parse_blt
    from governance.counting.irv import count_irv
    from governance.counting.meek import count_meek_stv
    from governance.counting.model import Contest, CountError, CountSheet, RankedBallot, Round, aggregate
    from governance.counting.motion import count_motion
    from governance.counting.plurality import count_plurality
    from governance.counting.rctab import count_rctab
    from governance.counting.scottish import count_scottish_stv
    from governance.counting.wigm_prf import count_wigm_prf

_HOME = {
    "Contest": "model",
    "CountError": "model",
    "CountSheet": "model",
    "RankedBallot": "model",
    "Round": "model",
    "aggregate": "model",
    "count_approval": "approval",
    "count_irv": "irv",
    "count_meek_stv": "meek",
    "count_motion": "motion",
    "count_plurality": "plurality",
    "count_rctab": "rctab",
    "count_scottish_stv": "scottish",
    "count_wigm_prf": "wigm_prf",
    "parse_blt": "blt",
}

__all__ = [
    "Contest",
    "CountError",
    "CountSheet",
    "RankedBallot",
    "Round",
    "aggregate",
    "count_approval",
    "count_irv",
    "count_meek_stv",
    "count_motion",
    "count_plurality",
    "count_rctab",
    "count_scottish_stv",
    "count_wigm_prf",
    "parse_blt",
]


__getattr__ = lazy_exports(__name__, _HOME, globals())
