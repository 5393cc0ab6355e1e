"""An organisation's compliance calendar, for its overview page: the facts `governance.compliance_calendar`
needs (legal form, year end, the day its constitution was first adopted, directors' term ends), read in
a fixed number of queries."""

from __future__ import annotations

from datetime import date

from coop import clock
from coop.boards.service import current_directors
from coop.organisations.service import constitution_of, founded_on
from coop.organisations.tables import Organisation
from governance.compliance_calendar import Deadline, compliance_deadlines
from governance.constitution import LegalForm

SHOWN = 6


async def upcoming_deadlines(organisation_id: int, today: date | None = None) -> tuple[Deadline, ...]:
    """The next few filing and meeting dates, soonest first."""
    org = (
        await Organisation.select(
            Organisation.legal_form, Organisation.year_end_month, Organisation.year_end_day
        )
        .where(Organisation.id == organisation_id)
        .first()
    )
    first = await founded_on(organisation_id)
    if org is None or first is None:
        return ()
    constitution = await constitution_of(organisation_id)
    terms = [(r["name"], r["term_end"]) for r in await current_directors(organisation_id) if r["term_end"]]
    deadlines = compliance_deadlines(
        LegalForm(org["legal_form"]),
        int(org["year_end_month"]),
        int(org["year_end_day"]),
        first,
        today or clock.today(),
        agm_required=constitution.board.retire_by_rotation is not None,
        director_terms=terms,
    )
    return deadlines[:SHOWN]
