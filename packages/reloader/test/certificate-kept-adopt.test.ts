// docs/tls.md "A refused new version keeps the served one", across a crash of the reloader (SIGKILL, the
// next one adopts the running master), for metadata `certs:` entries: an entry renewed wrong while no
// reloader ran (the new leaf with a key from another renewal) keeps the version the killed reloader served,
// and says so; an entry removed meanwhile is a removal. 6dc3e72 tested a directory certificate across a
// SIGTERM restart only. A real reloader and HAProxy on 127.0.0.1, certificates made by openssl.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { buildTree } from "../../test-support/src/metadata/index.ts";
import { createHttpsFixture } from "./helpers/https-fixture.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";
import { createTestCa } from "./helpers/make-test-certificates.ts";
import { KEPT_NOTE } from "../src/certs/model/keep-previous-certificates.ts";

// The serial of the leaf HAProxy sends for `servername` ("" when the handshake failed).
const servedSerial = async (port: number, servername: string): Promise<string> =>
  (await tlsHandshake(port, servername)).serial;

test("a certs: entry refused after a crash keeps the version the killed reloader served; a removed one goes", async (t) => {
  const ca = createTestCa();
  t.after(() => ca.close());
  const fallback = ca.issue(["default.test"]);
  const first = ca.issue(["m.test"]);
  const gone = ca.issue(["gone.test"]);
  const metadata = (certs: Record<string, { cert: string; key: string }>) => ({
    ssl_cert: fallback.cert,
    ssl_key: fallback.key,
    certs,
  });
  const { fixture, server, httpsPort } = await createHttpsFixture(t, {
    host: "127.0.0.136",
    names: ["m.test", "gone.test"],
    metadata: metadata({ m: first, gone }),
  });
  const env = { ENABLE_SSL: "true", RANCHER_API_HOST: server.hostPort, CERT_POLL_INTERVAL: "300ms" };
  const killed = await fixture.start([], env);
  assert.equal(await servedSerial(httpsPort, "m.test"), first.serial);
  assert.equal(await servedSerial(httpsPort, "gone.test"), gone.serial);

  // Killed (HAProxy runs on), the entry renewed wrong, the other removed, then a new reloader adopts.
  process.kill(killed.pid, "SIGKILL");
  await killed.exited;
  const renewed = ca.issue(["m.test"]);
  const other = ca.issue(["other.test"]);
  server.setTree(
    buildTree({ domainSelf: { metadata: metadata({ m: { cert: renewed.cert, key: other.key } }) } }),
  );
  const reloader = await fixture.start([], env);
  await reloader.waitForEvent("haproxy.adopted");
  const skipped = await waitFor(
    () =>
      reloader.logs.find((line) => line.event === "certs.skipped" && line["certificate"] === "metadata/m") ??
      null,
    { timeoutMs: 15_000, message: "the refused entry is skipped" },
  );
  assert.match(String(skipped["reason"]), new RegExp(`does not belong.*; ${KEPT_NOTE}$`));
  assert.equal(await servedSerial(httpsPort, "m.test"), first.serial, "the version served before the crash");
  // /config describes the kept version (its fingerprint) and the refusal, at this first pass.
  const statusUrl = String((await reloader.waitForEvent("status.listening"))["url"]);
  const config = (await (await fetch(`${statusUrl}/config?format=json`)).json()) as {
    certificates: {
      served: { name: string; fingerprint: string }[];
      skipped: { name: string; reason: string }[];
    };
  };
  const served = config.certificates.served.find((cert) => cert.name === "metadata/m");
  assert.equal(served?.fingerprint, new X509Certificate(first.leaf).fingerprint256);
  const refused = config.certificates.skipped.find((entry) => entry.name === "metadata/m");
  assert.ok(refused?.reason.endsWith(KEPT_NOTE), refused?.reason);
  await waitFor(async () => (await servedSerial(httpsPort, "gone.test")) === fallback.serial, {
    timeoutMs: 15_000,
    message: "the removed entry: the default certificate",
  });

  // Fixed: the renewal is served.
  server.setTree(buildTree({ domainSelf: { metadata: metadata({ m: renewed }) } }));
  await waitFor(async () => (await servedSerial(httpsPort, "m.test")) === renewed.serial, {
    timeoutMs: 15_000,
    message: "the fixed renewal is served",
  });
});
