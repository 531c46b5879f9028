// The stale-map report judges the pair as generate-maps wrote it, not the table the contract check hands
// the applier after leaving out the backends a --config section names (backend-clashes.ts). Two services
// of stack shop ask for /api: generate-maps declares shop.api and shop.web and writes one line, to
// shop.api. With a section `backend shop.api` in the base config, the filtered table kept shop.web and
// no line: the report named shop (a stale map) though the map is generate-maps' own, and the clash has
// its own report (inputs.section-clash). The real store, its parser and clash filter; no HAProxy runs.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends } from "../../test-support/src/haproxy/index.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import { hashInputs } from "../src/sources/read-inputs.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { parsedOfValidation } from "../src/watch/parsed-inputs.ts";
import { reportStaleMap } from "../src/watch/report-stale-map.ts";
import { cappedHaproxy } from "./helpers/capped-haproxy.ts";
import { captureLog } from "./helpers/capture-log.ts";
import { QUIET_BASE_LINES } from "./helpers/quiet-base-lines.ts";

const server = { address: "127.0.0.1:8081" };

test("a backend a --config section names is left out of the applier's table, not out of the stale-map check", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-stale-map-clash-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { logger } = captureLog();
  const store = new SnapshotStore(await cappedHaproxy(dir), stateLayout(join(dir, "state")), logger, 10);
  await store.open();
  const base = Buffer.from([...QUIET_BASE_LINES, "backend shop.api", "    mode http", ""].join("\n"));
  const backends = Buffer.from(
    renderTestBackends([
      { name: "shop.api", servers: [server] },
      { name: "shop.web", servers: [server] },
    ]),
  );
  const map = Buffer.from("shop.dev.tld/api shop.api\n");
  const files = { base, backends, map, hash: hashInputs(base, backends, map) };
  const validated = store.validate(files);
  assert.ok(validated.ok, "the pair keeps the contract");
  assert.deepEqual(
    validated.table.backends.map((backend) => backend.name),
    ["shop.web"],
    "the applier's table leaves shop.api out",
  );
  const parsed = parsedOfValidation(files, validated, { base: "", backends: "", map: "" });
  const log = captureLog();
  let clock = 7_000_000;
  const report = reportStaleMap(
    () => parsed,
    "/data/domain.map",
    new ReloaderStatus(),
    log.logger,
    0,
    () => clock,
  );
  for (const _check of [1, 2, 3]) {
    clock += 10_000;
    await report.check();
  }
  assert.deepEqual(
    log.events().map((line) => line["event"]),
    [],
    "generate-maps' own pair is no stale map",
  );
});
