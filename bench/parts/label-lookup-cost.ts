// Part 6: requests/s through HAProxy (our routing rules, one run, alternating rounds) with 5 000 map keys
// of which 1 000 wildcards and 1 000 path rules (issue 13), against the plain 5 000-host table. Every
// request asks for /api/v1/x, so each one walks the host+path lookups: a plain host skips its path
// lookups (no path-hosts.map marker) and hits its host; a wildcard host skips the exact host's path
// lookups and misses the exact host first; a path host hits `host/api`.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, renderTestMap, runLoad, type LoadTarget } from "@rancher-haproxy/test-support";
import { renderOurBaseConfig, writeOurMaps } from "../lib/base-config.js";
import { withCleanup } from "../lib/cleanup.js";
import { startForegroundHaproxy } from "../lib/foreground-haproxy.js";
import { manyBackends, manyMap, stackHost } from "../lib/many-backends.js";
import { renderResponderConfig } from "../lib/original-config.js";
import { median, ratio } from "../lib/stats.js";
import { runWrk } from "../lib/wrk.js";
import type { PartSettings } from "./settings.js";

// Medians over the rounds, per table.
export interface LabelLookupResult {
  keys: number;
  wildcards: number;
  paths: number;
  rounds: number;
  wrkSeconds: number;
  wrk: { plain: number; mixed: number; mixedOverPlain: number; errors: number } | null;
  requests: number;
  plain: number;
  mixed: number;
  mixedOverPlain: number;
  failed: number;
}

const KEYS = 5000;
const WILDCARDS = 1000;
const PATHS = 1000;

// The mixed map: keys 0..WILDCARDS-1 are `*.w-<i>.example`, the next PATHS `p-<i>.dev.tld/api`, the rest
// plain stack hosts; and a Host that reaches each.
function mixedKey(i: number): { key: string; host: string } {
  if (i < WILDCARDS) return { key: `*.w-${i}.example`, host: `x.w-${i}.example` };
  if (i < WILDCARDS + PATHS) return { key: `p-${i}.dev.tld/api`, host: `p-${i}.dev.tld` };
  return { key: stackHost(i), host: stackHost(i) };
}

// Run the part.
export async function runLabelLookupCost(settings: PartSettings): Promise<LabelLookupResult> {
  const rounds = settings.quick ? 1 : 3;
  const requests = settings.quick ? 3000 : 20_000;
  const wrkSeconds = settings.quick ? 2 : 5;
  return withCleanup(async (cleanup) => {
    const dir = await mkdtemp(join(tmpdir(), "rh-bench-label-lookup-"));
    cleanup.add(() => rm(dir, { recursive: true, force: true }));
    const host = "127.0.0.95";
    const responderPort = await freePort(host);
    const responder = join(dir, "responder.cfg");
    await writeFile(responder, renderResponderConfig(host, responderPort));
    await startForegroundHaproxy(cleanup, [responder], host, responderPort);
    const maps = {
      // Every key goes to app-0 (as in part 4): a backend per key gave each request a server of its own
      // on the one responder, and rounds that piled up thousands of idle server connections timed out.
      plain: manyMap(KEYS, 1),
      mixed: renderTestMap(
        Object.fromEntries(Array.from({ length: KEYS }, (_, i) => [mixedKey(i).key, "app-0"])),
      ),
    };
    const urls = { plain: "", mixed: "" };
    for (const kind of ["plain", "mixed"] as const) {
      const conf = join(dir, kind);
      await mkdir(conf, { recursive: true });
      const port = await freePort();
      const base = join(conf, "haproxy.cfg");
      await writeFile(base, renderOurBaseConfig(port, join(conf, "admin.sock")));
      await writeFile(join(conf, "haproxy-backends.cfg"), manyBackends(KEYS, [`${host}:${responderPort}`]));
      await writeOurMaps(conf, maps[kind]);
      await startForegroundHaproxy(cleanup, [base, join(conf, "haproxy-backends.cfg")], "127.0.0.1", port);
      urls[kind] = `http://127.0.0.1:${port}/api/v1/x`;
    }
    const targets: Record<"plain" | "mixed", LoadTarget[]> = {
      plain: Array.from({ length: KEYS }, (_, i) => ({ host: stackHost(i), expect: "ok" })),
      mixed: Array.from({ length: KEYS }, (_, i) => ({ host: mixedKey(i).host, expect: "ok" })),
    };
    const scripts = { plain: await writeScript(dir, "plain"), mixed: await writeScript(dir, "mixed") };
    const wrkRps = { plain: [] as number[], mixed: [] as number[] };
    let wrkErrors = 0;
    const rps = { plain: [] as number[], mixed: [] as number[] };
    let failed = 0;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (["plain", "mixed"] as const) : (["mixed", "plain"] as const);
      for (const kind of order) {
        if (settings.wrk) {
          const result = await runWrk(settings.wrk, urls[kind], scripts[kind], wrkSeconds);
          wrkRps[kind].push(result.requestsPerSecond);
          wrkErrors += result.errors;
        }
        const load = await runLoad({
          url: urls[kind],
          targets: targets[kind],
          keepAlive: true,
          concurrency: 16,
          maxRequests: requests,
        });
        rps[kind].push(load.requestsPerSecond);
        failed += load.failed;
        settings.progress(
          `round ${round + 1} ${kind}: node ${load.requestsPerSecond}/s, ${load.failed} failed` +
            (load.failed > 0 ? ` ${JSON.stringify(load.failureKinds)}` : ""),
        );
      }
    }
    const plain = median(rps.plain);
    const mixed = median(rps.mixed);
    return {
      keys: KEYS,
      wildcards: WILDCARDS,
      paths: PATHS,
      rounds,
      wrkSeconds,
      wrk: settings.wrk
        ? {
            plain: median(wrkRps.plain),
            mixed: median(wrkRps.mixed),
            mixedOverPlain: ratio(median(wrkRps.mixed), median(wrkRps.plain)),
            errors: wrkErrors,
          }
        : null,
      requests,
      plain,
      mixed,
      mixedOverPlain: ratio(mixed, plain),
      failed,
    };
  });
}

// The wrk script asking GET /api/v1/x of every key's Host in turn (mixedKey's hosts, or the plain ones).
async function writeScript(dir: string, kind: "plain" | "mixed"): Promise<string> {
  const path = join(dir, `rotate-${kind}.lua`);
  const host =
    kind === "plain"
      ? ['  return "app-" .. i .. ".dev.tld"']
      : [
          `  if i < ${WILDCARDS} then return "x.w-" .. i .. ".example" end`,
          `  if i < ${WILDCARDS + PATHS} then return "p-" .. i .. ".dev.tld" end`,
          '  return "app-" .. i .. ".dev.tld"',
        ];
  const lines = [
    "local i = 0",
    "local function host()",
    ...host,
    "end",
    "request = function()",
    `  i = (i + 1) % ${KEYS}`,
    '  return wrk.format("GET", "/api/v1/x", { ["Host"] = host() })',
    "end",
    "",
  ];
  await writeFile(path, lines.join("\n"));
  return path;
}
