// What the two soak probes (soak.mjs, soak-tls.mjs; bench/README.md, "Soak") share: the seeded churn
// helpers, the pair's environments, the exit and crash guards, the HTTP client, the quiet-period checks,
// process sampling, the error-line test and the final clean-up. Loopback only; uses the built programs.
import { readFileSync, readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { parseShowProc, sendMasterCommand } from "../../packages/core/dist/index.js";
import {
  compareWithFiles,
  compareWithSnapshot,
  readGeneratedFiles,
  readRuntimeState,
  readStatus,
  readyAddresses,
  seededRandom,
} from "../../packages/test-support/dist/index.js";

// A promise that settles after `ms`: the pauses of the churn and of the clients.
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The seeded random source the churn and the clients draw from, with its two uses (pick, between).
export function seededChurn(seed) {
  const random = seededRandom(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const between = (low, high) => low + Math.floor(random() * (high - low + 1));
  return { random, pick, between };
}

// The environment of a generate-maps started again by a probe on the pair's paths (as startPair starts it).
export const generateMapsEnvFor = ({ paths, metadata, domain, env }) => ({
  HAPROXY_DOMAIN_MAP: paths.domainMap,
  HAPROXY_BACKEND_CONFIG: paths.backends,
  RANCHER_API_HOST: metadata.hostPort,
  STACK_DOMAIN: domain,
  ...env,
});

// The environment of a reloader started again by a probe on the pair's paths and state dir.
export const reloaderEnvFor = ({ paths, metadata, httpPort, env }) => ({
  HAPROXY_DOMAIN_MAP: paths.domainMap,
  HAPROXY_BACKEND_CONFIG: paths.backends,
  RANCHER_API_HOST: metadata.hostPort,
  HAPROXY_CONFIG: paths.haproxyConfig,
  RELOADER_STATE_DIR: paths.stateDir,
  BIND_ADDRESS: "127.0.0.1",
  HTTP_PORT: String(httpPort),
  ...env,
});

// A child's exit is a `crash` violation unless the probe marked its pid in `expectedExit` first.
export const exitWatcher = (expectedExit, violation) => (child, label) =>
  child.exited.then((exit) => {
    if (!expectedExit.has(child.pid))
      violation("crash", `${label} ${child.pid} exited ${JSON.stringify(exit)}`);
  });

// On a crash of the probe itself (or SIGINT/SIGTERM), stop the running programs (SIGTERM: the reloader
// stops HAProxy) before exiting 2; `running` gives the children of the moment.
export function stopOnProbeCrash(running) {
  const emergency = (error) => {
    console.error(`probe crashed: ${error?.stack ?? error}`);
    for (const child of running())
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    setTimeout(() => process.exit(2), 8000);
  };
  process.on("uncaughtException", emergency);
  process.on("SIGINT", () => emergency("SIGINT"));
  process.on("SIGTERM", () => emergency("SIGTERM"));
}

// One GET / to HAProxy on 127.0.0.1:`port` for `host`: keep-alive through `agent`, or a new connection
// with `Connection: close` when `agent` is false; resolves {status, body, socket, closing} (`closing`: the
// answer said `Connection: close`) or {error}, never rejects.
export function sendHttp(port, host, agent) {
  return new Promise((resolve) => {
    const req = request(
      {
        hostname: "127.0.0.1",
        port,
        path: "/",
        headers: agent ? { host } : { host, connection: "close" },
        agent,
      },
      (res) => {
        const socket = res.socket; // null by the end when a keep-alive socket went back to the agent
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode,
            body: Buffer.concat(chunks).toString(),
            socket,
            closing: /\bclose\b/i.test(res.headers.connection ?? ""),
          }),
        );
        res.on("error", (error) => resolve({ error: error.code ?? error.message }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (error) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

// The first routing (an index into the probe's routings) a keep-alive answer may come from. An old worker
// answers one more request on an idle keep-alive connection, with `Connection: close` and the routing it
// ran when it was replaced (`option idle-close-on-response`, packages/reloader/README.md "No keep-alive
// race"), which may be older than the last one confirmed since: such an answer is judged from the routing
// confirmed when its connection carried the request before. `from` is the one confirmed at this send.
export function keepAliveJudgeFrom() {
  const fromOf = new WeakMap(); // socket → the confirmed routing when it carried its last request
  return (answer, from) => {
    if (!answer.socket) return from;
    const before = fromOf.get(answer.socket);
    fromOf.set(answer.socket, from);
    return answer.closing && before !== undefined ? Math.min(before, from) : from;
  };
}

// Polls every `everyMs` until `deadlineMs` has passed or the worker's servers = the files = the snapshot
// and the ready addresses = `wantBackends` (plus what `more(state)` finds); returns the last problems.
// `filesRun(files)`: what the worker must run of the files (soak.mjs's SOAK_CONFIG leaves a backend out);
// `stateRun(state)`: what of the worker's state the files generate (soak.mjs's SOAK_EDGES adds a section).
export async function convergedProblems({
  paths,
  wantBackends,
  deadlineMs,
  everyMs,
  more = () => [],
  filesRun = (files) => files,
  stateRun = (state) => state,
}) {
  let problems = ["nothing read"];
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    try {
      const files = await readGeneratedFiles(paths);
      const state = stateRun(await readRuntimeState(paths.stateDir));
      const ready = readyAddresses(state.servers);
      problems = [
        ...compareWithFiles(state, filesRun(files)),
        ...(await compareWithSnapshot(state, paths.stateDir, files)),
      ];
      if (
        JSON.stringify(Object.entries(ready).sort()) !== JSON.stringify(Object.entries(wantBackends).sort())
      )
        problems.push(`routing: ready ${JSON.stringify(ready)}, the world ${JSON.stringify(wantBackends)}`);
      problems.push(...more(state));
      if (problems.length === 0) break;
    } catch (error) {
      problems = [`read failed: ${error.message}`];
    }
    await sleep(everyMs);
  }
  return problems;
}

// Each [label, child]'s /healthz (at the URL its status.listening line gave) must answer 200.
export async function checkHealthz(labelled, violation) {
  for (const [label, child] of labelled) {
    const url = child.logs.find((line) => line.event === "status.listening")?.url;
    const answer = url
      ? await readStatus(url, "/healthz").catch((error) => ({ status: error.message }))
      : null;
    if (answer?.status !== 200)
      violation("healthz", `${label} /healthz ${answer?.status}: ${answer?.body?.slice(0, 300)}`);
  }
}

// The reloader's /healthz body (JSON), at the URL its status.listening line gave.
export async function readReloaderHealthz(child) {
  const url = child.logs.find((line) => line.event === "status.listening")?.url;
  if (!url) throw new Error("no status.listening line");
  const answer = await readStatus(url, "/healthz");
  return JSON.parse(answer.body);
}

// RSS (kB) and open fds of a running process, or null when it is gone or a zombie (killed, not yet reaped:
// no VmRSS, no fds; a sample of it made a life's series end in "NaN" and 0 fds).
export const procStats = (pid) => {
  try {
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    if (rss === undefined) return null;
    return { pid, rssKb: Number(rss), fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return null;
  }
};

// The HAProxy master's `show proc`, parsed, through the master socket in the reloader's state dir.
export const showProc = async (stateDir) =>
  parseShowProc(await sendMasterCommand(join(stateDir, "master.sock"), "show proc", 5000));

// The text of an error-level (level ≥ 50) or non-JSON log line, or null for any other line.
export function errorLineText(line) {
  if (line.raw === undefined && (line.level ?? 0) < 50) return null;
  return String(line.line ?? line.err?.message ?? line.msg ?? line.raw ?? "").slice(0, 200);
}

// HAProxy's start-up ALERT that this machine's FD limit is below what maxconn wants: not a fault of the pair.
export const FD_LIMIT_ALERT = /FD limit \(\d+\) too low/;

// After the reloader stopped, the HAProxy master of `stateDir` must be gone: a `stop` violation and a
// SIGKILL when it still runs.
export function killLeftMaster(masterPid, stateDir, violation) {
  if (masterPid === null) return;
  try {
    if (readFileSync(`/proc/${masterPid}/cmdline`, "utf8").includes(stateDir)) {
      violation("stop", `HAProxy master ${masterPid} still runs after the reloader stopped`);
      process.kill(masterPid, "SIGKILL");
    }
  } catch {
    // gone, as it should be
  }
}

// Each source's collected log lines written to `logDir`/<source>.log.
export async function writeLogs(logDir, logLines) {
  for (const [source, lines] of Object.entries(logLines))
    await writeFile(join(logDir, `${source}.log`), lines.join("\n") + "\n");
}
