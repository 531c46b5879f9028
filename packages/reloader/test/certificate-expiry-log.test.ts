// docs/tls.md: a served certificate under 14 days is a /healthz warning and a `certs.expiring` log line,
// also when it crosses the threshold while nothing else changes (the certificate manager's passes), and
// when a chain certificate expires before the leaf, counted to that date.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { MetadataClient } from "@rancher-haproxy/core";
import { CertificateManager, type CertificateSupervisor } from "../src/certs/certificate-manager.ts";
import { certificatePaths } from "../src/certs/render/render-crt-list.ts";
import { captureLog } from "./helpers/capture-log.ts";
import { createTestCa, utc, type TestCa, type TestPair } from "./helpers/make-test-certificates.ts";
import { testCertificateManager } from "./helpers/test-certificate-manager.ts";

let ca: TestCa;
let pair: TestPair;
before(() => {
  ca = createTestCa();
  pair = ca.issue(["a.test"]); // valid for 20 days
});
after(() => ca.close());

const DAY = 86_400_000;

// A running HAProxy nothing is applied to: the certificates stay the same, only the clock moves.
const supervisor = {
  isRunning: () => true,
  exclusive: (task: () => Promise<unknown>) => task(),
  reload: () => Promise.reject(new Error("nothing changes: no reload")),
} as unknown as CertificateSupervisor;

test("a certificate that comes within 14 days of its expiry while served is logged as certs.expiring once", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-expiry-log-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { logger, events } = captureLog();
  const client = {
    getJson: async () => ({ certs: { a: { cert: pair.cert, key: pair.key } } }),
  } as unknown as MetadataClient;
  let now = Date.now();
  const manager = testCertificateManager(dir, client, logger, () => now);
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

test("a chain certificate expiring before the leaf is what the expiry warning counts to", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-expiry-chain-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { logger, events } = captureLog();
  // The test CA is valid 30 days; this leaf 60: from day 30 the chain is refused ("chain certificate 2
  // expired"), so a renewal signed the same way is no longer served.
  const start = Date.now() - 3_600_000;
  const long = ca.issue(["b.test"], { start: utc(start), end: utc(start + 60 * DAY) });
  const client = {
    getJson: async () => ({ certs: { b: { cert: long.cert, key: long.key } } }),
  } as unknown as MetadataClient;
  let now = Date.now();
  const manager = testCertificateManager(dir, client, logger, () => now);
  const expiring = () => events().filter((line) => line["event"] === "certs.expiring");

  await manager.prepare();
  const first = manager.snapshot().served.find((cert) => cert.name === "metadata/b");
  assert.ok(first, JSON.stringify(manager.snapshot()));
  assert.ok(first.daysLeft < 31 && first.daysLeft > 28, `counted to the CA's expiry: ${first.daysLeft}`);
  assert.equal(first.chainNotAfter, new Date(new X509Certificate(ca.caCert).validTo).toISOString());
  assert.deepEqual(expiring(), []);

  now += 20 * DAY; // the leaf has 40 days left, its chain about 10
  await manager.sync(supervisor);
  assert.equal(expiring().length, 1, JSON.stringify(events().map((line) => line["event"])));
  assert.match(
    String(expiring()[0]?.["warning"]),
    /metadata\/b expires in \d\.\d days \(a chain certificate, /,
  );
  await manager.close();
});

test("HAPROXY_SSL_CERT's chain expiring before its leaf is what the default certificate's warning counts to", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-expiry-mounted-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { logger, events } = captureLog();
  // Checked as HAProxy loads it (only the leaf's dates), so the chain is not refused once the CA has
  // expired: HAProxy serves the expired CA certificate then, and clients refuse the chain.
  const start = Date.now() - 3_600_000;
  const long = ca.issue(["mounted.test"], { start: utc(start), end: utc(start + 60 * DAY) });
  const mounted = join(dir, "mounted.pem");
  await writeFile(mounted, `${long.cert}${long.key}`);
  const client = { getJson: async () => ({}) } as unknown as MetadataClient;
  let now = Date.now();
  const manager = new CertificateManager({
    ssl: {
      enabled: true,
      port: 443,
      certPath: join(dir, "server.pem"),
      certFile: mounted,
      base64Encoded: false,
      redirect: null,
      certDir: null,
      strictSni: false,
      pollIntervalMs: 0,
      names: { enabled: "ENABLE_SSL=true", certFile: "HAPROXY_SSL_CERT" },
    },
    paths: certificatePaths(dir),
    masterSocket: join(dir, "no.sock"),
    client,
    logger,
    manageDefault: false,
    now: () => now,
  });
  const expiring = () => events().filter((line) => line["event"] === "certs.expiring");

  await manager.prepare();
  const first = manager.snapshot().served.find((cert) => cert.name === "default");
  assert.ok(first, JSON.stringify(manager.snapshot()));
  assert.ok(first.daysLeft < 31 && first.daysLeft > 28, `counted to the CA's expiry: ${first.daysLeft}`);
  assert.equal(first.chainNotAfter, new Date(new X509Certificate(ca.caCert).validTo).toISOString());

  now += 20 * DAY; // the leaf has 40 days left, its chain about 10
  await manager.sync(supervisor);
  assert.equal(expiring().length, 1, JSON.stringify(events().map((line) => line["event"])));
  assert.match(String(expiring()[0]?.["warning"]), /default expires in \d\.\d days \(a chain certificate, /);
  await manager.close();
});
