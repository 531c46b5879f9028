// Issue 12, long-lived connections: 20 streaming responses open through HAProxy to stack `live` survive
// 100 scale events, half of another stack and half of their own stack (whose container `live-1`, which
// holds every stream, always stays). With a reload per change, each reload leaves the streams on an old
// worker that HARD_STOP_AFTER (3 s here, to keep that failure quick) cuts; with runtime updates nothing
// reloads, so every stream must still be open and receiving at the end.
import assert from "node:assert/strict";
import { test } from "node:test";
import { openStream, readReloadCounter, worldTree, type OpenStream } from "@rancher-haproxy/test-support";
import { assertCleanStop, host, startWorldPair } from "./helpers/e2e.ts";
import {
  layoutRouting,
  layoutWorld,
  percentiles,
  ScaledStack,
  startStackBackends,
  NO_REMOVAL_GUARD,
  waitForRouting,
  type Layout,
  type StackEvent,
} from "./helpers/runtime.ts";

const OWN: readonly StackEvent[] = [
  { kind: "scale", to: 2 },
  { kind: "scale", to: 3 },
  { kind: "move", container: 2 },
  { kind: "scale", to: 4 },
  { kind: "move", container: 3 },
  { kind: "scale", to: 2 },
  { kind: "scale", to: 1 },
];
const OTHER: readonly StackEvent[] = [
  { kind: "scale", to: 2 },
  { kind: "scale", to: 4 },
  { kind: "move", container: 1 },
  { kind: "move", container: 3 },
  { kind: "scale", to: 3 },
  { kind: "scale", to: 1 },
];
const STREAMS = 20;

test("20 open streams survive 100 scale events of another stack and of their own", async (t) => {
  const live = new ScaledStack("live", await startStackBackends(t, "live", 4, 13), 1);
  const other = new ScaledStack("other", await startStackBackends(t, "other", 4, 14), 1);
  const layout = (): Layout => ({ stacks: { live: live.placed(), other: other.placed() } });
  const pair = await startWorldPair(t, layoutWorld(layout()), {
    generateMapsEnv: NO_REMOVAL_GUARD,
    reloaderEnv: { SYSLOG_HOST: "127.0.0.1:9", HARD_STOP_AFTER: "3s" },
  });
  await waitForRouting(pair, layoutRouting(layout()));
  const baseline = await readReloadCounter(pair.paths.stateDir);

  const streams: OpenStream[] = [];
  t.after(() => streams.forEach((stream) => stream.close()));
  for (let i = 0; i < STREAMS; i++) streams.push(await openStream({ url: pair.url, host: host("live") }));
  assert.deepEqual(new Set(streams.map((stream) => stream.backend)), new Set(["live-1a"]));

  const applyMs: number[] = [];
  for (let index = 0; index < 100; index++) {
    const [stack, events] = index % 2 === 0 ? [other, OTHER] : [live, OWN];
    stack.apply(events[Math.floor(index / 2) % events.length]!);
    const since = performance.now();
    pair.metadata.setTree(worldTree(layoutWorld(layout())));
    applyMs.push((await waitForRouting(pair, layoutRouting(layout()))) - since);
  }
  const linesAfterEvents = streams.map((stream) => stream.lines);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const counter = await readReloadCounter(pair.paths.stateDir);
  console.log(
    `long-lived: 100 events, change → read back ${percentiles(applyMs)}; ` +
      `${streams.filter((stream) => stream.cut === null).length}/${STREAMS} streams open, ` +
      `reloads ${counter.reloads - baseline.reloads}`,
  );

  assert.deepEqual(
    streams.map((stream) => stream.cut),
    Array.from({ length: STREAMS }, () => null),
    "no stream was cut",
  );
  streams.forEach((stream, i) =>
    assert.ok(stream.lines > (linesAfterEvents[i] ?? 0), `stream ${i} still receives data`),
  );
  assert.deepEqual(
    { reloads: counter.reloads, workerPid: counter.workerPid },
    { reloads: baseline.reloads, workerPid: baseline.workerPid },
    "HAProxy did not reload",
  );
  for (const stream of streams) stream.close();
  await assertCleanStop(pair);
});
