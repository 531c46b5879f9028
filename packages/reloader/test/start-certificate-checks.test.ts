// docs/tls.md: each new certificate (by content) is loaded once by `haproxy -c` before it may reach the
// files HAProxy loads. Before, the start loaded the default certificate twice: once to check
// HAPROXY_SSL_CERT (or the one built from metadata), once more in the certificate manager's first pass,
// each a `haproxy -c` (0.26 s quiet, seconds on a loaded host) before HAProxy could start. A script stands
// in for haproxy and notes each check of certificates (the scratch config of verify-with-haproxy.ts).
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createHttpsFixture } from "./helpers/https-fixture.ts";
import { createTestCa, type TestCa, type TestPair } from "./helpers/make-test-certificates.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";
import { wrapCertificateChecks } from "./helpers/certificate-check-wrapper.ts";

let ca: TestCa;
let pair: TestPair;
before(() => {
  ca = createTestCa();
  pair = ca.issue(["default.test"]);
});
after(() => ca.close());

// A reloader with ENABLE_SSL and `env`, the stand-in metadata holding `metadata`; how many certificate
// checks ran until it was ready, and what it serves without SNI.
async function startCounting(
  t: { after: (fn: () => unknown) => void },
  metadata: Record<string, unknown>,
  env: Record<string, string>,
): Promise<{ checks: number; serial: string }> {
  const { fixture, server, httpsPort } = await createHttpsFixture(t, {
    host: "127.0.0.133",
    metadata,
    names: ["default.test"],
  });
  const noted = join(fixture.dir, "certificate-checks");
  await writeFile(noted, "");
  const bin = await wrapCertificateChecks(join(fixture.dir, "counting-haproxy"), `echo check >> ${noted}`);
  await fixture.start(["--haproxy-bin", bin], {
    ENABLE_SSL: "true",
    RANCHER_API_HOST: server.hostPort,
    CERT_POLL_INTERVAL: "0",
    ...env,
  });
  const checks = (await readFile(noted, "utf8")).split("\n").filter((line) => line === "check").length;
  return { checks, serial: (await tlsHandshake(httpsPort)).serial };
}

test("a mounted HAPROXY_SSL_CERT is loaded by one haproxy -c at start, not two", async (t) => {
  const mountDir = await mkdtemp(join(tmpdir(), "rh-start-checks-"));
  t.after(() => rm(mountDir, { recursive: true, force: true }));
  const mounted = join(mountDir, "site.pem");
  // As certbot and most tools write it: the key first, blank lines between the blocks.
  await writeFile(mounted, `${pair.key}\n${pair.cert.replace("-----\n-----", "-----\n\n-----")}`);
  const started = await startCounting(t, {}, { HAPROXY_SSL_CERT: mounted });
  assert.equal(started.serial, pair.serial);
  assert.equal(started.checks, 1);
});

test("a default certificate built from metadata is loaded by one haproxy -c at start, not two", async (t) => {
  const started = await startCounting(t, { ssl_cert: pair.cert, ssl_key: pair.key }, {});
  assert.equal(started.serial, pair.serial);
  assert.equal(started.checks, 1);
});
