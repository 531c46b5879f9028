// docs/tls.md, Expiry: the days left count to the first expiry in the chain, for the default certificate
// HAProxy loads too when no checked one was accepted (a kept HAPROXY_SSL_CERT copy, a previous default
// kept because the new one was refused). Before, that kept default was described by its leaf alone: once
// the mounted file broke, /config, /metrics and /healthz counted to the leaf, and the warning about its
// CA expiring within days went away while HAProxy still served that chain.
// A real reloader and HAProxy on 127.0.0.1.
import assert from "node:assert/strict";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { metricValue, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { createHttpsFixture } from "./helpers/https-fixture.ts";
import { createTestCa, utc } from "./helpers/make-test-certificates.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";

const DAY = 86_400_000;

interface Served {
  name: string;
  notAfter: string;
  chainNotAfter?: string;
  daysLeft: number;
}

test("a kept HAPROXY_SSL_CERT copy counts its days to its CA's expiry, as the checked one did", async (t) => {
  const start = Date.now() - 3_600_000;
  // The CA expires in 10 days, the leaf in 60: the chain has 10 days left, a /healthz warning.
  const ca = createTestCa({ start: utc(start), end: utc(start + 10 * DAY) });
  t.after(() => ca.close());
  const pair = ca.issue(["mounted.test"], { start: utc(start), end: utc(start + 60 * DAY) });
  const mountDir = await mkdtemp(join(tmpdir(), "rh-kept-default-"));
  t.after(() => rm(mountDir, { recursive: true, force: true }));
  const mounted = join(mountDir, "site.pem");
  const replace = async (text: string) => {
    await writeFile(`${mounted}.tmp`, text);
    await rename(`${mounted}.tmp`, mounted);
  };
  await replace(pair.cert + pair.key);
  const { fixture, server, httpsPort } = await createHttpsFixture(t, {
    host: "127.0.0.132",
    metadata: {},
    names: ["mounted.test"],
  });
  await fixture.start([], {
    ENABLE_SSL: "true",
    RANCHER_API_HOST: server.hostPort,
    HAPROXY_SSL_CERT: mounted,
    CERT_POLL_INTERVAL: "300ms",
  });
  const statusUrl = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const status = async () => {
    const config = (await (await fetch(`${statusUrl}/config?format=json`)).json()) as {
      certificates: { served: Served[] };
    };
    const health = (await (await fetch(`${statusUrl}/healthz`)).json()) as {
      certificates: { warnings: string[] };
    };
    const served = config.certificates.served.find((cert) => cert.name === "default");
    assert.ok(served, JSON.stringify(config.certificates));
    const metric = metricValue(await scrapeMetrics(statusUrl), "reloader_certificate_expiry_days", {
      name: "default",
    });
    return { served, warnings: health.certificates.warnings, metric };
  };
  const chainNotAfter = new Date(start + 10 * DAY).toISOString().replace(/\.\d+Z$/, ".000Z");
  const checked = await status();
  assert.equal(checked.served.chainNotAfter, chainNotAfter, JSON.stringify(checked));
  assert.ok(checked.served.daysLeft < 10, JSON.stringify(checked));

  // The mounted file breaks: the checked copy stays served (the same chain) ...
  const broken = fixture.reloader.logs.length;
  await replace("not a certificate\n");
  await fixture.reloader.waitForEvent("certs.skipped", {
    from: broken,
    match: (line) => line["certificate"] === "default",
  });
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
