// End to end, a stack's life through the real pair: stand-in → generate-maps → files → reloader → HAProxy
// → backends on 127.0.0.x. It appears (200 from its container), scales 1 → 3 (answers spread over all
// three), scales down (the removed ones get nothing), disappears (503) and comes back. A second stack
// stays routed throughout.
import assert from "node:assert/strict";
import { test } from "node:test";
import { waitForAnswer, worldTree, type World } from "@rancher-haproxy/test-support";
import { Convergence } from "./helpers/convergence.ts";
import {
  assertCleanStop,
  get,
  host,
  requestCounts,
  serversOf,
  startBackends,
  startWorldPair,
  tally,
} from "./helpers/e2e.ts";

test("a stack appears, scales 1 → 3 → 1, disappears and comes back, through HAProxy", async (t) => {
  const backends = await startBackends(t, [
    { name: "shop-web-1", host: "127.0.0.11" },
    { name: "shop-web-2", host: "127.0.0.12" },
    { name: "shop-web-3", host: "127.0.0.13" },
    { name: "blog-web-1", host: "127.0.0.21" },
    { name: "blog-web-2", host: "127.0.0.22" },
  ]);
  const shop = ["shop-web-1", "shop-web-2", "shop-web-3"].map((name) => ({ backend: backends[name]! }));
  const blog = ["blog-web-1", "blog-web-2"].map((name) => ({ backend: backends[name]! }));
  const world = (scale: number): World => ({
    stacks: { blog, ...(scale > 0 ? { shop: shop.slice(0, scale) } : {}) },
  });
  const convergence = new Convergence("new host (lifecycle)");
  const pair = await startWorldPair(t, world(0));
  const change = (scale: number) => {
    const since = performance.now();
    pair.metadata.setTree(worldTree(world(scale)));
    return since;
  };

  const before = await get(pair, host("shop"));
  assert.equal(before.status, 503, "no route before the stack exists");
  assert.match(before.body, /no route for this host/);
  assert.equal((await get(pair, host("blog"))).status, 200);

  // Appears with one container.
  const appeared = await waitForAnswer({
    url: pair.url,
    host: host("shop"),
    since: change(1),
    expect: (answer) => answer.status === 200 && answer.body === "shop-web-1",
  });
  convergence.add("appear", appeared.elapsedMs);

  // Scales to three: every container gets a share of the requests, nothing else answers.
  let since = change(3);
  await pair.waitForApplied((files) => serversOf(files.backends, "shop").length === 3);
  const spread = await waitForAnswer({
    url: pair.url,
    host: host("shop"),
    since,
    expect: (answer) => answer.body === "shop-web-3",
  });
  convergence.add("scale-up (3rd container answers)", spread.elapsedMs);
  const shares = await tally(pair, host("shop"), 30);
  assert.deepEqual(
    Object.keys(shares).sort(),
    ["shop-web-1", "shop-web-2", "shop-web-3"],
    "all three answer",
  );
  for (const [name, count] of Object.entries(shares)) assert.ok(count >= 5, `${name} got ${count} of 30`);

  // Scales back to one: the two removed containers receive nothing more.
  change(1);
  await pair.waitForApplied((files) => serversOf(files.backends, "shop").length === 1);
  const counted = requestCounts(backends);
  assert.deepEqual(await tally(pair, host("shop"), 20), { "shop-web-1": 20 });
  assert.equal(backends["shop-web-2"]!.requests, counted["shop-web-2"], "shop-web-2 removed");
  assert.equal(backends["shop-web-3"]!.requests, counted["shop-web-3"], "shop-web-3 removed");

  // Disappears: a clean 503 for its host, the other stack still answers.
  change(0);
  await pair.waitForApplied((files) => !files.map.includes(host("shop")));
  const gone = await get(pair, host("shop"));
  assert.equal(gone.status, 503);
  assert.match(gone.body, /no route for this host/);
  assert.equal(serversOf((await pair.waitForApplied()).backends, "shop").length, 0, "no backend block");
  const blogShares = await tally(pair, host("blog"), 10);
  assert.deepEqual(Object.keys(blogShares).sort(), ["blog-web-1", "blog-web-2"]);

  // Comes back with two containers.
  since = change(2);
  const back = await waitForAnswer({ url: pair.url, host: host("shop"), since });
  convergence.add("re-appear", back.elapsedMs);
  assert.match(back.response.body, /^shop-web-[12]$/);

  convergence.print();
  assert.equal(pair.generateMaps.count("metadata-unavailable"), 0);
  assert.equal(pair.reloader.count("reload.failed"), 0);
  assert.equal(pair.reloader.count("check.failed"), 0);
  await assertCleanStop(pair);
});
