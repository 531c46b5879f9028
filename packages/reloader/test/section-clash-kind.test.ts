// inputs.section-clash names each refused backend's section (`backend legacy`, line 8) and is logged each
// time that set changes, the section included (backend-clashes.ts). Since 6598109 the set was keyed on
// the backend and the section's line only, so a base config whose section of that name became another
// kind on the same line (`backend legacy` → `listen legacy`, read again because its bytes changed) was
// not logged: the last line said `backend legacy` while /healthz said `listen legacy`. The store reads a
// base config again whenever its bytes change (base-config-sections-read-once.test.ts), so it is pinned
// here, in-process, with the store's own validation (no HAProxy is run by it) and the report it makes
// when a validated table is taken (reportClashes, which stage calls).
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import type { RefusedBackend } from "../src/model/without-clashing-backends.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import type { InputFiles } from "../src/sources/read-inputs.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import type { Validated } from "../src/reload/validate-contract.ts";
import { captureLog } from "./helpers/capture-log.ts";

// Validate `files` and, when they pass, take their table as staging does: the report is made then.
function validateAndTake(store: SnapshotStore, files: InputFiles): Validated {
  const validated = store.validate(files);
  if (validated.ok) store.reportClashes(validated.table);
  return validated;
}

test("a refused backend's section that changes kind on the same line is logged again, as /healthz shows it", () => {
  const { logger, events } = captureLog();
  const shown: string[][] = [];
  const store = new SnapshotStore("haproxy", stateLayout("/nonexistent/state"), logger, 10, {
    onRefused: (refused: readonly RefusedBackend[]) =>
      shown.push(refused.map((entry) => `${entry.section.kind} ${entry.section.name}:${entry.section.line}`)),
  });
  const base = (kind: string) =>
    Buffer.from(
      [
        "global",
        "defaults",
        "    mode http",
        "frontend mine",
        "    bind 127.0.0.1:8080",
        `${kind} legacy`,
        "",
      ].join("\n"),
    );
  const inputs = (bytes: Buffer) => ({
    base: bytes,
    backends: Buffer.from(
      renderTestBackends([
        { name: "app", servers: [{ address: "127.0.0.1:8081" }] },
        { name: "legacy", servers: [{ address: "127.0.0.1:8082" }] },
      ]),
    ),
    map: Buffer.from(renderTestMap({ "app.dev.tld": "app", "legacy.dev.tld": "legacy" })),
    hash: bytes.toString("hex"),
  });
  const said = () =>
    events()
      .filter((entry) => entry["event"] === "inputs.section-clash")
      .map((entry) => entry["backends"]);

  assert.ok(validateAndTake(store, inputs(base("backend"))).ok);
  assert.ok(validateAndTake(store, inputs(base("listen"))).ok);
  assert.deepEqual(shown, [["backend legacy:6"], ["listen legacy:6"]]);
  assert.deepEqual(said(), [
    [{ backend: "legacy", section: "backend legacy", line: 6 }],
    [{ backend: "legacy", section: "listen legacy", line: 6 }],
  ]);

  // The same set again is not news.
  assert.ok(validateAndTake(store, inputs(base("listen"))).ok);
  assert.equal(said().length, 2);
});

// Inputs refused for needing too many server slots (counted without the backends left out) never run, so
// they must not change what the log and /healthz say is left out: until 2026-12-05 the clash step reported
// before the slot cap refused them, and inputs without the clashing stack logged
// inputs.section-clash-cleared and emptied /healthz's warning while the running routing still left it out.
test("inputs refused for the slot cap leave the section-clash report as the last inputs that passed made it", () => {
  const { logger, events } = captureLog();
  const shown: string[][] = [];
  // 400 000 slots a block: two backends fit under MAX_TOTAL_SLOTS, three do not.
  const store = new SnapshotStore("haproxy", stateLayout("/nonexistent/state"), logger, 400_000, {
    onRefused: (refused: readonly RefusedBackend[]) => shown.push(refused.map((entry) => entry.backend)),
  });
  const base = Buffer.from(
    "global\ndefaults\n    mode http\nfrontend mine\n    bind 127.0.0.1:8080\nbackend legacy\n",
  );
  const inputs = (names: string[]) => ({
    base,
    backends: Buffer.from(
      renderTestBackends(names.map((name) => ({ name, servers: [{ address: "127.0.0.1:8081" }] }))),
    ),
    map: Buffer.from(renderTestMap(Object.fromEntries(names.map((name) => [`${name}.dev.tld`, name])))),
    hash: names.join(","),
  });
  const said = () =>
    events()
      .map((entry) => entry["event"])
      .filter((event) => String(event).startsWith("inputs.section-clash"));

  assert.ok(validateAndTake(store, inputs(["app", "legacy"])).ok);
  assert.deepEqual([shown, said()], [[["legacy"]], ["inputs.section-clash"]]);
  const refused = validateAndTake(store, inputs(["app", "b", "c"]));
  assert.ok(!refused.ok && /server slots/.test(refused.reason), JSON.stringify(refused));
  assert.deepEqual([shown, said()], [[["legacy"]], ["inputs.section-clash"]]);
  assert.ok(validateAndTake(store, inputs(["app", "b"])).ok);
  assert.deepEqual(
    [shown, said()],
    [
      [["legacy"], []],
      ["inputs.section-clash", "inputs.section-clash-cleared"],
    ],
  );
});
