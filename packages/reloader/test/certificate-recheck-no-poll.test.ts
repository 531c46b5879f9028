// docs/tls.md: when `haproxy -c` cannot give a verdict on new certificates (timed out, killed by a
// signal), they wait and are checked again, also with CERT_POLL_INTERVAL=0. Before, that setting
// meant no pass after the start, so a certificate whose check was killed once stayed skipped ("HAProxy
// could not check it") until the reloader was restarted. A script stands in for haproxy: while a flag
// file exists, each certificate check (the scratch config of verify-with-haproxy.ts) is killed; every
// other run is the real HAProxy.
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { createHttpsFixture } from "./helpers/https-fixture.ts";
import { createTestCa } from "./helpers/make-test-certificates.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";
import { wrapCertificateChecks } from "./helpers/certificate-check-wrapper.ts";

test("CERT_POLL_INTERVAL=0: a certificate whose haproxy -c check was killed is checked again and served", async (t) => {
  const ca = createTestCa();
  t.after(() => ca.close());
  const fallback = ca.issue(["default.test"]);
  const site = ca.issue(["shop.test"]);
  const { fixture, server, httpsPort } = await createHttpsFixture(t, {
    host: "127.0.0.135",
    metadata: {
      ssl_cert: fallback.cert,
      ssl_key: fallback.key,
      certs: { shop: { cert: site.cert, key: site.key } },
    },
    names: ["shop.test"],
  });
  const flag = join(fixture.dir, "kill-certificate-checks");
  await writeFile(flag, "");
  const bin = await wrapCertificateChecks(
    join(fixture.dir, "flaky-haproxy"),
    `[ -e ${flag} ] && kill -KILL $$`,
  );
  await fixture.start(["--haproxy-bin", bin], {
    ENABLE_SSL: "true",
    RANCHER_API_HOST: server.hostPort,
    CERT_POLL_INTERVAL: "0",
  });
  const statusUrl = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const skipped = fixture.reloader.logs.find(
    (line) => line["event"] === "certs.skipped" && line["certificate"] === "metadata/shop",
  );
  assert.match(String(skipped?.["reason"]), /^HAProxy could not check it \(.*killed by SIGKILL/);
  assert.equal((await tlsHandshake(httpsPort, "shop.test")).serial, fallback.serial, "not served unchecked");

  // The transient failure is over: the certificate is checked and served without a restart.
  await rm(flag);
  await waitFor(async () => (await tlsHandshake(httpsPort, "shop.test")).serial === site.serial, {
    timeoutMs: 30_000,
    message: "shop.test served its own certificate once haproxy -c could check it",
  });
  const health = (await (await fetch(`${statusUrl}/healthz`)).json()) as {
    certificates: { skipped: unknown[] };
  };
  assert.deepEqual(health.certificates.skipped, []);
});
