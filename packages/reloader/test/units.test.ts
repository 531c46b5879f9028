// Pure pieces: `show proc` parsing, offending-line extraction with secrets masked, certificate
// validation, the input hash.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findOffendingLines, maskSecrets } from "../src/haproxy/find-offending-lines.ts";
import { currentWorker, parseShowProc } from "@rancher-haproxy/core";
import { RestartPolicy } from "../src/haproxy/restart-policy.ts";
import { buildCertificatePem, validateCertificateFile } from "../src/model/build-certificate-pem.ts";
import { hashInputs } from "../src/sources/read-inputs.ts";
import { otherKey, recordedCertificate } from "./helpers/test-certificate.ts";

// Captured from HAProxy 2.6.12's master CLI.
const AFTER_RELOAD = `#<PID>          <type>          <reloads>       <uptime>        <version>
7321            master          1 [failed: 0]   0d00h10m09s     2.6.12-1+deb12u4
# workers
13189           worker          0               0d00h00m00s     2.6.12-1+deb12u4
# old workers
7324            worker          1               0d00h00m05s     2.6.12-1+deb12u4
# programs

`;
const AFTER_FAILED_RELOAD = `#<PID>          <type>          <reloads>       <uptime>        <version>
7321            master          2 [failed: 1]   0d00h10m13s     2.6.12-1+deb12u4
# workers
13189           worker          1               0d00h00m04s     2.6.12-1+deb12u4
# programs
`;

describe("parseShowProc", () => {
  it("reads the master's counters, the current and the old workers", () => {
    const info = parseShowProc(AFTER_RELOAD);
    assert.deepEqual(info, {
      masterPid: 7321,
      reloads: 1,
      failed: 0,
      workers: [{ pid: 13189, reloads: 0 }],
      oldWorkers: [{ pid: 7324, reloads: 1 }],
    });
    assert.deepEqual(info && currentWorker(info), { pid: 13189, reloads: 0 });
  });

  it("shows a failed reload: counter up, failed > 0, the serving worker still current (its count up too)", () => {
    const info = parseShowProc(AFTER_FAILED_RELOAD);
    assert.equal(info?.reloads, 2);
    assert.equal(info?.failed, 1);
    assert.deepEqual(info && currentWorker(info), { pid: 13189, reloads: 1 });
    const none = parseShowProc(AFTER_FAILED_RELOAD.replace(/# workers\n.*\n/, "# workers\n"));
    assert.equal(none && currentWorker(none), null, "no worker listed: none");
  });

  // Found by a review, captured on 2.6.12 with a --config holding `program master`: its line under
  // `# programs` was read as the master's (its pid, its counter), so a start waiting for the master it
  // spawned never saw it and failed, and reloads were judged by the program's count.
  it("reads the master's line only before the sections: a program named master is not it", () => {
    const text = `#<PID>          <type>          <reloads>       <uptime>        <version>
5588            master          0 [failed: 0]   0d00h00m01s     2.6.12-1+deb12u4
# workers
5596            worker          0               0d00h00m01s     2.6.12-1+deb12u4
# programs
5595            master          0               0d00h00m01s     -

`;
    assert.deepEqual(parseShowProc(text), {
      masterPid: 5588,
      reloads: 0,
      failed: 0,
      workers: [{ pid: 5596, reloads: 0 }],
      oldWorkers: [],
    });
  });

  it("returns null for anything else", () => {
    assert.equal(parseShowProc(""), null);
    assert.equal(parseShowProc("Unknown command\n"), null);
  });
});

describe("findOffendingLines", () => {
  it("quotes the lines HAProxy names, once each, with credentials masked", () => {
    const output = [
      "[ALERT]    (1) : config : parsing [/s/gen-2/backends.cfg:3] : unknown keyword 'bogus' in 'backend' section",
      "[ALERT]    (1) : config : parsing [/s/gen-2/backends.cfg:3] : again",
      "[ALERT]    (1) : config : parsing [/s/gen-2/haproxy.cfg:2] : 'user' : bad",
      "[ALERT]    (1) : config : Error(s) found in configuration file : /s/gen-2/backends.cfg",
    ].join("\n");
    const contents = new Map([
      ["/s/gen-2/backends.cfg", "backend app\n    mode http\n    bogus 1\n"],
      ["/s/gen-2/haproxy.cfg", "userlist u\n    user ops insecure-password hunter2\n"],
    ]);
    assert.deepEqual(findOffendingLines(output, contents), [
      { file: "/s/gen-2/backends.cfg", line: 3, text: "    bogus 1" },
      { file: "/s/gen-2/haproxy.cfg", line: 2, text: "    user ops insecure-password [redacted]" },
    ]);
    assert.equal(maskSecrets("stats auth ops:pw"), "stats auth [redacted]");
  });
});

// The certificate with half of its base64 body cut out: still PEM-shaped, no longer DER.
function truncated(pem: string): string {
  const lines = pem.trim().split("\n");
  const body = lines.slice(1, -1);
  return [lines[0], ...body.slice(0, Math.floor(body.length / 2)), lines.at(-1)].join("\n") + "\n";
}

describe("certificate validation", () => {
  const { cert, key } = recordedCertificate();

  it("builds cert + key into one PEM, plain or base64", () => {
    const plain = buildCertificatePem(cert, key, false);
    assert.ok(plain.ok);
    assert.match(
      plain.pem,
      /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/,
    );
    assert.match(plain.subject, /example\.test/);
    const encoded = buildCertificatePem(
      Buffer.from(cert).toString("base64"),
      Buffer.from(key).toString("base64"),
      true,
    );
    assert.ok(encoded.ok);
    assert.equal(encoded.pem, plain.pem);
    assert.ok(validateCertificateFile(plain.pem).ok);
  });

  it("explains what is wrong without quoting the key", () => {
    const cases: [string, string, boolean, RegExp][] = [
      [cert, otherKey(), false, /ssl_key does not belong to ssl_cert/],
      ["garbage", key, false, /ssl_cert holds no PEM certificate/],
      [cert, "garbage", false, /ssl_key holds no PEM private key/],
      [cert, key, true, /ssl_cert is not valid base64/],
      [truncated(cert), key, false, /ssl_cert is not a valid X.509 certificate \(/],
    ];
    for (const [c, k, base64, reason] of cases) {
      const outcome = buildCertificatePem(c, k, base64);
      assert.equal(outcome.ok, false);
      if (outcome.ok) continue;
      assert.match(outcome.reason, reason);
      assert.ok(!outcome.reason.includes(key.split("\n")[1] ?? "-"), "no key material");
    }
    const noKey = validateCertificateFile(cert);
    assert.ok(!noKey.ok && /no PEM private key/.test(noKey.reason));
  });

  it("checks every block of the chain: a broken second certificate stopped HAProxy from starting", () => {
    const chained = `${cert.trim()}\n${truncated(cert)}`;
    const built = buildCertificatePem(chained, key, false);
    assert.ok(!built.ok);
    assert.match(built.reason, /^certificate 2 of ssl_cert is not a valid X\.509 certificate \(/);
    const file = validateCertificateFile(`${chained}${key}`);
    assert.ok(!file.ok);
    assert.match(file.reason, /^certificate 2 of the certificate is not a valid X\.509 certificate/);
    const crlf = buildCertificatePem(`${cert.replace(/\n/g, "\r\n")}\r\n\r\n`, key, false);
    assert.ok(crlf.ok);
    assert.ok(!/\r|\n\n/.test(crlf.pem), "no CR and no blank line in what HAProxy loads");
  });
});

describe("hashInputs", () => {
  it("changes when bytes move between files", () => {
    const a = hashInputs(Buffer.from("ab"), Buffer.from("c"), Buffer.from(""));
    const b = hashInputs(Buffer.from("a"), Buffer.from("bc"), Buffer.from(""));
    assert.notEqual(a, b);
    assert.equal(a, hashInputs(Buffer.from("ab"), Buffer.from("c"), Buffer.from("")));
  });
});

describe("RestartPolicy", () => {
  it("backs off 0.5 s doubling to 10 s, gives up after maxRestarts, and forgives a long run", () => {
    const policy = new RestartPolicy(7);
    const delays = Array.from({ length: 7 }, () => policy.next(100)).map((d) => (d.giveUp ? -1 : d.delayMs));
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    assert.deepEqual(policy.next(100), { giveUp: true, failures: 7 });
    const forgiving = new RestartPolicy(2);
    forgiving.next(0);
    forgiving.next(0);
    assert.deepEqual(forgiving.next(10_000), { giveUp: false, attempt: 1, delayMs: 500 });
  });
});
