// End to end, the containers generate-maps must leave out: unhealthy and stopped containers get no more
// requests and come back when healthy/running again; a container with a bad label is skipped (and
// logged) while every other container and stack stays routed, and no label text reaches HAProxy.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { worldTree, type LogLine, type World, type WorldContainer } from "@rancher-haproxy/test-support";
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

test("an unhealthy or stopped container receives no more requests; healthy and running again, it is back", async (t) => {
  const backends = await startBackends(t, [
    { name: "shop-web-1", host: "127.0.0.31" },
    { name: "shop-web-2", host: "127.0.0.32" },
    { name: "shop-web-3", host: "127.0.0.33" },
    { name: "blog-web-1", host: "127.0.0.34" },
    { name: "blog-web-2", host: "127.0.0.35" },
  ]);
  const container = (name: string, overrides: Partial<WorldContainer> = {}): WorldContainer => ({
    backend: backends[name]!,
    health: "healthy",
    ...overrides,
  });
  const world = (shop2: Partial<WorldContainer>, shop3: Partial<WorldContainer>): World => ({
    stacks: {
      shop: [container("shop-web-1"), container("shop-web-2", shop2), container("shop-web-3", shop3)],
      blog: [container("blog-web-1"), container("blog-web-2")],
    },
  });
  const pair = await startWorldPair(t, world({}, {}));
  const all = await tally(pair, host("shop"), 30);
  assert.deepEqual(Object.keys(all).sort(), ["shop-web-1", "shop-web-2", "shop-web-3"]);

  // shop-web-2 fails its health check, shop-web-3 is stopped.
  pair.metadata.setTree(worldTree(world({ health: "unhealthy" }, { state: "stopped" })));
  await pair.waitForApplied((files) => serversOf(files.backends, "shop").length === 1);
  const counted = requestCounts(backends);
  assert.deepEqual(await tally(pair, host("shop"), 30), { "shop-web-1": 30 });
  assert.equal(backends["shop-web-2"]!.requests, counted["shop-web-2"], "the unhealthy one got nothing");
  assert.equal(backends["shop-web-3"]!.requests, counted["shop-web-3"], "the stopped one got nothing");
  const blog = await tally(pair, host("blog"), 10);
  assert.deepEqual(Object.keys(blog).sort(), ["blog-web-1", "blog-web-2"], "the other stack is untouched");
  const skip = (name: string, code: string) => (line: LogLine) =>
    line["container"] === name && line["code"] === code;
  const skipped = (name: string, code: string) =>
    pair.generateMaps.count("container-skipped", skip(name, code));
  // The skip lines come after the files are written (run-cycle.ts): waited for, not read as HAProxy
  // applies the files (a generator a moment late had logged neither yet).
  for (const [name, code] of [
    ["shop-web-2", "unhealthy"],
    ["shop-web-3", "not-running"],
  ] as const)
    await pair.generateMaps.waitForEvent("container-skipped", { match: skip(name, code), timeoutMs: 10_000 });
  assert.equal(skipped("shop-web-2", "unhealthy"), 1);
  assert.equal(skipped("shop-web-3", "not-running"), 1);

  // Both recover (a restarted container is `initializing` first: still left out).
  pair.metadata.setTree(worldTree(world({ health: "initializing" }, { health: "initializing" })));
  await pair.waitForApplied((files) => serversOf(files.backends, "shop").length === 1);
  pair.metadata.setTree(worldTree(world({}, {})));
  await pair.waitForApplied((files) => serversOf(files.backends, "shop").length === 3);
  const back = await tally(pair, host("shop"), 30);
  assert.deepEqual(
    Object.keys(back).sort(),
    ["shop-web-1", "shop-web-2", "shop-web-3"],
    "all three are back",
  );

  assert.equal(pair.reloader.count("reload.failed") + pair.reloader.count("check.failed"), 0);
  await assertCleanStop(pair);
});

test("a container with a bad label is skipped and logged; every other stack is still routed", async (t) => {
  const backends = await startBackends(t, [
    { name: "shop-web-1", host: "127.0.0.41" },
    { name: "shop-web-2", host: "127.0.0.42" },
    { name: "blog-web-1", host: "127.0.0.43" },
    { name: "wiki-web-1", host: "127.0.0.44" },
    { name: "news-web-1", host: "127.0.0.45" },
  ]);
  const ok = (name: string): WorldContainer => ({ backend: backends[name]! });
  const good: World["stacks"] = {
    shop: [ok("shop-web-1")],
    blog: [ok("blog-web-1")],
    news: [ok("news-web-1")],
  };
  // What an attacker or a typo could put in the labels: none of it may reach haproxy-backends.cfg.
  const world: World = {
    stacks: {
      ...good,
      shop: [ok("shop-web-1"), { ...ok("shop-web-2"), port: "80\n    server evil 127.0.0.9:1" }],
      wiki: [{ ...ok("wiki-web-1"), port: "http" }],
      news: [{ ...ok("news-web-1"), labels: { "send-proxy": "v3 evil" } }],
      Bad_Stack: [{ backend: { name: "bad-stack-1", host: "127.0.0.46", port: 80 } }],
    },
  };
  const pair = await startWorldPair(t, world);

  const shop = await tally(pair, host("shop"), 10);
  assert.deepEqual(shop, { "shop-web-1": 10 }, "the bad container is skipped, its stack still answers");
  assert.equal(backends["shop-web-2"]!.requests, 0);
  assert.deepEqual(await tally(pair, host("blog"), 5), { "blog-web-1": 5 });
  for (const stack of ["wiki", "news", "bad_stack", "bad-stack"]) {
    const answer = await get(pair, host(stack));
    assert.equal(answer.status, 503, `${stack} has no routed container`);
  }
  const codes = Object.fromEntries(
    pair.generateMaps.logs
      .filter((line) => line.event === "container-skipped")
      .map((line) => [String(line["container"]), String(line["code"])]),
  );
  assert.deepEqual(codes, {
    "shop-web-2": "port-invalid",
    "wiki-web-1": "port-invalid",
    "news-web-1": "proxy-invalid",
    "bad-stack-1": "stack-invalid",
  });
  const running = await readFile(join(pair.paths.stateDir, "current", "backends.cfg"), "utf8");
  assert.doesNotMatch(running, /evil|v3|Bad_Stack/i, "no label text in what HAProxy runs");
  // the shared file as applied (what HAProxy loads has server slots, free ones disabled)
  const applied = await readFile(
    join(pair.paths.stateDir, "current", "inputs", "haproxy-backends.cfg"),
    "utf8",
  );
  assert.deepEqual(
    ["shop", "blog", "wiki", "news"].map((stack) => serversOf(applied, stack).length),
    [1, 1, 0, 0],
  );

  // A fixed label brings its container in; a label turning bad on a running container takes it out.
  pair.metadata.setTree(worldTree({ stacks: good }));
  await pair.waitForApplied((files) => serversOf(files.backends, "news").length === 1);
  assert.deepEqual(await tally(pair, host("news"), 5), { "news-web-1": 5 });
  pair.metadata.setTree(worldTree({ stacks: { ...good, blog: [{ ...ok("blog-web-1"), port: "80 80" }] } }));
  await pair.waitForApplied((files) => serversOf(files.backends, "blog").length === 0);
  assert.equal((await get(pair, host("blog"))).status, 503);
  assert.deepEqual(await tally(pair, host("shop"), 5), { "shop-web-1": 5 }, "the other stacks still answer");
  assert.deepEqual(await tally(pair, host("news"), 5), { "news-web-1": 5 });
  pair.metadata.setTree(worldTree({ stacks: good }));
  await pair.waitForApplied((files) => serversOf(files.backends, "blog").length === 1);
  assert.deepEqual(await tally(pair, host("blog"), 5), { "blog-web-1": 5 });

  assert.equal(pair.reloader.count("reload.failed") + pair.reloader.count("check.failed"), 0);
  await assertCleanStop(pair);
});
