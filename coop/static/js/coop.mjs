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
