"""`coop count FILE` end to end against pyrankvote 2.0.6 reading the same file, in the same run.

    python -m bench.count_files [--sizes 200000,1000000] [--rounds 3] [--methods irv,stv5] [--seed 20250101]

The ballots are bench.count's (12 candidates, random permutations truncated to a random length, impartial
culture), written once per size as a BLT file (`<weight> <prefs> 0` lines, as counting programs export). Then,
per round and method, back to back on that file, each in a fresh process:

* **coop:** the real command, `coop count irv FILE --seats 1` or `coop count stv FILE` (Scottish STV, the
  file's 5 seats), with `--seed 1 --json`: start-up, imports, reading, counting and printing the sheet;
* **pyrankvote:** `python -m bench.count_files --pyrankvote-child METHOD FILE`: start-up, imports, a plain
  Python reader of the same BLT (split each line, one `Ballot` per paper, as its README shows), then
  `instant_runoff_voting` or `single_transferable_vote(number_of_seats=5)`.

coop's modules are byte-compiled first (as installing a package does; pyrankvote's were compiled by pip).
Each child's wall time is taken around it; its CPU time (user + system) and peak RSS come from `os.wait4`,
that child's own resource usage. Speed-up = pyrankvote ÷ coop, per round, then the median. Winners must be
the same (IRV: the winner; STV: the elected set, since pyrankvote's STV has its own quota and ties, they are
compared as sets). Goals: >= 5x pyrankvote at every size, and coop's peak RSS <= 600 MB at 1,000,000.
They are judged on CPU time: on a shared machine wall time mostly measures the wait for a core (both are
printed and kept in the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
CANDIDATES = 12
SEATS = 5
SPEEDUP_MUST = 5.0
RSS_1M_MAX_MB = 600
CHILD_TIMEOUT = 900
METHODS = ("irv", "stv5")


def write_blt(path: Path, rankings: list[tuple[int, ...]]) -> None:
    """The ballots as a BLT file: one line a paper, names quoted, a title."""
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{CANDIDATES} {SEATS}\n")
        out.writelines(f"1 {' '.join(str(c + 1) for c in r)} 0\n" for r in rankings)
        out.write("0\n")
        out.writelines(f'"Candidate {chr(ord("A") + i)}"\n' for i in range(CANDIDATES))
        out.write('"bench"\n')


def pyrankvote_child(method: str, path: Path) -> dict[str, Any]:
    """pyrankvote on a BLT file read the plain Python way."""
    import pyrankvote

    with path.open(encoding="utf-8") as handle:
        n, seats = map(int, handle.readline().split())
        papers: list[tuple[int, list[int]]] = []
        for line in handle:
            fields = line.split()
            if fields == ["0"]:
                break
            papers.append((int(fields[0]), [int(f) - 1 for f in fields[1:-1]]))
        names = [handle.readline().strip().strip('"') for _ in range(n)]
    people = [pyrankvote.Candidate(name) for name in names]
    ballots = []
    for weight, prefs in papers:
        ballots.extend([pyrankvote.Ballot(ranked_candidates=[people[c] for c in prefs])] * weight)
    if method == "irv":
        result = pyrankvote.instant_runoff_voting(people, ballots)
    else:
        result = pyrankvote.single_transferable_vote(people, ballots, number_of_seats=seats)
    return {"elected": [c.name for c in result.get_winners()]}


def coop_command() -> list[str]:
    """The installed `coop` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("coop")
    if not script.exists():
        raise SystemExit(f"no `coop` command next to {sys.executable}: run `make setup`")
    return [str(script)]


def run_timed(cmd: list[str], scratch: Path) -> dict[str, Any]:
    """Run `cmd`; its wall time, CPU time and peak RSS (its own, from wait4), and its JSON output."""
    out_path = scratch / "child-stdout.json"
    with out_path.open("wb") as out, (scratch / "child-stderr.txt").open("wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
        try:
            _pid, status, usage = os.wait4(child.pid, 0)
        except BaseException:
            child.kill()
            raise
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        tail = (scratch / "child-stderr.txt").read_text(errors="replace")[-1500:]
        return {"error": f"{' '.join(cmd[:4])}... exit {child.returncode}: {tail}"}
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "elected": json.loads(out_path.read_text())["elected"],
    }


def run_pair(method: str, path: Path, scratch: Path) -> dict[str, dict[str, Any]]:
    coop_args = ["irv", str(path), "--seats", "1"] if method == "irv" else ["stv", str(path)]
    return {
        "coop": run_timed([*coop_command(), "count", *coop_args, "--seed", "1", "--json"], scratch),
        "pyrankvote": run_timed(
            [sys.executable, "-m", "bench.count_files", "--pyrankvote-child", method, str(path)], scratch
        ),
    }


def bench_files(
    sizes: list[int], rounds: int, seed: int, methods: tuple[str, ...], log: Any
) -> dict[str, Any]:
    from bench.count import generate

    cases: list[dict[str, Any]] = []
    # Byte-compile coop's own modules first, as installing a package does: pyrankvote, numpy and click run
    # from the .pyc files pip wrote, and with PYTHONDONTWRITEBYTECODE set (as on this machine) coop's would
    # otherwise be compiled from source in every run.
    log("byte-compiling governance/ and coop/")
    subprocess.run([sys.executable, "-m", "compileall", "-q", "governance", "coop"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="coop-bench-files-") as tmp:
        scratch = Path(tmp)
        for size in sizes:
            log(f"writing {size:,} ballots as BLT (seed {seed})")
            path = scratch / f"random-{size}.blt"
            write_blt(path, generate(size, seed))
            for method in methods:
                runs = []
                for r in range(1, rounds + 1):
                    log(f"end to end {size:,} {method} round {r}/{rounds}")
                    runs.append(run_pair(method, path, scratch))
                cases.append(summarise(size, method, runs, path.stat().st_size))
    return {"cases": cases, "checks": checks_for(cases)}


def summarise(
    size: int, method: str, runs: list[dict[str, dict[str, Any]]], file_bytes: int
) -> dict[str, Any]:
    case: dict[str, Any] = {"size": size, "method": method, "file_mb": file_bytes / 2**20, "runs": runs}
    case["ok"] = all("error" not in run[impl] for run in runs for impl in run)
    if not case["ok"]:
        return case
    for key in ("wall_s", "cpu_s"):
        ratios = [run["pyrankvote"][key] / run["coop"][key] for run in runs]
        case[f"speedup_{key}"] = ratios
        case[f"median_speedup_{key}"] = statistics.median(ratios)
        for impl in ("coop", "pyrankvote"):
            case[f"{impl}_median_{key}"] = statistics.median(run[impl][key] for run in runs)
    for impl in ("coop", "pyrankvote"):
        case[f"{impl}_peak_rss_mb"] = max(run[impl]["peak_rss_mb"] for run in runs)
        case[f"{impl}_elected"] = runs[0][impl]["elected"]
    case["same_winners"] = all(
        sorted(run["coop"]["elected"]) == sorted(run["pyrankvote"]["elected"]) for run in runs
    )
    return case


def checks_for(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    for case in cases:
        label = f"{case['method']} {case['size']:,}"
        if not case["ok"]:
            checks.append({"check": f"{label}: ran", "pass": False, "detail": "a child failed (see JSON)"})
            continue
        checks.append(
            {
                "check": f"{label}: same winners as pyrankvote",
                "pass": case["same_winners"],
                "detail": f"coop {case['coop_elected']} / pyrankvote {case['pyrankvote_elected']}",
            }
        )
        speedup = case["median_speedup_cpu_s"]
        checks.append(
            {
                "check": f"{label}: coop count FILE >= {SPEEDUP_MUST:.0f}x pyrankvote end to end",
                "pass": speedup >= SPEEDUP_MUST,
                "detail": f"{speedup:.1f}x CPU ({case['median_speedup_wall_s']:.1f}x wall)",
            }
        )
        if case["size"] >= 1_000_000:
            rss = case["coop_peak_rss_mb"]
            checks.append(
                {
                    "check": f"{label}: coop peak RSS <= {RSS_1M_MAX_MB} MB",
                    "pass": rss <= RSS_1M_MAX_MB,
                    "detail": f"{rss:.0f} MB (pyrankvote {case['pyrankvote_peak_rss_mb']:.0f} MB)",
                }
            )
    return checks


def print_report(report: dict[str, Any]) -> None:
    print(f"\n== coop count FILE end to end vs pyrankvote (BLT file), {report['rounds']} round(s) ==")
    print(
        f"{'ballots':>9} {'method':<6} {'file MB':>7} {'impl':<10} {'wall s per round':<24} "
        f"{'CPU s per round':<24} {'peak RSS MB':>11}  elected"
    )
    for case in report["cases"]:
        if not case["ok"]:
            print(f"{case['size']:>9,} {case['method']:<6} ERROR: see JSON")
            continue
        for impl in ("coop", "pyrankvote"):
            walls = ", ".join(f"{run[impl]['wall_s']:.2f}" for run in case["runs"])
            cpus = ", ".join(f"{run[impl]['cpu_s']:.2f}" for run in case["runs"])
            print(
                f"{case['size']:>9,} {case['method']:<6} {case['file_mb']:>7.1f} {impl:<10} {walls:<24} "
                f"{cpus:<24} {case[f'{impl}_peak_rss_mb']:>11.0f}  {', '.join(case[f'{impl}_elected'])}"
            )
    print(
        f"\n{'ballots':>9} {'method':<6} {'speed-up CPU (per round)':<28} {'median':>7} {'wall median':>11}"
    )
    for case in report["cases"]:
        if case["ok"]:
            per = ", ".join(f"{s:.1f}x" for s in case["speedup_cpu_s"])
            print(
                f"{case['size']:>9,} {case['method']:<6} {per:<28} {case['median_speedup_cpu_s']:>6.1f}x "
                f"{case['median_speedup_wall_s']:>10.1f}x"
            )
    print()
    for check in report["checks"]:
        print(f"  [{'PASS' if check['pass'] else 'FAIL'}] {check['check']}: {check['detail']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="200000,1000000", help="comma-separated ballot counts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--methods", default="irv,stv5")
    parser.add_argument("--pyrankvote-child", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pyrankvote_child:
        method, path = args.pyrankvote_child
        print(json.dumps(pyrankvote_child(method, Path(path))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    methods = tuple(m for m in args.methods.split(",") if m in METHODS)
    if not 1 <= args.rounds <= 10 or not all(1 <= s <= 5_000_000 for s in sizes) or not methods:
        parser.error("--rounds must be 1-10, sizes 1-5,000,000 and methods irv and/or stv5")

    def log(msg: str) -> None:
        print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)

    started = datetime.now(UTC)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "rounds": args.rounds,
        "seed": args.seed,
        "load_average_at_start": os.getloadavg(),
        **bench_files(sizes, args.rounds, args.seed, methods, log),
        "load_average_at_end": os.getloadavg(),
    }
    print_report(report)
    start_load, end_load = report["load_average_at_start"], report["load_average_at_end"]
    print(f"\nload average (1, 5, 15 min) at start {start_load}, at end {end_load}")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"count-files-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nJSON: {out.relative_to(ROOT)}")
    return 0 if all(check["pass"] for check in report["checks"]) else 3


if __name__ == "__main__":
    sys.exit(main())
