// previousCertificates: the files an earlier reloader wrote become the plan before the first pass, each
// under its source's label; a file that fails node's checks or has a name the reloader never writes is
// left out. With keepPreviousCertificates, a refused source keeps that version at the first pass. Pure.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkCertificate } from "../src/certs/model/check-certificate.ts";
import { KEPT_NOTE, keepPreviousCertificates } from "../src/certs/model/keep-previous-certificates.ts";
import { planCertificates } from "../src/certs/model/plan-certificates.ts";
import { previousCertificates } from "../src/certs/model/previous-certificates.ts";
import { createTestCa, type TestCa, type TestPair } from "./helpers/make-test-certificates.ts";

let ca: TestCa;
let a: TestPair;
let b: TestPair;
before(() => {
  ca = createTestCa();
  a = ca.issue(["a.test"]);
  b = ca.issue(["b.test"]);
});
after(() => ca.close());

test("each written file under its label; broken and unknown files left out", () => {
  const now = Date.now();
  const previous = previousCertificates(
    [
      { file: "meta-a.pem", pem: a.cert + a.key },
      { file: "dir-b.pem", pem: b.cert + b.key },
      { file: "dir-cut.pem", pem: (b.cert + b.key).slice(0, 200) },
      { file: "server.pem", pem: a.cert + a.key },
      { file: "dir-.hidden.pem", pem: a.cert + a.key },
    ],
    now,
    checkCertificate,
  );
  assert.deepEqual(
    previous.map((cert) => [cert.name, cert.source, cert.file]),
    [
      ["metadata/a", "metadata", "meta-a.pem"],
      ["dir/b", "directory", "dir-b.pem"],
    ],
  );
});

test("a first pass that refuses a written certificate's source keeps it; a source gone drops it", () => {
  const now = Date.now();
  const previous = previousCertificates(
    [
      { file: "dir-a.pem", pem: a.cert + a.key },
      { file: "dir-b.pem", pem: b.cert + b.key },
    ],
    now,
    checkCertificate,
  );
  const plan = planCertificates({
    metadata: null,
    directory: { files: { "a.pem": a.cert + b.key }, problems: [], listed: true },
    base64Encoded: false,
    manageDefault: false,
    now,
  });
  const kept = keepPreviousCertificates(plan, previous, new Set(), now);
  assert.deepEqual(
    kept.certs.map((cert) => [cert.name, cert.pem]),
    [["dir/a", a.cert + a.key]],
  );
  assert.match(
    kept.skipped.find((entry) => entry.name === "dir/a")?.reason ?? "",
    new RegExp(`${KEPT_NOTE}$`),
  );
});
