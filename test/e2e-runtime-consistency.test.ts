// Issue 12, consistency: the worker's runtime state (`show servers state`, `show map` through the master
// CLI) equals the shared files and the reloader's `current` snapshot after a run of runtime-only
// changes, after a forced reload (a new stack) and after a reloader restart (SIGKILL, a new reloader
// adopts HAProxy). Faults: a reload racing scale events ends consistent; more containers than
// SERVER_SLOTS cause exactly one reload, then none again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readReloadCounter, readStatusJson, waitFor, worldTree } from "@rancher-haproxy/test-support";
import { assertCleanStop, startBackends, startWorldPair } from "./helpers/e2e.ts";
import {
  assertConsistent,
  assertNoReload,
  layoutRouting,
  layoutWorld,
  readRuntimeReport,
  reloadsSince,
  restartReloader,
  ScaledStack,
  startStackBackends,
  statusUrl,
  NO_REMOVAL_GUARD,
  waitForRouting,
  type Layout,
  type StackEvent,
} from "./helpers/runtime.ts";

const SCALE: readonly StackEvent[] = [
  { kind: "scale", to: 3 },
  { kind: "move", container: 2 },
  { kind: "scale", to: 4 },
  { kind: "move", container: 1 },
  { kind: "scale", to: 2 },
  { kind: "scale", to: 1 },
  { kind: "scale", to: 2 },
];
const LOG = { SYSLOG_HOST: "127.0.0.1:9" };

// Applies `count` events of SCALE to `stack` (alias on every third), each read back before the next.
async function runEvents(
  pair: Parameters<typeof waitForRouting>[0],
  stack: ScaledStack,
  layout: (alias: boolean) => Layout,
  count: number,
): Promise<Layout> {
  let current = layout(false);
  for (let i = 0; i < count; i++) {
    stack.apply(SCALE[i % SCALE.length]!);
    current = layout(i % 3 === 2);
    pair.metadata.setTree(worldTree(layoutWorld(current)));
    await waitForRouting(pair, layoutRouting(current));
  }
  return current;
}

test("runtime state equals the files and the snapshot after a run, a forced reload and a reloader restart", async (t) => {
  const shop = new ScaledStack("shop", await startStackBackends(t, "shop", 4, 15), 2);
  const others = await startBackends(t, [
    { name: "blog-1", host: "127.0.15.50" },
    { name: "extra-1", host: "127.0.15.51" },
  ]);
  let extra = false;
  const layout = (alias: boolean): Layout => ({
    stacks: {
      shop: shop.placed(),
      blog: [{ container: "blog-1", backend: others["blog-1"]! }],
      ...(extra ? { extra: [{ container: "extra-1", backend: others["extra-1"]! }] } : {}),
    },
    ...(alias ? { aliases: { blog: ["www"] } } : {}),
  });
  const pair = await startWorldPair(t, layoutWorld(layout(false)), {
    generateMapsEnv: NO_REMOVAL_GUARD,
    reloaderEnv: LOG,
  });
  await waitForRouting(pair, layoutRouting(layout(false)));
  const baseline = await readReloadCounter(pair.paths.stateDir);

  // A run of runtime-only changes.
  await runEvents(pair, shop, layout, 12);
  await assertNoReload(pair, baseline, "the run");
  await assertConsistent(pair);

  // A new stack: a reload, which must load what the runtime had (plus the new backend).
  const reportBefore = await readRuntimeReport(pair.reloader);
  extra = true;
  pair.metadata.setTree(worldTree(layoutWorld(layout(false))));
  await waitForRouting(pair, layoutRouting(layout(false)));
  await assertConsistent(pair);
  const reloaded = await readReloadCounter(pair.paths.stateDir);
  assert.equal(reloaded.reloads, baseline.reloads + 1, "the new stack reloaded HAProxy exactly once");
  // The new worker routes the layout before the reloader has the master's verdict on the reload, and
  // reloader_reloads_by_reason_total counts it only then: read it once it moved.
  const counted = await waitFor(
    async () => {
      const more = reloadsSince(reportBefore, await readRuntimeReport(pair.reloader));
      return Object.keys(more).length > 0 ? more : null;
    },
    { timeoutMs: 20_000, message: "the reload counted in reloader_reloads_by_reason_total" },
  );
  assert.deepEqual(counted, { "backends-changed": 1 });
  await runEvents(pair, shop, layout, 5);
  await assertNoReload(pair, reloaded, "the changes after the reload");
  await assertConsistent(pair);

  // A reloader restart; a change made while no reloader runs is picked up by the new one.
  const second = await restartReloader(t, pair, LOG);
  shop.apply({ kind: "scale", to: 4 });
  pair.metadata.setTree(worldTree(layoutWorld(layout(false))));
  await waitForRouting(pair, layoutRouting(layout(false)));
  await assertConsistent(pair);
  const restarted = await readReloadCounter(pair.paths.stateDir);
  await runEvents(pair, shop, layout, 5);
  await assertNoReload(pair, restarted, "the changes after the restart");
  await assertConsistent(pair);

  assert.deepEqual(await second.stop(), { code: 0, signal: null }, "the second reloader stops cleanly");
  await pair.stop();
});

test("a reload racing back-to-back scale events ends consistent", async (t) => {
  const shop = new ScaledStack("shop", await startStackBackends(t, "shop", 4, 16), 1);
  const others = await startBackends(t, [
    { name: "new-1", host: "127.0.16.50" },
    { name: "blog-1", host: "127.0.16.51" },
  ]);
  let added = false;
  const layout = (): Layout => ({
    stacks: {
      shop: shop.placed(),
      blog: [{ container: "blog-1", backend: others["blog-1"]! }],
      ...(added ? { fresh: [{ container: "new-1", backend: others["new-1"]! }] } : {}),
    },
  });
  const pair = await startWorldPair(t, layoutWorld(layout()), {
    generateMapsEnv: NO_REMOVAL_GUARD,
    reloaderEnv: LOG,
  });
  await waitForRouting(pair, layoutRouting(layout()));
  for (const round of [1, 2, 3]) {
    // The new (or removed) stack forces a reload; scale events follow without waiting for it.
    added = !added;
    pair.metadata.setTree(worldTree(layoutWorld(layout())));
    for (const event of SCALE) {
      await new Promise((resolve) => setTimeout(resolve, 15 * round));
      shop.apply(event);
      pair.metadata.setTree(worldTree(layoutWorld(layout())));
    }
    await waitForRouting(pair, layoutRouting(layout()));
    await assertConsistent(pair);
    // After the race, a scale event is a runtime update again: the applied state was not lost.
    const settled = await readReloadCounter(pair.paths.stateDir);
    shop.apply({ kind: "scale", to: shop.count === 4 ? 3 : shop.count + 1 });
    pair.metadata.setTree(worldTree(layoutWorld(layout())));
    await waitForRouting(pair, layoutRouting(layout()));
    await assertNoReload(pair, settled, `the scale event after race ${round}`);
    await assertConsistent(pair);
  }
  await assertCleanStop(pair);
});

test("more containers than SERVER_SLOTS: exactly one reload grows the backend, then runtime updates again", async (t) => {
  const shop = new ScaledStack("shop", await startStackBackends(t, "shop", 8, 17), 1);
  const layout = (): Layout => ({ stacks: { shop: shop.placed() } });
  const pair = await startWorldPair(t, layoutWorld(layout()), {
    generateMapsEnv: NO_REMOVAL_GUARD,
    reloaderEnv: { ...LOG, SERVER_SLOTS: "4" },
  });
  await waitForRouting(pair, layoutRouting(layout()));
  const baseline = await readReloadCounter(pair.paths.stateDir);
  const reportBefore = await readRuntimeReport(pair.reloader);
  const scaleTo = async (count: number) => {
    shop.apply({ kind: "scale", to: count });
    pair.metadata.setTree(worldTree(layoutWorld(layout())));
    await waitForRouting(pair, layoutRouting(layout()));
  };

  for (const count of [2, 3, 4]) await scaleTo(count);
  await assertNoReload(pair, baseline, "scaling within the 4 slots");
  await scaleTo(5);
  await assertConsistent(pair);
  const grown = await readReloadCounter(pair.paths.stateDir);
  assert.equal(grown.reloads, baseline.reloads + 1, "the fifth container reloaded HAProxy exactly once");
  // (each step removes at most half the containers: more trips generate-maps' mass-removal guard)
  for (const count of [6, 8, 4, 7, 5, 3, 6, 8, 5]) await scaleTo(count);
  await assertNoReload(pair, grown, "scaling within the grown 8 slots");
  await assertConsistent(pair);
  const report = await readRuntimeReport(pair.reloader);
  assert.deepEqual(reloadsSince(reportBefore, report), { "slots-exhausted": 1 }, "one reload, for the slots");
  // /config shows the generation the reloader counts as running, which moves just after `current` does
  // (what assertConsistent compares): read it until the last scale event is there, then check it.
  const readShopSlots = async () =>
    (
      await readStatusJson<{
        slots: Record<string, { slot: string; server: string | null }[]> | null;
      }>(statusUrl(pair.reloader), "/config?format=json")
    ).json.slots?.["shop"] ?? [];
  let slots = await readShopSlots();
  await waitFor(
    async () => {
      slots = await readShopSlots();
      return slots.filter((slot) => slot.server !== null).length === 5;
    },
    { timeoutMs: 10_000, message: "/config to show the last scale event" },
  ).catch(() => undefined);
  assert.equal(slots.length, 8, "/config shows the grown backend's 8 slots");
  assert.equal(slots.filter((slot) => slot.server !== null).length, 5, "5 of them in use");
  await assertCleanStop(pair);
});
