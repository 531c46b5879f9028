// Part 4: requests/s through HAProxy with our routing (host_only + map_str) and 5 000 mapped hosts against
// the same routing with 1 mapped host (the headline: routing cost independent of the table size; every
// host goes to the one server the 1-host config uses and every Host has the same length, so only the
// table differs), measured in strictly alternating pairs of short wrk runs; then the 5 000 hosts spread
// over two backends (wrk only) and the original's map_dom frontend on the 5 000 hosts, and the Node
// client on three of them, in a few rounds between the pairs.
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
import { median, ratio, spreadOf, type Spread } from "../lib/stats.js";
import { runWrk, writeRotateScript } from "../lib/wrk.js";
import type { PartSettings } from "./settings.js";

// Medians over the runs, per routing. `oneHost` and the `…OverOneHost` ratios are missing in results
// written before they were measured, `twoBackends` in results before 2026-12-01 (whose `ours` spread the
// hosts over two backends), `pairs` in results before branch routebench (2026-12-01 evening: 3 rotating
// rounds of 5 s for every config, Host names of 13 to 16 characters, no warm-up).
export interface LookupResult {
  hosts: number;
  /** rounds of the original, the two backends and the Node client (before `pairs`: of every config) */
  rounds: number;
  wrkSeconds: number;
  wrk: {
    /** median req/s over the pairs' 5 000-host runs (before `pairs`: over the rounds) */
    ours: number;
    original: number;
    oursOverOriginal: number;
    oneHost?: number;
    /** the ratio of the medians */
    oursOverOneHost?: number;
    /** the 5 000 hosts mapped alternately onto two backends on the two responders */
    twoBackends?: number;
    twoBackendsOverOneHost?: number;
    /** the routing HAProxy's CPU per request during the wrk runs (ns, median), when /proc has it */
    cpuNsPerRequest?: { ours: number; oneHost: number; original: number; twoBackends: number } | null;
    pairs?: LookupPairs;
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

// The headline's pairs (1 host and 5 000 hosts back to back, which goes first alternating): the per-pair
// ratios 5 000 / 1 of req/s and of the routing HAProxy's CPU per request (null without /proc schedstat).
export interface LookupPairs {
  count: number;
  seconds: number;
  rps: Spread;
  cpuPerRequest: Spread | null;
}

type Config = "ours" | "oneHost" | "original" | "twoBackends";
const CONFIGS: readonly Config[] = ["ours", "oneHost", "original", "twoBackends"];
const ORDERS: readonly (readonly Config[])[] = [
  ["ours", "oneHost", "original", "twoBackends"],
  ["oneHost", "twoBackends", "ours", "original"],
  ["original", "ours", "twoBackends", "oneHost"],
];

const HOSTS = 5000;
// Host numbers padded to the largest one's digits: app-0000.dev.tld … app-4999.dev.tld, and app-0000
// alone in the 1-host config, so every request's Host has the same length (unpadded, 13 characters
// with one host and 16 for most of the 5 000: more bytes to parse, check and copy per request).
const WIDTH = String(HOSTS - 1).length;

// Run the part.
export async function runLookupCost(settings: PartSettings): Promise<LookupResult> {
  const pairCount = settings.quick ? 3 : 11;
  const rounds = settings.quick ? 1 : 3;
  const wrkSeconds = settings.quick ? 1 : 2;
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
      await writeOurMaps(conf, manyMap(hosts, kind === "twoBackends" ? 2 : 1, WIDTH));
      const files = [base, join(conf, "haproxy-backends.cfg")];
      pids[kind] = await startForegroundHaproxy(cleanup, files, "127.0.0.1", port);
      urls[kind] = `http://127.0.0.1:${port}/`;
    }
    const scripts = {
      many: await writeRotateScript(dir, HOSTS, WIDTH),
      one: await writeRotateScript(dir, 1, WIDTH),
    };
    const wrkRps: Record<Config, number[]> = { ours: [], oneHost: [], original: [], twoBackends: [] };
    const nodeRps: Record<Config, number[]> = { ours: [], oneHost: [], original: [], twoBackends: [] };
    const cpuNs: Record<Config, number[]> = { ours: [], oneHost: [], original: [], twoBackends: [] };
    const pairRps: number[] = [];
    const pairCpu: number[] = [];
    let cpuKnown = true;
    let wrkErrors = 0;
    let nodeFailed = 0;
    // One wrk run: its req/s and the routing HAProxy's CPU per request (null where /proc lacks it).
    const measure = async (wrk: string, kind: Config, seconds: number, keep = true) => {
      const cpuBefore = processCpuNs(pids[kind]);
      const result = await runWrk(wrk, urls[kind], kind === "oneHost" ? scripts.one : scripts.many, seconds);
      const cpuAfter = processCpuNs(pids[kind]);
      const cpu =
        cpuBefore === null || cpuAfter === null || result.requests === 0
          ? null
          : Math.round((cpuAfter - cpuBefore) / result.requests);
      if (keep) {
        wrkRps[kind].push(result.requestsPerSecond);
        wrkErrors += result.errors;
        if (cpu === null) cpuKnown = false;
        else cpuNs[kind].push(cpu);
      }
      return { rps: result.requestsPerSecond, cpu };
    };
    // Warm-up, not counted: pools, server connections and caches filled with the same Host rotation.
    if (settings.wrk) for (const kind of CONFIGS) await measure(settings.wrk, kind, 1, false);
    const targets = Array.from({ length: HOSTS }, (_, i) => ({ host: stackHost(i, WIDTH), expect: "ok" }));
    // The other configs' rounds, spread evenly between the pairs (after pairs 2, 6 and 10 of 11).
    const roundAfter = Array.from({ length: rounds }, (_, k) => Math.floor(((k + 0.5) * pairCount) / rounds));
    for (let pair = 0; pair < pairCount; pair++) {
      if (settings.wrk) {
        // Back to back, the one that goes first alternating, so both see the same machine state.
        const oneFirst = pair % 2 === 0;
        const first = await measure(settings.wrk, oneFirst ? "oneHost" : "ours", wrkSeconds);
        const second = await measure(settings.wrk, oneFirst ? "ours" : "oneHost", wrkSeconds);
        const [one, many] = oneFirst ? [first, second] : [second, first];
        pairRps.push(many.rps / one.rps);
        if (many.cpu !== null && one.cpu !== null) pairCpu.push(many.cpu / one.cpu);
        settings.progress(
          `pair ${pair + 1}: 1 host ${one.rps}/s, ${HOSTS} hosts ${many.rps}/s ` +
            `(× ${(many.rps / one.rps).toFixed(2)})`,
        );
      }
      const round = roundAfter.indexOf(pair);
      if (round < 0) continue;
      for (const kind of ORDERS[round % ORDERS.length] ?? []) {
        if (settings.wrk && (kind === "original" || kind === "twoBackends"))
          await measure(settings.wrk, kind, wrkSeconds);
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
          `round ${round + 1} ${kind}: ${kind === "original" ? `wrk ${wrkRps[kind].at(-1) ?? "-"}/s, ` : ""}` +
            `node ${load.requestsPerSecond}/s`,
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
            pairs: {
              count: pairCount,
              seconds: wrkSeconds,
              rps: spreadOf(pairRps),
              cpuPerRequest: cpuKnown && pairCpu.length === pairCount ? spreadOf(pairCpu) : null,
            },
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
