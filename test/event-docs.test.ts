// The event lists of the docs name every event the code logs, and none it does not: the reloader README's
// "Logs" section, generate-maps' README "Logs" table and the status listener's table in
// docs/observability.md. This fails when a log line gains an event its list does not name, or a list names
// one no source file logs. Also: the image entrypoint's own events are in docs/observability.md, and no
// Markdown file names a dotted event (`reload.waiting`) that nothing logs, in its prose either.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./helpers/deploy-files.ts";

const EVENT = String.raw`[a-z0-9-]+(?:\.[a-z0-9-]+)*`;

// Every `event: "<name>"` but a metric's label (and `event: cond ? "<a>" : "<b>"`, StartupError's `event = "<name>"` and the
// event given to `new StartupError(message, code, "<name>")`) in the .ts files under `dir`. `dotted`: only
// names with a dot (the reloader's and the status listener's; generate-maps' own have none).
function loggedEvents(dir: string, dotted: boolean): Set<string> {
  const events = new Set<string>();
  const patterns = [
    new RegExp(String.raw`(?<!\.inc\(\{ )\bevent(?:: | = )"(${EVENT})"`, "g"), // not a metric's label
    new RegExp(String.raw`\bevent: [\w.]+ \? "(${EVENT})" : "(${EVENT})"`, "g"),
    new RegExp(String.raw`\bStartupError\([^;]*?,\s*[12],\s*"(${EVENT})",?\s*\)`, "g"),
  ];
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".ts")) continue;
    const text = readFileSync(join(dir, entry), "utf8");
    for (const pattern of patterns)
      for (const match of text.matchAll(pattern))
        for (const name of match.slice(1)) if (name && (!dotted || name.includes("."))) events.add(name);
  }
  return events;
}

// The part of `markdown` from the heading `heading` (a whole line) up to the next heading of its level or
// higher (or the end).
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) return "";
  const level = heading.split(" ")[0] ?? "#";
  const next = markdown.slice(start + 1).search(new RegExp(`\\n#{1,${level.length}} `));
  return markdown.slice(start, next === -1 ? undefined : start + 1 + next);
}

// The backquoted event names of the list items ("- ") of `text`.
function listedEvents(text: string): Set<string> {
  const items = text.split("\n").filter((line) => line.startsWith("- "));
  return new Set(items.flatMap((line) => [...line.matchAll(/`([a-z0-9.-]+)`/g)].map((m) => m[1] ?? "")));
}

// The backquoted event names in the first cell of the rows of the first table of `text` (not its header).
function tabledEvents(text: string): Set<string> {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith("|"));
  const rows = lines.slice(start + 2, end === -1 ? undefined : end);
  const cells = rows.map((row) => row.split("|")[1] ?? "");
  return new Set(cells.flatMap((cell) => [...cell.matchAll(/`([a-z0-9.-]+)`/g)].map((m) => m[1] ?? "")));
}

function assertSame(logged: Set<string>, listed: Set<string>): void {
  assert.deepEqual([...logged].filter((event) => !listed.has(event)).sort(), [], "logged, not listed");
  assert.deepEqual([...listed].filter((event) => !logged.has(event)).sort(), [], "listed, not logged");
}

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

test("the reloader README lists exactly the events the reloader logs", () => {
  const logged = loggedEvents(join(ROOT, "packages/reloader/src"), true);
  const listed = listedEvents(section(read("packages/reloader/README.md"), "## Logs"));
  assert.ok(logged.size > 50, `the scan found ${logged.size} events`);
  assert.ok(logged.has("reloader.state-dir-locked") && logged.has("haproxy.start-failed"));
  assertSame(logged, listed);
});

test("generate-maps' README lists exactly the events generate-maps logs (and the status listener's drops)", () => {
  const logged = loggedEvents(join(ROOT, "packages/generate-maps/src"), false);
  const listed = tabledEvents(section(read("packages/generate-maps/README.md"), "## Logs"));
  listed.delete("status.connections-dropped"); // core's, listed here too: the status table holds it
  assert.ok(logged.size > 25, `the scan found ${logged.size} events`);
  assert.ok(logged.has("guard.hold") && logged.has("guard.holding"));
  assertSame(logged, listed);
});

test("docs/observability.md lists exactly the events the status listener logs", () => {
  const logged = loggedEvents(join(ROOT, "packages/core/src/status"), true);
  const text = read("docs/observability.md");
  const start = text.indexOf("The status listener adds these events:");
  assert.notEqual(start, -1);
  assert.ok(logged.size >= 7, `the scan found ${logged.size} events`);
  assertSame(logged, tabledEvents(text.slice(start)));
});

// The Markdown files that name events.
const DOCS = [
  "README.md",
  "DESIGN.md",
  ...readdirSync(join(ROOT, "docs")).map((file) => `docs/${file}`),
  "packages/generate-maps/README.md",
  "packages/reloader/README.md",
];

test("the entrypoint's events are in docs/observability.md, and every dotted event a doc names is logged", () => {
  const entrypoint = new Set(
    [...read("docker-entrypoint.sh").matchAll(/"event":"([a-z0-9.-]+)"/g)].map((m) => m[1] ?? ""),
  );
  assert.deepEqual([...entrypoint].sort(), ["entrypoint.reloader-died", "entrypoint.signal-ignored"]);
  const logs = section(read("docs/observability.md"), "### Logs");
  for (const event of entrypoint) assert.ok(logs.includes(`\`${event}\``), `${event} in observability.md`);

  const logged = new Set([
    ...entrypoint,
    ...["core", "generate-maps", "reloader"].flatMap((name) => [
      ...loggedEvents(join(ROOT, "packages", name, "src"), false),
    ]),
  ]);
  const prefixes = new Set([...logged].filter((e) => e.includes(".")).map((e) => e.split(".")[0]));
  const unknown = DOCS.flatMap((file) =>
    [...read(file).matchAll(new RegExp(`\`(${EVENT})\``, "g"))]
      .map((match) => match[1] ?? "")
      .filter((name) => name.includes(".") && prefixes.has(name.split(".")[0]) && !logged.has(name))
      .filter((name) => !/\.(cfg|map|pid|lock|log|sock|json|pem)$/.test(name)) // files, not events
      .filter((name) => !name.startsWith("runtime.updates")) // /healthz's field, not an event
      .map((name) => `${file}: ${name}`),
  );
  assert.deepEqual(unknown, []);
});
