// The machine a run happened on, for the result file and the README table header.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { HAPROXY_BIN } from "./haproxy-bin.js";

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
