"""The recount members run in their browser (`coop/static/js/recount.mjs`, JavaScript sharing no code with
coop's counter) agrees with `coop count` on every shared conformance case, stage by stage, and with the
stand-alone checker `verifier/verify_board.py` word for word on what is wrong with a tampered file.

The JavaScript runs under node (`tests/js/recount_files.mjs`), on the same published files the checker's
tests use (`tests/published_files.py`).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from coop.ballot_files import load_contest, load_rctab_case
from coop.votes.bulletin import BoardEntry
from governance.counting.blt import parse_blt
from tests.conformance.conftest import PROJECT_ROOT
from tests.conformance.test_verifier_conformance import (
    _data,
    _files,
    _publish,
    _rctab_cases,
    _refingerprint,
    first_with_weight_shown,
)
from tests.conformance.test_verifier_conformance import verifier as python_checker
from tests.published_files import published_files

Files = tuple[dict[str, Any], dict[str, Any]]
NODE = shutil.which("node")


def browser_recount(cases: list[Files], tmp_path: Path) -> list[dict[str, Any]]:
    """The browser recount's verdict on each pair of files: its problems and its own count sheet."""
    assert NODE, "node is needed to run the browser recount (it is installed with the front end's build)"
    pairs = []
    for number, (board, results) in enumerate(cases):
        board_path, results_path = tmp_path / f"board-{number}.json", tmp_path / f"results-{number}.json"
        board_path.write_text(json.dumps(board), encoding="utf-8")
        results_path.write_text(json.dumps(results), encoding="utf-8")
        pairs.append([str(board_path), str(results_path)])
    done = subprocess.run(
        [NODE, str(PROJECT_ROOT / "tests" / "js" / "recount_files.mjs")],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    verdicts: list[dict[str, Any]] = json.loads(done.stdout)
    return verdicts


def figures(tallies: dict[str, str]) -> dict[str, Decimal]:
    return {name: Decimal(votes) for name, votes in tallies.items()}


def agrees(files: Files, tmp_path: Path) -> None:
    board, results = files
    (verdict,) = browser_recount([files], tmp_path)
    assert verdict["problems"] == [] == python_checker.verify(board, results)
    stages = [(figures(s["tallies"]), s["elected"], s["excluded"]) for s in verdict["stages"]]
    published = [(figures(r["tallies"]), r["elected"], r["excluded"]) for r in results["sheet"]["rounds"]]
    assert stages == published, "the browser's count sheet is not the published one"


@pytest.mark.parametrize("name", _files("scotland/wards", "*.blt"))
def test_each_scottish_ward(conformance_dir: Path, name: str, tmp_path: Path) -> None:
    contest = parse_blt(_data(conformance_dir, f"scotland/wards/{name}").read_text(encoding="utf-8"))
    agrees(_publish(contest, stv=True), tmp_path)


@pytest.mark.parametrize("name", _files("peer_suites/droop", "*.blt"))
@pytest.mark.parametrize("meek", [False, True], ids=["scottish", "meek"])
def test_each_droop_profile(conformance_dir: Path, name: str, meek: bool, tmp_path: Path) -> None:
    contest = parse_blt(_data(conformance_dir, f"peer_suites/droop/{name}").read_text(encoding="utf-8"))
    agrees(_publish(contest, stv=True, meek=meek), tmp_path)


@pytest.mark.parametrize("config", _rctab_cases())
def test_each_rctab_case(conformance_dir: Path, config: str, tmp_path: Path) -> None:
    contest, _ = load_rctab_case(_data(conformance_dir, f"rctab/{config}"))
    agrees(_publish(contest, stv=contest.seats > 1), tmp_path)


@pytest.mark.slow
def test_the_burlington_election(conformance_dir: Path, tmp_path: Path) -> None:
    relative = "real_irv/burlington_2009_mayor/us_vt_btv_2009_03_mayor.normalized.csv"
    contest = load_contest(_data(conformance_dir, relative), format="long-csv", seats=1)
    agrees(_publish(contest, stv=False), tmp_path)


def _simple_votes() -> list[Files]:
    """A motion, a single choice, an approval vote, a ranked vote and both kinds of STV, each with six
    ballots of weight 1 (shown) and five of weights 2 and 3 (a merged weight group)."""

    def entries(*choices: str) -> list[BoardEntry]:
        weights = [1] * 6 + [2] * 3 + [3] * 2
        return [BoardEntry(f"T{i:025d}", c, w) for i, (c, w) in enumerate(zip(choices, weights, strict=True))]

    motion = entries(*["for"] * 4, "against", "abstain", "for", "against", "against", "for", "abstain")
    single = entries("0", "1", "2", "0", "0", "1", "2", "2", "1", "0", "2")
    approval = entries("0,1", "2", "0", "1,2", "0,2", "1", "0,1,2", "2", "1", "0", "1")
    ranked = entries("0>1", "1>2", "2>0", "0", "2>1>0", "1", "0>2", "1>0", "2", "2>1", "0>1>2")
    options = ["A", "B", "C"]
    return [
        published_files(kind="motion", options=[], entries=motion),
        published_files(kind="single", options=options, entries=single),
        published_files(kind="approval", options=options, entries=approval, seats=2),
        published_files(kind="ranked", options=options, entries=ranked),
        published_files(kind="stv", options=options, entries=ranked, seats=2),
        published_files(kind="stv", options=options, entries=ranked, seats=2, meek=True),
    ]


def test_every_kind_of_vote_with_weights(tmp_path: Path) -> None:
    for board, results in _simple_votes():
        assert {str(b[2]) for b in board["ballots"]} == {"1", "group 1"}
        agrees((board, results), tmp_path)


def _tampered(board: dict[str, Any], results: dict[str, Any]) -> list[Files]:
    """A changed choice, a removed ballot (each with the fingerprint forged to match), a changed figure,
    a changed winner and a board whose fingerprint no longer matches."""
    out: list[Files] = []
    shown = first_with_weight_shown(board)
    changed = copy.deepcopy(board)
    tracker, choice, weight = changed["ballots"][shown]
    swap = {"for": "against", "against": "for", "abstain": "for"}
    if choice in swap:
        new_choice = swap[choice]
    else:
        parts = choice.replace(",", ">").split(">")
        new_choice = str((int(parts[0]) + 1) % len(board["options"]))
    changed["ballots"][shown] = [tracker, new_choice, weight]
    out.append((changed, _refingerprint(changed, results)))
    fewer = copy.deepcopy(board)
    del fewer["ballots"][shown]
    out.append((fewer, _refingerprint(fewer, results)))
    figure = copy.deepcopy(results)
    tallies = figure["sheet"]["rounds"][-1]["tallies"]
    name = next(iter(tallies))
    tallies[name] = str(int(float(tallies[name])) + 1)
    out.append((board, figure))
    winner = copy.deepcopy(results)
    names = winner["sheet"]["candidates"]
    winner["sheet"]["elected"] = [n for n in names if n not in results["sheet"]["elected"]][:1]
    out.append((board, winner))
    if board.get("weight_groups"):  # a merged weight group given more weight, or fewer ballots
        heavier = copy.deepcopy(board)
        heavier["weight_groups"][0]["totals"][0][1] += 1
        out.append((heavier, _refingerprint(heavier, results)))
        short = copy.deepcopy(board)
        short["weight_groups"][0]["ballots"] -= 1
        out.append((short, _refingerprint(short, results)))
    unsealed = copy.deepcopy(board)
    unsealed["ballots"][shown] = [tracker, new_choice, weight]
    out.append((unsealed, results))
    return out


def test_a_tampered_file_fails_in_the_browser_with_the_checker_s_reason(
    conformance_dir: Path, tmp_path: Path
) -> None:
    ward = _data(conformance_dir, "scotland/wards/aberdeenshire_2017_ward12.blt")
    contest = parse_blt(ward.read_text(encoding="utf-8"))
    votes = [*_simple_votes(), _publish(contest, stv=True), _publish(contest, stv=True, meek=True)]
    cases = [bad for board, results in votes for bad in _tampered(board, results)]
    verdicts = browser_recount(cases, tmp_path)
    for (board, results), verdict in zip(cases, verdicts, strict=True):
        expected = python_checker.verify(board, results)
        assert expected, "the tampered files should fail"
        mine = verdict["problems"]
        if board["kind"] == "stv" or mine == expected:
            assert mine == expected
        else:  # the same problems; the browser names the first figure that differs, not the whole round
            assert expected[-1].startswith(("Round", "The published votes"))
            assert mine[:-1] == expected[:-1] and mine[-1].startswith("Stage ")
