import { waitFor } from "../../../test-support/src/haproxy/index.ts";
import { readStatusJson } from "../../../test-support/src/status/index.ts";
import type { ReloaderHealth } from "../../src/index.ts";

// Until the reloader's /healthz at `url` says ok: HAProxy runs the files on disk (no pass left in flight).
export async function healthzOk(url: string): Promise<void> {
  await waitFor(
    async () => (await readStatusJson<ReloaderHealth["body"]>(url, "/healthz")).json.status === "ok",
    { timeoutMs: 10_000, message: "/healthz ok: HAProxy runs the files on disk" },
  );
}
