"""`coop documents ORG --out DIR` end to end in a subprocess: every document of a founded organisation as
a tagged PDF in the folder; an unknown organisation is an error, not a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.conftest import run
from tests.coop.documents.pdfs import pdf_facts
from tests.coop.setup.founding_answers import answers_toml
from tests.coop.setup.test_create_org_command import _coop


def test_the_command_writes_each_document_as_a_tagged_pdf(db, tmp_path: Path) -> None:
    from coop.audit.service import SYSTEM
    from coop.setup.service import found_from_text

    run(found_from_text("cooperative_society", answers_toml("cooperative_society"), SYSTEM, date(2026, 4, 1)))
    done = _coop(db, "documents", "cooperative-society", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "cooperative-society-articles.pdf",
        "cooperative-society-first-board-minutes.pdf",
        "cooperative-society-incorporation-checklist.pdf",
        "cooperative-society-membership-application-form.pdf",
        "cooperative-society-register-of-directors.pdf",
        "cooperative-society-register-of-members.pdf",
    ]
    rules = pdf_facts((tmp_path / "out" / "cooperative-society-articles.pdf").read_bytes())
    assert rules.tagged and "Rules of Northfield Carers Co-op Limited" in rules.text
    assert "Lena Novak" in rules.text


def test_an_unknown_organisation_is_an_error(db, tmp_path: Path) -> None:
    done = _coop(db, "documents", "nobody-here", "--out", str(tmp_path))
    assert done.returncode == 1
    assert "There is no organisation 'nobody-here'." in done.stderr and "Traceback" not in done.stderr
