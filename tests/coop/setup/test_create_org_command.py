"""`coop create-org MODEL ANSWERS.toml` end to end in a subprocess, on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import run
from tests.coop.setup.founding_answers import answers_toml


def _coop(db: Any, *args: str) -> subprocess.CompletedProcess[str]:
    from coop.db import CoopSQLiteEngine

    url = f"sqlite:///{db.path}" if isinstance(db, CoopSQLiteEngine) else os.environ["COOP_DATABASE_URL"]
    return subprocess.run(
        [str(Path(sys.executable).parent / "coop"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COOP_DATABASE_URL": url},
        check=False,
    )


def _organisations() -> list[str]:
    from coop.organisations.tables import Organisation

    return [r["slug"] for r in run(Organisation.select(Organisation.slug))]


def test_create_org_creates_the_organisation_and_says_what_needs_approval(db, tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text(answers_toml("cic_guarantee", name="Riverside Support Trust CIC"), encoding="utf-8")
    done = _coop(db, "create-org", "cic_guarantee", str(answers))
    assert done.returncode == 0, done.stderr
    assert "Created cic-guarantee: /o/cic-guarantee/ with constitution version 1 in force." in done.stdout
    assert 'Needs approval: The name uses "Trust", a sensitive word' in done.stdout
    assert _organisations() == ["cic-guarantee"]


def test_create_org_prints_every_problem_exits_1_and_creates_nothing(db, tmp_path: Path) -> None:
    founders = [("Amara Okafor", "budget_holder", True, True), ("Helen Jones", "family_carer", True, True)]
    answers = tmp_path / "answers.toml"
    answers.write_text(
        answers_toml("cic_guarantee", name="Riverside Support", founders=founders), encoding="utf-8"
    )
    done = _coop(db, "create-org", "cic_guarantee", str(answers))
    assert done.returncode == 1
    assert "Nothing was created." in done.stderr
    assert 'must end with "Community Interest Company" or "CIC"' in done.stderr
    assert "The board has 1 family carer; the constitution requires at least 2." in done.stderr
    assert "The board has 1 budget holder; the constitution requires at least 2." in done.stderr
    assert "Traceback" not in done.stderr
    assert _organisations() == []


def test_the_documented_example_answers_file_works(db) -> None:
    example = Path(__file__).resolve().parents[3] / "docs" / "examples" / "founding-answers-cic.toml"
    done = _coop(db, "create-org", "cic_guarantee", str(example))
    assert done.returncode == 0, done.stderr
    assert _organisations() == ["riverside-support"]
