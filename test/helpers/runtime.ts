// The zero-reload tests' fixture (issue 12): a scalable world of real backends on 127.0.12.x, waits on
// what HAProxy's worker really routes (read back through the master CLI, not the reloader's logs), and
// HAProxy's own reload counter as the proof that a change did not reload.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import {
  compareWithFiles,
  compareWithSnapshot,
  readGeneratedFiles,
  readReloadCounter,
  readRuntimeState,
  readyAddresses,
  readStatusJson,
  scrapeMetrics,
  spawnReloader,
  tailLogs,
  waitFor,
  type Backend,
  type MetricSample,
  type Pair,
  type ReloadCounter,
  type ReloaderProcess,
  type World,
} from "@rancher-haproxy/test-support";
import { DOMAIN, host, startBackends } from "./e2e.ts";

// What HAProxy must route: backend → sorted ready server addresses, and the sorted map lines.
export interface Routing {
  backends: Record<string, string[]>;
  map: string[];
}

// One container of a stack: a stable container name and the backend (address) it answers from now.
export interface Placed {
  container: string;
  backend: Backend;
}

// A stack per entry (the same service `web`), every container healthy; aliases as in World.
export interface Layout {
  stacks: Record<string, readonly Placed[]>;
  aliases?: Record<string, readonly string[]>;
}

// The World of a layout: a container keeps its name (so its uuid) when it moves to another backend.
export function layoutWorld(layout: Layout): World {
  const stacks: World["stacks"] = Object.fromEntries(
    Object.entries(layout.stacks).map(([stack, placed]) => [
      stack,
      placed.map(({ container, backend }) => ({
        backend: { name: container, host: backend.host, port: backend.port },
      })),
    ]),
  );
  return { stacks, ...(layout.aliases ? { aliases: layout.aliases } : {}) };
}

// What the layout must route: every stack's containers, `<stack>.<domain>` and `<alias>.<domain>`.
export function layoutRouting(layout: Layout): Routing {
  const backends: Record<string, string[]> = {};
  const map: string[] = [];
  for (const [stack, placed] of Object.entries(layout.stacks)) {
    if (placed.length === 0) continue;
    backends[stack] = placed.map(({ backend }) => backend.address).sort();
    map.push(`${host(stack)} ${stack}`);
  }
  for (const [stack, aliases] of Object.entries(layout.aliases ?? {}))
    if (backends[stack]) for (const alias of aliases) map.push(`${alias}.${DOMAIN} ${stack}`);
  return { backends, map: map.sort() };
}

// The answers each host of the layout gives (backend names; a host routed nowhere is absent).
export function layoutAnswers(layout: Layout): Record<string, string[]> {
  const answers: Record<string, string[]> = {};
  for (const [stack, placed] of Object.entries(layout.stacks))
    if (placed.length > 0) answers[host(stack)] = placed.map(({ backend }) => backend.name);
  for (const [stack, aliases] of Object.entries(layout.aliases ?? {}))
    for (const alias of aliases)
      if (answers[host(stack)]) answers[`${alias}.${DOMAIN}`] = answers[host(stack)]!;
  return answers;
}

// generate-maps without its removal guard, for series of scale events: the guard's 30 s window, renewed
// mid-series while a stack is scaled up, adds the scale-downs after it together past MAX_REMOVAL_SHARE and
// holds one for 30 s, as it should for a real environment of two or three stacks (found in CI:
// e2e-runtime-longlived timed out when its 100 events ran past 30 s). The guard has tests of its own.
export const NO_REMOVAL_GUARD: Readonly<Record<string, string>> = { REMOVAL_CONFIRM_SECONDS: "0" };

// Resolves with performance.now() once the worker's ready servers and map are exactly `routing`.
export async function waitForRouting(pair: Pair, routing: Routing, timeoutMs = 20_000): Promise<number> {
  let last = "nothing read yet";
  const canonical = (backends: Record<string, string[]>, map: string[]) =>
    JSON.stringify({
      backends: Object.entries(backends).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      map,
    });
  const want = canonical(routing.backends, routing.map);
  try {
    await waitFor(
      async () => {
        const state = await readRuntimeState(pair.paths.stateDir);
        const have = canonical(readyAddresses(state.servers), state.map);
        last = have;
        return have === want;
      },
      { timeoutMs, intervalMs: 10, message: "HAProxy's worker to route the layout" },
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nwant ${want}\nhave ${last}\n${tailLogs(pair.reloader.logs)}\n${tailLogs(pair.generateMaps.logs)}`,
      {
        cause: error,
      },
    );
  }
  return performance.now();
}

// Fails when HAProxy reloaded (or restarted) since `baseline`: the counter, the master and the worker.
export async function assertNoReload(pair: Pair, baseline: ReloadCounter, what: string): Promise<void> {
  const now = await readReloadCounter(pair.paths.stateDir);
  assert.deepEqual(
    { reloads: now.reloads, masterPid: now.masterPid, workerPid: now.workerPid },
    { reloads: baseline.reloads, masterPid: baseline.masterPid, workerPid: baseline.workerPid },
    `${what} reloaded HAProxy (show proc before ${JSON.stringify(baseline)}, after ${JSON.stringify(now)})`,
  );
}

// Waits until the worker's state equals the shared files and the `current` snapshot (the files must
// pass `filesReady` first, e.g. hold the last change); fails with every difference left at the deadline.
export async function assertConsistent(
  pair: Pair,
  filesReady: (files: { backends: string; map: string }) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<void> {
  let problems: string[] = ["nothing compared yet"];
  await waitFor(
    async () => {
      const files = await readGeneratedFiles(pair.paths);
      if (!filesReady(files)) {
        problems = ["the shared files do not hold the last change yet"];
        return false;
      }
      const state = await readRuntimeState(pair.paths.stateDir);
      problems = [
        ...compareWithFiles(state, files),
        ...(await compareWithSnapshot(state, pair.paths.stateDir, files)),
      ];
      return problems.length === 0;
    },
    { timeoutMs, intervalMs: 50, message: "the runtime state to equal the files and the snapshot" },
  ).catch(() => undefined);
  assert.deepEqual(problems, [], `runtime state vs files and snapshot\n${tailLogs(pair.reloader.logs)}`);
}

// Backends for `stack`: containers 1..count, each at two addresses (a, b) to move between.
export async function startStackBackends(
  t: TestContext,
  stack: string,
  count: number,
  subnet: number,
): Promise<Record<string, { a: Backend; b: Backend }>> {
  const specs = [];
  for (let i = 1; i <= count; i++)
    for (const [variant, offset] of [
      ["a", 0],
      ["b", 100],
    ] as const)
      specs.push({ name: `${stack}-${i}${variant}`, host: `127.0.${subnet}.${i + offset}` });
  const started = await startBackends(t, specs);
  const pairs: Record<string, { a: Backend; b: Backend }> = {};
  for (let i = 1; i <= count; i++)
    pairs[`${stack}-${i}`] = { a: started[`${stack}-${i}a`]!, b: started[`${stack}-${i}b`]! };
  return pairs;
}

// p50 / p95 / max of samples in ms, for the log line.
export function percentiles(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return `n=${sorted.length} p50 ${at(0.5)} ms p95 ${at(0.95)} ms max ${Math.round(sorted.at(-1) ?? 0)} ms`;
}

// A change of one stack: scale to `to` containers, or move container `container` to its other address.
export type StackEvent = { kind: "scale"; to: number } | { kind: "move"; container: number };

// A stack whose containers 1..count sit at their a or b address (see startStackBackends).
export class ScaledStack {
  private readonly at = new Map<number, "a" | "b">();

  constructor(
    readonly name: string,
    private readonly backends: Record<string, { a: Backend; b: Backend }>,
    public count: number,
  ) {}

  // Applies one event.
  apply(event: StackEvent): void {
    if (event.kind === "scale") this.count = event.to;
    else this.at.set(event.container, this.at.get(event.container) === "b" ? "a" : "b");
  }

  // The containers routed now.
  placed(): Placed[] {
    return Array.from({ length: this.count }, (_, i) => {
      const container = `${this.name}-${i + 1}`;
      const pair = this.backends[container];
      if (!pair) throw new Error(`no backends for ${container}`);
      return { container, backend: pair[this.at.get(i + 1) ?? "a"] };
    });
  }
}

// SIGKILLs the pair's reloader (HAProxy keeps running, orphaned) and starts a new one on the same state
// dir and files, as the image's entrypoint would; resolves once it is ready. It is stopped when the test
// ends; stop it before pair.stop(), which would otherwise kill the HAProxy it adopted.
export async function restartReloader(
  t: TestContext,
  pair: Pair,
  env: Readonly<Record<string, string>> = {},
): Promise<ReloaderProcess> {
  process.kill(pair.reloader.pid, "SIGKILL");
  await pair.reloader.exited;
  const second = spawnReloader({
    entry: "dist",
    env: {
      HAPROXY_DOMAIN_MAP: pair.paths.domainMap,
      HAPROXY_BACKEND_CONFIG: pair.paths.backends,
      RANCHER_API_HOST: pair.metadata.hostPort,
      HAPROXY_CONFIG: pair.paths.haproxyConfig,
      RELOADER_STATE_DIR: pair.paths.stateDir,
      BIND_ADDRESS: "127.0.0.1",
      HTTP_PORT: String(pair.httpPort),
      SYSLOG_HOST: "127.0.0.1:9",
      RELOADER_STOP_TIMEOUT: "5s",
      ...env,
    },
  });
  t.after(() => second.stop());
  await second.waitForEvent("reloader.ready", { timeoutMs: 30_000 });
  return second;
}

// The reloader's status listener (its status.listening log line), e.g. http://127.0.0.1:43675.
export function statusUrl(reloader: ReloaderProcess): string {
  const line = reloader.logs.find((entry) => entry.event === "status.listening");
  if (typeof line?.["url"] !== "string") throw new Error("the reloader logged no status.listening url");
  return line["url"];
}

// What the reloader reports about runtime updates and reloads (/metrics and /healthz).
export interface RuntimeReport {
  runtimeUpdates: number;
  /** reason → reloads started for a change */
  reloadsByReason: Record<string, number>;
  readbackMismatches: number;
  lastReadbackOk: number;
  /** /healthz `runtime` */
  health: { updates?: number; lastReadback?: { ok: boolean } | null } | undefined;
}

// Scrapes /metrics and /healthz of the reloader.
export async function readRuntimeReport(reloader: ReloaderProcess): Promise<RuntimeReport> {
  const url = statusUrl(reloader);
  const samples = await scrapeMetrics(url);
  const one = (name: string) => samples.find((sample: MetricSample) => sample.name === name)?.value ?? NaN;
  const reloadsByReason: Record<string, number> = {};
  for (const sample of samples)
    if (sample.name === "reloader_reloads_by_reason_total" && sample.labels["reason"])
      reloadsByReason[sample.labels["reason"]] = sample.value;
  const health = await readStatusJson<{ runtime?: RuntimeReport["health"] }>(url, "/healthz");
  return {
    runtimeUpdates: one("reloader_runtime_updates_total"),
    reloadsByReason,
    readbackMismatches: one("reloader_readback_mismatches_total"),
    lastReadbackOk: one("reloader_last_readback_ok"),
    health: health.json.runtime,
  };
}

// reason → how many more reloads `after` counts than `before` (reasons without a change left out).
export function reloadsSince(before: RuntimeReport, after: RuntimeReport): Record<string, number> {
  const more: Record<string, number> = {};
  for (const [reason, count] of Object.entries(after.reloadsByReason)) {
    const added = count - (before.reloadsByReason[reason] ?? 0);
    if (added !== 0) more[reason] = added;
  }
  return more;
}
