// docs/tls.md: a served certificate under 14 days is a /healthz warning and a `certs.expiring` log line,
// also when it crosses the threshold while nothing else changes (the certificate manager's passes).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { MetadataClient } from "@rancher-haproxy/core";
import type { CertificateSupervisor } from "../src/certs/certificate-manager.ts";
import { captureLog } from "./helpers/capture-log.ts";
import { createTestCa, type TestCa, type TestPair } from "./helpers/make-test-certificates.ts";
import { testCertificateManager } from "./helpers/test-certificate-manager.ts";

let ca: TestCa;
let pair: TestPair;
before(() => {
  ca = createTestCa();
  pair = ca.issue(["a.test"]); // valid for 20 days
});
after(() => ca.close());

const DAY = 86_400_000;

test("a certificate that comes within 14 days of its expiry while served is logged as certs.expiring once", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-expiry-log-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { logger, events } = captureLog();
  const client = {
    getJson: async () => ({ certs: { a: { cert: pair.cert, key: pair.key } } }),
  } as unknown as MetadataClient;
  let now = Date.now();
  const manager = testCertificateManager(dir, client, logger, () => now);
  const supervisor = {
    isRunning: () => true,
    exclusive: (task: () => Promise<unknown>) => task(),
    reload: () => Promise.reject(new Error("nothing changes: no reload")),
  } as unknown as CertificateSupervisor;
  const expiring = () => events().filter((line) => line["event"] === "certs.expiring");

  await manager.prepare();
  assert.deepEqual(expiring(), [], "20 days left: no warning");

  now += 10 * DAY; // 10 days left, same certificate, same sources
  await manager.sync(supervisor);
  assert.match(manager.snapshot().warnings.join("\n"), /certificate metadata\/a expires in/);
  assert.equal(expiring().length, 1, JSON.stringify(events().map((line) => line["event"])));
  assert.match(String(expiring()[0]?.["warning"]), /metadata\/a expires in 9\.\d days/);

  now += DAY / 2;
  await manager.sync(supervisor);
  assert.equal(expiring().length, 1, "not logged again at every pass");
  await manager.close();
});
