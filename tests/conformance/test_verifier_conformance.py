"""The stand-alone checker `verifier/verify_board.py` agrees with `coop count` on every shared conformance
case of a kind coop runs, stage by stage, and names the first difference when a file is tampered with.

Each case's ballots are published as a closed vote publishes them (`tests/published_files.py`: the board
JSON with one entry per distinct ranking, and the results JSON counted by coop), and the count sheet in the
results is checked against `coop count` on the case's own file, so the checker is held to coop's counts of the
real data: the 10 Scottish wards and Droop's profiles (Scottish rules and Meek's), the RCTab cases (single
seat by coop's instant runoff, several seats by coop's STV) and the Burlington and Portland elections.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from coop import ballot_files
from coop.ballot_files import load_contest, load_rctab_case
from governance.counting.blt import parse_blt
from governance.counting.irv import count_irv
from governance.counting.meek import count_meek_stv
from governance.counting.model import Contest, CountSheet
from governance.counting.scottish import count_scottish_stv
from tests.conformance.conftest import PROJECT_ROOT, conformance_root
from tests.published_files import contest_entries, published_files

SEED = 1
SLOW = {"2013_minneapolis_mayor", "2017_minneapolis_mayor", "first_round_determines_threshold_test"}
SLOW |= {f"2013_minneapolis_park{tail}" for tail in ("", "_bottoms_up", "_hare", "_sequential")}


def _load_verifier() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "verify_board", PROJECT_ROOT / "verifier" / "verify_board.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verifier = _load_verifier()


@pytest.fixture(scope="module", autouse=True)
def _read_each_spreadsheet_once() -> Iterator[None]:
    """Four Minneapolis Park cases share one 80,000-row spreadsheet: read it once for the module."""
    cached = functools.lru_cache(maxsize=None)(ballot_files.read_xlsx_rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ballot_files, "read_xlsx_rows", cached)
        yield


def _files(folder: str, pattern: str) -> list[str]:
    found = sorted(p.name for p in (conformance_root() / folder).glob(pattern))
    return found or [f"{folder}-missing"]  # absent data fails as one case, never vanishes


def _rctab_cases() -> list[Any]:
    manifest = conformance_root() / "rctab" / "manifest.json"
    if not manifest.is_file():
        return [pytest.param("rctab-manifest-missing", id="rctab-manifest-missing")]
    return [
        pytest.param(c["config"], id=c["case"], marks=[pytest.mark.slow] if c["case"] in SLOW else [])
        for c in json.loads(manifest.read_text(encoding="utf-8"))["cases"]
    ]


def _data(conformance_dir: Path, relative: str) -> Path:
    path = conformance_dir / relative
    if not path.is_file():
        pytest.fail(f"conformance data missing: {path}", pytrace=False)
    return path


def _stages(sheet: dict[str, Any] | CountSheet) -> list[tuple[Any, ...]]:
    data = sheet.to_json() if isinstance(sheet, CountSheet) else sheet
    rounds = data["rounds"]
    assert isinstance(rounds, list)
    return [(r["tallies"], r["elected"], r["excluded"]) for r in rounds] + [("elected", data["elected"])]


def _publish(contest: Contest, *, stv: bool, meek: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    kind = "stv" if stv else "ranked"
    options, entries = contest_entries(contest, stv=kind == "stv")
    return published_files(
        kind=kind,
        options=options,
        entries=entries,
        seats=contest.seats,
        seed=SEED,
        meek=meek,
    )


def _agrees(contest: Contest, coop_count: CountSheet, *, meek: bool = False) -> None:
    board, results = _publish(contest, stv=True, meek=meek)
    assert _stages(results["sheet"]) == _stages(coop_count), "the published files do not hold coop's count"
    assert verifier.verify(board, results) == []


@pytest.mark.parametrize("name", _files("scotland/wards", "*.blt"))
def test_the_verifier_agrees_on_each_scottish_ward_stage_by_stage(conformance_dir: Path, name: str) -> None:
    contest = parse_blt(_data(conformance_dir, f"scotland/wards/{name}").read_text(encoding="utf-8"))
    _agrees(contest, count_scottish_stv(contest, seed=SEED))


@pytest.mark.parametrize("name", _files("peer_suites/droop", "*.blt"))
@pytest.mark.parametrize("meek", [False, True], ids=["scottish", "meek"])
def test_the_verifier_agrees_on_each_droop_profile(conformance_dir: Path, name: str, meek: bool) -> None:
    contest = parse_blt(_data(conformance_dir, f"peer_suites/droop/{name}").read_text(encoding="utf-8"))
    count = count_meek_stv(contest, seed=SEED) if meek else count_scottish_stv(contest, seed=SEED)
    _agrees(contest, count, meek=meek)


@pytest.mark.parametrize("config", _rctab_cases())
def test_the_verifier_agrees_on_each_rctab_case(conformance_dir: Path, config: str) -> None:
    contest, _ = load_rctab_case(_data(conformance_dir, f"rctab/{config}"))
    counted = count_irv(contest, seed=SEED) if contest.seats == 1 else count_scottish_stv(contest, seed=SEED)
    board, results = _publish(contest, stv=contest.seats > 1)
    assert results["sheet"]["elected"] == list(counted.elected)
    assert verifier.verify(board, results) == []


@pytest.mark.parametrize(
    ("relative", "file_format", "seats"),
    [
        ("real_irv/burlington_2009_mayor/us_vt_btv_2009_03_mayor.normalized.csv", "long-csv", 1),
        pytest.param(
            "real_stv/portland_2024_council_d1/Portland_D1_Condensed.csv",
            "wide-csv",
            3,
            marks=pytest.mark.slow,
        ),
    ],
)
def test_the_verifier_agrees_on_the_real_elections(
    conformance_dir: Path, relative: str, file_format: Any, seats: int
) -> None:
    contest = load_contest(_data(conformance_dir, relative), format=file_format, seats=seats)
    counted = count_irv(contest, seed=SEED) if seats == 1 else count_scottish_stv(contest, seed=SEED)
    board, results = _publish(contest, stv=contest.seats > 1)
    assert results["sheet"]["elected"] == list(counted.elected)
    assert verifier.verify(board, results) == []


def first_with_weight_shown(board: dict[str, Any]) -> int:
    return next(i for i, ballot in enumerate(board["ballots"]) if isinstance(ballot[2], int))


def _refingerprint(board: dict[str, Any], results: dict[str, Any]) -> dict[str, Any]:
    """A forger's results: the board's new fingerprint and ballot count copied in, so only the recount
    can tell."""
    board["board_digest"] = verifier.fingerprint(board)
    turnout = {**results["turnout"], "ballots": len(board["ballots"])}
    return {**results, "board_digest": board["board_digest"], "turnout": turnout}


@pytest.mark.parametrize("meek", [False, True], ids=["scottish", "meek"])
def test_a_tampered_ward_fails_with_the_stage_that_differs(conformance_dir: Path, meek: bool) -> None:
    ward = _data(conformance_dir, "scotland/wards/aberdeenshire_2017_ward12.blt")
    board, results = _publish(parse_blt(ward.read_text(encoding="utf-8")), stv=True, meek=meek)
    names = board["options"]
    # A changed choice: one paper's first preference moved to another candidate (a ballot that shows its
    # weight; one in a merged weight group would fail the group's totals first).
    shown = first_with_weight_shown(board)
    changed = copy.deepcopy(board)
    tracker, choice, weight = changed["ballots"][shown]
    prefs = choice.split(">")
    prefs[:2] = prefs[1::-1] if len(prefs) > 1 else [str((int(prefs[0]) + 1) % len(names))]
    changed["ballots"][shown] = [tracker, ">".join(prefs), weight]
    problems = verifier.verify(changed, _refingerprint(changed, results))
    assert len(problems) == 1 and problems[0].startswith(("Stage 1: the sheet gives", "The quota"))
    # A removed ballot.
    fewer = copy.deepcopy(board)
    del fewer["ballots"][shown]
    problems = verifier.verify(fewer, _refingerprint(fewer, results))
    assert len(problems) == 1 and (problems[0].startswith("Stage 1:") or "quota" in problems[0])
    # A changed result: one figure at the third stage.
    wrong = copy.deepcopy(results)
    tallies = wrong["sheet"]["rounds"][2]["tallies"]
    name = next(n for n in names if n in tallies and n not in wrong["sheet"]["rounds"][2]["elected"])
    tallies[name] = str(Decimal(tallies[name]) + Decimal("0.5"))
    problems = verifier.verify(board, wrong)
    assert problems == [
        f"Stage 3: the sheet gives {name} {tallies[name]} votes; the recount gives "
        f"{results['sheet']['rounds'][2]['tallies'][name]}."
    ]
    # A changed winner, with the stage figures left as they were.
    swapped = copy.deepcopy(results)
    loser = next(n for n in names if n not in swapped["sheet"]["elected"])
    swapped["sheet"]["elected"][-1] = loser
    swapped["chosen"] = swapped["sheet"]["elected"]
    assert any(p.startswith("The elected should be") for p in verifier.verify(board, swapped))
