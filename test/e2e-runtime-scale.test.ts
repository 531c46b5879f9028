// Issue 12, zero reloads: 100 scale events (a stack 1 → 4 → 1 containers, containers re-addressed, the
// only one included, an alias added and removed) under a keep-alive and a `Connection: close` load, each
// event applied (read back from HAProxy's worker) before the next. HAProxy must not reload once (its own
// counter in `show proc`, the master and the worker pid unchanged), no request may fail, and every answer
// must come from a container routed at that moment (RoutingTimeline: a container removed may still
// answer requests sent before its removal was confirmed applied, nothing later).
//
// Removed containers keep running (like a container Rancher drains before stopping it), so an answer
// from one after its removal is a routing error, not a timing accident.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  NO_ROUTE_ANSWER,
  readReloadCounter,
  recordLoad,
  RoutingTimeline,
  worldTree,
} from "@rancher-haproxy/test-support";
import { assertCleanStop, DOMAIN, host, startBackends, startWorldPair } from "./helpers/e2e.ts";
import {
  assertConsistent,
  assertNoReload,
  layoutAnswers,
  layoutRouting,
  layoutWorld,
  percentiles,
  readRuntimeReport,
  reloadsSince,
  startStackBackends,
  NO_REMOVAL_GUARD,
  waitForRouting,
  type Layout,
} from "./helpers/runtime.ts";

// The event kinds of one cycle of ten; ten cycles make the 100 events.
type Event =
  { kind: "scale"; to: number } | { kind: "move"; container: number } | { kind: "alias"; on: boolean };
// The last event re-addresses a stack's only container: its new slot must be ready before the old one
// goes to maintenance, else the backend has no server for a moment and HAProxy answers 503.
const CYCLE: readonly Event[] = [
  { kind: "scale", to: 2 },
  { kind: "scale", to: 3 },
  { kind: "scale", to: 4 },
  { kind: "move", container: 2 },
  { kind: "alias", on: true },
  { kind: "scale", to: 3 },
  { kind: "move", container: 3 },
  { kind: "alias", on: false },
  { kind: "scale", to: 1 },
  { kind: "move", container: 1 },
];
const EVENTS = Array.from({ length: 10 }, () => CYCLE).flat();
const HOSTS = [host("shop"), host("blog"), `store.${DOMAIN}`];

test("100 scale events under keep-alive and Connection: close load: no reload, no failed or misrouted request", async (t) => {
  const shop = await startStackBackends(t, "shop", 4, 12);
  const blog = (await startBackends(t, [{ name: "blog-1", host: "127.0.12.50" }]))["blog-1"]!;
  const state = {
    count: 1,
    alias: false,
    at: { 1: "a", 2: "a", 3: "a", 4: "a" } as Record<number, "a" | "b">,
  };
  const layout = (): Layout => ({
    stacks: {
      shop: Array.from({ length: state.count }, (_, i) => ({
        container: `shop-${i + 1}`,
        backend: shop[`shop-${i + 1}`]![state.at[i + 1] ?? "a"],
      })),
      blog: [{ container: "blog-1", backend: blog }],
    },
    ...(state.alias ? { aliases: { shop: ["store"] } } : {}),
  });
  const timeline = new RoutingTimeline();
  const publish = (at: number) => {
    const answers = layoutAnswers(layout());
    for (const name of HOSTS) timeline.publish(name, answers[name] ?? [NO_ROUTE_ANSWER], at);
  };

  const pair = await startWorldPair(t, layoutWorld(layout()), {
    generateMapsEnv: NO_REMOVAL_GUARD,
    reloaderEnv: { SYSLOG_HOST: "127.0.0.1:9" },
  });
  publish(performance.now());
  timeline.applied(await waitForRouting(pair, layoutRouting(layout())));
  const baseline = await readReloadCounter(pair.paths.stateDir);
  const reloadsBefore = pair.reloader.count("reload.applied");
  const runtimeBefore = pair.reloader.count("runtime.applied");
  const reportBefore = await readRuntimeReport(pair.reloader);

  const controller = new AbortController();
  const common = {
    url: pair.url,
    hosts: HOSTS,
    signal: controller.signal,
    concurrency: 2,
    maxDurationMs: 150_000,
  };
  const loads = [recordLoad({ ...common, keepAlive: true }), recordLoad({ ...common, keepAlive: false })];
  const applyMs: number[] = [];
  const history: string[] = [];
  const started = performance.now();
  try {
    for (const [index, event] of EVENTS.entries()) {
      if (event.kind === "scale") state.count = event.to;
      else if (event.kind === "alias") state.alias = event.on;
      else state.at[event.container] = state.at[event.container] === "a" ? "b" : "a";
      const since = performance.now();
      publish(since);
      pair.metadata.setTree(worldTree(layoutWorld(layout())));
      const applied = await waitForRouting(pair, layoutRouting(layout()));
      timeline.applied(applied);
      applyMs.push(applied - since);
      history.push(
        `#${index + 1} ${JSON.stringify(event)} published ${since.toFixed(1)} applied ${applied.toFixed(1)}: ` +
          JSON.stringify(layoutAnswers(layout())),
      );
      await assertNoReload(pair, baseline, `event ${index + 1} (${JSON.stringify(event)})`);
    }
  } finally {
    controller.abort();
  }
  const eventsMs = Math.round(performance.now() - started);
  const [keepAlive, close] = await Promise.all(loads);
  // HAProxy routes the last change before the reloader has read it back and counted it (runtime.applied):
  // what the reloader reports is read once that is logged.
  await pair.waitForApplied();
  const records = [...keepAlive!, ...close!];
  const violations = timeline.judge(records);
  const answered = (name: string) => records.filter((record) => record.answer === name).length;
  console.log(
    `runtime scale: ${EVENTS.length} events in ${eventsMs} ms, change → read back ${percentiles(applyMs)}; ` +
      `${keepAlive!.length} keep-alive + ${close!.length} close requests, ${violations.length} violations; ` +
      `runtime.applied ${pair.reloader.count("runtime.applied") - runtimeBefore}`,
  );

  assert.deepEqual(
    violations.slice(0, 10).map((violation) => `${violation.reason} (${JSON.stringify(violation.record)})`),
    [],
    `${violations.length} requests failed or were misrouted; events around the first:\n` +
      near(history, violations[0]?.record.startedAt ?? 0).join("\n"),
  );
  await assertNoReload(pair, baseline, "the run");
  const report = await readRuntimeReport(pair.reloader);
  assert.deepEqual(reloadsSince(reportBefore, report), {}, "reloader_reloads_by_reason_total did not move");
  assert.ok(
    report.runtimeUpdates - reportBefore.runtimeUpdates >= EVENTS.length,
    `reloader_runtime_updates_total counted every event (${report.runtimeUpdates - reportBefore.runtimeUpdates})`,
  );
  assert.equal(report.readbackMismatches, 0, "no read-back mismatch");
  assert.equal(report.lastReadbackOk, 1);
  assert.equal(report.health?.updates, report.runtimeUpdates, "/healthz runtime.updates");
  assert.equal(report.health?.lastReadback?.ok, true, "/healthz runtime.lastReadback.ok");
  assert.equal(pair.reloader.count("reload.applied"), reloadsBefore, "no reload.applied logged");
  assert.ok(
    pair.reloader.count("runtime.applied") > runtimeBefore,
    "the changes went through runtime.applied",
  );
  assert.ok(keepAlive!.length >= 300 && close!.length >= 300, "enough load on both kinds of connection");
  assert.ok(answered("shop-4a") + answered("shop-4b") > 0, "the scaled-up containers answered");
  assert.ok(answered("shop-2b") > 0 && answered("shop-3b") > 0, "re-addressed containers answered");
  assert.ok(
    records.some((record) => record.host === HOSTS[2] && record.answer === "shop-1a"),
    "the alias answered",
  );
  await assertConsistent(pair);
  await assertCleanStop(pair);
});

// The history lines whose publish time is within 2 s of `at`.
function near(history: readonly string[], at: number): string[] {
  return history.filter((line) => Math.abs(Number(/published (\S+)/.exec(line)?.[1]) - at) < 2000);
}
