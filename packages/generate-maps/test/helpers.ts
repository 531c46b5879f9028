// Shared test helpers: a routable container builder, the recorded fixture as model input, a log
// catcher and temp dirs that clean up after the test.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { TestContext } from "node:test";
import { pathToFileURL } from "node:url";
import { createLogger, type Logger } from "@rancher-haproxy/core";
import { assertBuilt, readRecordedJson, repoPath, type Tree } from "@rancher-haproxy/test-support";
import type { ClockReading, GeneratorOptions, ModelOptions } from "../src/index.js";

// A metadata snapshot as the tests build it: a list of objects and an aliases object (the model's own
// MetadataInput accepts anything in both).
export interface ObjectInput {
  containers: Record<string, unknown>[];
  aliases: Record<string, unknown>;
  /** the generator's own environment uuid (null or absent: unknown) */
  environment?: string | null;
}

// The options of the recorded scenario. The tests opt in to loopback backends (127.0.0.x, never routed by
// default) and keep the recording's Rancher network (10.42.0.0/16, only strings here).
export const MODEL_OPTIONS: ModelOptions = {
  domain: "dev.tld",
  label: "map-public-http",
  proxyLabel: "send-proxy",
  tcpLabel: "map-public-tcp",
  backendNetworks: ["127.0.0.0/8", "10.42.0.0/16"],
};

// The recorded 2015-12-19 containers and aliases, as files (their 10.x addresses are only strings here).
export function recordedInput(): ObjectInput {
  return {
    containers: readRecordedJson("2015-12-19__containers.json") as Record<string, unknown>[],
    aliases: readRecordedJson("2015-12-19__self__service__metadata__aliases.json") as Record<string, unknown>,
  };
}

let counter = 0;

// A container that would be routed as is; `overrides` (undefined deletes a key) makes it whatever a case needs.
export function container(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const n = counter.toString(16).padStart(4, "0");
  const base: Record<string, unknown> = {
    name: `shop-web-${counter}`,
    uuid: `c0ffee00-${n}-4000-8000-000000000000`,
    primary_ip: `127.0.0.${(counter % 200) + 20}`,
    state: "running",
    health_state: "healthy",
    stack_name: "shop",
    stack_uuid: "57000000-0000-4000-8000-000000000001",
    service_name: "web",
    labels: { "map-public-http": "80" },
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

// A JSON logger whose lines the test can read back.
export function captureLogger(level: "debug" | "info" = "debug"): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = createLogger({ name: "generate-maps", level, format: "json", destination });
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

// The long poll's own events (longpoll-failed, longpoll-restored…) among logged lines, in order.
export function longpollEvents(lines: readonly Record<string, unknown>[]): unknown[] {
  return lines.map((line) => line["event"]).filter((event) => String(event).startsWith("longpoll"));
}

// A temp dir removed when the test ends, even when it fails.
export async function tempDir(t: TestContext, prefix = "gm-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // Retried: a process still writing there (stopped by a later hook) can make one pass find it not empty.
  t.after(() => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  return dir;
}

// Polls `check` until it returns a value other than undefined, or fails after `deadlineMs` (of the
// monotonic clock: a test that steps the wall clock still ends).
export async function waitFor<T>(
  what: string,
  deadlineMs: number,
  check: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const end = performance.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (performance.now() > end)
      throw new Error(`not within ${deadlineMs} ms: ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Both clocks read as `ms` (the same number on each), for what takes a ClockReading.
export function clockAt(ms: number): ClockReading {
  return { monotonic: ms, wall: ms };
}

// The process's wall clock (Date.now) under the test's control for the rest of the test: `step(offsetMs)`
// sets it that far off the real one, as an NTP correction would; the monotonic clock (performance.now) is
// left alone.
export function fakeWallClock(t: TestContext): { step(offsetMs: number): void } {
  const real = Date.now.bind(Date);
  let offset = 0;
  t.mock.method(Date, "now", () => real() + offset);
  return {
    step(offsetMs) {
      offset = offsetMs;
    },
  };
}

// A copy of `tree` with the named containers' fields changed wherever the container appears.
export function editContainers(tree: Tree, edits: Record<string, Record<string, unknown>>): Tree {
  const copy = structuredClone(tree);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== "object" || value === null) return;
    const object = value as Record<string, unknown>;
    const name = object["name"];
    if (object["metadata_kind"] === "container" && typeof name === "string" && edits[name])
      Object.assign(object, edits[name]);
    Object.values(object).forEach(visit);
  };
  visit(copy);
  return copy;
}

// The options of an in-process generator against `apiHost`, writing into `dir` (loopback backends allowed).
export function generatorOptions(
  apiHost: string,
  dir: string,
  overrides: Partial<GeneratorOptions> = {},
): GeneratorOptions {
  return {
    domain: "dev.tld",
    label: "map-public-http",
    proxyLabel: "send-proxy",
    tcpLabel: "map-public-tcp",
    backendNetworks: ["127.0.0.0/8"],
    apiHost,
    apiVersion: "2015-12-19",
    domainMapPath: join(dir, "domain.map"),
    backendsPath: join(dir, "backends.cfg"),
    intervalMs: 30_000,
    once: false,
    dryRun: false,
    logLevel: "debug",
    logFormat: "json",
    status: { port: null, bind: "127.0.0.1" },
    explain: null,
    json: false,
    requestTimeoutMs: 1000,
    metadataMaxBytes: 64 * 1024 * 1024,
    maxRemovalShare: 0.5,
    removalConfirmMs: 30_000,
    ...overrides,
  };
}

// Runs `body` (an ES module body, after `const src = await import(<this package's built index>)`) in
// a child node whose heap is capped at `heapMb`: an input whose handling grows memory with its size kills
// that child ("JavaScript heap out of memory") instead of this test process. Returns its exit status
// (null when a signal ended it), stdout and stderr. The child loads dist (checked fresh), as the program
// runs: through tsx it paid ≈ 1.1 s more CPU for the loader, and the loader's own heap.
export function runInSmallHeap(
  body: string,
  heapMb = 128,
): { status: number | null; stdout: string; stderr: string } {
  assertBuilt("generate-maps");
  const index = pathToFileURL(repoPath("packages", "generate-maps", "dist", "index.js")).href;
  const script = `const src = await import(${JSON.stringify(index)});\n${body}`;
  const run = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, "--input-type=module", "-e", script],
    { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// Removes the temp files staged for `name` in `dir` (core's `.<name>.<pid>.<hex>.tmp`), e.g. from a
// writer's afterRename hook: that file's next rename then fails (ENOENT), what a full disk does to a step.
export async function dropStagedTemps(dir: string, name: string): Promise<void> {
  for (const entry of await readdir(dir))
    if (entry.startsWith(`.${name}.`) && entry.endsWith(".tmp")) await rm(join(dir, entry));
}

// How a run of the command ended: its exit code and all it wrote.
export interface ExplainRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The built command running: the process, all it wrote so far, and its exit code once it ended and its
// stdout and stderr are drained.
export interface CommandRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

// Spawns the built command (bin/generate-maps.js) with `args` and a clean environment (nothing inherited
// but PATH, then `env`), killed when the test ends; what runExplain and cli.test.ts' runCli share.
export function spawnCommand(t: TestContext, args: string[], env: Record<string, string>): CommandRun {
  const bin = repoPath("packages", "generate-maps", "bin", "generate-maps.js");
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

// Runs the built command (`generate-maps --explain …` against a stand-in: `args`) to its end with a clean
// environment (nothing inherited but PATH), killed if the test ends first.
export async function runExplain(t: TestContext, args: string[]): Promise<ExplainRun> {
  const run = spawnCommand(t, args, {
    STACK_DOMAIN: "dev.tld",
    SYSLOG_HOST: "stdout",
    STATUS_PORT: "0",
    BACKEND_NETWORKS: "127.0.0.0/8", // the remapped fixture's backends are on loopback
  });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
