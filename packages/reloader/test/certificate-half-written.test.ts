// docs/tls.md: a certificate file caught half written is refused and its served version kept, never
// served with a broken chain. Before, a PEM read while it was being written with the key first (as
// `cat key leaf chain > site.pem` or any buffered writer leaves it) parsed as the key and the leaf: the
// intermediate's block, cut before its END line, was ignored, and the leaf went live without its chain
// until the next poll. A real reloader and HAProxy on 127.0.0.1, certificates made by openssl.
import assert from "node:assert/strict";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { connect, type DetailedPeerCertificate } from "node:tls";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { createCertDirFixture } from "./helpers/https-fixture.ts";

// The serials of the chain HAProxy sends for `servername`, leaf first.
function servedChain(port: number, servername: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false });
    socket.once("secureConnect", () => {
      const serials: string[] = [];
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<DetailedPeerCertificate>();
      while (cert?.serialNumber && !seen.has(cert)) {
        seen.add(cert);
        serials.push(cert.serialNumber.toUpperCase());
        cert = cert.issuerCertificate;
      }
      socket.end();
      resolve(serials);
    });
    socket.once("error", reject);
  });
}

test("a key-first PEM read between its leaf and the end of its intermediate is refused, not served without its chain", async (t) => {
  const { ca, fixture, httpsPort, certDir, start } = await createCertDirFixture(t, {
    host: "127.0.0.134",
    names: ["k.test"],
  });
  const first = ca.issue(["k.test"]);
  const renewed = ca.issue(["k.test"]);
  const file = join(certDir, "k.pem");
  await writeFile(file, first.key + first.cert);
  await start();
  const chain = () => servedChain(httpsPort, "k.test");
  const caSerial = (await chain())[1];
  assert.deepEqual(await chain(), [first.serial, caSerial], "the first version, with its CA");

  // The renewal caught half written: its key, its leaf, and the CA's block cut before its END line.
  const full = renewed.key + renewed.cert;
  const cut = full.indexOf("-----BEGIN CERTIFICATE-----", full.indexOf("-----END CERTIFICATE-----")) + 100;
  const from = fixture.reloader.logs.length;
  // put in place whole (a rename): written in place, a pass could read it truncated and still empty
  // ("no PEM certificate", a CI run), which is not the half-written read this test is about
  const half = join(certDir, "..", "k.pem.half");
  await writeFile(half, full.slice(0, cut));
  await rename(half, file);
  const pass = await waitFor(
    () =>
      fixture.reloader.logs
        .slice(from)
        .find(
          (line) =>
            line["event"] === "certs.updated" ||
            (line["event"] === "certs.skipped" && line["certificate"] === "dir/k"),
        ) ?? null,
    { timeoutMs: 15_000, message: "a pass read the half-written file" },
  );
  assert.deepEqual(
    await chain(),
    [first.serial, caSerial],
    `still the first version, whole (${pass["event"]})`,
  );
  assert.equal(pass["event"], "certs.skipped");
  assert.match(String(pass["reason"]), /END line.*the previous version is still served$/);

  // Finished: the renewal is served with its chain.
  await writeFile(file, full);
  await waitFor(async () => (await chain())[0] === renewed.serial, {
    timeoutMs: 15_000,
    message: "the finished renewal is served",
  });
  assert.deepEqual(await chain(), [renewed.serial, caSerial]);
});
