// End to end, a labelled sidekick that shares its primary's network (`net: container:<primary>`): Rancher
// 1.2+ metadata gives it no primary_ip, only its primary's uuid in network_from_container_uuid. It is
// reached at the primary's address on its own port; before, it was skipped as `no-ip`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { worldTree, type World } from "@rancher-haproxy/test-support";
import { assertCleanStop, host, serversOf, startBackends, startWorldPair, tally } from "./helpers/e2e.ts";

test("a labelled sidekick on its primary's network is routed at the primary's address; stopped, it is not", async (t) => {
  // Both listen on the primary's address, each on its own port: the primary's app and the sidekick.
  const backends = await startBackends(t, [
    { name: "shop-web-1", host: "127.0.0.157" },
    { name: "shop-web-proxy-1", host: "127.0.0.157" },
    { name: "blog-web-1", host: "127.0.0.158" },
  ]);
  const world = (sidekickState: string): World => ({
    stacks: {
      // The primary has no label: only its sidekick is published.
      shop: [
        { backend: backends["shop-web-1"]!, port: null },
        {
          backend: backends["shop-web-proxy-1"]!,
          service: "proxy",
          networkFrom: "shop-web-1",
          state: sidekickState,
        },
      ],
      blog: [{ backend: backends["blog-web-1"]! }],
    },
  });
  const pair = await startWorldPair(t, world("running"));
  const proxy = backends["shop-web-proxy-1"]!;
  const applied = await pair.waitForApplied((files) => serversOf(files.backends, "shop").length === 1);
  assert.deepEqual(serversOf(applied.backends, "shop"), [`127.0.0.157:${proxy.port}`]);
  assert.deepEqual(await tally(pair, host("shop"), 10), { "shop-web-proxy-1": 10 });
  assert.equal(
    pair.generateMaps.count("container-skipped", (l) => l["code"] === "no-ip"),
    0,
  );

  pair.metadata.setTree(worldTree(world("stopped")));
  await pair.waitForApplied((files) => serversOf(files.backends, "shop").length === 0);
  assert.deepEqual(Object.keys(await tally(pair, host("blog"), 5)), ["blog-web-1"]);
  await assertCleanStop(pair);
});
