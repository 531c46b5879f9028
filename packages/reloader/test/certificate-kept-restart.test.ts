// docs/tls.md "A refused new version keeps the served one", across a restart of the reloader: a site
// whose certificate file was renewed wrong (the new leaf with a key from another renewal) while the
// reloader was stopped with SIGTERM and started again (a container restart) keeps the version the first
// reloader served. Before, the new reloader's first pass had no previous version, so the site fell back to
// the default certificate until the file was fixed (found by bench/probes/soak-tls.mjs). A source removed
// meanwhile is still a removal. A real reloader and HAProxy on 127.0.0.1, certificates made by openssl.
import assert from "node:assert/strict";
import { unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { createCertDirFixture } from "./helpers/https-fixture.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";
import { MAX_CERTIFICATE_TEXT } from "../src/certs/model/check-certificate.ts";
import { KEPT_NOTE } from "../src/certs/model/keep-previous-certificates.ts";

// The serial of the leaf HAProxy sends for `servername` ("" when the handshake failed).
const servedSerial = async (port: number, servername: string): Promise<string> =>
  (await tlsHandshake(port, servername)).serial;

test("a certificate file refused at a restart keeps the version the stopped reloader served; a removed one goes", async (t) => {
  const { ca, fallback, fixture, httpsPort, certDir, start } = await createCertDirFixture(t, {
    host: "127.0.0.135",
    names: ["k.test", "gone.test"],
  });
  const first = ca.issue(["k.test"]);
  const gone = ca.issue(["gone.test"]);
  await writeFile(join(certDir, "k.pem"), first.cert + first.key);
  await writeFile(join(certDir, "gone.pem"), gone.cert + gone.key);
  await start();
  assert.equal(await servedSerial(httpsPort, "k.test"), first.serial);
  assert.equal(await servedSerial(httpsPort, "gone.test"), gone.serial);

  // Stopped (HAProxy with it), the file renewed wrong, the other removed, then started again.
  const stopped = await fixture.reloader.stop({ timeoutMs: 20_000 });
  assert.equal(stopped.code, 0);
  const renewed = ca.issue(["k.test"]);
  const other = ca.issue(["other.test"]);
  await writeFile(join(certDir, "k.pem"), renewed.cert + other.key);
  await unlink(join(certDir, "gone.pem"));
  const reloader = await start();
  const skipped = await waitFor(
    () =>
      reloader.logs.find((line) => line.event === "certs.skipped" && line["certificate"] === "dir/k") ?? null,
    { timeoutMs: 15_000, message: "the refused renewal is skipped" },
  );
  assert.match(String(skipped["reason"]), new RegExp(`does not belong.*; ${KEPT_NOTE}$`));
  assert.equal(
    await servedSerial(httpsPort, "k.test"),
    first.serial,
    "the version served before the restart",
  );
  assert.equal(await servedSerial(httpsPort, "gone.test"), fallback.serial, "removed: the default");

  // Fixed: the renewal is served.
  await writeFile(join(certDir, "k.pem"), renewed.cert + renewed.key);
  await waitFor(async () => (await servedSerial(httpsPort, "k.test")) === renewed.serial, {
    timeoutMs: 15_000,
    message: "the fixed renewal is served",
  });
});

// The written file is the chain and the key in one PEM, each of which the source check takes up to
// MAX_CERTIFICATE_TEXT characters; the first pass checked that file as one text under the same cap, so a
// certificate served with its chain and key over 64 K characters together (a leaf with many names) was
// refused there and its site fell back to the default certificate at a restart.
test("a certificate whose chain and key are over 64 K characters together is kept across a restart too", async (t) => {
  const { ca, fixture, httpsPort, certDir, start } = await createCertDirFixture(t, {
    host: "127.0.0.136",
    names: ["large.test"],
  });
  const aliases = Array.from({ length: 1670 }, (_, i) => `name-${i}.large-alias.test`);
  const large = ca.issue(["large.test", ...aliases], undefined, { rsaBits: 4096 });
  // The premise: the source passes (each text within the cap), the written file is over it.
  assert.ok(large.cert.length <= MAX_CERTIFICATE_TEXT && large.key.length <= MAX_CERTIFICATE_TEXT);
  assert.ok(large.cert.length + large.key.length > MAX_CERTIFICATE_TEXT);
  await writeFile(join(certDir, "large.crt"), large.cert);
  await writeFile(join(certDir, "large.key"), large.key);
  await start();
  assert.equal(await servedSerial(httpsPort, "large.test"), large.serial);

  // Stopped, its key replaced by another one, then started again.
  const stopped = await fixture.reloader.stop({ timeoutMs: 20_000 });
  assert.equal(stopped.code, 0);
  await writeFile(join(certDir, "large.key"), ca.issue(["other.test"]).key);
  const reloader = await start();
  const skipped = await waitFor(
    () =>
      reloader.logs.find((line) => line.event === "certs.skipped" && line["certificate"] === "dir/large") ??
      null,
    { timeoutMs: 15_000, message: "the refused key is skipped" },
  );
  assert.match(String(skipped["reason"]), new RegExp(`does not belong.*; ${KEPT_NOTE}$`));
  assert.equal(
    await servedSerial(httpsPort, "large.test"),
    large.serial,
    "the version served before the restart",
  );
});
