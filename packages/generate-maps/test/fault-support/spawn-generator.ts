// The real `generate-maps` command (the built dist, through test-support's spawnGenerateMaps) with the
// usual flags of a fault test, always killed when the test ends.
import { join } from "node:path";
import type { TestContext } from "node:test";
import { spawnGenerateMaps, type GenerateMapsProcess } from "@rancher-haproxy/test-support";

// A running generator child.
export type GeneratorProcess = GenerateMapsProcess;

// Where the generator writes and what it reads: the usual flags of a fault test.
export interface GeneratorSetup {
  hostPort: string;
  dir: string;
  /** --interval, seconds (default 2: failures are retried within 2 s) */
  interval?: number;
  /** --removal-confirm-seconds (default 0: the guard is off unless a test is about it) */
  confirmSeconds?: number;
  extraArgs?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

// The paths a setup writes to.
export function outputPaths(dir: string): { backends: string; map: string } {
  return { backends: join(dir, "backends.cfg"), map: join(dir, "domain.map") };
}

// Starts `generate-maps` in loop mode with a clean environment, killed when the test ends.
export function startGenerator(t: TestContext, setup: GeneratorSetup): GeneratorProcess {
  const paths = outputPaths(setup.dir);
  const generator = spawnGenerateMaps({
    args: [
      ...["--api-host", setup.hostPort, "--domain-map", paths.map, "--backends", paths.backends],
      ...["--interval", String(setup.interval ?? 2)],
      ...["--removal-confirm-seconds", String(setup.confirmSeconds ?? 0), "--log-level", "debug"],
      ...(setup.extraArgs ?? []),
    ],
    // No status listener unless a test asks for one (override STATUS_PORT in `env`).
    env: { STACK_DOMAIN: "dev.tld", SYSLOG_HOST: "stdout", STATUS_PORT: "off", ...setup.env },
  });
  t.after(() => generator.stop({ signal: "SIGKILL", timeoutMs: 5000 }));
  return generator;
}
