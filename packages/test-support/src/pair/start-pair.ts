// The whole product on loopback: a stand-in metadata server → generate-maps → a shared dir → reloader →
// a real HAProxy, configured through the same environment variables as the deploy files. One stop()
// ends everything it started, also after a failed start.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../haproxy/free-port.js";
import { spawnReloader, type ReloaderProcess } from "../haproxy/spawn-reloader.js";
import { startMetadataServer, type MetadataServer } from "../metadata/start-metadata-server.js";
import type { Tree } from "../metadata/types.js";
import type { ProcessExit } from "./logged-child.js";
import { pairPaths, type PairPaths } from "./pair-paths.js";
import { spawnGenerateMaps, type GenerateMapsProcess } from "./spawn-generate-maps.js";
import { waitForApplied, type AppliedFiles, type ApplyCheck } from "./wait-for-applied.js";

// What to run. Give `metadata` (left running by stop) or `tree` (a stand-in started and closed here).
export interface PairOptions {
  domain: string;
  metadata?: MetadataServer;
  tree?: Tree;
  /** the shared volume and the reloader's state live here; a new temp dir (removed by stop) by default */
  dir?: string;
  /** HAProxy's HTTP port (default: a free one) and address (default 127.0.0.1) */
  httpPort?: number;
  bindAddress?: string;
  /** extra environment per process, on top of the pair's (e.g. LOG_LEVEL, ENABLE_STATS) */
  generateMapsEnv?: Readonly<Record<string, string>>;
  reloaderEnv?: Readonly<Record<string, string>>;
  /** "dist" (default: the built bins, as in the image) or "src" through tsx */
  entry?: "src" | "dist";
  /** children in their own process groups (the demo: only it receives the terminal's Ctrl-C) */
  detached?: boolean;
  /** every raw output line of either process */
  onLine?: (source: "generate-maps" | "reloader", line: string) => void;
  /** wait until HAProxy runs generate-maps' first files (default true; false when metadata starts down) */
  waitRouted?: boolean;
  /** bound on each start-up wait (default 30 s) */
  timeoutMs?: number;
}

// The running pair.
export interface Pair {
  readonly domain: string;
  readonly metadata: MetadataServer;
  readonly dir: string;
  readonly paths: PairPaths;
  readonly httpPort: number;
  /** HAProxy's HTTP frontend, e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  readonly generateMaps: GenerateMapsProcess;
  readonly reloader: ReloaderProcess;
  /** resolves once generate-maps' files pass `check` and HAProxy runs exactly those bytes */
  waitForApplied(check?: ApplyCheck, options?: { timeoutMs?: number }): Promise<AppliedFiles>;
  /** SIGTERM both (generate-maps first), close an owned stand-in, remove an owned dir; idempotent */
  stop(): Promise<{ generateMaps: ProcessExit | null; reloader: ProcessExit | null }>;
}

// Starts the stand-in (unless given), the reloader (until ready), then generate-maps.
export async function startPair(options: PairOptions): Promise<Pair> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const steps: (() => Promise<unknown>)[] = [];
  let generateMaps: GenerateMapsProcess | null = null;
  let reloader: ReloaderProcess | null = null;
  let stopping: ReturnType<Pair["stop"]> | null = null;
  const stop: Pair["stop"] = () =>
    (stopping ??= (async () => {
      const gm = generateMaps ? await generateMaps.stop({ timeoutMs: 10_000 }) : null;
      const rl = reloader ? await reloader.stop({ timeoutMs: 20_000 }) : null;
      for (const step of steps.reverse()) await step();
      return { generateMaps: gm, reloader: rl };
    })());
  try {
    const metadata = options.metadata ?? (await startMetadataServer({ tree: options.tree ?? {} }));
    if (!options.metadata) steps.push(() => metadata.close());
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "rh-pair-")));
    if (!options.dir) steps.push(() => rm(dir, { recursive: true, force: true }));
    const paths = pairPaths(dir);
    await mkdir(paths.etcDir, { recursive: true });
    const httpPort = options.httpPort ?? (await freePort());
    const entry = options.entry ?? "dist";
    const shared = { HAPROXY_DOMAIN_MAP: paths.domainMap, HAPROXY_BACKEND_CONFIG: paths.backends };
    // (spawnReloader and spawnGenerateMaps give each status listener a free port: pairs run side by side.)
    const common = { RANCHER_API_HOST: metadata.hostPort };

    const reloaderChild = spawnReloader({
      entry,
      detached: options.detached ?? false,
      ...(options.onLine ? { onLine: (line: string) => options.onLine?.("reloader", line) } : {}),
      env: {
        ...shared,
        ...common,
        HAPROXY_CONFIG: paths.haproxyConfig,
        RELOADER_STATE_DIR: paths.stateDir,
        BIND_ADDRESS: options.bindAddress ?? "127.0.0.1",
        HTTP_PORT: String(httpPort),
        SYSLOG_HOST: "stdout",
        RELOADER_STOP_TIMEOUT: "5s",
        ...options.reloaderEnv,
      },
    });
    reloader = reloaderChild;
    await waitForReloaderReady(reloaderChild, timeoutMs);

    generateMaps = spawnGenerateMaps({
      entry,
      detached: options.detached ?? false,
      ...(options.onLine ? { onLine: (line: string) => options.onLine?.("generate-maps", line) } : {}),
      env: { ...shared, ...common, STACK_DOMAIN: options.domain, ...options.generateMapsEnv },
    });
    const running = { generateMaps, reloader: reloaderChild };
    const pair: Pair = {
      domain: options.domain,
      metadata,
      dir,
      paths,
      httpPort,
      url: `http://127.0.0.1:${httpPort}/`,
      ...running,
      waitForApplied: (check, waitOptions) =>
        waitForApplied(running, paths, check, { timeoutMs: waitOptions?.timeoutMs ?? 15_000 }),
      stop,
    };
    if (options.waitRouted ?? true) {
      await running.generateMaps.waitForEvent("cycle", { timeoutMs });
      await pair.waitForApplied(undefined, { timeoutMs });
    }
    return pair;
  } catch (error) {
    await stop();
    throw error;
  }
}

// Waits for reloader.ready. The reloader exits 1 at once when HAProxy cannot start (a port in use, say):
// then the error is its haproxy.start-failed line, HAProxy's own alerts included.
async function waitForReloaderReady(reloader: ReloaderProcess, timeoutMs: number): Promise<void> {
  try {
    await reloader.waitForEvent("reloader.ready", { timeoutMs });
  } catch (error) {
    const failed = reloader.logs.find((line) => line.event === "haproxy.start-failed");
    throw failed ? new Error(`the reloader cannot start HAProxy: ${String(failed["err"])}`) : error;
  }
}
