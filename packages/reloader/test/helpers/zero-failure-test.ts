// The zero-failure test, one per client kind (each in its own file, so the two run in parallel):
// ≥ 100 confirmed reloads under concurrent load, and every answer a 200 from the expected backend.
import assert from "node:assert/strict";
import { test } from "node:test";
import { reloadUnderLoad, summary } from "./reload-under-load.ts";

// Registers the test; `hostBase` keeps the files' backend addresses apart.
export function zeroFailureTest(options: { clients: string; keepAlive: boolean; hostBase: string }): void {
  test(`100 reloads under load with ${options.clients} clients fail no request`, async (t) => {
    const result = await reloadUnderLoad(t, {
      keepAlive: options.keepAlive,
      reloads: 100,
      hostBase: options.hostBase,
    });
    t.diagnostic(
      `${result.load.sent} requests (${result.load.requestsPerSecond}/s), ${result.load.failed} failed, ` +
        `${result.reloads} reloads; reload ${summary(result.reloadMs)}; check ${summary(result.checkMs)}`,
    );
    assert.ok(result.reloads >= 100, `${result.reloads} confirmed reloads`);
    assert.equal(new Set(result.workerPids).size, result.reloads, "every reload started a new worker");
    assert.ok(result.load.sent >= 1000, `enough load (${result.load.sent} requests)`);
    assert.deepEqual(result.load.failureKinds, {});
    assert.deepEqual(result.load.failures, []);
    assert.equal(result.load.failed, 0);
    assert.equal(result.load.ok, result.load.sent);
  });
}
