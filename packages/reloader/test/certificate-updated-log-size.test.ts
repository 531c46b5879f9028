// docs/observability.md: a certs.updated line is bounded. It named every added, changed and removed file:
// 1 000 new `certs:` entries with long names (both within their caps) made one line of over 100 KB,
// which Docker's log driver splits (at 16 KiB) and collectors then cannot parse.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { MetadataClient } from "@rancher-haproxy/core";
import { captureLog } from "./helpers/capture-log.ts";
import type { CertificateSupervisor } from "../src/certs/certificate-manager.ts";
import { createTestCa, type TestCa, type TestPair } from "./helpers/make-test-certificates.ts";
import { testCertificateManager } from "./helpers/test-certificate-manager.ts";

let ca: TestCa;
let pair: TestPair;
before(() => {
  ca = createTestCa();
  pair = ca.issue(["a.test"]);
});
after(() => ca.close());

/** a log line this long is cut by Docker's log driver (16 KiB) and refused by many collectors */
const MAX_LINE = 16 * 1024;

test("certs.updated stays one bounded line when 1 000 certificates with 100-character names come at once", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-updated-size-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { logger, lines } = captureLog();
  let certs: Record<string, { cert: string; key: string }> = {};
  const client = { getJson: async () => ({ certs }) } as unknown as MetadataClient;
  const manager = testCertificateManager(dir, client, logger);
  await manager.prepare();
  const name = (i: number) => `site-${String(i).padStart(4, "0")}-${"x".repeat(90)}`;
  certs = Object.fromEntries(
    Array.from({ length: 1000 }, (_, i) => [name(i), { cert: pair.cert, key: pair.key }]),
  );
  // HAProxy down: the files are written, the line says so (mode "files").
  const supervisor = {
    isRunning: () => false,
    exclusive: (task: () => Promise<unknown>) => task(),
    reload: () => Promise.reject(new Error("no reload while HAProxy is down")),
  } as unknown as CertificateSupervisor;
  await manager.sync(supervisor);
  await manager.close();

  const line = lines().find((text) => text.includes('"certs.updated"'));
  assert.ok(
    line,
    lines()
      .map((text) => text.slice(0, 200))
      .join("\n"),
  );
  const bytes = Buffer.byteLength(line);
  assert.ok(bytes <= MAX_LINE, `certs.updated is ${bytes} bytes`);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(parsed["mode"], "files");
  assert.equal(parsed["addedCount"], 1000);
  const added = parsed["added"] as string[];
  assert.ok(added.length > 0 && added.length < 1000, `a sample: ${added.length}`);
  assert.equal(added[0], `meta-${name(0)}.pem`);
  assert.equal(manager.snapshot().served.length, 1000);
});
