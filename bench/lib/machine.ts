// The machine a run happened on, for the result file and the README table header.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { HAPROXY_BIN } from "./haproxy-bin.js";

const PAGE_COST = fileURLToPath(new URL("../probes/page-cost.mjs", import.meta.url));

// What was measured on.
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryMb: number;
  node: string;
  haproxy: string;
  wrk: string | null;
  kernel: string;
}

// How dear this machine made fresh memory and a plain JS loop when the run started and when it ended
// (probes/page-cost.mjs, median of 3 fresh processes each time). Part 1's ratios move with the first:
// the floor faults in about 100 MB, a generator cycle much less beyond its start-up. Missing in results
// before 2026-12-02 10:00 UTC.
export interface MachineCost {
  /** CPU ms to touch 64 MiB of fresh pages (16 384 first-touch page faults) */
  touch64MibMs: number;
  /** ns of CPU per byte of a JS loop that counts one byte value over 13 MB */
  loopNsPerByte: number;
}

// Describe this machine (never throws: unknown parts read "unknown").
export function describeMachine(wrkPath: string | null): MachineInfo {
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    haproxy: firstLine(() => execFileSync(HAPROXY_BIN, ["-v"], { encoding: "utf8" })),
    wrk: wrkPath ? firstLine(() => execFileSync(wrkPath, ["-v"], { encoding: "utf8" })) : null,
    kernel: firstLine(() => readFileSync("/proc/sys/kernel/osrelease", "utf8")),
  };
}

// Run probes/page-cost.mjs three times and keep the medians; null when the probe cannot run.
export function measureMachineCost(): MachineCost | null {
  try {
    const runs = [0, 1, 2].map(
      () => JSON.parse(execFileSync(process.execPath, [PAGE_COST], { encoding: "utf8" })) as MachineCost,
    );
    const middle = (values: number[]) => values.sort((a, b) => a - b)[1] ?? Number.NaN;
    return {
      touch64MibMs: middle(runs.map((r) => r.touch64MibMs)),
      loopNsPerByte: middle(runs.map((r) => r.loopNsPerByte)),
    };
  } catch {
    return null;
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    return line?.split(":")[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

function firstLine(read: () => string): string {
  try {
    return read().split("\n")[0]?.trim() ?? "unknown";
  } catch (error) {
    // wrk -v exits 1 after printing its version
    const out = (error as { stdout?: string }).stdout;
    return out?.split("\n")[0]?.trim() || "unknown";
  }
}
