// The certificate pieces without HAProxy: checks (key, chain order, validity, names), the plan from
// metadata and directory sources, the runtime-API command plan, and the manager's reload fallback.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { createLogger, type MetadataClient } from "@rancher-haproxy/core";
import { CheckCertificateCache } from "../src/certs/check-certificate-cached.ts";
import { certificateWarnings } from "../src/certs/certificate-state.ts";
import type { CertificateSupervisor } from "../src/certs/certificate-manager.ts";
import { describeCertificates } from "../src/certs/describe-certificates.ts";
import { checkCertificate } from "../src/certs/model/check-certificate.ts";
import {
  diffCertificates,
  MAX_PAYLOAD_BYTES,
  planCertificateCommands,
} from "../src/certs/model/plan-certificate-commands.ts";
import { planCertificates } from "../src/certs/model/plan-certificates.ts";
import { certificatePaths } from "../src/certs/render/render-crt-list.ts";
import { testCertificateManager } from "./helpers/test-certificate-manager.ts";
import { readCertDir } from "../src/certs/sources/read-cert-dir.ts";
import { readCertificateSources } from "../src/certs/sources/read-certificate-sources.ts";
import { validateCertificateFile } from "../src/model/build-certificate-pem.ts";
import {
  createTestCa,
  utc,
  withUnreadableNotAfter,
  type TestCa,
  type TestPair,
} from "./helpers/make-test-certificates.ts";

let ca: TestCa;
let a: TestPair;
let b: TestPair;
let wild: TestPair;
let expired: TestPair;
let future: TestPair;
// The time the checks are made at: taken once the certificates exist. The CA is valid from the second
// openssl made it (`req -x509` cannot backdate it), so a time taken before could fall just short of it
// (it did, in a CI run whose CA creation crossed a second boundary).
let now = 0;

before(() => {
  ca = createTestCa();
  a = ca.issue(["a.test", "WWW.a.test"]);
  b = ca.issue(["b.test"]);
  wild = ca.issue(["*.w.test"]);
  expired = ca.issue(["old.test"], { start: "20200101000000Z", end: "20200201000000Z" });
  future = ca.issue(["new.test"], { start: "20990101000000Z", end: "20990201000000Z" });
  now = Date.now();
});
after(() => ca.close());

const reasonOf = (check: ReturnType<typeof checkCertificate>) => (check.ok ? "ok" : check.skipped.reason);

describe("checkCertificate", () => {
  it("accepts a leaf + CA chain with its key; names from CN and SANs (wildcards kept, lowercased)", () => {
    const check = checkCertificate("a", a.cert, a.key, now);
    assert.ok(check.ok);
    assert.deepEqual(check.cert.names, ["a.test", "www.a.test"]);
    assert.match(
      check.cert.pem,
      /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----[\s\S]+-----END PRIVATE KEY-----\n$/,
    );
    assert.doesNotMatch(check.cert.pem, /\n\n|\r/, "no blank line: a runtime-API payload ends there");
    const w = checkCertificate("w", wild.cert, wild.key, now);
    assert.ok(w.ok);
    assert.deepEqual(w.cert.names, ["*.w.test"]);
  });

  it("a certificate with an empty subject (its names in subjectAltName) is checked, not a crash", () => {
    const dir = mkdtempSync(join(tmpdir(), "rh-empty-subject-"));
    try {
      const [key, crt] = [join(dir, "k.pem"), join(dir, "c.pem")];
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          key,
          "-out",
          crt,
          "-days",
          "2",
          "-subj",
          "/",
          "-addext",
          "subjectAltName=DNS:empty.test",
        ],
        { stdio: "ignore" },
      );
      const cert = readFileSync(crt, "utf8");
      const keyText = readFileSync(key, "utf8");
      const check = checkCertificate("e", cert, keyText, Date.now());
      assert.ok(check.ok, reasonOf(check));
      assert.deepEqual([check.cert.subject, check.cert.names], ["", ["empty.test"]]);
      const asDefault = validateCertificateFile(`${cert}${keyText}`);
      assert.deepEqual(asDefault.ok ? asDefault.subject : asDefault.reason, "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a validity date in year 49 (which Date.parse reads as 2049) is unreadable: skipped, not served", () => {
    const old = ca.issue(["y49.test"], { start: "00480101000000Z", end: "00490101000000Z" });
    assert.match(reasonOf(checkCertificate("y", old.cert, old.key, now)), /unreadable validity date/);
  });

  it("tolerates CRLF and blank lines between blocks", () => {
    const messy = `\r\n${a.cert.replace(/\n/g, "\r\n")}\r\n\r\n`;
    const check = checkCertificate("a", messy, `\n\n${a.key}\n\n`, now);
    assert.ok(check.ok, reasonOf(check));
    assert.doesNotMatch(check.cert.pem, /\n\n|\r/);
  });

  it("skips with a reason: expired, not yet valid, wrong key, chain order, garbage, no key", () => {
    assert.match(reasonOf(checkCertificate("x", expired.cert, expired.key, now)), /expired on/);
    assert.match(reasonOf(checkCertificate("x", future.cert, future.key, now)), /not valid before/);
    assert.match(reasonOf(checkCertificate("x", a.cert, b.key, now)), /does not belong/);
    assert.match(
      reasonOf(checkCertificate("x", `${a.leaf}${b.leaf}`, a.key, now)),
      /chain order: certificate 1 is not issued by certificate 2/,
    );
    assert.match(reasonOf(checkCertificate("x", "garbage", a.key, now)), /no PEM certificate/);
    assert.match(reasonOf(checkCertificate("x", a.cert, "garbage", now)), /no unencrypted PEM private key/);
    const broken = a.cert.replace(/(-----BEGIN CERTIFICATE-----\n)[A-Za-z0-9]{10}/, "$1!!!!!!!!!!");
    assert.match(reasonOf(checkCertificate("x", broken, a.key, now)), /does not parse/);
    const badKey = a.key.replace(/(-----BEGIN PRIVATE KEY-----\n)[A-Za-z0-9]{10}/, "$1AAAAAAAAAA");
    const keyReason = reasonOf(checkCertificate("x", a.cert, badKey, now));
    assert.match(keyReason, /private key does not parse|does not belong/);
    assert.ok(!keyReason.includes(badKey.slice(30, 60)), "the reason never quotes the key");
  });

  it("skips a certificate whose validity date cannot be read (NaN passed every date check, then threw)", () => {
    const mangled = withUnreadableNotAfter(a.leaf);
    assert.match(
      reasonOf(checkCertificate("x", mangled, a.key, now)),
      /the certificate has an unreadable validity date/,
    );
    const described = describeCertificates(
      planCertificates({
        metadata: { defaultCert: null, defaultKey: null, certs: { bad: { cert: mangled, key: a.key } } },
        directory: null,
        base64Encoded: false,
        manageDefault: false,
        now,
      }),
      null,
      now,
    );
    assert.deepEqual(described.skipped, [
      { name: "metadata/bad", reason: "the certificate has an unreadable validity date" },
    ]);
  });
});

describe("CheckCertificateCache", () => {
  it("returns the earlier check while the chain is valid, checks again outside that window", () => {
    const cache = new CheckCertificateCache();
    const first = cache.check("a", a.cert, a.key, now);
    cache.endPass();
    assert.ok(first.ok);
    assert.equal(cache.check("a", a.cert, a.key, now + 1000), first, "cached");
    assert.notEqual(cache.check("b", a.cert, a.key, now), first, "the name is part of the key");
    const later = cache.check("a", a.cert, a.key, first.cert.chainValidTo + 1);
    assert.match(reasonOf(later), /expired on/);
    cache.endPass();
    cache.endPass(); // a pass that used nothing
    assert.notEqual(cache.check("a", a.cert, a.key, now), first, "a pass that did not use it dropped it");
  });
});

describe("planCertificates", () => {
  const metadata = (certs: unknown) => ({ defaultCert: a.cert, defaultKey: a.key, certs });

  it("half a default pair in metadata is reported as skipped, not ignored", () => {
    for (const [defaultCert, defaultKey, missing] of [
      [a.cert, null, "ssl_key"],
      [null, a.key, "ssl_cert"],
    ] as const) {
      const plan = planCertificates({
        metadata: { defaultCert, defaultKey, certs: null },
        directory: null,
        base64Encoded: false,
        manageDefault: true,
        now,
      });
      assert.equal(plan.default, null);
      assert.deepEqual(plan.skipped, [
        { name: "default", reason: `${missing} is missing from metadata (only one half given)` },
      ]);
    }
  });

  it("HAPROXY_SSL_CERT, when set, is the default's source: checked as one PEM, its problems named", () => {
    const plan = (read: string | { reason: string }) =>
      planCertificates({
        metadata: metadata(null), // ssl_cert/ssl_key of `a`: not used while the file is the source
        directory: null,
        base64Encoded: false,
        manageDefault: false,
        defaultFile: { path: "/certs/site.pem", name: "HAPROXY_SSL_CERT", read },
        now,
      });
    assert.deepEqual(plan(b.cert + b.key).default?.names, ["b.test"]);
    assert.deepEqual(plan(b.cert + b.key).skipped, []);
    // Checked as the start checks it (and HAProxy loads it): a chain in any order, an expired extra
    // certificate in it, chain and key up to 128 KiB. The same PEM in `certs:` is refused.
    const unordered = `${a.leaf}${expired.leaf}${ca.caCert}${a.key}`;
    assert.deepEqual(plan(unordered).default?.names, ["a.test", "www.a.test"]);
    const asNamed = planCertificates({
      metadata: { defaultCert: null, defaultKey: null, certs: { x: { cert: unordered, key: a.key } } },
      directory: null,
      base64Encoded: false,
      manageDefault: false,
      now,
    });
    assert.match(
      asNamed.skipped[0]?.reason ?? "",
      /^chain order: certificate 1 is not issued by certificate 2/,
    );
    const padded = `${a.leaf}${ca.caCert}${"# comment line padding the file to 80 characters ..........\n".repeat(1200)}${a.key}`;
    assert.ok(padded.length > 65_536 && padded.length < 131_072);
    assert.deepEqual(plan(padded).skipped, []);
    for (const [read, reason] of [
      [{ reason: "cannot be opened (ENOENT)" }, "cannot be opened (ENOENT)"],
      [expired.cert + expired.key, "the certificate expired on"],
      [b.cert + a.key, "the private key does not belong to the certificate"],
    ] as const) {
      const refused = plan(read);
      assert.equal(refused.default, null);
      assert.equal(refused.skipped.length, 1);
      assert.equal(refused.skipped[0]?.name, "default");
      assert.ok(refused.skipped[0]?.reason.startsWith(`HAPROXY_SSL_CERT=/certs/site.pem: ${reason}`));
    }
  });

  it("serves metadata certs then directory ones in name order, each with its own file", () => {
    const plan = planCertificates({
      metadata: metadata({ zeta: { cert: b.cert, key: b.key }, alpha: { cert: wild.cert, key: wild.key } }),
      directory: {
        files: { "c.crt": a.cert, "c.key": a.key, "d.pem": b.cert + b.key },
        problems: [],
        listed: true,
      },
      base64Encoded: false,
      manageDefault: true,
      now,
    });
    assert.equal(plan.default?.name, "default");
    assert.deepEqual(
      plan.certs.map((c) => [c.name, c.file]),
      [
        ["metadata/alpha", "meta-alpha.pem"],
        ["metadata/zeta", "meta-zeta.pem"],
        ["dir/c", "dir-c.pem"],
        ["dir/d", "dir-d.pem"],
      ],
    );
    assert.deepEqual(plan.skipped, []);
  });

  it("decodes base64 when asked, and refuses bad names, shapes, lone halves and bad base64", () => {
    const encode = (text: string) => Buffer.from(text).toString("base64");
    const plan = planCertificates({
      metadata: {
        defaultCert: encode(a.cert),
        defaultKey: encode(a.key),
        certs: {
          ok: { cert: encode(b.cert), key: encode(b.key) },
          "../evil": { cert: encode(b.cert), key: encode(b.key) },
          nokey: { cert: encode(b.cert) },
          plain: { cert: b.cert, key: b.key },
        },
      },
      directory: {
        files: { "lone.crt": a.cert, "half.key": a.key, "bad name.pem": a.cert + a.key },
        problems: [{ name: "big.pem", reason: "larger than 65536 bytes" }],
        listed: true,
      },
      base64Encoded: true,
      manageDefault: true,
      now,
    });
    assert.ok(plan.default);
    assert.deepEqual(
      plan.certs.map((c) => c.name),
      ["metadata/ok"],
    );
    const reasons = Object.fromEntries(plan.skipped.map((s) => [s.name, s.reason]));
    assert.match(reasons['metadata/"../evil"'] ?? "", /the name must match/);
    assert.match(reasons["metadata/nokey"] ?? "", /needs cert and key/);
    assert.match(reasons["metadata/plain"] ?? "", /not valid base64/);
    assert.match(reasons["dir/lone"] ?? "", /lone\.crt has no lone\.key/);
    assert.match(reasons["dir/half"] ?? "", /half\.key has no half\.crt/);
    assert.match(reasons['dir/"bad name"'] ?? "", /the file name must match/);
    assert.match(reasons["dir/big.pem"] ?? "", /larger than/);
  });

  it("bounds the metadata: at most 1000 entries read, no cert or key text over 64 KiB", () => {
    const many = Object.fromEntries(
      Array.from({ length: 1003 }, (_, i) => [`n${String(i).padStart(4, "0")}`, {}]),
    );
    const big = { big: { cert: "x".repeat(70_000), key: a.key } };
    const plan = planCertificates({
      metadata: metadata({ ...many, ...big }),
      directory: null,
      base64Encoded: false,
      manageDefault: false,
      now,
    });
    assert.equal(plan.skipped.length, 1001);
    assert.deepEqual(plan.skipped[0], {
      name: "metadata/certs",
      reason: "1004 entries: only the first 1000 (by name) are read",
    });
    const alone = planCertificates({
      metadata: metadata(big),
      directory: null,
      base64Encoded: false,
      manageDefault: false,
      now,
    });
    assert.deepEqual(alone.skipped, [
      { name: "metadata/big", reason: "cert or key larger than 65536 characters" },
    ]);
  });

  it("a `certs` that is not a map is one skipped entry; the default is left alone when not managed", () => {
    const plan = planCertificates({
      metadata: metadata(["x"]),
      directory: null,
      base64Encoded: false,
      manageDefault: false,
      now,
    });
    assert.equal(plan.default, null);
    assert.deepEqual(plan.skipped, [
      { name: "metadata/certs", reason: "certs is not a map of name → {cert, key}" },
    ]);
  });
});

describe("describeCertificates", () => {
  it("gives days left per certificate and warns under 14 days, and for every skipped one", () => {
    // a second short of 10 days: openssl's dates drop the milliseconds, so at a `now` of .000 it was 10.0
    const soon = ca.issue(["soon.test"], {
      start: utc(now - 3_600_000),
      end: utc(now + 10 * 86_400_000 - 1000),
    });
    const plan = planCertificates({
      metadata: {
        defaultCert: null,
        defaultKey: null,
        certs: { soon: soon, later: a, bad: { cert: "x", key: "y" } },
      },
      directory: null,
      base64Encoded: false,
      manageDefault: true,
      now,
    });
    const described = describeCertificates(plan, "metadata cannot be read (test)", now);
    const days = Object.fromEntries(described.served.map((c) => [c.name, c.daysLeft]));
    assert.ok((days["metadata/soon"] ?? 0) > 9.8 && (days["metadata/soon"] ?? 0) <= 10, JSON.stringify(days));
    assert.ok((days["metadata/later"] ?? 0) > 19, JSON.stringify(days));
    assert.equal(described.warnings.length, 3, described.warnings.join("\n"));
    assert.match(described.warnings[0] ?? "", /^certificate metadata\/soon expires in 9\.9 days/);
    assert.match(described.warnings[1] ?? "", /^certificate metadata\/bad skipped: no PEM certificate/);
    assert.equal(described.warnings[2], "metadata cannot be read (test)");
  });
});

// A default served past its date (a first start, HAProxy has no other) said "expires in -1.1 days".
it("a served certificate past its date is warned about as expired N days ago", () => {
  const served = (daysLeft: number) => ({
    name: "default",
    source: "default" as const,
    subject: "CN=x",
    names: ["x"],
    notAfter: "2026-12-01T00:00:00Z",
    daysLeft,
    fingerprint: "f",
  });
  assert.deepEqual(certificateWarnings([served(-1.1), served(2.5)], []), [
    "certificate default expired 1.1 days ago (2026-12-01T00:00:00Z)",
    "certificate default expires in 2.5 days (2026-12-01T00:00:00Z)",
  ]);
});

describe("readCertificateSources", () => {
  it("reads HAPROXY_SSL_CERT up to twice a certificate file (chain and key in one), refusing more", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-mounted-"));
    const down: MetadataClient = {
      baseUrl: "http://down",
      getJson: () => Promise.reject(new Error("down")),
      getText: () => Promise.reject(new Error("down")),
      waitForVersion: () => Promise.reject(new Error("down")),
    };
    try {
      const certFile = join(dir, "site.pem");
      const names = { enabled: "ENABLE_SSL=true", certFile: "HAPROXY_SSL_CERT" };
      await writeFile(certFile, "x".repeat(100_000));
      const read = await readCertificateSources(down, { certDir: null, certFile, names }, null);
      assert.equal(typeof read.defaultFile?.read === "string" ? read.defaultFile.read.length : -1, 100_000);
      await writeFile(certFile, "x".repeat(140_000));
      const over = await readCertificateSources(down, { certDir: null, certFile, names }, null);
      assert.deepEqual(over.defaultFile?.read, { reason: "larger than 131072 bytes" });
      const unset = await readCertificateSources(down, { certDir: null, certFile: null, names }, null);
      assert.equal(unset.defaultFile, null);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("readCertDir", () => {
  it("reads *.pem/*.crt/*.key, refuses large files and reports a missing directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-certdir-"));
    try {
      await writeFile(join(dir, "a.pem"), "x");
      await writeFile(join(dir, "notes.txt"), "ignored");
      await writeFile(join(dir, "big.pem"), "x".repeat(70_000));
      // A name with a line feed (it would forge a line of the text /config) that cannot be read.
      await mkdir(join(dir, "x\nforged: line.pem"));
      const read = await readCertDir(dir);
      assert.deepEqual(Object.keys(read.files), ["a.pem"]);
      assert.deepEqual(
        read.problems.map((p) => p.name),
        ['"big.pem"', '"x\\nforged: line.pem"'],
      );
      // A FIFO is opened without blocking and refused (a blocking open waited for a writer forever).
      execFileSync("mkfifo", [join(dir, "pipe.pem")]);
      const withFifo = await readCertDir(dir);
      assert.deepEqual(
        withFifo.problems.find((p) => p.name === '"pipe.pem"'),
        { name: '"pipe.pem"', reason: "not a regular file", file: "pipe.pem" },
      );
      assert.equal(withFifo.listed, true);
      const missing = await readCertDir(join(dir, "nope"));
      assert.match(missing.problems[0]?.reason ?? "", /cannot be read \(ENOENT\)/);
      assert.equal(
        missing.listed,
        true,
        "a directory that is gone lists as empty: its certificates are removed",
      );
      const file = join(dir, "a.pem");
      const notDir = await readCertDir(file);
      assert.match(notDir.problems[0]?.reason ?? "", /ENOTDIR/);
      assert.equal(notDir.listed, true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("planCertificateCommands", () => {
  const files = (entries: Record<string, string>) =>
    new Map(Object.entries(entries).map(([path, digest]) => [path, { digest, pem: `pem of ${path}` }]));

  it("updates with set/commit, adds with new/set/commit/add to the crt-list, removes from both", () => {
    const loaded = files({ "/s/def.pem": "1", "/s/c/a.pem": "1", "/s/c/b.pem": "1" });
    const desired = files({ "/s/def.pem": "2", "/s/c/a.pem": "1", "/s/c/e.pem": "1" });
    const changes = diffCertificates(loaded, desired);
    assert.deepEqual(changes, { added: ["/s/c/e.pem"], changed: ["/s/def.pem"], removed: ["/s/c/b.pem"] });
    const commands = planCertificateCommands(changes, desired, "/s/c/crt-list");
    assert.deepEqual(
      commands?.map((c) => c.command),
      [
        "set ssl cert /s/def.pem",
        "commit ssl cert /s/def.pem",
        "new ssl cert /s/c/e.pem",
        "set ssl cert /s/c/e.pem",
        "commit ssl cert /s/c/e.pem",
        "add ssl crt-list /s/c/crt-list /s/c/e.pem",
        "del ssl crt-list /s/c/crt-list /s/c/b.pem",
        "del ssl cert /s/c/b.pem",
      ],
    );
    assert.equal(commands?.[0]?.payload, "pem of /s/def.pem");
  });

  it("a payload over the CLI buffer bound gives no plan (the caller reloads)", () => {
    const desired = new Map([["/s/big.pem", { digest: "2", pem: "x".repeat(MAX_PAYLOAD_BYTES + 1) }]]);
    const changes = diffCertificates(new Map([["/s/big.pem", { digest: "1", pem: "" }]]), desired);
    assert.equal(planCertificateCommands(changes, desired, "/s/crt-list"), null);
  });
});

// A JSON logger whose lines are kept, parsed.
function jsonLogLines(): { lines: Record<string, unknown>[]; logger: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ name: "test", format: "json", destination }) };
}

// A certificate manager on `dir`, prepared with the metadata certificate `a` and logging JSON lines kept
// in `lines`; `serve(name, pair)` makes metadata answer with that one certificate from then on.
async function preparedManager(dir: string) {
  let metadata: Record<string, unknown> = { certs: { a: { cert: a.cert, key: a.key } } };
  const client = { getJson: async () => metadata } as unknown as MetadataClient;
  const { lines, logger } = jsonLogLines();
  const manager = testCertificateManager(dir, client, logger);
  await manager.prepare();
  const serve = (name: string, pair: TestPair) => {
    metadata = { certs: { [name]: { cert: pair.cert, key: pair.key } } };
  };
  return { manager, lines, serve };
}

describe("CertificateManager", () => {
  it("falls back to a reload when the runtime API fails, and retries a failed reload on the next pass", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-certmgr-"));
    try {
      let metadata: Record<string, unknown> = { certs: { a: { cert: a.cert, key: a.key } } };
      const client = { getJson: async () => metadata } as unknown as MetadataClient;
      const { lines, logger } = jsonLogLines();
      const paths = certificatePaths(dir);
      const manager = testCertificateManager(dir, client, logger);
      await mkdir(paths.dir, { recursive: true });
      await writeFile(join(paths.dir, "meta-gone.pem"), "left by an earlier run");
      await manager.prepare();
      await assert.rejects(stat(join(paths.dir, "meta-gone.pem")), { code: "ENOENT" }, "stale PEM removed");
      assert.match(await readFile(paths.crtList, "utf8"), /meta-a\.pem\n$/);
      assert.equal((await stat(join(paths.dir, "meta-a.pem"))).mode & 0o777, 0o600);

      const verdicts = [false, true];
      let reloads = 0;
      const supervisor: CertificateSupervisor = {
        isRunning: () => true,
        exclusive: (task) => task(),
        reload: async () => {
          reloads += 1;
          const ok = verdicts.shift() ?? true;
          return ok
            ? {
                ok: true,
                workerPid: 1,
                info: { masterPid: 1, reloads, failed: 0, workers: [], oldWorkers: [] },
              }
            : { ok: false, kind: "rejected", reason: "test refusal", info: null };
        },
      } as CertificateSupervisor;
      metadata = { certs: { b: { cert: b.cert, key: b.key } } };
      await manager.sync(supervisor); // runtime fails (no master socket) → reload refused
      assert.equal(reloads, 1);
      assert.match(await readFile(paths.crtList, "utf8"), /meta-b\.pem\n$/, "the files are written first");
      assert.equal(manager.snapshot().updates.failed, 1);
      await manager.sync(supervisor); // nothing changed, but the reload is still due
      assert.equal(reloads, 2);
      const snapshot = manager.snapshot();
      assert.equal(snapshot.updates.reload, 1);
      assert.equal(snapshot.lastUpdate?.mode, "reload");
      assert.deepEqual(
        snapshot.served.map((c) => c.name),
        ["metadata/b"],
      );
      await manager.sync(supervisor);
      assert.equal(reloads, 2, "no further reload once it went through");
      assert.ok(lines.some((l) => l["event"] === "certs.runtime-failed"));
      assert.ok(lines.some((l) => l["event"] === "certs.updated" && l["mode"] === "reload"));
      await manager.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a reload still due when HAProxy goes down is left to its restart: not failed again each pass", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-certmgr-"));
    try {
      const { manager, lines, serve } = await preparedManager(dir);
      let running = true;
      let reloads = 0;
      const supervisor = {
        isRunning: () => running,
        exclusive: (task: () => Promise<unknown>) => task(),
        reload: async () => {
          reloads += 1;
          return running
            ? { ok: false, kind: "rejected", reason: "test refusal", info: null }
            : { ok: false, kind: "exited", reason: "HAProxy is not running", info: null };
        },
      } as unknown as CertificateSupervisor;
      serve("b", b);
      await manager.sync(supervisor); // runtime fails (no master socket) → reload refused: still due
      assert.equal(manager.snapshot().updates.failed, 1);
      running = false; // HAProxy exited; its restart loads the files already written
      for (let pass = 0; pass < 3; pass++) await manager.sync(supervisor);
      assert.equal(reloads, 2, "tried once more, then left to the restart");
      assert.equal(manager.snapshot().updates.failed, 1, "not a failure each pass");
      assert.equal(lines.filter((l) => l["event"] === "certs.update-failed").length, 1);
      assert.equal(lines.filter((l) => l["event"] === "certs.reload-deferred").length, 1);
      assert.match(await readFile(certificatePaths(dir).crtList, "utf8"), /meta-b\.pem\n$/);
      await manager.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a reload whose beforeLoad (the applier's pass after a host rename) ends after close() is not sent", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-certmgr-"));
    try {
      const { manager, lines, serve } = await preparedManager(dir);
      let reloads = 0;
      let asked!: () => void;
      const beforeLoadAsked = new Promise<void>((resolve) => (asked = resolve));
      let release!: () => void;
      const passEnded = new Promise<void>((resolve) => (release = resolve));
      const supervisor = {
        isRunning: () => true,
        exclusive: (task: () => Promise<unknown>) => task(),
        beforeLoad: () => (asked(), passEnded),
        reload: async () => {
          reloads += 1;
          return { ok: true, workerPid: 1, info: null };
        },
      } as unknown as CertificateSupervisor;
      serve("b", b);
      // Runtime fails (no master socket): the fallback reload first asks beforeLoad, which waits.
      const sync = manager.sync(supervisor);
      await beforeLoadAsked;
      await manager.close(); // a stop: the applier closes, its pass ends, beforeLoad resolves
      release();
      await sync;
      assert.equal(reloads, 0, "HAProxy reloaded while the reloader stopped it");
      assert.equal(lines.filter((l) => l["event"] === "certs.update-failed").length, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the default HAProxy serves is in status when no checked one was accepted (an expired one kept)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-certmgr-"));
    try {
      // As at start: server.pem built from metadata (parsed and key-matched only), now refused as expired.
      await writeFile(join(dir, "server.pem"), `${expired.cert}${expired.key}`, { mode: 0o600 });
      const client = {
        getJson: async () => ({ ssl_cert: expired.cert, ssl_key: expired.key }),
      } as unknown as MetadataClient;
      const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
      const logger = createLogger({ name: "test", level: "silent", format: "json", destination: silent });
      const manager = testCertificateManager(dir, client, logger);
      await manager.prepare();
      const snapshot = manager.snapshot();
      assert.deepEqual(
        snapshot.skipped.map((skip) => skip.name),
        ["default"],
      );
      const served = snapshot.served.find((cert) => cert.name === "default");
      assert.ok(served, JSON.stringify(snapshot.served));
      assert.deepEqual(served.names, ["old.test"]);
      assert.ok(served.daysLeft < 0, String(served.daysLeft));
      assert.ok(
        snapshot.warnings.some((warning) => warning.includes("default")),
        JSON.stringify(snapshot.warnings),
      );
      await manager.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("close() cuts a pass whose metadata read hangs: the stop is not held, nothing is applied", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-certmgr-"));
    try {
      const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
      const logger = createLogger({ name: "test", level: "silent", format: "json", destination: silent });
      let hang = false;
      const client = {
        getJson: (_path: string, signal?: AbortSignal) =>
          hang
            ? new Promise((_resolve, reject) =>
                signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true }),
              )
            : Promise.resolve({ certs: { a: { cert: a.cert, key: a.key } } }),
      } as unknown as MetadataClient;
      const manager = testCertificateManager(dir, client, logger);
      await manager.prepare();
      hang = true;
      let reloads = 0;
      const supervisor = {
        isRunning: () => true,
        exclusive: (task: () => Promise<unknown>) => task(),
        reload: async () => {
          reloads += 1;
          return { ok: false, kind: "rejected", reason: "not expected", info: null };
        },
      } as unknown as CertificateSupervisor;
      const pass = manager.sync(supervisor);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The pass in flight ends with the close, instead of waiting on the read.
      const ended = Promise.all([manager.close(), pass]).then(() => "ended");
      const waited = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 2000).unref());
      assert.equal(await Promise.race([ended, waited]), "ended");
      assert.equal(reloads, 0);
      const snapshot = manager.snapshot();
      assert.deepEqual(
        snapshot.served.map((c) => c.name),
        ["metadata/a"],
        "the last answer still stands",
      );
      assert.deepEqual(snapshot.warnings, [], "no source failure is reported for the aborted read");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a reloader started again while metadata is down keeps the metadata certificates the last one read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-certmgr-"));
    try {
      const logger = createLogger({
        name: "test",
        level: "silent",
        format: "json",
        destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
      });
      const paths = certificatePaths(dir);
      const up = { getJson: async () => ({ certs: { a: { cert: a.cert, key: a.key } } }) };
      const down = {
        getJson: () => Promise.reject(new Error("ECONNREFUSED")),
      };
      const manager = (client: object) =>
        testCertificateManager(dir, client as unknown as MetadataClient, logger);
      await manager(up).prepare();
      assert.match(await readFile(paths.crtList, "utf8"), /meta-a\.pem\n$/);
      assert.equal((await stat(paths.lastMetadata)).mode & 0o777, 0o600, "kept private");

      const restarted = manager(down);
      await restarted.prepare();
      assert.match(await readFile(paths.crtList, "utf8"), /meta-a\.pem\n$/, "still in the crt-list");
      await stat(join(paths.dir, "meta-a.pem"));
      assert.deepEqual(
        restarted.snapshot().served.map((c) => c.name),
        ["metadata/a"],
      );
      assert.match(restarted.snapshot().warnings.join("\n"), /metadata cannot be read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
