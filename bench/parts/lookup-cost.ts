// Part 4: requests/s through HAProxy with 5 000 mapped hosts, our routing (host_only + map_str) against
// the original's map_dom frontend, same backends file, same responders, same run, alternating rounds.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, runLoad } from "@rancher-haproxy/test-support";
import { renderOurBaseConfig } from "../lib/base-config.js";
import { withCleanup } from "../lib/cleanup.js";
import { startForegroundHaproxy } from "../lib/foreground-haproxy.js";
import { manyBackends, manyMap, stackHost } from "../lib/many-backends.js";
import { renderOriginalBaseConfig, renderResponderConfig } from "../lib/original-config.js";
import { median, ratio } from "../lib/stats.js";
import { runWrk, writeRotateScript } from "../lib/wrk.js";
import type { PartSettings } from "./settings.js";

// Medians over the rounds, per routing.
export interface LookupResult {
  hosts: number;
  rounds: number;
  wrkSeconds: number;
  wrk: { ours: number; original: number; oursOverOriginal: number; errors: number } | null;
  node: { requests: number; ours: number; original: number; oursOverOriginal: number; failed: number };
}

const HOSTS = 5000;

// Run the part.
export async function runLookupCost(settings: PartSettings): Promise<LookupResult> {
  const rounds = settings.quick ? 1 : 3;
  const wrkSeconds = settings.quick ? 2 : 5;
  const nodeRequests = settings.quick ? 3000 : 20_000;
  return withCleanup(async (cleanup) => {
    const dir = await mkdtemp(join(tmpdir(), "rh-bench-lookup-"));
    cleanup.add(() => rm(dir, { recursive: true, force: true }));
    const responders: string[] = [];
    for (const host of ["127.0.0.93", "127.0.0.94"]) {
      const port = await freePort(host);
      const config = join(dir, `responder-${host}.cfg`);
      await writeFile(config, renderResponderConfig(host, port));
      await startForegroundHaproxy(cleanup, [config], host, port);
      responders.push(`${host}:${port}`);
    }
    const urls: Record<"ours" | "original", string> = { ours: "", original: "" };
    for (const kind of ["ours", "original"] as const) {
      const conf = join(dir, kind);
      await mkdir(conf, { recursive: true });
      const port = await freePort();
      const base = join(conf, "haproxy.cfg");
      await writeFile(
        base,
        kind === "ours"
          ? renderOurBaseConfig(port, join(conf, "admin.sock"))
          : renderOriginalBaseConfig(port, join(conf, "domain.map")),
      );
      await writeFile(join(conf, "haproxy-backends.cfg"), manyBackends(HOSTS, responders));
      await writeFile(join(conf, "domain.map"), manyMap(HOSTS));
      await startForegroundHaproxy(cleanup, [base, join(conf, "haproxy-backends.cfg")], "127.0.0.1", port);
      urls[kind] = `http://127.0.0.1:${port}/`;
    }
    const script = await writeRotateScript(dir, HOSTS);
    const wrkRps = { ours: [] as number[], original: [] as number[] };
    const nodeRps = { ours: [] as number[], original: [] as number[] };
    let wrkErrors = 0;
    let nodeFailed = 0;
    const targets = Array.from({ length: HOSTS }, (_, i) => ({ host: stackHost(i), expect: "ok" }));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (["ours", "original"] as const) : (["original", "ours"] as const);
      for (const kind of order) {
        if (settings.wrk) {
          const result = await runWrk(settings.wrk, urls[kind], script, wrkSeconds);
          wrkRps[kind].push(result.requestsPerSecond);
          wrkErrors += result.errors;
        }
        const load = await runLoad({
          url: urls[kind],
          targets,
          keepAlive: true,
          concurrency: 16,
          maxRequests: nodeRequests,
        });
        nodeRps[kind].push(load.requestsPerSecond);
        nodeFailed += load.failed;
        settings.progress(
          `round ${round + 1} ${kind}: wrk ${wrkRps[kind].at(-1) ?? "-"}/s, node ${load.requestsPerSecond}/s`,
        );
      }
    }
    const nodeOurs = median(nodeRps.ours);
    const nodeOriginal = median(nodeRps.original);
    return {
      hosts: HOSTS,
      rounds,
      wrkSeconds,
      wrk: settings.wrk
        ? {
            ours: median(wrkRps.ours),
            original: median(wrkRps.original),
            oursOverOriginal: ratio(median(wrkRps.ours), median(wrkRps.original)),
            errors: wrkErrors,
          }
        : null,
      node: {
        requests: nodeRequests,
        ours: nodeOurs,
        original: nodeOriginal,
        oursOverOriginal: ratio(nodeOurs, nodeOriginal),
        failed: nodeFailed,
      },
    };
  });
}
