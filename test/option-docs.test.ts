// The option tables of the Markdown files are generated from core's option table: this fails when any
// marked region differs from what the table renders (fix: `npm run docs:options`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderOptionRegion, rewriteOptionRegions } from "@rancher-haproxy/core";
import { optionDocFiles, optionDocs } from "../scripts/option-docs.ts";
import { ROOT } from "./helpers/deploy-files.ts";

test("every options region of README.md, packages/*/README.md and docs/*.md matches the option table", () => {
  const stale = optionDocs(ROOT)
    .filter(({ text, wanted }) => text !== wanted)
    .map(({ file }) => file);
  assert.deepEqual(stale, [], `out of date: ${stale.join(", ")}; run \`npm run docs:options\``);
});

test("the package READMEs and docs/options.md hold the generated tables", () => {
  const files = optionDocFiles(ROOT);
  const regions = new Map(
    optionDocs(ROOT).map(({ file, text }) => [
      file,
      [...text.matchAll(/<!-- options:([a-z-]+) begin -->/g)].map((match) => match[1]),
    ]),
  );
  assert.ok(files.includes("docs/options.md"));
  assert.deepEqual(regions.get("packages/generate-maps/README.md"), ["generate-maps"]);
  assert.deepEqual(regions.get("packages/reloader/README.md"), ["reloader"]);
  assert.deepEqual(regions.get("docs/options.md"), ["generate-maps", "reloader"]);
});

test("a region is rewritten from the table, a hand edit is undone, and an unknown region is an error", () => {
  const marked = (body: string) =>
    `x\n<!-- options:summary begin -->\n${body}\n<!-- options:summary end -->\ny\n`;
  const fresh = rewriteOptionRegions(marked(""));
  assert.equal(fresh, marked(`\n${renderOptionRegion("summary")}\n`));
  assert.equal(rewriteOptionRegions(fresh), fresh, "idempotent");
  const edited = fresh.replace("`RANCHER_API_HOST`", "`RANCHER_HOST`");
  assert.notEqual(edited, fresh);
  assert.equal(rewriteOptionRegions(edited), fresh);
  const summary = renderOptionRegion("summary");
  assert.match(summary, /^\| variable \| flag \| used by \| default \|$/m);
  assert.match(
    summary,
    /^\| `STATUS_PORT` \| `--status-port` \| both \| `9101` \(generate-maps\), `9102` \(reloader\) \|$/m,
  );
  assert.match(summary, /^\| `STACK_DOMAIN` \| `--domain` \| generate-maps \| required \|$/m);
  assert.throws(() => rewriteOptionRegions("<!-- options:nope begin --><!-- options:nope end -->"), /nope/);
});
