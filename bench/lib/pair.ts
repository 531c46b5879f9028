// The real pair on loopback: generate-maps (a child, loop mode) writing into a temp dir that a real
// reloader (so a real HAProxy) watches, against a stand-in metadata server. Everything stops on cleanup.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, spawnReloader, type ReloaderProcess } from "@rancher-haproxy/test-support";
import { stopAtCleanup, type Cleanup } from "./cleanup.js";
import { CHILD_PATH } from "./haproxy-bin.js";

const GENERATE_MAPS = fileURLToPath(
  new URL("../../packages/generate-maps/bin/generate-maps.js", import.meta.url),
);

// A running reloader + HAProxy reading `etcDir`.
export interface ProxyUnderTest {
  url: string;
  etcDir: string;
  /** the reloader's private state dir (master.sock: see master-reloads.ts) */
  stateDir: string;
  reloader: ReloaderProcess;
}

// Start the reloader (product defaults apart from paths, ports and a loopback syslog) and wait for ready.
export async function startProxy(
  cleanup: Cleanup,
  dir: string,
  extraArgs: readonly string[] = [],
): Promise<ProxyUnderTest> {
  const etcDir = join(dir, "etc");
  await mkdir(etcDir, { recursive: true });
  const port = await freePort();
  const reloader = spawnReloader({
    entry: "dist",
    args: [
      ...["--haproxy-config", join(etcDir, "haproxy.cfg")],
      ...["--backend-config", join(etcDir, "haproxy-backends.cfg")],
      ...["--domain-map", join(etcDir, "domain.map")],
      ...["--state-dir", join(dir, "state")],
      ...["--bind-address", "127.0.0.1", "--http-port", String(port)],
      ...extraArgs,
    ],
    env: { SYSLOG_HOST: "127.0.0.1:9", LOG_LEVEL: "info" },
  });
  cleanup.add(() => reloader.stop({ timeoutMs: 10_000 }));
  await reloader.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  return { url: `http://127.0.0.1:${port}/`, etcDir, stateDir: join(dir, "state"), reloader };
}

// Start generate-maps in loop mode against `apiHost`, writing into `etcDir`; stopped (SIGTERM) on cleanup.
export function startGenerator(
  cleanup: Cleanup,
  apiHost: string,
  etcDir: string,
  extraArgs: readonly string[] = [],
): ChildProcess {
  const child = spawn(process.execPath, [GENERATE_MAPS, ...extraArgs], {
    env: {
      PATH: CHILD_PATH,
      STACK_DOMAIN: "dev.tld",
      RANCHER_API_HOST: apiHost,
      HAPROXY_DOMAIN_MAP: join(etcDir, "domain.map"),
      HAPROXY_BACKEND_CONFIG: join(etcDir, "haproxy-backends.cfg"),
      LOG_FORMAT: "json",
      LOG_LEVEL: "warn",
      // The bench's backends are on loopback, which is routed only when allowed explicitly.
      BACKEND_NETWORKS: "127.0.0.0/8",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  stopAtCleanup(cleanup, child);
  return child;
}
