// Part 1: one generate-maps cycle (`--once`, a real child process) against the stand-in at 100 to 50 000
// containers: wall, CPU beyond start-up, peak RSS, bytes written, an unchanged cycle, and the floor
// (node:http GET + JSON.parse of /containers) measured the same way in the same run; then the loop-mode
// cycle of a small environment (small-cycle.ts).
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fetchRaw, startMetadataServer } from "@rancher-haproxy/test-support";
import { withCleanup } from "../lib/cleanup.js";
import { measureNode, type NodeRun } from "../lib/measure-node.js";
import { buildScaleTree } from "../lib/scale-tree.js";
import { median, ratio } from "../lib/stats.js";
import type { PartSettings } from "./settings.js";
import { runSmallCycle, type SmallCycleResult } from "./small-cycle.js";

const GENERATE_MAPS = fileURLToPath(
  new URL("../../packages/generate-maps/bin/generate-maps.js", import.meta.url),
);
const FLOOR = fileURLToPath(new URL("../probes/fetch-floor.mjs", import.meta.url));
const EMPTY = fileURLToPath(new URL("../probes/empty.mjs", import.meta.url));

// One size's figures (times in ms, memory in MB; medians of `runs`).
export interface ScaleRow {
  containers: number;
  runs: number;
  containersBodyMb: number;
  cycleWallMs: number;
  cycleInProcessMs: number;
  cycleCpuMs: number;
  cycleCpuBeyondStartupMs: number;
  peakRssMb: number;
  peakRssMaxMb: number;
  bytesWritten: number;
  unchangedWallMs: number;
  unchangedInProcessMs: number;
  unchangedCpuBeyondStartupMs: number;
  unchangedWroteNothing: boolean;
  floorCpuBeyondStartupMs: number;
  floorPeakRssMb: number;
  cpuOverFloor: number;
  /** the medians this row's "beyond start-up" figures subtract: the baseline and a bare node, run
   * alongside this size's own runs (one of each per run), so they see the same machine state; missing in
   * results before 2026-12-01 22:45 UTC, which subtracted the part's start-up figures */
  startupCpuMs?: number;
  bareNodeCpuMs?: number;
}

// The start-up costs the cycle and the floor are measured beyond (medians), and their run-to-run spread
// (max − min): a difference below the spread is not measured. Results written before the spread was
// recorded (baseline `generate-maps --help`) have no `baseline` and no spreads.
export interface ScaleStartup {
  bareNodeCpuMs: number;
  bareNodeSpreadMs?: number;
  generateMapsCpuMs: number;
  generateMapsSpreadMs?: number;
  generateMapsRssMb: number;
  /** what generateMapsCpuMs measured */
  baseline?: string;
}

// The start-up baseline of a cycle: the same command and options, but the metadata address refuses, so
// the process starts, loads every module, parses its options, fails its first request and exits. (It
// used to be `generate-maps --help`, whose help text rendering costs more CPU than a small cycle: that
// made "CPU beyond start-up" negative at 100 and 1 000 containers and too small at every size.)
const BASELINE = "`generate-maps --once` against a metadata address that refuses the connection";
const REFUSED_HOST = "127.0.0.1:1";
// The size issue 12's target is about.
const HEADLINE = 10_000;

// The whole part.
export interface ScaleResult {
  startup: ScaleStartup;
  rows: ScaleRow[];
  /** cycle CPU beyond start-up at 50 000 / at 10 000 (5 = linear) */
  growth50kOver10k: number | null;
  /** the loop-mode cycle of a small environment (missing in results before 2026-12-02) */
  smallCycle?: SmallCycleResult;
}

// Run the part with the given sizes and repetitions.
export async function runGeneratorScale(settings: PartSettings): Promise<ScaleResult> {
  const sizes = settings.quick ? [100, 1000] : [100, 1000, 10_000, 50_000];
  const runs = settings.quick ? 3 : 5;
  // The headline size gets more runs: its ratio moved by 0.45 between two runs of the same code with 5.
  const runsAt = (containers: number) => (containers === HEADLINE && !settings.quick ? 9 : runs);
  return withCleanup(async (cleanup) => {
    const work = await mkdtemp(join(tmpdir(), "rh-bench-scale-"));
    cleanup.add(() => rm(work, { recursive: true, force: true }));

    // Start-up costs: a bare node, and generate-maps up to its first request (see BASELINE).
    const bare: NodeRun[] = [];
    const baseline: NodeRun[] = [];
    const baselineDir = join(work, "baseline");
    await mkdir(baselineDir, { recursive: true });
    for (let i = 0; i < runs; i++) {
      bare.push(await measureNode(EMPTY, [], {}, work));
      const run = await measureNode(
        GENERATE_MAPS,
        ["--once"],
        { ...cycleEnv(baselineDir, REFUSED_HOST), RANCHER_API_HOST: REFUSED_HOST },
        work,
      );
      if (run.code !== 1) throw new Error(`the baseline (${BASELINE}) exited ${run.code}, not 1`);
      baseline.push(run);
    }
    const startup: ScaleStartup = {
      bareNodeCpuMs: round(median(bare.map((r) => r.cpuMs))),
      bareNodeSpreadMs: round(spread(bare.map((r) => r.cpuMs))),
      generateMapsCpuMs: round(median(baseline.map((r) => r.cpuMs))),
      generateMapsSpreadMs: round(spread(baseline.map((r) => r.cpuMs))),
      generateMapsRssMb: round(median(baseline.map((r) => r.maxRssMb))),
      baseline: BASELINE,
    };
    settings.progress(
      `start-up CPU: bare node ${startup.bareNodeCpuMs} ms, generate-maps ${startup.generateMapsCpuMs} ms`,
    );

    const rows: ScaleRow[] = [];
    for (const containers of sizes) {
      rows.push(await measureSize(containers, runsAt(containers), work, startup, settings));
      const row = rows.at(-1);
      if (row) settings.progress(`${containers} containers: ${JSON.stringify(row)}`);
    }
    const at10k = rows.find((r) => r.containers === 10_000);
    const at50k = rows.find((r) => r.containers === 50_000);
    const smallCycle = await runSmallCycle(settings);
    return {
      startup,
      rows,
      growth50kOver10k:
        at10k && at50k ? ratio(at50k.cycleCpuBeyondStartupMs, at10k.cycleCpuBeyondStartupMs) : null,
      smallCycle,
    };
  });
}

async function measureSize(
  containers: number,
  runs: number,
  work: string,
  startup: ScaleResult["startup"],
  settings: PartSettings,
): Promise<ScaleRow> {
  return withCleanup(async (cleanup) => {
    const server = await startMetadataServer({ tree: buildScaleTree(containers) });
    cleanup.add(() => server.close());
    const containersUrl = `${server.url}/2015-12-19/containers`;
    // Warm the stand-in's response cache so every measured run gets the same ready bytes.
    const body = await fetchRaw(containersUrl, { headers: { accept: "application/json" } });

    const full: NodeRun[] = [];
    const fullCycleMs: number[] = [];
    const unchanged: NodeRun[] = [];
    const unchangedCycleMs: number[] = [];
    const floor: NodeRun[] = [];
    const baseline: NodeRun[] = [];
    const bare: NodeRun[] = [];
    let bytesWritten = 0;
    let wroteNothing = true;
    for (let i = 0; i < runs; i++) {
      // This run's start-up baselines, next to its measured runs (the machine's state drifts: a baseline
      // taken once at the start of the part moved one run's figures by 200 ms).
      const base = await measureNode(
        GENERATE_MAPS,
        ["--once"],
        { ...cycleEnv(join(work, `baseline-${containers}`), REFUSED_HOST), RANCHER_API_HOST: REFUSED_HOST },
        work,
      );
      if (base.code !== 1) throw new Error(`the baseline (${BASELINE}) exited ${base.code}, not 1`);
      baseline.push(base);
      bare.push(await measureNode(EMPTY, [], {}, work));
      const dir = join(work, `n${containers}-${i}`);
      const env = cycleEnv(dir, server.hostPort);
      await mkdir(dir, { recursive: true });
      const first = await measureNode(GENERATE_MAPS, ["--once"], env, work);
      if (first.code !== 0) throw new Error(`generate-maps --once exited ${first.code}`);
      full.push(first);
      fullCycleMs.push(cycleDuration(first.stdout));
      const before = await fileStamps(env.HAPROXY_BACKEND_CONFIG, env.HAPROXY_DOMAIN_MAP);
      bytesWritten = before.bytes;
      const again = await measureNode(GENERATE_MAPS, ["--once"], env, work);
      if (again.code !== 0) throw new Error(`generate-maps --once (unchanged) exited ${again.code}`);
      unchanged.push(again);
      unchangedCycleMs.push(cycleDuration(again.stdout));
      const after = await fileStamps(env.HAPROXY_BACKEND_CONFIG, env.HAPROXY_DOMAIN_MAP);
      if (after.stamp !== before.stamp) wroteNothing = false;
      floor.push(await measureNode(FLOOR, [containersUrl], {}, work));
      await rm(dir, { recursive: true, force: true });
      settings.progress(`  ${containers}: run ${i + 1}/${runs}`);
    }
    const startupCpu = median(baseline.map((r) => r.cpuMs));
    const bareCpu = median(bare.map((r) => r.cpuMs));
    const cycleCpuBeyond = median(full.map((r) => r.cpuMs)) - startupCpu;
    const floorCpuBeyond = median(floor.map((r) => r.cpuMs)) - bareCpu;
    return {
      containers,
      runs,
      containersBodyMb: round(body.body.length / 1024 / 1024, 2),
      cycleWallMs: round(median(full.map((r) => r.wallMs))),
      cycleInProcessMs: round(median(fullCycleMs)),
      cycleCpuMs: round(median(full.map((r) => r.cpuMs))),
      cycleCpuBeyondStartupMs: round(cycleCpuBeyond),
      peakRssMb: round(median(full.map((r) => r.maxRssMb))),
      peakRssMaxMb: round(Math.max(...full.map((r) => r.maxRssMb))),
      bytesWritten,
      unchangedWallMs: round(median(unchanged.map((r) => r.wallMs))),
      unchangedInProcessMs: round(median(unchangedCycleMs)),
      unchangedCpuBeyondStartupMs: round(median(unchanged.map((r) => r.cpuMs)) - startupCpu),
      unchangedWroteNothing: wroteNothing,
      floorCpuBeyondStartupMs: round(floorCpuBeyond),
      floorPeakRssMb: round(median(floor.map((r) => r.maxRssMb))),
      cpuOverFloor: ratio(cycleCpuBeyond, floorCpuBeyond),
      startupCpuMs: round(startupCpu),
      bareNodeCpuMs: round(bareCpu),
    };
  });
}

// The environment of a measured `generate-maps --once` (product defaults, JSON log), files in `dir`.
function cycleEnv(dir: string, apiHost: string) {
  return {
    STACK_DOMAIN: "dev.tld",
    RANCHER_API_HOST: apiHost,
    HAPROXY_DOMAIN_MAP: join(dir, "domain.map"),
    HAPROXY_BACKEND_CONFIG: join(dir, "haproxy-backends.cfg"),
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    // The stand-in's containers are on loopback (127.1.x.y), routed only when allowed explicitly:
    // without this every container is skipped (ip-special) and the cycle measures 10 000 skip lines.
    BACKEND_NETWORKS: "127.0.0.0/8",
    // /containers of 50 000 stand-in containers is about 65 MB, past the default 64 MiB answer cap.
    METADATA_MAX_BYTES: String(256 * 1024 * 1024),
  };
}

// max − min of the samples (0 for fewer than two).
function spread(samples: readonly number[]): number {
  return samples.length < 2 ? 0 : Math.max(...samples) - Math.min(...samples);
}

// The cycle's own duration from its `cycle` log line (read, model, render, compare/write).
function cycleDuration(stdout: string): number {
  for (const line of stdout.split("\n")) {
    if (!line.includes('"cycle"')) continue;
    const parsed = JSON.parse(line) as { event?: string; durationMs?: number };
    if (parsed.event === "cycle" && typeof parsed.durationMs === "number") return parsed.durationMs;
  }
  return Number.NaN;
}

// Size and identity (inode + mtime) of the written files: an unchanged cycle must leave both as they are.
async function fileStamps(...paths: string[]): Promise<{ bytes: number; stamp: string }> {
  let bytes = 0;
  const parts: string[] = [];
  for (const path of paths) {
    const info = await stat(path);
    bytes += info.size;
    parts.push(`${info.ino}:${info.mtimeMs}`);
  }
  return { bytes, stamp: parts.join(",") };
}

function round(value: number, digits = 0): number {
  return Number(value.toFixed(digits));
}
