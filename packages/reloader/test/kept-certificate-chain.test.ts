// docs/tls.md: a served certificate whose chain (an intermediate, the CA) expires is refused from then
// on and dropped at the next pass, like one whose leaf expires: an expired previous version is not kept.
// Before, "kept while valid" looked at the leaf alone, so a certificate whose CA had expired stayed
// served (clients refuse the chain) until its leaf expired, with negative days left in /config.
// A real reloader and HAProxy on 127.0.0.1, a CA made once they run that expires seconds later.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { createCertDirFixture } from "./helpers/https-fixture.ts";
import { createTestCa, utc } from "./helpers/make-test-certificates.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";

/** how long after it is made the short CA expires: time enough for a pass to load its certificate */
const CA_LIFETIME_MS = 12_000;

test("a served directory certificate whose CA expires is dropped, not kept because its leaf is still valid", async (t) => {
  const { fallback, fixture, httpsPort, certDir, start } = await createCertDirFixture(t, {
    host: "127.0.0.131",
    names: ["k.test"],
  });
  await start();
  const statusUrl = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  // The CA is made now, not before the start: a loaded machine's start does not eat its lifetime.
  const short = createTestCa({ start: utc(Date.now() - 3_600_000), end: utc(Date.now() + CA_LIFETIME_MS) });
  t.after(() => short.close());
  const leaf = short.issue(["k.test"]); // valid 20 days, its CA seconds
  await writeFile(join(certDir, "k.pem"), leaf.cert + leaf.key);
  const served = async () => (await tlsHandshake(httpsPort, "k.test")).serial;
  await waitFor(async () => (await served()) === leaf.serial, {
    timeoutMs: CA_LIFETIME_MS,
    message: "k.test served its own certificate while its CA is valid",
  });

  // The CA expires: the next pass refuses the chain ...
  await fixture.reloader.waitForEvent("certs.skipped", {
    timeoutMs: CA_LIFETIME_MS + 15_000,
    match: (line) =>
      line["certificate"] === "dir/k" && /chain certificate 2 expired/.test(String(line["reason"])),
  });
  // ... and drops the certificate: k.test gets the default one.
  await waitFor(async () => (await served()) === fallback.serial, {
    timeoutMs: 15_000,
    message: "k.test served the default certificate once its CA expired",
  });
  const config = (await (await fetch(`${statusUrl}/config?format=json`)).json()) as {
    certificates: {
      served: { name: string; daysLeft: number }[];
      skipped: { name: string; reason: string }[];
    };
  };
  assert.deepEqual(
    config.certificates.served.map((cert) => cert.name),
    ["default"],
    JSON.stringify(config.certificates),
  );
  const skipped = config.certificates.skipped.find((entry) => entry.name === "dir/k");
  assert.ok(skipped && !skipped.reason.includes("previous version"), JSON.stringify(skipped));
});
