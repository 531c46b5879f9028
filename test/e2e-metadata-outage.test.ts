// End to end, the metadata service going away: while it refuses connections (and then answers 500s)
// routing stays exactly as it was and every request asked meanwhile succeeds; the files are not
// touched and HAProxy is not reloaded. When it comes back, the changes made meanwhile are applied.
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { test } from "node:test";
import { waitForAnswer, worldTree, type World } from "@rancher-haproxy/test-support";
import { Convergence } from "./helpers/convergence.ts";
import {
  assertCleanStop,
  host,
  serversOf,
  startBackends,
  startWorldPair,
  tally,
  watchHosts,
  type WatchResult,
} from "./helpers/e2e.ts";

test("metadata down for a while: routing unchanged and answering; back: the changes are applied", async (t) => {
  const backends = await startBackends(t, [
    { name: "shop-web-1", host: "127.0.0.61" },
    { name: "shop-web-2", host: "127.0.0.62" },
    { name: "blog-web-1", host: "127.0.0.63" },
    { name: "wiki-web-1", host: "127.0.0.64" },
  ]);
  const before: World = {
    stacks: {
      shop: [{ backend: backends["shop-web-1"]! }, { backend: backends["shop-web-2"]! }],
      blog: [{ backend: backends["blog-web-1"]! }],
    },
    aliases: { blog: ["www"] },
  };
  const after: World = {
    stacks: { ...before.stacks, wiki: [{ backend: backends["wiki-web-1"]! }] },
    aliases: { blog: ["www"], wiki: ["docs"] },
  };
  // HAProxy's request log to a loopback UDP port nobody reads, rather than through the reloader's log.
  const pair = await startWorldPair(t, before, { reloaderEnv: { SYSLOG_HOST: "127.0.0.1:9" } });
  const applied = await pair.waitForApplied();
  const mtimes = async () => [
    (await stat(pair.paths.backends)).mtimeMs,
    (await stat(pair.paths.domainMap)).mtimeMs,
  ];
  const filesBefore = await mtimes();
  const reloadsBefore = pair.reloader.count("reload.applied");
  const failuresBefore = pair.generateMaps.count("metadata-unavailable");

  let watched: WatchResult = { sent: 0, failures: [] };
  // Every 100 ms each host once, through the whole outage: each answer must be the usual one.
  const watch = watchHosts(pair, [
    { host: host("shop"), expect: (answer) => answer.status === 200 && /^shop-web-[12]$/.test(answer.body) },
    { host: host("blog"), expect: (answer) => answer.status === 200 && answer.body === "blog-web-1" },
    { host: host("www"), expect: (answer) => answer.status === 200 && answer.body === "blog-web-1" },
  ]);
  try {
    // Down: connections refused, long enough for several retries (0.5 s, 1 s, 2 s …).
    await pair.metadata.setFault({ kind: "refuse" });
    await pair.generateMaps.waitForEvent("metadata-unavailable", {
      timeoutMs: 10_000,
      match: (line) => line["kind"] === "network",
    });
    pair.metadata.setTree(worldTree(after)); // a deploy while generate-maps cannot see it
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Then up but broken: every answer a 500.
    await pair.metadata.setFault({ kind: "status-500" });
    await pair.generateMaps.waitForEvent("metadata-unavailable", {
      timeoutMs: 15_000,
      match: (line) => line["kind"] === "http-status" && String(line["error"]).includes("HTTP 500"),
      from: pair.generateMaps.logs.length,
    });

    // Nothing moved: same files (same mtimes), no reload, old hosts answer, the new one does not exist.
    assert.deepEqual(await mtimes(), filesBefore, "the files were not touched");
    assert.equal(pair.reloader.count("reload.applied"), reloadsBefore, "HAProxy was not reloaded");
    const shop = await tally(pair, host("shop"), 10);
    assert.deepEqual(Object.keys(shop).sort(), ["shop-web-1", "shop-web-2"], JSON.stringify(shop));
    assert.deepEqual(await tally(pair, host("wiki"), 1), { "status 503": 1 });

    // Back: applied at generate-maps' next retry (backoff 0.5 s, 1 s, 2 s … capped at 10 s).
    const since = performance.now();
    await pair.metadata.setFault(null);
    const wiki = await waitForAnswer({ url: pair.url, host: host("wiki"), since, timeoutMs: 20_000 });
    const convergence = new Convergence("after the metadata outage");
    convergence.add("wiki (next retry)", wiki.elapsedMs);
    convergence.print();
    assert.equal(wiki.response.body, "wiki-web-1");
  } finally {
    watched = await watch.stop();
  }
  console.log(`requests during the outage: ${watched.sent}, ${watched.failures.length} failed`);
  assert.ok(watched.sent >= 100, `enough requests during the outage (${watched.sent})`);
  assert.deepEqual(watched.failures, []);

  const now = await pair.waitForApplied((files) => files.map.includes(host("docs")));
  assert.equal(serversOf(now.backends, "wiki").length, 1);
  assert.deepEqual(await tally(pair, host("docs"), 2), { "wiki-web-1": 2 });
  assert.deepEqual(serversOf(now.backends, "shop"), serversOf(applied.backends, "shop"));
  assert.ok(pair.generateMaps.count("metadata-unavailable") > failuresBefore);
  // The recovering cycle logs it once its files are written: waited for, not read as HAProxy serves them.
  await pair.generateMaps.waitForEvent("recovered", { timeoutMs: 10_000 });
  assert.equal(pair.generateMaps.count("recovered"), 1, "one recovered line");
  await assertCleanStop(pair);
});
