// End to end, the proxy service's aliases and PROXY protocol: an alias added in the proxy's metadata
// makes `<alias>.<domain>` answer from its stack (and removing it takes it away); a container labelled
// `send-proxy=send-proxy-v2` gets a PROXY v2 header that a real parsing backend reads.
// The two share one pair (started before them with all four stacks): the first changes only the aliases
// (every tree it sets keeps the second's stacks), and each asks only its own stacks' hosts and backends.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  startPair,
  waitForAnswer,
  worldTree,
  type Backend,
  type Pair,
  type World,
} from "@rancher-haproxy/test-support";
import { Convergence } from "./helpers/convergence.ts";
import {
  assertCleanStop,
  Cleanup,
  DOMAIN,
  get,
  host,
  serversOf,
  startBackends,
  tally,
} from "./helpers/e2e.ts";

// Both tests' backends and stacks, on one pair.
const cleanup = new Cleanup();
let pair: Pair;
let backends: Record<string, Backend>;
let stacks: World["stacks"];
before(async () => {
  backends = await startBackends(cleanup, [
    { name: "shop-web-1", host: "127.0.0.51" },
    { name: "blog-web-1", host: "127.0.0.52" },
    { name: "secure-web-1", host: "127.0.0.53", proxyProtocol: true },
    { name: "plain-web-1", host: "127.0.0.54" },
  ]);
  stacks = {
    shop: [{ backend: backends["shop-web-1"]! }],
    blog: [{ backend: backends["blog-web-1"]! }],
    secure: [{ backend: backends["secure-web-1"]!, labels: { "send-proxy": "send-proxy-v2" } }],
    plain: [{ backend: backends["plain-web-1"]! }],
  };
  pair = await startPair({ domain: DOMAIN, tree: worldTree({ stacks, aliases: { blog: ["www"] } }) });
  cleanup.after(() => pair.stop());
});
after(() => cleanup.close());

test("an alias added in the proxy service's metadata answers; removed, it is gone", async () => {
  const convergence = new Convergence("new alias");
  assert.deepEqual(await tally(pair, host("www"), 3), { "blog-web-1": 3 }, "the initial alias answers");
  assert.equal((await get(pair, host("store"))).status, 503);

  // rancher-compose.yml's `metadata: aliases: shop: [store, shop.example]` on the proxy service.
  const since = performance.now();
  pair.metadata.setTree(worldTree({ stacks, aliases: { blog: ["www"], shop: ["store", "shop.example"] } }));
  const store = await waitForAnswer({ url: pair.url, host: host("store"), since });
  convergence.add("store", store.elapsedMs);
  assert.equal(store.response.body, "shop-web-1");
  assert.deepEqual(await tally(pair, host("shop.example"), 3), { "shop-web-1": 3 }, "a dotted alias");
  assert.deepEqual(await tally(pair, `x.${host("store")}`, 3), { "shop-web-1": 3 }, "a sub-domain of it");
  assert.deepEqual(await tally(pair, host("www"), 3), { "blog-web-1": 3 }, "the other alias is kept");

  // The alias moves to the other stack, then is removed.
  const moved = performance.now();
  pair.metadata.setTree(worldTree({ stacks, aliases: { blog: ["www", "store"] } }));
  const repointed = await waitForAnswer({
    url: pair.url,
    host: host("store"),
    since: moved,
    expect: (answer) => answer.body === "blog-web-1",
  });
  convergence.add("store moved", repointed.elapsedMs);
  pair.metadata.setTree(worldTree({ stacks, aliases: { blog: ["www"] } }));
  await pair.waitForApplied((files) => !files.map.includes(host("store")));
  assert.equal((await get(pair, host("store"))).status, 503);
  assert.equal((await get(pair, host("shop.example"))).status, 503);
  assert.deepEqual(await tally(pair, host("shop"), 3), { "shop-web-1": 3 }, "the stack keeps its own host");

  convergence.print();
});

test("a container labelled send-proxy-v2 gets a PROXY v2 header; its neighbour without the label does not", async () => {
  const files = await pair.waitForApplied();
  assert.match(files.backends, /server web-\S+ 127\.0\.0\.53:\d+ send-proxy-v2\n/);
  assert.equal(serversOf(files.backends, "plain").length, 1);

  const answer = await get(pair, host("secure"));
  assert.equal(answer.status, 200);
  assert.equal(answer.body, "secure-web-1");
  const seen = backends["secure-web-1"]!.seen.at(-1);
  assert.ok(seen?.proxy, "the backend parsed a PROXY header");
  assert.equal(seen.proxy.version, 2);
  assert.equal(seen.proxy.command, "PROXY");
  assert.equal(seen.proxy.family, "TCP4");
  assert.equal(seen.proxy.sourceAddress, "127.0.0.1", "the client's address, as HAProxy saw it");
  assert.equal(seen.proxy.destinationPort, pair.httpPort, "HAProxy's frontend port");
  assert.equal(backends["secure-web-1"]!.rejectedConnections, 0);
  assert.match(String(answer.headers["x-proxy-protocol"]), /^v2 127\.0\.0\.1:\d+$/);

  assert.deepEqual(await tally(pair, host("plain"), 3), { "plain-web-1": 3 });
  assert.equal(backends["plain-web-1"]!.seen.at(-1)?.proxy, null, "no header without the label");
});

test("the pair the two tests shared stops cleanly", async () => {
  await assertCleanStop(pair);
});
