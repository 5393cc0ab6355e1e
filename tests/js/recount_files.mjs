// Runs the browser recount (coop/static/js/recount.mjs) under node on pairs of published files, for the
// Python tests: reads a JSON list of [board path, results path] on standard input and prints, for each pair,
// the problems found and the recount's stages, as one JSON list.
import { readFileSync } from "node:fs";
import { verify } from "../../coop/static/js/recount.mjs";

const pairs = JSON.parse(readFileSync(0, "utf-8"));
const out = [];
for (const [boardPath, resultsPath] of pairs) {
  const board = JSON.parse(readFileSync(boardPath, "utf-8"));
  const results = JSON.parse(readFileSync(resultsPath, "utf-8"));
  out.push(await verify(board, results));
}
process.stdout.write(JSON.stringify(out));
