// Recount a closed coop vote from its two published files (board JSON and results JSON), in the browser or
// in node, sharing no code with coop's Python counter. It recomputes the board's SHA-256 fingerprint, checks
// the number of ballots, and recounts motions, single choice, approval, instant runoff, Scottish STV (whole
// units of 10^-5 votes) and Meek STV (units of 10^-9) with exact whole-number arithmetic (BigInt), stage by
// stage, naming the first place the published count sheet differs. The rules are those docs/votes.md states.

class Mismatch extends Error {}

const SCOTTISH_UNIT = 100000n;
const MEEK_UNIT = 1000000000n;

// --- the fingerprint -----------------------------------------------------------------------------------

function asciiJson(value) {
  // Python's json.dumps(..., separators=(",", ":"), ensure_ascii=True)
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0"));
}

function byTracker(a, b) {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

export async function fingerprint(board) {
  const ballots = board.ballots.map(([t, c, w]) => [t, c, w]).sort(byTracker);
  const body = { vote: board.vote, ballots };
  if (board.weight_groups && board.weight_groups.length) body.weight_groups = board.weight_groups;
  const text = asciiJson(body);
  const bytes = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- exact figures -------------------------------------------------------------------------------------

// "912.00000" (or "0E-9", as Python's Decimal writes it) as a whole number of 1/unit of a vote, or null
// when it is not one (so it equals no recount).
export function units(text, unit) {
  if (text === null || text === undefined) return null;
  const match = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(String(text).trim());
  if (!match || !(match[2] || match[3])) return null;
  const digits = (match[2] || "") + (match[3] || "");
  // value = digits x 10^(exponent - places after the point); times unit = 10^unitPlaces
  const shift = Number(match[4] || "0") - (match[3] || "").length + (unit.toString().length - 1);
  let value = BigInt(digits);
  if (shift >= 0) value *= 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    if (value % divisor !== 0n) return null;
    value /= divisor;
  }
  return match[1] === "-" ? -value : value;
}

export function shown(value, unit) {
  const places = unit.toString().length - 1;
  if (places === 0) return value.toString();
  const sign = value < 0n ? "-" : "";
  const digits = (value < 0n ? -value : value).toString().padStart(places + 1, "0");
  return `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

// a / b rounded up, for the non-negative figures of a count
function up(a, b) {
  return (a + b - 1n) / b;
}

function fractionOf(text) {
  const [num, den] = String(text).split("/");
  return [BigInt(num), BigInt(den || "1")];
}

// n/d in lowest terms, as Python's Fraction writes it ("3/2", or "2" when whole)
function ratio(n, d) {
  let [a, b] = [n < 0n ? -n : n, d];
  while (b) [a, b] = [b, a % b];
  const g = a || 1n;
  return d / g === 1n ? `${n / g}` : `${n / g}/${d / g}`;
}

function optionNumbers(choice) {
  return choice.replace(/>/g, ",").split(",").filter((p) => p !== "").map(Number);
}

// --- the stages of the recount, as the page shows them ----------------------------------------------------

class Sheet {
  constructor(names, unit) {
    this.names = names;
    this.unit = unit;
    this.stages = [];
  }

  add(tallies, elected, excluded) {
    const row = {};
    for (const [c, v] of tallies) row[this.names[c]] = shown(v, this.unit);
    this.stages.push({ tallies: row, elected: elected.map((c) => this.names[c]), excluded: excluded.map((c) => this.names[c]) });
  }
}

function compareStage(names, number, round, mine, unit) {
  const theirs = new Map();
  for (const [name, v] of Object.entries(round.tallies)) theirs.set(names.indexOf(name), units(v, unit));
  const all = [...new Set([...theirs.keys(), ...mine.keys()])].sort((a, b) => a - b);
  for (const c of all) {
    if (theirs.get(c) !== mine.get(c)) {
      const ours = mine.has(c) ? shown(mine.get(c), unit) : "no figure";
      const given = round.tallies[names[c]] ?? "no figure";
      throw new Mismatch(`Stage ${number}: the sheet gives ${names[c]} ${given} votes; the recount gives ${ours}.`);
    }
  }
}

function pick(what, number, name, allowed, names) {
  const c = names.indexOf(name);
  if (c < 0 || !allowed.includes(c)) {
    throw new Mismatch(`Stage ${number}: the ${what} should be ${allowed.map((a) => names[a]).join(" or ")}.`);
  }
  return c;
}

// A tie narrowed by the most recent earlier stage at which the tied options' votes differed.
function narrow(tied, history, highest) {
  for (let i = history.length - 2; i >= 0 && tied.length > 1; i -= 1) {
    const votes = tied.map((c) => history[i].get(c) ?? 0n);
    const best = votes.reduce((a, b) => (highest ? (b > a ? b : a) : b < a ? b : a));
    tied = tied.filter((c) => (history[i].get(c) ?? 0n) === best);
  }
  return tied;
}

function extreme(values, highest) {
  return values.reduce((a, b) => (highest ? (b > a ? b : a) : b < a ? b : a));
}

// --- motions, single choice, approval -------------------------------------------------------------------

function recountMotion(board, results, out) {
  const totals = { for: 0n, against: 0n, abstain: 0n };
  for (const [choice, weight] of weightedChoices(board)) {
    if (!(choice in totals)) throw new Mismatch(`A ballot holds ${JSON.stringify(choice)}, not for, against or abstain.`);
    totals[choice] += weight;
  }
  const sheet = results.sheet;
  const mine = new Map([[0, totals.for], [1, totals.against], [2, totals.abstain]]);
  out.sheet = new Sheet(["For", "Against", "Abstain"], 1n);
  compareStage(["For", "Against", "Abstain"], 1, sheet.rounds[0], mine, 1n);
  const [num, den] = fractionOf(sheet.options.fraction);
  const f = totals.for;
  const a = totals.against;
  const meets = sheet.options.comparison === ">" ? f * den > num * (f + a) : f * den >= num * (f + a);
  let carried = meets && f + a > 0n && f !== a;
  const quorum = sheet.options.quorum;
  if (quorum !== null && quorum !== undefined && f + a + totals.abstain < BigInt(quorum)) carried = false;
  out.sheet.add(mine, carried ? [0] : [], []);
  const expected = carried ? ["For"] : [];
  if (JSON.stringify(sheet.elected) !== JSON.stringify(expected)) {
    const verdict = carried ? "carried" : "not carried";
    throw new Mismatch(`The motion is ${verdict} on the recount (${f} for, ${a} against, needing ${ratio(num * (f + a), den)}).`);
  }
}

function recountHighest(names, papers, sheet, seats, out) {
  const counts = new Map(names.map((_, c) => [c, 0n]));
  for (const [prefs, weight] of papers) for (const c of new Set(prefs)) counts.set(c, counts.get(c) + weight);
  out.sheet.add(counts, sheet.elected.map((n) => names.indexOf(n)), []);
  compareStage(names, 1, sheet.rounds[0], counts, 1n);
  const winners = sheet.elected.map((n) => names.indexOf(n));
  const wanted = Math.min(seats, names.length);
  if (winners.length !== wanted || new Set(winners).size !== winners.length || winners.includes(-1)) {
    throw new Mismatch(`${winners.length} options were declared chosen, not ${wanted}.`);
  }
  const losers = [...counts.keys()].filter((c) => !winners.includes(c));
  if (losers.length && extreme(winners.map((c) => counts.get(c)), false) < extreme(losers.map((c) => counts.get(c)), true)) {
    throw new Mismatch("An option with more votes than a declared winner was not chosen.");
  }
}

// --- instant runoff -------------------------------------------------------------------------------------

function recountRunoff(names, papers, sheet, out) {
  const continuing = new Set(names.map((_, c) => c));
  const history = [];
  const rounds = sheet.rounds;
  for (let number = 1; number <= rounds.length; number += 1) {
    const round = rounds[number - 1];
    const counts = new Map([...continuing].map((c) => [c, 0n]));
    for (const [prefs, weight] of papers) {
      const top = prefs.find((c) => continuing.has(c));
      if (top !== undefined) counts.set(top, counts.get(top) + weight);
    }
    history.push(counts);
    let total = 0n;
    for (const v of counts.values()) total += v;
    const threshold = total / 2n + 1n;
    const live = [...continuing];
    let leaders = live.filter((c) => counts.get(c) >= threshold);
    if (!leaders.length && live.length <= 2) {
      const top = extreme(live.map((c) => counts.get(c)), true);
      leaders = narrow(live.filter((c) => counts.get(c) === top), history, true);
    }
    const excludedHere = round.excluded.map((n) => names.indexOf(n));
    out.sheet.add(counts, leaders.length ? round.elected.map((n) => names.indexOf(n)) : [], leaders.length ? [] : excludedHere);
    compareStage(names, number, round, counts, 1n);
    if (units(round.threshold, 1n) !== threshold) throw new Mismatch(`Round ${number}: the threshold should be ${threshold}.`);
    if (leaders.length) {
      const ends = JSON.stringify(round.elected) === JSON.stringify(sheet.elected) && number === rounds.length;
      if (!ends || sheet.elected.length !== 1 || !leaders.includes(names.indexOf(sheet.elected[0]))) {
        throw new Mismatch(`Round ${number}: the count should end here, electing ${leaders.map((c) => names[c]).join(" or ")}.`);
      }
      return;
    }
    const low = extreme(live.map((c) => counts.get(c)), false);
    const tied = narrow(live.filter((c) => counts.get(c) === low), history, false);
    if (round.elected.length || excludedHere.length !== 1 || !tied.includes(excludedHere[0])) {
      throw new Mismatch(`Round ${number}: the option to exclude is one of ${tied.map((c) => names[c]).join(", ")}.`);
    }
    continuing.delete(excludedHere[0]);
  }
  throw new Mismatch("The count ends before any option is elected.");
}

// --- Scottish STV (SSI 2007/42, Schedule 1, rules 45-52) --------------------------------------------------

function recountScottish(names, papers, sheet, out) {
  const unit = SCOTTISH_UNIT;
  const n = names.length;
  const seats = Number(sheet.seats);
  const rounds = sheet.rounds;
  let valid = 0n;
  for (const [prefs, m] of papers) if (prefs.length) valid += m;
  const quota = (valid / BigInt(seats + 1) + 1n) * unit;
  if (units(sheet.quota, unit) !== quota) {
    throw new Mismatch(`The quota should be ${quota / unit} (${valid} valid papers, ${seats} seats).`);
  }
  const hopeful = new Set(names.map((_, c) => c));
  const pending = new Set();
  const excluded = new Set();
  const elected = [];
  const piles = names.map(() => []);
  const votes = names.map(() => 0n);
  const lost = { non_transferable: 0n, rounding: 0n };
  for (const [prefs, m] of papers) {
    if (!prefs.length) continue;
    piles[prefs[0]].push({ prefs, at: 0, value: unit, m });
    votes[prefs[0]] += m * unit;
  }
  const history = [];
  const byVotes = (a, b) => (votes[b] > votes[a] ? 1 : votes[b] < votes[a] ? -1 : a - b);

  const close = (number, source, wasExcluded) => {
    history.push(new Map(votes.map((v, c) => [c, v])));
    const fresh = [...hopeful].filter((c) => votes[c] >= quota).sort(byVotes);
    for (const c of fresh) {
      hopeful.delete(c);
      elected.push(c);
      if (votes[c] > quota) pending.add(c);
    }
    const mine = new Map();
    for (let c = 0; c < n; c += 1) if (!excluded.has(c)) mine.set(c, votes[c]);
    out.sheet.add(mine, fresh, wasExcluded ? [source] : []);
    if (number > rounds.length) throw new Mismatch(`The sheet stops after stage ${rounds.length}; the count goes on.`);
    const round = rounds[number - 1];
    compareStage(names, number, round, mine, unit);
    for (const what of ["non_transferable", "rounding"]) {
      if (units(round.inactive[what], unit) !== lost[what]) {
        throw new Mismatch(`Stage ${number}: the ${what.replace("_", "-")} votes should be ${shown(lost[what], unit)}.`);
      }
    }
    const theirs = round.elected.slice(0, fresh.length).map((x) => names.indexOf(x));
    if (JSON.stringify(theirs) !== JSON.stringify(fresh)) {
      throw new Mismatch(`Stage ${number}: the candidates elected should be ${fresh.map((c) => names[c]).join(", ") || "none"}.`);
    }
    return fresh;
  };

  let fresh = close(1, null, false);
  let number = 1;
  while (seats - elected.length > 0 && hopeful.size > seats - elected.length) {
    number += 1;
    const round = number <= rounds.length ? rounds[number - 1] : { excluded: [], transfers: {} };
    let source;
    let surplus = 0n;
    let total = 1n;
    const wasExcluded = pending.size === 0;
    if (!wasExcluded) {
      const top = extreme([...pending].map((c) => votes[c]), true);
      const tied = narrow([...pending].filter((c) => votes[c] === top), history, true);
      source = pick("surplus transferred", number, Object.keys(round.transfers)[0], tied, names);
      surplus = votes[source] - quota;
      total = votes[source];
      pending.delete(source);
      votes[source] = quota;
    } else {
      const low = extreme([...hopeful].map((c) => votes[c]), false);
      const tied = narrow([...hopeful].filter((c) => votes[c] === low), history, false);
      source = pick("candidate excluded", number, round.excluded.length === 1 ? round.excluded[0] : null, tied, names);
      hopeful.delete(source);
      excluded.add(source);
      votes[source] = 0n;
    }
    const moving = piles[source];
    piles[source] = [];
    let moved = 0n;
    for (const paper of moving) {
      const value = surplus ? (surplus * paper.value) / total : paper.value;
      moved += value * paper.m;
      let step = -1;
      for (let i = paper.at + 1; i < paper.prefs.length; i += 1) {
        if (hopeful.has(paper.prefs[i])) {
          step = i;
          break;
        }
      }
      if (step < 0) lost.non_transferable += value * paper.m;
      else if (value > 0n) {
        piles[paper.prefs[step]].push({ prefs: paper.prefs, at: step, value, m: paper.m });
        votes[paper.prefs[step]] += value * paper.m;
      }
    }
    if (surplus) lost.rounding += surplus - moved;
    fresh = close(number, source, wasExcluded);
  }
  const last = seats > elected.length ? [...hopeful].sort(byVotes) : [];
  if (last.length) out.sheet.stages[out.sheet.stages.length - 1].elected.push(...last.map((c) => names[c]));
  if (rounds.length !== number) throw new Mismatch(`The count has ${number} stages; the sheet shows ${rounds.length}.`);
  const finalElected = rounds[rounds.length - 1].elected.map((x) => names.indexOf(x));
  if (JSON.stringify(finalElected) !== JSON.stringify([...fresh, ...last])) {
    throw new Mismatch(`Stage ${number}: the candidates elected should be ${[...fresh, ...last].map((c) => names[c]).join(", ")}.`);
  }
  checkElected(names, sheet, [...elected, ...last]);
}

function checkElected(names, sheet, mine) {
  const theirs = sheet.elected.map((x) => names.indexOf(x));
  if (JSON.stringify(theirs) !== JSON.stringify(mine)) {
    throw new Mismatch(`The elected should be ${mine.map((c) => names[c]).join(", ")}.`);
  }
}

// --- Meek STV (the Proportional Representation Foundation's reference rule) -------------------------------

function recountMeek(names, allPapers, sheet, out) {
  const one = MEEK_UNIT;
  const omega = 1000n;
  const n = names.length;
  const seats = Number(sheet.seats);
  const rounds = sheet.rounds;
  const papers = allPapers.filter(([prefs]) => prefs.length);
  let ballots = 0n;
  for (const [, m] of papers) ballots += m;
  const kf = names.map(() => one);
  const hopeful = new Set(names.map((_, c) => c));
  const elected = [];
  const votes = names.map(() => 0n);
  let quota = (ballots * one) / BigInt(seats + 1) + 1n;
  const byVotes = (a, b) => (votes[b] > votes[a] ? 1 : votes[b] < votes[a] ? -1 : a - b);

  const distribute = () => {
    votes.fill(0n);
    for (const [prefs, m] of papers) {
      let w = one;
      for (const c of prefs) {
        const keep = up(w * kf[c], one);
        votes[c] += keep * m;
        w -= keep;
        if (w <= 0n) break;
      }
    }
  };

  const compare = (number, won, defeated) => {
    const mine = new Map(votes.map((v, c) => [c, v]));
    out.sheet.add(mine, won, defeated);
    if (number > rounds.length) throw new Mismatch(`The sheet stops after round ${rounds.length}; the count goes on.`);
    const round = rounds[number - 1];
    compareStage(names, number, round, mine, one);
    if (units(round.threshold, one) !== quota) throw new Mismatch(`Round ${number}: the quota should be ${shown(quota, one)}.`);
    if (JSON.stringify(round.elected.map((x) => names.indexOf(x))) !== JSON.stringify(won)) {
      throw new Mismatch(`Round ${number}: the elected should be ${won.map((c) => names[c]).join(", ") || "none"}.`);
    }
    if (JSON.stringify(round.excluded.map((x) => names.indexOf(x))) !== JSON.stringify(defeated)) {
      throw new Mismatch(`Round ${number}: the defeated should be ${defeated.map((c) => names[c]).join(", ") || "none"}.`);
    }
  };

  const stillToFill = () => hopeful.size > seats - elected.length && seats - elected.length > 0;
  let number = 0;
  let won = [];
  let defeated = [];
  while (stillToFill()) {
    number += 1;
    let lastSurplus = ballots * one;
    let surplus = 0n;
    defeated = [];
    for (;;) {
      distribute();
      quota = votes.reduce((a, b) => a + b, 0n) / BigInt(seats + 1) + 1n;
      won = [...hopeful].filter((c) => votes[c] >= quota).sort(byVotes);
      surplus = 0n;
      for (const c of [...elected, ...won]) surplus += votes[c] - quota;
      if (surplus < 0n) surplus = 0n;
      if (won.length || surplus < omega || surplus >= lastSurplus) break;
      lastSurplus = surplus;
      for (const c of elected) kf[c] = up(up(kf[c] * quota, one) * one, votes[c]);
    }
    for (const c of won) {
      hopeful.delete(c);
      elected.push(c);
    }
    if (!won.length) {
      const low = extreme([...hopeful].map((c) => votes[c]), false);
      const tied = [...hopeful].filter((c) => votes[c] <= low + surplus).sort((a, b) => a - b);
      const given = number <= rounds.length ? rounds[number - 1].excluded : [];
      const loser = pick("candidate defeated", number, given.length === 1 ? given[0] : null, tied, names);
      defeated = [loser];
      hopeful.delete(loser);
      kf[loser] = 0n;
    }
    if (stillToFill()) compare(number, won, defeated);
  }
  if (number === 0) {
    number = 1;
    distribute();
  }
  const last = seats > elected.length ? [...hopeful].sort(byVotes) : [];
  compare(number, [...won, ...last], defeated);
  if (number !== rounds.length) throw new Mismatch(`The count has ${number} rounds; the sheet shows ${rounds.length}.`);
  checkElected(names, sheet, [...elected, ...last]);
}

// --- the whole check ------------------------------------------------------------------------------------

// Each choice's total weight. A ballot shows its weight, or the name of a merged weight group (a weight
// fewer than five ballots shared), whose total weight per choice must cover exactly its ballots' choices.
function weightedChoices(board) {
  const totals = new Map();
  const add = (choice, weight) => totals.set(choice, (totals.get(choice) ?? 0n) + weight);
  const inGroup = new Map();
  for (const [, choice, weight] of board.ballots) {
    if (typeof weight === "string") {
      if (!inGroup.has(weight)) inGroup.set(weight, []);
      inGroup.get(weight).push(choice);
    } else add(choice, BigInt(weight));
  }
  const groups = new Map((board.weight_groups || []).map((g) => [g.name, g]));
  const named = [...inGroup.keys()].sort();
  const listed = [...groups.keys()].sort();
  if (JSON.stringify(named) !== JSON.stringify(listed)) {
    throw new Mismatch(`The ballots name weight groups ${JSON.stringify(named)}; the board lists ${JSON.stringify(listed)}.`);
  }
  for (const [name, group] of groups) {
    const choices = inGroup.get(name);
    const given = new Map(group.totals.map(([c, w]) => [String(c), BigInt(w)]));
    const sameChoices = given.size === new Set(choices).size && choices.every((c) => given.has(c));
    if (choices.length !== group.ballots || !sameChoices) {
      throw new Mismatch(`Weight ${name} does not hold the ballots and choices the board gives it.`);
    }
    const lightest = BigInt(Math.min(...group.weights));
    for (const [choice, weight] of given) {
      if (weight < lightest * BigInt(choices.filter((c) => c === choice).length)) {
        throw new Mismatch(`Weight ${name} gives a choice less weight than its ballots must carry.`);
      }
    }
    for (const [choice, weight] of given) add(choice, weight);
  }
  return totals;
}

function aggregated(board) {
  const merged = new Map();
  for (const [choice, weight] of weightedChoices(board)) {
    const prefs = optionNumbers(choice);
    const key = prefs.join(",");
    const had = merged.get(key);
    merged.set(key, [prefs, (had ? had[1] : 0n) + weight]);
  }
  return [...merged.values()];
}

function recount(board, results, out) {
  const names = board.options;
  const sheet = results.sheet;
  if (board.kind === "motion") return recountMotion(board, results, out);
  if (JSON.stringify(sheet.candidates) !== JSON.stringify(names)) throw new Mismatch("The count sheet's options are not the board's.");
  for (const [, choice] of board.ballots) {
    if (optionNumbers(choice).some((c) => !Number.isInteger(c) || c < 0 || c >= names.length)) {
      throw new Mismatch(`A ballot names an option that is not on the board: ${JSON.stringify(choice)}.`);
    }
  }
  const papers = aggregated(board);
  const unit = sheet.method === "scottish_stv" ? SCOTTISH_UNIT : sheet.method === "meek_prf" ? MEEK_UNIT : 1n;
  out.sheet = new Sheet(names, unit);
  if (board.kind === "single" || board.kind === "approval") {
    return recountHighest(names, papers, sheet, board.kind === "single" ? 1 : Number(board.seats), out);
  }
  if (board.kind === "ranked") return recountRunoff(names, papers, sheet, out);
  if (board.kind === "stv" && sheet.method === "scottish_stv") {
    return papers.length ? recountScottish(names, papers, sheet, out) : undefined;
  }
  if (board.kind === "stv" && sheet.method === "meek_prf") return recountMeek(names, papers, sheet, out);
  throw new Mismatch(`This recount does not cover ${JSON.stringify(board.kind)} votes counted by ${JSON.stringify(sheet.method)}.`);
}

// Every way the published files disagree with the recount, in words (empty: they agree), and the recount's
// own stages for the page to show.
export async function verify(board, results) {
  const problems = [];
  const out = { sheet: null };
  try {
    const digest = await fingerprint(board);
    if (!(digest === board.board_digest && digest === results.board_digest)) {
      problems.push(`The board's fingerprint is ${digest}, not the published one.`);
    }
    if (results.turnout.ballots !== board.ballots.length) {
      problems.push(`The board holds ${board.ballots.length} ballots; the result counts ${results.turnout.ballots}.`);
    }
    recount(board, results, out);
  } catch (error) {
    if (error instanceof Mismatch) problems.push(error.message);
    else problems.push(`The files are not in the form a closed vote publishes (${error.message}).`);
  }
  const quorate = results && results.quorum && "met" in results.quorum ? Boolean(results.quorum.met) : true;
  if (results && results.sheet && "chosen" in results) {
    const expected = quorate ? results.sheet.elected : [];
    if (JSON.stringify(results.chosen) !== JSON.stringify(expected)) {
      problems.push("The result's list of what was chosen is not what the count sheet and quorum give.");
    }
  }
  return { problems, stages: out.sheet ? out.sheet.stages : [], names: out.sheet ? out.sheet.names : [] };
}
