// Change detection against the stand-in: the long poll sees a change at once, the interval is the safety
// net, and a long poll that answers errors falls back to plain polling (logged once).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { createMetadataClient, type MetadataClient } from "@rancher-haproxy/core";
import {
  applyRecordedChange,
  loadRecordedTree,
  remapIps,
  startMetadataServer,
  type MetadataServer,
} from "@rancher-haproxy/test-support";
import { createVersionWatcher, type VersionWatcher, type WakeReason } from "../src/index.js";
import { captureLogger, fakeWallClock, longpollEvents, waitFor } from "./helpers.js";

let server: MetadataServer;
let client: MetadataClient;
const tree = remapIps(loadRecordedTree());

before(async () => {
  server = await startMetadataServer({ tree, longPollTickMs: 100 });
  client = createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19", timeoutMs: 1000 });
});
after(() => server.close());

// Runs a wait and reports how it ended, failing the test when it does not end within `deadlineMs`.
async function settle(wait: Promise<WakeReason>, deadlineMs: number): Promise<WakeReason> {
  let result: WakeReason | undefined;
  void wait.then((reason) => (result = reason));
  return waitFor("the wait to end", deadlineMs, () => result);
}

test("a change is seen at once through the long poll, even with a 30 s interval", async () => {
  const { logger } = captureLogger();
  const watcher = createVersionWatcher(client, 30_000, logger);
  const polls = server.requests.longPolls;
  const wait = watcher.waitForChange(server.version, new AbortController().signal);
  await waitFor("the long poll to arrive", 2000, () => (server.waitingLongPolls > 0 ? true : undefined));
  const version = server.setTree(applyRecordedChange(tree));
  assert.equal(await settle(wait, 1000), "changed");
  assert.equal(server.requests.longPolls, polls + 1);
  assert.equal(watcher.seenVersion, version, "the version the long poll answered, for the cycle to read at");
});

test("a version that moved before the wait returns at once", async () => {
  const { logger } = captureLogger();
  const watcher = createVersionWatcher(client, 30_000, logger);
  assert.equal(
    await settle(watcher.waitForChange("an-old-version", new AbortController().signal), 1000),
    "changed",
  );
});

test("without a change the wait ends at the interval, reading /version while the long poll is still open", async (t) => {
  const { logger } = captureLogger();
  const watcher = createVersionWatcher(client, 1000, logger);
  t.after(() => watcher.close());
  assert.equal(
    await settle(watcher.waitForChange("an-old-version", new AbortController().signal), 1000),
    "changed",
  );
  assert.equal(watcher.seenVersion, server.version);
  assert.equal(
    await settle(watcher.waitForChange(server.version, new AbortController().signal), 3000),
    "interval",
  );
  assert.equal(watcher.seenVersion, null, "no version the long poll answered");
  assert.deepEqual(watcher.cut, { version: server.version }, "/version asked before the cut");
  await server.setFault({ kind: "longpoll-hang" });
  try {
    assert.equal(
      await settle(watcher.waitForChange(server.version, new AbortController().signal), 3000),
      "interval",
    );
  } finally {
    await server.setFault(null);
  }
});

test("a long poll answering errors is tried again until the interval, logged once, and recovers", async () => {
  const { logger, lines } = captureLogger();
  const watcher = createVersionWatcher(client, 1000, logger);
  const signal = new AbortController().signal;
  await server.setFault({ kind: "status-500" });
  try {
    assert.equal(await settle(watcher.waitForChange(server.version, signal), 3000), "interval");
    assert.equal(await settle(watcher.waitForChange(server.version, signal), 3000), "interval");
  } finally {
    await server.setFault(null);
  }
  const failed = lines().filter((line) => line["event"] === "longpoll-failed");
  assert.equal(failed.length, 1, "logged once, not every wait");
  assert.match(
    String(failed[0]?.["msg"]),
    /long poll of \/version failed, trying again within 1 s \(backing off up to 1 s\): .*HTTP 500/,
  );
  const wait = watcher.waitForChange(server.version, signal);
  await waitFor("the long poll to arrive", 2000, () => (server.waitingLongPolls > 0 ? true : undefined));
  server.reload();
  assert.equal(await settle(wait, 1000), "changed");
  assert.deepEqual(longpollEvents(lines()), ["longpoll-failed", "longpoll-restored"]);
});

// At an interval shorter than the long poll's maxWait (the default 10 s) a poll in a quiet environment
// outlives the wait that sent it and is answered unchanged at its maxWait, some waits later: that answer
// ends the failure episode. Before, each wait cut its poll at the deadline, and one held until the cut
// with /version unchanged counted as working; a poll that hangs is held until the cut too, so at those
// intervals a hang was never reported (see watch-version-hang.test.ts).
test("after a failure, a long poll carried over the interval's cuts and answered at its maxWait logs longpoll-restored and ends the episode", async (t) => {
  const { logger, lines } = captureLogger();
  const watcher = createVersionWatcher(client, 1000, logger);
  t.after(() => watcher.close());
  const signal = new AbortController().signal;
  await server.setFault({ kind: "status-500" });
  let healed = 0;
  try {
    assert.equal(await settle(watcher.waitForChange(server.version, signal), 3000), "interval");
  } finally {
    healed = performance.now();
    await server.setFault(null);
  }
  const events = () => longpollEvents(lines());
  assert.deepEqual(events(), ["longpoll-failed"]);
  const polls = server.requests.longPolls;
  let waits = 0;
  // Each 1 s wait ends with the poll still open at the deadline: held, not yet proof that it works.
  while (events().length < 2) {
    assert.equal(await settle(watcher.waitForChange(server.version, signal), 3000), "interval");
    assert.deepEqual(watcher.cut, { version: server.version }, "/version read at the deadline");
    waits += 1;
    // Its timeout (20 s) would have ended it as a failure by then.
    assert.ok(waits <= 25, "the poll was answered at its maxWait");
  }
  assert.deepEqual(events(), ["longpoll-failed", "longpoll-restored"]);
  // The poll that restored it was sent once the fault was gone and answered at its 10 s maxWait: restored
  // 10 s or more after `healed` (a load only adds to it), where a restore at a cut comes after one wait.
  // (It counted 9 waits or more: 10 when each takes 1 s, but 8 once each took 0.45 s more.)
  const heldMs = performance.now() - healed;
  assert.ok(
    waits >= 2 && heldMs >= 9000,
    `held until its 10 s maxWait, not restored at a cut (${waits} waits, ${Math.round(heldMs)} ms)`,
  );
  assert.ok(
    server.requests.longPolls - polls <= 2,
    `one poll over ${waits} waits (and the next one), not one per wait: ${server.requests.longPolls - polls}`,
  );
  // The next wait is a plain one: no plain read before its long poll, only the GET /version at its deadline.
  const plainReads = () => server.requests.count(/\/version$/) - server.requests.longPolls;
  const plainBefore = plainReads();
  assert.equal(await settle(watcher.waitForChange(server.version, signal), 3000), "interval");
  assert.equal(plainReads() - plainBefore, 1, "only the GET /version at the deadline");
  // A new failure is a new episode: logged again (the poll in flight, sent before the fault, is ended
  // first, so that the next one meets the fault).
  watcher.close();
  await server.setFault({ kind: "status-500" });
  try {
    assert.equal(await settle(watcher.waitForChange(server.version, signal), 3000), "interval");
  } finally {
    await server.setFault(null);
  }
  assert.deepEqual(events(), ["longpoll-failed", "longpoll-restored", "longpoll-failed"]);
});

// A long poll to a service back up is held without an answer until a change or its maxWait: only the plain
// /version read before each retry says at once that metadata answers again (what /healthz is told).
test("after a long poll error, each retry reads /version plainly first: metadata answering again is reported at once, and the long poll goes on", async () => {
  const { logger } = captureLogger();
  const reached: (string | null)[] = [];
  const watcher = createVersionWatcher(client, 30_000, logger, undefined, (error) => reached.push(error));
  const stop = new AbortController();
  await server.setFault({ kind: "status-500" });
  let wait: Promise<WakeReason>;
  try {
    wait = watcher.waitForChange(server.version, stop.signal);
    await waitFor("two failures reported", 10_000, () => (reached.length >= 2 ? true : undefined));
  } finally {
    await server.setFault(null);
  }
  assert.ok(
    reached.every((error) => error !== null && /HTTP 500/.test(error)),
    String(reached),
  );
  await waitFor("the answer reported", 15_000, () => (reached.at(-1) === null ? true : undefined));
  await waitFor("the long poll again", 5000, () => (server.waitingLongPolls > 0 ? true : undefined));
  const version = server.setTree(applyRecordedChange(tree));
  assert.equal(await settle(wait, 2000), "changed");
  assert.equal(watcher.seenVersion, version);
  stop.abort();
});

test("after a long poll error the long poll is tried again within seconds, not left to a 30 s interval", async () => {
  const { logger, lines } = captureLogger();
  const watcher = createVersionWatcher(client, 30_000, logger);
  const signal = new AbortController().signal;
  await server.setFault({ kind: "status-500" });
  const wait = watcher.waitForChange(server.version, signal);
  await waitFor("the first long poll to fail", 2000, () =>
    lines().some((line) => line["event"] === "longpoll-failed") ? true : undefined,
  );
  await server.setFault(null);
  // The retry (after 1 s) holds a long poll again; a change then ends the wait at once.
  await waitFor("the long poll to be held again", 5000, () =>
    server.waitingLongPolls > 0 ? true : undefined,
  );
  server.setTree(applyRecordedChange(tree));
  assert.equal(await settle(wait, 2000), "changed");
  assert.deepEqual(longpollEvents(lines()), ["longpoll-failed", "longpoll-restored"]);
});

test("a server that answers the unchanged version at once is polled, not hammered", async () => {
  let calls = 0;
  const eager: MetadataClient = {
    baseUrl: "http://eager/2015-12-19",
    getJson: async () => "v1",
    getText: async () => "",
    waitForVersion: async () => {
      calls += 1;
      return "v1";
    },
  };
  const { logger, lines } = captureLogger();
  const watcher = createVersionWatcher(eager, 1000, logger);
  assert.equal(await settle(watcher.waitForChange("v1", new AbortController().signal), 3000), "interval");
  assert.equal(calls, 1);
  assert.match(String(lines()[0]?.["msg"]), /answered the unchanged version at once/);
});

test("a server that does not hold long polls is logged once, not again with every change it answers at once", async () => {
  let current = "v1";
  const eager: MetadataClient = {
    baseUrl: "http://eager/2015-12-19",
    getJson: async () => current,
    getText: async () => "",
    waitForVersion: async () => current,
  };
  const { logger, lines } = captureLogger();
  const watcher = createVersionWatcher(eager, 300, logger);
  const signal = new AbortController().signal;
  assert.equal(await settle(watcher.waitForChange("v1", signal), 3000), "interval");
  for (const [last, next] of [
    ["v1", "v2"],
    ["v2", "v3"],
  ] as const) {
    current = next;
    assert.equal(await settle(watcher.waitForChange(last, signal), 3000), "changed");
    assert.equal(watcher.seenVersion, next);
    assert.equal(await settle(watcher.waitForChange(next, signal), 3000), "interval");
  }
  const events = lines()
    .map((line) => line["event"])
    .filter((event) => event === "longpoll-failed" || event === "longpoll-restored");
  // Before, each change answered at once logged longpoll-restored (it does not hold polls any better),
  // and the next wait longpoll-failed again.
  assert.deepEqual(events, ["longpoll-failed"]);
});

// A client whose long poll stays open until `versionAsked` (its GET /version, the deadline's read) fails
// it through `failPoll`, or the wait's signal aborts it.
function pollFailingClient(
  versionAsked: (failPoll: (error: Error) => void) => Promise<string>,
): MetadataClient {
  let failPoll: (error: Error) => void = () => {};
  return {
    baseUrl: "http://failing/2015-12-19",
    getJson: async () => versionAsked(failPoll),
    getText: async () => "",
    waitForVersion: (_last, _maxWait, signal) =>
      new Promise((_resolve, reject) => {
        failPoll = reject;
        signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      }),
  };
}

test("a long poll that fails in the grace after the deadline's /version showed a change is a failure, not a cut that missed the change", async () => {
  // The deadline's GET /version: the version moved; the long poll, still open, then fails at once.
  const failing = pollFailingClient(async (failPoll) => {
    setTimeout(() => failPoll(new Error("socket hang up")), 20);
    return "v2";
  });
  const { logger, lines } = captureLogger();
  const watcher = createVersionWatcher(failing, 300, logger);
  assert.equal(await settle(watcher.waitForChange("v1", new AbortController().signal), 3000), "interval");
  // Before, the failed poll counted as cut with v2 seen: the loop warned longpoll-missed-change for a
  // poll that had failed, and longpoll-failed was not logged.
  assert.equal(watcher.cut, null);
  assert.deepEqual(longpollEvents(lines()), ["longpoll-failed"]);
});

test("a long poll that fails while the deadline's /version is asked is a failure, not a poll held until the cut", async () => {
  // The deadline's GET /version: the long poll, still open, fails while it is asked; /version answers
  // the version the poll waited on.
  const failing = pollFailingClient(async (failPoll) => {
    failPoll(new Error("socket hang up"));
    await delay(20);
    return "v1";
  });
  const { logger, lines } = captureLogger();
  const reached: (string | null)[] = [];
  const watcher = createVersionWatcher(failing, 600, logger, undefined, (error) => reached.push(error));
  assert.equal(await settle(watcher.waitForChange("v1", new AbortController().signal), 3000), "interval");
  // Before, the failed poll counted as held until the cut with /version unchanged: nothing was logged,
  // /healthz was told nothing, and a failure episode running would have logged longpoll-restored.
  assert.equal(watcher.cut, null);
  assert.deepEqual(longpollEvents(lines()), ["longpoll-failed"]);
  assert.match(String(reached[0]), /socket hang up/);
});

// A poll carried into the next wait (the interval's deadline found it waiting on the version /version
// answered) that fails between waits is still a failure when the loop read past its version meanwhile: the
// next wait, on another version, takes up its error (open-poll.ts: pollOfNoUse keeps it). Dropped as of no
// use, the failure was told nowhere: no longpoll-failed, nothing to /healthz (coverage for a74ab3c, which
// moved that check out of the wait).
test("a carried long poll that fails between waits is told by the next wait, even on another version", async (t) => {
  // The real client, with each long poll's end known to the test.
  const polls: Promise<void>[] = [];
  const watched: MetadataClient = {
    baseUrl: client.baseUrl,
    getJson: (path, signal, reading) => client.getJson(path, signal, reading),
    getText: (path, signal) => client.getText(path, signal),
    waitForVersion: (last, maxWaitSeconds, signal) => {
      const poll = client.waitForVersion(last, maxWaitSeconds, signal);
      polls.push(
        poll.then(
          () => {},
          () => {},
        ),
      );
      return poll;
    },
  };
  const { logger, lines } = captureLogger();
  const reached: (string | null)[] = [];
  const watcher = createVersionWatcher(watched, 1000, logger, undefined, (error) => reached.push(error));
  t.after(() => watcher.close());
  const signal = new AbortController().signal;
  assert.equal(await settle(watcher.waitForChange(server.version, signal), 3000), "interval");
  assert.deepEqual(watcher.cut, { version: server.version }, "the poll goes on into the next wait");
  assert.equal(polls.length, 1);
  // Between the waits the service drops every connection: the carried poll fails.
  await server.setFault({ kind: "refuse" });
  try {
    await polls[0];
    // Its outcome is noted by handlers queued after the test's: let them run.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    await server.setFault(null);
  }
  assert.deepEqual(longpollEvents(lines()), [], "nothing failed before");
  const told = reached.length;
  await settle(watcher.waitForChange("a-version-the-loop-read-since", signal), 3000);
  assert.deepEqual(longpollEvents(lines()), ["longpoll-failed"]);
  const failure = reached[told];
  assert.equal(typeof failure, "string", `the failure is told to /healthz: ${String(failure)}`);
});

// A poll held until the server's own maxWait, ending unchanged right at the interval's deadline, leaves no
// poll open there to cut. Before, no /version was read then, so a change that poll did not report was
// never warned about (longpoll-missed-change needs the cut's read).
test("a long poll the server ends unchanged right at the deadline still gets the deadline's /version read", async () => {
  const intervalMs = 1000;
  let offsetMs = 0;
  // The monotonic clock the watcher reads: the server's answer comes as the deadline is reached.
  const clock = { monotonic: () => performance.now() + offsetMs, wall: () => Date.now() };
  let moved = "";
  const timingOut: MetadataClient = {
    ...client,
    baseUrl: client.baseUrl,
    // Held 600 ms while the version moves (not reported), then ended unchanged at the deadline.
    waitForVersion: async (last, _maxWait, signal) => {
      moved = server.reload();
      await delay(600, undefined, { signal });
      offsetMs += intervalMs;
      return last;
    },
  };
  const { logger } = captureLogger();
  const watcher = createVersionWatcher(timingOut, intervalMs, logger, clock);
  const before = server.version;
  assert.equal(await settle(watcher.waitForChange(before, new AbortController().signal), 3000), "interval");
  assert.notEqual(moved, before);
  assert.deepEqual(watcher.cut, { version: moved }, "/version read at the deadline: the change is seen");
});

// A metadata client with a 30 s request timeout, on the stand-in.
function patientClient(): MetadataClient {
  return createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19", timeoutMs: 30_000 });
}

// The plain GET /version requests the stand-in has seen (long polls left out).
function plainGets(): number {
  return server.requests.count(/\/version$/) - server.requests.longPolls;
}

// Once `wait` asked /version at its deadline (a plain GET past the `gets` seen before), stops it: the wait
// ends at once, with no version read and nothing cut.
async function stopAtDeadlineRead(
  watcher: VersionWatcher,
  wait: Promise<WakeReason>,
  stop: AbortController,
  gets: number,
): Promise<void> {
  await waitFor("the GET /version at the deadline", 3000, () => (plainGets() > gets ? true : undefined));
  stop.abort();
  assert.equal(await settle(wait, 2000), "aborted");
  assert.equal(watcher.cut, null, "no version read: nothing cut");
}

test("a stop during the deadline's /version read after a poll the server ended unchanged ends the wait at once", async () => {
  const intervalMs = 1000;
  let offsetMs = 0;
  const clock = { monotonic: () => performance.now() + offsetMs, wall: () => Date.now() };
  // A 30 s request timeout: a stop that waited for the GET would not end the wait within the test's 2 s.
  const patient = patientClient();
  const timingOut: MetadataClient = {
    ...patient,
    baseUrl: patient.baseUrl,
    // Held 600 ms, then ended unchanged at the deadline; every request from then on is held 60 s.
    waitForVersion: async (last, _maxWait, signal) => {
      await delay(600, undefined, { signal });
      await server.setFault({ kind: "slow", delayMs: 60_000 });
      offsetMs += intervalMs;
      return last;
    },
  };
  const { logger } = captureLogger();
  const watcher = createVersionWatcher(timingOut, intervalMs, logger, clock);
  const stop = new AbortController();
  const gets = plainGets();
  try {
    const wait = watcher.waitForChange(server.version, stop.signal);
    await stopAtDeadlineRead(watcher, wait, stop, gets);
  } finally {
    await server.setFault(null);
  }
});

// The real server parses maxWait with Go's Atoi: a fraction of seconds ("1.3", "0.2") would not parse and
// would mean 60 s, past the client's timeout of maxWait + 10 s. Every poll asks 10 s, whatever the interval
// or the time left (until 2026-12-05 it asked the time left, in whole seconds from 1 to 10, and was cut at
// the deadline).
test("each long poll asks maxWait=10, whatever fraction of the interval is left", async (t) => {
  const { logger, lines } = captureLogger();
  const watcher = createVersionWatcher(client, 1300, logger);
  t.after(() => watcher.close());
  const seen = server.requests.entries.length;
  assert.equal(
    await settle(watcher.waitForChange(server.version, new AbortController().signal), 4000),
    "interval",
  );
  const asked = server.requests.entries
    .slice(seen)
    .filter((request) => request.longPoll)
    .map((request) => new URLSearchParams(request.query).get("maxWait"));
  assert.deepEqual(asked, ["10"], "one long poll, still open at the deadline");
  assert.deepEqual(watcher.cut, { version: server.version }, "/version read at the deadline");
  assert.deepEqual(longpollEvents(lines()), [], "the poll was held: no longpoll-failed");
});

test("aborting ends a wait at once", async () => {
  const { logger } = captureLogger();
  const watcher = createVersionWatcher(client, 60_000, logger);
  const stop = new AbortController();
  const wait = watcher.waitForChange(server.version, stop.signal);
  await waitFor("the long poll to arrive", 2000, () => (server.waitingLongPolls > 0 ? true : undefined));
  stop.abort();
  assert.equal(await settle(wait, 1000), "aborted");
});

test("a stop while /version is asked at the interval's deadline ends the wait at once, not at that request's timeout", async () => {
  const { logger } = captureLogger();
  // A 30 s request timeout: a stop that waited for the GET would not end the wait within the test's 2 s.
  const patient = patientClient();
  const watcher = createVersionWatcher(patient, 1000, logger);
  const stop = new AbortController();
  const polls = server.requests.longPolls;
  const wait = watcher.waitForChange(server.version, stop.signal);
  await waitFor("the long poll to arrive", 2000, () =>
    server.requests.longPolls > polls && server.waitingLongPolls > 0 ? true : undefined,
  );
  // Every request from now on is held 60 s (the open long poll is past that): the deadline's GET hangs.
  await server.setFault({ kind: "slow", delayMs: 60_000 });
  try {
    await stopAtDeadlineRead(watcher, wait, stop, plainGets());
  } finally {
    await server.setFault(null);
  }
});

test("a wall clock stepped back during a long poll neither makes its answer an at-once one nor stretches the interval", async (t) => {
  const wall = fakeWallClock(t);
  let calls = 0;
  // A server whose long polls end unchanged after 600 ms (its own maxWait), the first one while NTP steps
  // the wall clock back an hour.
  const stepped: MetadataClient = {
    baseUrl: "http://stepped/2015-12-19",
    getJson: async () => "v1",
    getText: async () => "",
    waitForVersion: async (_last, _maxWait, signal) => {
      calls += 1;
      if (calls === 1) wall.step(-3_600_000);
      await delay(600, undefined, { signal });
      return "v1";
    },
  };
  const { logger, lines } = captureLogger();
  const watcher = createVersionWatcher(stepped, 1000, logger);
  assert.equal(await settle(watcher.waitForChange("v1", new AbortController().signal), 3000), "interval");
  assert.equal(calls, 2, "a second long poll for the rest of the interval");
  assert.deepEqual(
    lines().map((line) => line["event"]),
    [],
    "the long poll works: no longpoll-failed",
  );
});
