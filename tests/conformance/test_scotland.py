"""Real Scottish council wards counted by rules 45–52 against their official stage-by-stage result sheets.

Every case in `scotland/manifest.json` must reproduce its elected set and order, the valid poll, the quota,
the number of stages and every candidate's total at every stage, to 5 decimals. The only departures are
declared below, one by one, with the reason the data gives for each: no blanket tolerance.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from governance.counting.blt import parse_blt
from governance.counting.model import CountSheet
from governance.counting.scottish import count_scottish_stv
from tests.conformance.conftest import conformance_root

FIVE_DP = Decimal("0.00001")
TWO_DP = Decimal("0.01")

# Sheets published (or quoted) at 2 decimals: compare at 2 dp, figures rounded half up. The non-transferable
# column of such a sheet also holds what truncation lost, so it is compared with non-transferable + rounding.
TWO_DP_SHEETS = {
    "north_lanarkshire_2012_ward3": "stage table quoted at 2 dp in brainbuz/Vote-Count t/wigm2.t, stages 1-7",
}
# Sheets that stop before the end of the count: (stages given, why).
PARTIAL_SHEETS = {
    "north_lanarkshire_2012_ward3": (7, "the quoted table stops after the exclusion of Masterton (stage 7)"),
}
# Figures in an official sheet that are known to be wrong: (case, stage, candidate) -> (official, true).
OFFICIAL_ERRATA = {
    ("glasgow_2017_ward1", 3, "Alan DIGNEY (Grn)"): ("393.00000", "303.00000"),
}


def _cases() -> list[dict[str, Any]]:
    manifest = conformance_root() / "scotland" / "manifest.json"
    if not manifest.is_file():
        return [{"case": "scotland-manifest-missing"}]
    cases: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))["cases"]
    return cases


CASES = _cases()


def _count(conformance_dir: Path, case: dict[str, Any]) -> CountSheet:
    folder = conformance_dir / "scotland"
    ballots = folder / case.get("ballots", "missing.blt")
    if not ballots.is_file():
        pytest.fail(f"ballots missing: {ballots}", pytrace=False)
    assert case.get("rules") == "scottish_stv_2007", f"case needs rules we did not build: {case.get('rules')}"
    return count_scottish_stv(parse_blt(ballots.read_text(encoding="utf-8")))


def _expected(conformance_dir: Path, case: dict[str, Any]) -> dict[str, Any]:
    path = conformance_dir / "scotland" / case["expected"]
    if not path.is_file():
        pytest.fail(f"expected results missing: {path}", pytrace=False)
    expected: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return expected


@pytest.fixture(scope="module")
def sheets() -> dict[str, CountSheet]:
    return {}


def _sheet(sheets: dict[str, CountSheet], conformance_dir: Path, case: dict[str, Any]) -> CountSheet:
    if case["case"] not in sheets:
        sheets[case["case"]] = _count(conformance_dir, case)
    return sheets[case["case"]]


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_elected_in_order(conformance_dir: Path, case: dict[str, Any], sheets: dict[str, CountSheet]) -> None:
    sheet = _sheet(sheets, conformance_dir, case)
    expected = _expected(conformance_dir, case)
    assert list(sheet.elected) == case["elected_in_order"]
    assert [e["name"] for e in expected["elected_in_order"]] == case["elected_in_order"]
    assert sheet.valid_poll == case["valid_poll"] == expected["valid_poll"]
    assert sheet.quota == case["quota"] == expected["quota"]
    assert sheet.seats == case["seats"]
    for entry in expected["elected_in_order"]:
        if entry["elected_at_stage"] is None:
            continue  # after the end of a partial sheet
        stage = sheet.rounds[entry["elected_at_stage"] - 1]
        assert entry["name"] in stage.elected, (
            f"{entry['name']} not elected at stage {entry['elected_at_stage']}"
        )


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_every_stage_total(
    conformance_dir: Path, case: dict[str, Any], sheets: dict[str, CountSheet]
) -> None:
    sheet = _sheet(sheets, conformance_dir, case)
    expected = _expected(conformance_dir, case)
    name = case["case"]
    stages = expected["stages"]
    if name in PARTIAL_SHEETS:
        given, _why = PARTIAL_SHEETS[name]
        assert len(stages) == given
        assert len(sheet.rounds) > given
    else:
        assert len(sheet.rounds) == len(stages)
    two_dp = name in TWO_DP_SHEETS
    mismatches = []
    for stage in stages:
        got_round = sheet.rounds[stage["stage"] - 1]
        for candidate, figure in stage["votes"].items():
            assert candidate in sheet.candidates, f"unknown candidate {candidate}"
            got = got_round.tallies.get(candidate, Decimal(0))
            if two_dp:
                assert re.fullmatch(r"\d+\.\d\d", figure), f"{name}: not a 2 dp figure: {figure}"
                ok = got.quantize(TWO_DP, ROUND_HALF_UP) == Decimal(figure)
            else:
                ok = got.quantize(FIVE_DP) == got and got == Decimal(figure)
            if not ok:
                mismatches.append((stage["stage"], candidate, figure, str(got)))
        if "non_transferable" in stage:
            inactive = got_round.inactive
            lost = inactive["non_transferable"] + inactive["rounding"]
            quantum = TWO_DP if two_dp else FIVE_DP
            if lost.quantize(quantum, ROUND_HALF_UP) != Decimal(stage["non_transferable"]):
                mismatches.append((stage["stage"], "non-transferable", stage["non_transferable"], str(lost)))
    assert mismatches == []


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_official_sheet(conformance_dir: Path, case: dict[str, Any], sheets: dict[str, CountSheet]) -> None:
    """The untouched official JSON: every figure equal, except the declared errata (which must differ)."""
    official_name = case.get("official_results", "missing")
    if official_name is None:
        assert case["case"] in PARTIAL_SHEETS, "only the declared partial sheet has no official JSON"
        return
    path = conformance_dir / "scotland" / official_name
    if not path.is_file():
        pytest.fail(f"official results missing: {path}", pytrace=False)
    sheet = _sheet(sheets, conformance_dir, case)
    official = json.loads(path.read_text(encoding="utf-8"))["Constituency"]
    by_person = _match_people(official["countGroup"], sheet)
    assert int(official["countInfo"]["Valid_Poll"]) == sheet.valid_poll
    assert Decimal(official["countInfo"]["Quota"]) == sheet.quota
    stages = {row["Count_Number"] for row in official["countGroup"]}
    assert len(sheet.rounds) == max(stages)
    seen_errata = set()
    mismatches = []
    for row in official["countGroup"]:
        candidate = by_person[row["Candidate_Id"]]
        stage = row["Count_Number"]
        got = sheet.rounds[stage - 1].tallies.get(candidate, Decimal(0))
        key = (case["case"], stage, candidate)
        if key in OFFICIAL_ERRATA:
            printed, true = OFFICIAL_ERRATA[key]
            assert Decimal(row["Total_Votes"]) == Decimal(printed)
            assert got == Decimal(true)
            seen_errata.add(key)
        elif got != Decimal(row["Total_Votes"]):
            mismatches.append((stage, candidate, row["Total_Votes"], str(got)))
    assert mismatches == []
    assert seen_errata == {k for k in OFFICIAL_ERRATA if k[0] == case["case"]}


def test_partial_sheet_runs_to_the_documented_end(
    conformance_dir: Path, sheets: dict[str, CountSheet]
) -> None:
    """Cumbernauld South: the notes say the count goes on to exclude Homer, giving Hogg 1594.85."""
    (case,) = [c for c in CASES if c["case"] == "north_lanarkshire_2012_ward3"]
    sheet = _sheet(sheets, conformance_dir, case)
    last = sheet.rounds[-1]
    assert len(sheet.rounds) == 8
    assert last.excluded == ("Willie HOMER (SNP)",)
    assert last.tallies["Paddy HOGG (SNP)"].quantize(TWO_DP, ROUND_HALF_UP) == Decimal("1594.85")
    assert last.elected == ("Paddy HOGG (SNP)",)


def _match_people(rows: list[dict[str, Any]], sheet: CountSheet) -> dict[str, str]:
    """Official candidate id -> BLT name: by surname, and among same surnames by first preferences."""
    first_stage = sheet.rounds[0].tallies
    matched: dict[str, str] = {}
    for row in rows:
        if row["Count_Number"] != 1:
            continue
        surname = row["Surname"].upper()
        options = [name for name in sheet.candidates if surname in name.upper()]
        if len(options) > 1:
            votes = Decimal(row["Total_Votes"])
            options = [name for name in options if first_stage.get(name) == votes]
        assert len(options) == 1, f"cannot match {row['Firstname']} {row['Surname']}: {options}"
        matched[row["Candidate_Id"]] = options[0]
    assert sorted(matched.values()) == sorted(sheet.candidates)
    return matched
