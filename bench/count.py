"""Counting benchmark: coop's IRV and Scottish STV (5 seats) against pyrankvote 2.0.6 on the same ballots.

    python -m bench.count [--sizes 100000,1000000] [--seed 20250101] [--rounds 3] [--tie-size 100000]
                          [--file-sizes 200000,1000000]

Last, `coop count FILE` end to end against pyrankvote reading the same file (`bench.count_files`, whose
docstring says how) at `--file-sizes`: the command as a user runs it, not just the count.

Ballots follow docs/performance-bar.md §3.1: 12 candidates, each ballot a random permutation truncated to a
uniform random length 1-12, from `random.Random(seed)` (impartial culture: the worst case for grouping).
They are generated once, written to a scratch file, and every counter runs in a fresh subprocess on them, so
that its peak RSS is its own. "build" turns the raw rankings into the counter's input (coop: `RankedBallot`s
merged by `governance.counting.model.aggregate` into a `Contest`, which lays them out as its rank table;
pyrankvote: one `Ballot` per paper);
"count" is the counting call alone. Both are timed with `time.perf_counter()`; the count's CPU time
(`time.process_time()`) is recorded too, because on a shared machine it is far steadier than wall time.

A "many exact ties" case counts `--tie-size` ballots made of 10 cyclic rankings of 10 candidates in equal
numbers, so every candidate is level at every preference and every exclusion is decided by lot: coop's time
there is compared with its no-tie time at the same size (target <= 2x).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.count_files import bench_files
from bench.count_files import print_report as print_files_report

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
CANDIDATES = 12
SEATS = 5
TIE_CANDIDATES = 10
LOT_SEED = 1  # coop's counters need a seed whenever a tie goes to lot
CHILD_TIMEOUT = 600

# Targets (docs/performance-bar.md §4.2 G5 and §4.3).
SPEEDUP_MUST = 5.0
SPEEDUP_STRETCH = 15.0
COUNT_100K_MAX_S = 0.5
COUNT_1M_MAX_S = 5.0
RSS_1M_MAX_MB = 1024
TIES_MAX_FACTOR = 2.0

IMPLS = ("coop", "pyrankvote")
METHODS = ("irv", "stv5")


# ---------------------------------------------------------------------------------------------------------
# Ballots


def generate(n: int, seed: int, candidates: int = CANDIDATES) -> list[tuple[int, ...]]:
    """§3.1: a random permutation of the candidates, truncated to a uniform random length 1..candidates."""
    rnd = random.Random(seed)
    order = list(range(candidates))
    out: list[tuple[int, ...]] = []
    for _ in range(n):
        rnd.shuffle(order)
        out.append(tuple(order[: rnd.randint(1, candidates)]))
    return out


def tied(n: int) -> list[tuple[int, ...]]:
    """n ballots, 10 distinct cyclic rankings in equal numbers: all candidates level at every preference."""
    rows = [tuple((k + j) % TIE_CANDIDATES for j in range(TIE_CANDIDATES)) for k in range(TIE_CANDIDATES)]
    return [rows[i % TIE_CANDIDATES] for i in range(n)]


def write_ballots(path: Path, rankings: list[tuple[int, ...]], candidates: int) -> None:
    """One byte for the length, then `candidates` bytes (padded): fast to read back in the children."""
    buf = bytearray()
    for r in rankings:
        buf.append(len(r))
        buf.extend(r)
        buf.extend(b"\xff" * (candidates - len(r)))
    path.write_bytes(bytes([candidates]) + bytes(buf))


def read_ballots(path: Path) -> tuple[int, list[tuple[int, ...]]]:
    data = path.read_bytes()
    width = data[0] + 1
    body = memoryview(data)[1:]
    return data[0], [tuple(body[i + 1 : i + 1 + body[i]]) for i in range(0, len(body), width)]


# ---------------------------------------------------------------------------------------------------------
# The counters (run inside a child process)


def coop_counter(method: str) -> Any:
    """coop's public entry points; IRV has lived in two modules while it was being written."""
    if method == "irv":
        try:
            from governance.counting.irv import count_irv
        except ImportError:
            from governance.counting.rctab import count_irv  # type: ignore[attr-defined,no-redef]
        return lambda contest: count_irv(contest, seed=LOT_SEED)
    from governance.counting.scottish import count_scottish_stv

    return lambda contest: count_scottish_stv(contest, seed=LOT_SEED)


def child(impl: str, method: str, path: Path, profile: bool) -> dict[str, Any]:
    n_candidates, rankings = read_ballots(path)
    names = [f"Candidate {chr(ord('A') + i)}" for i in range(n_candidates)]
    seats = 1 if method == "irv" else SEATS
    profiler = cProfile.Profile() if profile else None
    if impl == "coop":
        from governance.counting.model import Contest, RankedBallot, aggregate

        count = coop_counter(method)
        t0 = time.perf_counter()
        ballots = aggregate(RankedBallot(tuple((c,) for c in r)) for r in rankings)
        contest = Contest(title="bench", candidates=tuple(names), seats=seats, ballots=ballots)
        t1 = time.perf_counter()
        c1 = time.process_time()
        if profiler:
            profiler.enable()
        sheet = count(contest)
        t2 = time.perf_counter()
        c2 = time.process_time()
        winners = list(sheet.elected)
        extra = {"distinct_rankings": len(ballots), "rounds": len(sheet.rounds)}
    else:
        import pyrankvote

        people = [pyrankvote.Candidate(name) for name in names]
        t0 = time.perf_counter()
        ballots_prv = [pyrankvote.Ballot(ranked_candidates=[people[c] for c in r]) for r in rankings]
        t1 = time.perf_counter()
        c1 = time.process_time()
        if profiler:
            profiler.enable()
        if method == "irv":
            result = pyrankvote.instant_runoff_voting(people, ballots_prv)
        else:
            result = pyrankvote.single_transferable_vote(people, ballots_prv, number_of_seats=SEATS)
        t2 = time.perf_counter()
        c2 = time.process_time()
        winners = [c.name for c in result.get_winners()]
        extra = {"rounds": len(result.rounds)}
    out: dict[str, Any] = {
        "build_s": t1 - t0,
        "count_s": t2 - t1,
        "count_cpu_s": c2 - c1,
        "winners": winners,
        "peak_rss_mb": peak_rss_mb(),
        **extra,
    }
    if profiler:
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
        out["profile"] = text.getvalue()
    return out


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(impl: str, method: str, path: Path, profile: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.count", "--child", impl, method, str(path)]
    if profile:
        cmd.append("--profile")
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the child
        return {"error": f"timed out after {CHILD_TIMEOUT} s"}
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}: {proc.stderr[-1500:]}"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------------------------------------------------
# The driver


def git_state() -> dict[str, Any]:
    """The commit measured, and which files differed from it (others edit the same checkout)."""

    def git(*args: str) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        )
        return proc.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "modified": git("status", "--porcelain", "--untracked-files=no").splitlines(),
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def bench_case(
    label: str,
    path: Path,
    size: int,
    rounds: int,
    profile: bool,
    log: Any,
    methods: tuple[str, ...] = METHODS,
    impls: tuple[str, ...] = IMPLS,
) -> dict[str, Any]:
    case: dict[str, Any] = {"case": label, "size": size, "impls": list(impls), "methods": {}}
    for method in methods:
        runs: dict[str, list[dict[str, Any]]] = {impl: [] for impl in impls}
        for r in range(1, rounds + 1):
            for impl in impls:  # same ballots, back to back, within a round
                log(f"{label} {size:,} {method} round {r}/{rounds}: {impl}")
                runs[impl].append(run_child(impl, method, path, profile and impl == "coop" and r == 1))
        ok = all("error" not in x for xs in runs.values() for x in xs)
        entry: dict[str, Any] = {"runs": runs, "ok": ok}
        if ok:
            entry.update(
                {
                    impl: {
                        "build_s": [round(x["build_s"], 3) for x in runs[impl]],
                        "count_s": [round(x["count_s"], 3) for x in runs[impl]],
                        "median_build_s": round(median([x["build_s"] for x in runs[impl]]), 3),
                        "median_count_s": round(median([x["count_s"] for x in runs[impl]]), 3),
                        "count_cpu_s": [round(x["count_cpu_s"], 3) for x in runs[impl]],
                        "median_count_cpu_s": round(median([x["count_cpu_s"] for x in runs[impl]]), 3),
                        "max_rss_mb": round(max(x["peak_rss_mb"] for x in runs[impl]), 1),
                        "winners": runs[impl][0]["winners"],
                    }
                    for impl in impls
                }
            )
            entry["distinct_rankings"] = runs["coop"][0].get("distinct_rankings")
            if runs["coop"][0].get("profile"):
                entry["coop_profile"] = runs["coop"][0]["profile"]
        if ok and "pyrankvote" in impls:
            coop, prv = runs["coop"], runs["pyrankvote"]
            speedups = [p["count_s"] / c["count_s"] for c, p in zip(coop, prv, strict=True)]
            total = [
                (p["build_s"] + p["count_s"]) / (c["build_s"] + c["count_s"])
                for c, p in zip(coop, prv, strict=True)
            ]
            same = [
                c["winners"] == p["winners"] or sorted(c["winners"]) == sorted(p["winners"])
                for c, p in zip(coop, prv, strict=True)
            ]
            entry["speedup_count"] = [round(s, 2) for s in speedups]
            cpu = [p["count_cpu_s"] / c["count_cpu_s"] for c, p in zip(coop, prv, strict=True)]
            entry["speedup_count_cpu"] = [round(s, 2) for s in cpu]
            entry["median_speedup_count_cpu"] = round(median(cpu), 2)
            entry["median_speedup_count"] = round(median(speedups), 2)
            entry["median_speedup_build_count"] = round(median(total), 2)
            entry["same_winners"] = all(same)
        case["methods"][method] = entry
    return case


def checks_for(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str, gate: bool = True) -> None:
        out.append({"check": name, "pass": bool(ok), "detail": detail, "gate": gate})

    random_cases = {c["size"]: c for c in cases if c["case"] == "random"}
    for size, case in sorted(random_cases.items()):
        for method, e in case["methods"].items():
            if not e["ok"]:
                check(f"{method} {size:,}: ran", False, "a counter failed (see JSON)")
                continue
            if method == "irv":
                check(
                    f"IRV {size:,}: identical winners",
                    e["same_winners"],
                    f"coop {e['coop']['winners']} / pyrankvote {e['pyrankvote']['winners']}",
                )
            else:
                check(
                    f"STV-5 {size:,}: same elected set as pyrankvote (its rules differ: report only)",
                    e["same_winners"],
                    f"coop {sorted(e['coop']['winners'])} / pyrankvote {sorted(e['pyrankvote']['winners'])}",
                    gate=False,
                )
            # Gated on CPU time: the count is single-threaded, so on an idle machine CPU time is its wall
            # time, and on a shared one wall time mostly measures the wait for a core.
            s = e["median_speedup_count_cpu"]
            if size == 100_000:
                check(
                    f"G5 {method} 100k: count >= {SPEEDUP_MUST:.0f}x pyrankvote",
                    s >= SPEEDUP_MUST,
                    f"{s:.1f}x CPU ({e['median_speedup_count']:.1f}x wall)",
                )
                check(
                    f"G5 stretch {method} 100k: >= {SPEEDUP_STRETCH:.0f}x",
                    s >= SPEEDUP_STRETCH,
                    f"{s:.1f}x CPU ({e['median_speedup_count']:.1f}x wall)",
                    gate=False,
                )
                t, cpu = e["coop"]["median_count_s"], e["coop"]["median_count_cpu_s"]
                check(
                    f"floor {method} 100k: count <= {COUNT_100K_MAX_S} s",
                    cpu <= COUNT_100K_MAX_S,
                    f"{cpu:.3f} s CPU ({t:.3f} s wall)",
                )
            if size == 1_000_000:
                t, rss = e["coop"]["median_count_s"], e["coop"]["max_rss_mb"]
                cpu = e["coop"]["median_count_cpu_s"]
                check(
                    f"floor {method} 1M: count <= {COUNT_1M_MAX_S:.0f} s",
                    cpu <= COUNT_1M_MAX_S,
                    f"{cpu:.2f} s CPU ({t:.2f} s wall)",
                )
                check(f"floor {method} 1M: peak RSS <= 1 GB", rss <= RSS_1M_MAX_MB, f"{rss:.0f} MB")
    for case in cases:
        if case["case"] != "ties" or "pyrankvote" in case["impls"]:
            continue
        base = random_cases.get(case["size"])
        for method, e in case["methods"].items():
            if not e["ok"] or base is None or not base["methods"][method]["ok"]:
                continue
            tie_t = e["coop"]["median_count_cpu_s"]
            base_t = base["methods"][method]["coop"]["median_count_cpu_s"]
            check(
                f"ties {method} {case['size']:,}: count <= {TIES_MAX_FACTOR:.0f}x the no-tie time",
                tie_t <= TIES_MAX_FACTOR * base_t,
                f"{tie_t:.3f} s vs {base_t:.3f} s CPU = {tie_t / base_t:.2f}x",
            )
    return out


def print_report(report: dict[str, Any]) -> None:
    print(
        f"\n== counting: seed {report['seed']}, {report['rounds']} round(s), "
        "each counter in a fresh process =="
    )
    head = (
        f"{'case':<7} {'ballots':>9} {'method':<5} {'impl':<10} {'build s (median)':>16} "
        f"{'count s per round':<24} {'median':>7} {'CPU s':>7} {'RSS MB':>7}  winners"
    )
    print(head)
    for case in report["cases"]:
        for method, e in case["methods"].items():
            if not e["ok"]:
                print(f"{case['case']:<7} {case['size']:>9,} {method:<5} ERROR: see JSON")
                continue
            for impl in case["impls"]:
                x = e[impl]
                per = ", ".join(f"{v:.3f}" for v in x["count_s"])
                print(
                    f"{case['case']:<7} {case['size']:>9,} {method:<5} {impl:<10} "
                    f"{x['median_build_s']:>16.3f} {per:<24} {x['median_count_s']:>7.3f} "
                    f"{x['median_count_cpu_s']:>7.3f} {x['max_rss_mb']:>7.0f}  {', '.join(x['winners'])}"
                )
    print(
        f"\n{'case':<7} {'ballots':>9} {'method':<5} {'distinct':>9} {'speed-up count (per round)':<28} "
        f"{'median':>7} {'CPU':>7} {'build+count':>11}  winners"
    )
    for case in report["cases"]:
        for method, e in case["methods"].items():
            if e["ok"] and "speedup_count" in e:
                per = ", ".join(f"{v:.1f}x" for v in e["speedup_count"])
                same = "same" if e["same_winners"] else ("by lot" if case["case"] == "ties" else "DIFFER")
                print(
                    f"{case['case']:<7} {case['size']:>9,} {method:<5} {e['distinct_rankings'] or 0:>9,} "
                    f"{per:<28} {e['median_speedup_count']:>6.1f}x {e['median_speedup_count_cpu']:>6.1f}x "
                    f"{e['median_speedup_build_count']:>10.1f}x  {same}"
                )
    print()
    for c in report["checks"]:
        mark = "PASS" if c["pass"] else ("FAIL" if c["gate"] else "miss")
        print(f"  [{mark}] {c['check']}: {c['detail']}")
    for case in report["cases"]:
        for method, e in case["methods"].items():
            if e.get("coop_profile"):
                print(
                    f"\n-- cProfile of coop {method}, {case['case']} {case['size']:,} "
                    "(count only, by tottime) --"
                )
                print("\n".join(e["coop_profile"].splitlines()[:30]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated ballot counts")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--tie-size", type=int, default=100_000, help="ballots in the many-ties case (0: skip)"
    )
    parser.add_argument(
        "--tie-pyrankvote-size",
        type=int,
        default=10_000,
        help="pyrankvote on the many-ties case, once, at this size (its worst case: ~35 s per 10k; 0: skip)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile coop's count (round 1) and print it")
    parser.add_argument("--methods", default="irv,stv5")
    parser.add_argument(
        "--file-sizes",
        default="200000,1000000",
        help="coop count FILE end to end vs pyrankvote at these sizes (bench.count_files; '' to skip)",
    )
    parser.add_argument("--child", nargs=3, metavar=("IMPL", "METHOD", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        impl, method, path = args.child
        print(json.dumps(child(impl, method, Path(path), args.profile)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    methods = tuple(m for m in args.methods.split(",") if m in METHODS)
    if not 1 <= args.rounds <= 10 or not all(1 <= s <= 5_000_000 for s in sizes):
        parser.error("--rounds must be 1-10 and sizes 1-5,000,000")

    def log(msg: str) -> None:
        print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)

    # SIGTERM and SIGHUP unwind like Ctrl-C, so the scratch folder is removed.
    def _raise(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _raise)
    signal.signal(signal.SIGHUP, _raise)
    started = datetime.now(UTC)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "seed": args.seed,
        "git": git_state(),
        "load_average_at_start": os.getloadavg(),
        "rounds": args.rounds,
        "cases": [],
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory(prefix="coop-bench-count-") as tmp:
        for size in sizes:
            log(f"generating {size:,} ballots (seed {args.seed})")
            path = Path(tmp) / f"random-{size}.bin"
            write_ballots(path, generate(size, args.seed), CANDIDATES)
            report["cases"].append(bench_case("random", path, size, args.rounds, args.profile, log, methods))
        if args.tie_size:
            path = Path(tmp) / f"ties-{args.tie_size}.bin"
            write_ballots(path, tied(args.tie_size), TIE_CANDIDATES)
            report["cases"].append(
                bench_case(
                    "ties", path, args.tie_size, args.rounds, args.profile, log, methods, impls=("coop",)
                )
            )
        if args.tie_pyrankvote_size:
            # pyrankvote re-scans every ballot on each tied comparison: once, small, to show its worst case.
            path = Path(tmp) / f"ties-{args.tie_pyrankvote_size}.bin"
            write_ballots(path, tied(args.tie_pyrankvote_size), TIE_CANDIDATES)
            report["cases"].append(bench_case("ties", path, args.tie_pyrankvote_size, 1, False, log, methods))
    report["checks"] = checks_for(report["cases"])
    file_sizes = [int(s) for s in args.file_sizes.split(",") if s.strip()]
    if file_sizes:
        report["files"] = bench_files(file_sizes, args.rounds, args.seed, methods, log)
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["load_average_at_end"] = os.getloadavg()
    print_report(report)
    if "files" in report:
        print_files_report({"rounds": args.rounds, **report["files"]})
    print(
        f"\nload average (1, 5, 15 min) at start {report['load_average_at_start']}, "
        f"at end {report['load_average_at_end']}"
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"count-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nJSON: {out.relative_to(ROOT)}")
    if any(not e["ok"] for c in report["cases"] for e in c["methods"].values()):
        return 1
    if any(not case["ok"] for case in report.get("files", {}).get("cases", [])):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
