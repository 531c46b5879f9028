// The reloader README's "Logs" section lists every event the reloader logs: this fails when a log line
// gains an event the list does not name, or the list names one no source file logs.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./helpers/deploy-files.ts";

// Every `event: "<name>"` (and StartupError's `event = "<name>"`) in the .ts files under `dir`.
function loggedEvents(dir: string): Set<string> {
  const events = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".ts")) continue;
    const text = readFileSync(join(dir, entry), "utf8");
    for (const match of text.matchAll(/\bevent(?:: | = )"([a-z0-9-]+\.[a-z0-9.-]+)"/g))
      events.add(match[1] ?? "");
  }
  return events;
}

// The backquoted event names of the list under "## Logs", up to the next heading (or the end).
function listedEvents(readme: string): Set<string> {
  const start = readme.indexOf("\n## Logs\n");
  const next = readme.indexOf("\n## ", start + 1);
  const section = start === -1 ? "" : readme.slice(start, next === -1 ? undefined : next);
  const list = section.split("\n").filter((line) => line.startsWith("- "));
  return new Set(
    list.flatMap((line) => [...line.matchAll(/`([a-z0-9-]+\.[a-z0-9.-]+)`/g)].map((m) => m[1] ?? "")),
  );
}

test("the reloader README lists exactly the events the reloader logs", () => {
  const logged = loggedEvents(join(ROOT, "packages/reloader/src"));
  const listed = listedEvents(readFileSync(join(ROOT, "packages/reloader/README.md"), "utf8"));
  assert.ok(logged.size > 50, `the scan found ${logged.size} events`);
  assert.deepEqual([...logged].filter((event) => !listed.has(event)).sort(), [], "logged, not listed");
  assert.deepEqual([...listed].filter((event) => !logged.has(event)).sort(), [], "listed, not logged");
});
