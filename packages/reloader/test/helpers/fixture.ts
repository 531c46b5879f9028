// A temp dir with the three inputs, free ports and a real reloader (so a real HAProxy) on 127.0.0.1;
// everything is torn down by t.after, also when the test fails.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFilesAtomic } from "@rancher-haproxy/core";
import {
  freePort,
  spawnReloader,
  waitFor,
  type ReloaderProcess,
} from "../../../test-support/src/haproxy/index.ts";

export interface Fixture {
  dir: string;
  baseConfig: string;
  backendConfig: string;
  domainMap: string;
  stateDir: string;
  httpPort: number;
  url: string;
  reloader: ReloaderProcess;
  /** atomic rewrite, backends first then map, like generate-maps */
  write(files: { backends?: string; map?: string }): Promise<void>;
  /** start (or restart) the reloader with the fixture's flags plus `args` */
  start(args?: readonly string[], env?: Record<string, string>): Promise<ReloaderProcess>;
}

export interface FixtureOptions {
  backends?: string;
  map?: string;
  args?: readonly string[];
  env?: Record<string, string>;
  /** wait for reloader.ready (default true) */
  waitReady?: boolean;
  /** do not start the reloader yet */
  deferStart?: boolean;
  /** a command that runs the reloader's node (spawnReloader's `wrap`) */
  wrap?: readonly string[];
}

// Registers a teardown step: `(fn) => t.after(fn)` in a test, a Cleanup's `add` in a suite.
export type Defer = (fn: () => unknown) => void;

// Teardown steps for a suite (node:test's suite context has no after()): add in before, run in after.
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];
  readonly add: Defer = (fn) => void this.steps.push(fn);
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

export async function createFixture(defer: Defer, options: FixtureOptions = {}): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), "rh-reloader-"));
  const processes: ReloaderProcess[] = [];
  defer(async () => {
    for (const child of processes) await child.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const httpPort = await freePort();
  const fixture: Fixture = {
    dir,
    baseConfig: join(dir, "etc", "haproxy.cfg"),
    backendConfig: join(dir, "etc", "haproxy-backends.cfg"),
    domainMap: join(dir, "etc", "domain.map"),
    stateDir: join(dir, "state"),
    httpPort,
    url: `http://127.0.0.1:${httpPort}/`,
    reloader: undefined as unknown as ReloaderProcess,
    // Like generate-maps: both temp files written first, then the renames back to back (backends first).
    async write(files) {
      const writes = [
        ...(files.backends === undefined ? [] : [{ path: fixture.backendConfig, content: files.backends }]),
        ...(files.map === undefined ? [] : [{ path: fixture.domainMap, content: files.map }]),
      ];
      const failed = (await writeFilesAtomic(writes)).find((outcome) => outcome.status !== "renamed");
      if (failed) throw new Error(`fixture.write failed: ${JSON.stringify(failed)}`);
    },
    async start(args = [], env = {}) {
      const child = spawnReloader({
        args: overriding(
          [
            "--haproxy-config",
            fixture.baseConfig,
            "--backend-config",
            fixture.backendConfig,
            "--domain-map",
            fixture.domainMap,
            "--state-dir",
            fixture.stateDir,
            "--bind-address",
            "127.0.0.1",
            "--http-port",
            String(httpPort),
            "--stop-timeout",
            "5s",
            "--debounce-ms",
            "50",
          ],
          [...(options.args ?? []), ...args],
        ),
        env: { SYSLOG_HOST: "stdout", RANCHER_API_HOST: "127.0.0.1:9", ...options.env, ...env },
        ...(options.wrap ? { wrap: options.wrap } : {}),
      });
      processes.push(child);
      fixture.reloader = child;
      if (options.waitReady ?? true) await child.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
      return child;
    },
  };
  await mkdir(join(dir, "etc"), { recursive: true });
  await fixture.write({ backends: options.backends, map: options.map });
  if (!options.deferStart) await fixture.start();
  return fixture;
}

// The fixture's `--flag value` pairs, minus those `extra` gives again, then `extra` (the reloader
// refuses a flag given twice).
function overriding(defaults: readonly string[], extra: readonly string[]): string[] {
  const given = new Set(extra.filter((arg) => arg.startsWith("--")).map((arg) => arg.split("=")[0]));
  const kept: string[] = [];
  for (let i = 0; i < defaults.length; i += 2)
    if (!given.has(defaults[i])) kept.push(defaults[i] ?? "", defaults[i + 1] ?? "");
  return [...kept, ...extra];
}

// The next `reload.applied` or `runtime.applied` line from log index `from` (a change that only needs
// to be live, however it went live).
export async function waitForApply(
  reloader: ReloaderProcess,
  from: number,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const applied = (line: { event?: unknown }) =>
    line.event === "reload.applied" || line.event === "runtime.applied";
  return waitFor(() => reloader.logs.slice(from).find(applied) ?? null, {
    timeoutMs,
    message: "reload.applied or runtime.applied",
  });
}
