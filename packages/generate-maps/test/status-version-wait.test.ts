// The long poll's duration metric (version-wait): a poll still open at the interval's deadline goes on
// into the next wait, and is timed when it ends; one the generator cuts because /version moved without it
// (it hangs) is timed too, and never counted as an error.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createMetadataClient } from "@rancher-haproxy/core";
import {
  loadRecordedTree,
  remapIps,
  startMetadataServer,
  type MetadataServer,
} from "@rancher-haproxy/test-support";
import { createVersionWatcher, instrumentClient, type MetadataRequestName } from "../src/index.js";
import { captureLogger } from "./helpers.js";

let server: MetadataServer;
before(async () => {
  server = await startMetadataServer({ tree: remapIps(loadRecordedTree()), longPollTickMs: 100 });
});
after(() => server.close());

test("a long poll still open at the deadline is timed when it ends: cut once /version moved without it, as version-wait without an error", async () => {
  const seen: { request: MetadataRequestName; seconds: number; errorKind: string | null }[] = [];
  const client = instrumentClient(
    createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19", timeoutMs: 1000 }),
    { observe: (request, seconds, errorKind) => seen.push({ request, seconds, errorKind }) },
  );
  // The stand-in holds the poll for good (a poll that hangs): it is open at every deadline.
  await server.setFault({ kind: "longpoll-hang" });
  const watcher = createVersionWatcher(client, 1000, captureLogger().logger);
  const polls = server.requests.longPolls;
  const before = server.version;
  try {
    assert.equal(await watcher.waitForChange(before, new AbortController().signal), "interval");
    // At the deadline /version is asked while the poll still waits; it answers the version the poll
    // waits on, so the poll goes on, not timed yet.
    assert.deepEqual(
      seen.map(({ request, errorKind }) => ({ request, errorKind })),
      [{ request: "version", errorKind: null }],
    );
    // The version moves without the poll reporting it: the next deadline's /version shows it, and after
    // the grace for its answer the poll is cut.
    server.reload();
    assert.equal(await watcher.waitForChange(before, new AbortController().signal), "interval");
  } finally {
    await server.setFault(null);
  }
  assert.deepEqual(watcher.cut, { version: server.version });
  assert.equal(server.requests.longPolls, polls + 1, "one long poll over both waits, cut by the generator");
  assert.deepEqual(
    seen.map(({ request, errorKind }) => ({ request, errorKind })),
    [
      { request: "version", errorKind: null },
      { request: "version", errorKind: null },
      { request: "version-wait", errorKind: null },
    ],
  );
  assert.ok((seen[2]?.seconds ?? 0) >= 1.9, "timed as held over both waits");
});
