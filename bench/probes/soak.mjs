// A soak of the whole pair under churn (bench/README.md, "Soak"): the stand-in metadata server, the built
// generate-maps and reloader, a real HAProxy, 48 real backends on 127.0.70-75.x (6 stacks × 4 containers ×
// 2 addresses, each answering with its name), and for `seconds` random churn: scale 1..4, re-addressing,
// health flips, alias add/remove, stacks added and removed, bursts 10-300 ms apart, generate-maps SIGKILLed
// and started again, the reloader SIGKILLed and started again (adopting the running master, as the image's
// entrypoint does after a crash), metadata outages (500, answers that hang, long polls that hang). A client
// loads every routed host (keep-alive and `Connection: close`) and every answer is judged against the
// routings the stand-in served since the last confirmed one (an old worker's one more answer on an idle
// keep-alive connection: since the one confirmed at that connection's request before, keepAliveJudgeFrom).
// After each quiet period (3 s): the worker's servers and map = the files = the `current` snapshot, both
// /healthz 200, no stray HAProxy process; RSS and fds of both programs and the master are sampled;
// error-level lines are listed with the faults.
// SOAK_CONFIG=1: the reloader (and every restart of it) runs a --config the probe writes: the base config the
// reloader renders for these options, plus a `backend foxtrot` section named like a stack the churn adds and
// removes, a `backend delta` inside `.if version_atleast(2.4)` and `.if feature(LUA)` (true on the
// installed 2.6) and a `backend echo` inside `.if version_before(2.0)` (false); while foxtrot or delta is
// in the files its hosts must get the config's default_backend (503 no route), never a container nor that
// section, and the reloader's /healthz must warn of the clash, and not once it is gone; echo is routed as
// any stack, and nothing (start-up line, inputs.section-clash, /healthz) names it as a clash. The default
// mode is left as it was (seeded runs stay comparable).
// SOAK_EDGES=1 (alone or with SOAK_CONFIG=1): the probe runs itself again in a UTS namespace of its own
// (`unshare --uts`, as root), named HOME_NAME, and the --config also holds `listen "$HAPROXY_LOCALPEER"`
// and a `listen soak_hold` on a port of its own (a backend answering long streams). Besides the churn, in
// phases drawn after it (an extra draw, so the default mode's draws are untouched): the host renamed to a
// stack's name or back (while so named, that stack's hosts must get the default backend), a reload held
// (a stream pinned to each new worker until the master lists MAX_OLD_WORKERS old workers: the next reload
// must be held with that many listed, and end with reload.released once the oldest stream is closed), and
// the HAProxy master SIGSTOPped for 3-14 s under churn (the workers answer all along; the changes wait),
// half the time with the reloader SIGKILLed and started again meanwhile (its start waits for the silent
// master, then adopts it). The final stop then SIGTERMs a reloader whose start waits for a stopped master.
// And the host renamed with the HAProxy master SIGKILLed right after (a restart must load inputs staged with
// the new name: ConfigApplier.refreshCurrent), the rescan an hour apart so it is not what saves it.
// Loopback only. Uses the built programs (npx tsc -b first). Prints a JSON summary; exit 1 on a violation.
// Usage: node bench/probes/soak.mjs [seconds=1080] [seed=1] [logdir]   (SOAK_SELFTEST=1: see below;
// SOAK_CONFIG=1, SOAK_EDGES=1: above)
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sendMasterCommand } from "../../packages/core/dist/index.js";
import { renderBaseConfig } from "../../packages/reloader/dist/index.js";
import { MAX_OLD_WORKERS } from "../../packages/reloader/dist/reload/old-workers-cap.js";
import { defaultMaxconn } from "../../packages/reloader/dist/setup/default-maxconn.js";
import {
  descendants,
  freePort,
  openStream,
  spawnGenerateMaps,
  spawnReloader,
  startBackend,
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
  generateMapsEnvFor,
  keepAliveJudgeFrom,
  killLeftMaster,
  procStats,
  readReloaderHealthz,
  reloaderEnvFor,
  seededChurn,
  sendHttp,
  showProc,
  sleep,
  stopOnProbeCrash,
  writeLogs,
} from "./soak-common.mjs";

// SOAK_EDGES=1: run again inside a UTS namespace of its own (the host renames must not touch the machine's
// name), passing on the exit code and SIGINT/SIGTERM.
const EDGES_MODE = process.env["SOAK_EDGES"] === "1";
if (EDGES_MODE && process.env["SOAK_EDGES_UTS"] !== "1") {
  const inner = spawn("unshare", ["--uts", process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, SOAK_EDGES_UTS: "1" },
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => inner.kill(signal));
  const code = await new Promise((resolve) => inner.on("exit", (exitCode) => resolve(exitCode ?? 2)));
  process.exit(code);
}
const SECONDS = Number(process.argv[2] ?? 1080);
const SEED = Number(process.argv[3] ?? 1);
const DOMAIN = "soak.tld";
const STACKS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
const STEADY = ["alpha", "bravo"]; // never removed
const HARD_STOP_MS = 30_000; // HARD_STOP_AFTER's default: an old worker may live this long
// SOAK_CONFIG=1: the stacks named like a section the --config holds (foxtrot plainly, delta in a true `.if`);
// while in the files, their hosts (aliases too) are routed to the default backend, recorded as DEFAULT in a
// routing. FALSE_IF: the stack named like a section in a false `.if`, which HAProxy never reads: routed as
// any other.
const CONFIG_MODE = process.env["SOAK_CONFIG"] === "1";
const CLASHES = CONFIG_MODE ? ["foxtrot", "delta"] : [];
const FALSE_IF = CONFIG_MODE ? "echo" : null;
const DEFAULT = "default_backend";
// SOAK_EDGES=1: the namespace's host name at the start and after a rename back (not a stack's name: a `_`
// cannot be one); `hostName` is the name of the moment, a stack's name while renamed so.
const HOME_NAME = "soak_host";
let hostName = HOME_NAME;
// (`hostname` refuses a `_`: the namespace's name is written where sethostname(2) writes it)
const setHostName = (name) => writeFileSync("/proc/sys/kernel/hostname", name);
if (EDGES_MODE) setHostName(HOME_NAME);
// The stacks left out now: CLASHES, and (SOAK_EDGES) the one named like the host.
const clashesNow = () => (STACKS.includes(hostName) ? [...CLASHES, hostName] : CLASHES);
const sectionBody = (stack) => `the soak's own ${stack} section`;
const { random, pick, between } = seededChurn(SEED);
const t0 = Date.now();
const at = () => ((Date.now() - t0) / 1000).toFixed(1);

const violations = [];
const violation = (kind, detail) => {
  violations.push({ at: at(), kind, detail });
  console.error(`[${at()} s] VIOLATION ${kind}: ${String(detail).slice(0, 2000)}`);
};
const note = (text) => console.error(`[${at()} s] ${text}`);
process.on("unhandledRejection", (error) => violation("probe-unhandled-rejection", error?.stack ?? error));

// ---- the world: stacks of up to 4 containers, each at address a or b, healthy or not
const backends = {};
for (const [s, stack] of STACKS.entries())
  for (let i = 1; i <= 4; i++)
    for (const [variant, offset] of [
      ["a", 0],
      ["b", 100],
    ]) {
      const name = `${stack}-${i}${variant}`;
      backends[name] = await startBackend({ name, host: `127.0.${70 + s}.${i + offset}` });
    }
const world = Object.fromEntries(
  STACKS.map((stack, s) => [
    stack,
    { present: s < 4, count: between(1, 2), at: [null, "a", "a", "a", "a"], sick: new Set(), aliases: [] },
  ]),
);
const routedNames = (stack) => {
  const w = world[stack];
  if (!w.present) return [];
  const names = [];
  for (let i = 1; i <= w.count; i++) if (!w.sick.has(i)) names.push(`${stack}-${i}${w.at[i]}`);
  return names;
};
// host → backend names routed, for the world as it is now
const routing = () => {
  const hosts = {};
  for (const stack of STACKS) {
    const names = routedNames(stack);
    if (names.length === 0) continue;
    const to = clashesNow().includes(stack) ? DEFAULT : names;
    hosts[`${stack}.${DOMAIN}`] = to;
    for (const alias of world[stack].aliases) hosts[`${alias}.${DOMAIN}`] = to;
  }
  return hosts;
};
const worldTreeNow = () =>
  worldTree({
    stacks: Object.fromEntries(
      STACKS.filter((stack) => world[stack].present).map((stack) => {
        const w = world[stack];
        return [
          stack,
          Array.from({ length: w.count }, (_, k) => {
            const b = backends[`${stack}-${k + 1}${w.at[k + 1]}`];
            return {
              backend: { name: `${stack}-${k + 1}`, host: b.host, port: b.port },
              health: w.sick.has(k + 1) ? "unhealthy" : "healthy",
            };
          }),
        ];
      }),
    ),
    aliases: Object.fromEntries(
      STACKS.filter((stack) => world[stack].present && world[stack].aliases.length > 0).map((stack) => [
        stack,
        [...world[stack].aliases],
      ]),
    ),
  });

// Every routing served, in order; `confirmed` is the last one HAProxy was seen to run.
const versions = [];
let confirmed = 0;
const events = {};
const count = (kind) => (events[kind] = (events[kind] ?? 0) + 1);
let metadata = null;
const publish = (kind) => {
  count(kind);
  versions.push({ t: Date.now(), kind, hosts: routing() });
  metadata.setTree(worldTreeNow());
};

// ---- one random change of the world
const ALIASES = ["www", "shop", "api", "blog", "docs", "m"];
function change() {
  const present = STACKS.filter((stack) => world[stack].present);
  const stack = pick(present);
  const w = world[stack];
  const roll = random();
  if (roll < 0.35) {
    w.count = w.count === 4 ? between(1, 3) : w.count === 1 ? between(2, 4) : pick([1, 4, w.count + 1]);
    for (const i of [...w.sick]) if (i > w.count) w.sick.delete(i);
    return "scale";
  }
  if (roll < 0.55) {
    const i = between(1, w.count);
    w.at[i] = w.at[i] === "a" ? "b" : "a";
    return "move";
  }
  if (roll < 0.7) {
    const i = between(1, w.count);
    if (w.sick.has(i)) w.sick.delete(i);
    else w.sick.add(i);
    return "health";
  }
  if (roll < 0.85) {
    const used = new Set(STACKS.flatMap((s) => world[s].aliases));
    if (w.aliases.length > 0 && random() < 0.5) {
      w.aliases.splice(between(0, w.aliases.length - 1), 1);
      return "alias-remove";
    }
    const free = ALIASES.filter((alias) => !used.has(alias));
    if (free.length === 0) return change();
    w.aliases.push(pick(free));
    return "alias-add";
  }
  const absent = STACKS.filter((s) => !world[s].present);
  const removable = present.filter((s) => !STEADY.includes(s));
  if (absent.length > 0 && (removable.length === 0 || random() < 0.5)) {
    const added = pick(absent);
    Object.assign(world[added], { present: true, count: between(1, 4), sick: new Set(), aliases: [] });
    return "stack-add";
  }
  const removed = pick(removable);
  Object.assign(world[removed], { present: false, aliases: [] });
  return "stack-remove";
}

// ---- the pair
const dir = await mkdtemp(join(tmpdir(), "rh-soak-"));
const logDir = process.argv[4] ?? join(dir, "logs");
await mkdir(logDir, { recursive: true });
metadata = await startMetadataServer({ tree: worldTreeNow(), longPollTickMs: 100 });
versions.push({ t: Date.now(), kind: "start", hosts: routing() });
const GM_ENV = { POLL_INTERVAL: "2", REMOVAL_CONFIRM_SECONDS: "0" };
const RL_ENV = { SYSLOG_HOST: "127.0.0.1:9", RELOADER_STOP_TIMEOUT: "5s" };
// SOAK_EDGES=1: rescans an hour apart, so the restart after a rename-and-kill is not saved by a rescan that
// staged the inputs with the new name first (renameKill); a rename is seen at the change after it.
if (EDGES_MODE) RL_ENV.RELOADER_RESCAN_INTERVAL = "1h";
// SOAK_CONFIG=1: the --config, written before the start: the base config the reloader renders for RL_ENV's
// options (as prepare-base-config.ts renders it), sections named like the stacks CLASHES (delta's in a true
// `.if`) and one named like FALSE_IF in a false `.if`
const httpPort = CONFIG_MODE || EDGES_MODE ? await freePort() : undefined;
// SOAK_EDGES=1: the backend the held streams reach, through the config's `listen soak_hold` on holdPort
const holdBackend = EDGES_MODE ? await startBackend({ name: "hold", host: "127.0.76.1" }) : null;
const holdPort = EDGES_MODE ? await freePort() : undefined;
if (CONFIG_MODE || EDGES_MODE) {
  const stateDir = join(dir, "state");
  const rendered = renderBaseConfig({
    bindAddress: "127.0.0.1",
    httpPort,
    tcpPorts: [],
    https: null,
    stats: null,
    log: { kind: "udp", host: "127.0.0.1", port: 9 },
    facility: "daemon",
    adminSocket: join(stateDir, "admin.sock"),
    hardStopAfterMs: HARD_STOP_MS,
    maxconn: defaultMaxconn(),
    runAs: null,
  });
  const section = (stack) =>
    `backend ${stack}\n    http-request return status 503 content-type text/plain string "${sectionBody(stack)}"\n`;
  const configSections = [
    "# named like the soak's stack foxtrot: while it is in the files, the reloader leaves it out",
    section("foxtrot"),
    "# named like the soak's stack delta, in branches HAProxy 2.6 reads: left out as foxtrot is",
    ".if version_atleast(2.4)",
    ".if feature(LUA)",
    section("delta"),
    ".endif",
    ".endif",
    "# named like the soak's stack echo, in a branch HAProxy 2.6 skips: echo is routed as any stack",
    ".if version_before(2.0)",
    section(FALSE_IF),
    ".endif",
  ];
  const edgeSections = [
    "# named like the host (SOAK_EDGES renames it to a stack's name and back)",
    'listen "$HAPROXY_LOCALPEER"',
    '    http-request return status 503 content-type text/plain string "the host-named section"',
    "# the held streams: one pinned to each new worker until a reload is held",
    "listen soak_hold",
    `    bind 127.0.0.1:${holdPort}`,
    `    server hold ${holdBackend?.address}`,
  ];
  const own = [
    rendered,
    ...(CONFIG_MODE ? configSections : []),
    ...(EDGES_MODE ? edgeSections : []),
    "",
  ].join("\n");
  const userConfig = join(dir, "user.cfg");
  await writeFile(userConfig, own);
  RL_ENV.HAPROXY_USER_CONFIG = userConfig;
}
const logLines = { "generate-maps": [], reloader: [] };
const onLine = (source) => (line) => logLines[source].push(line);
const pair = await startPair({
  domain: DOMAIN,
  ...(httpPort === undefined ? {} : { httpPort }),
  metadata,
  dir,
  generateMapsEnv: GM_ENV,
  reloaderEnv: RL_ENV,
  onLine: (source, line) => logLines[source].push(line),
});
const paths = pair.paths;
let gm = pair.generateMaps;
let rl = pair.reloader;
const expectedExit = new Set();
const all = { "generate-maps": [gm], reloader: [rl] };
const watchExit = exitWatcher(expectedExit, violation);
watchExit(gm, "generate-maps");
watchExit(rl, "reloader");
stopOnProbeCrash(() => [gm, rl]);

// ---- faults: windows in which error-level lines are explained
const faults = [];
const fault = (kind) => {
  const entry = { kind, from: Date.now(), to: null };
  faults.push(entry);
  return entry;
};
// `label`'s program SIGKILLed, 0-2 changes made while it is down (the next one picks them up), and after
// 100-1500 ms `spawn` starts it again (and sets gm or rl); done once it logged `readyEvent`.
async function sigkillRestart(label, child, spawn, readyEvent) {
  const entry = fault(`${label} SIGKILL`);
  expectedExit.add(child.pid);
  process.kill(child.pid, "SIGKILL");
  await child.exited;
  for (let i = between(0, 2); i > 0; i--) publish(change());
  await sleep(between(100, 1500));
  const next = spawn();
  all[label].push(next);
  watchExit(next, label);
  await next.waitForEvent(readyEvent, { timeoutMs: 30_000 });
  if (label === "reloader" && next.count("haproxy.adopted") !== 1)
    violation("no-adoption", tailLogs(next.logs));
  entry.to = Date.now();
  count(`${label}-restart`);
}
const restartGenerator = () =>
  sigkillRestart(
    "generate-maps",
    gm,
    () =>
      (gm = spawnGenerateMaps({
        onLine: onLine("generate-maps"),
        env: generateMapsEnvFor({ paths, metadata, domain: DOMAIN, env: GM_ENV }),
      })),
    "cycle",
  );
// the reloader started again adopts the running master (as the image's entrypoint does after a crash)
const restartReloader = () =>
  sigkillRestart(
    "reloader",
    rl,
    () =>
      (rl = spawnReloader({
        onLine: onLine("reloader"),
        env: reloaderEnvFor({ paths, metadata, httpPort: pair.httpPort, env: RL_ENV }),
      })),
    "reloader.ready",
  );
async function outage() {
  const kind = pick([
    { kind: "status-500" },
    { kind: "slow", delayMs: 60_000 },
    { kind: "longpoll-hang" },
    { kind: "refuse" },
  ]);
  const entry = fault(`metadata ${kind.kind}`);
  await metadata.setFault(kind);
  const until = Date.now() + between(2000, 8000);
  while (Date.now() < until) {
    publish(change());
    await sleep(between(10, 1500));
  }
  await metadata.setFault(null);
  entry.to = Date.now();
  count(`outage-${kind.kind}`);
}

// ---- SOAK_EDGES=1: the edges no other churn reaches
const edges = { renames: [], holds: [], stops: [], kills: [] };
// The host renamed (`hostname`, this namespace's) to a stack's name (one CLASHES does not name) or back to
// HOME_NAME, recorded as a routing (that stack's hosts to the default backend while so named), then 1-3
// changes (the draw of 0-3 as before, 0 taken as 1), and more while the reloader has not logged
// haproxy.host-name-changed 3 s after the last: it sees a rename at its next change of the files (the
// rescan is an hour apart in this mode: a bare rename would go unseen until the next phase's change).
async function hostRename() {
  const names = STACKS.filter((stack) => !CLASHES.includes(stack) && stack !== FALSE_IF);
  const to = hostName === HOME_NAME || random() < 0.3 ? pick(names.filter((n) => n !== hostName)) : HOME_NAME;
  const entry = fault(`host renamed ${hostName} → ${to}`);
  setHostName(to);
  // the stack left out from now on, or the one routed again (`routed`: whether it has a container routed)
  const stack = STACKS.includes(to) ? to : hostName;
  edges.renames.push({ at: at(), from: hostName, to, stack, routed: routedNames(stack).length > 0 });
  note(`edges: host renamed ${hostName} → ${to}`);
  hostName = to;
  publish("host-rename");
  const seenBefore = rl.count("haproxy.host-name-changed");
  for (let i = Math.max(1, between(0, 3)); i > 0; i--) {
    await sleep(between(10, 1500));
    publish(change());
  }
  // A change may leave the files as they were (an alias of a stack with no container routed): more, until
  // the reloader read the new name (seed 37's first run: charlie → bravo never seen, `quiet-state`)
  for (let more = 0; more < 20 && rl.count("haproxy.host-name-changed") === seenBefore; more++) {
    await rl
      .waitForEvent("haproxy.host-name-changed", { from: rl.logs.length, timeoutMs: 3000 })
      .catch(() => null);
    if (rl.count("haproxy.host-name-changed") === seenBefore) publish(change());
  }
  entry.to = Date.now();
}
// The host renamed and the HAProxy master SIGKILLed right after (microseconds; no pass can run between):
// to a stack's name (one with a container routed now, so `current`, checked with the old name, cannot load
// beside `listen "$HAPROXY_LOCALPEER"`) or back to HOME_NAME (`current` loads, but left out the stack named
// like the host before); `back` forced by phases 9-10, drawn otherwise. The reloader must restart the master
// at its first try: one haproxy.restarting, then haproxy.ready of a master that does not exit
// (`kill-restart` violation otherwise), having staged the inputs with the new name first (refreshCurrent:
// the rescan is an hour apart). Recorded as a rename (the quiet check wants the world, the stack left out
// while so named); answers that fail with an error from the kill to 2 s after haproxy.ready are counted
// in `killOutages`, not judged (no listener, or a connection of the killed workers cut).
const killOutages = []; // {from, to}: the windows in which an error answer is counted, not judged
const killOutage = { refused: 0, other: {} };
async function renameKill(forceBack = null) {
  const routedStacks = STACKS.filter(
    (stack) =>
      !CLASHES.includes(stack) && stack !== FALSE_IF && stack !== hostName && routedNames(stack).length > 0,
  );
  const back = forceBack ?? (hostName !== HOME_NAME && (routedStacks.length === 0 || random() < 0.5));
  const to = back ? HOME_NAME : routedStacks.length > 0 ? pick(routedStacks) : null;
  if (to === null || to === hostName) {
    note(`edges: no rename-and-kill (the host ${hostName}, no stack routed to rename it to)`);
    return;
  }
  const info = await showProc(paths.stateDir);
  const reloader = rl;
  const from = reloader.logs.length;
  const entry = fault(`host renamed ${hostName} → ${to}, master ${info.masterPid} SIGKILLed`);
  const window = { from: Date.now(), to: null };
  killOutages.push(window);
  const before = performance.now();
  setHostName(to);
  process.kill(info.masterPid, "SIGKILL");
  const killUs = Math.round((performance.now() - before) * 1000);
  const stack = STACKS.includes(to) ? to : hostName;
  const record = {
    at: at(),
    from: hostName,
    to,
    stack,
    routed: routedNames(stack).length > 0,
    killed: info.masterPid,
    killUs,
    outcome: null,
    attempt: null,
    restarted: null,
    readyMs: null,
  };
  edges.kills.push(record);
  note(`edges: host renamed ${hostName} → ${to}, master ${info.masterPid} SIGKILLed ${killUs} µs later`);
  hostName = to;
  publish("rename-kill");
  const since = (event) => reloader.logs.slice(from).filter((line) => line.event === event);
  try {
    const exited = await reloader.waitForEvent("haproxy.exited", { from, timeoutMs: 10_000 });
    if (exited.pid !== info.masterPid)
      violation("kill-restart", `haproxy.exited of ${exited.pid}, not the killed ${info.masterPid}`);
    const start = reloader.logs.indexOf(exited) + 1;
    const deadline = Date.now() + 30_000;
    let outcome;
    while (!(outcome = reloader.logs.slice(start).find((line) => KILL_OUTCOMES.includes(line.event))))
      if (Date.now() > deadline) break;
      else await sleep(20);
    record.outcome = outcome?.event ?? "none in 30 s";
    record.attempt = since("haproxy.restarting")[0]?.attempt ?? null;
    if (outcome?.event === "haproxy.ready") {
      record.restarted = outcome.pid;
      record.readyMs = Date.parse(outcome.time) - window.from;
    }
    if (outcome?.event !== "haproxy.ready" || since("haproxy.restarting").length !== 1)
      violation(
        "kill-restart",
        `after ${record.from} → ${to} and the kill: ${record.outcome}, haproxy.restarting ` +
          `${since("haproxy.restarting").length}\n${tailLogs(reloader.logs, 15)}`,
      );
  } finally {
    window.to = Date.now() + 2000;
    entry.to = Date.now();
  }
}
// What ends the wait for the first restart after a kill (haproxy.exited: it could not load `current`).
const KILL_OUTCOMES = ["haproxy.ready", "haproxy.exited", "haproxy.gave-up"];
// At the end: no master a kill step's restart started exited, unless a later kill step killed it.
function checkKilledRestarts() {
  const killedLater = new Set(edges.kills.map((kill) => kill.killed));
  for (const kill of edges.kills) {
    if (kill.restarted === null || killedLater.has(kill.restarted)) continue;
    const exits = all.reloader
      .flatMap((child) => child.logs)
      .filter((line) => line.event === "haproxy.exited" && line.pid === kill.restarted);
    if (exits.length > 0) violation("kill-restart", `the restarted master exited: ${JSON.stringify(exits)}`);
  }
}
// A stream through `listen soak_hold` served by worker `pid` (`show sess`: its client port, be=soak_hold),
// or null after 5 tries (one opened as a reload ends may reach the worker being replaced).
async function streamOn(pid) {
  for (let tries = 1; tries <= 5; tries++) {
    const stream = await openStream({ url: `http://127.0.0.1:${holdPort}/`, host: "hold", timeoutMs: 5000 });
    const sessions = await sendMasterCommand(join(paths.stateDir, "master.sock"), `@!${pid} show sess`, 5000);
    const mine = new RegExp(` src=[^ ]*:${stream.localPort} .* be=soak_hold `);
    if (sessions.split("\n").some((line) => mine.test(line))) return stream;
    stream.close();
  }
  return null;
}
// Reloads (a stack toggled in and out of the world, recorded) each followed by a stream pinned to the new
// worker, until a reload is held (reload.held): the master must list MAX_OLD_WORKERS old workers then
// (`held` violation otherwise). The oldest stream closed, its worker ends and one reload must end the hold
// (reload.released within 20 s, `held-release` violation otherwise); the quiet check then wants the world.
// Not reached within 60 toggles (hard-stop-after cuts a worker 30 s after its reload): counted as missed.
async function reloadHold() {
  const entry = fault("reload hold");
  const record = { at: at(), toggles: 0, oldWorkers: null, released: null, missed: false };
  edges.holds.push(record);
  const streams = [];
  const toggled = pick(STACKS.filter((stack) => !STEADY.includes(stack) && !clashesNow().includes(stack)));
  const heldBefore = rl.count("reload.held");
  const releasedBefore = rl.count("reload.released");
  try {
    let info = await showProc(paths.stateDir);
    let worker = info.workers[0]?.pid;
    const first = worker === undefined ? null : await streamOn(worker);
    if (first) streams.push(first);
    while (rl.count("reload.held") === heldBefore) {
      if (record.toggles === 60) {
        record.missed = true;
        note(`edges: no reload held after ${record.toggles} toggles of ${toggled}`);
        break;
      }
      record.toggles += 1;
      const w = world[toggled];
      if (w.present) Object.assign(w, { present: false, aliases: [] });
      else Object.assign(w, { present: true, count: between(1, 4), sick: new Set(), aliases: [] });
      publish("hold-toggle");
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && rl.count("reload.held") === heldBefore) {
        info = (await showProc(paths.stateDir).catch(() => null)) ?? info;
        if (info.workers[0] && info.workers[0].pid !== worker) break;
        await sleep(50);
      }
      if (rl.count("reload.held") !== heldBefore) break;
      if (info.workers[0] && info.workers[0].pid !== worker) {
        worker = info.workers[0].pid;
        const stream = await streamOn(worker);
        if (stream) streams.push(stream);
      }
    }
    if (!record.missed) {
      info = await showProc(paths.stateDir);
      record.oldWorkers = info.workers.length - 1 + info.oldWorkers.length;
      note(`edges: reload held after ${record.toggles} toggles, ${record.oldWorkers} old workers listed`);
      if (record.oldWorkers < MAX_OLD_WORKERS)
        violation(
          "held",
          `a reload held with ${record.oldWorkers} old workers listed: ${JSON.stringify(info)}`,
        );
      const closedAt = Date.now();
      streams.shift()?.close();
      while (rl.count("reload.released") === releasedBefore && Date.now() - closedAt < 20_000)
        await sleep(100);
      if (rl.count("reload.released") === releasedBefore)
        violation(
          "held-release",
          `no reload.released 20 s after the oldest stream closed\n${tailLogs(rl.logs, 15)}`,
        );
      else record.released = Date.now() - closedAt;
    }
  } finally {
    for (const stream of streams) stream.close();
    entry.to = Date.now();
  }
}
// The HAProxy master SIGSTOPped for 3-14 s (beyond --reload-timeout's 10 s sometimes) while changes are
// made; the workers answer all along (the clients' judge), the changes wait; SIGCONT. Half the stops (4-12
// s) also SIGKILL the reloader and start it again at once: its start waits for the silent master
// (adopt.waiting, up to --reload-timeout + 5 s) and adopts it once it answers (sigkillRestart's check).
let stoppedMaster = null; // the pid SIGSTOPped now, SIGCONTed on any exit of the probe
process.on("exit", () => {
  try {
    if (stoppedMaster !== null) process.kill(stoppedMaster, "SIGCONT");
  } catch {
    // gone
  }
});
async function masterStop() {
  const info = await showProc(paths.stateDir);
  const withRestart = random() < 0.5 || phases === 8; // the forced stop (phase 8) restarts it
  const ms = withRestart ? between(4000, 12_000) : between(3000, 14_000);
  const entry = fault(`master SIGSTOP ${ms} ms${withRestart ? ", the reloader restarted" : ""}`);
  const waitingBefore = all.reloader.reduce((n, child) => n + child.count("reload.waiting"), 0);
  stoppedMaster = info.masterPid;
  process.kill(info.masterPid, "SIGSTOP");
  note(
    `edges: master ${info.masterPid} SIGSTOPped for ${ms} ms${withRestart ? ", the reloader restarted" : ""}`,
  );
  let restart = null;
  try {
    const until = Date.now() + ms;
    if (withRestart) restart = restartReloader();
    while (Date.now() < until) {
      publish(change());
      await sleep(Math.min(between(200, 2000), Math.max(0, until - Date.now())));
    }
  } finally {
    process.kill(info.masterPid, "SIGCONT");
    stoppedMaster = null;
  }
  await restart;
  entry.to = Date.now();
  edges.stops.push({
    at: at(),
    ms,
    restarted: withRestart,
    reloadWaiting: all.reloader.reduce((n, child) => n + child.count("reload.waiting"), 0) - waitingBefore,
    adoptWaiting: withRestart ? rl.count("adopt.waiting") : null,
  });
}

// Processes whose command line names the state dir (the HAProxy master and its workers), by pid.
function stateDirProcesses() {
  const found = [];
  for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name)))
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(paths.stateDir)) found.push(Number(entry));
    } catch {
      // gone
    }
  return found;
}
// SOAK_EDGES=1, the final stop: the reloader SIGKILLed, the master SIGSTOPped, a new reloader started,
// and SIGTERMed once its start waits for the silent master (adopt.waiting): it must exit 0 at once, its
// start abandoned at stage "silent master", having stopped that master (haproxy.stopped), and no process
// of the state dir may be left (`silent-stop` violations). Returns the reloader's exit.
async function stopDuringSilentWait() {
  const info = await showProc(paths.stateDir);
  const entry = fault("final stop during a silent master's wait");
  expectedExit.add(rl.pid);
  process.kill(rl.pid, "SIGKILL");
  await rl.exited;
  stoppedMaster = info.masterPid;
  process.kill(info.masterPid, "SIGSTOP");
  rl = spawnReloader({
    onLine: onLine("reloader"),
    env: reloaderEnvFor({ paths, metadata, httpPort: pair.httpPort, env: RL_ENV }),
  });
  all.reloader.push(rl);
  expectedExit.add(rl.pid);
  const waiting = await rl.waitForEvent("adopt.waiting", { timeoutMs: 20_000 }).catch(() => null);
  if (waiting === null) violation("silent-stop", `no adopt.waiting\n${tailLogs(rl.logs, 15)}`);
  const stopAt = Date.now();
  const exit = await rl.stop({ signal: "SIGTERM", timeoutMs: 30_000 });
  const stopMs = Date.now() - stopAt;
  const stage = rl.logs.find((line) => line.event === "start.abandoned")?.stage;
  const left = await (async () => {
    for (let tries = 0; tries < 50 && stateDirProcesses().length > 0; tries++) await sleep(100);
    return stateDirProcesses();
  })();
  if (!left.includes(info.masterPid)) stoppedMaster = null;
  if (exit.code !== 0 || stage !== "silent master" || rl.count("haproxy.stopped") !== 1 || left.length > 0)
    violation(
      "silent-stop",
      `exit ${JSON.stringify(exit)}, start.abandoned at ${stage}, haproxy.stopped ` +
        `${rl.count("haproxy.stopped")}, left ${left}\n${tailLogs(rl.logs, 15)}`,
    );
  for (const pid of left) process.kill(pid, "SIGKILL");
  edges.finalStop = { waited: waiting !== null, stopMs, exit, stage, left };
  entry.to = Date.now();
  return exit;
}

// ---- the client: keep-alive and Connection: close workers over every routed host
const load = { sent: 0, ok: 0, failed: 0, olderWindow: 0, byHost: {}, failures: [] };
let loading = true;
const keepAliveAgent = new Agent({ keepAlive: true, maxSockets: 8 });
const send = (host, keepAlive) => sendHttp(pair.httpPort, host, keepAlive ? keepAliveAgent : false);
const judgeFrom = keepAliveJudgeFrom(); // the agent's sockets are shared by the keep-alive clients
// An answer is right when some routing served from the last confirmed one to the answer's end explains it.
function judge(host, answer, from, started) {
  const end = versions.length;
  for (let j = from; j < end; j++) {
    const names = versions[j].hosts[host];
    if ("error" in answer) continue;
    if (answer.status === 200 && Array.isArray(names) && names.includes(answer.body)) return true;
    const unrouted = names === undefined || names === DEFAULT; // DEFAULT: SOAK_CONFIG's CLASHES
    if (answer.status === 503 && unrouted && answer.body.includes("no route")) return true;
  }
  const seen = versions
    .slice(from, end)
    .map((v) => `${v.kind}@${((v.t - t0) / 1000).toFixed(2)}:${JSON.stringify(v.hosts[host] ?? null)}`);
  const what =
    "error" in answer
      ? answer.error
      : `${answer.status} ${answer.body.slice(0, 60)}${answer.closing ? " (Connection: close)" : ""}`;
  return `${host} → ${what} (sent ${((started - t0) / 1000).toFixed(2)} s, took ${Date.now() - started} ms; routings ${seen.join(" ")})`;
}
async function client(keepAlive) {
  while (loading) {
    const hosts = Object.keys(versions.at(-1).hosts);
    if (hosts.length === 0) {
      await sleep(50); // nothing is routed now (every present container unhealthy)
      continue;
    }
    const host = pick(hosts);
    const from = confirmed;
    const started = Date.now();
    const answer = await send(host, keepAlive);
    load.sent += 1;
    const since = judgeFrom(answer, from);
    if (since < from) load.olderWindow += 1; // a closing keep-alive answer, judged from an older routing
    const verdict = judge(host, answer, since, started);
    load.byHost[host] = (load.byHost[host] ?? 0) + 1;
    const ended = Date.now();
    if (verdict === true) load.ok += 1;
    else if ("error" in answer && killOutages.some((w) => ended >= w.from && started <= (w.to ?? ended))) {
      if (answer.error === "ECONNREFUSED") killOutage.refused += 1;
      else killOutage.other[answer.error] = (killOutage.other[answer.error] ?? 0) + 1;
    } else {
      load.failed += 1;
      if (load.failures.length < 200) load.failures.push({ at: at(), keepAlive, verdict });
      violation("request", `${keepAlive ? "keep-alive" : "close"} ${verdict}`);
    }
    await sleep(15);
  }
}
const clients = [client(true), client(true), client(true), client(false), client(false)];

// ---- samples: RSS and fds of both programs and the master, old workers' ages
const samples = [];
const oldSeen = new Map();
let masterPid = null;
async function sample() {
  const info = await showProc(paths.stateDir).catch(() => null);
  if (info) masterPid = info.masterPid;
  samples.push({
    at: Number(at()),
    gm: procStats(gm.pid),
    rl: procStats(rl.pid),
    master: masterPid ? procStats(masterPid) : null,
    workers: info ? info.workers.length : null,
    oldWorkers: info ? info.oldWorkers.length : null,
  });
  if (!info) return;
  const old = [...info.workers.slice(1), ...info.oldWorkers].map((w) => w.pid);
  for (const pid of old) if (!oldSeen.has(pid)) oldSeen.set(pid, Date.now());
  for (const [pid, since] of oldSeen)
    if (!old.includes(pid)) oldSeen.delete(pid);
    else if (Date.now() - since > HARD_STOP_MS + 10_000)
      violation("old-worker", `old worker ${pid} listed for ${Math.round((Date.now() - since) / 1000)} s`);
}
const sampler = setInterval(() => sample().catch((error) => note(`sample failed: ${error}`)), 5000);

// ---- the quiet-period check
const convergence = [];
async function quietCheck() {
  const lastChange = versions.at(-1).t;
  await sleep(3000);
  const want = versions.at(-1).hosts;
  const wantBackends = {};
  for (const stack of STACKS) {
    const names = routedNames(stack);
    if (names.length > 0 && !clashesNow().includes(stack))
      wantBackends[stack] = names.map((name) => backends[name].address).sort();
  }
  // the map's hosts = the world's routed hosts (SOAK_CONFIG's CLASHES' hosts are left out)
  const mapProblems = (state) => {
    const mapHosts = state.map.map((line) => line.split(" ")[0]).sort();
    const wantHosts = Object.keys(want)
      .filter((host) => want[host] !== DEFAULT)
      .sort();
    return mapHosts.join() !== wantHosts.join() ? [`map hosts [${mapHosts}], the world [${wantHosts}]`] : [];
  };
  const problems = await convergedProblems({
    paths,
    wantBackends,
    deadlineMs: 60_000,
    everyMs: 100,
    more: mapProblems,
    ...(clashesNow().length === 0 ? {} : { filesRun: (files) => withoutBackends(files, clashesNow()) }),
    // SOAK_EDGES: the config's own `listen soak_hold` server is not the files'
    ...(EDGES_MODE
      ? {
          stateRun: (state) => ({
            ...state,
            servers: state.servers.filter((s) => s.backend !== "soak_hold"),
          }),
        }
      : {}),
  });
  if (problems.length > 0) {
    violation("quiet-state", `${problems.join("\n")}\n${tailLogs(rl.logs, 15)}\n${tailLogs(gm.logs, 15)}`);
    return;
  }
  convergence.push(Date.now() - lastChange);
  confirmed = versions.length - 1;
  await checkHealthz(
    [
      ["generate-maps", gm],
      ["reloader", rl],
    ],
    violation,
  );
  if (CONFIG_MODE || EDGES_MODE) await checkClashReport();
  const info = await showProc(paths.stateDir).catch(() => null);
  if (!info) violation("show-proc", "the master did not answer show proc");
  else {
    const listed = new Set([
      info.masterPid,
      ...info.workers.map((w) => w.pid),
      ...info.oldWorkers.map((w) => w.pid),
    ]);
    const running = [
      info.masterPid,
      ...descendants(info.masterPid)
        .filter((p) => p.state !== "Z")
        .map((p) => p.pid),
    ];
    const stray = running.filter((pid) => !listed.has(pid));
    if (stray.length > 0) violation("processes", `running ${running}, show proc ${JSON.stringify(info)}`);
  }
}

// SOAK_CONFIG=1: the shared files as HAProxy must run them when each of `names` is a backend named in the
// --config: without those backends' sections and the map lines naming them
// (model/without-clashing-backends.ts).
function withoutBackends(files, names) {
  let inside = false;
  const backends = files.backends
    .split("\n")
    .filter((line) => {
      if (/^\S/.test(line))
        inside = line.split(/\s+/)[0] === "backend" && names.includes(line.split(/\s+/)[1]);
      return !inside;
    })
    .join("\n");
  const map = files.map
    .split("\n")
    .filter((line) => !names.includes(line.trim().split(/\s+/)[1]))
    .join("\n");
  return { backends, map };
}

// SOAK_CONFIG=1, after a confirmed quiet check: the reloader's /healthz warns of each of CLASHES exactly
// while the files name its backend, and they do while the world routes a container of it; it never warns of
// FALSE_IF (its section is in a false `.if`), which the quiet check has seen routed as any stack.
// SOAK_EDGES=1: the stack named like the host, the same way while so named.
const clashReport = Object.fromEntries(CLASHES.map((stack) => [stack, { warned: 0, clear: 0 }]));
const falseIfReport = { routed: 0, absent: 0 };
async function checkClashReport() {
  const files = (await readFile(paths.backends, "utf8")).split("\n").map((line) => line.trimEnd());
  const health = await readReloaderHealthz(rl).catch((error) => ({ error: error.message }));
  if (health.error !== undefined) return violation("clash-report", `reloader /healthz: ${health.error}`);
  const warningOf = (stack) =>
    (health.warnings ?? []).find((text) => text.startsWith(`backend ${stack} of the generated`));
  for (const stack of clashesNow()) {
    clashReport[stack] ??= { warned: 0, clear: 0 };
    const inFiles = files.includes(`backend ${stack}`);
    if (routedNames(stack).length > 0 && !inFiles)
      violation(
        "clash-report",
        `${stack} is routed in the world but the backends file has no backend ${stack}`,
      );
    const warning = warningOf(stack);
    if (inFiles && warning === undefined)
      violation(
        "clash-report",
        `${stack} is in the files, /healthz warns ${JSON.stringify(health.warnings)}`,
      );
    else if (!inFiles && warning !== undefined)
      violation("clash-report", `${stack} is not in the files, /healthz still warns: ${warning}`);
    else clashReport[stack][inFiles ? "warned" : "clear"] += 1;
  }
  if (FALSE_IF === null) return;
  const warning = warningOf(FALSE_IF);
  if (warning !== undefined)
    violation("false-if", `${FALSE_IF}'s section is in a false .if, /healthz warns: ${warning}`);
  falseIfReport[routedNames(FALSE_IF).length > 0 ? "routed" : "absent"] += 1;
}

// SOAK_CONFIG=1, at the end: each life of the reloader warned at its start of the --config's sections named
// like CLASHES (base-config.section-name-clash), and no line names FALSE_IF's section as a clash.
function checkClashLines() {
  const wanted = CLASHES.map((stack) => `backend ${stack}`).join();
  for (const child of all.reloader) {
    const start = child.logs.filter((line) => line.event === "base-config.section-name-clash");
    // SOAK_EDGES: `listen "$HAPROXY_LOCALPEER"` names the stack the host was named like at that start
    const named = start.map((line) =>
      line.sections
        .map((entry) => entry.section)
        .filter((section) => !(EDGES_MODE && section.startsWith("listen ")))
        .join(),
    );
    if (named.length !== 1 || named[0] !== wanted)
      violation(
        "false-if",
        `reloader ${child.pid} warned at its start of [${named.join(" | ")}], not ${wanted}`,
      );
    for (const line of child.logs.filter((line) => line.event === "inputs.section-clash"))
      if (
        line.backends.some(
          (entry) =>
            entry.backend === FALSE_IF ||
            !(CLASHES.includes(entry.backend) || edges.renames.some((r) => r.to === entry.backend)),
        )
      )
        violation("false-if", `reloader ${child.pid} logged ${JSON.stringify(line.backends)}`);
  }
}

// ---- the run
note(
  `soak: ${SECONDS} s, seed ${SEED}, dir ${dir}, HAProxy on ${pair.url}${CONFIG_MODE ? ", --config" : ""}`,
);
await sample();
const endAt = t0 + SECONDS * 1000;
let phases = 0;
while (Date.now() < endAt) {
  phases += 1;
  // SOAK_SELFTEST=1: a hidden re-addressing of alpha-1 (served, not recorded as a routing), which the
  // judge must report as requests reaching a container not routed
  if (process.env["SOAK_SELFTEST"] === "1" && phases === 5) {
    // alpha-1 healed first (recorded, confirmed): re-addressing it while unhealthy routed nothing, so the
    // judge had nothing to report (seed 13's 120 s run)
    if (world.alpha.sick.has(1)) {
      world.alpha.sick.delete(1);
      publish("self-test-heal");
      await quietCheck();
    }
    world.alpha.at[1] = world.alpha.at[1] === "a" ? "b" : "a";
    metadata.setTree(worldTreeNow());
    note("self-test: alpha-1 re-addressed without recording it");
    await sleep(2000); // the next recorded routing would explain it
  }
  // SOAK_EDGES=1: an edge instead of the phase, drawn first (phases 6-8 make sure a short run sees each)
  if (EDGES_MODE) {
    // (phases 9-10: a rename-and-kill each, one to a stack's name and one back, in the order the host is named)
    const edge =
      phases === 6
        ? 0
        : phases === 7
          ? 0.1
          : phases === 8
            ? 0.13
            : phases === 9 || phases === 10
              ? 0.17
              : random();
    const step =
      edge < 0.08
        ? hostRename
        : edge < 0.11
          ? reloadHold
          : edge < 0.16
            ? masterStop
            : edge < 0.21
              ? () => renameKill(phases === 9 || phases === 10 ? hostName !== HOME_NAME : null)
              : null;
    if (step !== null) {
      try {
        await step();
      } catch (error) {
        violation("probe-step", error.stack);
      }
      await quietCheck();
      continue;
    }
  }
  // phases 2-4 make sure a short run sees each process fault once; random afterwards
  const roll = phases === 2 ? 0.1 : phases === 3 ? 0 : phases === 4 ? 0.2 : random();
  try {
    if (roll < 0.07) await restartGenerator();
    else if (roll < 0.12) await restartReloader();
    else if (roll < 0.22) await outage();
    else
      for (let i = between(1, 10); i > 0; i--) {
        publish(change());
        await sleep(random() < 0.8 ? between(10, 300) : between(300, 2000));
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

// ---- error-level lines (and any line that is not JSON), grouped, each group with the faults around it.
// HAProxy's start-up ALERT that the FD limit is below what maxconn wants is this machine's ulimit, not a
// fault of the pair: it comes with every start and reload and is counted apart.
const errorGroups = {};
for (const [label, children] of Object.entries(all))
  for (const child of children)
    for (const line of child.logs) {
      const text = errorLineText(line);
      if (text === null) continue;
      const time = Date.parse(line.time ?? "");
      const environment = FD_LIMIT_ALERT.test(text);
      const key = `${label} ${line.event ?? "raw"} ${text.replace(/\(\d+\)|\d+/g, "N")}`;
      const group = (errorGroups[key] ??= {
        count: 0,
        unexplained: 0,
        first: null,
        example: text,
        environment,
      });
      group.count += 1;
      group.first ??= Number.isFinite(time) ? ((time - t0) / 1000).toFixed(1) : null;
      const near = faults.some((f) => time >= f.from - 1000 && time <= (f.to ?? Date.now()) + 30_000);
      if (!near && !environment) group.unexplained += 1;
    }
for (const [key, group] of Object.entries(errorGroups))
  if (group.unexplained > 0)
    violation("error-line", `${key}: ${group.unexplained} of ${group.count} outside any fault`);
if (CONFIG_MODE) checkClashLines();
if (EDGES_MODE) checkKilledRestarts();

// ---- stop everything this probe started
expectedExit.add(gm.pid);
expectedExit.add(rl.pid);
const gmExit = await gm.stop({ timeoutMs: 10_000 });
const rlExit = EDGES_MODE ? await stopDuringSilentWait() : await rl.stop({ timeoutMs: 20_000 });
if (gmExit.code !== 0 || rlExit.code !== 0) violation("stop", `exits ${JSON.stringify({ gmExit, rlExit })}`);
killLeftMaster(masterPid, paths.stateDir, violation);
await metadata.close();
await Promise.all(Object.values(backends).map((backend) => backend.close()));
await holdBackend?.close();
keepAliveAgent.destroy();
await writeLogs(logDir, logLines);

const series = (key) => {
  const points = samples.filter((s) => s[key]);
  const byPid = {};
  for (const s of points) (byPid[s[key].pid] ??= []).push(s[key]);
  return Object.entries(byPid).map(([pid, list]) => ({
    pid: Number(pid),
    samples: list.length,
    rssKb: `${list[0].rssKb} → ${list.at(-1).rssKb} (max ${Math.max(...list.map((p) => p.rssKb))})`,
    fds: `${list[0].fds} → ${list.at(-1).fds} (max ${Math.max(...list.map((p) => p.fds))})`,
  }));
};
const sorted = [...convergence].sort((a, b) => a - b);
const summary = {
  seconds: Math.round((Date.now() - t0) / 1000),
  seed: SEED,
  phases,
  changes: versions.length - 1,
  events,
  requests: {
    sent: load.sent,
    ok: load.ok,
    failed: load.failed,
    olderWindow: load.olderWindow,
    hosts: Object.keys(load.byHost).length,
  },
  quietChecks: convergence.length,
  ...(!CONFIG_MODE && !EDGES_MODE ? {} : { clashReport }),
  ...(!CONFIG_MODE
    ? {}
    : {
        falseIfReport,
        sectionClashLogged: {
          clash: all.reloader.flatMap((c) => c.logs).filter((l) => l.event === "inputs.section-clash").length,
          cleared: all.reloader
            .flatMap((c) => c.logs)
            .filter((l) => l.event === "inputs.section-clash-cleared").length,
        },
      }),
  ...(!EDGES_MODE
    ? {}
    : {
        edges: {
          ...edges,
          killOutage,
          logged: Object.fromEntries(
            [
              "haproxy.host-name-changed",
              "inputs.section-clash",
              "reload.held",
              "reload.released",
              "reload.waiting",
              "reload.settled",
              "reload.failed",
              "haproxy.exited",
              "haproxy.restarting",
              "reload.deferred",
            ].map((event) => [event, all.reloader.reduce((n, child) => n + child.count(event), 0)]),
          ),
        },
      }),
  quietConvergenceMs: { p50: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1) },
  reloads: (await readFile(join(logDir, "reloader.log"), "utf8"))
    .split("\n")
    .filter((l) => l.includes('"reload.applied"')).length,
  runtimeApplied: (await readFile(join(logDir, "reloader.log"), "utf8"))
    .split("\n")
    .filter((l) => l.includes('"runtime.applied"')).length,
  rss: { reloader: series("rl"), generateMaps: series("gm"), master: series("master") },
  errorLines: errorGroups,
  violations,
  logDir,
};
console.log(JSON.stringify(summary, null, 2));
if (!process.argv[4]) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
process.exit(violations.length > 0 ? 1 : 0);
