// The README's "Your own base config" example, run for real: a --config whose frontend routes with the
// lines the README gives (its `http-request` and `use_backend` code) serves the generated map, and a map
// change reaches it through the runtime API. Before, the README's `use_backend %[…map_str(domain.map)]`
// alone failed every `haproxy -c` (HAProxy opens a map named only in that expression after parsing,
// outside `default-path`: `failed to open pattern file`), so a user following it got a reloader that
// exited 1.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { test } from "node:test";
import { renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { httpRequest } from "../../test-support/src/http/index.ts";
import { repoPath } from "../../test-support/src/repo-root.ts";
import { waitForApply } from "./helpers/fixture.ts";
import { userConfigFixture, userConfigLines } from "./helpers/user-config.ts";

// The routing lines of the README's `--config` section: its code spans that start with `http-request` or
// `use_backend`, in order (but an elided form, with `…`).
function readmeRoutingLines(): string[] {
  const readme = readFileSync(repoPath("packages", "reloader", "README.md"), "utf8");
  const start = readme.indexOf("\n## Your own base config (`--config`)\n");
  assert.notEqual(start, -1, "the README has the --config section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const spans = [...section.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? "");
  return spans.filter((span) => /^(http-request|use_backend) /.test(span) && !span.includes("…"));
}

test("the README's --config routing example passes haproxy -c and routes the generated map", async (t) => {
  const lines = readmeRoutingLines();
  assert.ok(
    lines.some((line) => line.startsWith("use_backend ")),
    JSON.stringify(lines),
  );
  const { fixture, userConfig } = await userConfigFixture(t, "127.0.0.72");
  // the README's lines in place of the helper's routing line
  const config = userConfigLines(
    fixture.httpPort,
    lines.map((line) => `    ${line}`),
    ["backend none_mine", '    http-request return status 503 content-type text/plain string "no route"'],
    ["    default_backend none_mine"],
  );
  await writeFile(userConfig, config.join("\n"));
  const reloader = await fixture.start(["--config", userConfig]).catch((error: unknown) => {
    const failed = fixture.reloader.logs.find((line) => line.event === "check.failed");
    assert.fail(`the reloader did not start: ${String(error)}\n${JSON.stringify(failed?.["output"])}`);
  });
  await reloader.waitForEvent("base-config.user");
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
  assert.equal((await httpRequest({ url: fixture.url, host: "other.dev.tld" })).status, 503);

  // The map is the snapshot's `domain.map`, so a map-only change is applied through the runtime API.
  const from = reloader.logs.length;
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }) });
  assert.equal((await waitForApply(reloader, from))["event"], "runtime.applied");
  assert.equal((await httpRequest({ url: fixture.url, host: "www.dev.tld" })).body, "app");
});
