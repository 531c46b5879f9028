// HAProxy's own check of new certificates (verify-with-haproxy.ts) with the real HAProxy 2.6: what it
// refuses (an RSA-1024 key, which node:crypto reads fine) is skipped with HAProxy's reason, the others
// stay, several refused ones among many are each found, and a certificate already judged is not checked
// again.
import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CheckedCertificate } from "../src/certs/model/certificate-check.ts";
import { checkCertificate } from "../src/certs/model/check-certificate.ts";
import type { CertificatePlan, PlannedCertificate } from "../src/certs/model/plan-certificates.ts";
import { HaproxyCertificateVerifier } from "../src/certs/verify-with-haproxy.ts";
import { createTestCa, type TestCa } from "./helpers/make-test-certificates.ts";

let ca: TestCa;
let dir: string;
before(async () => {
  ca = createTestCa();
  dir = await mkdtemp(join(tmpdir(), "rh-verify-"));
});
after(async () => {
  ca.close();
  await rm(dir, { recursive: true, force: true });
});

// A checked certificate for `name` (weak: an RSA-1024 key).
function checked(name: string, weak = false): CheckedCertificate {
  const pair = ca.issue([`${name}.test`], undefined, weak ? { rsaBits: 1024 } : undefined);
  const result = checkCertificate(name, pair.cert, pair.key, Date.now());
  assert.ok(result.ok, `node accepts ${name}`);
  return result.cert;
}

const planned = (cert: CheckedCertificate): PlannedCertificate => ({
  ...cert,
  file: `${cert.name}.pem`,
  source: "metadata",
});

test("refused certificates are skipped with HAProxy's reason; the rest and the default stay; judged once", async () => {
  // A HAProxy that counts its runs.
  const runs = join(dir, "runs");
  const bin = join(dir, "counting-haproxy");
  await writeFile(bin, `#!/bin/sh\necho run >> ${runs}\nexec haproxy "$@"\n`);
  await chmod(bin, 0o755);
  const verifier = new HaproxyCertificateVerifier(bin, join(dir, "scratch"));
  const certs = ["a", "b", "weak1", "c", "weak2", "d"].map((name) =>
    planned(checked(name, name.startsWith("weak"))),
  );
  const plan: CertificatePlan = {
    default: checked("default"),
    certs,
    skipped: [{ name: "x", reason: "earlier" }],
  };

  const verified = await verifier.verify(plan);
  assert.equal(verified.default?.name, "default");
  assert.deepEqual(
    verified.certs.map((cert) => cert.name),
    ["a", "b", "c", "d"],
  );
  assert.deepEqual(
    verified.skipped.map((skip) => skip.name),
    ["x", "weak1", "weak2"],
  );
  for (const skip of verified.skipped.slice(1)) {
    assert.match(skip.reason, /^HAProxy refuses it: unable to load SSL certificate/);
    assert.ok(!skip.reason.includes(dir), "no scratch path in the reason");
  }
  const first = (await readFile(runs, "utf8")).split("\n").length - 1;
  assert.ok(first >= 3, "the batch, then halves until each refused one stands alone");

  assert.deepEqual(await verifier.verify(plan), verified, "the same verdicts");
  assert.equal((await readFile(runs, "utf8")).split("\n").length - 1, first, "no certificate checked twice");
  await assert.rejects(readFile(join(dir, "scratch", "check.cfg")), "the scratch dir is removed");
});

test("a check that cannot run refuses the new certificates, and asks again once HAProxy runs", async () => {
  const bin = join(dir, "haproxy-installed-later");
  const verifier = new HaproxyCertificateVerifier(bin, join(dir, "scratch2"));
  const cert = planned(checked("e"));
  const refused = await verifier.verify({ default: null, certs: [cert], skipped: [] });
  assert.deepEqual(refused.certs, [], "nothing unchecked reaches HAProxy");
  assert.match(refused.skipped[0]?.reason ?? "", /^HAProxy could not check it \((?!Error: )/);
  // Not remembered: once the binary runs, the same certificate is checked and served.
  await writeFile(bin, `#!/bin/sh\nexec haproxy "$@"\n`);
  await chmod(bin, 0o755);
  const served = await verifier.verify({ default: null, certs: [cert], skipped: [] });
  assert.deepEqual(served, { default: null, certs: [cert], skipped: [] });
});
