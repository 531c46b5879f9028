// Part 6: TLS with 1 vs 500 certificates in the crt-list (SNI), same run, alternating rounds: full
// handshakes/s and HTTPS requests/s (keep-alive) through our rendered base config, `haproxy -c` time,
// and how long one certificate change takes through the runtime API (set + commit ssl cert).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { renderBaseConfig } from "@rancher-haproxy/reloader";
import { freePort } from "@rancher-haproxy/test-support";
import { writeOurMaps } from "../lib/base-config.js";
import { writeBenchCertificates } from "../lib/bench-certificates.js";
import { withCleanup } from "../lib/cleanup.js";
import { startForegroundHaproxy } from "../lib/foreground-haproxy.js";
import { HAPROXY_BIN } from "../lib/haproxy-bin.js";
import { manyBackends, manyMap, stackHost } from "../lib/many-backends.js";
import { renderResponderConfig } from "../lib/original-config.js";
import { median } from "../lib/stats.js";
import { runHandshakes, runHttpsRequests } from "../lib/tls-load.js";
import { sendAdminCommand } from "../lib/admin-command.js";
import type { PartSettings } from "./settings.js";

const run = promisify(execFile);

// One configuration's medians.
export interface TlsRow {
  certificates: number;
  handshakesPerSecond: number;
  httpsRequestsPerSecond: number;
  failed: number;
  checkMs: number;
  runtimeUpdateMs: number;
}

// The part's result.
export interface TlsResult {
  rounds: number;
  seconds: number;
  rows: TlsRow[];
}

const COUNTS = [1, 500] as const;

// Run the part.
export async function runTlsCertificates(settings: PartSettings): Promise<TlsResult> {
  const rounds = settings.quick ? 1 : 3;
  const seconds = settings.quick ? 2 : 5;
  return withCleanup(async (cleanup) => {
    const dir = await mkdtemp(join(tmpdir(), "rh-bench-tls-"));
    cleanup.add(() => rm(dir, { recursive: true, force: true }));
    const responderPort = await freePort("127.0.0.95");
    const responderConfig = join(dir, "responder.cfg");
    await writeFile(responderConfig, renderResponderConfig("127.0.0.95", responderPort));
    await startForegroundHaproxy(cleanup, [responderConfig], "127.0.0.95", responderPort);
    settings.progress(`writing ${Math.max(...COUNTS)} certificates…`);
    const pems = await writeBenchCertificates(dir, Math.max(...COUNTS));
    const setups = [];
    for (const count of COUNTS) {
      const conf = join(dir, `c${count}`);
      await mkdir(conf);
      const port = await freePort();
      const crtList = join(conf, "crt-list");
      await writeFile(
        crtList,
        pems
          .slice(0, count)
          .map((pem) => `${pem}\n`)
          .join(""),
      );
      const adminSocket = join(conf, "admin.sock");
      const base = join(conf, "haproxy.cfg");
      await writeFile(
        base,
        renderBaseConfig({
          bindAddress: "127.0.0.1",
          httpPort: await freePort(),
          https: { port, certPath: pems[0] ?? "", redirect: null, crtList },
          stats: null,
          log: { kind: "udp", host: "127.0.0.1", port: 9 },
          facility: "daemon",
          adminSocket,
          hardStopAfterMs: 30_000,
        }),
      );
      const backends = join(conf, "haproxy-backends.cfg");
      await writeFile(backends, manyBackends(count, [`127.0.0.95:${responderPort}`]));
      await writeOurMaps(conf, manyMap(count));
      const checks: number[] = [];
      for (let i = 0; i < (settings.quick ? 2 : 5); i++) {
        const started = performance.now();
        await run(HAPROXY_BIN, ["-c", "-q", "-f", base, "-f", backends]);
        checks.push(performance.now() - started);
      }
      await startForegroundHaproxy(cleanup, [base, backends], "127.0.0.1", port);
      const names = Array.from({ length: count }, (_, i) => stackHost(i));
      setups.push({
        count,
        port,
        names,
        adminSocket,
        checkMs: median(checks),
        hs: [] as number[],
        rps: [] as number[],
        failed: 0,
      });
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? setups : [...setups].reverse();
      for (const setup of order) {
        const hs = await runHandshakes(setup.port, setup.names, seconds);
        const rps = await runHttpsRequests(setup.port, setup.names, seconds);
        setup.hs.push(hs.perSecond);
        setup.rps.push(rps.perSecond);
        setup.failed += hs.failed + rps.failed;
        settings.progress(
          `round ${round + 1}, ${setup.count} cert(s): ${hs.perSecond} handshakes/s, ${rps.perSecond} req/s`,
        );
      }
    }
    const rows: TlsRow[] = [];
    for (const setup of setups) {
      // One certificate replaced through the runtime API (the reloader's live path), median of samples.
      const target = pems[setup.count - 1] ?? "";
      const payload = (await readFile(target, "utf8")).trim();
      const updates: number[] = [];
      for (let i = 0; i < (settings.quick ? 3 : 10); i++) {
        const started = performance.now();
        const set = await sendAdminCommand(setup.adminSocket, `set ssl cert ${target} <<\n${payload}\n`);
        const commit = await sendAdminCommand(setup.adminSocket, `commit ssl cert ${target}`);
        if (!/Transaction/.test(set) || !/Success/.test(commit))
          throw new Error(`runtime update refused: ${set} ${commit}`);
        updates.push(performance.now() - started);
      }
      rows.push({
        certificates: setup.count,
        handshakesPerSecond: median(setup.hs),
        httpsRequestsPerSecond: median(setup.rps),
        failed: setup.failed,
        checkMs: Math.round(setup.checkMs),
        runtimeUpdateMs: Math.round(median(updates) * 10) / 10,
      });
    }
    return { rounds, seconds, rows };
  });
}
