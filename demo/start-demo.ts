// Starts everything the demo runs, in a temp dir: the demo backends and the pair (stand-in metadata,
// generate-maps, reloader, HAProxy) with the two processes' logs in files. stop() ends all of it and
// says which HAProxy processes (by pid) outlived it: none, or it is a bug.
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  descendants,
  startBackend,
  startPair,
  stillRuns,
  worldTree,
  type Backend,
  type Pair,
} from "@rancher-haproxy/test-support";
import type { DemoOptions } from "./demo-options.js";
import { DEMO_BACKENDS, DEMO_DOMAIN, INITIAL_STATE, demoWorld } from "./demo-world.js";
import { isFree, pickPort } from "./pick-port.js";

// The stats page's credentials (the reloader refuses its haproxy/haproxy defaults).
export const STATS_USER = "demo";
export const STATS_PASSWORD = "demo-password";

// Everything running.
export interface Demo {
  dir: string;
  logFiles: { generateMaps: string; reloader: string };
  backends: ReadonlyMap<string, Backend>;
  pair: Pair;
  statsPort: number;
  /** the status listeners' ports (9101 and 9102, the programs' defaults, when free) */
  statusPorts: { generateMaps: number; reloader: number };
  /** HAProxy processes (master and workers) under the reloader now */
  haproxyPids(): number[];
  /** stops everything (idempotent) */
  stop(): Promise<DemoStopped>;
}

// How the stop went: the processes' exits, every HAProxy pid seen, and those that outlived the stop
// (killed then, and reported: it would be a bug).
export interface DemoStopped {
  exits: Awaited<ReturnType<Pair["stop"]>> | null;
  haproxyPids: number[];
  survivors: number[];
}

// Starts it all; on a failure stops what had started, then rethrows.
export async function startDemo(options: DemoOptions): Promise<Demo> {
  if (options.httpPort !== null && !(await isFree(options.httpPort)))
    throw new Error(
      `${options.httpPortFrom ?? "--http-port"} ${options.httpPort}: something already listens on 127.0.0.1:${options.httpPort}`,
    );
  const dir = await mkdtemp(join(tmpdir(), "rh-demo-"));
  const logFiles = { generateMaps: join(dir, "generate-maps.log"), reloader: join(dir, "reloader.log") };
  const streams = {
    generateMaps: createWriteStream(logFiles.generateMaps),
    reloader: createWriteStream(logFiles.reloader),
  };
  const backends = new Map<string, Backend>();
  let pair: Pair | null = null;
  const seen = new Set<number>();
  const haproxyPids = () => {
    if (!pair) return [];
    const now = [
      ...pair.reloader.haproxyPids(),
      ...descendants(pair.reloader.pid)
        .filter((proc) => proc.command.includes("haproxy"))
        .map((proc) => proc.pid),
    ].filter((pid) => stillRuns(pid, "haproxy"));
    for (const pid of now) seen.add(pid);
    return [...new Set(now)];
  };
  let stopping: Promise<DemoStopped> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      haproxyPids();
      const exits = pair ? await pair.stop() : null;
      await Promise.all([...backends.values()].map((backend) => backend.close()));
      await Promise.all([streams.generateMaps, streams.reloader].map(endStream));
      const survivors = [...seen].filter((pid) => stillRuns(pid, "haproxy"));
      for (const pid of survivors) process.kill(pid, "SIGKILL");
      return { exits, haproxyPids: [...seen].sort((a, b) => a - b), survivors };
    })());

  try {
    for (const spec of DEMO_BACKENDS) backends.set(spec.name, await startBackend(spec));
    const httpPort = options.httpPort ?? (await pickPort(8080));
    const statsPort = await pickPort(8404, [httpPort]);
    // The programs' default status ports when free, so the documented curl lines work as they are.
    const generateMapsStatus = await pickPort(9101, [httpPort, statsPort]);
    const statusPorts = {
      generateMaps: generateMapsStatus,
      reloader: await pickPort(9102, [httpPort, statsPort, generateMapsStatus]),
    };
    pair = await startPair({
      domain: DEMO_DOMAIN,
      tree: worldTree(demoWorld(INITIAL_STATE, backends)),
      dir: join(dir, "pair"),
      httpPort,
      // Own process groups: a terminal's Ctrl-C reaches only the demo, which stops them in order.
      detached: true,
      onLine: (source, line) =>
        (source === "reloader" ? streams.reloader : streams.generateMaps).write(`${line}\n`),
      generateMapsEnv: { STATUS_PORT: String(statusPorts.generateMaps) },
      reloaderEnv: {
        STATUS_PORT: String(statusPorts.reloader),
        ENABLE_STATS: "true",
        STATS_PORT: String(statsPort),
        STATS_USERNAME: STATS_USER,
        STATS_PASSWORD,
      },
    });
    haproxyPids();
    return { dir, logFiles, backends, pair, statsPort, statusPorts, haproxyPids, stop };
  } catch (error) {
    await stop();
    const logs = `the logs are kept in ${dir}`;
    throw new Error(`${(error as Error).message}\n(${logs})`, { cause: error });
  }
}

function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}
