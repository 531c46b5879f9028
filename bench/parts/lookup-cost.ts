// Part 4: requests/s through HAProxy with our routing (host_only + map_str) and 5 000 mapped hosts against
// the same routing with 1 mapped host (the headline: routing cost independent of the table size; every
// host goes to the one server the 1-host config uses, so only the lookup differs), the 5 000 hosts spread
// over two backends (wrk only), and the original's map_dom frontend on the 5 000 hosts; same responders,
// same run, rotating the order.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, runLoad } from "@rancher-haproxy/test-support";
import { renderOurBaseConfig, writeOurMaps } from "../lib/base-config.js";
import { withCleanup } from "../lib/cleanup.js";
import { startForegroundHaproxy } from "../lib/foreground-haproxy.js";
import { processCpuNs } from "../lib/process-cpu.js";
import { manyBackends, manyMap, stackHost } from "../lib/many-backends.js";
import { renderOriginalBaseConfig, renderResponderConfig } from "../lib/original-config.js";
import { median, ratio } from "../lib/stats.js";
import { runWrk, writeRotateScript } from "../lib/wrk.js";
import type { PartSettings } from "./settings.js";

// Medians over the rounds, per routing. `oneHost` and the `…OverOneHost` ratios are missing in results
// written before they were measured, `twoBackends` in results before 2026-12-01 (whose `ours` spread the
// hosts over two backends).
export interface LookupResult {
  hosts: number;
  rounds: number;
  wrkSeconds: number;
  wrk: {
    ours: number;
    original: number;
    oursOverOriginal: number;
    oneHost?: number;
    oursOverOneHost?: number;
    /** the 5 000 hosts mapped alternately onto two backends on the two responders */
    twoBackends?: number;
    twoBackendsOverOneHost?: number;
    /** the routing HAProxy's CPU per request during the wrk runs (ns, median), when /proc has it */
    cpuNsPerRequest?: { ours: number; oneHost: number; original: number; twoBackends: number } | null;
    errors: number;
  } | null;
  node: {
    requests: number;
    ours: number;
    original: number;
    oursOverOriginal: number;
    oneHost?: number;
    oursOverOneHost?: number;
    failed: number;
  };
}

type Config = "ours" | "oneHost" | "original" | "twoBackends";
const CONFIGS: readonly Config[] = ["ours", "oneHost", "original", "twoBackends"];
const ORDERS: readonly (readonly Config[])[] = [
  ["ours", "oneHost", "original", "twoBackends"],
  ["oneHost", "twoBackends", "ours", "original"],
  ["original", "ours", "twoBackends", "oneHost"],
];

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
    const urls: Record<Config, string> = { ours: "", oneHost: "", original: "", twoBackends: "" };
    const pids: Record<Config, number> = { ours: 0, oneHost: 0, original: 0, twoBackends: 0 };
    for (const kind of CONFIGS) {
      const hosts = kind === "oneHost" ? 1 : HOSTS;
      const conf = join(dir, kind);
      await mkdir(conf, { recursive: true });
      const port = await freePort();
      const base = join(conf, "haproxy.cfg");
      await writeFile(
        base,
        kind !== "original"
          ? renderOurBaseConfig(port, join(conf, "admin.sock"))
          : renderOriginalBaseConfig(port, join(conf, "domain.map")),
      );
      await writeFile(join(conf, "haproxy-backends.cfg"), manyBackends(hosts, responders));
      // Every host maps to app-0 (its one server on the first responder, as with one host): the
      // 5 000-line map is looked up, but HAProxy reuses the same server connections as with one host.
      // With a backend per host, 5 000 servers each keep their own idle connections and most requests
      // open a new one, which measured connection set-up, not the lookup (0.66× in 2026-12); spread
      // over two backends on two responders (`twoBackends`, the headline before 2026-12-01) the second
      // server alone costs ≈ 10 %.
      await writeOurMaps(conf, manyMap(hosts, kind === "twoBackends" ? 2 : 1));
      const files = [base, join(conf, "haproxy-backends.cfg")];
      pids[kind] = await startForegroundHaproxy(cleanup, files, "127.0.0.1", port);
      urls[kind] = `http://127.0.0.1:${port}/`;
    }
    const scripts = { many: await writeRotateScript(dir, HOSTS), one: await writeRotateScript(dir, 1) };
    const wrkRps: Record<Config, number[]> = { ours: [], oneHost: [], original: [], twoBackends: [] };
    const nodeRps: Record<Config, number[]> = { ours: [], oneHost: [], original: [], twoBackends: [] };
    const cpuNs: Record<Config, number[]> = { ours: [], oneHost: [], original: [], twoBackends: [] };
    let cpuKnown = true;
    let wrkErrors = 0;
    let nodeFailed = 0;
    const targets = Array.from({ length: HOSTS }, (_, i) => ({ host: stackHost(i), expect: "ok" }));
    for (let round = 0; round < rounds; round++) {
      for (const kind of ORDERS[round % ORDERS.length] ?? []) {
        if (settings.wrk) {
          const script = kind === "oneHost" ? scripts.one : scripts.many;
          const cpuBefore = processCpuNs(pids[kind]);
          const result = await runWrk(settings.wrk, urls[kind], script, wrkSeconds);
          const cpuAfter = processCpuNs(pids[kind]);
          if (cpuBefore === null || cpuAfter === null || result.requests === 0) cpuKnown = false;
          else cpuNs[kind].push(Math.round((cpuAfter - cpuBefore) / result.requests));
          wrkRps[kind].push(result.requestsPerSecond);
          wrkErrors += result.errors;
        }
        if (kind === "twoBackends") {
          settings.progress(`round ${round + 1} ${kind}: wrk ${wrkRps[kind].at(-1) ?? "-"}/s`);
          continue;
        }
        const load = await runLoad({
          url: urls[kind],
          targets: kind === "oneHost" ? targets.slice(0, 1) : targets,
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
    const nodeOne = median(nodeRps.oneHost);
    return {
      hosts: HOSTS,
      rounds,
      wrkSeconds,
      wrk: settings.wrk
        ? {
            ours: median(wrkRps.ours),
            original: median(wrkRps.original),
            oursOverOriginal: ratio(median(wrkRps.ours), median(wrkRps.original)),
            oneHost: median(wrkRps.oneHost),
            oursOverOneHost: ratio(median(wrkRps.ours), median(wrkRps.oneHost)),
            twoBackends: median(wrkRps.twoBackends),
            twoBackendsOverOneHost: ratio(median(wrkRps.twoBackends), median(wrkRps.oneHost)),
            cpuNsPerRequest: cpuKnown
              ? {
                  ours: median(cpuNs.ours),
                  oneHost: median(cpuNs.oneHost),
                  original: median(cpuNs.original),
                  twoBackends: median(cpuNs.twoBackends),
                }
              : null,
            errors: wrkErrors,
          }
        : null,
      node: {
        requests: nodeRequests,
        ours: nodeOurs,
        original: nodeOriginal,
        oursOverOriginal: ratio(nodeOurs, nodeOriginal),
        oneHost: nodeOne,
        oursOverOneHost: ratio(nodeOurs, nodeOne),
        failed: nodeFailed,
      },
    };
  });
}
