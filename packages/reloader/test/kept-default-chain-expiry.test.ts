// docs/tls.md, Expiry: the days left count to the first expiry in the chain, for the default certificate
// HAProxy loads too when no checked one was accepted (a kept HAPROXY_SSL_CERT copy, a previous default
// kept because the new one was refused). Before, that kept default was described by its leaf alone: once
// the mounted file broke, /config, /metrics and /healthz counted to the leaf, and the warning about its
// CA expiring within days went away while HAProxy still served that chain.
// A real reloader and HAProxy on 127.0.0.1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createMountedDefaultFixture, describedDefault } from "./helpers/mounted-default-fixture.ts";
import { createTestCa, utc } from "./helpers/make-test-certificates.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";

const DAY = 86_400_000;

test("a kept HAPROXY_SSL_CERT copy counts its days to its CA's expiry, as the checked one did", async (t) => {
  const start = Date.now() - 3_600_000;
  // The CA expires in 10 days, the leaf in 60: the chain has 10 days left, a /healthz warning.
  const ca = createTestCa({ start: utc(start), end: utc(start + 10 * DAY) });
  t.after(() => ca.close());
  const pair = ca.issue(["mounted.test"], { start: utc(start), end: utc(start + 60 * DAY) });
  const { httpsPort, statusUrl, breakMounted } = await createMountedDefaultFixture(t, {
    host: "127.0.0.132",
    names: ["mounted.test"],
    prefix: "rh-kept-default-",
    pem: pair.cert + pair.key,
  });
  const status = async () => {
    const health = (await (await fetch(`${statusUrl}/healthz`)).json()) as {
      certificates: { warnings: string[] };
    };
    return { ...(await describedDefault(statusUrl)), warnings: health.certificates.warnings };
  };
  const chainNotAfter = new Date(start + 10 * DAY).toISOString().replace(/\.\d+Z$/, ".000Z");
  const checked = await status();
  assert.equal(checked.served.chainNotAfter, chainNotAfter, JSON.stringify(checked));
  assert.ok(checked.served.daysLeft < 10, JSON.stringify(checked));

  // The mounted file breaks: the checked copy stays served (the same chain) ...
  await breakMounted();
  assert.equal((await tlsHandshake(httpsPort, "mounted.test")).serial, pair.serial);
  // ... and is still counted to its CA's expiry, in /config, /metrics and /healthz.
  const kept = await status();
  assert.equal(kept.served.chainNotAfter, chainNotAfter, JSON.stringify(kept));
  assert.ok(kept.served.daysLeft < 10, JSON.stringify(kept));
  assert.ok(kept.metric !== undefined && kept.metric < 10, JSON.stringify(kept));
  assert.ok(
    kept.warnings.some((warning) =>
      /^certificate default expires in 9\.\d days \(a chain certificate/.test(warning),
    ),
    JSON.stringify(kept.warnings),
  );
});
