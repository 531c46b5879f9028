// Zero failed requests across ≥ 100 reloads under concurrent load, with keep-alive clients and with
// Connection: close clients: every answer must be a 200 from the expected backend (a correctness test:
// the failure count must be 0, whatever the speed). Both loads, 16 clients each, run at once through one
// reloader and its 100 reloads, so every reload meets both kinds of client; one test per kind judges its
// load. (They were two files, each with its own HAProxy and 100 reloads: ≈ 45 s of CPU each.)
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { LoadResult } from "../../test-support/src/load/index.ts";
import { Cleanup } from "./helpers/fixture.ts";
import { reloadUnderLoad, summary, type ReloadUnderLoadResult } from "./helpers/reload-under-load.ts";

const cleanup = new Cleanup();
after(() => cleanup.run());
let result: ReloadUnderLoadResult;
before(async () => {
  result = await reloadUnderLoad(cleanup.add, { reloads: 100, hostBase: "127.0.1" });
});

for (const [clients, load] of [
  ["keep-alive", () => result.keepAlive],
  ["Connection: close", () => result.close],
] as const)
  test(`100 reloads under load with ${clients} clients fail no request`, (t) => {
    const clientLoad: LoadResult = load();
    t.diagnostic(
      `${clientLoad.sent} requests (${clientLoad.requestsPerSecond}/s), ${clientLoad.failed} failed, ` +
        `${result.reloads} reloads; reload ${summary(result.reloadMs)}; check ${summary(result.checkMs)}`,
    );
    assert.ok(result.reloads >= 100, `${result.reloads} confirmed reloads`);
    assert.equal(new Set(result.workerPids).size, result.reloads, "every reload started a new worker");
    assert.ok(clientLoad.sent >= 1000, `enough load (${clientLoad.sent} requests)`);
    assert.deepEqual(clientLoad.failureKinds, {});
    assert.deepEqual(clientLoad.failures, []);
    assert.equal(clientLoad.failed, 0);
    assert.equal(clientLoad.ok, clientLoad.sent);
  });
