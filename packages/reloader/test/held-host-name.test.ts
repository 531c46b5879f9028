// A reload held for MAX_OLD_WORKERS old workers asks again every second, and its pass reuses the table it
// validated while the inputs stay (ApplierPass.lastHeld: a large map is not parsed again each second). The
// table leaves out the generated backends a section of the --config names, and a section may be named by
// the host name (`listen "$HAPROXY_LOCALPEER"`), which the store reads again at each validation
// (309ce00). Until 2026-12-05 the held table was reused after a rename of the host: the report still named
// the old host's stack, and the reload that ended the hold staged the stack named like the new host name
// (its haproxy -c refused it: two proxies of one name) with the old one left out for nothing. In-process:
// the real pass and store, input files on disk, a scripted host name and a supervisor that holds.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import type { RefusedBackend } from "../src/model/without-clashing-backends.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import type { ApplierOptions } from "../src/reload/applier-options.ts";
import { ApplierPass } from "../src/reload/applier-pass.ts";
import { MAX_OLD_WORKERS } from "../src/reload/old-workers-cap.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import type { HostNameRead } from "../src/sources/read-host-name.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { captureLog } from "./helpers/capture-log.ts";
import { inputFilesDir } from "./helpers/input-files-dir.ts";

const BASE = [
  "global",
  "defaults",
  "    mode http",
  "frontend mine",
  "    bind 127.0.0.1:8080",
  'listen "$HAPROXY_LOCALPEER"',
  "",
].join("\n");

test("a held reload's table is validated again once the host name changed; kept while it stays", async (t) => {
  const names = ["app", "legacy", "shop"];
  const servers = (name: string, i: number) => [{ address: `127.0.0.1:${8081 + i}` }];
  const { dir, paths } = await inputFilesDir(t, "rh-held-host-name-", {
    base: BASE,
    backends: renderTestBackends(names.map((name, i) => ({ name, servers: servers(name, i) }))),
    map: renderTestMap(Object.fromEntries(names.map((name) => [`${name}.dev.tld`, name]))),
  });

  const { logger, events } = captureLog();
  const shown: string[][] = [];
  let hostname = "legacy";
  const store = new SnapshotStore("haproxy", stateLayout(join(dir, "state")), logger, 10, {
    environment: new Map(),
    self: { build: null, hostname },
    hostName: (): HostNameRead => ({ ok: true, name: hostname }),
    onRefused: (refused: readonly RefusedBackend[]) => shown.push(refused.map((entry) => entry.backend)),
  });
  let validations = 0;
  const validate = store.validate.bind(store);
  store.validate = (files) => {
    validations += 1;
    return validate(files);
  };
  const supervisor = {
    isSettled: () => true,
    settled: async () => true,
    oldWorkersSeen: () => MAX_OLD_WORKERS,
    oldWorkers: async () => MAX_OLD_WORKERS,
  };
  const options = {
    store,
    inputs: paths,
    logger,
    status: new ReloaderStatus(),
    supervisor,
    retryMs: 10,
    runtimeUpdates: true,
    slotsPerBlock: 10,
  } as unknown as ApplierOptions;
  const pass = new ApplierPass(options, () => undefined);
  const clashes = () =>
    events()
      .filter((entry) => entry["event"] === "inputs.section-clash")
      .map((entry) => (entry["backends"] as { section: string }[]).map((backend) => backend.section));

  const first = await pass.applyOnce(null);
  assert.ok("held" in first && first.held === true, JSON.stringify(first));
  assert.deepEqual([validations, shown.at(-1), clashes()], [1, ["legacy"], [["listen legacy"]]]);

  // Held again, the host name unchanged: the table is reused, not validated again.
  assert.ok("held" in (await pass.applyOnce(null)));
  assert.deepEqual([validations, shown.at(-1)], [1, ["legacy"]]);

  // Renamed shop while held: validated again, the stack shop left out and legacy routed.
  hostname = "shop";
  assert.ok("held" in (await pass.applyOnce(null)));
  assert.deepEqual(
    [validations, shown.at(-1), clashes()],
    [2, ["shop"], [["listen legacy"], ["listen shop"]]],
  );
  assert.ok("held" in (await pass.applyOnce(null)));
  assert.equal(validations, 2);
});
