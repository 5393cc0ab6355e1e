"""The vote, pool and register pages' CPU a request, this checkout against another one, alternating.

    python -m bench.page_ab OTHER_ROOT [--voters 2000] [--rounds 2] [--pages vote,pool,register]

OTHER_ROOT is another checkout of coop (e.g. `git worktree add /tmp/base main`) using the same schema.
One SQLite database is made once (`coop demo` plus the benchmark's voters and open vote, as
bench/page_profile.py does); then each page is measured in a fresh process per checkout, the two
alternating, so both see the same data and, as far as a shared machine allows, the same load. Each
measurement: 50 warm-up requests, then 7 batches of 100, CPU time (client included); min and median.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()


async def _measure(page: str, env: dict[str, str]) -> dict[str, float]:
    import httpx

    from bench.http_bench import DEMO_MEMBER, SECRETARY
    from bench.page_profile import HOST, quiet, signed_in
    from coop.app import create_app
    from coop.settings import Settings

    quiet()
    app = create_app(Settings.from_env())
    transport = httpx.ASGITransport(app=app)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url=f"https://{HOST}") as c:
        await signed_in(c, DEMO_MEMBER if page == "vote" else SECRETARY)
        if page == "vote":
            url = f"/o/riverside/votes/{env['PROFILE_VOTE_ID']}"
        elif page == "register":
            url = "/o/riverside/register"
        else:
            found = re.search(
                r'href="/o/riverside/budgets/([0-9a-f-]{36})"', (await c.get("/o/riverside/budgets")).text
            )
            assert found is not None
            url = f"/o/riverside/budgets/{found[1]}/people"
        assert (await c.get(url)).status_code == 200, url
        for _ in range(50):
            await c.get(url)
        batches = []
        for _ in range(7):
            start = time.process_time()
            for _ in range(100):
                await c.get(url)
            batches.append((time.process_time() - start) * 10)
    return {"min": round(min(batches), 3), "median": round(statistics.median(batches), 3)}


def _run(root: Path, page: str, env_file: Path) -> dict[str, float]:
    """One measurement in a fresh process whose `coop` (and `bench`) come from `root`."""
    code = (
        "import sys, json, asyncio; sys.path.insert(0, '.'); "
        f"sys.path.append({str(HERE.parent.parent)!r}); "
        "from importlib.util import spec_from_file_location, module_from_spec; "
        f"spec = spec_from_file_location('page_ab', {str(HERE)!r}); m = module_from_spec(spec); "
        "spec.loader.exec_module(m); "
        f"env = json.load(open({str(env_file)!r})); import os; os.environ.update(env); "
        f"print(json.dumps(asyncio.run(m._measure({page!r}, env))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=600, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("other", type=Path, help="the other checkout's root")
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pages", default="vote,pool,register")
    args = parser.parse_args(argv)
    from bench.page_profile import database

    roots = {"other": args.other.resolve(), "this": HERE.parent.parent}
    with (
        tempfile.TemporaryDirectory(prefix="coop-page-ab-") as tmp,
        database("sqlite", Path(tmp), args.voters) as env,
    ):
        env_file = Path(tmp) / "env.json"
        env_file.write_text(json.dumps(env))
        for page in args.pages.split(","):
            for round_ in range(1, args.rounds + 1):
                for name, root in roots.items():
                    row = _run(root, page, env_file)
                    print(f"{page} round {round_} {name}: min {row['min']} ms, median {row['median']} ms CPU")
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
