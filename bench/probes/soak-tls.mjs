// A second soak of the whole pair (bench/README.md, "Soak"), on what soak.mjs leaves out: TLS with
// certificates churned the way a user does it, the reloader stopped with SIGTERM and started again (HAProxy
// stops with it by design), long-lived streams while other stacks change (runtime steps, reloads, storms of
// reloads that reach the 20-old-worker hold), and a TCP route (map-public-tcp) under scale events.
// The world: stacks alpha, bravo, charlie (2 containers each, fixed; each has its own certificate: alpha in
// metadata `certs:`, bravo as SSL_CERT_DIR/bravo.pem, charlie as bravo.crt + .key), `scaler` (1..4, scaled:
// runtime steps), `stream` (one container answering GET /stream), extra1..3 (added and removed: reloads) and
// `tcp` (1..4 echo servers on TCP_PORTS). zulu.soak.tld has no certificate and no route (the default one).
// Judges: every HTTPS answer's certificate is one expected for its SNI from the last confirmed
// certificate set to the answer's end, and no handshake fails; every HTTP answer and TCP greeting comes
// from a container routed in that window (an old worker's one more keep-alive answer: keepAliveJudgeFrom);
// a stream or held TCP connection is cut only by a SIGTERM stop, or ≥ HARD_STOP_AFTER after a reload that
// came after it opened (a TCP one also when its server left);
// none outlives such a reload by more than HARD_STOP_AFTER + 15 s; never more than 20 old workers; after
// each quiet period the worker = the files = the snapshot and every SNI serves its expected certificate.
// Requests failing while the reloader is stopped with SIGTERM and started again are counted, not judged,
// but a request in flight at the SIGTERM must finish. Loopback only; uses the built programs.
// Usage: node bench/probes/soak-tls.mjs [seconds=840] [seed=1] [logdir]
//   SOAK_SELFTEST=cert,tcp,handshake,stream,outlived,inflight,oldworkers (any of them, comma-separated): a
//   hidden fault each judge must report (see selfTest and the SELFTEST uses below).
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdir, mkdtemp, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  freePorts,
  openEchoConnection,
  openStream,
  spawnReloader,
  startBackend,
  startEchoServer,
  startMetadataServer,
  startPair,
  tailLogs,
  worldTree,
} from "../../packages/test-support/dist/index.js";
import {
  FD_LIMIT_ALERT,
  checkHealthz,
  convergedProblems,
  errorLineText,
  exitWatcher,
  keepAliveJudgeFrom,
  killLeftMaster,
  procStats,
  reloaderEnvFor,
  seededChurn,
  sendHttp,
  showProc,
  sleep,
  stopOnProbeCrash,
  writeLogs,
} from "./soak-common.mjs";

const SECONDS = Number(process.argv[2] ?? 840);
const SEED = Number(process.argv[3] ?? 1);
const SELFTEST = process.env["SOAK_SELFTEST"] ?? "";
const selfTesting = new Set(SELFTEST.split(",").filter(Boolean));
const DOMAIN = "soak.tld";
const HARD_STOP_MS = 30_000; // HARD_STOP_AFTER's default
const { random, pick, between } = seededChurn(SEED);
const t0 = Date.now();
const at = (t = Date.now()) => ((t - t0) / 1000).toFixed(1);
const violations = [];
const violationCounts = {}; // every violation counted; the first 20 of each kind kept with their evidence
const violation = (kind, detail) => {
  violationCounts[kind] = (violationCounts[kind] ?? 0) + 1;
  if (violationCounts[kind] <= 20) violations.push({ at: at(), kind, detail: String(detail).slice(0, 3000) });
  console.error(`[${at()} s] VIOLATION ${kind}: ${String(detail).slice(0, 1500)}`);
};
const note = (text) => console.error(`[${at()} s] ${text}`);
process.on("unhandledRejection", (error) => violation("probe-unhandled-rejection", error?.stack ?? error));
const events = {};
const count = (kind) => (events[kind] = (events[kind] ?? 0) + 1);

// ---- certificates: self-signed P-256 leafs made by openssl, each {cert, key, fp}
const dir = await mkdtemp(join(tmpdir(), "rh-soaktls-"));
const scratch = join(dir, "scratch");
const certDir = join(dir, "certs");
await mkdir(scratch);
await mkdir(certDir);
let made = 0;
async function makeCert(cn) {
  made += 1;
  const base = join(scratch, `c${made}`);
  await promisify(execFile)("openssl", [
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
    ...["-keyout", `${base}.key`, "-out", `${base}.crt`, "-days", "30"],
    ...["-subj", `/CN=${cn}`, "-addext", `subjectAltName=DNS:${cn}`],
  ]);
  const cert = await readFile(`${base}.crt`, "utf8");
  const key = await readFile(`${base}.key`, "utf8");
  return { cert, key, fp: new X509Certificate(cert).fingerprint256, serial: made };
}
const SNI = ["alpha", "bravo", "charlie", "zulu"];
const certs = { default: await makeCert(`default.${DOMAIN}`) };
for (const name of ["alpha", "bravo", "charlie"]) certs[name] = await makeCert(`${name}.${DOMAIN}`);
let metaOverride = {}; // name → a bad {cert, key} served by metadata in place of the good one
// While a source is refused (a bad or half-written version), the reloader keeps the version it served
// last, which may be any good version written since the last confirmation (two writes within a poll: the
// first was never served); otherwise the last good version is the one expected.
const refused = { default: false, alpha: false, bravo: false, charlie: false };
const sinceConfirm = Object.fromEntries(Object.entries(certs).map(([key, c]) => [key, [c.fp]]));
const sourceOf = (name) => (certs[name] ? name : "default");
const expectedCerts = () =>
  Object.fromEntries(
    SNI.map((name) => {
      const key = sourceOf(name);
      return [name, refused[key] ? [...sinceConfirm[key]] : [certs[key].fp]];
    }),
  );
// A good version of `key` written, or a refused one (`bad`), or the source removed (`null`).
const wrote = (key, cert) => {
  if (cert === "bad") refused[key] = true;
  else {
    refused[key] = false;
    certs[key] = cert;
    sinceConfirm[key] = cert ? [...sinceConfirm[key], cert.fp] : [];
  }
};
const certVersions = [{ t: Date.now(), kind: "start", expect: expectedCerts() }];
let certConfirmed = 0;
const recordCerts = (kind) => {
  count(`cert-${kind}`);
  certVersions.push({ t: Date.now(), kind, expect: expectedCerts() });
};
const fpNames = new Map(); // fingerprint → "name#serial", for readable evidence
const label = (fp) => fpNames.get(fp) ?? fp?.slice(0, 11);
const remember = (name, c) => fpNames.set(c.fp, `${name}#${c.serial}`);
for (const [name, c] of Object.entries(certs)) remember(name, c);
const writeAtomic = async (path, text) => {
  await writeFile(`${path}.tmp-${made}`, text);
  await rename(`${path}.tmp-${made}`, path);
};
await writeFile(join(certDir, "bravo.pem"), certs.bravo.cert + certs.bravo.key);
await writeFile(join(certDir, "charlie.crt"), certs.charlie.cert);
await writeFile(join(certDir, "charlie.key"), certs.charlie.key);

// ---- the world
const [httpPort, httpsPort, tcpPort] = await freePorts(3);
const backends = {};
const fixed = ["alpha", "bravo", "charlie"];
for (const [s, stack] of [
  "alpha",
  "bravo",
  "charlie",
  "scaler",
  "stream",
  "extra1",
  "extra2",
  "extra3",
].entries())
  for (let i = 1; i <= (stack === "scaler" ? 4 : stack === "stream" ? 1 : 2); i++)
    backends[`${stack}-${i}`] = await startBackend({
      name: `${stack}-${i}`,
      host: `127.0.${90 + s}.${i}`,
      streamIntervalMs: 500,
    });
const echoes = {};
for (let i = 1; i <= 4; i++)
  echoes[`tcp-${i}`] = await startEchoServer({ name: `tcp-${i}`, host: `127.0.99.${i}` });
const world = { scaler: 2, tcp: 2, extras: new Set(["extra1"]) };
const stackSize = (stack) =>
  fixed.includes(stack) || stack.startsWith("extra") ? 2 : stack === "stream" ? 1 : world[stack];
const httpStacks = () => [...fixed, "scaler", "stream", ...[...world.extras].sort()];
const routing = () => {
  const hosts = {};
  for (const stack of httpStacks())
    hosts[`${stack}.${DOMAIN}`] = Array.from({ length: stackSize(stack) }, (_, k) => `${stack}-${k + 1}`);
  hosts.tcp = Array.from({ length: world.tcp }, (_, k) => `tcp-${k + 1}`);
  return hosts;
};
const proxyMetadata = () => {
  const def = metaOverride.default ?? certs.default;
  const named = {};
  if (certs.alpha || metaOverride.alpha) named.alpha = metaOverride.alpha ?? certs.alpha;
  return {
    ssl_cert: def.cert,
    ssl_key: def.key,
    certs: Object.fromEntries(Object.entries(named).map(([n, c]) => [n, { cert: c.cert, key: c.key }])),
  };
};
const treeNow = () =>
  worldTree({
    stacks: {
      ...Object.fromEntries(
        httpStacks().map((stack) => [
          stack,
          Array.from({ length: stackSize(stack) }, (_, k) => {
            const b = backends[`${stack}-${k + 1}`];
            return { backend: { name: b.name, host: b.host, port: b.port } };
          }),
        ]),
      ),
      tcp: Array.from({ length: world.tcp }, (_, k) => {
        const e = echoes[`tcp-${k + 1}`];
        return {
          backend: { name: e.name, host: e.host, port: e.port },
          port: null,
          labels: { "map-public-tcp": `${tcpPort}:${e.port}` },
        };
      }),
    },
    metadata: proxyMetadata(),
  });
const versions = [{ t: Date.now(), kind: "start", hosts: routing() }];
let confirmed = 0;
let metadata = null;
const publish = (kind) => {
  count(kind);
  versions.push({ t: Date.now(), kind, hosts: routing() });
  metadata.setTree(treeNow());
};

// ---- the pair
const logDir = process.argv[4] ?? join(dir, "logs");
await mkdir(logDir, { recursive: true });
metadata = await startMetadataServer({ tree: treeNow(), longPollTickMs: 100 });
const GM_ENV = { POLL_INTERVAL: "2", REMOVAL_CONFIRM_SECONDS: "0" };
const RL_ENV = {
  SYSLOG_HOST: "127.0.0.1:9",
  RELOADER_STOP_TIMEOUT: "5s",
  ENABLE_SSL: "true",
  HTTPS_PORT: String(httpsPort),
  SSL_CERT_DIR: certDir,
  CERT_POLL_INTERVAL: "1s",
  TCP_PORTS: String(tcpPort),
  // self-test: HAProxy cuts old workers at 60 s while the judge expects 30 s: streams outlive reloads
  ...(selfTesting.has("outlived") ? { HARD_STOP_AFTER: "60s" } : {}),
};
const logLines = { "generate-maps": [], reloader: [] };
const pair = await startPair({
  domain: DOMAIN,
  metadata,
  dir: join(dir, "pair"),
  httpPort,
  generateMapsEnv: GM_ENV,
  reloaderEnv: RL_ENV,
  onLine: (source, line) => logLines[source].push(line),
});
const paths = pair.paths;
const gm = pair.generateMaps;
let rl = pair.reloader;
const reloaders = [rl];
const expectedExit = new Set();
const watchExit = exitWatcher(expectedExit, violation);
watchExit(gm, "generate-maps");
watchExit(rl, "reloader");
stopOnProbeCrash(() => [gm, rl]);

// ---- the reloader stopped with SIGTERM (HAProxy stops with it) and started again on the same state dir
const stops = []; // {from, ready, to}
async function sigtermRestart() {
  // self-test: the SIGTERM recorded 3 s late, so requests refused meanwhile look sent before it
  const late = selfTesting.has("inflight") ? 3000 : 0;
  const window = { from: Date.now() + late, ready: null, to: null, exit: null };
  stops.push(window);
  expectedExit.add(rl.pid);
  process.kill(rl.pid, "SIGTERM");
  window.exit = await rl.exited;
  window.stopped = Date.now();
  if (window.exit.code !== 0) violation("sigterm-exit", `the reloader exited ${JSON.stringify(window.exit)}`);
  await sleep(1000); // a container restart's pause
  rl = spawnReloader({
    onLine: (line) => logLines.reloader.push(line),
    env: reloaderEnvFor({ paths, metadata, httpPort, env: RL_ENV }),
  });
  reloaders.push(rl);
  watchExit(rl, "reloader");
  await rl.waitForEvent("reloader.ready", { timeoutMs: 60_000 });
  window.ready = Date.now();
  window.to = Date.now();
  count("sigterm-restart");
}

// ---- clients: HTTP (keep-alive and close), HTTPS (a new TLS connection each, by SNI), TCP
const load = { http: 0, https: 0, tcp: 0, ok: 0, failed: 0, olderWindow: 0 };
const gap = { refused: 0, other: {} }; // answers that failed during a SIGTERM restart (after it was sent)
let loading = true;
const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
const inStop = (from, end) => stops.some((w) => end >= w.from && from <= (w.to ?? Date.now()) + 2000);
const send = (host, alive) => sendHttp(httpPort, host, alive ? keepAlive : false);
const judgeFrom = keepAliveJudgeFrom();
let handshakeFault = false;
function sendTls(sni) {
  return new Promise((resolve) => {
    let fp = null;
    const req = httpsRequest(
      {
        hostname: "127.0.0.1",
        port: handshakeFault ? tcpPort : httpsPort, // self-test: TLS to the TCP echo service fails
        servername: `${sni}.${DOMAIN}`,
        path: "/",
        headers: { host: `${sni}.${DOMAIN}`, connection: "close" },
        agent: false,
        rejectUnauthorized: false,
      },
      (res) => {
        fp = res.socket.getPeerCertificate()?.fingerprint256 ?? null;
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => resolve({ fp, status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on("error", (error) => resolve({ fp, error: error.code ?? error.message }));
      },
    );
    req.on("socket", (socket) =>
      socket.on("secureConnect", () => (fp = socket.getPeerCertificate()?.fingerprint256)),
    );
    req.setTimeout(10_000, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (error) => resolve({ fp, error: error.code ?? error.message }));
    req.end();
  });
}
// A routed answer: some routing served from the last confirmed one to the answer's end has it.
function routedBy(key, ok, from) {
  for (let j = from; j < versions.length; j++) if (ok(versions[j].hosts[key])) return true;
  return false;
}
const seenRoutings = (key, from) =>
  versions
    .slice(from, versions.length)
    .map((v) => `${v.kind}@${at(v.t)}:${JSON.stringify(v.hosts[key] ?? null)}`)
    .join(" ");
// A failure inside a SIGTERM restart: counted; but a request sent before the SIGTERM must have finished.
function gapFailure(started, answer, what) {
  // (5 s of slack before the SIGTERM only names a failure sent before it an in-flight cut, never passes it)
  const stop = stops.find((w) => Date.now() >= w.from - 5000 && started <= (w.to ?? Date.now()) + 2000);
  if (!stop) return false;
  if (started < stop.from) {
    violation(
      "inflight-cut",
      `${what} sent ${at(started)} s before the SIGTERM at ${at(stop.from)} s: ${answer.error ?? answer.status}`,
    );
    return true;
  }
  if (answer.error === "ECONNREFUSED") gap.refused += 1;
  else gap.other[answer.error ?? answer.status] = (gap.other[answer.error ?? answer.status] ?? 0) + 1;
  return true;
}
async function httpClient(alive) {
  while (loading) {
    const host = pick(Object.keys(versions.at(-1).hosts).filter((h) => h !== "tcp"));
    const started = Date.now();
    const sentFrom = confirmed;
    const answer = await send(host, alive);
    const from = judgeFrom(answer, sentFrom);
    if (from < sentFrom) load.olderWindow += 1; // a closing keep-alive answer, judged from an older routing
    load.http += 1;
    const ok =
      (!("error" in answer) &&
        answer.status === 200 &&
        routedBy(host, (names) => names?.includes(answer.body), from)) ||
      (answer.status === 503 && answer.body.includes("no route") && routedBy(host, (names) => !names, from));
    if (ok) load.ok += 1;
    else if ("error" in answer || answer.status === 503) {
      if (!gapFailure(started, answer, `${host} (${alive ? "keep-alive" : "close"})`)) {
        load.failed += 1;
        violation(
          "request",
          `${host} → ${answer.error ?? `${answer.status} ${answer.body.slice(0, 60)}`} sent ${at(started)} s; ${seenRoutings(host, from)}`,
        );
      }
    } else {
      load.failed += 1;
      violation(
        "request",
        `${host} → ${answer.status} ${answer.body.slice(0, 60)} sent ${at(started)} s; ${seenRoutings(host, from)}`,
      );
    }
    await sleep(20);
  }
}
async function httpsClient() {
  while (loading) {
    const sni = pick(SNI);
    const from = certConfirmed;
    const fromRouting = confirmed;
    const started = Date.now();
    const answer = await sendTls(sni);
    load.https += 1;
    const want = certVersions.slice(from).flatMap((v) => v.expect[sni]);
    const host = `${sni}.${DOMAIN}`;
    const routed =
      sni === "zulu"
        ? answer.status === 503
        : answer.status === 200 && routedBy(host, (names) => names?.includes(answer.body), fromRouting);
    if ("error" in answer) {
      if (!gapFailure(started, answer, `https ${host}`)) {
        load.failed += 1;
        violation(
          "handshake",
          `${host} → ${answer.error} (certificate ${label(answer.fp)}) sent ${at(started)} s; expected ${want.map(label)}`,
        );
      }
    } else if (!want.includes(answer.fp)) {
      load.failed += 1;
      const seen = certVersions.slice(from).map((v) => `${v.kind}@${at(v.t)}:${label(v.expect[sni])}`);
      violation(
        "certificate",
        `${host} served ${label(answer.fp)} sent ${at(started)} s, took ${Date.now() - started} ms; expected ${seen.join(" ")}`,
      );
    } else if (!routed) {
      load.failed += 1;
      violation("request", `https ${host} → ${answer.status} ${answer.body.slice(0, 60)}`);
    } else load.ok += 1;
    await sleep(20);
  }
}
async function tcpClient() {
  while (loading) {
    const from = confirmed;
    const started = Date.now();
    load.tcp += 1;
    try {
      const connection = await openEchoConnection(tcpPort);
      await connection.roundTrip(`hello ${started}\n`);
      await connection.end();
      if (routedBy("tcp", (names) => names?.includes(connection.server), from)) load.ok += 1;
      else {
        load.failed += 1;
        violation("tcp", `greeting ${connection.server} sent ${at(started)} s; ${seenRoutings("tcp", from)}`);
      }
    } catch (error) {
      if (!gapFailure(started, { error: error.code ?? error.message }, "tcp")) {
        load.failed += 1;
        violation("tcp", `${error.message} sent ${at(started)} s; ${seenRoutings("tcp", from)}`);
      }
    }
    await sleep(50);
  }
}

// ---- long-lived: HTTP streams and held TCP connections; each cut recorded with its time
const held = []; // {kind, opened, cut, cutAt, reason, server, closedByUs}
async function streamOpener() {
  while (loading) {
    const open = held.filter((h) => h.kind === "stream" && h.cutAt === null && !h.closedByUs).length;
    if (open < 200 && !inStop(Date.now(), Date.now())) {
      const entry = { kind: "stream", opened: Date.now(), cutAt: null, reason: null, closedByUs: false };
      try {
        const stream = await openStream({ url: pair.url, host: `stream.${DOMAIN}`, timeoutMs: 10_000 });
        entry.opened = Date.now();
        entry.server = stream.backend;
        entry.stream = stream;
        held.push(entry);
        const life = between(5_000, 90_000);
        const watch = setInterval(() => {
          if (stream.cut !== null && entry.cutAt === null) {
            entry.cutAt = Date.now();
            entry.reason = stream.cut;
            clearInterval(watch);
          } else if (Date.now() - entry.opened > life || !loading) {
            entry.closedByUs = true;
            entry.closedAt = Date.now();
            stream.close();
            clearInterval(watch);
          }
        }, 100);
      } catch (error) {
        if (!inStop(entry.opened, Date.now())) violation("stream-open", error.message);
      }
    }
    await sleep(250);
  }
}
async function tcpHolder() {
  while (loading) {
    const entry = { kind: "tcp", opened: Date.now(), cutAt: null, reason: null, closedByUs: false };
    let connection;
    try {
      connection = await openEchoConnection(tcpPort);
    } catch {
      await sleep(500); // judged by tcpClient
      continue;
    }
    entry.opened = Date.now();
    entry.server = connection.server;
    held.push(entry);
    const life = between(10_000, 120_000);
    while (loading && Date.now() - entry.opened < life) {
      try {
        await connection.roundTrip(`ping ${Date.now()}\n`);
      } catch (error) {
        entry.cutAt = Date.now();
        entry.reason = error.message;
        break;
      }
      await sleep(1000);
    }
    if (entry.cutAt === null) {
      entry.closedByUs = true;
      entry.closedAt = Date.now();
      connection.destroy();
    }
  }
}

// ---- samples: old workers (never more than 20), RSS and fds
const samples = [];
let masterPid = null;
let maxOld = 0;
async function sample() {
  const info = await showProc(paths.stateDir).catch(() => null);
  if (info) masterPid = info.masterPid;
  const old = info ? info.workers.length - 1 + info.oldWorkers.length : null;
  if (old !== null) maxOld = Math.max(maxOld, old);
  const cap = selfTesting.has("oldworkers") ? 5 : 20; // self-test: a cap the storms pass
  if (old !== null && old > cap) violation("old-workers", `${old} old workers: ${JSON.stringify(info)}`);
  samples.push({
    at: Number(at()),
    rl: procStats(rl.pid),
    gm: procStats(gm.pid),
    master: masterPid ? procStats(masterPid) : null,
    old,
  });
}
const sampler = setInterval(() => sample().catch((error) => note(`sample failed: ${error}`)), 2000);

// ---- churn
const CERT_ACTIONS = [
  "rotate-default",
  "bad-default",
  "rotate-alpha",
  "bad-alpha",
  "remove-alpha",
  "rotate-bravo-rename",
  "rotate-bravo-in-place",
  "half-bravo",
  "bad-bravo",
  "remove-bravo",
  "rotate-charlie-crt-first",
  "remove-charlie",
];
async function certChange() {
  const action = pick(CERT_ACTIONS);
  const [verb, name] = action.split("-");
  const bad = async (cn) => ({ cert: (await makeCert(cn)).cert, key: (await makeCert("x")).key });
  // refused from here (a bad version, or a write a poll may catch half done): the window widens first
  const refusing = (key, kind) => {
    wrote(key, "bad");
    recordCerts(kind);
  };
  if (name === "default" || name === "alpha") {
    // metadata: ssl_cert/ssl_key, certs.alpha
    if (verb === "remove" && certs.alpha) {
      delete metaOverride.alpha;
      wrote("alpha", null);
      publish(`meta-${action}`);
      recordCerts(action);
    } else if (verb === "bad" && certs[name]) {
      metaOverride[name] = await bad(`${name}.${DOMAIN}`);
      refusing(name, action);
      publish(`meta-${action}`);
    } else {
      const next = await makeCert(`${name}.${DOMAIN}`);
      remember(name, next);
      delete metaOverride[name];
      certs[name] = next; // proxyMetadata serves it
      publish(`meta-${action}`);
      wrote(name, next);
      recordCerts(`${name}-${verb === "rotate" ? "rotate" : "add"}`);
    }
    return;
  }
  if (name === "bravo") {
    const file = join(certDir, "bravo.pem");
    if (verb === "remove" && certs.bravo) {
      await unlink(file);
      wrote("bravo", null);
      recordCerts(action);
      return;
    }
    if (verb === "bad" && certs.bravo) {
      refusing("bravo", action);
      const other = await bad(`bravo.${DOMAIN}`);
      await writeAtomic(file, other.cert + other.key);
      return;
    }
    const next = await makeCert(`bravo.${DOMAIN}`);
    remember("bravo", next);
    const text = next.cert + next.key;
    if (verb === "half" && certs.bravo) {
      refusing("bravo", action);
      await writeFile(file, text.slice(0, between(20, text.length - 20)));
      await sleep(between(1200, 3000)); // at least one poll sees the half-written file
      await writeFile(file, text);
    } else if (action.endsWith("in-place") && certs.bravo) {
      refusing("bravo", "bravo-in-place-start"); // a poll between the truncation and the write
      await writeFile(file, text);
    } else await writeAtomic(file, text);
    wrote("bravo", next);
    recordCerts(`bravo-${verb === "half" ? "half-finished" : certs.bravo ? "rotated" : "added"}`);
    return;
  }
  // charlie: .crt + .key
  if (verb === "remove" && certs.charlie) {
    await unlink(join(certDir, "charlie.crt"));
    await unlink(join(certDir, "charlie.key"));
    wrote("charlie", null);
    recordCerts(action);
    return;
  }
  const next = await makeCert(`charlie.${DOMAIN}`);
  remember("charlie", next);
  if (certs.charlie) {
    refusing("charlie", action);
    await writeAtomic(join(certDir, "charlie.crt"), next.cert); // the .crt renewed before its .key
    await sleep(between(0, 2500));
  }
  await writeAtomic(join(certDir, "charlie.key"), next.key);
  await writeAtomic(join(certDir, "charlie.crt"), next.cert);
  wrote("charlie", next);
  recordCerts("charlie-renewed");
}
function routingChange() {
  const roll = random();
  if (roll < 0.45) {
    world.scaler =
      world.scaler === 4
        ? between(1, 3)
        : world.scaler === 1
          ? between(2, 4)
          : pick([1, 4, world.scaler + 1]);
    publish("scale-scaler");
  } else if (roll < 0.85) {
    world.tcp =
      world.tcp === 4 ? between(1, 3) : world.tcp === 1 ? between(2, 4) : pick([1, 4, world.tcp + 1]);
    publish("scale-tcp");
  } else {
    const extra = pick(["extra1", "extra2", "extra3"]);
    if (world.extras.has(extra)) world.extras.delete(extra);
    else world.extras.add(extra);
    publish("extra-toggle");
  }
}
// 30 changes that each need a reload, 300-700 ms apart (a new stream lands on each new worker): the
// master lists 20 old workers and the next reload is held.
async function reloadStorm() {
  count("reload-storm");
  for (let i = 0; i < 30; i++) {
    const extra = pick(["extra1", "extra2", "extra3"]);
    if (world.extras.has(extra)) world.extras.delete(extra);
    else world.extras.add(extra);
    publish("storm-toggle");
    await sleep(between(300, 700));
  }
}

// ---- quiet check: the worker = the files = the snapshot = the world; every SNI serves what it should
const convergence = [];
const certConvergence = [];
async function quietCheck() {
  const lastChange = versions.at(-1).t;
  const lastCert = certVersions.at(-1).t;
  await sleep(3000);
  const want = versions.at(-1).hosts;
  const wantBackends = {};
  for (const stack of httpStacks())
    wantBackends[stack] = want[`${stack}.${DOMAIN}`].map((name) => backends[name].address).sort();
  wantBackends[`tcp_${tcpPort}`] = want.tcp.map((name) => `${echoes[name].host}:${echoes[name].port}`).sort();
  // a held reload waits up to HARD_STOP_AFTER
  const problems = await convergedProblems({ paths, wantBackends, deadlineMs: 90_000, everyMs: 200 });
  if (problems.length > 0) {
    violation("quiet-state", `${problems.join("\n")}\n${tailLogs(rl.logs, 15)}\n${tailLogs(gm.logs, 10)}`);
    return;
  }
  convergence.push(Date.now() - lastChange);
  confirmed = versions.length - 1;
  // every SNI: new handshakes serve the expected certificate
  const expect = certVersions.at(-1).expect;
  const pending = new Set(SNI);
  const certDeadline = Date.now() + 30_000;
  const last = {};
  while (pending.size > 0 && Date.now() < certDeadline) {
    for (const sni of [...pending]) {
      const answer = await sendTls(sni);
      last[sni] = answer;
      if (expect[sni].includes(answer.fp)) pending.delete(sni);
    }
    if (pending.size > 0) await sleep(200);
  }
  if (pending.size > 0) {
    const what = [...pending].map(
      (sni) =>
        `${sni}: served ${label(last[sni].fp)} ${last[sni].error ?? ""}, expected ${label(expect[sni])}`,
    );
    violation(
      "cert-quiet",
      `${what.join("; ")}; last change ${certVersions.at(-1).kind}@${at(lastCert)}\n${tailLogs(rl.logs, 10)}`,
    );
  } else {
    certConvergence.push(Date.now() - lastCert);
    certConfirmed = certVersions.length - 1;
    // what is served now is the one version a refused source keeps from here on
    for (const key of Object.keys(refused))
      sinceConfirm[key] = refused[key]
        ? [last[key === "default" ? "zulu" : key].fp]
        : certs[key]
          ? [certs[key].fp]
          : [];
  }
  await checkHealthz(
    [
      ["generate-maps", gm],
      ["reloader", rl],
    ],
    violation,
  );
}

// ---- self-tests: a hidden fault each judge must report
async function selfTest() {
  if (selfTesting.has("cert")) {
    // bravo.pem replaced without recording it: its new certificate is served, not expected
    const next = await makeCert(`bravo.${DOMAIN}`);
    await writeAtomic(join(certDir, "bravo.pem"), next.cert + next.key);
    note("self-test: bravo.pem replaced without recording it");
    await sleep(3000);
  }
  if (selfTesting.has("stream")) {
    // every open stream marked cut now (as a proxy cutting it early would look)
    for (const h of held.filter((e) => e.kind === "stream" && e.cutAt === null && !e.closedByUs)) {
      h.cutAt = Date.now();
      h.reason = "self-test";
    }
    note("self-test: open streams marked cut now");
  }
  if (selfTesting.has("tcp")) {
    // tcp scaled to 1 (recorded), then to 4 without recording it: greetings from tcp-2..4
    world.tcp = 1;
    publish("self-test-tcp-1");
    await sleep(4000);
    world.tcp = 4;
    metadata.setTree(treeNow());
    world.tcp = 1;
    note("self-test: tcp scaled to 4 without recording it");
    await sleep(3000);
    publish("self-test-tcp-back");
  }
  if (selfTesting.has("handshake")) {
    handshakeFault = true;
    note("self-test: HTTPS clients sent to the TCP port for 2 s");
    await sleep(2000);
    handshakeFault = false;
  }
}

// ---- the run
note(
  `soak-tls: ${SECONDS} s, seed ${SEED}, dir ${dir}, http ${httpPort}, https ${httpsPort}, tcp ${tcpPort}`,
);
const clients = [
  httpClient(true),
  httpClient(false),
  httpsClient(),
  httpsClient(),
  tcpClient(),
  streamOpener(),
  tcpHolder(),
  tcpHolder(),
];
const endAt = t0 + SECONDS * 1000;
let phases = 0;
let nextStop = t0 + 150_000;
let nextStorm = t0 + 60_000;
while (Date.now() < endAt) {
  phases += 1;
  try {
    if (phases === 4 && selfTesting.size > 0) await selfTest();
    else if (Date.now() > nextStop || phases === 3) {
      nextStop = Date.now() + between(150_000, 220_000);
      await sigtermRestart();
    } else if (Date.now() > nextStorm) {
      nextStorm = Date.now() + between(150_000, 220_000);
      await reloadStorm();
    } else
      for (let i = between(1, 8); i > 0; i--) {
        if (random() < 0.4) await certChange();
        else routingChange();
        await sleep(random() < 0.8 ? between(50, 800) : between(800, 3000));
      }
  } catch (error) {
    violation("probe-step", error.stack);
  }
  await quietCheck();
}
loading = false;
await Promise.all(clients);
clearInterval(sampler);
await sample();

// ---- long-lived judge, from the reloader's reload.applied lines
const reloadTimes = logLines.reloader
  .map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      return null;
    }
  })
  .filter((line) => line?.event === "reload.applied")
  .map((line) => Date.parse(line.time));
const tcpLeft = (server, from, to) =>
  versions.some((v) => v.t <= to && v.t >= from - 1000 && !v.hosts.tcp.includes(server));
const longLived = { streams: 0, tcp: 0, cut: 0, cutByReload: 0, cutByStop: 0, cutByScale: 0, outlived: 0 };
for (const h of held) {
  longLived[h.kind === "stream" ? "streams" : "tcp"] += 1;
  const end = h.cutAt ?? h.closedAt ?? Date.now();
  const reloadsAfter = reloadTimes.filter((r) => r > h.opened - 2000 && r < end);
  if (h.cutAt !== null) {
    longLived.cut += 1;
    if (stops.some((w) => h.cutAt >= w.from && h.cutAt <= (w.stopped ?? w.to ?? Date.now()) + 1000))
      longLived.cutByStop += 1;
    else if (reloadsAfter.some((r) => h.cutAt >= r + HARD_STOP_MS - 3000)) longLived.cutByReload += 1;
    else if (h.kind === "tcp" && tcpLeft(h.server, h.opened, h.cutAt)) longLived.cutByScale += 1;
    else
      violation(
        `${h.kind}-cut`,
        `${h.kind} on ${h.server} opened ${at(h.opened)} s cut ${at(h.cutAt)} s (${h.reason}); reloads since: ${reloadsAfter.map((r) => at(r)).join(" ") || "none"}`,
      );
  }
  const overdue = reloadTimes.find((r) => r > h.opened + 3000 && end > r + HARD_STOP_MS + 15_000);
  if (overdue !== undefined) {
    longLived.outlived += 1;
    violation(
      `${h.kind}-outlived`,
      `${h.kind} on ${h.server} opened ${at(h.opened)} s, ${h.cutAt ? `cut ${at(h.cutAt)} s` : "still open"}, after the reload at ${at(overdue)} s`,
    );
  }
}

// ---- error-level lines outside a SIGTERM restart
const errorLines = {};
for (const [name, children] of [
  ["generate-maps", [gm]],
  ["reloader", reloaders],
])
  for (const child of children)
    for (const line of child.logs) {
      const text = errorLineText(line);
      if (text === null || FD_LIMIT_ALERT.test(text)) continue;
      const time = Date.parse(line.time ?? "");
      if (stops.some((w) => time >= w.from && time <= (w.to ?? Date.now()) + 1000)) continue; // the SIGTERM's
      const key = `${name} ${line.event ?? "raw"} ${text.replace(/\d+/g, "N")}`;
      errorLines[key] = (errorLines[key] ?? 0) + 1;
    }
const warnings = {};
for (const child of reloaders)
  for (const line of child.logs)
    if (line.level === 40) warnings[line.event] = (warnings[line.event] ?? 0) + 1;

// ---- stop everything
expectedExit.add(gm.pid);
expectedExit.add(rl.pid);
const gmExit = await gm.stop({ timeoutMs: 10_000 });
const rlExit = await rl.stop({ timeoutMs: 20_000 });
if (gmExit.code !== 0 || rlExit.code !== 0) note(`exits ${JSON.stringify({ gmExit, rlExit })}`);
killLeftMaster(masterPid, paths.stateDir, violation);
await metadata.close();
await Promise.all([...Object.values(backends), ...Object.values(echoes)].map((b) => b.close()));
keepAlive.destroy();
await writeLogs(logDir, logLines);
const pct = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return { n: sorted.length, p50: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1) };
};
const count2 = (event) => reloaders.reduce((sum, child) => sum + child.count(event), 0);
const summary = {
  seconds: Math.round((Date.now() - t0) / 1000),
  seed: SEED,
  selfTest: SELFTEST || null,
  phases,
  routingChanges: versions.length - 1,
  certChanges: certVersions.length - 1,
  events,
  load,
  sigtermRestarts: stops.map((w) => ({
    at: at(w.from),
    stoppedMs: w.stopped - w.from,
    readyMs: w.ready - w.from,
    exit: w.exit,
  })),
  gap,
  longLived,
  maxOldWorkers: maxOld,
  reloads: reloadTimes.length,
  reloadHeld: count2("reload.held"),
  reloadReleased: count2("reload.released"),
  certsUpdated: count2("certs.updated"),
  certsSkipped: count2("certs.skipped"),
  certificateKept: count2("certificate.kept"),
  runtimeApplied: count2("runtime.applied"),
  quietConvergenceMs: pct(convergence),
  certConvergenceMs: pct(certConvergence),
  rss: {
    master: samples
      .filter((s) => s.master)
      .map((s) => s.master.rssKb)
      .filter((_, i, l) => i === 0 || i === l.length - 1),
    reloader: samples
      .filter((s) => s.rl)
      .map((s) => `${s.rl.pid}:${s.rl.rssKb}/${s.rl.fds}`)
      .filter((_, i, l) => i % 60 === 0 || i === l.length - 1),
  },
  warnings,
  errorLines,
  violationCounts,
  violations,
  logDir,
};
console.log(JSON.stringify(summary, null, 2));
if (!process.argv[4]) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
else await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
process.exit(violations.length > 0 ? 1 : 0);
