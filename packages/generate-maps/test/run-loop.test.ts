// runCycle and runLoop in process against the stand-in: skips logged once, write failures retried
// without crashing, every cycle reported to onCycle, a clean stop on abort.
import assert from "node:assert/strict";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { test, type TestContext } from "node:test";
import { createMetadataClient } from "@rancher-haproxy/core";
import {
  buildTree,
  loadRecordedTree,
  remapIps,
  startMetadataServer,
  type MetadataServer,
  type Tree,
} from "@rancher-haproxy/test-support";
import {
  createCycleState,
  runCycle,
  runLoop,
  type CycleResult,
  type Generator,
  type GeneratorOptions,
} from "../src/index.js";
import { captureLogger, fakeWallClock, generatorOptions, tempDir, waitFor } from "./helpers.js";

const TREE = remapIps(loadRecordedTree());

async function setup(
  t: TestContext,
  intervalMs = 30_000,
  { tree = TREE, options = {} }: { tree?: Tree; options?: Partial<GeneratorOptions> } = {},
) {
  const server = await startMetadataServer({ tree, longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const { logger, lines } = captureLogger();
  const generator: Generator = {
    logger,
    client: createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19", timeoutMs: 1000 }),
    options: generatorOptions(server.hostPort, dir, { intervalMs, ...options }),
  };
  return { server, dir, generator, lines };
}

// Starts runLoop, collecting every cycle result; stopped (and awaited) when the test ends.
function startLoop(t: TestContext, generator: Generator) {
  const stop = new AbortController();
  const results: CycleResult[] = [];
  let quiet = 0;
  const done = runLoop(
    generator,
    stop.signal,
    (result) => results.push(result),
    () => (quiet += 1),
  );
  t.after(async () => {
    stop.abort();
    await done;
  });
  return { stop, results, done, quiet: () => quiet };
}

function setState(server: MetadataServer, name: string, edit: Record<string, unknown>): void {
  server.update((tree: Tree) => {
    for (const c of tree.containers as Record<string, unknown>[])
      if (c["name"] === name) Object.assign(c, edit);
  });
}

test("a skip is logged when it first appears and when its reason changes, not every cycle", async (t) => {
  const { server, generator, lines } = await setup(t);
  const loop = startLoop(t, generator);
  await waitFor("the first cycle", 5000, () => (loop.results.length >= 1 ? true : undefined));
  for (let i = 0; i < 3; i++) {
    const count = loop.results.length;
    server.reload();
    await waitFor("another cycle", 5000, () => (loop.results.length > count ? true : undefined));
  }
  const skipsOf = (name: string) =>
    lines()
      .filter((line) => line["event"] === "container-skipped" && line["container"] === name)
      .map((line) => line["code"]);
  assert.deepEqual(skipsOf("app-r125-web-1"), ["unhealthy"]);
  assert.deepEqual(skipsOf("app-r124-web-2"), ["not-running"]);

  const count = loop.results.length;
  setState(server, "app-r125-web-1", { state: "stopped" });
  await waitFor("the cycle after the change", 5000, () => (loop.results.length > count ? true : undefined));
  assert.deepEqual(skipsOf("app-r125-web-1"), ["unhealthy", "not-running"]);
  const skipLine = lines().find((line) => line["container"] === "app-r125-web-1");
  for (const key of ["event", "container", "uuid", "stack", "code", "reason"])
    assert.ok(key in (skipLine ?? {}), key);
});

test("a write failure is logged and retried, never crashes the loop; the files appear once it clears", async (t) => {
  const { generator, lines, dir } = await setup(t);
  await mkdir(join(dir, "backends.cfg"));
  const loop = startLoop(t, generator);
  await waitFor("two failed writes", 5000, () =>
    lines().filter((line) => line["event"] === "write-failed").length >= 2 ? true : undefined,
  );
  const failed = loop.results.find((result) => !result.ok);
  assert.ok(failed && !failed.ok && failed.stage === "write");
  assert.equal(failed.failure.kind, "EISDIR");
  await rm(join(dir, "backends.cfg"), { recursive: true });
  await waitFor("the files", 5000, async () =>
    (await readFile(join(dir, "domain.map"), "utf8").catch(() => "")).includes("www.dev.tld")
      ? true
      : undefined,
  );
  await waitFor("the recovery line", 2000, () =>
    lines().some((line) => line["event"] === "recovered") ? true : undefined,
  );
});

test("runCycle reports the table, files and outcomes; unchanged input writes nothing the second time", async (t) => {
  const { generator } = await setup(t);
  const state = createCycleState(generator.logger);
  const first = await runCycle(generator, state, { write: true });
  assert.ok(first.ok);
  assert.deepEqual(
    first.outcomes.map((o) => o.status),
    ["changed", "changed"],
  );
  assert.equal(first.table.counts.routed, 3);
  const second = await runCycle(generator, state, { write: true });
  assert.ok(second.ok);
  assert.deepEqual(
    second.outcomes.map((o) => o.status),
    ["unchanged", "unchanged"],
  );
  const dry = await runCycle(generator, state, { write: false });
  assert.ok(dry.ok);
  assert.deepEqual(dry.outcomes, []);
  assert.equal(dry.files.map.content, first.files.map.content);
});

test("the loop wakes at the interval even when the long poll hangs, and stops at once on abort", async (t) => {
  const { generator, server } = await setup(t, 1000);
  // Records every signal the client gets: the loop must only hand it short-lived children of its
  // stop signal (Node 20's AbortSignal.any() would otherwise keep a dependant per request forever).
  const signals: (AbortSignal | undefined)[] = [];
  const polls: (AbortSignal | undefined)[] = [];
  const client = generator.client;
  generator.client = {
    baseUrl: client.baseUrl,
    getJson: (path, signal) => (signals.push(signal), client.getJson(path, signal)),
    getText: (path, signal) => (signals.push(signal), client.getText(path, signal)),
    waitForVersion: (last, maxWait, signal) => (
      signals.push(signal),
      polls.push(signal),
      client.waitForVersion(last, maxWait, signal)
    ),
  };
  await server.setFault({ kind: "longpoll-hang" });
  const loop = startLoop(t, generator);
  // Each interval ends in a check (GET /version) standing in for the refetch, or in a refetch; the long
  // poll still open at a deadline goes on into the next wait (one poll, not one per interval).
  await waitFor("three wakes from the interval alone", 6000, () =>
    loop.results.length + loop.quiet() >= 4 ? true : undefined,
  );
  assert.ok(signals.length >= 6, `${signals.length} requests`);
  assert.ok(signals.every((signal) => signal !== undefined && signal !== loop.stop.signal));
  await waitFor("a long poll in flight", 2000, () => (server.waitingLongPolls > 0 ? true : undefined));
  loop.stop.abort();
  let stopped = false;
  void loop.done.then(() => (stopped = true));
  await waitFor("the loop to stop", 1000, () => (stopped ? true : undefined));
  // Whether the stop came during a wait or during the check between two (the poll goes on over them).
  assert.equal(polls.at(-1)?.aborted, true, "the long poll in flight ends with the loop");
});

// A long poll still open at an interval's deadline goes on into the next wait; a stop that comes during
// the cycle between the two leaves no wait to end it, so the loop ends it as it returns.
test("a stop during a cycle ends the long poll the wait before it left open", async (t) => {
  const { generator } = await setup(t, 1000);
  const client = generator.client;
  const polls: (AbortSignal | undefined)[] = [];
  let atContainers: (() => void) | null = null;
  generator.client = {
    ...client,
    baseUrl: client.baseUrl,
    getJson: (path, signal, reading) => {
      if (path === "containers") {
        const hook = atContainers;
        atContainers = null;
        hook?.();
      }
      return client.getJson(path, signal, reading);
    },
    waitForVersion: (last, maxWait, signal) => (
      polls.push(signal),
      client.waitForVersion(last, maxWait, signal)
    ),
  };
  const loop = startLoop(t, generator);
  await waitFor("an interval's check", 5000, () => (loop.quiet() >= 1 ? true : undefined));
  assert.equal(polls.length, 1, "the poll went on over the deadline");
  // The map changed behind the generator's back: the next interval's check runs a cycle, stopped at its
  // GET /containers.
  atContainers = () => loop.stop.abort();
  const written = await readFile(generator.options.domainMapPath, "utf8");
  await writeFile(generator.options.domainMapPath, `${written}evil.dev.tld app\n`);
  await loop.done;
  assert.equal(polls.length, 1);
  assert.equal(polls[0]?.aborted, true, "the long poll ended with the loop");
});

test("at the interval a check stands in for the refetch while version and files stay; a file changed behind its back is rewritten; a full refetch every 6 intervals", async (t) => {
  const { server, generator } = await setup(t, 1000);
  const containers = () => server.requests.count(/\/containers$/);
  const loop = startLoop(t, generator);
  await waitFor("the first cycle", 5000, () => (loop.results.length >= 1 ? true : undefined));
  await waitFor("two quiet intervals", 5000, () => (loop.quiet() >= 2 ? true : undefined));
  assert.equal(loop.results.length, 1, "no refetch while nothing moved");
  assert.equal(containers(), 1);

  // The map edited behind the generator's back: the next interval's check sees it and a cycle rewrites it.
  const written = await readFile(generator.options.domainMapPath, "utf8");
  await writeFile(generator.options.domainMapPath, `${written}evil.dev.tld app\n`);
  await waitFor("the map rewritten", 5000, async () =>
    (await readFile(generator.options.domainMapPath, "utf8")) === written ? true : undefined,
  );
  // The rename comes before the cycle's result is handed over: wait for that result.
  await waitFor("the rewriting cycle's result", 2000, () => (loop.results.length >= 2 ? true : undefined));
  assert.equal(loop.results.length, 2);
  assert.equal(
    loop.results[1]?.ok && loop.results[1].outcomes.map((o) => o.status).join(),
    "unchanged,changed",
  );

  // Nothing moves any more: five quiet intervals, then a full refetch anyway. Six intervals of 1 s plus
  // each check's GET /version: ≈ 6 s, so 9 s were used up once each check was 0.5 s late (a loaded machine).
  const quietBefore = loop.quiet();
  await waitFor("a full refetch after 5 quiet intervals", 30_000, () =>
    loop.results.length >= 3 ? true : undefined,
  );
  assert.equal(loop.quiet() - quietBefore, 5);
  assert.equal(containers(), 3);
});

test("a cycle the long poll woke reads at the version it answered (no second GET /version); a change right after its fetch is seen by the next long poll at once", async (t) => {
  const { server, generator } = await setup(t, 60_000);
  const client = generator.client;
  let afterContainers: (() => void) | null = null;
  generator.client = {
    ...client,
    baseUrl: client.baseUrl,
    getJson: async (path, signal) => {
      const answer = await client.getJson(path, signal);
      const hook = path === "containers" ? afterContainers : null;
      afterContainers = null;
      hook?.();
      return answer;
    },
  };
  const versionGets = () =>
    server.requests.entries.filter((r) => r.path === "/2015-12-19/version" && !r.longPoll).length;
  const loop = startLoop(t, generator);
  await waitFor("the first cycle", 5000, () => (loop.results.length >= 1 ? true : undefined));
  assert.equal(versionGets(), 1, "the first cycle asks /version");
  const count = loop.results.length;
  let second = "";
  // The second change lands after the first change's cycle read /containers: that cycle cannot see it.
  afterContainers = () => {
    setState(server, "app-r124-web-2", { state: "running" });
    second = server.version;
  };
  setState(server, "app-r125-web-1", { state: "stopped" });
  const first = server.version;
  await waitFor("two more cycles", 5000, () => (loop.results.length >= count + 2 ? true : undefined));
  const [one, two] = loop.results.slice(count, count + 2);
  assert.ok(one?.ok && two?.ok);
  assert.deepEqual([one.version, two.version], [first, second]);
  assert.equal(two.table.counts.routed, one.table.counts.routed + 1, "the second change is routed");
  assert.equal(versionGets(), 1, "cycles woken by the long poll do not ask /version again");
});

test("a change landing right after the deadline's GET /version is no missed change; one landing while a hanging long poll waited is, once", async (t) => {
  const { server, generator, lines } = await setup(t, 1000);
  const client = generator.client;
  // Run once, right after a GET /version answered while a long poll was open: the deadline's read.
  let afterDeadlineRead: (() => void) | null = null;
  let polling = 0;
  generator.client = {
    ...client,
    baseUrl: client.baseUrl,
    getJson: async (path, signal, reading) => {
      const answer = await client.getJson(path, signal, reading);
      const hook = path === "version" && polling > 0 ? afterDeadlineRead : null;
      if (hook !== null) {
        afterDeadlineRead = null;
        hook();
      }
      return answer;
    },
    waitForVersion: (last, maxWait, signal) => {
      polling += 1;
      return client.waitForVersion(last, maxWait, signal).finally(() => (polling -= 1));
    },
  };
  const missed = () => lines().filter((line) => line["event"] === "longpoll-missed-change");
  const loop = startLoop(t, generator);
  await waitFor("the first cycle", 5000, () => (loop.results.length >= 1 ? true : undefined));
  // The version moves the moment the deadline's /version has answered, before anything else reads it:
  // the long poll still open then (it goes on into the next wait) reports it. Before, it was cut there,
  // and the next long poll reported it; either way the poll missed nothing.
  let moved = "";
  afterDeadlineRead = () => {
    setState(server, "app-r125-web-1", { state: "stopped" });
    moved = server.version;
  };
  await waitFor("the cycle of the change", 5000, () =>
    loop.results.some((result) => result.ok && result.version === moved) ? true : undefined,
  );
  assert.deepEqual(missed(), [], "the long poll missed nothing");

  // A long poll that hangs while the version moves: the interval finds the change, warned about once.
  // The stand-in re-checks the fault at each tick: the long poll in flight is held from now on.
  await server.setFault({ kind: "longpoll-hang" });
  await waitFor("a long poll held by the fault", 5000, () =>
    server.waitingLongPolls > 0 ? true : undefined,
  );
  setState(server, "app-r124-web-2", { state: "running" });
  const during = server.version;
  await waitFor("the warning", 5000, () => (missed().length > 0 ? true : undefined));
  assert.deepEqual(
    missed().map((line) => [line["from"], line["to"]]),
    [[moved, during]],
  );
});

// Before, a long poll the server ended unchanged right at the interval's deadline left no poll to cut and
// no /version read there: the interval's cycle found the change, and nothing was warned.
test("a change a long poll did not report, the poll ended unchanged by the server right at the interval's deadline, is warned about once", async (t) => {
  const { server, generator, lines } = await setup(t, 1000);
  let offsetMs = 0;
  // The monotonic clock the loop times with: the missing poll's answer comes as its deadline is reached.
  generator.clock = { monotonic: () => performance.now() + offsetMs, wall: () => Date.now() };
  const client = generator.client;
  let missNext = false;
  let moved = "";
  generator.client = {
    ...client,
    baseUrl: client.baseUrl,
    waitForVersion: async (last, maxWait, signal) => {
      if (!missNext) return client.waitForVersion(last, maxWait, signal);
      missNext = false;
      // The version moves while this poll waits, and the poll does not report it.
      setState(server, "app-r125-web-1", { state: "stopped" });
      moved = server.version;
      await delay(600, undefined, { signal });
      offsetMs += 1000;
      return last;
    },
  };
  // The first long poll, sent after the first cycle, misses the change (a poll sent later would come only
  // after the first one ends: a poll still open at a deadline goes on into the next wait).
  missNext = true;
  const loop = startLoop(t, generator);
  await waitFor("the first cycle", 5000, () => (loop.results.length >= 1 ? true : undefined));
  const first = loop.results[0];
  const before = first?.ok ? first.version : undefined;
  await waitFor("the cycle of the change", 8000, () =>
    moved !== "" && loop.results.some((result) => result.ok && result.version === moved) ? true : undefined,
  );
  assert.deepEqual(
    lines()
      .filter((line) => line["event"] === "longpoll-missed-change")
      .map((line) => [line["from"], line["to"]]),
    [[before, moved]],
  );
});

const HOUR = 3_600_000;

test("a wall clock stepped back an hour during the long poll stalls nothing: the change it reports gets its cycle at once", async (t) => {
  const { server, generator } = await setup(t);
  const loop = startLoop(t, generator);
  await waitFor("the first cycle", 5000, () => (loop.results.length >= 1 ? true : undefined));
  await waitFor("the long poll", 5000, () => (server.waitingLongPolls > 0 ? true : undefined));
  fakeWallClock(t).step(-HOUR);
  const count = loop.results.length;
  setState(server, "app-r125-web-1", { state: "stopped" });
  // The old loop slept until an hour after the last cycle's start (its wall-clock time) before this one.
  await waitFor("the cycle of the change", 3000, () => (loop.results.length > count ? true : undefined));
  const last = loop.results.at(-1);
  assert.ok(last?.ok && last.version === server.version);
});

test("a wall clock stepped back an hour during a removal hold does not stretch it: the reduced answer is written after its window", async (t) => {
  const shop = (count: number) =>
    buildTree({
      stacks: [
        {
          name: "shop",
          services: [
            {
              name: "web",
              port: 80,
              containers: Array.from({ length: count }, (_, i) => ({ ip: `127.0.0.${30 + i}` })),
            },
          ],
        },
      ],
    });
  const { server, generator, lines } = await setup(t, 30_000, {
    tree: shop(4),
    options: { removalConfirmMs: 1000 },
  });
  const servers = async () =>
    (await readFile(generator.options.backendsPath, "utf8").catch(() => ""))
      .split("\n")
      .filter((line) => line.startsWith("    server ")).length;
  const loop = startLoop(t, generator);
  await waitFor("4 servers written", 5000, async () => ((await servers()) === 4 ? true : undefined));
  server.setTree(shop(0));
  await waitFor("the hold", 5000, () =>
    lines().some((line) => line["event"] === "guard.hold") ? true : undefined,
  );
  fakeWallClock(t).step(-HOUR);
  // The old loop re-decided at the window's end, found the window (wall clock) an hour from over and
  // held the files for that hour.
  await waitFor("the reduced answer written", 4000, async () => ((await servers()) === 0 ? true : undefined));
  const release = lines().find((line) => line["event"] === "guard.release");
  assert.equal(release?.["outcome"], "confirmed");
  // The file is renamed into place before the cycle's result is handed over: wait for it, not assume it.
  await waitFor("the release cycle's result", 2000, () => (loop.results.length >= 3 ? true : undefined));
});
