// The Markdown report of a run: one table per part, from the result file's data (pure text).
import type { CheckReloadRow } from "../parts/check-and-reload.js";
import type { ConvergenceResult } from "../parts/convergence.js";
import type { ScaleResult } from "../parts/generator-scale.js";
import type { LookupResult } from "../parts/lookup-cost.js";
import type { ReloadRow } from "../parts/reloads-under-load.js";
import type { MachineInfo } from "./machine.js";

// Everything a run produced: what was measured, on what, and any part that failed.
export interface BenchResults {
  date: string;
  quick: boolean;
  durationS: number;
  machine: MachineInfo;
  parts: {
    generatorScale?: ScaleResult;
    convergence?: ConvergenceResult;
    reloadsUnderLoad?: ReloadRow[];
    lookupCost?: LookupResult;
    checkAndReload?: CheckReloadRow[];
  };
  errors: Record<string, string>;
}

// The whole report.
export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const out = [
    `### Benchmarks — ${r.date}${r.quick ? " (--quick: development sizes)" : ""}`,
    "",
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryMb} MB RAM, kernel ${m.kernel}; Node ${m.node}; ${m.haproxy}; ` +
      `${m.wrk ?? "wrk not installed"}. Whole run: ${r.durationS} s.`,
    "",
  ];
  const p = r.parts;
  if (p.generatorScale) out.push(...scale(p.generatorScale));
  if (p.convergence) out.push(...convergence(p.convergence));
  if (p.reloadsUnderLoad) out.push(...reloads(p.reloadsUnderLoad));
  if (p.lookupCost) out.push(...lookup(p.lookupCost));
  if (p.checkAndReload) out.push(...check(p.checkAndReload));
  for (const [part, error] of Object.entries(r.errors)) out.push(`**${part} failed:** ${error}`, "");
  return out.join("\n");
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
  ];
}

function scale(s: ScaleResult): string[] {
  return [
    "**1. Generator scale** (`generate-maps --once` as a child process; medians; CPU beyond start-up = cycle CPU − " +
      `\`generate-maps --help\` CPU (${s.startup.generateMapsCpuMs} ms); floor = node:http GET + JSON.parse of ` +
      `/containers, beyond bare node start-up (${s.startup.bareNodeCpuMs} ms))`,
    "",
    ...table(
      [
        "containers",
        "/containers MB",
        "cycle wall ms",
        "cycle in-process ms",
        "CPU beyond start-up ms",
        "floor CPU ms",
        "× floor",
        "peak RSS MB",
        "bytes written",
        "unchanged: wall / in-process ms",
        "unchanged wrote nothing",
      ],
      s.rows.map((row) => [
        row.containers,
        row.containersBodyMb,
        row.cycleWallMs,
        row.cycleInProcessMs,
        row.cycleCpuBeyondStartupMs,
        row.floorCpuBeyondStartupMs,
        row.cpuOverFloor,
        row.peakRssMb,
        row.bytesWritten,
        `${row.unchangedWallMs} / ${row.unchangedInProcessMs}`,
        row.unchangedWroteNothing ? "yes" : "**no**",
      ]),
    ),
    `Growth 50 000 / 10 000 (CPU beyond start-up): ${s.growth50kOver10k ?? "n/a"} (5.0 = linear).`,
    "",
  ];
}

function convergence(c: ConvergenceResult): string[] {
  const row = (name: string, s: ConvergenceResult["longPoll"]) => [name, s.n, s.p50, s.p90, s.p99, s.max];
  return [
    "**2. Convergence** (metadata change → first 200 from the new backend through HAProxy, seconds)",
    "",
    ...table(
      ["mode", "samples", "p50", "p90", "p99", "max"],
      [row("(a) long poll (ours)", c.longPoll), row("(b) --interval 10 polling (original)", c.interval10s)],
    ),
  ];
}

function reloads(rows: readonly ReloadRow[]): string[] {
  return [
    "**3. Reloads under load** (16 concurrent clients; a request fails unless it is a 200 from the right backend)",
    "",
    ...table(
      ["technique", "clients", "reloads", "requests", "failed", "failed %", "req/s", "failure kinds"],
      rows.map((r) => [
        r.technique,
        r.clients,
        r.reloads,
        r.requests,
        r.failed,
        r.failedPercent,
        r.requestsPerSecond,
        Object.entries(r.failureKinds)
          .map(([kind, n]) => `${kind}: ${n}`)
          .join(", ") || "–",
      ]),
    ),
  ];
}

function lookup(l: LookupResult): string[] {
  const rows: (string | number)[][] = [];
  if (l.wrk)
    rows.push([
      `wrk -t1 -c16, ${l.wrkSeconds} s × ${l.rounds}`,
      l.wrk.ours,
      l.wrk.original,
      l.wrk.oursOverOriginal,
      l.wrk.errors,
    ]);
  rows.push([
    `Node client, keep-alive, 16 conns, ${l.node.requests} req × ${l.rounds}`,
    l.node.ours,
    l.node.original,
    l.node.oursOverOriginal,
    l.node.failed,
  ]);
  return [
    `**4. HAProxy lookup cost** (${l.hosts} mapped hosts, Host rotated over all of them; median req/s)`,
    "",
    ...table(["load generator", "ours (map_str)", "original (map_dom)", "ours / original", "errors"], rows),
  ];
}

function check(rows: readonly CheckReloadRow[]): string[] {
  return [
    "**5. `haproxy -c` and reload time** (our rendered base config; medians, ms)",
    "",
    ...table(
      [
        "backends",
        "runs",
        "haproxy -c",
        "reload (master CLI → new worker confirmed)",
        "file change → applied",
      ],
      rows.map((r) => [r.backends, r.runs, r.checkMs, r.reloadMs, r.changeToAppliedMs]),
    ),
  ];
}
