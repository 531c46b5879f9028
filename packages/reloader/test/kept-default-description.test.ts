// docs/tls.md, Expiry: the default certificate HAProxy loads is in /config, /metrics and /healthz even
// when no checked one was accepted, described from its PEM (loaded-default-leaf.ts, which keeps the last
// description by the PEM's digest so a snapshot does not parse it again). That description follows the
// file HAProxy loads: after a renewal went live and the next edit broke the mounted file, status describes
// the renewal HAProxy still serves, not the certificate the reloader started with. Before this test, no test
// failed when the kept description was never made again (found by a review of 302aaa6, which moved it).
// A real reloader and HAProxy on 127.0.0.1.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { test } from "node:test";
import { createMountedDefaultFixture, describedDefault } from "./helpers/mounted-default-fixture.ts";
import { createTestCa, utc, type TestPair } from "./helpers/make-test-certificates.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";

const DAY = 86_400_000;

test("a kept default certificate is described as the renewal HAProxy serves, not as the one it replaced", async (t) => {
  const start = Date.now() - 3_600_000;
  const ca = createTestCa();
  t.after(() => ca.close());
  // Two leafs told apart by their names, fingerprints and days left (20 and 25).
  const first = ca.issue(["first.test"], { start: utc(start), end: utc(Date.now() + 20 * DAY) });
  const renewal = ca.issue(["renewal.test"], { start: utc(start), end: utc(Date.now() + 25 * DAY) });
  const { fixture, httpsPort, mounted, statusUrl, breakMounted } = await createMountedDefaultFixture(t, {
    host: "127.0.0.141",
    names: ["first.test", "renewal.test"],
    prefix: "rh-default-description-",
    pem: first.cert + first.key,
  });
  // That it is `pair`, issued for `name`: its names, its leaf's fingerprint, and its days left within
  // a day (status gives it to a tenth, rounded down).
  const assertDescribes = async (pair: TestPair, name: string, days: number) => {
    // The default certificate as /config and /metrics describe it.
    const { served, metric } = await describedDefault(statusUrl);
    const seen = { names: served.names, fingerprint: served.fingerprint, days: metric };
    const what = JSON.stringify(seen);
    assert.deepEqual(seen.names, [name], what);
    assert.equal(seen.fingerprint, new X509Certificate(pair.leaf).fingerprint256, what);
    assert.ok(seen.days !== undefined && seen.days > days - 1 && seen.days <= days, what);
  };
  await assertDescribes(first, "first.test", 20);

  // The renewal passes the checks and goes live at runtime ...
  const renewed = fixture.reloader.logs.length;
  await mounted.replace(renewal.cert + renewal.key);
  await fixture.reloader.waitForEvent("certs.updated", { from: renewed });
  assert.equal((await tlsHandshake(httpsPort)).serial, renewal.serial);
  await assertDescribes(renewal, "renewal.test", 25);

  // ... then the mounted file breaks: no checked default is accepted, HAProxy keeps serving the renewal,
  // and the unchecked description of what it loads is the renewal's.
  await breakMounted();
  assert.equal((await tlsHandshake(httpsPort)).serial, renewal.serial);
  await assertDescribes(renewal, "renewal.test", 25);
});
