"""Check a coop vote from its two published files, with nothing but the Python standard library.

    python verifier/verify_board.py vote-12-board.json vote-12-results.json

Anyone can run this: it shares no code with coop and follows the rules as docs/votes.md states them. It
recomputes the board's SHA-256 fingerprint, checks that there are as many ballots as the result says, and
recounts every kind of vote coop runs: motions (for, against, abstain), single choice, approval, ranked
(instant runoff) and elections by single transferable vote (Scottish rules, or Meek's rules where the count
sheet says so), comparing every round or stage of the published count sheet with its own and naming the
first difference. A tie the rules leave to lot is accepted when the published choice is one of the tied
options. Exit status 0: everything matches.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

Counts = dict[int, int]
Json = dict[str, Any]
Papers = list[tuple[tuple[int, ...], int]]  # (preferences, how many identical papers)


class Mismatch(Exception):
    """The first place the published count sheet differs from the recount, in words."""


def fingerprint(board: Json) -> str:
    """SHA-256 of {"vote": id, "ballots": [[tracker, choice, weight], ...] in tracker order}, compact JSON,
    with "weight_groups" after the ballots when the board has merged weight groups."""
    ballots = sorted(([t, c, w] for t, c, w in board["ballots"]), key=lambda b: b[0])
    body: Json = {"vote": board["vote"], "ballots": ballots}
    if board.get("weight_groups"):
        body["weight_groups"] = board["weight_groups"]
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def weighted_choices(board: Json) -> dict[str, int]:
    """Each choice's total weight. A ballot shows its weight, or the name of a merged weight group (a weight
    fewer than five ballots shared); a merged group gives its total weight per choice, which must cover
    exactly its ballots' choices."""
    totals: dict[str, int] = {}
    in_group: dict[str, list[str]] = {}
    for _, choice, weight in board["ballots"]:
        if isinstance(weight, str):
            in_group.setdefault(weight, []).append(choice)
        else:
            totals[choice] = totals.get(choice, 0) + int(weight)
    groups = {g["name"]: g for g in board.get("weight_groups", [])}
    if set(groups) != set(in_group):
        named, listed = sorted(in_group), sorted(groups)
        raise Mismatch(f"The ballots name weight groups {named}; the board lists {listed}.")
    for name, group in groups.items():
        given = {str(c): int(w) for c, w in group["totals"]}
        if len(in_group[name]) != group["ballots"] or set(given) != set(in_group[name]):
            raise Mismatch(f"Weight {name} does not hold the ballots and choices the board gives it.")
        if any(w < min(group["weights"]) * in_group[name].count(c) for c, w in given.items()):
            raise Mismatch(f"Weight {name} gives a choice less weight than its ballots must carry.")
        for choice, weight in given.items():
            totals[choice] = totals.get(choice, 0) + weight
    return totals


def option_numbers(choice: str) -> list[int]:
    """ "2" (single), "0,2" (approval) or "2>0>1" (ranked, best first) -> [2, 0, 1]."""
    return [int(part) for part in choice.replace(">", ",").split(",") if part]


def published(round_: Json, names: list[str]) -> Counts:
    return {names.index(name): int(Decimal(votes)) for name, votes in round_["tallies"].items()}


def exact(text: str | None, unit: int) -> int | None:
    """A published figure ("912.00000") in whole units of 1/unit of a vote; None if it is not a whole
    number of units (so it cannot equal any recounted figure)."""
    if text is None:
        return None
    value = Fraction(Decimal(text)) * unit
    return int(value) if value.denominator == 1 else None


def check_motion(counts: dict[str, int], results: Json) -> None:
    """A motion carries with more than (or at least, as the sheet's rule says) the published fraction of the
    votes for and against, never on a tie or with nobody voting, and only if quorate."""
    sheet = results["sheet"]
    round_ = sheet["rounds"][0]
    mine = {"For": counts["for"], "Against": counts["against"], "Abstain": counts["abstain"]}
    if {name: exact(v, 1) for name, v in round_["tallies"].items()} != mine:
        raise Mismatch(f"The published votes differ from the recount: {mine}.")
    rule = sheet["options"]
    fraction = Fraction(rule["fraction"])
    f, a = mine["For"], mine["Against"]
    need = fraction * (f + a)
    meets = f > need if rule["comparison"] == ">" else f >= need
    carried = meets and f + a > 0 and f != a
    quorum = rule.get("quorum")
    if quorum is not None and f + a + mine["Abstain"] < quorum:
        carried = False
    if sheet["elected"] != (["For"] if carried else []):
        verdict = "carried" if carried else "not carried"
        raise Mismatch(f"The motion is {verdict} on the recount ({f} for, {a} against, needing {need}).")


def check_highest(names: list[str], counts: Counts, sheet: Json, seats: int) -> None:
    """Single choice and approval: one round; the winners are `seats` options with the most votes."""
    if published(sheet["rounds"][0], names) != counts:
        raise Mismatch(f"The published votes per option differ from the recount: {counts}.")
    winners = [names.index(n) for n in sheet["elected"]]
    losers = [c for c in counts if c not in winners]
    if len(winners) != min(seats, len(names)) or len(set(winners)) != len(winners):
        raise Mismatch(f"{len(winners)} options were declared chosen, not {min(seats, len(names))}.")
    if losers and min(counts[c] for c in winners) < max(counts[c] for c in losers):
        raise Mismatch("An option with more votes than a declared winner was not chosen.")


def tied_at(
    pick: Callable[..., int], counts: Counts, continuing: set[int], history: list[Counts]
) -> list[int]:
    """The options with the most (`max`) or fewest (`min`) votes, narrowed by the latest earlier round where
    they differed; more than one left means the rules decide by lot."""
    tied = [c for c in continuing if counts[c] == pick(counts[c] for c in continuing)]
    for earlier in reversed(history[:-1]):
        if len(tied) == 1:
            break
        best = pick(earlier.get(c, 0) for c in tied)
        tied = [c for c in tied if earlier.get(c, 0) == best]
    return tied


def check_runoff(names: list[str], papers: Papers, sheet: Json) -> None:
    """Instant runoff: each round counts every ballot for its highest continuing option; an option with
    more than half of the votes still in the count wins, otherwise the option with fewest votes is excluded
    (ties: fewest at the latest earlier round where they differed, then lot)."""
    continuing = set(range(len(names)))
    history: list[Counts] = []
    for number, round_ in enumerate(sheet["rounds"], start=1):
        counts: Counts = dict.fromkeys(continuing, 0)
        for preferences, weight in papers:
            top = next((c for c in preferences if c in continuing), None)
            if top is not None:
                counts[top] += weight
        if published(round_, names) != counts:
            raise Mismatch(f"Round {number}: the published votes differ from the recount {counts}.")
        history.append(counts)
        threshold = sum(counts.values()) // 2 + 1
        if exact(round_["threshold"], 1) != threshold:
            raise Mismatch(f"Round {number}: the threshold should be {threshold}.")
        leaders = [c for c in continuing if counts[c] >= threshold]
        if not leaders and len(continuing) <= 2:  # two left and neither past the threshold: the most wins
            leaders = tied_at(max, counts, continuing, history)
        if leaders:
            ends = round_["elected"] == sheet["elected"] and number == len(sheet["rounds"])
            if not ends or sheet["elected"] not in ([names[c]] for c in leaders):
                wanted = " or ".join(names[c] for c in leaders)
                raise Mismatch(f"Round {number}: the count should end here, electing {wanted}.")
            return
        tied = tied_at(min, counts, continuing, history)
        excluded = [names.index(n) for n in round_["excluded"]]
        if round_["elected"] or len(excluded) != 1 or excluded[0] not in tied:
            raise Mismatch(f"Round {number}: the option to exclude is one of {[names[c] for c in tied]}.")
        continuing.discard(excluded[0])
    raise Mismatch("The count ends before any option is elected.")


def figure(value: int, unit: int) -> str:
    """Whole units of 1/unit of a vote as a decimal: 91200000 in units of 10^-5 -> "912.00000"."""
    places = len(str(unit)) - 1
    return f"{Decimal(value).scaleb(-places):.{places}f}"


def compare_stage(names: list[str], number: int, round_: Json, mine: dict[int, int], unit: int) -> None:
    """Every candidate's votes at this stage, in units of 1/unit of a vote, as published."""
    shown = {names.index(name): exact(votes, unit) for name, votes in round_["tallies"].items()}
    for c in sorted(set(shown) | set(mine)):
        if shown.get(c) != mine.get(c):
            ours = "no figure" if c not in mine else figure(mine[c], unit)
            raise Mismatch(
                f"Stage {number}: the sheet gives {names[c]} {round_['tallies'].get(names[c], 'no figure')} "
                f"votes; the recount gives {ours}."
            )


def choose(what: str, number: int, pick: str | None, allowed: list[int], names: list[str]) -> int:
    """The published choice at a stage, if the rules allow it (a tie left to lot allows any of the tied)."""
    if pick not in names or names.index(pick) not in allowed:
        raise Mismatch(f"Stage {number}: the {what} should be {' or '.join(names[c] for c in allowed)}.")
    return names.index(pick)


def by_history(tied: list[int], history: list[list[int]], highest: bool) -> list[int]:
    """Narrow a tie by the most recent earlier stage at which the tied candidates' votes differed."""
    for votes in reversed(history[:-1]):
        if len(tied) == 1:
            break
        best = (max if highest else min)(votes[c] for c in tied)
        tied = [c for c in tied if votes[c] == best]
    return tied


def check_scottish(names: list[str], papers: Papers, sheet: Json) -> None:
    """Scottish STV (SSI 2007/42 rules 45-52) in whole units of 10^-5 votes, stage by stage: quota
    floor(V/(seats+1))+1; elected at or over it; the largest surplus first, every paper the candidate holds
    moving at floor_5dp(surplus x its value / total); then the lowest excluded, papers at their values;
    ties by the most recent stage at which the candidates differed, then lot; last vacancies (rule 52)."""
    unit, n, seats = 100_000, len(names), int(sheet["seats"])
    valid = sum(m for prefs, m in papers if prefs)
    quota = (valid // (seats + 1) + 1) * unit
    if exact(sheet["quota"], unit) != quota:
        raise Mismatch(f"The quota should be {quota // unit} ({valid} valid papers, {seats} seats).")
    hopeful, pending, excluded = set(range(n)), set[int](), set[int]()
    elected: list[int] = []
    piles: list[list[tuple[tuple[int, ...], int, int, int]]] = [[] for _ in range(n)]  # prefs, at, value, m
    votes, lost = [0] * n, {"non_transferable": 0, "rounding": 0}
    for prefs, m in papers:
        if prefs:
            piles[prefs[0]].append((prefs, 0, unit, m))
            votes[prefs[0]] += m * unit
    history: list[list[int]] = []
    rounds = sheet["rounds"]

    def close(number: int) -> list[int]:
        history.append(list(votes))
        new = sorted((c for c in hopeful if votes[c] >= quota), key=lambda c: (-votes[c], c))
        hopeful.difference_update(new)
        elected.extend(new)
        pending.update(c for c in new if votes[c] > quota)
        if number > len(rounds):
            raise Mismatch(f"The sheet stops after stage {len(rounds)}; the count goes on.")
        round_ = rounds[number - 1]
        compare_stage(names, number, round_, {c: votes[c] for c in range(n) if c not in excluded}, unit)
        for what, amount in lost.items():
            if exact(round_["inactive"].get(what), unit) != amount:
                raise Mismatch(
                    f"Stage {number}: the {what.replace('_', '-')} votes should be {figure(amount, unit)}."
                )
        if [names.index(x) for x in round_["elected"][: len(new)]] != new:
            raise Mismatch(f"Stage {number}: the candidates elected should be {[names[c] for c in new]}.")
        return new

    new = close(1)
    number = 1
    while seats - len(elected) > 0 and len(hopeful) > seats - len(elected):
        number += 1
        round_ = rounds[number - 1] if number <= len(rounds) else {"excluded": [], "transfers": {}}
        if pending:
            top = max(votes[c] for c in pending)
            tied = by_history([c for c in pending if votes[c] == top], history, highest=True)
            source = choose("surplus transferred", number, next(iter(round_["transfers"]), None), tied, names)
            surplus, total = votes[source] - quota, votes[source]  # rule 48(3): surplus x value / total
            pending.discard(source)
            votes[source] = quota
        else:
            low = min(votes[c] for c in hopeful)
            tied = by_history([c for c in hopeful if votes[c] == low], history, highest=False)
            pick = round_["excluded"][0] if len(round_["excluded"]) == 1 else None
            source = choose("candidate excluded", number, pick, tied, names)
            hopeful.discard(source)
            excluded.add(source)
            surplus, total = 0, 1  # rule 50: papers move at their present values, nothing lost
            votes[source] = 0
        moving, piles[source], moved = piles[source], [], 0
        for prefs, at, value, m in moving:
            new_value = surplus * value // total if surplus else value
            moved += new_value * m
            step = next((i for i in range(at + 1, len(prefs)) if prefs[i] in hopeful), None)
            if step is None:
                lost["non_transferable"] += new_value * m
            elif new_value > 0:
                piles[prefs[step]].append((prefs, step, new_value, m))
                votes[prefs[step]] += new_value * m
        if surplus:
            lost["rounding"] += surplus - moved
        new = close(number)
    last = sorted(hopeful, key=lambda c: (-votes[c], c)) if seats > len(elected) else []
    if len(rounds) != number:
        raise Mismatch(f"The count has {number} stages; the sheet shows {len(rounds)}.")
    if [names.index(x) for x in rounds[-1]["elected"]] != new + last:
        raise Mismatch(f"Stage {number}: the candidates elected should be {[names[c] for c in new + last]}.")
    if [names.index(x) for x in sheet["elected"]] != elected + last:
        raise Mismatch(f"The elected should be {', '.join(names[c] for c in elected + last)}.")


def up(a: int, b: int) -> int:
    """a / b rounded up."""
    return -(-a // b)


def check_meek(names: list[str], papers: Papers, sheet: Json) -> None:
    """Meek STV, the PR Foundation reference rule: 9-decimal fixed point (units of 10^-9), keep values and
    keep-factor steps rounded up, quota = votes / (seats+1) truncated plus 10^-9, omega 10^-6. A round ends
    when someone is elected or, once the surplus is below omega or stops falling, the lowest is defeated."""
    one, omega, n, seats = 10**9, 1000, len(names), int(sheet["seats"])
    papers = [(prefs, m) for prefs, m in papers if prefs]
    kf = [one] * n
    hopeful, elected = set(range(n)), list[int]()
    rounds = sheet["rounds"]
    votes, quota = [0] * n, sum(m for _, m in papers) * one // (seats + 1) + 1

    def distribute() -> None:
        votes[:] = [0] * n
        for prefs, m in papers:
            w = one
            for c in prefs:
                keep = up(w * kf[c], one)  # w x kf, rounded up
                votes[c] += keep * m
                w -= keep
                if w <= 0:
                    break

    def compare(number: int, won: list[int], lost: list[int]) -> None:
        if number > len(rounds):
            raise Mismatch(f"The sheet stops after round {len(rounds)}; the count goes on.")
        round_ = rounds[number - 1]
        compare_stage(names, number, round_, dict(enumerate(votes)), one)
        if exact(round_["threshold"], one) != quota:
            raise Mismatch(f"Round {number}: the quota should be {figure(quota, one)}.")
        if [names.index(x) for x in round_["elected"]] != won:
            raise Mismatch(f"Round {number}: the elected should be {[names[c] for c in won]}.")
        if [names.index(x) for x in round_["excluded"]] != lost:
            raise Mismatch(f"Round {number}: the defeated should be {[names[c] for c in lost]}.")

    number, won, lost = 0, list[int](), list[int]()
    while len(hopeful) > seats - len(elected) > 0:
        number += 1
        last_surplus, lost = sum(m for _, m in papers) * one, []
        while True:
            distribute()
            quota = sum(votes) // (seats + 1) + 1
            won = sorted((c for c in hopeful if votes[c] >= quota), key=lambda c: (-votes[c], c))
            surplus = max(sum(votes[c] - quota for c in elected + won), 0)
            if won or surplus < omega or surplus >= last_surplus:
                break
            last_surplus = surplus
            for c in elected:
                kf[c] = up(up(kf[c] * quota, one) * one, votes[c])  # kf x q / v, each step rounded up
        hopeful.difference_update(won)
        elected.extend(won)
        if not won:
            low = min(votes[c] for c in hopeful)
            tied = sorted(c for c in hopeful if votes[c] <= low + surplus)
            shown = rounds[number - 1]["excluded"] if number <= len(rounds) else []
            lost = [choose("candidate defeated", number, shown[0] if len(shown) == 1 else None, tied, names)]
            hopeful.discard(lost[0])
            kf[lost[0]] = 0
        if len(hopeful) > seats - len(elected) > 0:
            compare(number, won, lost)
    if number == 0:
        number = 1
        distribute()
    last = sorted(hopeful, key=lambda c: (-votes[c], c)) if seats > len(elected) else []
    compare(number, won + last, lost)
    if number != len(rounds):
        raise Mismatch(f"The count has {number} rounds; the sheet shows {len(rounds)}.")
    if [names.index(x) for x in sheet["elected"]] != elected + last:
        raise Mismatch(f"The elected should be {', '.join(names[c] for c in elected + last)}.")


def aggregated(board: Json) -> Papers:
    """Identical ballots merged into one entry with their total weight (the count is the same)."""
    merged: dict[tuple[int, ...], int] = {}
    for choice, weight in weighted_choices(board).items():
        key = tuple(option_numbers(choice))
        merged[key] = merged.get(key, 0) + weight
    return list(merged.items())


def recount(board: Json, results: Json) -> None:
    names, kind, sheet = board["options"], board["kind"], results["sheet"]
    if kind == "motion":
        motion = dict.fromkeys(("for", "against", "abstain"), 0)
        for choice, weight in weighted_choices(board).items():
            motion[choice] += weight
        return check_motion(motion, results)
    if list(sheet["candidates"]) != names:
        raise Mismatch("The count sheet's options are not the board's.")
    papers = aggregated(board)
    if kind in ("single", "approval"):
        counts = dict.fromkeys(range(len(names)), 0)
        for preferences, weight in papers:
            for c in set(preferences):
                counts[c] += weight
        return check_highest(names, counts, sheet, 1 if kind == "single" else int(board["seats"]))
    if kind == "ranked":
        return check_runoff(names, papers, sheet)
    if kind == "stv" and sheet["method"] == "scottish_stv":
        return check_scottish(names, papers, sheet) if papers else None
    if kind == "stv" and sheet["method"] == "meek_prf":
        return check_meek(names, papers, sheet)
    raise Mismatch(f"This checker does not recount {kind!r} votes counted by {sheet['method']!r}.")


def verify(board: Json, results: Json) -> list[str]:
    """Every way the published files disagree with the recount, in words; an empty list if none."""
    problems: list[str] = []
    digest = fingerprint(board)
    if not digest == board["board_digest"] == results["board_digest"]:
        problems.append(f"The board's fingerprint is {digest}, not the published one.")
    if results["turnout"]["ballots"] != len(board["ballots"]):
        problems.append(
            f"The board holds {len(board['ballots'])} ballots; the result counts "
            f"{results['turnout']['ballots']}."
        )
    try:
        recount(board, results)
    except Mismatch as difference:
        problems.append(str(difference))
    except (KeyError, ValueError, IndexError, TypeError) as error:
        problems.append(f"The files are not in the form a closed vote publishes ({error!r}).")
    quorate = bool(results.get("quorum", {}).get("met", True))
    if "chosen" in results and results["chosen"] != (results["sheet"]["elected"] if quorate else []):
        problems.append("The result's list of what was chosen is not what the count sheet and quorum give.")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as b, open(argv[1], encoding="utf-8") as r:
        problems = verify(json.load(b), json.load(r))
    for problem in problems:
        print("PROBLEM:", problem)
    print("The published result matches the recount." if not problems else f"{len(problems)} problem(s).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
