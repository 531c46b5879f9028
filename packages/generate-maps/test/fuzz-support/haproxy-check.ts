// `haproxy -c` on rendered files exactly as the reloader loads them: its own base config (rendered by
// @rancher-haproxy/reloader, with the domain.map routing rules) plus the generated backends file, with
// domain.map (and the path-hosts.map the reloader renders from it) beside it. A few worker directories,
// each checking one sample at a time.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkConfig,
  PATH_HOSTS_MAP_NAME,
  renderBaseConfig,
  renderPathHostsMapOf,
} from "@rancher-haproxy/reloader";

// The haproxy binary (HAPROXY_BIN, like the reloader; else `haproxy` on PATH).
export const HAPROXY_BIN = process.env["HAPROXY_BIN"] ?? "haproxy";

// One pair of rendered files.
export interface RenderedSample {
  backends: string;
  map: string;
}

// The samples HAProxy rejected, with its output.
export interface CheckReport {
  checked: number;
  rejected: { sample: RenderedSample; output: string }[];
}

// Runs `haproxy -c -f haproxy.cfg -f haproxy-backends.cfg` on every sample, `concurrency` at a time.
export async function checkWithHaproxy(
  samples: readonly RenderedSample[],
  concurrency = 2,
): Promise<CheckReport> {
  const report: CheckReport = { checked: 0, rejected: [] };
  let next = 0;
  const worker = async () => {
    const dir = await mkdtemp(join(tmpdir(), "gm-fuzz-check-"));
    try {
      const base = join(dir, "haproxy.cfg");
      await writeFile(base, baseConfig(dir));
      for (let index = next++; index < samples.length; index = next++) {
        const sample = samples[index] as RenderedSample;
        await writeFile(join(dir, "haproxy-backends.cfg"), sample.backends);
        await writeFile(join(dir, "domain.map"), sample.map);
        await writeFile(join(dir, PATH_HOSTS_MAP_NAME), renderPathHostsMapOf(sample.map));
        const result = await checkConfig(HAPROXY_BIN, [base, join(dir, "haproxy-backends.cfg")]);
        if (result.spawnError !== null) throw new Error(`cannot run ${HAPROXY_BIN}: ${result.spawnError}`);
        report.checked += 1;
        if (!result.ok) report.rejected.push({ sample, output: result.output });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return report;
}

function baseConfig(dir: string): string {
  return renderBaseConfig({
    bindAddress: "127.0.0.1",
    httpPort: 8080,
    // the public ports the documents' TCP labels use: their frontends route to the tcp_<port> backends
    tcpPorts: [22, 5432, 6379, 65535],
    https: null,
    stats: null,
    log: { kind: "stdout" },
    facility: "local0",
    adminSocket: join(dir, "admin.sock"),
    hardStopAfterMs: 10_000,
  });
}
