// Part 6: how long the reloader takes to apply a scale event (one container of one backend re-addressed)
// at 10 / 1 000 / 5 000 backends, with product defaults (RUNTIME_UPDATES at its default where the reloader
// has it). The figure is the reloader's own, from the log line that ends the change: `runtime.applied`
// (`durationMs`) when it went through the runtime API, `reload.applied` (`changeToAppliedMs`) when it was
// a reload; plus the bench's wall time from the file write to seeing that line (end to end). The first
// changes after a start run the reloader's per-change code cold (interpreted, over the whole table): they
// are reported apart from the steady state a long-running reloader is in.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "@rancher-haproxy/core";
import { renderTestBackends, waitFor, type LogLine } from "@rancher-haproxy/test-support";
import { withCleanup } from "../lib/cleanup.js";
import { manyMap } from "../lib/many-backends.js";
import { startProxy } from "../lib/pair.js";
import { median, quantile } from "../lib/stats.js";
import type { PartSettings } from "./settings.js";

// Medians (ms) for one size; `applied` says which log lines ended the changes.
export interface RuntimeApplyRow {
  backends: number;
  /** the measured changes, after the first ones */
  runs: number;
  applied: { runtime: number; reload: number };
  appliedMs: number;
  endToEndMs: number;
  /** the reloader's figure for each of the first changes after its start, in order (missing in results
   * before 2026-12-02, whose 7 runs per size included them) */
  firstMs?: number[];
  /** p90 of the measured changes' reloader figure */
  appliedP90Ms?: number;
}

// The first changes after a start, reported apart (see above).
const FIRST = 5;

const SERVERS = ["127.0.0.97:8080", "127.0.0.98:8080"];
const ENDED = new Set(["runtime.applied", "reload.applied"]);

// Run the part.
export async function runRuntimeApply(settings: PartSettings): Promise<RuntimeApplyRow[]> {
  const sizes = settings.quick ? [10, 1000] : [10, 1000, 5000];
  const runs = settings.quick ? 3 : 15;
  const first = settings.quick ? 2 : FIRST;
  const rows: RuntimeApplyRow[] = [];
  for (const backends of sizes)
    rows.push(
      await withCleanup(async (cleanup) => {
        const dir = await mkdtemp(join(tmpdir(), "rh-bench-runtime-"));
        cleanup.add(() => rm(dir, { recursive: true, force: true }));
        const etc = join(dir, "etc");
        await mkdir(etc, { recursive: true });
        const backendsPath = join(etc, "haproxy-backends.cfg");
        await writeFile(backendsPath, render(backends, -1));
        await writeFile(join(etc, "domain.map"), manyMap(backends));
        const proxy = await startProxy(cleanup, dir);
        await new Promise((resolve) => setTimeout(resolve, 500));
        const applied = { runtime: 0, reload: 0 };
        const appliedMs: number[] = [];
        const endToEndMs: number[] = [];
        const firstMs: number[] = [];
        // Consecutive changes move different backends (an unchanged file would end no change).
        const stride = Math.max(1, Math.floor(backends / (first + runs)));
        for (let i = 0; i < first + runs; i++) {
          const from = proxy.reloader.logs.length;
          const started = performance.now();
          // One backend (spread over the table) moves its container to the other address; the one moved by the
          // change before moves back.
          await writeFileAtomic(backendsPath, render(backends, (i * stride) % backends));
          const ended = () => proxy.reloader.logs.slice(from).find((l) => ENDED.has(String(l.event)));
          await waitFor(() => ended() !== undefined, {
            timeoutMs: 60_000,
            intervalMs: 2,
            message: "runtime.applied or reload.applied",
          });
          const line: LogLine = ended() ?? {};
          const runtime = line.event === "runtime.applied";
          const figure = Number(runtime ? line["durationMs"] : line["changeToAppliedMs"]);
          if (i < first) firstMs.push(figure);
          else {
            endToEndMs.push(performance.now() - started);
            applied[runtime ? "runtime" : "reload"] += 1;
            appliedMs.push(figure);
          }
          // Past the trailing re-read, so the next change starts a burst of its own.
          await new Promise((resolve) => setTimeout(resolve, 600));
        }
        const row: RuntimeApplyRow = {
          backends,
          runs,
          applied,
          appliedMs: Math.round(median(appliedMs)),
          endToEndMs: Math.round(median(endToEndMs)),
          firstMs,
          appliedP90Ms: Math.round(quantile(appliedMs, 0.9)),
        };
        settings.progress(`${backends} backends: ${JSON.stringify(row)}`);
        return row;
      }),
    );
  return rows;
}

// `count` backends app-0…, one server each (alternating over SERVERS); backend `moved` on the other one.
function render(count: number, moved: number): string {
  return renderTestBackends(
    Array.from({ length: count }, (_, i) => ({
      name: `app-${i}`,
      servers: [{ name: "web-1", address: SERVERS[(i + (i === moved ? 1 : 0)) % SERVERS.length] ?? "" }],
    })),
  );
}
