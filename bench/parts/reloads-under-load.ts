// Part 3: N reloads while 16 concurrent clients (keep-alive, then Connection: close) go through HAProxy,
// counting every request that did not get a 200 from the right backend. (a) our reloader (master-worker,
// checked snapshot, confirmed reload); (b) the original's `haproxy -D -p pid -sf $(cat pid)`, with the
// same rendered configs, so only the reload technique differs.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "@rancher-haproxy/core";
import {
  freePort,
  renderTestBackends,
  renderTestMap,
  runLoad,
  startBackend,
  waitFor,
  type Backend,
  type LoadResult,
} from "@rancher-haproxy/test-support";
import { renderOurBaseConfig, writeOurMaps } from "../lib/base-config.js";
import { withCleanup } from "../lib/cleanup.js";
import { startDaemonHaproxy } from "../lib/daemon-haproxy.js";
import { getHost } from "../lib/get-host.js";
import { startProxy } from "../lib/pair.js";
import type { PartSettings } from "./settings.js";

// One technique under one client kind.
export interface ReloadRow {
  technique: "ours" | "original -sf";
  clients: "keep-alive" | "close";
  reloads: number;
  requests: number;
  failed: number;
  failedPercent: number;
  requestsPerSecond: number;
  failureKinds: Record<string, number>;
}

const NAMES = ["alpha", "bravo", "charlie", "delta"];
const GAP_MS = 50;

// Run the four combinations in one run.
export async function runReloadsUnderLoad(settings: PartSettings): Promise<ReloadRow[]> {
  const reloads = settings.quick ? 15 : 100;
  return withCleanup(async (cleanup) => {
    const dir = await mkdtemp(join(tmpdir(), "rh-bench-reload-"));
    cleanup.add(() => rm(dir, { recursive: true, force: true }));
    const backends: Backend[] = [];
    for (const [i, name] of NAMES.entries()) {
      const backend = await startBackend({ name, host: `127.0.0.${81 + i}` });
      cleanup.add(() => backend.close());
      backends.push(backend);
    }
    // Each reload changes a comment and an unrouted spare backend: the routing stays the same.
    const backendsFile = (n: number) =>
      renderTestBackends(
        [
          ...backends.map((b) => ({ name: b.name, servers: [{ address: b.address }] })),
          { name: "spare", servers: [{ address: `127.0.0.1:${10_000 + n}` }] },
        ],
        [`# reload ${n}`],
      );
    const map = renderTestMap(Object.fromEntries(NAMES.map((name) => [`${name}.dev.tld`, name])));
    const rows: ReloadRow[] = [];

    // (a) our reloader: each reload is a rewrite of the backends file, confirmed by reload.applied.
    await withCleanup(async (phase) => {
      const proxy = await startProxy(phase, join(dir, "ours"), [
        "--debounce-ms",
        "10",
        "--rescan-interval",
        "0",
        // a comment or a moved port is a runtime update otherwise: these rows measure reloads
        "--runtime-updates",
        "false",
      ]);
      const backendsPath = join(proxy.etcDir, "haproxy-backends.cfg");
      await writeFileAtomic(backendsPath, backendsFile(0));
      await writeFileAtomic(join(proxy.etcDir, "domain.map"), map);
      await servingAll(proxy.url);
      let n = 0;
      const reload = async () => {
        n += 1;
        const target = proxy.reloader.count("reload.applied") + 1;
        await writeFileAtomic(backendsPath, backendsFile(n));
        await waitFor(() => proxy.reloader.count("reload.applied") >= target, { timeoutMs: 15_000 });
      };
      for (const keepAlive of [true, false])
        rows.push(row("ours", keepAlive, reloads, await underLoad(proxy.url, keepAlive, reloads, reload)));
    });
    settings.progress(`ours: ${JSON.stringify(rows)}`);

    // (b) the original technique on the same rendered base config, backends and map.
    await withCleanup(async (phase) => {
      const orig = join(dir, "original");
      await mkdir(orig, { recursive: true });
      const port = await freePort();
      const base = join(orig, "haproxy.cfg");
      const backendsPath = join(orig, "haproxy-backends.cfg");
      await writeFile(base, renderOurBaseConfig(port, join(orig, "admin.sock")));
      await writeFile(backendsPath, backendsFile(0));
      await writeOurMaps(orig, map);
      const daemon = await startDaemonHaproxy([base, backendsPath], join(orig, "haproxy.pid"));
      phase.add(() => daemon.stop());
      let n = 0;
      const reload = async () => {
        n += 1;
        await writeFileAtomic(backendsPath, backendsFile(n));
        await daemon.reload();
      };
      const url = `http://127.0.0.1:${port}/`;
      await servingAll(url);
      for (const keepAlive of [true, false])
        rows.push(row("original -sf", keepAlive, reloads, await underLoad(url, keepAlive, reloads, reload)));
    });
    settings.progress(`original: ${JSON.stringify(rows.slice(2))}`);
    return rows;
  });
}

// Run the checked load while `reloads` reloads happen one after another (GAP_MS apart).
async function underLoad(
  url: string,
  keepAlive: boolean,
  reloads: number,
  reload: () => Promise<void>,
): Promise<LoadResult> {
  const controller = new AbortController();
  let warm = 0;
  const load = runLoad({
    url,
    targets: NAMES.map((name) => ({
      host: `${name}.dev.tld`,
      expect: (answer) => {
        const ok = answer.status === 200 && answer.body === name;
        if (ok) warm += 1;
        return ok;
      },
    })),
    concurrency: 16,
    keepAlive,
    signal: controller.signal,
    maxDurationMs: 300_000,
  });
  try {
    await waitFor(() => warm > 200, { timeoutMs: 10_000, message: "load to start" });
    for (let i = 0; i < reloads; i++) {
      await reload();
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    controller.abort();
  }
  return load;
}

// Wait until every host is routed to its backend (the files may land in two reloads), before any load.
async function servingAll(url: string): Promise<void> {
  await waitFor(
    async () => {
      for (const name of NAMES) if ((await getHost(url, `${name}.dev.tld`)) !== name) return false;
      return true;
    },
    { timeoutMs: 15_000, message: "every host to be routed" },
  );
}

function row(
  technique: ReloadRow["technique"],
  keepAlive: boolean,
  reloads: number,
  load: LoadResult,
): ReloadRow {
  return {
    technique,
    clients: keepAlive ? "keep-alive" : "close",
    reloads,
    requests: load.sent,
    failed: load.failed,
    failedPercent: Number(((100 * load.failed) / Math.max(1, load.sent)).toFixed(3)),
    requestsPerSecond: load.requestsPerSecond,
    failureKinds: load.failureKinds,
  };
}
