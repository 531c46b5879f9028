// How often docker-entrypoint.sh leaves a signal's first line for the next wake-up (bench/README.md,
// "Entrypoint: ignored signals' lost lines"): the entrypoint (under dash, as `sh`) runs a fake reloader
// that waits; each try is a flood of SIGUSR1 from a shell loop (`flood` kills) ended by one signal of a
// name never sent before (SIGUSR2, SIGQUIT, ... the real-time ones), whose line must come at once. A try
// whose line has not come `waitMs` after its signal is a miss (the line then comes at the next flood).
// An entrypoint takes a try per name it ignores (43), then a fresh one is started, until `tries`.
// With `stop` last, each try is a fresh entrypoint whose flood SIGTERM ends instead: a miss when it has
// not exited (the stop passed on, the reloader stopped) `waitMs` after (it is then killed).
// No network at all; tmp only.
// Usage: node bench/probes/entrypoint-lost-line.mjs [tries] [flood] [waitMs] [script] [stop]
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const [tries = 200, flood = 1000, waitMs = 2000] = process.argv.slice(2, 5).map(Number);
const script = resolve(process.argv[5] ?? join(import.meta.dirname, "..", "..", "docker-entrypoint.sh"));
const stop = process.argv[6] === "stop";

// Every signal the entrypoint ignores but SIGUSR1 (the flood's), as `kill` takes it and as it logs it.
const NAMES = [
  ["USR2", "USR2"],
  ["QUIT", "QUIT"],
  ["ALRM", "ALRM"],
  ["PWR", "PWR"],
  ["VTALRM", "VTALRM"],
  ["PROF", "PROF"],
  ["IO", "IO"],
  ["XCPU", "XCPU"],
  ["XFSZ", "XFSZ"],
  ["TSTP", "TSTP"],
  ["PIPE", "PIPE"],
  ["16", "STKFLT"],
  ...Array.from({ length: 31 }, (_, n) => [String(34 + n), `RTMIN+${n}`]),
];

const RELOADER = `const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(9), 50);
process.on("SIGHUP", () => {});
process.on("SIGTERM", () => process.exit(0));
console.log(JSON.stringify({ event: "fake.started" }));
`;

const app = await mkdtemp(join(tmpdir(), "rh-lost-line-"));
await mkdir(join(app, "reloader", "bin"), { recursive: true });
await writeFile(join(app, "reloader", "bin", "reloader.js"), RELOADER);

// An entrypoint started, its reloader running; `line(signal)` resolves with whether that signal's line came
// within waitMs.
async function start() {
  const child = spawn("sh", [script, "haproxy"], {
    env: { PATH: process.env["PATH"], RANCHER_HAPROXY_APP: app },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const seen = new Set();
  const waiters = new Map();
  const read = (stream) =>
    createInterface({ input: stream }).on("line", (text) => {
      let line;
      try {
        line = JSON.parse(text);
      } catch {
        return;
      }
      const key = line.event === "entrypoint.signal-ignored" ? line.signal : line.event;
      seen.add(key);
      waiters.get(key)?.(true);
    });
  read(child.stdout);
  read(child.stderr);
  const line = (key, ms) =>
    seen.has(key)
      ? Promise.resolve(true)
      : new Promise((done) => {
          const timer = setTimeout(() => done(false), ms);
          waiters.set(key, (value) => (clearTimeout(timer), done(value)));
        });
  if (!(await line("fake.started", 10_000))) throw new Error("the fake reloader did not start");
  process.kill(child.pid, "SIGUSR1");
  if (!(await line("USR1", 10_000))) throw new Error("SIGUSR1's first line did not come");
  return { child, line };
}

let missed = 0;
let done = 0;
try {
  while (stop && done < tries) {
    const { child } = await start();
    const exited = new Promise((ended) => child.once("exit", () => ended(true)));
    const loop = `i=0; while [ $i -lt ${flood} ]; do kill -USR1 ${child.pid}; i=$((i+1)); done; kill -TERM ${child.pid}`;
    if (spawnSync("sh", ["-c", loop]).status !== 0) throw new Error("the flood failed");
    const timer = new Promise((late) => setTimeout(() => late(false), waitMs));
    if (!(await Promise.race([exited, timer]))) {
      missed++;
      child.kill("SIGKILL");
      await exited;
    }
    done++;
  }
  while (done < tries) {
    const { child, line } = await start();
    for (const [sent, logged] of NAMES) {
      if (done >= tries) break;
      const loop = `i=0; while [ $i -lt ${flood} ]; do kill -USR1 ${child.pid}; i=$((i+1)); done; kill -${sent} ${child.pid}`;
      if (spawnSync("sh", ["-c", loop]).status !== 0) throw new Error("the flood failed");
      if (!(await line(logged, waitMs))) missed++;
      done++;
    }
    process.kill(child.pid, "SIGTERM");
    await new Promise((ended) => child.once("exit", ended));
  }
} finally {
  await rm(app, { recursive: true, force: true });
}
const what = stop ? "stops not passed on" : "first lines missed";
console.log(`${script}: ${missed} of ${done} ${what} (flood ${flood}, waited ${waitMs} ms each)`);
