// A --config is read for the sections a stack's backend could clash with once at start: prepareBaseConfig
// reads them to warn about them (base-config.section-name-clash) and hands them, with the bytes it wrote to
// the state dir, to the snapshot store, which leaves out the backends they name without reading those
// bytes again. Until 2026-12-05 the store's first validation read the whole --config a second time before
// HAProxy's first start. Other bytes (a base config that is not that copy) are read as before.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import type { RefusedBackend } from "../src/model/without-clashing-backends.ts";
import { resolveOptions } from "../src/options/resolve-options.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import { prepareBaseConfig } from "../src/setup/prepare-base-config.ts";
import { captureLog } from "./helpers/capture-log.ts";

// The environment HAProxy inherits, counting the variables looked up: a reading of a section named
// `"$RH_TEST_LEGACY"` looks it up, so the count tells how often the --config was read for its sections.
class CountingEnvironment extends Map<string, string> {
  lookups = 0;
  override get(name: string): string | undefined {
    this.lookups += 1;
    return super.get(name);
  }
}

test("the --config's sections read at start are not read again by the snapshot store from the same bytes", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-sections-once-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const userConfig = join(dir, "my.cfg");
  const own = [
    "global",
    "defaults",
    "    mode http",
    "frontend mine",
    "    bind 127.0.0.1:8080",
    "    default_backend fallback_mine",
    "backend fallback_mine",
    'backend "$RH_TEST_LEGACY"',
    "",
  ].join("\n");
  await writeFile(userConfig, own);
  const stateDir = join(dir, "state");
  await mkdir(stateDir, { recursive: true });
  const layout = stateLayout(stateDir);
  const environment = new CountingEnvironment([["RH_TEST_LEGACY", "legacy"]]);
  const options = { ...resolveOptions({ config: userConfig, stateDir }, {}), environment };
  const { logger, events } = captureLog();

  const read = await prepareBaseConfig(options, { kind: "stdout" } as never, null, layout, logger);
  const warned = events().find((line) => line["event"] === "base-config.section-name-clash");
  assert.deepEqual(warned?.["sections"], [{ section: "backend legacy", line: 8 }]);
  const atStart = environment.lookups;
  assert.ok(atStart > 0, "the start read the section's name from the environment");

  const refused: string[][] = [];
  const store = new SnapshotStore("haproxy", layout, logger, 10, {
    environment,
    sections: read,
    onRefused: (backends: readonly RefusedBackend[]) => refused.push(backends.map((entry) => entry.backend)),
  });
  const inputs = (base: Buffer) => ({
    base,
    backends: Buffer.from(
      renderTestBackends([
        { name: "app", servers: [{ address: "127.0.0.1:8081" }] },
        { name: "legacy", servers: [{ address: "127.0.0.1:8082" }] },
        { name: "shop", servers: [{ address: "127.0.0.1:8083" }] },
      ]),
    ),
    map: Buffer.from(renderTestMap({ "app.dev.tld": "app", "legacy.dev.tld": "legacy" })),
    hash: base.toString("hex"),
  });
  // The backends of the validated table, taken as staging takes it (what was left out is reported then).
  const names = (validated: ReturnType<SnapshotStore["validate"]>) => {
    if (!validated.ok) return validated.reason;
    store.reportClashes(validated.table);
    return validated.table.backends.map((backend) => backend.name);
  };

  // The copy in the state dir, as the applier reads it: legacy left out, the --config not read again.
  const copy = await readFile(layout.baseConfig);
  assert.equal(copy.toString("utf8"), own);
  assert.deepEqual(names(store.validate(inputs(copy))), ["app", "shop"]);
  assert.deepEqual(refused.at(-1), ["legacy"]);
  assert.equal(environment.lookups, atStart, "the store read the --config's sections again");

  // Other bytes are read: a section `listen shop` added to them leaves shop out too.
  const edited = Buffer.concat([copy, Buffer.from("listen shop\n")]);
  assert.deepEqual(names(store.validate(inputs(edited))), ["app"]);
  assert.deepEqual(refused.at(-1), ["legacy", "shop"]);
  assert.ok(environment.lookups > atStart);
});
