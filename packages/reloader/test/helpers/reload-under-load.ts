// The zero-failure scenario: four real backends, concurrent checked load through HAProxy (a keep-alive
// load and a `Connection: close` load at once, 16 clients each, 50 ms apart), and N reloads driven by atomic
// rewrites of the backends file, each confirmed in the reloader's log.
import { renderTestBackends, renderTestMap, waitFor } from "../../../test-support/src/haproxy/index.ts";
import { startBackend, type Backend } from "../../../test-support/src/http/index.ts";
import { runLoad, type LoadResult } from "../../../test-support/src/load/index.ts";
import { createFixture, type Defer } from "./fixture.ts";

export interface ReloadUnderLoadResult {
  /** the keep-alive clients' load */
  keepAlive: LoadResult;
  /** the `Connection: close` clients' load */
  close: LoadResult;
  reloads: number;
  workerPids: number[];
  reloadMs: number[];
  checkMs: number[];
}

// `hostBase` picks the backends' loopback addresses (hostBase.1-4); `defer` registers the cleanups.
export async function reloadUnderLoad(
  defer: Defer,
  options: { reloads: number; hostBase: string },
): Promise<ReloadUnderLoadResult> {
  const names = ["alpha", "bravo", "charlie", "delta"];
  const backends: Backend[] = [];
  defer(() => Promise.all(backends.map((backend) => backend.close())));
  for (const [index, name] of names.entries())
    backends.push(await startBackend({ name, host: `${options.hostBase}.${index + 1}` }));

  // A harmless change per reload: a comment and a spare, unrouted backend whose port moves (a reload
  // only with RUNTIME_UPDATES=false: the runtime API would re-address the slot).
  const backendsFile = (n: number) =>
    renderTestBackends(
      [
        ...backends.map((backend) => ({ name: backend.name, servers: [{ address: backend.address }] })),
        { name: "spare", servers: [{ address: `127.0.0.1:${10_000 + n}` }] },
      ],
      [`# reload ${n}`],
    );
  const map = renderTestMap(Object.fromEntries(names.map((name) => [`${name}.dev.tld`, name])));
  const fixture = await createFixture(defer, {
    backends: backendsFile(0),
    map,
    args: ["--debounce-ms", "10", "--rescan-interval", "0"],
    env: { SYSLOG_HOST: "127.0.0.1:9", RUNTIME_UPDATES: "false" },
  });

  const controller = new AbortController();
  const load = (keepAlive: boolean) =>
    runLoad({
      url: fixture.url,
      targets: names.map((name) => ({ host: `${name}.dev.tld`, expect: name })),
      concurrency: 16,
      keepAlive,
      signal: controller.signal,
      maxDurationMs: 120_000,
      // 50 ms between a client's requests: ≈ 5 000-6 000 requests of each load over the 100 reloads, not
      // the ≈ 28 000 and 14 000 at full speed, which took ≈ 15 s of the file's 43 s of CPU and slowed
      // every reload. Without idle-close-on-response the keep-alive load still fails 127 of them.
      pauseMs: 50,
    });
  const loads = [load(true), load(false)] as const;
  try {
    // Let the load reach a steady state first.
    await waitFor(() => backends.every((backend) => backend.requests > 20), {
      timeoutMs: 5000,
      message: "load to start",
    });
    for (let n = 1; n <= options.reloads; n++) {
      await fixture.write({ backends: backendsFile(n) });
      await waitFor(() => fixture.reloader.count("reload.applied") >= n, {
        timeoutMs: 10_000,
        message: `reload ${n}`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    controller.abort();
  }
  const [keepAlive, close] = await Promise.all(loads);
  const applied = fixture.reloader.logs.filter((line) => line.event === "reload.applied");
  return {
    keepAlive,
    close,
    reloads: applied.length,
    workerPids: applied.map((line) => Number(line["workerPid"])),
    reloadMs: applied.map((line) => Number(line["reloadMs"])),
    checkMs: applied.map((line) => Number(line["checkMs"])),
  };
}

// Median and max of a list, for the test's diagnostic line.
export function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `median ${median} ms, max ${sorted.at(-1) ?? 0} ms`;
}
