// STATUS_TOKEN as a client sees it: /healthz open, every other path 401 without the bearer token or with
// a wrong one, 200 with it, and each 401 counted on /metrics (`<program>_status_unauthorized_total`).
// Shared by both programs' status-listener tests.
import assert from "node:assert/strict";
import { parseMetrics } from "./parse-metrics.js";

// Asserts the guard on `paths` of the listener at `url` (status codes only; throws on any difference).
export async function checkTokenGuard(url: string, token: string, paths: readonly string[]): Promise<void> {
  const status = async (path: string, authorization?: string) =>
    (
      await fetch(`${url}${path}`, {
        headers: authorization ? { authorization } : {},
        signal: AbortSignal.timeout(5000),
      })
    ).status;
  assert.equal(await status("/healthz"), 200, "/healthz stays open");
  for (const path of paths) {
    assert.equal(await status(path), 401, `${path} without a token`);
    assert.equal(await status(path, `Bearer not-${token}`), 401, `${path} with a wrong token`);
    assert.equal(await status(path, `Bearer ${token}`), 200, `${path} with the token`);
  }
  const metrics = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  const counted = parseMetrics(await metrics.text()).filter((sample) =>
    sample.name.endsWith("_status_unauthorized_total"),
  );
  assert.deepEqual(
    counted.map((sample) => sample.value),
    [2 * paths.length],
    "every 401 is counted",
  );
}
