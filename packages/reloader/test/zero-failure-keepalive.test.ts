// Zero failed requests across ≥ 100 reloads under concurrent load, with keep-alive clients: every answer must be
// a 200 from the expected backend (a correctness test: the failure count must be 0, whatever the speed).
import assert from "node:assert/strict";
import { test } from "node:test";
import { reloadUnderLoad, summary } from "./helpers/reload-under-load.ts";

test("100 reloads under load with keep-alive clients fail no request", async (t) => {
  const result = await reloadUnderLoad(t, { keepAlive: true, reloads: 100, hostBase: "127.0.1" });
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
