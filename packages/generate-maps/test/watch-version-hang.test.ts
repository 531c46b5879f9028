// A long poll that hangs (the server accepts it and never answers) against the stand-in, at an interval
// longer than the long poll's maxWait: it must be seen failing well before the interval's cut, and a
// later poll held until the cut (it hangs too) must not end the failure episode.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createMetadataClient } from "@rancher-haproxy/core";
import { loadRecordedTree, remapIps, startMetadataServer } from "@rancher-haproxy/test-support";
import { createVersionWatcher, type WakeReason } from "../src/index.js";
import { captureLogger, waitFor } from "./helpers.js";

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
