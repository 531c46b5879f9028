// Part 5: `haproxy -c` time and our reloader's reload time for 10 / 100 / 1 000 / 5 000 backends with our
// rendered base config (reload = master CLI `reload` until `show proc` confirms the new worker).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { writeFileAtomic } from "@rancher-haproxy/core";
import { freePort, waitFor } from "@rancher-haproxy/test-support";
import { renderOurBaseConfig, writeOurMaps } from "../lib/base-config.js";
import { withCleanup } from "../lib/cleanup.js";
import { HAPROXY_BIN } from "../lib/haproxy-bin.js";
import { manyBackends, manyMap } from "../lib/many-backends.js";
import { startProxy } from "../lib/pair.js";
import { median } from "../lib/stats.js";
import type { PartSettings } from "./settings.js";

const run = promisify(execFile);

// Medians (ms) for one size.
export interface CheckReloadRow {
  backends: number;
  runs: number;
  checkMs: number;
  reloadMs: number;
  changeToAppliedMs: number;
}

// Run the part.
export async function runCheckAndReload(settings: PartSettings): Promise<CheckReloadRow[]> {
  const sizes = [10, 100, 1000, 5000];
  const runs = settings.quick ? 3 : 5;
  const servers = ["127.0.0.95:8080", "127.0.0.96:8080"];
  const rows: CheckReloadRow[] = [];
  for (const backends of sizes)
    rows.push(
      await withCleanup(async (cleanup) => {
        const dir = await mkdtemp(join(tmpdir(), "rh-bench-check-"));
        cleanup.add(() => rm(dir, { recursive: true, force: true }));
        // haproxy -c, timed from outside, on our base config + the backends + the map.
        const conf = join(dir, "check");
        await mkdir(conf, { recursive: true });
        const base = join(conf, "haproxy.cfg");
        await writeFile(base, renderOurBaseConfig(await freePort(), join(conf, "admin.sock")));
        await writeFile(join(conf, "haproxy-backends.cfg"), manyBackends(backends, servers));
        await writeOurMaps(conf, manyMap(backends));
        const checks: number[] = [];
        for (let i = 0; i < runs; i++) {
          const started = performance.now();
          await run(HAPROXY_BIN, ["-c", "-q", "-f", base, "-f", join(conf, "haproxy-backends.cfg")]);
          checks.push(performance.now() - started);
        }
        // Reloads through our reloader, as it reports them in reload.applied.
        const etc = join(dir, "pair", "etc");
        await mkdir(etc, { recursive: true });
        await writeFile(join(etc, "haproxy-backends.cfg"), manyBackends(backends, servers));
        await writeFile(join(etc, "domain.map"), manyMap(backends));
        const proxy = await startProxy(cleanup, join(dir, "pair"), [
          "--debounce-ms",
          "10",
          "--rescan-interval",
          "0",
          // a comment or a moved port is a runtime update otherwise: these rows measure reloads
          "--runtime-updates",
          "false",
        ]);
        for (let i = 1; i <= runs; i++) {
          const target = proxy.reloader.count("reload.applied") + 1;
          await writeFileAtomic(
            join(etc, "haproxy-backends.cfg"),
            manyBackends(backends, servers, `reload ${i}`),
          );
          await waitFor(() => proxy.reloader.count("reload.applied") >= target, { timeoutMs: 30_000 });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const applied = proxy.reloader.logs.filter((line) => line.event === "reload.applied").slice(-runs);
        const field = (name: string) => Math.round(median(applied.map((line) => Number(line[name]))));
        const row: CheckReloadRow = {
          backends,
          runs,
          checkMs: Math.round(median(checks)),
          reloadMs: field("reloadMs"),
          changeToAppliedMs: field("changeToAppliedMs"),
        };
        settings.progress(`${backends} backends: ${JSON.stringify(row)}`);
        return row;
      }),
    );
  return rows;
}
