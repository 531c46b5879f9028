// TLS: the certificate built from metadata (plain or base64) or taken from HAPROXY_SSL_CERT, the HTTPS
// frontend with X-Forwarded-Proto, the redirection, and clear start-up errors that never leak the key.
import assert from "node:assert/strict";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import {
  freePort,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { buildTree, startMetadataServer } from "../../test-support/src/metadata/index.ts";
import { createFixture } from "./helpers/fixture.ts";
import { createTestCa } from "./helpers/make-test-certificates.ts";
import { otherKey, recordedCertificate } from "./helpers/test-certificate.ts";

const CERT = recordedCertificate();
const keyBody = (key: string) =>
  key
    .split("\n")
    .filter((line) => line && !line.startsWith("-----"))
    .join("");

async function metadataWith(t: { after: (fn: () => unknown) => void }, metadata: Record<string, unknown>) {
  const server = await startMetadataServer({ tree: buildTree({ domainSelf: { metadata } }) });
  t.after(() => server.close());
  return server;
}

function assertNoKeyMaterial(lines: readonly unknown[], key: string): void {
  const text = lines.map((line) => JSON.stringify(line)).join("\n");
  const body = keyBody(key);
  assert.ok(!text.includes(body.slice(0, 40)), "the key never reaches the log");
  assert.ok(!text.includes("PRIVATE KEY-----\\n"), "no PEM key block in the log");
}

for (const encoding of ["plain", "base64"] as const) {
  test(`ENABLE_SSL with the certificate from metadata (${encoding}): HTTPS answers, HTTP redirects`, async (t) => {
    const app = await startBackend({ name: "app", host: encoding === "plain" ? "127.0.0.61" : "127.0.0.62" });
    t.after(() => app.close());
    const encode = (text: string) => (encoding === "base64" ? Buffer.from(text).toString("base64") : text);
    const metadata = await metadataWith(t, { ssl_cert: encode(CERT.cert), ssl_key: encode(CERT.key) });
    const httpsPort = await freePort();
    const fixture = await createFixture((fn) => t.after(fn), {
      backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
      map: renderTestMap({ "app.dev.tld": "app" }),
      args: ["--https-port", String(httpsPort), "--ssl-redirection-type", "308"],
      env: {
        ENABLE_SSL: "true",
        ENABLE_SSL_REDIRECTION: "yes",
        SSL_BASE64_ENCODED: encoding === "base64" ? "TRUE" : "false",
        RANCHER_API_HOST: metadata.hostPort,
      },
      deferStart: true,
    });
    // Unset HAPROXY_SSL_CERT: the PEM is built into the private state dir, never into the volume.
    const certPath = join(fixture.stateDir, "server.pem");
    await fixture.start();

    const written = await fixture.reloader.waitForEvent("certificate.written");
    assert.match(String(written["subject"]), /example\.test/);
    assert.equal((await stat(certPath)).mode & 0o777, 0o600);
    const pem = await readFile(certPath, "utf8");
    assert.match(
      pem,
      /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----/,
    );

    const secure = await httpRequest({ url: `https://127.0.0.1:${httpsPort}/`, host: "app.dev.tld" });
    assert.equal(secure.status, 200);
    assert.equal(secure.body, "app");
    assert.equal(app.seen.at(-1)?.headers["x-forwarded-proto"], "https");

    const plain = await httpRequest({ url: fixture.url, host: "app.dev.tld" });
    assert.equal(plain.status, 308);
    assert.equal(plain.headers["location"], "https://app.dev.tld/");
    assertNoKeyMaterial(fixture.reloader.logs, CERT.key);
  });
}

// One raw exchange on a fresh connection; returns the head of the answer (status line and headers).
function rawHead(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(request));
    let data = "";
    socket.setTimeout(5000, () => socket.destroy(new Error("no answer within 5 s")));
    socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(data.split("\r\n\r\n")[0] ?? ""));
  });
}

test("ENABLE_SSL_REDIRECTION: a request without a Host gets the 503, not a redirect to https:///", async (t) => {
  // Until 2026-12-04 an HTTP/1.0 request without Host (or an empty one) was sent to `https:///x`, a URL
  // without a host; the docs promise a missing Host the clean 503.
  const app = await startBackend({ name: "app", host: "127.0.0.63" });
  t.after(() => app.close());
  const metadata = await metadataWith(t, { ssl_cert: CERT.cert, ssl_key: CERT.key });
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    args: ["--https-port", String(await freePort())],
    env: { ENABLE_SSL: "true", ENABLE_SSL_REDIRECTION: "true", RANCHER_API_HOST: metadata.hostPort },
  });
  for (const request of [
    "GET /x HTTP/1.0\r\n\r\n",
    "GET /x HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n",
    "GET http://app.dev.tld/x HTTP/1.0\r\n\r\n",
  ]) {
    const head = await rawHead(fixture.httpPort, request);
    assert.match(head, /^HTTP\/1\.1 503 /, `${JSON.stringify(request)}: ${head}`);
    assert.doesNotMatch(head, /^location:/im, JSON.stringify(request));
  }
  const named = await rawHead(fixture.httpPort, "GET /x HTTP/1.0\r\nHost: app.dev.tld\r\n\r\n");
  assert.match(named, /^HTTP\/1\.1 301 /);
  assert.match(named, /^location: https:\/\/app\.dev\.tld\/x$/im);
  assert.equal(app.requests, 0);
});

test("an existing HAPROXY_SSL_CERT is used as is (metadata not needed)", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.63" });
  t.after(() => app.close());
  const httpsPort = await freePort();
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    deferStart: true,
  });
  const certPath = join(fixture.dir, "mounted.pem");
  await writeFile(certPath, `${CERT.cert.trim()}\n${CERT.key.trim()}\n`, { mode: 0o600 });
  await fixture.start(["--enable-ssl", "--ssl-cert", certPath, "--https-port", String(httpsPort)]);
  await fixture.reloader.waitForEvent("certificate.found");
  assert.equal(fixture.reloader.count("certificate.written"), 0);
  const secure = await httpRequest({ url: `https://127.0.0.1:${httpsPort}/`, host: "APP.dev.tld" });
  assert.equal(secure.body, "app");
  // Without redirection, plain HTTP keeps routing.
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
});

const startupFailures: {
  name: string;
  metadata: Record<string, unknown> | null;
  file?: "directory";
  message: RegExp;
  key?: string;
}[] = [
  {
    name: "a key that does not belong to the certificate",
    metadata: { ssl_cert: CERT.cert, ssl_key: otherKey() },
    message: /does not belong/,
  },
  {
    name: "a certificate that is not PEM",
    metadata: { ssl_cert: "hello", ssl_key: CERT.key },
    message: /no PEM certificate/,
    key: CERT.key,
  },
  {
    name: "base64 flag on plain PEM",
    metadata: { ssl_cert: CERT.cert, ssl_key: CERT.key, base64: true },
    message: /not valid base64/,
    key: CERT.key,
  },
  { name: "no ssl_key in metadata", metadata: { ssl_cert: CERT.cert }, message: /has no ssl_key/ },
  { name: "metadata unreachable", metadata: null, message: /could not be read/ },
  {
    name: "an unreadable certificate file",
    metadata: null,
    file: "directory",
    message: /--ssl-cert=\S+ not a regular file/,
  },
];

for (const failure of startupFailures) {
  test(`ENABLE_SSL start-up error: ${failure.name} → exit 2, clear message, no HAProxy`, async (t) => {
    const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
    const { base64, ...material } = failure.metadata ?? {};
    const env: Record<string, string> = { ENABLE_SSL: "true", SSL_BASE64_ENCODED: base64 ? "true" : "false" };
    if (failure.metadata) env["RANCHER_API_HOST"] = (await metadataWith(t, material)).hostPort;
    const certPath = join(fixture.dir, "tls", "server.pem");
    if (failure.file === "directory") await mkdir(certPath, { recursive: true });
    const child = await fixture.start(
      ["--ssl-cert", certPath, "--https-port", String(await freePort())],
      env,
    );
    const exit = await child.exited;
    assert.deepEqual(exit, { code: 2, signal: null });
    const fatal = child.logs.find((line) => line.event === "reloader.start-failed");
    assert.ok(fatal, "a start-up error is logged");
    assert.match(String(fatal["err"]), failure.message);
    assert.equal(child.count("haproxy.started"), 0);
    assertNoKeyMaterial(child.logs, CERT.key);
    if (failure.key) assertNoKeyMaterial(child.logs, failure.key);
    if (!failure.file)
      await assert.rejects(stat(certPath), { code: "ENOENT" }, "no certificate file is written");
  });
}

test("SYSLOG_HOST unset: logs go to the host's agent_ip from metadata; metadata down: to stdout", async (t) => {
  const metadata = await metadataWith(t, {});
  const withMetadata = await createFixture((fn) => t.after(fn), {
    env: { SYSLOG_HOST: "", RANCHER_API_HOST: metadata.hostPort },
  });
  const target = await withMetadata.reloader.waitForEvent("syslog.target");
  assert.equal(target["host"], "127.0.0.250");
  assert.match(await readFile(withMetadata.baseConfig, "utf8"), /^ {4}log 127\.0\.0\.250 daemon$/m);

  const without = await createFixture((fn) => t.after(fn), {
    env: { SYSLOG_HOST: "", RANCHER_API_HOST: "127.0.0.1:9" },
  });
  const fallback = await without.reloader.waitForEvent("syslog.target");
  assert.equal(fallback["source"], "stdout");
  assert.match(await readFile(without.baseConfig, "utf8"), /^ {4}log stdout format raw local0$/m);
  // HAProxy's own log lines now arrive in the reloader's log.
  await httpRequest({ url: without.url, host: "nothing.dev.tld" });
  await waitFor(
    () =>
      without.reloader.count("haproxy.output", (line) => String(line["line"]).includes("rh_no_route")) > 0,
    {
      timeoutMs: 5000,
      message: "the access log line",
    },
  );
});

// node:crypto reads an RSA-1024 certificate; HAProxy (OpenSSL's security level 2 on Debian) refuses it.
// Before, HAProxy's start failed on it: exit 1 and a generic message.
for (const source of ["metadata", "file"] as const) {
  test(`ENABLE_SSL start-up error: a default certificate HAProxy refuses (${source}) → exit 2 naming it, no HAProxy`, async (t) => {
    const ca = createTestCa();
    t.after(() => ca.close());
    const weak = ca.issue(["weak.test"], undefined, { rsaBits: 1024 });
    const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
    const certPath = join(fixture.dir, "tls", "server.pem");
    const env: Record<string, string> = { ENABLE_SSL: "true" };
    if (source === "metadata")
      env["RANCHER_API_HOST"] = (await metadataWith(t, { ssl_cert: weak.cert, ssl_key: weak.key })).hostPort;
    else {
      await mkdir(join(fixture.dir, "tls"));
      await writeFile(certPath, weak.cert + weak.key, { mode: 0o600 });
    }
    const child = await fixture.start(
      ["--ssl-cert", certPath, "--https-port", String(await freePort())],
      env,
    );
    assert.deepEqual(await child.exited, { code: 2, signal: null });
    const fatal = child.logs.find((line) => line.event === "reloader.start-failed");
    const named = source === "metadata" ? /^.*metadata ssl_cert\/ssl_key: / : /--ssl-cert=\S+server\.pem: /;
    assert.match(String(fatal?.["err"]), named);
    assert.match(String(fatal?.["err"]), /HAProxy refuses it/);
    assert.equal(child.count("haproxy.started"), 0);
    assertNoKeyMaterial(child.logs, weak.key);
    if (source === "metadata")
      await assert.rejects(stat(certPath), { code: "ENOENT" }, "no certificate file is written");
  });
}
