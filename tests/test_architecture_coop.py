"""The shape of coop/ (issue #15, docs/architecture.md): controllers only speak HTTP, modules and functions
stay small enough to read in minutes.

- A controllers module (`*controllers*.py`, `coop/api/*routes*.py`) imports no `tables` module and no
  Piccolo (it calls a service, which reads and writes), and no other area's controllers module (shared
  guards and helpers live in shared modules: coop.guards, coop.actor, coop.web).
- No module in coop/ passes MAX_MODULE_LINES lines and no function passes MAX_FUNCTION_LINES.
- No module but coop/audit/guarded.py writes a conditional `UPDATE … RETURNING` by hand (a Piccolo
  `.update(…)….returning(…)` chain, or raw SQL text): state changes go through `guarded_update` (or its
  unaudited half `guarded_change`), so the guard and its audit entry are written one way.

Each allow-list below names today's offenders, so the test passes now and fails on any new one; when an
area is tidied its entries come out (the test also fails on an entry that no longer offends, so the lists
only shrink).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOP = ROOT / "coop"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60

# Controllers that still reach the database, or import another area's controllers: none any more.
CONTROLLERS_USING_TABLES: dict[str, set[str]] = {}
CONTROLLERS_USING_OTHER_CONTROLLERS: dict[str, set[str]] = {}
# Modules past MAX_MODULE_LINES: none.
LONG_MODULES: set[str] = set()
# Functions past MAX_FUNCTION_LINES, each kept whole on purpose: demo seeding reads as one story, the
# counting and verifying functions follow their published rules step by step, and the returns and the
# first board minutes build one document in its order.
LONG_FUNCTIONS = {
    "coop/budgets/demo.py:seed_pool",
    "coop/budgets/returns.py:monitoring_return",
    "coop/budgets/returns.py:return_csv",
    "coop/commissioning/demo.py:seed_commissioning",
    "coop/demo.py:seed_demo",
    "coop/documents/articles.py:first_board_minutes",
    "coop/votes/ballots.py:parse_choice",
    "coop/votes/demo.py:seed_votes",
    "coop/votes/tally.py:count_sheet",
    "coop/votes/tally.py:count_vote",
    "coop/votes/verify.py:verify_vote",
}

# Modules that write `UPDATE … RETURNING` by hand, each for a reason the helper cannot serve:
HAND_WRITTEN_GUARDED_UPDATES = {
    # The audit chain's own head: guarded_update records through it, so it cannot use it.
    "coop/audit/service.py",
    # Money: raw SQL whose guards are sums over columns (balance + amount - committed >= floor) and whose
    # audit entry is the ledger transaction's own; the rule is written out once in ledger.py.
    "coop/budgets/ledger.py",
    "coop/commissioning/invoices.py",
    # A row lock that changes nothing (`SET status = status`): the same on both engines, and not a change.
    "coop/commissioning/proposals.py",
    # The API's rate-limit window, a counter in one statement with a CASE: not a state change, no audit.
    "coop/api/tokens.py",
}
GUARDED_HELPER = "coop/audit/guarded.py"


def _modules() -> list[Path]:
    return sorted(p for p in COOP.rglob("*.py") if "static" not in p.parts)


def _where(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.as_posix()


def is_controllers(path: Path) -> bool:
    return "controllers" in path.stem or (path.parent.name == "api" and "routes" in path.stem)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, absolute names (`from coop.x import y` gives coop.x)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def database_imports(path: Path) -> set[str]:
    """ "piccolo" and the `coop.<area>.tables` modules that `path` imports."""
    found = set()
    for name in imported_modules(path):
        parts = name.split(".")
        if parts[0] == "piccolo":
            found.add("piccolo")
        elif parts[0] == "coop" and parts[2:3] == ["tables"]:
            found.add(".".join(parts[:3]))
    return found


def other_controllers(path: Path) -> set[str]:
    """Other areas' controllers modules that `path` imports (coop.<area>.<controllers module>)."""
    area = path.parent.name
    found = set()
    for name in imported_modules(path):
        parts = name.split(".")
        if len(parts) >= 3 and parts[0] == "coop" and parts[1] != area and is_controllers(Path(*parts[1:3])):
            found.add(".".join(parts[:3]))
    return found


def long_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        f"{_where(path)}:{node.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    }


def _is_table_update(call: ast.expr) -> bool:
    """Whether a `.returning(…)` chain starts from `X.update(…)` (a table's update, not a dict's)."""
    node = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "update":
            return True
        node = node.func.value
    return False


def hand_written_guarded_updates(path: Path) -> list[int]:
    """Lines where `path` writes an UPDATE … RETURNING itself: a Piccolo chain, or SQL text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "returning"
            and _is_table_update(node.func.value)
        ) or (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.search(r"\bUPDATE\b.*\bRETURNING\b", node.value, re.DOTALL)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_controllers_import_no_tables_and_no_piccolo():
    found = {_where(p): database_imports(p) for p in _modules() if is_controllers(p) and database_imports(p)}
    assert found == CONTROLLERS_USING_TABLES


def test_controllers_import_no_other_areas_controllers():
    found = {
        _where(p): other_controllers(p) for p in _modules() if is_controllers(p) and other_controllers(p)
    }
    assert found == CONTROLLERS_USING_OTHER_CONTROLLERS


def test_no_module_passes_the_size_limit():
    found = {
        _where(p) for p in _modules() if len(p.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES
    }
    assert found == LONG_MODULES


def test_no_function_passes_the_size_limit():
    found = set().union(*(long_functions(p) for p in _modules()))
    assert found == LONG_FUNCTIONS


def test_guarded_updates_are_written_one_way():
    found = {_where(p) for p in _modules() if _where(p) != GUARDED_HELPER and hand_written_guarded_updates(p)}
    assert found == HAND_WRITTEN_GUARDED_UPDATES
    assert hand_written_guarded_updates(ROOT / GUARDED_HELPER), "the helper itself is what the check finds"


def test_the_checks_catch_what_they_are_for(tmp_path):
    area = tmp_path / "coop" / "votes"
    area.mkdir(parents=True)
    sample = area / "controllers.py"
    body = "\n".join(f"    x = {i}" for i in range(MAX_FUNCTION_LINES))
    sample.write_text(
        "from piccolo.columns import Text\nfrom coop.votes.tables import Vote\n"
        "from coop.members.controllers import requires_supporter\nfrom coop.votes.forms import read\n"
        "from coop.api.money_routes import x\n"
        f"def handler():\n{body}\n"
    )
    assert is_controllers(sample) and is_controllers(Path("api/vote_routes.py"))
    assert not is_controllers(Path("votes/service.py"))
    assert database_imports(sample) == {"piccolo", "coop.votes.tables"}
    assert other_controllers(sample) == {"coop.members.controllers", "coop.api.money_routes"}
    assert {name.rsplit(":", 1)[1] for name in long_functions(sample)} == {"handler"}
    service = area / "service.py"
    service.write_text(
        "async def close(vote_id):\n"
        "    errors.update({'a': 1})\n"
        "    rows = await Vote.insert(Vote()).returning(Vote.id)\n"
        "    done = (\n"
        "        await Vote.update({Vote.status: 'closed'})\n"
        "        .where((Vote.id == vote_id) & (Vote.status == 'open'))\n"
        "        .returning(Vote.id)\n"
        "    )\n"
        "    SQL = (\n"
        "        'UPDATE vote SET status = {} '\n"
        "        'WHERE id = {} RETURNING id'\n"
        "    )\n"
        "    OTHER = 'UPDATE vote SET status = {} WHERE id = {}'\n"
    )
    assert hand_written_guarded_updates(service) == [5, 10]
