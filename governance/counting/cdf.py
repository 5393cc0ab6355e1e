"""Read ranked ballots from a NIST SP 1500-103 cast vote record report (CDF JSON), already parsed.

`Election[].Candidate[]` names the candidates, `Election[].Contest[].ContestSelection[]` links selections to
candidates, and each `CVR[]` holds the snapshot named by `CurrentSnapshotId`, whose
`CVRContestSelection[].SelectionPosition[].Rank` give the ranks. Two selections at one rank are an overvote;
a rank nobody marked is a skipped rank. Ranks stay raw: the counter applies overvote and skip rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from governance.counting.csv_ballots import ballots_table
from governance.counting.model import UNDECLARED_WRITE_IN, Contest, CountError


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CountError(f"CDF: {where} should be a list")
    return value


def _pick_contest(
    elections: list[Any], contest_id: str | None
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    found: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    for e_index, election in enumerate(elections):
        if not isinstance(election, Mapping):
            raise CountError(f"CDF: Election[{e_index}] is not an object")
        for contest in _list(election.get("Contest"), f"Election[{e_index}].Contest"):
            if not isinstance(contest, Mapping):
                continue
            if contest_id is None or contest_id in (contest.get("@id"), contest.get("Name")):
                found.append((election, contest))
    if not found:
        wanted = f" named {contest_id!r}" if contest_id else ""
        raise CountError(f"CDF: no contest{wanted} in Election[].Contest[]")
    if len(found) > 1:
        raise CountError("CDF: the report holds several contests; say which one (contest id or name)")
    return found[0]


def read_cdf(
    data: Mapping[str, Any],
    *,
    contest_id: str | None = None,
    candidates: Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    seats: int = 1,
    title: str | None = None,
    undeclared_write_in_label: str | None = None,
) -> Contest:
    """A `Contest` from a parsed CDF CVR report.

    `candidates` fixes the candidate list and order (an RCTab config's); by default the report's own list is
    used. `aliases` maps other spellings to those names. A selection whose candidate is
    `undeclared_write_in_label` becomes an undeclared write-in; any other unknown candidate is an error naming
    the ballot.
    """
    if not isinstance(data, Mapping):
        raise CountError("CDF: the report is not a JSON object")
    elections = _list(data.get("Election"), "Election")
    election, contest = _pick_contest(elections, contest_id)
    cand_names: dict[str, str] = {}
    for i, cand in enumerate(_list(election.get("Candidate"), "Election.Candidate")):
        if not isinstance(cand, Mapping) or "@id" not in cand:
            raise CountError(f"CDF: Election.Candidate[{i}] needs an @id")
        cand_names[str(cand["@id"])] = str(cand.get("Name", cand["@id"]))
    selection_name: dict[str, str] = {}
    for i, sel in enumerate(_list(contest.get("ContestSelection"), "Contest.ContestSelection")):
        if not isinstance(sel, Mapping) or "@id" not in sel:
            raise CountError(f"CDF: Contest.ContestSelection[{i}] needs an @id")
        ids = _list(sel.get("CandidateIds"), f"ContestSelection[{i}].CandidateIds")
        if len(ids) != 1:
            raise CountError(f"CDF: ContestSelection {sel['@id']!r} must name exactly one candidate")
        selection_name[str(sel["@id"])] = cand_names.get(str(ids[0]), str(ids[0]))

    names = list(candidates) if candidates is not None else list(dict.fromkeys(selection_name.values()))
    index = {name: i for i, name in enumerate(names)}
    for alias, name in (aliases or {}).items():
        if name in index:
            index.setdefault(alias, index[name])
    contest_key = contest.get("@id")

    def code_for(selection_id: str, where: str) -> int:
        name = selection_name.get(selection_id)
        if name is None:
            raise CountError(f"CDF: {where} refers to unknown ContestSelectionId {selection_id!r}")
        if undeclared_write_in_label and name == undeclared_write_in_label:
            return UNDECLARED_WRITE_IN
        if name not in index:
            raise CountError(f"CDF: {where} names {name!r}, who is not a candidate in this contest")
        return index[name]

    ballots: list[tuple[tuple[int, ...], ...]] = []
    for b_index, cvr in enumerate(_list(data.get("CVR"), "CVR")):
        where = f"CVR[{b_index}]"
        if not isinstance(cvr, Mapping):
            raise CountError(f"CDF: {where} is not an object")
        snapshots = _list(cvr.get("CVRSnapshot"), f"{where}.CVRSnapshot")
        current = cvr.get("CurrentSnapshotId")
        chosen = [s for s in snapshots if isinstance(s, Mapping) and s.get("@id") == current] or snapshots[:1]
        by_rank: dict[int, list[int]] = {}
        for snapshot in chosen:
            for cvr_contest in _list(snapshot.get("CVRContest"), f"{where}.CVRContest"):
                if not isinstance(cvr_contest, Mapping) or cvr_contest.get("ContestId") != contest_key:
                    continue
                for s_index, sel in enumerate(
                    _list(cvr_contest.get("CVRContestSelection"), f"{where}.CVRContestSelection")
                ):
                    sel_where = f"{where} selection {s_index + 1}"
                    code = code_for(str(sel.get("ContestSelectionId")), sel_where)
                    for position in _list(sel.get("SelectionPosition"), f"{sel_where}.SelectionPosition"):
                        if not isinstance(position, Mapping) or position.get("HasIndication") == "no":
                            continue
                        raw_rank = position.get("Rank")
                        if raw_rank is None:
                            continue
                        try:
                            rank = int(raw_rank)
                        except (TypeError, ValueError):
                            raise CountError(
                                f"CDF: {sel_where} has rank {raw_rank!r}, not a number"
                            ) from None
                        if rank < 1:
                            raise CountError(f"CDF: {sel_where} has rank {rank}; ranks start at 1")
                        by_rank.setdefault(rank, []).append(code)
        top = max(by_rank, default=0)
        ranks = tuple(tuple(by_rank.get(r, ())) for r in range(1, top + 1))
        ballots.append(ranks)
    contest_title = title if title is not None else str(contest.get("Name") or "")
    return Contest(
        title=contest_title, candidates=tuple(names), seats=seats, ballots=ballots_table(ballots, len(names))
    )
