// The "check this result yourself" page: fetches the vote's published board and result (or reads files the
// member saved), recounts them with recount.mjs and shows the verdict and the recount's own count sheet.
// Everything is written with textContent, never as HTML, so nothing in the files can run as script.
import { verify } from "/static/js/recount.mjs";

const root = document.getElementById("recount");

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showOutcome(problems) {
  const outcome = document.getElementById("recount-outcome");
  outcome.replaceChildren();
  if (!problems.length) {
    const panel = element("div", "govuk-panel govuk-panel--confirmation");
    panel.append(element("h2", "govuk-panel__title", "Your recount matches the published result"));
    panel.append(element("div", "govuk-panel__body", "Every stage of the count sheet is the same."));
    outcome.append(panel);
    return;
  }
  const box = element("div", "govuk-error-summary");
  box.setAttribute("role", "alert");
  box.tabIndex = -1;
  box.append(element("h2", "govuk-error-summary__title", "Your recount does not match the published result"));
  const list = element("ul", "govuk-list govuk-error-summary__list");
  for (const problem of problems) list.append(element("li", "coop-long-code", problem));
  const body = element("div", "govuk-error-summary__body");
  body.append(list, element("p", "govuk-body", "Tell your organisation's secretary, and keep the files you checked."));
  box.append(body);
  outcome.append(box);
  box.focus();
}

function showSheet(names, stages) {
  const holder = document.getElementById("recount-sheet");
  holder.replaceChildren();
  if (!stages.length) return;
  holder.append(element("h2", "govuk-heading-m", "Your recount, stage by stage"));
  // Many stages make a wide table: it scrolls in its own focusable region, never the page (WCAG 1.4.10).
  const wrapper = element("div", "coop-table-wrapper");
  wrapper.setAttribute("role", "region");
  wrapper.setAttribute("aria-labelledby", "recount-caption");
  wrapper.tabIndex = 0;
  const table = element("table", "govuk-table");
  const caption = element("caption", "govuk-table__caption govuk-table__caption--s", "Votes for each option at each stage of your recount");
  caption.id = "recount-caption";
  table.append(caption);
  const head = element("thead", "govuk-table__head");
  const headRow = element("tr", "govuk-table__row");
  headRow.append(element("th", "govuk-table__header", "Option"));
  stages.forEach((_, i) => {
    const th = element("th", "govuk-table__header govuk-table__header--numeric", `Stage ${i + 1}`);
    th.scope = "col";
    headRow.append(th);
  });
  head.append(headRow);
  const body = element("tbody", "govuk-table__body");
  for (const name of names) {
    const row = element("tr", "govuk-table__row");
    const th = element("th", "govuk-table__header", name);
    th.scope = "row";
    row.append(th);
    for (const stage of stages) {
      let text = stage.tallies[name] ?? "–";
      if (stage.elected.includes(name)) text += " (chosen)";
      if (stage.excluded.includes(name)) text += " (excluded)";
      row.append(element("td", "govuk-table__cell govuk-table__cell--numeric", text));
    }
    body.append(row);
  }
  table.append(head, body);
  wrapper.append(table);
  holder.append(wrapper);
}

async function check(readBoard, readResults) {
  let board;
  let results;
  try {
    [board, results] = await Promise.all([readBoard(), readResults()]);
  } catch (error) {
    showOutcome([`The files could not be read: ${error.message}`]);
    showSheet([], []);
    return;
  }
  const verdict = await verify(board, results);
  showOutcome(verdict.problems);
  showSheet(verdict.names, verdict.stages);
}

async function download(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

async function readFile(input, what) {
  const file = input.files && input.files[0];
  if (!file) throw new Error(`choose the ${what} file`);
  return JSON.parse(await file.text());
}

if (root) {
  root.hidden = false;
  document.getElementById("recount-no-js").hidden = true;
  document.getElementById("recount-start").addEventListener("click", () =>
    check(() => download(root.dataset.board), () => download(root.dataset.results)),
  );
  document.getElementById("recount-files").addEventListener("click", () =>
    check(
      () => readFile(document.getElementById("board-file"), "bulletin board"),
      () => readFile(document.getElementById("results-file"), "result"),
    ),
  );
}
