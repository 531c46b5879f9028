// The reload hold tests' start (reload/old-workers-cap.ts): two inputs that differ by a backend (a
// reload each, never a runtime step), and a master whose old workers each hold a client stream.
import { join } from "node:path";
import type { TestContext } from "node:test";
import { sendMasterCommand } from "@rancher-haproxy/core";
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
  // A stream the worker `pid` serves: one opened as a reload ends may reach the worker being replaced,
  // which accepts until it unbinds; that worker then holds two and the new one none, so it ends with
  // the next reload and one old worker is missing (a CI run of 2026-12-05). Such a stream is closed and
  // another opened until `pid` lists it (`show sess`, by its client port): kept, it made its older worker
  // hold two streams, and a test that closes the oldest stream to end the oldest worker would wait for
  // a reload that never comes. So `streams` holds one stream a worker, oldest first.
  const hold = async (pid: number) => {
    for (let tries = 1; ; tries++) {
      const stream = await openStream({ url: fixture.url, host: "alpha.dev.tld", timeoutMs: 5000 });
      if (await serves(fixture, pid, stream)) {
        streams.push(stream);
        return;
      }
      stream.close();
      if (tries === 5) throw new Error(`no stream reached worker ${pid} in ${tries} tries`);
    }
  };
  const first = await waitFor(
    async () => {
      const read = await reloadCounter(fixture);
      return read.workerPid === null ? null : { ...read, workerPid: read.workerPid };
    },
    { message: "the running worker" },
  );
  const start = first.reloads;
  await hold(first.workerPid);
  for (let n = 1, before = first.workerPid; n <= count; n++) {
    await writeInOnePass(fixture, n % 2 === 1 ? inputs[1] : inputs[0]);
    const now = await waitFor(
      async () => {
        const read = await reloadCounter(fixture);
        return read.reloads >= start + n && read.workerPid !== null && read.workerPid !== before
          ? { ...read, workerPid: read.workerPid }
          : null;
      },
      { message: `reload ${n}` },
    );
    before = now.workerPid;
    await hold(now.workerPid);
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

// Whether worker `pid` serves `stream`: a session to backend alpha from the stream's client port
// (`show sess` through the master CLI).
async function serves(fixture: Fixture, pid: number, stream: OpenStream): Promise<boolean> {
  const text = await sendMasterCommand(join(fixture.stateDir, "master.sock"), `@!${pid} show sess`, 5000);
  const from = ` src=[^ ]*:${stream.localPort} `;
  return text.split("\n").some((line) => new RegExp(from).test(line) && / be=alpha /.test(line));
}
