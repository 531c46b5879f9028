// The PEM block search that replaced the certificate regexes: the same blocks as the regexes on random
// texts of markers and junk, and a text of a million BEGIN lines without an END checked at once (the
// regexes rescanned the rest of the text from each one: ≈ 10 s for 1 MiB).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { checkCertificate } from "../src/certs/model/check-certificate.ts";
import { endsInsideBlock, firstPemBlock, pemBlocks } from "../src/certs/model/pem-blocks.ts";
import { buildCertificatePem } from "../src/model/build-certificate-pem.ts";

const CERT_REGEX = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_REGEX = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;
const KEY_LABELS = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"];

test("pemBlocks and firstPemBlock find what the regexes found, on random texts of markers and junk", () => {
  const piece = fc.oneof(
    fc.constantFrom(
      "-----BEGIN CERTIFICATE-----",
      "-----END CERTIFICATE-----",
      ...KEY_LABELS.flatMap((label) => [`-----BEGIN ${label}-----`, `-----END ${label}-----`]),
      "\n",
      "",
    ),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
      const text = pieces.join("");
      assert.deepEqual(pemBlocks(text, "CERTIFICATE"), text.match(CERT_REGEX) ?? []);
      assert.equal(firstPemBlock(text, KEY_LABELS), KEY_REGEX.exec(text)?.[0]);
    }),
    { numRuns: 3000 },
  );
});

test("a certificate text of BEGIN lines without an END is refused at once", { timeout: 5000 }, () => {
  const flood = "-----BEGIN CERTIFICATE-----\n".repeat(40_000); // ≈ 1.1 MB
  assert.deepEqual(pemBlocks(flood, "CERTIFICATE"), []);
  assert.equal(firstPemBlock(flood.replaceAll("CERTIFICATE", "PRIVATE KEY"), KEY_LABELS), undefined);
  const checked = checkCertificate("flood", flood, flood, Date.now());
  assert.deepEqual(checked, {
    ok: false,
    skipped: { name: "flood", reason: "cert or key larger than 65536 characters" },
  });
  const small = flood.slice(0, 60_000);
  assert.equal(checkCertificate("flood", small, small, Date.now()).ok, false);
  const built = buildCertificatePem(flood, flood.replaceAll("CERTIFICATE", "PRIVATE KEY"), false);
  assert.deepEqual(built, { ok: false, reason: "ssl_cert or ssl_key is larger than 65536 characters" });
  const smallBuilt = buildCertificatePem(small, small.replaceAll("CERTIFICATE", "PRIVATE KEY"), false);
  assert.deepEqual(smallBuilt, {
    ok: false,
    reason: "ssl_cert holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
  });
});

test("endsInsideBlock: a text cut inside any block or its markers, not one cut between whole blocks", () => {
  const blocks = ["PRIVATE KEY", "CERTIFICATE", "CERTIFICATE"].map(
    (label, index) => `-----BEGIN ${label}-----\n${"ABC"[index] ?? ""}AAA\n-----END ${label}-----`,
  );
  const whole = blocks.join("\njunk\n") + "\n";
  assert.equal(endsInsideBlock(whole), false);
  assert.equal(endsInsideBlock(""), false);
  for (const block of blocks) {
    const start = whole.indexOf(block);
    assert.equal(endsInsideBlock(whole.slice(0, start + block.length)), false, "cut after a block");
    for (let cut = start + 1; cut < start + block.length; cut += 1)
      assert.equal(endsInsideBlock(whole.slice(0, cut)), true, JSON.stringify(whole.slice(start, cut)));
  }
  assert.equal(endsInsideBlock("-----BEGIN CERTIFICATE-----\n".repeat(100_000)), true);
});
