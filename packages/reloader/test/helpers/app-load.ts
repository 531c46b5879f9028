// The steady load of the fault tests: 16 keep-alive clients on app.dev.tld, each answer checked to come
// from backend "app", until stop() (or maxDurationMs).
import { runLoad, type LoadResult } from "../../../test-support/src/load/index.ts";

// A running load: `result` settles once it stopped.
export interface AppLoad {
  readonly result: Promise<LoadResult>;
  stop(): void;
}

// Start it against HAProxy's front door `url`.
export function startAppLoad(url: string, maxDurationMs: number): AppLoad {
  const controller = new AbortController();
  const result = runLoad({
    url,
    targets: [{ host: "app.dev.tld", expect: "app" }],
    concurrency: 16,
    keepAlive: true,
    signal: controller.signal,
    maxDurationMs,
  });
  return { result, stop: () => controller.abort() };
}
