// A served certificate whose source is still there but refused keeps its served version (a renewal
// caught half written, a .crt renewed before its .key, a directory not listable for a moment); a source
// removed, or a previous version no longer valid, is dropped as before. Pure: planCertificates twice.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  KEPT_NOTE,
  keepPreviousCertificates,
  presentCertificateLabels,
} from "../src/certs/model/keep-previous-certificates.ts";
import {
  MAX_CERTIFICATES,
  planCertificates,
  type CertificatePlan,
} from "../src/certs/model/plan-certificates.ts";
import type { CertDirFiles } from "../src/certs/sources/read-cert-dir.ts";
import { createTestCa, type TestCa, type TestPair } from "./helpers/make-test-certificates.ts";

let ca: TestCa;
let a: TestPair;
let a2: TestPair;
let b: TestPair;
let now = 0;

before(() => {
  ca = createTestCa();
  a = ca.issue(["a.test"]);
  a2 = ca.issue(["a.test"]);
  b = ca.issue(["b.test"]);
  now = Date.now();
});
after(() => ca.close());

const dir = (files: Record<string, string>, extra: Partial<CertDirFiles> = {}): CertDirFiles => ({
  files,
  problems: [],
  listed: true,
  ...extra,
});

// One pass as the manager makes it: plan the sources, then keep what the last pass served.
function pass(
  previous: CertificatePlan | null,
  certs: unknown,
  directory: CertDirFiles | null,
  at = now,
): CertificatePlan {
  const plan = planCertificates({
    metadata: { defaultCert: null, defaultKey: null, certs },
    directory,
    base64Encoded: false,
    manageDefault: false,
    now: at,
  });
  const served = previous?.certs ?? [];
  return keepPreviousCertificates(plan, served, presentCertificateLabels(directory, served), at);
}

const names = (plan: CertificatePlan) => plan.certs.map((cert) => cert.name);
const serial = (plan: CertificatePlan, name: string) => plan.certs.find((c) => c.name === name)?.digest;

describe("keepPreviousCertificates", () => {
  it("a directory PEM caught half written keeps its served version, noted; the finished one replaces it", () => {
    const first = pass(null, null, dir({ "a.pem": a.cert + a.key }));
    assert.deepEqual(names(first), ["dir/a"]);
    const half = pass(first, null, dir({ "a.pem": a2.cert.slice(0, 300) }));
    assert.deepEqual(names(half), ["dir/a"]);
    assert.equal(serial(half, "dir/a"), serial(first, "dir/a"), "the previous version");
    const note = half.skipped.find((entry) => entry.name === "dir/a");
    assert.ok(note?.reason.endsWith(`; ${KEPT_NOTE}`), JSON.stringify(half.skipped));
    const done = pass(half, null, dir({ "a.pem": a2.cert + a2.key }));
    assert.deepEqual(names(done), ["dir/a"]);
    assert.notEqual(serial(done, "dir/a"), serial(first, "dir/a"), "the new version");
    assert.deepEqual(done.skipped, []);
  });

  it("a .crt renewed before its .key (they no longer match), or a lone half, keeps the served version", () => {
    const first = pass(null, null, dir({ "a.crt": a.cert, "a.key": a.key }));
    const mismatched = pass(first, null, dir({ "a.crt": a2.cert, "a.key": a.key }));
    assert.equal(serial(mismatched, "dir/a"), serial(first, "dir/a"));
    const lone = pass(first, null, dir({ "a.key": a.key }));
    assert.equal(serial(lone, "dir/a"), serial(first, "dir/a"));
    assert.match(lone.skipped.find((s) => s.name === "dir/a")?.reason ?? "", /has no a\.crt; the previous/);
  });

  it("an unreadable file or a directory that cannot be listed keeps the directory certificates", () => {
    const first = pass(null, { m: { cert: b.cert, key: b.key } }, dir({ "a.pem": a.cert + a.key }));
    const unreadable = pass(
      first,
      { m: { cert: b.cert, key: b.key } },
      dir({}, { problems: [{ name: '"a.pem"', reason: "cannot be read (EACCES)", file: "a.pem" }] }),
    );
    assert.deepEqual(names(unreadable), ["metadata/m", "dir/a"]);
    const unlisted = pass(
      first,
      { m: { cert: b.cert, key: b.key } },
      dir({}, { listed: false, problems: [{ name: "/certs", reason: "SSL_CERT_DIR cannot be read (EIO)" }] }),
    );
    assert.deepEqual(names(unlisted), ["metadata/m", "dir/a"], "metadata first, then the directory");
    assert.ok(unlisted.skipped.some((s) => s.name === "dir/a" && s.reason.includes(KEPT_NOTE)));
  });

  it("a bad new version in metadata keeps the served one; a removed entry or file is dropped at once", () => {
    const first = pass(null, { m: { cert: a.cert, key: a.key } }, dir({ "d.pem": b.cert + b.key }));
    const bad = pass(first, { m: { cert: a2.cert, key: b.key } }, dir({ "d.pem": b.cert + b.key }));
    assert.equal(serial(bad, "metadata/m"), serial(first, "metadata/m"));
    const removed = pass(bad, {}, dir({}));
    assert.deepEqual(names(removed), [], "both sources removed");
    assert.deepEqual(removed.skipped, []);
  });

  it("a previous version that is no longer valid is not kept", () => {
    const first = pass(null, null, dir({ "a.pem": a.cert + a.key }));
    const expiry = first.certs[0]?.notAfter ?? 0;
    const later = pass(first, null, dir({ "a.pem": "garbage" }), expiry + 1);
    assert.deepEqual(names(later), []);
    assert.ok(later.skipped.some((s) => s.name === "dir/a" && !s.reason.includes(KEPT_NOTE)));
  });

  it("a directory that is gone is a removal of its certificates; one that cannot be listed keeps them", () => {
    const first = pass(null, null, dir({ "a.pem": a.cert + a.key }));
    const gone = pass(
      first,
      null,
      dir({}, { problems: [{ name: "/certs", reason: "SSL_CERT_DIR cannot be read (ENOENT)" }] }),
    );
    assert.deepEqual(names(gone), []);
    const unlisted = pass(
      first,
      null,
      dir({}, { listed: false, problems: [{ name: "/certs", reason: "(EACCES)" }] }),
    );
    assert.deepEqual(names(unlisted), ["dir/a"]);
  });

  it("the caps hold: entries past them are never kept, and kept ones never exceed MAX_CERTIFICATES in all", () => {
    // Metadata that served `m` now lists MAX_CERTIFICATES names sorting before it: `m` falls past the cap.
    const first = pass(null, { m: { cert: a.cert, key: a.key } }, null);
    const crowd = Object.fromEntries(
      Array.from({ length: MAX_CERTIFICATES }, (_, i) => [
        `a${String(i).padStart(4, "0")}`,
        { cert: b.cert, key: b.key },
      ]),
    );
    const crowded = pass(first, { ...crowd, m: { cert: a.cert, key: a.key } }, null);
    assert.equal(crowded.certs.length, MAX_CERTIFICATES);
    assert.ok(!names(crowded).includes("metadata/m"), "past the cap: not kept");
    // A refused one is kept only while there is room.
    const full = pass(null, crowd, null);
    const refusedAll = pass(full, { ...crowd, a0000: { cert: "garbage", key: b.key } }, null);
    assert.equal(refusedAll.certs.length, MAX_CERTIFICATES, "the refused one kept in its own place");
    assert.ok(names(refusedAll).includes("metadata/a0000"));
  });

  it("a certificate never served is only skipped, as before", () => {
    const plan = pass(null, { m: { cert: a.cert, key: b.key } }, dir({ "x.pem": "nothing" }));
    assert.deepEqual(names(plan), []);
    assert.equal(plan.skipped.length, 2);
    assert.ok(plan.skipped.every((s) => !s.reason.includes(KEPT_NOTE)));
  });
});
