// The start's default certificate with HAPROXY_SSL_CERT: a good mounted file is copied into the state
// dir; a broken one is fatal (exit 2) unless the copy an earlier start checked is there, which then stays
// (a reloader restarted after a crash must not exit on an edit its running manager had skipped).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import { createLogger, createMetadataClient, type MetadataClient } from "@rancher-haproxy/core";
import { buildTree, startMetadataServer } from "@rancher-haproxy/test-support";
import { planCertificates } from "../src/certs/model/plan-certificates.ts";
import { readCertificateSources } from "../src/certs/sources/read-certificate-sources.ts";
import type { SslOptions } from "../src/options/reloader-options.ts";
import { resolveOptions } from "../src/options/resolve-options.ts";
import { prepareCertificate } from "../src/setup/prepare-certificate.ts";
import { MAX_SSL_ANSWER_BYTES } from "../src/sources/read-ssl-material.ts";
import { StartupError } from "../src/startup-error.ts";
import { createTestCa, type TestCa, type TestPair } from "./helpers/make-test-certificates.ts";

let ca: TestCa;
let pair: TestPair;
let expired: TestPair;
before(() => {
  ca = createTestCa();
  pair = ca.issue(["default.test"]);
  expired = ca.issue(["old.test"], { start: "20200101000000Z", end: "20200201000000Z" });
});
after(() => ca.close());

// No metadata: a test that reaches it fails.
const noMetadata: MetadataClient = {
  baseUrl: "http://unused",
  getJson: () => Promise.reject(new Error("metadata is not asked")),
  getText: () => Promise.reject(new Error("metadata is not asked")),
  waitForVersion: () => Promise.reject(new Error("metadata is not asked")),
};
// HAProxy's judgement stood in for: these PEMs are all ones it loads.
const accepts = () => Promise.resolve(null);

async function setup(t: { after: (fn: () => unknown) => void }) {
  const dir = await mkdtemp(join(tmpdir(), "rh-prepare-cert-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ssl: SslOptions = {
    enabled: true,
    port: 443,
    certPath: join(dir, "state", "server.pem"),
    certFile: join(dir, "mounted.pem"),
    base64Encoded: false,
    redirect: null,
    certDir: null,
    strictSni: false,
    pollIntervalMs: 0,
    names: { enabled: "ENABLE_SSL=true", certFile: "HAPROXY_SSL_CERT" },
  };
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line) as never);
      done();
    },
  });
  return { ssl, lines, logger: createLogger({ name: "test", format: "json", destination }) };
}

test("a good mounted HAPROXY_SSL_CERT is copied into the state dir HAProxy loads", async (t) => {
  const { ssl, logger } = await setup(t);
  await writeFile(ssl.certFile ?? "", pair.cert + pair.key);
  assert.equal(await prepareCertificate(ssl, noMetadata, logger, accepts), "file");
  assert.equal(await readFile(ssl.certPath, "utf8"), pair.cert + pair.key);
});

test("a broken mounted file is fatal at a first start, and keeps the checked copy at a restart", async (t) => {
  const { ssl, logger, lines } = await setup(t);
  await writeFile(ssl.certFile ?? "", "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
  await assert.rejects(
    prepareCertificate(ssl, noMetadata, logger, accepts),
    (error) => error instanceof StartupError && error.message.startsWith(`HAPROXY_SSL_CERT=${ssl.certFile} `),
  );
  // The copy an earlier start wrote: it stays, with a warning naming the refused file.
  await writeFile(ssl.certFile ?? "", pair.cert + pair.key);
  await prepareCertificate(ssl, noMetadata, logger, accepts);
  await writeFile(ssl.certFile ?? "", pair.cert); // the key lost in an edit
  assert.equal(await prepareCertificate(ssl, noMetadata, logger, accepts), "file");
  assert.equal(await readFile(ssl.certPath, "utf8"), pair.cert + pair.key, "the copy is unchanged");
  const kept = lines.find((line) => line["event"] === "certificate.kept");
  assert.equal(kept?.["refused"], ssl.certFile);
  assert.match(String(kept?.["reason"]), /private key/);
  // HAProxy refusing the mounted file (its judgement) is the same.
  const refuses = (pem: string) => Promise.resolve(pem.includes("BROKEN") ? "HAProxy refuses it" : null);
  await writeFile(ssl.certFile ?? "", `${pair.cert}${pair.key}# BROKEN\n`);
  assert.equal(await prepareCertificate(ssl, noMetadata, logger, refuses), "file");
});

test("at a restart, a mounted file the running manager refuses (an expired renewal) or that is gone keeps the copy", async (t) => {
  const { ssl, logger, lines } = await setup(t);
  const mounted = ssl.certFile ?? "";
  // A first start serves an expired file (there is nothing else), as before.
  await writeFile(mounted, expired.cert + expired.key);
  assert.equal(await prepareCertificate(ssl, noMetadata, logger, accepts), "file");
  assert.equal(await readFile(ssl.certPath, "utf8"), expired.cert + expired.key);
  // A good copy in place, then the mounted file replaced by an expired one: the copy stays.
  await writeFile(mounted, pair.cert + pair.key);
  await prepareCertificate(ssl, noMetadata, logger, accepts);
  await writeFile(mounted, expired.cert + expired.key);
  assert.equal(await prepareCertificate(ssl, noMetadata, logger, accepts), "file");
  assert.equal(await readFile(ssl.certPath, "utf8"), pair.cert + pair.key, "not replaced by the expired one");
  const kept = () => lines.filter((line) => line["event"] === "certificate.kept");
  assert.match(String(kept().at(-1)?.["reason"]), /expired/);
  // The mounted file gone: the copy stays, and metadata (down here) is not asked.
  await rm(mounted);
  assert.equal(await prepareCertificate(ssl, noMetadata, logger, accepts), "file");
  assert.equal(kept().at(-1)?.["reason"], "it does not exist");
  assert.equal(await readFile(ssl.certPath, "utf8"), pair.cert + pair.key);
  // A directory in its place (Docker makes one of a vanished bind source): the copy stays too.
  await mkdir(mounted);
  assert.equal(await prepareCertificate(ssl, noMetadata, logger, accepts), "file");
  assert.equal(kept().at(-1)?.["reason"], "not a regular file");
});

test("a mounted chain of more than 8 certificates is refused at start, as every poll would refuse it", async (t) => {
  const { ssl, logger } = await setup(t);
  await writeFile(ssl.certFile ?? "", pair.leaf + ca.caCert.repeat(8) + pair.key);
  await assert.rejects(
    prepareCertificate(ssl, noMetadata, logger, accepts),
    /holds a chain of more than 8 certificates/,
  );
});

test("without HAPROXY_SSL_CERT, a start that cannot build the default certificate names no HAPROXY_SSL_CERT", async (t) => {
  const { ssl, logger } = await setup(t);
  const unset: SslOptions = { ...ssl, certFile: null };
  // Metadata unreadable, then without ssl_cert: the image's first start with ENABLE_SSL=true.
  const notFound = Object.assign(new Error("HTTP 404"), { kind: "not-found" });
  const answering = (reply: () => Promise<unknown>): MetadataClient => ({ ...noMetadata, getJson: reply });
  for (const client of [noMetadata, answering(() => Promise.reject(notFound))])
    await assert.rejects(prepareCertificate(unset, client, logger, accepts), (error) => {
      assert.ok(error instanceof StartupError && error.exitCode === 2);
      assert.doesNotMatch(error.message, /HAPROXY_SSL_CERT=/, "the variable is unset");
      assert.match(error.message, /^ENABLE_SSL=true and no default certificate: HAPROXY_SSL_CERT is unset, /);
      assert.ok(error.message.includes(unset.certPath), "it names the state dir's copy it looked for");
      return true;
    });
  // A broken copy in the state dir (no mounted file): named as that copy, not as HAPROXY_SSL_CERT.
  await mkdir(join(unset.certPath, ".."), { recursive: true });
  await writeFile(unset.certPath, pair.cert);
  await assert.rejects(prepareCertificate(unset, noMetadata, logger, accepts), (error) => {
    assert.ok(error instanceof StartupError);
    assert.doesNotMatch(error.message, /HAPROXY_SSL_CERT=/);
    assert.ok(error.message.startsWith(`the default certificate ${unset.certPath} `), error.message);
    return true;
  });
});

// ssl_cert and ssl_key were read to the general 64 MiB cap (review of 2026-12-06).
test("without a certificate file, ssl_cert and ssl_key are read to MAX_SSL_ANSWER_BYTES: one byte more fails the start naming the cap", async (t) => {
  const { ssl, logger } = await setup(t);
  const unset: SslOptions = { ...ssl, certFile: null };
  assert.equal(MAX_SSL_ANSWER_BYTES, 1_597_442);
  // The one field quoted to the cap, then one byte more; the other field is the good pair's.
  for (const field of ["ssl_cert", "ssl_key"] as const)
    for (const bytes of [MAX_SSL_ANSWER_BYTES, MAX_SSL_ANSWER_BYTES + 1]) {
      const metadata = { ssl_cert: pair.cert, ssl_key: pair.key, [field]: "x".repeat(bytes - 2) };
      const server = await startMetadataServer({ tree: buildTree({ domainSelf: { metadata }, stacks: [] }) });
      t.after(() => server.close());
      const client = createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19" });
      await assert.rejects(prepareCertificate(unset, client, logger, accepts), (error) => {
        assert.ok(error instanceof StartupError && error.exitCode === 2, String(error));
        const expected =
          bytes === MAX_SSL_ANSWER_BYTES
            ? "metadata ssl_cert or ssl_key is larger than 65536 characters"
            : `/self/service/metadata/${field}: answer larger than ${MAX_SSL_ANSWER_BYTES} bytes (the cap of this path's answer): not read further`;
        assert.ok(error.message.endsWith(expected), `${field}, ${bytes} bytes: ${error.message}`);
        return true;
      });
    }
});

// Found by a review: given as flags, the options were named as the variables the user never set
// ("HAPROXY_SSL_CERT=/x not a regular file" for --ssl-cert /x), at start and in /healthz's warnings.
test("--enable-ssl and --ssl-cert are named as flags, at start and by the certificate manager", async (t) => {
  const { ssl: given, logger } = await setup(t);
  const mounted = given.certFile ?? "";
  const flags = { "enable-ssl": "true", "ssl-cert": mounted, "state-dir": join(mounted, "..", "state") };
  const { ssl } = resolveOptions(flags, {});
  assert.deepEqual(ssl.names, { enabled: "--enable-ssl", certFile: "--ssl-cert" });
  await assert.rejects(prepareCertificate(ssl, noMetadata, logger, accepts), (error) => {
    assert.ok(error instanceof StartupError);
    assert.match(error.message, /^--enable-ssl and --ssl-cert=\S+ does not exist, and the metadata /);
    return true;
  });
  await writeFile(mounted, pair.cert);
  await assert.rejects(
    prepareCertificate(ssl, noMetadata, logger, accepts),
    (error) => error instanceof StartupError && error.message.startsWith(`--ssl-cert=${mounted} `),
  );
  // The manager's check of the same file (a /healthz warning): named the same way.
  const read = await readCertificateSources(noMetadata, ssl, null);
  const plan = planCertificates({ ...read, base64Encoded: false, manageDefault: false, now: Date.now() });
  assert.match(plan.skipped[0]?.reason ?? "", new RegExp(`^--ssl-cert=${mounted}: `));
  // The variables, when they are what the user set.
  const env = resolveOptions({}, { ENABLE_SSL: "true", HAPROXY_SSL_CERT: mounted });
  assert.deepEqual(env.ssl.names, { enabled: "ENABLE_SSL=true", certFile: "HAPROXY_SSL_CERT" });
});
