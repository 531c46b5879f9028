// `npm run bench`: runs the eight benchmark parts (or those named with --part), writes the result file and
// prints the Markdown report. Benchmarks print figures; they do not pass or fail on timing.
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { findWrk } from "./lib/haproxy-bin.js";
import { describeMachine, measureMachineCost } from "./lib/machine.js";
import { renderMarkdown, type BenchResults } from "./lib/render-markdown.js";
import { runCheckAndReload } from "./parts/check-and-reload.js";
import { runConvergence } from "./parts/convergence.js";
import { runGeneratorScale } from "./parts/generator-scale.js";
import { runLabelLookupCost } from "./parts/label-lookup-cost.js";
import { runLookupCost } from "./parts/lookup-cost.js";
import { runReloadsUnderLoad } from "./parts/reloads-under-load.js";
import { runTlsCertificates } from "./parts/tls-certificates.js";
import { runRuntimeApply } from "./parts/runtime-apply.js";
import type { PartSettings } from "./parts/settings.js";

// How many parts there are.
const PARTS = 8;

const USAGE = `usage: npm run bench -- [--part N]... [--quick]
  --part N   run only part N (1 generator scale, 2 convergence, 3 reloads under load,
             4 lookup cost, 5 haproxy -c and reload time, 6 TLS with 1 vs 500 certificates,
             7 lookup cost with wildcards and paths,
             8 scale-event apply time);
             repeat or use 1,3 for several
  --quick    development sizes (fewer samples, smaller trees); results go to results/partial.json
A full run (all parts, not quick) writes results/latest.json; any other run writes results/partial.json.`;

// Parsed command line.
interface Args {
  parts: Set<number>;
  quick: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  const parts = new Set<number>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--quick") quick = true;
    else if (arg === "--help" || arg === "-h") return USAGE;
    else if (arg === "--part" || arg.startsWith("--part=")) {
      const value = arg === "--part" ? argv[++i] : arg.slice("--part=".length);
      for (const word of (value ?? "").split(",")) {
        const n = Number(word);
        if (!Number.isInteger(n) || n < 1 || n > PARTS)
          return `bench: invalid --part "${value ?? ""}": must be 1 to ${PARTS} (or a comma list)\n${USAGE}`;
        parts.add(n);
      }
    } else return `bench: unknown argument "${arg}"\n${USAGE}`;
  }
  if (parts.size === 0) for (let n = 1; n <= PARTS; n++) parts.add(n);
  return { parts, quick };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === "string") {
    process.stderr.write(`${args}\n`);
    return args === USAGE ? 0 : 2;
  }
  const wrk = findWrk();
  const started = performance.now();
  const settings: PartSettings = {
    quick: args.quick,
    wrk,
    progress: (line) => process.stderr.write(`  ${line}\n`),
  };
  const results: BenchResults = {
    date: new Date().toISOString(),
    quick: args.quick,
    durationS: 0,
    machine: describeMachine(wrk),
    machineCost: { start: measureMachineCost(), end: null },
    parts: {},
    errors: {},
  };
  const steps: [number, string, () => Promise<void>][] = [
    [
      1,
      "generator scale",
      async () => void (results.parts.generatorScale = await runGeneratorScale(settings)),
    ],
    [2, "convergence", async () => void (results.parts.convergence = await runConvergence(settings))],
    [
      3,
      "reloads under load",
      async () => void (results.parts.reloadsUnderLoad = await runReloadsUnderLoad(settings)),
    ],
    [4, "lookup cost", async () => void (results.parts.lookupCost = await runLookupCost(settings))],
    [
      5,
      "haproxy -c and reload",
      async () => void (results.parts.checkAndReload = await runCheckAndReload(settings)),
    ],
    [6, "TLS certificates", async () => void (results.parts.tls = await runTlsCertificates(settings))],
    [
      7,
      "label lookup cost",
      async () => void (results.parts.labelLookupCost = await runLabelLookupCost(settings)),
    ],
    [
      8,
      "scale-event apply time",
      async () => void (results.parts.runtimeApply = await runRuntimeApply(settings)),
    ],
  ];
  for (const [n, name, step] of steps) {
    if (!args.parts.has(n)) continue;
    const partStart = performance.now();
    process.stderr.write(`bench: part ${n} (${name})…\n`);
    try {
      await step();
    } catch (error) {
      results.errors[`part ${n} (${name})`] = String((error as Error)?.message ?? error).split("\n")[0] ?? "";
      process.stderr.write(`bench: part ${n} failed: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.stderr.write(`bench: part ${n} took ${Math.round((performance.now() - partStart) / 1000)} s\n`);
  }
  if (results.machineCost) results.machineCost.end = measureMachineCost();
  results.durationS = Math.round((performance.now() - started) / 1000);
  const full = !args.quick && args.parts.size === PARTS;
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = `${dir}${full ? "latest.json" : "partial.json"}`;
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderMarkdown(results)}\n`);
  process.stderr.write(`bench: wrote ${file}\n`);
  return Object.keys(results.errors).length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
