// The long poll's duration metric (version-wait) in a quiet environment: the server holds the poll past
// the interval, so the generator cuts it itself; that poll is still timed, and never counted as an error.
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

test("a long poll the interval cuts is timed as version-wait, without an error", async () => {
  const seen: { request: MetadataRequestName; seconds: number; errorKind: string | null }[] = [];
  const client = instrumentClient(
    createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19", timeoutMs: 1000 }),
    { observe: (request, seconds, errorKind) => seen.push({ request, seconds, errorKind }) },
  );
  // The real server answers an unchanged version N to N+5 s after a maxWait=N poll, past the interval's
  // N s: the stand-in holds the poll for good, so the generator's own cut always comes first.
  await server.setFault({ kind: "longpoll-hang" });
  const watcher = createVersionWatcher(client, 1000, captureLogger().logger);
  const polls = server.requests.longPolls;
  try {
    assert.equal(await watcher.waitForChange(server.version, new AbortController().signal), "interval");
  } finally {
    await server.setFault(null);
  }
  assert.equal(server.requests.longPolls, polls + 1, "one long poll, cut by the generator");
  // At the deadline /version is asked while the poll still waits (what it could have missed), then the
  // poll is cut.
  assert.deepEqual(
    seen.map(({ request, errorKind }) => ({ request, errorKind })),
    [
      { request: "version", errorKind: null },
      { request: "version-wait", errorKind: null },
    ],
  );
  assert.ok((seen[1]?.seconds ?? 0) >= 0.9, "timed as held up to the interval");
});
