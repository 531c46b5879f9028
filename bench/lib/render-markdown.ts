// The Markdown report of a run: one table per part, from the result file's data (pure text).
import type { CheckReloadRow } from "../parts/check-and-reload.js";
import type { ConvergenceResult } from "../parts/convergence.js";
import type { ScaleResult, ScaleRow } from "../parts/generator-scale.js";
import type { SeriesFigures, SmallCycleResult } from "../parts/small-cycle.js";
import type { LabelLookupResult } from "../parts/label-lookup-cost.js";
import type { LookupPairs, LookupResult } from "../parts/lookup-cost.js";
import type { ReloadRow } from "../parts/reloads-under-load.js";
import type { TlsResult } from "../parts/tls-certificates.js";
import type { RuntimeApplyRow } from "../parts/runtime-apply.js";
import type { MachineCost, MachineInfo } from "./machine.js";
import { ratio, type Spread, type Summary } from "./stats.js";

// Everything a run produced: what was measured, on what, and any part that failed.
export interface BenchResults {
  date: string;
  quick: boolean;
  durationS: number;
  machine: MachineInfo;
  /** the machine's memory and loop cost at the run's start and end (missing in older results) */
  machineCost?: { start: MachineCost | null; end: MachineCost | null };
  parts: {
    generatorScale?: ScaleResult;
    convergence?: ConvergenceResult;
    reloadsUnderLoad?: ReloadRow[];
    lookupCost?: LookupResult;
    checkAndReload?: CheckReloadRow[];
    tls?: TlsResult;
    labelLookupCost?: LabelLookupResult;
    runtimeApply?: RuntimeApplyRow[];
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
  if (r.machineCost) out.push(machineCostLine(r.machineCost.start, r.machineCost.end), "");
  const p = r.parts;
  if (p.generatorScale) out.push(...scale(p.generatorScale));
  if (p.convergence) out.push(...convergence(p.convergence));
  if (p.reloadsUnderLoad) out.push(...reloads(p.reloadsUnderLoad));
  if (p.lookupCost) out.push(...lookup(p.lookupCost));
  if (p.checkAndReload) out.push(...check(p.checkAndReload));
  if (p.tls) out.push(...tls(p.tls));
  if (p.labelLookupCost) out.push(...labelLookup(p.labelLookupCost));
  if (p.runtimeApply) out.push(...runtimeApply(p.runtimeApply));
  for (const [part, error] of Object.entries(r.errors)) out.push(`**${part} failed:** ${error}`, "");
  return out.join("\n");
}

// The probe's figures at the run's start and end (see MachineCost).
function machineCostLine(start: MachineCost | null, end: MachineCost | null): string {
  const show = (c: MachineCost | null) =>
    c === null
      ? "not measured"
      : `${c.touch64MibMs} ms to touch 64 MiB of fresh pages, ${c.loopNsPerByte} ns/byte in a JS loop`;
  return `Machine cost (probes/page-cost.mjs): at the start ${show(start)}; at the end ${show(end)}.`;
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
  ];
}

// A CPU difference beyond a start-up baseline is a figure only when it is above the baseline's run-to-run
// spread; otherwise the run did not measure it. Old results have no spread: there a difference at or
// below 0 (a baseline that cost more than the cycle) is no figure either.
function measured(ms: number, spreadMs: number | undefined): boolean {
  return Number.isFinite(ms) && ms > (spreadMs ?? 0);
}

// The cell of such a difference: the number, or why there is none (never a negative figure).
function beyondCell(ms: number, spreadMs: number | undefined): string {
  if (measured(ms, spreadMs)) return String(ms);
  return spreadMs === undefined ? "n/a" : `≤ ${spreadMs} (spread)`;
}

function scale(s: ScaleResult): string[] {
  const { startup } = s;
  const baseline = startup.baseline ?? "`generate-maps --help`";
  const spreadNote = (spreadMs: number | undefined) =>
    spreadMs === undefined ? "" : `, spread ${spreadMs} ms`;
  const cycleMeasured = (row: ScaleResult["rows"][number]) =>
    measured(row.cycleCpuBeyondStartupMs, startup.generateMapsSpreadMs);
  const floorMeasured = (row: ScaleResult["rows"][number]) =>
    measured(row.floorCpuBeyondStartupMs, startup.bareNodeSpreadMs);
  const at = (containers: number) => s.rows.find((row) => row.containers === containers);
  const [at10k, at50k] = [at(10_000), at(50_000)];
  const growth =
    at10k && at50k && cycleMeasured(at10k) && cycleMeasured(at50k) && s.growth50kOver10k !== null
      ? String(s.growth50kOver10k)
      : "n/a";
  const unmeasured = s.rows.filter((row) => !cycleMeasured(row) || !floorMeasured(row));
  // Since 2026-12-01 each row subtracts baselines run alongside its own runs (ScaleRow.startupCpuMs).
  const perRow = s.rows.every((row) => row.startupCpuMs !== undefined && row.bareNodeCpuMs !== undefined);
  const perRowList = (pick: (row: ScaleResult["rows"][number]) => number | undefined) =>
    s.rows.map((row) => `${row.containers}: ${pick(row)} ms`).join(", ");
  return [
    perRow
      ? "**1. Generator scale** (`generate-maps --once` as a child process; medians; CPU beyond start-up = " +
        `cycle CPU − the median CPU of ${baseline}, run alongside each size's runs ` +
        `(${perRowList((row) => row.startupCpuMs)}; at the part's start ${startup.generateMapsCpuMs} ms` +
        `${spreadNote(startup.generateMapsSpreadMs)}); floor = node:http GET + JSON.parse of /containers, ` +
        `beyond a bare node start-up run alongside (${perRowList((row) => row.bareNodeCpuMs)}))`
      : "**1. Generator scale** (`generate-maps --once` as a child process; medians; CPU beyond start-up = cycle " +
        `CPU − the CPU of ${baseline} (${startup.generateMapsCpuMs} ms${spreadNote(startup.generateMapsSpreadMs)}); ` +
        "floor = node:http GET + JSON.parse of /containers, beyond bare node start-up " +
        `(${startup.bareNodeCpuMs} ms${spreadNote(startup.bareNodeSpreadMs)}))`,
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
        beyondCell(row.cycleCpuBeyondStartupMs, startup.generateMapsSpreadMs),
        beyondCell(row.floorCpuBeyondStartupMs, startup.bareNodeSpreadMs),
        cycleMeasured(row) && floorMeasured(row) && Number.isFinite(row.cpuOverFloor)
          ? row.cpuOverFloor
          : "n/a",
        row.peakRssMb,
        row.bytesWritten,
        `${row.unchangedWallMs} / ${row.unchangedInProcessMs}`,
        row.unchangedWroteNothing ? "yes" : "**no**",
      ]),
    ),
    ...(startup.baseline === undefined
      ? [
          "This run's baseline, `generate-maps --help`, also renders the help text, which costs more CPU than " +
            "a small cycle: CPU beyond start-up (so also × floor and the growth) is too small at every size, " +
            `and not measured at ${unmeasured.map((row) => row.containers).join(" and ") || "any size"}.`,
          "",
        ]
      : unmeasured.length === 0
        ? []
        : [
            `At ${unmeasured.map((row) => row.containers).join(" and ")} containers the CPU beyond start-up ` +
              "is within the baselines' run-to-run spread: not measured.",
            "",
          ]),
    `Growth 50 000 / 10 000 (CPU beyond start-up): ${growth} (5.0 = linear).`,
    "",
    ...(s.smallCycle
      ? smallCycle(
          s.smallCycle,
          s.rows.find((row) => row.containers === s.smallCycle?.large?.containers),
        )
      : []),
  ];
}

function smallCycle(c: SmallCycleResult, scaleRow?: ScaleRow): string[] {
  const spread = (x: Summary) => `${x.p50} / ${x.p90} / ${x.max}`;
  const row = (name: string, f: SeriesFigures) => [
    name,
    f.changes,
    spread(f.cycleMs),
    spread(f.changeToRenamedMs),
    f.cpuMs ? spread(f.cpuMs) : "n/a",
    f.idleCpuMsPerS ?? "n/a",
  ];
  const rows = [row("generate-maps", c)];
  if (c.floor) rows.push(row("floor: node:http + JSON.parse + the same writes", c.floor));
  const large = c.large;
  if (large) {
    rows.push(row(`generate-maps, ${large.containers} containers`, large.generator));
    rows.push(row(`floor, ${large.containers} containers`, large.floor));
  }
  const largeCpu = large?.generator.cpuMs?.p50;
  const fetchParse = scaleRow?.floorCpuBeyondStartupMs;
  const largeLine =
    large && largeCpu !== undefined
      ? [
          "",
          `At ${large.containers} containers a change costs the running generator ${largeCpu} ms of CPU ` +
            `(p50; its first, cold cycle ran before the series)` +
            (fetchParse !== undefined && fetchParse > 0
              ? `: ${(largeCpu / fetchParse).toFixed(2)} × the fetch-and-parse floor of the table above ` +
                `(${fetchParse} ms), where a \`--once\` process pays ${scaleRow?.cpuOverFloor ?? "n/a"} ×.`
              : "."),
        ]
      : [];
  return [
    `**Small-environment cycle (loop mode)** (${c.containers} containers; metadata changes one after ` +
      "another, each adding or removing a stack so both files change; ms, p50 / p90 / max; CPU = the " +
      "child's CPU over the change minus its idle CPU)",
    "",
    ...table(
      [
        "process",
        "changes",
        "cycle durationMs",
        "change → both files renamed",
        "CPU per change",
        "idle CPU ms per s",
      ],
      rows,
    ),
    ...largeLine,
  ];
}

function convergence(c: ConvergenceResult): string[] {
  const row = (name: string, s: ConvergenceResult["longPoll"], reloads?: number) => [
    name,
    s.n,
    s.p50,
    s.p90,
    s.p99,
    s.max,
    reloads ?? "n/a",
  ];
  const rows = [row("(a) scale event, long poll (ours)", c.longPoll, c.reloadsPerScaleEvent)];
  if (c.newStack) rows.push(row("(c) new stack, long poll (ours)", c.newStack, c.reloadsPerNewStack));
  rows.push(row("(b) --interval 10 polling (original)", c.interval10s));
  return [
    "**2. Convergence** (metadata change → first 200 from the new container through HAProxy, seconds; " +
      "reloads per change from HAProxy's `show proc`)",
    "",
    ...table(["mode", "samples", "p50", "p90", "p99", "max", "reloads per change"], rows),
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

// Nanoseconds as microseconds with one decimal.
function us(ns: number): string {
  return (ns / 1000).toFixed(1);
}

function lookup(l: LookupResult): string[] {
  const cell = (value: number | undefined) => (value === undefined ? "n/a" : value);
  const rows: (string | number)[][] = [];
  const pairs = l.wrk?.pairs;
  if (l.wrk)
    rows.push([
      pairs
        ? `wrk -t1 -c16, ${pairs.seconds} s × ${pairs.count} pairs, the others × ${l.rounds}`
        : `wrk -t1 -c16, ${l.wrkSeconds} s × ${l.rounds}`,
      cell(l.wrk.oneHost),
      l.wrk.ours,
      pairs ? `${pairs.rps.median} (pairs' median)` : cell(l.wrk.oursOverOneHost),
      l.wrk.original,
      l.wrk.oursOverOriginal,
      l.wrk.errors,
    ]);
  rows.push([
    `Node client, keep-alive, 16 conns, ${l.node.requests} req × ${l.rounds}`,
    cell(l.node.oneHost),
    l.node.ours,
    cell(l.node.oursOverOneHost),
    l.node.original,
    l.node.oursOverOriginal,
    l.node.failed,
  ]);
  return [
    `**4. Routing cost and table size** (our routing with 1 mapped host and with ${l.hosts}, Host rotated ` +
      `over all of them; the original's map_dom on the same ${l.hosts}; median req/s)`,
    "",
    ...table(
      [
        "load generator",
        "ours, 1 host",
        `ours, ${l.hosts} hosts`,
        `${l.hosts} / 1 (headline)`,
        `original (map_dom), ${l.hosts}`,
        "ours / original",
        "errors",
      ],
      rows,
    ),
    ...(pairs && l.wrk ? pairLines(l.hosts, pairs, l.wrk.oursOverOneHost) : []),
    ...(l.wrk?.twoBackends === undefined
      ? []
      : [
          `The ${l.hosts} hosts mapped alternately onto two backends on two responders (wrk): ` +
            `${l.wrk.twoBackends} req/s, ${cell(l.wrk.twoBackendsOverOneHost)} × 1 host (the second ` +
            "server's cost, not the lookup's).",
          "",
        ]),
    ...(l.wrk?.cpuNsPerRequest
      ? [
          `The routing HAProxy's CPU per request during the wrk runs (µs, median; other load on the ` +
            `machine moves it much less than req/s): 1 host ${us(l.wrk.cpuNsPerRequest.oneHost)}, ` +
            `${l.hosts} hosts ${us(l.wrk.cpuNsPerRequest.ours)} (${l.hosts} / 1: ` +
            `${ratio(l.wrk.cpuNsPerRequest.ours, l.wrk.cpuNsPerRequest.oneHost)}), two backends ` +
            `${us(l.wrk.cpuNsPerRequest.twoBackends)}, map_dom ${us(l.wrk.cpuNsPerRequest.original)}.`,
          "",
        ]
      : []),
  ];
}

// The headline's pairs: the median of the per-pair ratios with its spread, beside the ratio of medians.
function pairLines(hosts: number, pairs: LookupPairs, ofMedians?: number) {
  const spread = (s: Spread) => `**${s.median}** (interquartile ${s.p25}–${s.p75}, range ${s.min}–${s.max})`;
  return [
    `Headline, ${hosts} / 1 with wrk: the median of ${pairs.count} per-pair ratios (1 host and ${hosts} hosts ` +
      `back to back, ${pairs.seconds} s each, which goes first alternating; every Host the same length): ` +
      `req/s ${spread(pairs.rps)}; ratio of the medians ${ofMedians ?? "n/a"}. The routing HAProxy's CPU ` +
      `per request, ${hosts} / 1 per pair: ` +
      (pairs.cpuPerRequest ? `${spread(pairs.cpuPerRequest)}.` : "not measured (no /proc schedstat)."),
    "",
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

function tls(t: TlsResult): string[] {
  return [
    `**6. TLS with 1 vs 500 certificates** (our rendered HTTPS bind: crt-list, alpn h2,http/1.1; Node clients, ` +
      `${t.seconds} s × ${t.rounds} alternating rounds; medians)`,
    "",
    ...table(
      [
        "certificates",
        "full handshakes/s (8 clients, SNI rotated)",
        "HTTPS req/s (16 keep-alive clients)",
        "failed",
        "haproxy -c (ms)",
        "set + commit ssl cert (ms)",
      ],
      t.rows.map((r) => [
        r.certificates,
        r.handshakesPerSecond,
        r.httpsRequestsPerSecond,
        r.failed,
        r.checkMs,
        r.runtimeUpdateMs,
      ]),
    ),
  ];
}

function runtimeApply(rows: readonly RuntimeApplyRow[]): string[] {
  const withFirst = rows.some((r) => r.firstMs !== undefined);
  return [
    "**8. Scale-event apply time** (one container of one backend re-addressed; the reloader's figure from " +
      "`runtime.applied` durationMs or `reload.applied` changeToAppliedMs; end to end = file written → that " +
      "line seen; medians, ms" +
      (withFirst
        ? "; the first changes after the reloader's start, its per-change code still cold, are listed " +
          "apart and not in the medians)"
        : ")"),
    "",
    ...table(
      [
        "backends",
        "runs",
        "applied by runtime / reload",
        "reloader's figure",
        ...(withFirst ? ["p90"] : []),
        "end to end",
        ...(withFirst ? ["first changes after start, in order"] : []),
      ],
      rows.map((r) => [
        r.backends,
        r.runs,
        `${r.applied.runtime} / ${r.applied.reload}`,
        r.appliedMs,
        ...(withFirst ? [r.appliedP90Ms ?? "–"] : []),
        r.endToEndMs,
        ...(withFirst ? [(r.firstMs ?? []).join(", ") || "–"] : []),
      ]),
    ),
  ];
}

function labelLookup(l: LabelLookupResult): string[] {
  const rows: (string | number)[][] = [];
  if (l.wrk)
    rows.push([
      `wrk -t1 -c16, ${l.wrkSeconds} s × ${l.rounds}`,
      l.wrk.plain,
      l.wrk.mixed,
      l.wrk.mixedOverPlain,
      l.wrk.errors,
    ]);
  rows.push([
    `Node client, keep-alive, 16 conns, ${l.requests} req × ${l.rounds}`,
    l.plain,
    l.mixed,
    l.mixedOverPlain,
    l.failed,
  ]);
  return [
    `**7. Lookup cost with wildcards and paths** (${l.keys} map keys: ${l.wildcards} wildcards, ${l.paths} path ` +
      `rules, the rest plain; against ${l.keys} plain hosts; GET /api/v1/x; median req/s)`,
    "",
    ...table(["load generator", "plain table", "mixed table", "mixed / plain", "failed"], rows),
  ];
}
