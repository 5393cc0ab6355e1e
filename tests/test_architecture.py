"""governance/ stays pure: it imports only the standard library and itself (no coop, web, ORM or I/O), and
numpy only where the counting benchmark showed it pays (DESIGN.md §1: "a numeric library only where a
benchmark shows it pays"; bench/README.md §4.2)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

GOVERNANCE = Path(__file__).resolve().parent.parent / "governance"
# Standard-library modules that do I/O, talk to the network or read the clock.
FORBIDDEN_STDLIB = {
    "os",
    "io",
    "socket",
    "subprocess",
    "shutil",
    "pathlib",
    "sqlite3",
    "asyncio",
    "urllib",
    "http",
    "smtplib",
    "time",
    "tempfile",
    "glob",
    "requests",
    "threading",
    "multiprocessing",
}
# The modules that may use numpy: the ballots' rank table with its bulk reader, the counters that move
# papers with it, and the readers that lay a ballot file out as that table directly (blt_numeric,
# table_layout): building a Python object per paper first was 98 % of `coop count FILE` (bench/README.md).
NUMERIC = {"numpy"}
NUMERIC_MODULES = {
    "governance/counting/table.py",
    "governance/counting/table_layout.py",
    "governance/counting/blt_numeric.py",
    "governance/counting/wigm.py",
    "governance/counting/rctab.py",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_governance_imports_only_the_standard_library_and_itself():
    offenders: dict[str, set[str]] = {}
    files = sorted(GOVERNANCE.rglob("*.py"))
    assert len(files) > 10
    assert all((GOVERNANCE.parent / module).is_file() for module in NUMERIC_MODULES)
    for path in files:
        where = str(path.relative_to(GOVERNANCE.parent))
        allowed = NUMERIC if where in NUMERIC_MODULES else set()
        bad = {
            name
            for name in _imports(path)
            if name != "governance"
            and name not in allowed
            and (name not in sys.stdlib_module_names or name in FORBIDDEN_STDLIB)
        }
        if bad:
            offenders[where] = bad
    assert offenders == {}


def test_governance_never_reads_the_clock():
    for path in GOVERNANCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in ("date.today(", "datetime.now(", "datetime.utcnow(", "time.time("):
            assert call not in text, f"{path}: {call} (pass dates in instead)"


def test_the_check_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import litestar\nfrom coop.db import write_transaction\nimport os.path\n")
    assert _imports(sample) == {"litestar", "coop", "os"}
