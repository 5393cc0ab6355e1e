// Compile coop's front-end assets from the npm packages into coop/static/build/ (never committed).
// GOV.UK Frontend is compiled with our own brand (no crown, no GDS Transport font); htmx is copied
// under a versioned name after checking its checksum, so an unexpected file never reaches users.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "coop", "static", "build");
const modules = join(root, "node_modules");

const HTMX = { version: "2.0.11", sha256: "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717" };

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "coop", "static", "src", "coop.scss"), {
  loadPaths: [root],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "coop.css"), css.css);

const htmxPath = join(modules, "htmx.org", "dist", "htmx.min.js");
const htmxHash = createHash("sha256").update(readFileSync(htmxPath)).digest("hex");
if (htmxHash !== HTMX.sha256) {
  throw new Error(`htmx.min.js checksum ${htmxHash} does not match the pinned ${HTMX.version}`);
}
copyFileSync(htmxPath, join(out, `htmx-${HTMX.version}.min.js`));

const govuk = join(modules, "govuk-frontend", "dist", "govuk");
copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));

console.log(`built ${out}: coop.css (${css.css.length} bytes), htmx ${HTMX.version}, govuk-frontend`);
