// A long poll that hangs (the server accepts it and never answers) against the stand-in: at an interval
// longer than the long poll's maxWait it must be seen failing well before the interval's cut, and a later
// poll held until the cut (it hangs too) must not end the failure episode; at a shorter one (the default
// 10 s, or 1 s) the poll outlives the cuts and fails at its timeout all the same. A working server timed
// like rancher-metadata (its answer at maxWait plus up to a 5 s tick) is no failure at 1 s.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMetadataClient, type MetadataClient } from "@rancher-haproxy/core";
import { loadRecordedTree, remapIps, startMetadataServer } from "@rancher-haproxy/test-support";
import {
  createVersionWatcher,
  instrumentClient,
  type VersionWatcher,
  type WakeReason,
} from "../src/index.js";
import { captureLogger, longpollEvents, waitFor } from "./helpers.js";

// Waits one wait after another (as the loop does between cycles, the version unchanged) until `stop`.
async function keepWaiting(
  watcher: VersionWatcher,
  version: string,
  stop: AbortSignal,
): Promise<WakeReason[]> {
  const reasons: WakeReason[] = [];
  while (!stop.aborted) reasons.push(await watcher.waitForChange(version, stop));
  return reasons;
}

// A watcher at `intervalMs` over `client`, with what it logs, tells /healthz (onReach) and times as the
// version-wait metric (request and error kind of each long poll).
function watched(client: MetadataClient, intervalMs: number) {
  const { logger, lines } = captureLogger();
  const reached: (string | null)[] = [];
  const metric: (string | null)[] = [];
  const timed = instrumentClient(client, {
    observe: (request, _seconds, errorKind) => {
      if (request === "version-wait") metric.push(errorKind);
    },
  });
  const watcher = createVersionWatcher(timed, intervalMs, logger, undefined, (error) => reached.push(error));
  return { watcher, lines, reached, metric };
}

// The three mostly wait (20 s, 20 s and 15 s): side by side, each with its own stand-in.
describe("a long poll that hangs, and one held to its maxWait", { concurrency: true }, () => {
  test("a long poll that hangs is reported failed within its capped timeout, before a 25 s interval's cut, and logged once", async (t) => {
    const server = await startMetadataServer({ tree: remapIps(loadRecordedTree()), longPollTickMs: 100 });
    t.after(() => server.close());
    const client = createMetadataClient({
      apiHost: server.hostPort,
      apiVersion: "2015-12-19",
      timeoutMs: 1000,
    });
    const { logger, lines } = captureLogger();
    const reached: (string | null)[] = [];
    const watcher = createVersionWatcher(client, 25_000, logger, undefined, (error) => reached.push(error));
    t.after(() => watcher.close());
    await server.setFault({ kind: "longpoll-hang" });
    t.after(() => server.setFault(null));
    const stop = new AbortController();
    t.after(() => stop.abort());
    let ended: WakeReason | undefined;
    void watcher.waitForChange(server.version, stop.signal).then((reason) => (ended = reason));
    // Before, the poll asked maxWait=25 and timed out only after 35 s: the 25 s cut came first, the wait
    // ended without a failure told to /healthz (with POLL_INTERVAL=3600 a hang was silent for 130 s).
    await waitFor("the wait to end", 40_000, () => ended);
    assert.equal(ended, "interval");
    assert.match(String(reached[0]), /no complete answer/, "the hung poll's timeout is told to /healthz");
    assert.ok(reached.includes(null), "the plain /version read before the retry answered");
    // The poll after the retry hung until the cut as well: no longpoll-restored for it.
    assert.deepEqual(
      lines()
        .map((line) => line["event"])
        .filter((event) => String(event).startsWith("longpoll")),
      ["longpoll-failed"],
    );
  });

  test("a long poll that hangs is reported failed at its timeout at the default 10 s interval and at 1 s, not cut as a held one at every interval", async (t) => {
    const server = await startMetadataServer({ tree: remapIps(loadRecordedTree()), longPollTickMs: 100 });
    t.after(() => server.close());
    const client = createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19" });
    await server.setFault({ kind: "longpoll-hang" });
    t.after(() => server.setFault(null));
    const stop = new AbortController();
    t.after(() => stop.abort());
    const runs = [10_000, 1000].map((intervalMs) => {
      const run = watched(client, intervalMs);
      t.after(() => run.watcher.close());
      return { intervalMs, ...run, waits: keepWaiting(run.watcher, server.version, stop.signal) };
    });
    // Before, each wait cut its poll at the deadline, before the poll's timeout (maxWait + 10 s): a poll that
    // hangs counted as held, nothing was logged or told to /healthz, at every interval of 20 s or less.
    // Now it goes on over the cuts and fails at its timeout, 20 s after it was sent.
    await waitFor("both hanging polls to be reported failed", 30_000, () =>
      runs.every((run) => run.reached.some((error) => error !== null)) ? true : undefined,
    );
    stop.abort();
    for (const run of runs) {
      const waits = await run.waits;
      const at = `at a ${run.intervalMs / 1000} s interval`;
      assert.ok(
        waits.filter((reason) => reason === "interval").length >= 2,
        `${at}: the poll outlived a cut`,
      );
      assert.match(String(run.reached.find((error) => error !== null)), /no complete answer/, at);
      assert.ok(run.metric.includes("timeout"), `${at}: counted as a version-wait timeout`);
      assert.deepEqual(longpollEvents(run.lines()), ["longpoll-failed"], at);
    }
  });

  test("a working server that holds each poll to its maxWait and answers on a 5 s tick, like rancher-metadata, is no failure at a 1 s interval: one poll per 10 to 15 s", async (t) => {
    const server = await startMetadataServer({ tree: remapIps(loadRecordedTree()), longPollTickMs: 5000 });
    t.after(() => server.close());
    const client = createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19" });
    const { watcher, lines, reached, metric } = watched(client, 1000);
    t.after(() => watcher.close());
    const stop = new AbortController();
    t.after(() => stop.abort());
    const polls = server.requests.longPolls;
    const waits = keepWaiting(watcher, server.version, stop.signal);
    // The first poll's answer comes 10 to 15 s after it was sent, inside its 20 s timeout.
    await waitFor("the first poll to be answered", 25_000, () => (reached.length > 0 ? true : undefined));
    stop.abort();
    const reasons = await waits;
    assert.deepEqual(reached, [null], "answered unchanged: the poll works");
    assert.ok(
      metric.length >= 1 && metric.every((kind) => kind === null),
      `timed, no error: ${String(metric)}`,
    );
    assert.deepEqual(longpollEvents(lines()), []);
    assert.ok(reasons.filter((reason) => reason === "interval").length >= 9, String(reasons));
    // Before, one poll per 1 s wait, each cut at the deadline unanswered.
    assert.ok(server.requests.longPolls - polls <= 2, `long polls: ${server.requests.longPolls - polls}`);
  });
});
