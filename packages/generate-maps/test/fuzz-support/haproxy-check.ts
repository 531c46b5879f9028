// `haproxy -c` on rendered files exactly as the reloader loads them: its own base config (rendered by
// @rancher-haproxy/reloader, with the domain.map routing rules) plus the generated backends file, with
// domain.map (and the path-hosts.map the reloader renders from it) beside it, each sample in a directory
// of its own. The command is the reloader's (checkConfig: `haproxy -c -W -f <base> -f <backends>`), run
// from a few shells rather than spawned from here one at a time: each spawn from the fuzz test's process
// (≈ 400 MB by then, execa's per-call set-up) cost ≈ 20 ms of CPU, ≈ 6 s for its ≈ 300 checks.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PATH_HOSTS_MAP_NAME, renderBaseConfig, renderPathHostsMapOf } from "@rancher-haproxy/reloader";

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

// Runs `haproxy -c -W -f haproxy.cfg -f haproxy-backends.cfg` on every sample, `concurrency` shells at a
// time; rejects when HAProxy cannot run at all (the shell's 126/127).
export async function checkWithHaproxy(
  samples: readonly RenderedSample[],
  concurrency = 2,
): Promise<CheckReport> {
  const report: CheckReport = { checked: 0, rejected: [] };
  const dir = await mkdtemp(join(tmpdir(), "gm-fuzz-check-"));
  try {
    const dirs = samples.map((_, index) => join(dir, String(index)));
    for (const [index, sample] of samples.entries()) {
      const at = dirs[index] as string;
      await mkdir(at);
      await writeFile(join(at, "haproxy.cfg"), baseConfig(at));
      await writeFile(join(at, "haproxy-backends.cfg"), sample.backends);
      await writeFile(join(at, "domain.map"), sample.map);
      await writeFile(join(at, PATH_HOSTS_MAP_NAME), renderPathHostsMapOf(sample.map));
    }
    const shells = Array.from({ length: concurrency }, (_, shell) =>
      checkInShell(dirs.filter((_, index) => index % concurrency === shell)),
    );
    await Promise.all(shells);
    for (const [index, sample] of samples.entries()) {
      const at = dirs[index] as string;
      const code = Number((await readFile(join(at, "rc"), "utf8")).trim());
      const output = (await readFile(join(at, "out"), "utf8")).trim();
      if (code === 126 || code === 127) throw new Error(`cannot run ${HAPROXY_BIN}: ${output}`);
      report.checked += 1;
      if (code !== 0) report.rejected.push({ sample, output });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return report;
}

// One shell checking the samples of `dirs` one after the other: exit status in <dir>/rc, output in <dir>/out.
function checkInShell(dirs: readonly string[]): Promise<void> {
  const script =
    'for d in "$@"; do "$RH_HAPROXY" -c -W -f "$d/haproxy.cfg" -f "$d/haproxy-backends.cfg" </dev/null >"$d/out" 2>&1; echo $? >"$d/rc"; done';
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script, "sh", ...dirs], {
      stdio: "ignore",
      env: { ...process.env, RH_HAPROXY: HAPROXY_BIN },
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`the haproxy -c shell exited ${code}`)),
    );
  });
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
