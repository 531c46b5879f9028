// Part 1's loop-mode figure: the small-environment cycle (issue 12: "a few ms, not ≈ 100 ms"). The real
// generate-maps in loop mode (product defaults, status listener on) against the stand-in with 20
// containers; a series of metadata changes one after another, each adding or removing one stack so both
// files change. Per change: the cycle's own durationMs, the wall time from the version change reaching
// the generator's long poll to both files renamed (inotify in the bench process), and the child's CPU;
// the same for a floor process doing the same I/O with node:http and nothing else (probes/).
import { spawn } from "node:child_process";
import { watch } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { fetchRaw, startMetadataServer } from "@rancher-haproxy/test-support";
import { stopAtCleanup, withCleanup } from "../lib/cleanup.js";
import { processCpuNs } from "../lib/process-cpu.js";
import { buildScaleTree } from "../lib/scale-tree.js";
import { summarize, type Summary } from "../lib/stats.js";
import type { PartSettings } from "./settings.js";

const DEFAULT_GENERATE_MAPS = fileURLToPath(
  new URL("../../packages/generate-maps/bin/generate-maps.js", import.meta.url),
);
const FLOOR = fileURLToPath(new URL("../probes/small-cycle-floor.mjs", import.meta.url));
const CONTAINERS = 20;
const FILES = ["haproxy-backends.cfg", "domain.map"] as const;
// What a cycle woken by the long poll asks (relative to /2015-12-19/).
const WARM = ["containers", "self/service/metadata/aliases"];
// After the cycle line, the child still records the cycle (status, metrics) and opens its next long poll.
const SETTLE_MS = 100;
// Between one change's settle and the next change (the loop starts cycles at least 250 ms apart).
const PAUSE_MS = 150;

// One process's figures over a series of changes (ms, p50/p90/p99/max over the changes).
export interface SeriesFigures {
  changes: number;
  /** the `durationMs` of each change's `cycle` log line (read, model, render, write) */
  cycleMs: Summary;
  /** the held long poll released on the new version → both files renamed (inotify in the bench process) */
  changeToRenamedMs: Summary;
  /** the child's CPU from the change to SETTLE_MS after its cycle line, minus its idle CPU over as long;
   * null where /proc/<pid>/task/<tid>/schedstat is not readable */
  cpuMs: Summary | null;
  /** the child's CPU per second while it waits in its long poll */
  idleCpuMsPerS: number | null;
}

// The same series at part 1's 10 000 containers: what a change costs a running generator (its first,
// cold cycle is done before the series), against the floor probe at that size.
export interface LargeCycleFigures {
  containers: number;
  generator: SeriesFigures;
  floor: SeriesFigures;
}

// The part's figure: generate-maps, and the floor (optional, so a result without one still renders);
// `large` (optional: not in --quick runs, nor in results before 2026-12-01 22:30 UTC) at 10 000 containers.
export interface SmallCycleResult extends SeriesFigures {
  containers: number;
  floor?: SeriesFigures;
  large?: LargeCycleFigures;
  method: string;
}

// The large series' size, and how long after its cycle line its CPU window closes (a 13 MB answer's
// garbage collection can run past the line).
const LARGE_CONTAINERS = 10_000;
const LARGE_SETTLE_MS = 600;

// One `cycle` log line as the bench sees it.
interface CycleLine {
  version: string;
  durationMs: number;
  changed: string[];
}

// Runs the series against `generateMaps` (the product's bin by default; an A/B passes another build),
// then a shorter one against the floor probe.
export async function runSmallCycle(
  settings: PartSettings,
  generateMaps = DEFAULT_GENERATE_MAPS,
): Promise<SmallCycleResult> {
  const generator = await measureSeries(generateMaps, settings.quick ? 10 : 30, CONTAINERS, SETTLE_MS);
  const floor = await measureSeries(FLOOR, settings.quick ? 5 : 15, CONTAINERS, SETTLE_MS);
  const large: LargeCycleFigures | undefined = settings.quick
    ? undefined
    : {
        containers: LARGE_CONTAINERS,
        generator: await measureSeries(generateMaps, 8, LARGE_CONTAINERS, LARGE_SETTLE_MS),
        floor: await measureSeries(FLOOR, 5, LARGE_CONTAINERS, LARGE_SETTLE_MS),
      };
  const result: SmallCycleResult = {
    containers: CONTAINERS,
    ...generator,
    floor,
    ...(large ? { large } : {}),
    method:
      `generate-maps in loop mode (LOG_LEVEL=info, JSON log to a pipe, status listener on) against the ` +
      `stand-in with ${CONTAINERS} containers, then the floor probe (node:http keep-alive, JSON.parse, the ` +
      `same temp + fsync + rename writes); changes ${SETTLE_MS + PAUSE_MS} ms after the previous cycle line, ` +
      "each adding or removing one stack (both files change), its answers warmed while the long poll is " +
      "held; wall = the long poll's release → both renames seen by fs.watch; CPU = the child's schedstat " +
      `CPU from the release to ${SETTLE_MS} ms after its cycle line, minus its idle CPU over as long; ` +
      `then both again at ${LARGE_CONTAINERS} containers (8 and 5 changes, CPU window closing ` +
      `${LARGE_SETTLE_MS} ms after the cycle line)`,
  };
  settings.progress(`small-environment cycle: ${JSON.stringify(result)}`);
  return result;
}

// One child (generate-maps or the floor probe) through `changes` metadata changes of a tree of
// `containers`; its CPU window closes `settleMs` after each cycle line.
async function measureSeries(
  script: string,
  changes: number,
  containers: number,
  settleMs: number,
): Promise<SeriesFigures> {
  return withCleanup(async (cleanup) => {
    const dir = await mkdtemp(join(tmpdir(), "rh-bench-small-"));
    cleanup.add(() => rm(dir, { recursive: true, force: true }));
    const extra = { name: "extra", services: [{ name: "web", containers: [{ port: 8080 }] }] };
    // Both trees built once (the stand-in does not mutate a tree it is given).
    const trees = [buildScaleTree(containers), buildScaleTree(containers, [extra])] as const;
    const tree = (withExtra: boolean) => trees[withExtra ? 1 : 0];
    const server = await startMetadataServer({ tree: tree(false) });
    cleanup.add(() => server.close());

    const renamedAt = new Map<string, number>();
    const watcher = watch(dir, (event, name) => {
      if (event === "rename" && name !== null && (FILES as readonly string[]).includes(name))
        renamedAt.set(name, performance.now());
    });
    cleanup.add(() => watcher.close());

    const child = spawn(process.execPath, [script], {
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        STACK_DOMAIN: "dev.tld",
        RANCHER_API_HOST: server.hostPort,
        HAPROXY_BACKEND_CONFIG: join(dir, FILES[0]),
        HAPROXY_DOMAIN_MAP: join(dir, FILES[1]),
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
        BACKEND_NETWORKS: "127.0.0.0/8",
        STATUS_PORT: "0",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    stopAtCleanup(cleanup, child);
    const lines: CycleLine[] = [];
    let wake: (() => void) | null = null;
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (!line.includes('"cycle"')) return;
      const parsed = JSON.parse(line) as Partial<CycleLine> & { event?: string };
      if (parsed.event !== "cycle") return;
      lines.push({
        version: String(parsed.version),
        durationMs: Number(parsed.durationMs),
        changed: parsed.changed ?? [],
      });
      wake?.();
    });
    const nextCycle = async (timeoutMs: number): Promise<CycleLine> => {
      const deadline = Date.now() + timeoutMs;
      while (lines.length === 0) {
        if (Date.now() > deadline) throw new Error(`no cycle line within ${timeoutMs} ms`);
        if (child.exitCode !== null) throw new Error(`${script} exited ${child.exitCode}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return lines.shift() as CycleLine;
    };

    await nextCycle(20_000);
    const pid = child.pid ?? -1;
    await sleep(300);
    const idleStart = processCpuNs(pid);
    const idleStarted = performance.now();
    await sleep(1000);
    const idleEnd = processCpuNs(pid);
    const idleNsPerMs =
      idleStart === null || idleEnd === null
        ? null
        : (idleEnd - idleStart) / (performance.now() - idleStarted);

    const cycleMs: number[] = [];
    const renamedMs: number[] = [];
    const cpuMs: number[] = [];
    const json = { headers: { accept: "application/json" } };
    for (let i = 0; i < changes; i++) {
      // The new version's answers are rendered before the generator may see it (as part 1 warms its
      // answers): the long poll is held while the tree changes and the two answers are fetched once, then
      // released. Without this each change also timed the stand-in rendering a new tree (≈ 5 ms here).
      await server.setFault({ kind: "longpoll-hang" });
      const version = server.setTree(tree(i % 2 === 0));
      await Promise.all(WARM.map((path) => fetchRaw(`${server.url}/2015-12-19/${path}`, json)));
      renamedAt.clear();
      const cpuBefore = processCpuNs(pid);
      const released = server.setFault(null);
      const changed = performance.now();
      await released;
      const line = await nextCycle(10_000);
      if (line.version !== version)
        throw new Error(`change ${i + 1}: the cycle read version ${line.version}, not ${version}`);
      if (line.changed.length !== 2)
        throw new Error(`change ${i + 1}: the cycle changed ${line.changed.length} files, not 2`);
      for (let wait = 0; FILES.some((f) => !renamedAt.has(f)); wait++) {
        if (wait > 100) throw new Error(`change ${i + 1}: no rename of both files seen`);
        await sleep(10);
      }
      await sleep(settleMs);
      const cpuAfter = processCpuNs(pid);
      const windowMs = performance.now() - changed;
      cycleMs.push(line.durationMs);
      renamedMs.push(Math.max(...FILES.map((f) => renamedAt.get(f) ?? Number.NaN)) - changed);
      if (cpuBefore !== null && cpuAfter !== null && idleNsPerMs !== null)
        cpuMs.push((cpuAfter - cpuBefore - idleNsPerMs * windowMs) / 1e6);
      await sleep(PAUSE_MS);
    }
    return {
      changes,
      cycleMs: summarize(cycleMs, 1),
      changeToRenamedMs: summarize(renamedMs, 1),
      cpuMs: cpuMs.length === changes ? summarize(cpuMs, 1) : null,
      idleCpuMsPerS: idleNsPerMs === null ? null : Number((idleNsPerMs / 1000).toFixed(2)),
    };
  });
}
