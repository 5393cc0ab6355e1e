"""RCTab's own test cases: every round of every expected detailed report reproduced (counting.md §9)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from coop import ballot_files
from coop.ballot_files import load_rctab_case
from governance.counting.model import CountSheet, Round
from governance.counting.rctab import (
    EXHAUSTED_CHOICES,
    FINAL_ROUND_SURPLUS,
    OVERVOTES,
    REPEATED_RANKINGS,
    SKIPPED_RANKINGS,
    count_rctab_passes,
)
from tests.conformance.conftest import conformance_root

INACTIVE = {
    "overvotes": OVERVOTES,
    "skippedRankings": SKIPPED_RANKINGS,
    "repeatedRankings": REPEATED_RANKINGS,
    "exhaustedChoices": EXHAUSTED_CHOICES,
    "finalRoundSurplus": FINAL_ROUND_SURPLUS,
}
SLOW = {"2013_minneapolis_mayor", "2017_minneapolis_mayor"} | {
    f"2013_minneapolis_park{suffix}" for suffix in ("", "_hare", "_sequential", "_bottoms_up")
}


@pytest.fixture(scope="module", autouse=True)
def _read_each_spreadsheet_once() -> Iterator[None]:
    """Four Minneapolis Park cases share one 80,000-row spreadsheet; openpyxl takes seconds to read it, the
    count a few milliseconds, so read it once for the module."""
    cached = functools.lru_cache(maxsize=None)(ballot_files.read_xlsx_rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ballot_files, "read_xlsx_rows", cached)
        yield


def _manifest_cases() -> list[Any]:
    manifest = conformance_root() / "rctab" / "manifest.json"
    if not manifest.is_file():
        # Collected as one failing case, so absent data fails the run instead of vanishing.
        return [pytest.param(None, id="manifest-missing")]
    cases = json.loads(manifest.read_text(encoding="utf-8"))["cases"]
    return [
        pytest.param(case, id=case["case"], marks=[pytest.mark.slow] if case["case"] in SLOW else [])
        for case in cases
    ]


def _decimals(mapping: dict[str, str]) -> dict[str, Decimal]:
    return {key: Decimal(value) for key, value in mapping.items()}


def _round_differences(expected: dict[str, Any], got: Round) -> list[str]:
    n = expected["round"]
    problems: list[str] = []
    if _decimals(expected["tally"]) != dict(got.tallies):
        problems.append(f"round {n} tallies: got {dict(got.tallies)}, expected {expected['tally']}")
    if Decimal(expected["threshold"]) != got.threshold:
        problems.append(f"round {n} threshold: got {got.threshold}, expected {expected['threshold']}")
    results = expected["tallyResults"]
    elected = sorted(r["elected"] for r in results if "elected" in r)
    eliminated = sorted(r["eliminated"] for r in results if "eliminated" in r)
    if elected != sorted(got.elected):
        problems.append(f"round {n} elected: got {got.elected}, expected {elected}")
    if eliminated != sorted(got.excluded):
        problems.append(f"round {n} eliminated: got {got.excluded}, expected {eliminated}")
    transfers = {
        r.get("elected", r.get("eliminated")): _decimals(r["transfers"]) for r in results if r["transfers"]
    }
    got_transfers = {source: dict(moved) for source, moved in got.transfers.items() if moved}
    if transfers != got_transfers:
        problems.append(f"round {n} transfers: got {got_transfers}, expected {transfers}")
    for key, value in expected["inactiveBallots"].items():
        mine = got.inactive.get(INACTIVE[key], Decimal(0))
        if Decimal(value) != mine:
            problems.append(f"round {n} inactive {key}: got {mine}, expected {value}")
    return problems


def _report_differences(report: dict[str, Any], sheet: CountSheet) -> list[str]:
    problems: list[str] = []
    results = report["results"]
    if len(results) != len(sheet.rounds):
        problems.append(f"{len(sheet.rounds)} rounds, expected {len(results)}")
    for expected, got in zip(results, sheet.rounds, strict=False):
        problems.extend(_round_differences(expected, got))
    summary = report["summary"]
    if Decimal(summary["totalNumBallots"]) != sheet.valid_poll:
        problems.append(f"total ballots {sheet.valid_poll}, expected {summary['totalNumBallots']}")
    if sheet.rounds and Decimal(summary["finalThreshold"]) != sheet.rounds[-1].threshold:
        problems.append(f"final threshold {sheet.rounds[-1].threshold}, expected {summary['finalThreshold']}")
    return problems


@pytest.mark.parametrize("case", _manifest_cases())
def test_rctab_case_reproduces_every_round(case: dict[str, Any] | None, conformance_dir: Path) -> None:
    if case is None:
        pytest.fail(f"missing {conformance_dir / 'rctab' / 'manifest.json'}", pytrace=False)
    root = conformance_dir / "rctab"
    contest, rules = load_rctab_case(root / case["config"])
    sheets = count_rctab_passes(contest, rules)
    reports = [json.loads((root / path).read_text(encoding="utf-8")) for path in case["expected_reports"]]
    assert len(sheets) == len(reports), f"{len(sheets)} tabulations, expected {len(reports)}"
    problems: list[str] = []
    for number, (sheet, report) in enumerate(zip(sheets, reports, strict=True), start=1):
        problems.extend(f"pass {number}: {p}" for p in _report_differences(report, sheet))
    assert not problems, "\n".join(problems[:20])
    winners = [sorted(s.elected) for s in sheets]
    assert winners == [sorted(w) for w in case["expected_winners"]]
