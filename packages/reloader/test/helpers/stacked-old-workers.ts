// The reload hold tests' start (reload/old-workers-cap.ts): two inputs that differ by a backend (a
// reload each, never a runtime step), and a master whose old workers each hold a client stream.
import type { TestContext } from "node:test";
import {
  readReloadCounter,
  renderTestBackends,
  renderTestMap,
  waitFor,
  type ReloadCounter,
} from "../../../test-support/src/haproxy/index.ts";
import { openStream, startBackend, type OpenStream } from "../../../test-support/src/http/index.ts";
import type { Fixture } from "./fixture.ts";
import { writeInOnePass } from "./write-one-pass.ts";

// Inputs routing alpha.dev.tld only (`alphaOnly`), or beta.dev.tld too (`withBetaNoted(comment)`: other
// bytes, the same routing), to backends on 127.0.7.1 and 127.0.7.2.
export async function alphaBetaInputs(t: TestContext) {
  const alpha = await startBackend({ name: "alpha", host: "127.0.7.1" });
  t.after(() => alpha.close());
  const beta = await startBackend({ name: "beta", host: "127.0.7.2" });
  t.after(() => beta.close());
  const alphaOnly = {
    backends: renderTestBackends([{ name: "alpha", servers: [{ address: alpha.address }] }]),
    map: renderTestMap({ "alpha.dev.tld": "alpha" }),
  };
  const withBetaNoted = (comment: string) => ({
    backends: renderTestBackends(
      [
        { name: "alpha", servers: [{ address: alpha.address }] },
        { name: "beta", servers: [{ address: beta.address }] },
      ],
      [comment],
    ),
    map: renderTestMap({ "alpha.dev.tld": "alpha", "beta.dev.tld": "beta" }),
  });
  return { alphaOnly, withBetaNoted };
}

// The master's `show proc` counter (its CLI is down while it re-executes: a refused read is tried again).
export function reloadCounter(fixture: Fixture): Promise<ReloadCounter> {
  return waitFor(() => readReloadCounter(fixture.stateDir), { message: "show proc" });
}

// A stream on the running worker, then `count` times a reload (the two `inputs` in turn, the second
// first; the reloader runs the first) and a stream on its new worker: `count` old workers, each holding a
// connection (`streams`, oldest first; closed after the test). `full`: show proc once they are listed.
export async function stackOldWorkers(
  t: TestContext,
  fixture: Fixture,
  count: number,
  inputs: readonly [{ backends: string; map: string }, { backends: string; map: string }],
): Promise<{ streams: OpenStream[]; full: ReloadCounter }> {
  const streams: OpenStream[] = [];
  t.after(() => streams.forEach((stream) => stream.close()));
  const hold = async () =>
    streams.push(await openStream({ url: fixture.url, host: "alpha.dev.tld", timeoutMs: 5000 }));
  const start = (await reloadCounter(fixture)).reloads;
  await hold();
  for (let n = 1; n <= count; n++) {
    await writeInOnePass(fixture, n % 2 === 1 ? inputs[1] : inputs[0]);
    await waitFor(async () => (await reloadCounter(fixture)).reloads >= start + n, {
      message: `reload ${n}`,
    });
    await hold();
  }
  const full = await waitFor(
    async () => {
      const now = await reloadCounter(fixture);
      return now.oldWorkerPids.length === count ? now : null;
    },
    { message: `${count} old workers` },
  );
  if (full.reloads !== start + count) throw new Error(`${full.reloads - start} reloads, not ${count}`);
  return { streams, full };
}
