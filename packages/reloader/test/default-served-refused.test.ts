// docs/tls.md: a first start serves the metadata default certificate even when the certificate manager
// refuses it (expired, a chain out of order), as HAProxy needs one and the named certificates serve on;
// its skipped entry in /healthz says it is served. Before, /healthz listed the certificate HAProxy
// served as `skipped`, with nothing telling it was the one served (a skipped default otherwise means a
// refused new version, the one already in place kept). Real reloader and HAProxy, openssl certificates.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createHttpsFixture } from "./helpers/https-fixture.ts";
import { createTestCa, utc, type TestPair } from "./helpers/make-test-certificates.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";

/** how the skipped entry of a default certificate HAProxy serves all the same ends */
const SERVED = /; it is served all the same: HAProxy has no other default certificate$/;

// A first start with `pair` as the metadata default: the serial served without SNI, and /healthz's
// skipped entry for the default.
async function firstStart(
  t: { after: (fn: () => unknown) => void },
  host: string,
  pair: TestPair,
): Promise<{ serial: string; skipped: { name: string; reason: string } | undefined }> {
  const { fixture, server, httpsPort } = await createHttpsFixture(t, {
    host,
    metadata: { ssl_cert: pair.cert, ssl_key: pair.key },
    names: ["x.test"],
  });
  await fixture.start([], {
    ENABLE_SSL: "true",
    RANCHER_API_HOST: server.hostPort,
    CERT_POLL_INTERVAL: "0",
  });
  const statusUrl = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const health = (await (await fetch(`${statusUrl}/healthz`)).json()) as {
    certificates: { skipped: { name: string; reason: string }[] };
  };
  return {
    serial: (await tlsHandshake(httpsPort)).serial,
    skipped: health.certificates.skipped.find((entry) => entry.name === "default"),
  };
}

test("an expired metadata default served at a first start is listed as served all the same", async (t) => {
  const ca = createTestCa();
  t.after(() => ca.close());
  const day = 86_400_000;
  const expired = ca.issue(["default.test"], {
    start: utc(Date.now() - 10 * day),
    end: utc(Date.now() - day),
  });
  const started = await firstStart(t, "127.0.0.137", expired);
  assert.equal(started.serial, expired.serial, "HAProxy serves it");
  assert.match(started.skipped?.reason ?? "", /^the certificate expired on /);
  assert.match(started.skipped?.reason ?? "", SERVED);
});

test("a metadata default whose chain is out of order, served at a first start, is listed as served all the same", async (t) => {
  const ca = createTestCa();
  const other = createTestCa();
  t.after(() => (ca.close(), other.close()));
  const pair = ca.issue(["default.test"]);
  const disordered = { ...pair, cert: `${pair.cert}${other.caCert}` };
  const started = await firstStart(t, "127.0.0.138", disordered);
  assert.equal(started.serial, pair.serial, "HAProxy serves it");
  assert.match(started.skipped?.reason ?? "", /^chain order: certificate 2 is not issued by certificate 3/);
  assert.match(started.skipped?.reason ?? "", SERVED);
});
