// coop's own script: switches on GOV.UK Frontend components and the sign-out warning.
// Everything works without it; it only adds comfort (WCAG 2.2.1: warn before the session times out).
import { initAll } from "/static/build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

const WARN_BEFORE_SECONDS = 120;
const dialog = document.getElementById("timeout-warning");
// Seconds the session has left as the page was made, and (the server refreshes its timer at most once a
// minute) the least it has left after any later request.
const idleSeconds = Number(document.body.dataset.idleSeconds || 0);
const afterRequest = Number(document.body.dataset.idleSecondsAfterRequest || 0);

if (dialog && typeof dialog.showModal === "function" && afterRequest > WARN_BEFORE_SECONDS) {
  let timer;
  const restart = (seconds) => {
    clearTimeout(timer);
    timer = setTimeout(() => dialog.showModal(), Math.max(0, seconds - WARN_BEFORE_SECONDS) * 1000);
  };
  // Any request to the server restarts the server's idle timer, so restart ours with it.
  document.body.addEventListener("htmx:afterRequest", () => {
    if (dialog.open) dialog.close();
    restart(afterRequest);
  });
  restart(idleSeconds);
}

// Forms answer 422 with the form and its errors next to the fields. htmx leaves 4xx answers unswapped by
// default, so swap those in like a success; then switch on GOV.UK Frontend in the new part (its error
// summary takes focus) or, with no errors, move focus to the new heading, so a screen reader announces
// what changed (the fragment's <title> also updates the page title, "Error: ..." included).
document.body.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
document.body.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.target; // the new content (the form that asked may have been swapped out)
  if (!(swapped instanceof HTMLElement) || !swapped.isConnected) return;
  initAll({ scope: swapped });
  if (swapped.querySelector(".govuk-error-summary")) return;
  const heading = swapped.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
});
