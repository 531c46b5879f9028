// A minimal pair for the root fault tests: the stand-in metadata server → the real generate-maps CLI →
// a temp dir → the real reloader CLI → HAProxy on a free port. Everything is torn down by t.after.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import {
  buildTree,
  freePort,
  spawnReloader,
  startMetadataServer,
  type MetadataServer,
  type ReloaderProcess,
  type TreeSpec,
} from "../../packages/test-support/src/index.ts";
import {
  outputPaths,
  startGenerator,
  type GeneratorProcess,
} from "../../packages/generate-maps/test/fault-support/spawn-generator.ts";

export interface Pair {
  dir: string;
  metadata: MetadataServer;
  generator: GeneratorProcess;
  reloader: ReloaderProcess;
  /** the HAProxy front door */
  url: string;
  paths: { backends: string; map: string };
}

// Start the three processes on `spec`; resolves once the reloader is ready.
export async function startPair(t: TestContext, spec: TreeSpec, intervalSeconds = 1): Promise<Pair> {
  const dir = await mkdtemp(join(tmpdir(), "rh-faults-pair-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const metadata = await startMetadataServer({ tree: buildTree(spec), longPollTickMs: 100 });
  t.after(() => metadata.close());
  const generator = startGenerator(t, { hostPort: metadata.hostPort, dir, interval: intervalSeconds });
  const paths = outputPaths(dir);
  const httpPort = await freePort();
  const reloader = spawnReloader({
    args: [
      ...["--haproxy-config", join(dir, "haproxy.cfg"), "--backend-config", paths.backends],
      ...["--domain-map", paths.map, "--state-dir", join(dir, "state")],
      ...["--bind-address", "127.0.0.1", "--http-port", String(httpPort), "--stop-timeout", "5s"],
      ...["--debounce-ms", "100", "--rescan-interval", "2s"],
    ],
    env: { SYSLOG_HOST: "stdout", RANCHER_API_HOST: metadata.hostPort },
  });
  t.after(() => reloader.stop());
  await reloader.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  return { dir, metadata, generator, reloader, url: `http://127.0.0.1:${httpPort}/`, paths };
}
