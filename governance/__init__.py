"""coop's pure rules engine: constitutions, board composition, resolutions and vote counting.

No I/O, no clock, no web framework or ORM: callers pass plain typed facts in and get outcomes back.
The names below are the engine's public face; `coop/` imports from here or from the named modules. They are
loaded when first used, so that importing one part of the package (`coop count` needs only
`governance.counting`) does not import the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from governance.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from governance.board import (
        Director,
        appointment_violations,
        board_composition_violations,
        removal_violations,
        resignation_violations,
    )
    from governance.constitution import Constitution, ConstitutionError, parse_constitution
    from governance.constitutions import load_model_constitution, model_constitution_names
    from governance.notice import notice_violations
    from governance.quorum import board_quorum, general_meeting_quorum
    from governance.resolutions import resolution_outcome, written_resolution_lapse_date
    from governance.terms import retirements_at_agm
    from governance.violations import RuleViolationError, Violation

__all__ = [
    "Constitution",
    "ConstitutionError",
    "Director",
    "RuleViolationError",
    "Violation",
    "appointment_violations",
    "board_composition_violations",
    "board_quorum",
    "general_meeting_quorum",
    "load_model_constitution",
    "model_constitution_names",
    "notice_violations",
    "parse_constitution",
    "removal_violations",
    "resignation_violations",
    "resolution_outcome",
    "retirements_at_agm",
    "written_resolution_lapse_date",
]


_HOME = {
    "Director": "board",
    "appointment_violations": "board",
    "board_composition_violations": "board",
    "removal_violations": "board",
    "resignation_violations": "board",
    "Constitution": "constitution",
    "ConstitutionError": "constitution",
    "parse_constitution": "constitution",
    "load_model_constitution": "constitutions",
    "model_constitution_names": "constitutions",
    "notice_violations": "notice",
    "board_quorum": "quorum",
    "general_meeting_quorum": "quorum",
    "resolution_outcome": "resolutions",
    "written_resolution_lapse_date": "resolutions",
    "retirements_at_agm": "terms",
    "RuleViolationError": "violations",
    "Violation": "violations",
}


__getattr__ = lazy_exports(__name__, _HOME, globals())
