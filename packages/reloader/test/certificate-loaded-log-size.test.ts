// docs/observability.md: a certs.loaded line is bounded. It listed every served certificate with every
// name inside it: 200 certificates of 700 SANs (metadata `certs:` entries, well within their caps) made
// one line of megabytes, and 1 000 of them tens of megabytes; /config has the whole list.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { MetadataClient } from "@rancher-haproxy/core";
import { captureLog } from "./helpers/capture-log.ts";
import { createTestCa, type TestCa, type TestPair } from "./helpers/make-test-certificates.ts";
import { testCertificateManager } from "./helpers/test-certificate-manager.ts";

let ca: TestCa;
let pair: TestPair;
const SANS = 700;
before(() => {
  ca = createTestCa();
  const names = Array.from(
    { length: SANS },
    (_, i) => `host-${String(i).padStart(4, "0")}.a-long-zone.example.test`,
  );
  pair = ca.issue(names);
});
after(() => ca.close());

/** a log line this long is cut by Docker's log driver (16 KiB) and refused by many collectors */
const MAX_LINE = 16 * 1024;

test("certs.loaded stays one bounded line with 200 certificates of 700 names each; /config lists them all", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-loaded-size-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { logger, lines } = captureLog();
  const certs = Object.fromEntries(
    Array.from({ length: 200 }, (_, i) => [
      `site${String(i).padStart(3, "0")}`,
      { cert: pair.cert, key: pair.key },
    ]),
  );
  const client = { getJson: async () => ({ certs }) } as unknown as MetadataClient;
  const manager = testCertificateManager(dir, client, logger);
  await manager.prepare();
  await manager.close();

  const line = lines().find((text) => text.includes('"certs.loaded"'));
  assert.ok(line, lines().join("\n").slice(0, 2000));
  const bytes = Buffer.byteLength(line);
  assert.ok(bytes <= MAX_LINE, `certs.loaded is ${bytes} bytes`);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(parsed["count"], 200);
  const sample = parsed["certificates"] as { name: string; names: string[]; nameCount: number }[];
  assert.ok(sample.length > 0 && sample.length < 200, `a sample: ${sample.length}`);
  assert.equal(sample[0]?.name, "metadata/site000");
  assert.equal(sample[0]?.nameCount, SANS, "the CN is also the first SAN: counted once");
  assert.ok((sample[0]?.names.length ?? 0) < SANS);
  // The whole list stays in the snapshot /config shows.
  const served = manager.snapshot().served;
  assert.equal(served.length, 200);
  assert.equal(served[0]?.names.length, SANS);
});
