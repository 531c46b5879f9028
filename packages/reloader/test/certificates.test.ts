// Certificates by SNI (issue 14): metadata `certs`, SSL_CERT_DIR and the default certificate served by a
// real HAProxy to real TLS clients (Node tls/https/http2, curl, openssl s_client); bad ones skipped with a
// reason; changes applied through the runtime API under HTTPS load with no reload; STRICT_SNI; keys
// never outside the private state dir.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { connect as http2Connect } from "node:http2";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { startBackend, type Backend } from "../../test-support/src/http/index.ts";
import { metricValue, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { buildTree } from "../../test-support/src/metadata/index.ts";
import { readProc } from "../src/haproxy/confirm-reload.ts";
import type { Fixture } from "./helpers/fixture.ts";
import { createHttpsFixture } from "./helpers/https-fixture.ts";
import { mountedPem } from "./helpers/mounted-pem.ts";
import { issueLargeCertificate } from "./helpers/large-certificate.ts";
import { createTestCa, type TestCa, type TestPair } from "./helpers/make-test-certificates.ts";
import { startHttpsLoad, tlsHandshake } from "./helpers/tls-clients.ts";

const run = promisify(execFile);
const SITES = [
  "default.test",
  "a.test",
  "b.test",
  "c.test",
  "d.test",
  "x.w.test",
  "e.test",
  "f.test",
  "unknown.test",
];
let ca: TestCa;
let pairs: Record<string, TestPair>;

before(() => {
  ca = createTestCa();
  pairs = {
    default: ca.issue(["default.test"]),
    a: ca.issue(["a.test"]),
    a2: ca.issue(["a.test"]),
    b: ca.issue(["b.test", "www.b.test"]),
    c: ca.issue(["c.test"]),
    d: ca.issue(["d.test"]),
    e: ca.issue(["e.test"]),
    f: ca.issue(["f.test"]),
    wild: ca.issue(["*.w.test"]),
    default2: ca.issue(["default.test"]),
    expired: ca.issue(["old.test"], { start: "20200101000000Z", end: "20200201000000Z" }),
    other: ca.issue(["m.test"]),
    // node:crypto reads it; OpenSSL's security level (Debian: 2) makes HAProxy refuse it
    weak: ca.issue(["weak.test"], undefined, { rsaBits: 1024 }),
    // ~20 KB of subjectAltNames: larger than a runtime-API payload may be
    large: issueLargeCertificate(ca),
  };
});
after(() => ca.close());

const entry = (pair: TestPair) => ({ cert: pair.cert, key: pair.key });
const keyBody = (pair: TestPair) =>
  pair.key
    .split("\n")
    .filter((l) => l && !l.startsWith("-----"))
    .join("");

interface Site {
  fixture: Fixture;
  app: Backend;
  httpsPort: number;
  statusUrl: string;
  certDir: string;
  setMetadata(metadata: Record<string, unknown>): void;
}

// A reloader with ENABLE_SSL, the stand-in metadata holding `metadata`, and SSL_CERT_DIR holding `files`.
async function startSite(
  t: { after: (fn: () => unknown) => void },
  host: string,
  metadata: Record<string, unknown>,
  files: Record<string, string>,
  env: Record<string, string> = {},
): Promise<Site> {
  const { fixture, app, server, httpsPort } = await createHttpsFixture(t, { host, metadata, names: SITES });
  const certDir = join(fixture.dir, "certs");
  await mkdir(certDir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(certDir, name), text);
  await fixture.start([], {
    ENABLE_SSL: "true",
    RANCHER_API_HOST: server.hostPort,
    SSL_CERT_DIR: certDir,
    CERT_POLL_INTERVAL: "300ms",
    ...env,
  });
  const statusUrl = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  return {
    fixture,
    app,
    httpsPort,
    statusUrl,
    certDir,
    setMetadata: (next) => void server.setTree(buildTree({ domainSelf: { metadata: next } })),
  };
}

async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

async function masterReloads(stateDir: string): Promise<number> {
  const info = await readProc(join(stateDir, "master.sock"), 5000);
  assert.ok(info, "show proc answers");
  return info.reloads;
}

async function servedSerial(port: number, servername: string | undefined): Promise<string> {
  const handshake = await tlsHandshake(port, servername);
  assert.ok(handshake.ok, `handshake for ${servername ?? "no SNI"}: ${handshake.error}`);
  return handshake.serial;
}

test("every site gets its own certificate by SNI (metadata, directory, wildcard), unknown → default, h2, bad ones skipped, no key leaves the state dir", async (t) => {
  const site = await startSite(
    t,
    "127.0.0.81",
    {
      ssl_cert: pairs.default!.cert,
      ssl_key: pairs.default!.key,
      certs: {
        a: entry(pairs.a!),
        b: entry(pairs.b!),
        wild: entry(pairs.wild!),
        expired: entry(pairs.expired!),
        mismatch: { cert: pairs.other!.cert, key: pairs.a!.key },
        garbage: { cert: "garbage", key: "not a key" },
        weak: entry(pairs.weak!),
      },
    },
    { "c.crt": pairs.c!.cert, "c.key": pairs.c!.key, "d.pem": pairs.d!.cert + pairs.d!.key },
  );
  const { httpsPort: port } = site;
  const expected: [string | undefined, TestPair][] = [
    ["a.test", pairs.a!],
    ["b.test", pairs.b!],
    ["www.b.test", pairs.b!],
    ["c.test", pairs.c!],
    ["d.test", pairs.d!],
    ["x.w.test", pairs.wild!],
    ["unknown.test", pairs.default!],
    [undefined, pairs.default!],
    ["old.test", pairs.default!],
    ["m.test", pairs.default!],
    ["weak.test", pairs.default!],
  ];
  for (const [servername, pair] of expected)
    assert.equal(
      await servedSerial(port, servername),
      pair.serial,
      `certificate for ${servername ?? "no SNI"}`,
    );

  // HTTP/2 through ALPN, routed by :authority, X-Forwarded-Proto https.
  assert.equal((await tlsHandshake(port, "a.test", ["h2", "http/1.1"])).alpn, "h2");
  const session = http2Connect(`https://127.0.0.1:${port}`, {
    servername: "a.test",
    rejectUnauthorized: false,
  });
  t.after(() => session.close());
  const h2 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const stream = session.request({ ":path": "/", ":authority": "a.test" });
    let body = "";
    let status = 0;
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => (body += chunk));
    stream.on("end", () => resolve({ status, body }));
    stream.on("error", reject);
  });
  assert.deepEqual(h2, { status: 200, body: "app" });
  assert.equal(site.app.seen.at(-1)?.headers["x-forwarded-proto"], "https");
  const curl = await run("curl", [
    "-sk",
    "--http2",
    "--resolve",
    `b.test:${port}:127.0.0.1`,
    "-w",
    " %{http_version}",
    `https://b.test:${port}/`,
  ]);
  assert.equal(curl.stdout, "app 2");
  const sClient = await run("sh", [
    "-c",
    `echo | openssl s_client -connect 127.0.0.1:${port} -servername c.test 2>/dev/null`,
  ]);
  assert.match(sClient.stdout, /subject=CN = c\.test/);

  // Skipped with a reason, visible in the log, /healthz and /metrics; the start went on.
  const logs = site.fixture.reloader;
  const reasonOf = (name: string) =>
    String(logs.logs.find((l) => l.event === "certs.skipped" && l["certificate"] === name)?.["reason"]);
  assert.match(reasonOf("metadata/expired"), /expired/);
  assert.match(reasonOf("metadata/mismatch"), /does not belong/);
  assert.match(reasonOf("metadata/garbage"), /no PEM certificate/);
  // Before HAProxy judged new certificates, this one reached the crt-list and HAProxy did not start.
  assert.match(reasonOf("metadata/weak"), /^HAProxy refuses it: unable to load SSL certificate/);
  const health = await fetchText(`${site.statusUrl}/healthz`);
  assert.equal(health.status, 200, health.text);
  const certificates = (
    JSON.parse(health.text) as { certificates: { served: number; skipped: unknown[]; warnings: string[] } }
  ).certificates;
  assert.equal(certificates.served, 6);
  assert.equal(certificates.skipped.length, 4);
  assert.ok(
    certificates.warnings.some((w) => w.includes("metadata/expired")),
    health.text,
  );
  const metrics = (await fetchText(`${site.statusUrl}/metrics`)).text;
  assert.match(metrics, /^reloader_certificates_skipped 4$/m);
  assert.match(metrics, /^reloader_certificate_expiry_days\{name="metadata\/a"\} (19|20)(\.\d)?$/m);
  assert.match(metrics, /^reloader_certificate_expiry_days\{name="dir\/c"\} /m);

  // /config names the certificates, their SANs and expiry; never a key.
  const configText = (await fetchText(`${site.statusUrl}/config`)).text;
  assert.match(configText, /metadata\/b \(metadata\): b\.test www\.b\.test — expires /);
  const fingerprint = new X509Certificate(pairs.b!.leaf).fingerprint256;
  assert.match(configText, new RegExp(`^metadata/b .*, SHA-256 ${fingerprint}$`, "m"));
  assert.match(configText, /crt-list /);
  const configJson = JSON.parse((await fetchText(`${site.statusUrl}/config?format=json`)).text) as {
    certificates: { served: { name: string }[] };
  };
  assert.deepEqual(
    configJson.certificates.served.map((c) => c.name),
    ["default", "metadata/a", "metadata/b", "metadata/wild", "dir/c", "dir/d"],
  );

  // Keys only in the private state dir, 0600; not in the shared volume, the logs or the status answers.
  const certsDir = join(site.fixture.stateDir, "certs");
  assert.equal((await stat(certsDir)).mode & 0o777, 0o700);
  const pems = (await readdir(certsDir)).filter((name) => name.endsWith(".pem")).sort();
  assert.deepEqual(pems, ["dir-c.pem", "dir-d.pem", "meta-a.pem", "meta-b.pem", "meta-wild.pem"]);
  for (const name of pems) assert.equal((await stat(join(certsDir, name))).mode & 0o777, 0o600, name);
  const shared = await Promise.all(
    (await readdir(join(site.fixture.dir, "etc"))).map((name) =>
      readFile(join(site.fixture.dir, "etc", name), "utf8"),
    ),
  );
  const exposed = [...shared, configText, health.text, metrics, JSON.stringify(logs.logs)].join("\n");
  for (const pair of Object.values(pairs))
    assert.ok(!exposed.includes(keyBody(pair).slice(0, 40)), "no key outside the state dir");
  assert.doesNotMatch(exposed, /PRIVATE KEY/);
});

test("a certificate replaced, added or removed (metadata and directory) is served within seconds, 0 failed requests under HTTPS load, no reload", async (t) => {
  const metadata = (certs: Record<string, unknown>, base = pairs.default!) => ({
    ssl_cert: base.cert,
    ssl_key: base.key,
    certs,
  });
  const site = await startSite(t, "127.0.0.82", metadata({ a: entry(pairs.a!), b: entry(pairs.b!) }), {});
  const { httpsPort: port, fixture } = site;
  assert.equal(await servedSerial(port, "a.test"), pairs.a!.serial);
  const reloadsBefore = await masterReloads(fixture.stateDir);
  const load = startHttpsLoad(port, "a.test", "app");
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const served = (servername: string, pair: TestPair) =>
      waitFor(async () => (await tlsHandshake(port, servername)).serial === pair.serial, {
        timeoutMs: 20_000,
        message: `${servername} serves serial ${pair.serial}`,
      });
    // Replaced in metadata.
    site.setMetadata(metadata({ a: entry(pairs.a2!), b: entry(pairs.b!) }));
    await served("a.test", pairs.a2!);
    // Added (e) and removed (b) in metadata; the default certificate replaced.
    site.setMetadata(metadata({ a: entry(pairs.a2!), e: entry(pairs.e!) }, pairs.default2));
    await served("e.test", pairs.e!);
    await served("b.test", pairs.default2!);
    assert.equal(await servedSerial(port, "unknown.test"), pairs.default2!.serial);
    // Added in the directory (written elsewhere, renamed in).
    await writeFile(join(fixture.dir, "f.tmp"), pairs.f!.cert + pairs.f!.key);
    await rename(join(fixture.dir, "f.tmp"), join(site.certDir, "f.pem"));
    await served("f.test", pairs.f!);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } finally {
    const result = await load.stop();
    assert.equal(result.failed, 0, `failed requests: ${result.samples.join("; ")}`);
    assert.ok(result.sent > 50, `requests sent: ${result.sent}`);
    assert.ok(result.serials.has(pairs.a2!.serial), "the load saw the new certificate");
  }
  assert.equal(await masterReloads(fixture.stateDir), reloadsBefore, "no reload");
  const updates = fixture.reloader.logs.filter((line) => line.event === "certs.updated");
  assert.ok(updates.length >= 3, JSON.stringify(updates));
  assert.ok(
    updates.every((line) => line["mode"] === "runtime"),
    JSON.stringify(updates),
  );
  // The removed certificate's file stays for its grace (≈ 65 s: a routing check may still load it;
  // stale-certificate-files.test.ts), out of the crt-list at once.
  assert.ok((await readdir(join(fixture.stateDir, "certs"))).includes("meta-b.pem"), "kept for its grace");
  const list = await readFile(join(fixture.stateDir, "certs", "crt-list"), "utf8");
  assert.doesNotMatch(list, /meta-b\.pem/);
  assert.match(list, /meta-e\.pem/);
  assert.match(list, /dir-f\.pem/);
});

// HAPROXY_SSL_CERT names a file the user manages (a mounted secret, a certbot renewal): HAProxy loads a
// checked copy in the state dir, never the file itself.
test("a mounted HAPROXY_SSL_CERT renewed on disk is served within seconds with no reload; a broken edit keeps the served one, says why, and routing changes still apply", async (t) => {
  // Renewed the way a tool replaces a file: written beside it, renamed over it (`replace`).
  const { path: mounted, replace } = await mountedPem(
    t,
    "rh-mounted-cert-",
    pairs.default!.cert + pairs.default!.key,
  );
  // No ssl_cert in metadata: the mounted file is the default certificate's only source.
  const site = await startSite(t, "127.0.0.85", {}, {}, { HAPROXY_SSL_CERT: mounted });
  const { httpsPort: port, fixture } = site;
  assert.equal(await servedSerial(port, "unknown.test"), pairs.default!.serial);
  const config = await fetchText(`${site.statusUrl}/config?file=haproxy.cfg`);
  assert.ok(config.text.includes(`crt ${join(fixture.stateDir, "server.pem")}`), "HAProxy loads the copy");
  assert.ok(!config.text.includes(mounted), "never the mounted file");
  const reloadsBefore = await masterReloads(fixture.stateDir);

  // Renewed: the new certificate goes live through the runtime API.
  const renewed = fixture.reloader.logs.length;
  await replace(pairs.default2!.cert + pairs.default2!.key);
  await waitFor(async () => (await servedSerial(port, "unknown.test")) === pairs.default2!.serial, {
    timeoutMs: 20_000,
    message: "the renewed default certificate is served",
  });
  assert.equal(await masterReloads(fixture.stateDir), reloadsBefore, "no reload");
  const updated = await fixture.reloader.waitForEvent("certs.updated", { from: renewed });
  assert.equal(updated["mode"], "runtime");

  // A broken edit: refused with its reason, the renewed certificate stays served.
  const from = fixture.reloader.logs.length;
  await replace(`${pairs.default2!.cert}-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n`);
  const skipped = await fixture.reloader.waitForEvent("certs.skipped", { from });
  assert.equal(skipped["certificate"], "default");
  assert.match(String(skipped["reason"]), new RegExp(`^HAPROXY_SSL_CERT=${mounted}: `));
  const health = JSON.parse((await fetchText(`${site.statusUrl}/healthz`)).text) as {
    certificates: { warnings: string[] };
  };
  assert.ok(
    health.certificates.warnings.some((warning) => warning.includes("HAPROXY_SSL_CERT=")),
    JSON.stringify(health.certificates.warnings),
  );
  assert.equal(await servedSerial(port, "unknown.test"), pairs.default2!.serial);
  // A routing change that needs a reload still passes haproxy -c (which loaded the broken file before).
  const app2 = await startBackend({ name: "app2", host: "127.0.0.86" });
  t.after(() => app2.close());
  const from2 = fixture.reloader.logs.length;
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: site.app.address }] },
      { name: "app2", servers: [{ address: app2.address }] },
    ]),
    map: renderTestMap({ ...Object.fromEntries(SITES.map((name) => [name, "app"])), "new.test": "app2" }),
  });
  await fixture.reloader.waitForEvent("reload.applied", { from: from2 });
  assert.equal(fixture.reloader.count("check.failed"), 0);
  assert.equal(await servedSerial(port, "unknown.test"), pairs.default2!.serial);
});

test("a directory certificate caught half written is still served; the finished renewal replaces it, a removed file drops it", async (t) => {
  const metadata = { ssl_cert: pairs.default!.cert, ssl_key: pairs.default!.key };
  const site = await startSite(t, "127.0.0.89", metadata, { "a.pem": pairs.a!.cert + pairs.a!.key });
  const { httpsPort: port, fixture } = site;
  assert.equal(await servedSerial(port, "a.test"), pairs.a!.serial);
  const reloadsBefore = await masterReloads(fixture.stateDir);
  const served = (pair: TestPair) =>
    waitFor(async () => (await tlsHandshake(port, "a.test")).serial === pair.serial, {
      timeoutMs: 20_000,
      message: `a.test serves serial ${pair.serial}`,
    });
  // Written in place, not renamed: caught with only the new chain in it.
  const from = fixture.reloader.logs.length;
  await writeFile(join(site.certDir, "a.pem"), pairs.a2!.cert);
  await fixture.reloader.waitForEvent("certs.skipped", {
    from,
    timeoutMs: 10_000,
    match: (line) =>
      line["certificate"] === "dir/a" &&
      String(line["reason"]).endsWith("the previous version is still served"),
  });
  // Several polls (300 ms each) later, still the previous certificate, never the default.
  for (let i = 0; i < 5; i++) {
    assert.equal(await servedSerial(port, "a.test"), pairs.a!.serial, `handshake ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const config = JSON.parse((await fetchText(`${site.statusUrl}/config?format=json`)).text) as {
    certificates: { served: { name: string }[]; skipped: { name: string; reason: string }[] };
  };
  assert.deepEqual(
    config.certificates.served.map((c) => c.name),
    ["default", "dir/a"],
  );
  assert.match(config.certificates.skipped.find((c) => c.name === "dir/a")?.reason ?? "", /previous version/);
  await writeFile(join(site.certDir, "a.pem"), pairs.a2!.cert + pairs.a2!.key);
  await served(pairs.a2!);
  await rm(join(site.certDir, "a.pem"));
  await served(pairs.default!);
  assert.equal(await masterReloads(fixture.stateDir), reloadsBefore, "no reload");
});

test("STRICT_SNI=true: an unknown or missing SNI fails the handshake, a known one is served", async (t) => {
  const site = await startSite(
    t,
    "127.0.0.83",
    { ssl_cert: pairs.default!.cert, ssl_key: pairs.default!.key, certs: { a: entry(pairs.a!) } },
    {},
    { STRICT_SNI: "true" },
  );
  assert.equal(await servedSerial(site.httpsPort, "a.test"), pairs.a!.serial);
  assert.equal((await tlsHandshake(site.httpsPort, "unknown.test")).ok, false);
  assert.equal((await tlsHandshake(site.httpsPort, undefined)).ok, false);
  const sClient = await run("sh", [
    "-c",
    `echo | openssl s_client -connect 127.0.0.1:${site.httpsPort} -servername unknown.test 2>&1; echo exit=$?`,
  ]);
  assert.match(sClient.stdout, /alert|handshake failure/i);
  assert.match(sClient.stdout, /exit=1/);
  assert.match(
    await readFile(site.fixture.baseConfig, "utf8"),
    /crt-list \S+ alpn h2,http\/1\.1 strict-sni$/m,
  );
});

test("a certificate too large for a runtime-API payload is applied by a reload instead", async (t) => {
  const metadata = (certs: Record<string, unknown>) => ({
    ssl_cert: pairs.default!.cert,
    ssl_key: pairs.default!.key,
    certs,
  });
  const site = await startSite(t, "127.0.0.84", metadata({ a: entry(pairs.a!) }), {});
  assert.ok(pairs.large!.cert.length > 16_000, `large certificate: ${pairs.large!.cert.length} bytes`);
  const reloadsBefore = await masterReloads(site.fixture.stateDir);
  site.setMetadata(metadata({ a: entry(pairs.a!), large: entry(pairs.large!) }));
  await waitFor(
    async () => (await tlsHandshake(site.httpsPort, "large.test")).serial === pairs.large!.serial,
    {
      timeoutMs: 30_000,
      message: "large.test is served",
    },
  );
  assert.equal(await servedSerial(site.httpsPort, "name-699.large-alias.test"), pairs.large!.serial);
  assert.equal(await servedSerial(site.httpsPort, "a.test"), pairs.a!.serial);
  const update = await site.fixture.reloader.waitForEvent("certs.updated");
  assert.equal(update["mode"], "reload");
  assert.deepEqual(update["added"], ["meta-large.pem"]);
  assert.match(
    String(site.fixture.reloader.logs.find((l) => l.event === "certs.runtime-failed")?.["reason"]),
    /too large/,
  );
  assert.equal(await masterReloads(site.fixture.stateDir), reloadsBefore + 1);
  // That reload is counted like any other, with its reason (found by a review: it was not counted), and
  // the worker it started runs the snapshot the applier knew: the next routing change is a runtime update,
  // not a reload for `state-unknown` (found by the same review).
  const samples = await scrapeMetrics(site.statusUrl);
  assert.equal(metricValue(samples, "reloader_reloads_total", { result: "ok" }), reloadsBefore + 1);
  assert.equal(metricValue(samples, "reloader_reloads_by_reason_total", { reason: "certificates" }), 1);
  const from = site.fixture.reloader.logs.length;
  await site.fixture.write({
    map: renderTestMap(Object.fromEntries([...SITES, "new.test"].map((name) => [name, "app"]))),
  });
  await site.fixture.reloader.waitForEvent("runtime.applied", { from });
  assert.equal(await masterReloads(site.fixture.stateDir), reloadsBefore + 1, "no reload for the change");
});
