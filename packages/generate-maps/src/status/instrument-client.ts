// Times every metadata request without touching core's client: a decorator that reports each call's
// duration and error kind (aborts are our own cancellations, not the server's fault, and are not reported,
// except a long poll's: one the generator cuts, a change it did not report or a stop, is timed as held,
// with no error; until 2026-12-05 every poll of a quiet environment was cut at the interval's deadline,
// and before that version-wait then had no samples at all).
import { MetadataError, type MetadataClient } from "@rancher-haproxy/core";
import { METADATA_PATHS } from "../sources/read-metadata.js";

// What a call is, as a metric label: the three snapshot reads, the /version long poll, or anything else.
export type MetadataRequestName = "version" | "containers" | "aliases" | "version-wait" | "other";

// Where the measurements go (the generator's metrics).
export interface MetadataObserver {
  /** one finished request: seconds it took, and the error kind when it failed (null: answered) */
  observe(request: MetadataRequestName, seconds: number, errorKind: string | null): void;
}

// A MetadataClient that behaves exactly like `client` and reports every request to `observer`.
export function instrumentClient(client: MetadataClient, observer: MetadataObserver): MetadataClient {
  async function timed<T>(request: MetadataRequestName, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const value = await call();
      observer.observe(request, seconds(), null);
      return value;
    } catch (error) {
      const kind = error instanceof MetadataError ? error.kind : "unexpected";
      if (kind !== "aborted") observer.observe(request, seconds(), kind);
      else if (request === "version-wait") observer.observe(request, seconds(), null);
      throw error;
    }
  }
  return {
    baseUrl: client.baseUrl,
    getJson: (path, signal, reading, cap) =>
      timed(requestName(path), () => client.getJson(path, signal, reading, cap)),
    getText: (path, signal) => timed(requestName(path), () => client.getText(path, signal)),
    waitForVersion: (last, maxWaitSeconds, signal) =>
      timed("version-wait", () => client.waitForVersion(last, maxWaitSeconds, signal)),
  };
}

// The label of a path relative to /<api-version>/.
export function requestName(path: string): MetadataRequestName {
  const clean = path.replace(/^\/+/, "").replace(/\?.*$/, "");
  if (clean === METADATA_PATHS.version) return "version";
  if (clean === METADATA_PATHS.containers) return "containers";
  if (clean === METADATA_PATHS.aliases) return "aliases";
  return "other";
}
