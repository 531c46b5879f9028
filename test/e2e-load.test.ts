// End to end under load: 16 keep-alive clients run through HAProxy while the stand-in scales stacks up
// and down again and again (each change a new routing table, new files, and a seamless reload or
// runtime-API steps when only containers of existing backends change), and not one request may fail: every answer must be a 200 from one of the host's own containers.
//
// By design the only failure that would be acceptable — a request to a container that was really
// removed — cannot happen here: containers leave the routing table, but their backends keep running
// (like a container Rancher drains before stopping it), so what is measured is the proxy alone.
//   - shop (targeted) scales between 2 and 4: shop-web-1 and -2 always stay, -3 and -4 come and go,
//     so the load also exercises servers being added to and removed from a live backend;
//   - blog (targeted) never changes, with 3 containers;
//   - pulse (not targeted) appears with 1-3 containers and disappears: backends added and removed.
// No step removes more than half of the routed containers (at most 3 of 8), nor do the steps after any
// state add up past half of it (with blog at 2, [4, 3] then [4, 0], [2, 0] was 5 of 9: held whenever a
// confirmation window began at [4, 3]), so generate-maps' mass-removal guard (default: more than half
// within its 30 s windows waits 30 s for confirmation) applies every step at once, however long it runs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runLoad, waitForAnswer, waitFor, worldTree, type World } from "@rancher-haproxy/test-support";
import { Convergence } from "./helpers/convergence.ts";
import { assertCleanStop, host, serversOf, startBackends, startWorldPair } from "./helpers/e2e.ts";

// [shop containers, pulse containers] after each step.
const STEPS: readonly (readonly [number, number])[] = [
  [4, 0],
  [4, 1],
  [2, 1],
  [2, 3],
  [4, 3],
  [4, 0],
  [2, 0],
  [2, 2],
  [4, 2],
  [4, 0],
  [2, 0],
  [2, 1],
  [4, 1],
  [2, 0],
];

test("no request fails while stacks scale up and down under concurrent keep-alive load", async (t) => {
  const names = [
    ...[1, 2, 3, 4].map((n) => `shop-web-${n}`),
    ...[1, 2, 3].map((n) => `blog-web-${n}`),
    ...[1, 2, 3].map((n) => `pulse-web-${n}`),
  ];
  const backends = await startBackends(
    t,
    names.map((name, index) => ({ name, host: `127.0.0.${71 + index}` })),
  );
  const containers = (stack: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({ backend: backends[`${stack}-web-${i + 1}`]! }));
  const world = ([shop, pulse]: readonly [number, number]): World => ({
    stacks: {
      shop: containers("shop", shop),
      blog: containers("blog", 3),
      ...(pulse > 0 ? { pulse: containers("pulse", pulse) } : {}),
    },
  });
  const pair = await startWorldPair(t, world([2, 0]), {
    // HAProxy's request log to a loopback UDP port nobody reads, rather than through the reloader's log.
    reloaderEnv: { SYSLOG_HOST: "127.0.0.1:9" },
  });
  const convergence = new Convergence("new host under load");
  const body = (prefix: string, count: number) => {
    const allowed = new Set(Array.from({ length: count }, (_, i) => `${prefix}-web-${i + 1}`));
    return (answer: { status: number; body: string }) => answer.status === 200 && allowed.has(answer.body);
  };

  const controller = new AbortController();
  const load = runLoad({
    url: pair.url,
    targets: [
      { host: host("shop"), expect: body("shop", 4) },
      { host: host("blog"), expect: body("blog", 3) },
    ],
    concurrency: 16,
    keepAlive: true,
    signal: controller.signal,
    maxDurationMs: 75_000,
  });
  try {
    await waitFor(() => backends["blog-web-2"]!.requests > 50, { timeoutMs: 10_000, message: "the load" });
    let previous = 0;
    for (const step of STEPS) {
      const since = performance.now();
      pair.metadata.setTree(worldTree(world(step)));
      const [shop, pulse] = step;
      if (previous === 0 && pulse > 0) {
        const answered = await waitForAnswer({ url: pair.url, host: host("pulse"), since });
        convergence.add(`pulse x${pulse}`, answered.elapsedMs);
      }
      await pair.waitForApplied(
        (files) =>
          serversOf(files.backends, "shop").length === shop &&
          serversOf(files.backends, "pulse").length === pulse,
        { timeoutMs: 20_000 },
      );
      previous = pulse;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    controller.abort();
  }
  const result = await load;
  const reloads = pair.reloader.count("reload.applied");
  const applies = reloads + pair.reloader.count("runtime.applied");
  // pulse appearing or disappearing adds or removes a backend: a reload (the rest may be runtime steps)
  const backendSetChanges = STEPS.slice(1).filter(
    ([, pulse], index) => (pulse === 0) !== ((STEPS[index]?.[1] ?? 0) === 0),
  ).length;
  console.log(
    `load: ${result.sent} requests (${result.requestsPerSecond}/s, 16 keep-alive clients), ` +
      `${result.failed} failed, ${reloads} reloads over ${STEPS.length} steps`,
  );
  convergence.print();

  assert.ok(result.sent >= 2000, `enough load (${result.sent} requests)`);
  assert.deepEqual(result.failureKinds, {}, JSON.stringify(result.failures.slice(0, 5)));
  assert.equal(result.failed, 0);
  assert.equal(result.ok, result.sent);
  assert.ok(applies >= STEPS.length, `every step was applied (${reloads} reloads, ${applies} applies)`);
  assert.ok(reloads >= backendSetChanges, `every backend added or removed reloaded (${reloads})`);
  assert.ok(backends["shop-web-4"]!.requests > 0, "the load reached the scaled-up containers");
  assert.equal(pair.reloader.count("reload.failed") + pair.reloader.count("check.failed"), 0);
  await assertCleanStop(pair);
});
