// coop's own script: switches on GOV.UK Frontend components and the sign-out warning.
// Everything works without it; it only adds comfort (WCAG 2.2.1: warn before the session times out).
import { initAll } from "/static/build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

const WARN_BEFORE_SECONDS = 120;
const dialog = document.getElementById("timeout-warning");
const idleSeconds = Number(document.body.dataset.idleSeconds || 0);

if (dialog && idleSeconds > WARN_BEFORE_SECONDS && typeof dialog.showModal === "function") {
  let timer;
  const restart = () => {
    clearTimeout(timer);
    timer = setTimeout(() => dialog.showModal(), (idleSeconds - WARN_BEFORE_SECONDS) * 1000);
  };
  // Any request to the server restarts the server's idle timer, so restart ours with it.
  document.body.addEventListener("htmx:afterRequest", () => {
    if (dialog.open) dialog.close();
    restart();
  });
  restart();
}
