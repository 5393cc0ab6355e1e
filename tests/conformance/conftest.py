"""Where the external conformance data lives. Absent data is a failure, never a skip (CI always has it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def conformance_root() -> Path:
    """`CONFORMANCE_DIR`, else `../shared/conformance` beside the project root."""
    return Path(os.environ.get("CONFORMANCE_DIR", PROJECT_ROOT.parent / "shared" / "conformance"))


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    root = conformance_root()
    if not root.is_dir():
        pytest.fail(f"conformance data missing: {root} (set CONFORMANCE_DIR)", pytrace=False)
    return root
