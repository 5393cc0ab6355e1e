"""`coop count` through click's CliRunner: every method, text and JSON, and errors a user can act on."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coop.count_command import count

SIMPLE = """# candidates: Alice, Bob, Carol
Alice, Bob
Alice
Bob, Alice
Bob, Carol
Carol, Bob
Carol, Bob
Carol
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(count, [str(a) for a in args])
    return result.exit_code, result.output


def test_irv_prints_rounds_in_words(tmp_path: Path) -> None:
    ballots = "Alice\nAlice\nAlice\nBob\nBob\nCarol, Bob\n"
    code, out = _run("irv", _write(tmp_path, "ballots.csv", ballots))
    assert code == 0, out
    # Round 1: Alice 3, Bob 2, Carol 1 (excluded); round 2: 3-3, settled by round 1, where Alice led.
    assert "Round 1 (threshold 4)" in out
    assert "Carol has the fewest votes (1) and is excluded." in out
    assert "Carol's votes moved: 1 to Bob." in out
    assert "Alice had the most votes (3) in round 1" in out
    assert out.strip().endswith("Elected: Alice")


def test_irv_tie_needs_a_seed_then_records_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "ballots.csv", SIMPLE)
    code, out = _run("irv", path)
    assert code == 1
    assert "seed" in out
    code, out = _run("irv", path, "--seed", "7", "--json")
    assert code == 0, out
    sheet = json.loads(out)
    assert sheet["seed"] == 7
    assert sheet["elected"] in (["Carol"], ["Bob"], ["Alice"])
    assert any(e["kind"] == "tie_break" for e in sheet["rounds"][0]["events"])


def test_irv_json_has_elected_and_rounds(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.csv", "Alice, Bob\nAlice\nBob, Alice\nAlice, Carol\nCarol, Bob\n")
    code, out = _run("irv", path, "--json")
    assert code == 0, out
    sheet = json.loads(out)
    assert sheet["elected"] == ["Alice"]
    assert sheet["rounds"][0]["tallies"] == {"Alice": "3", "Bob": "1", "Carol": "1"}
    assert sheet["rounds"][0]["threshold"] == "3"


def test_long_and_wide_csv_formats(tmp_path: Path) -> None:
    long_csv = "ballot_id,rank,choice\n1,1,A\n1,2,B\n2,1,B\n3,1,A\n4,1,$OVERVOTE\n"
    code, out = _run("irv", _write(tmp_path, "long.csv", long_csv), "--json")
    assert code == 0, out
    assert json.loads(out)["elected"] == ["A"]
    wide_csv = "Precinct,rank1,rank2\np,A,B\np,B,skipped\np,A,skipped\n"
    code, out = _run("irv", _write(tmp_path, "wide.csv", wide_csv), "--format", "wide-csv", "--json")
    assert code == 0, out
    assert json.loads(out)["elected"] == ["A"]


def test_stv_scottish_from_blt(tmp_path: Path) -> None:
    blt = '3 2\n4 1 2 0\n3 2 3 0\n2 3 0\n1 1 3 0\n0\n"Ann"\n"Ben"\n"Cat"\n"Two seats"\n'
    code, out = _run("stv", _write(tmp_path, "e.blt", blt), "--json")
    assert code == 0, out
    sheet = json.loads(out)
    assert sheet["seats"] == 2
    assert len(sheet["elected"]) == 2
    assert sheet["rounds"]
    # --seats overrides what the file states.
    code, out = _run("stv", tmp_path / "e.blt", "--seats", "1", "--json")
    assert code == 0, out
    one = json.loads(out)
    assert (one["seats"], len(one["elected"])) == (1, 1)
    code, out = _run("stv", tmp_path / "e.blt", "--seats", "0")
    assert (code, "'--seats': 0 is not in the range x>=1" in out) == (2, True)


def test_rctab_config_with_generic_csv(tmp_path: Path) -> None:
    _write(tmp_path, "cvr.csv", "id,A,B,C\n1,1,2,\n2,1,,\n3,,1,2\n4,2,,1\n5,,,1\n")
    config = {
        "outputSettings": {"contestName": "Test contest"},
        "cvrFileSources": [
            {
                "provider": "genericCsv",
                "filePath": "cvr.csv",
                "firstVoteColumnIndex": "2",
                "firstVoteRowIndex": "2",
            }
        ],
        "candidates": [{"name": n, "excluded": False, "aliases": []} for n in ("A", "B", "C")],
        "rules": {
            "tiebreakMode": "useCandidateOrder",
            "overvoteRule": "alwaysSkipToNextRank",
            "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1",
            "decimalPlacesForVoteArithmetic": "4",
            "maxSkippedRanksAllowed": "1",
            "maxRankingsAllowed": "max",
            "batchElimination": False,
        },
    }
    path = _write(tmp_path, "contest_config.json", json.dumps(config))
    code, out = _run("rctab", path, "--json")
    assert code == 0, out
    sheet = json.loads(out)
    assert sheet["title"] == "Test contest"
    # Round 1: A 2, C 2, B 1; B goes, their ballot moves to C, who wins 3 to 2.
    assert sheet["rounds"][0]["excluded"] == ["B"]
    assert sheet["elected"] == ["C"]


def test_plurality_and_approval(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.csv", "Alice, Bob\nAlice\nBob, Carol\nCarol, Bob\nBob\nAlice\n")
    code, out = _run("plurality", path, "--json")
    assert code == 0, out
    assert json.loads(out)["elected"] == ["Alice"]
    code, out = _run("approval", path, "--json", "--seed", "1")
    assert code == 0, out
    assert json.loads(out)["elected"] == ["Bob"]  # approved on 4 ballots, Alice on 3


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.csv", "# candidates: A, B\nA, Zed\n", "line 2"),
        ("bad.blt", '2 1\n1 3 0\n0\n"A"\n"B"\n"t"\n', ""),
        ("long.csv", "ballot_id,rank,choice\n1,first,A\n", "row 2"),
    ],
)
def test_bad_input_fails_with_a_clear_message(tmp_path: Path, name: str, text: str, message: str) -> None:
    fmt = ["--format", "long-csv"] if name == "long.csv" else []
    code, out = _run("irv", _write(tmp_path, name, text), *fmt)
    assert code == 1
    assert "Error:" in out
    assert message in out


def test_irv_refuses_several_seats(tmp_path: Path) -> None:
    code, out = _run("irv", _write(tmp_path, "b.csv", "A\nB\n"), "--seats", "2")
    assert code == 1
    assert "one seat" in out


def test_rctab_config_with_ess_spreadsheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Id", "Choice 1", "Choice 2", "Choice 3"])
    for row in (
        ["1", "Ann", "Bee", None],
        ["2", "Ann", "overvote", None],
        ["3", "Bee", "undervote", "Cy"],
        ["4", "Cy", "Bee", None],
        ["5", "UWI", "Ann", None],
    ):
        sheet.append(row)
    sheet.cell(row=8, column=1).style = "Note"  # a stored row with no values: a ballot ranking nobody
    book.save(tmp_path / "cvr.xlsx")
    config = {
        "cvrFileSources": [
            {
                "provider": "ess",
                "filePath": "cvr.xlsx",
                "firstVoteColumnIndex": "2",
                "firstVoteRowIndex": "2",
                "overvoteLabel": "overvote",
                "skippedRankLabel": "undervote",
                "undeclaredWriteInLabel": "UWI",
            }
        ],
        "candidates": [{"name": n} for n in ("Ann", "Bee", "Cy")],
        "rules": {
            "tiebreakMode": "useCandidateOrder",
            "overvoteRule": "exhaustImmediately",
            "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1",
            "maxSkippedRanksAllowed": "1",
            "maxRankingsAllowed": "3",
        },
    }
    path = _write(tmp_path, "ess_config.json", json.dumps(config))
    code, out = _run("rctab", path, "--json")
    assert code == 0, out
    result = json.loads(out)
    # Round 1: Ann 2, Bee 1, Cy 1, write-ins 1 (set aside first); the stored empty row is an undervote.
    first = result["rounds"][0]
    assert first["tallies"] == {"Ann": "2", "Bee": "1", "Cy": "1", "Undeclared Write-ins": "1"}
    assert first["inactive"]["undervotes"] == "1"
    assert first["excluded"] == ["Undeclared Write-ins"]
    assert result["elected"] == ["Ann"]


def test_coop_count_loads_neither_the_web_app_nor_the_database_layer(tmp_path: Path) -> None:
    # The real command in a fresh interpreter, as an operator runs it: it must start fast, so it may not load
    # Litestar, Piccolo, Jinja, the app or asyncio (or counters and readers it does not use).
    ballots = _write(tmp_path, "ward.blt", "3 1\n4 1 2 0\n3 2 0\n2 3 1 0\n0\nA\nB\nC\nWard\n")
    script = (
        "import sys\n"
        "from coop.cli import main\n"
        "try:\n"
        f"    main(['count', 'stv', {str(ballots)!r}])\n"
        "except SystemExit as stop:\n"
        "    assert stop.code in (0, None), stop.code\n"
        "print(sorted(sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Elected: A" in done.stdout
    loaded = set(ast.literal_eval(done.stdout.strip().splitlines()[-1]))
    assert "governance.counting.scottish" in loaded  # the check sees what the command imported
    heavy = {"litestar", "piccolo", "jinja2", "coop.app", "coop.db", "asyncio", "openpyxl"}
    unused = {"governance.counting.rctab", "governance.counting.meek", "governance.counting.cdf"}
    assert {m for m in loaded if m.split(".")[0] in heavy or m in heavy | unused} == set()
