// The mass-removal guard's pure parts, table-driven with an injected clock: when a candidate is held,
// when it is applied, when a hold restarts; server keys from tables and files; churn detection.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  buildRoutingTable,
  decideRemovalHold,
  fingerprintTable,
  observeChurn,
  parseServerKeys,
  renderBackends,
  routedServerKeys,
  CHURN_CYCLE_GAP_MS,
  CHURN_SPACING_MS,
  CHURN_THRESHOLD,
  createLoopWatchdog,
  cycleMovedRouting,
  type ChurnState,
  type LoopWake,
  type PendingRemoval,
  type RemovalGuardSettings,
} from "../src/index.js";
import { captureLogger, container, MODEL_OPTIONS } from "./helpers.js";

const SETTINGS: RemovalGuardSettings = { maxRemovalShare: 0.5, confirmMs: 30_000 };
const keys = (n: number, prefix = "s") => new Set(Array.from({ length: n }, (_, i) => `app/${prefix}${i}`));

interface Case {
  name: string;
  applied: Set<string> | null;
  candidate: Set<string>;
  fingerprint?: string;
  pending?: PendingRemoval | null;
  now?: number;
  settings?: Partial<RemovalGuardSettings>;
  expect: {
    action: "apply" | "hold";
    removed?: number;
    share?: number;
    started?: boolean;
    since?: number;
    releaseAt?: number;
    release?: "confirmed" | "recovered" | "expired" | null;
  };
}

const NOW = 1_000_000;
const CASES: Case[] = [
  { name: "no files yet: apply", applied: null, candidate: keys(0), expect: { action: "apply", removed: 0 } },
  {
    name: "growth 4 -> 8: apply",
    applied: keys(4),
    candidate: keys(8),
    expect: { action: "apply", removed: 0 },
  },
  {
    name: "half removed (4 -> 2) is not more than 0.5: apply",
    applied: keys(4),
    candidate: keys(2),
    expect: { action: "apply", removed: 2, share: 0.5 },
  },
  {
    name: "4 -> 1 removes 75 %: hold starts now",
    applied: keys(4),
    candidate: keys(1),
    expect: { action: "hold", removed: 3, share: 0.75, started: true, since: NOW, releaseAt: NOW + 30_000 },
  },
  {
    name: "N -> 0 holds",
    applied: keys(4),
    candidate: keys(0),
    expect: { action: "hold", removed: 4, share: 1, started: true },
  },
  {
    name: "1 -> 0 holds too (a single container is 100 %)",
    applied: keys(1),
    candidate: keys(0),
    expect: { action: "hold", share: 1 },
  },
  {
    name: "all replaced by new servers in the same backend (an upgrade) removes no capacity: apply",
    applied: keys(4),
    candidate: keys(4, "new"),
    expect: { action: "apply", removed: 0, share: 0 },
  },
  {
    name: "a one-container upgrade (old gone, new one routed in the same answer): apply",
    applied: keys(1),
    candidate: keys(1, "new"),
    expect: { action: "apply", removed: 0 },
  },
  {
    name: "4 -> 1 new server: 3 of the lost 4 are not made up for: hold",
    applied: keys(4),
    candidate: keys(1, "new"),
    expect: { action: "hold", removed: 3, share: 0.75 },
  },
  {
    name: "servers replaced in another backend do not make up for this one's",
    applied: keys(4),
    candidate: new Set(["other/n0", "other/n1", "other/n2", "other/n3"]),
    expect: { action: "hold", removed: 4 },
  },
  {
    name: "a renamed stack: the same servers under a new backend are not removed",
    applied: new Set(["shop/web-u1", "shop/web-u2", "blog/web-u3"]),
    candidate: new Set(["store/web-u1", "store/web-u2", "blog/web-u3"]),
    expect: { action: "apply", removed: 0 },
  },
  {
    name: "a moved server is not new to its new backend: it makes up for nothing there",
    applied: new Set(["a/x1", "a/x2", "b/y1", "b/y2"]),
    candidate: new Set(["a/x1", "a/x2", "a/y1"]),
    expect: { action: "apply", removed: 1, share: 0.25 },
  },
  {
    name: "the same answer within the window: hold goes on, since kept",
    applied: keys(4),
    candidate: keys(0),
    fingerprint: "f0",
    pending: { fingerprint: "f0", since: NOW - 29_999, heldSince: NOW - 29_999 },
    expect: { action: "hold", started: false, since: NOW - 29_999, releaseAt: NOW + 1 },
  },
  {
    name: "the same answer for the whole window: applied (confirmed)",
    applied: keys(4),
    candidate: keys(0),
    fingerprint: "f0",
    pending: { fingerprint: "f0", since: NOW - 30_000, heldSince: NOW - 30_000 },
    expect: { action: "apply", release: "confirmed", removed: 4 },
  },
  {
    name: "another reduced answer restarts the window",
    applied: keys(4),
    candidate: keys(1),
    fingerprint: "f1",
    pending: { fingerprint: "f0", since: NOW - 60_000, heldSince: NOW - 60_000 },
    expect: { action: "hold", started: true, since: NOW, releaseAt: NOW + 30_000 },
  },
  {
    name: "another reduced answer keeps the hold's start: released by 4 windows in all at the latest",
    applied: keys(4),
    candidate: keys(1),
    fingerprint: "f1",
    pending: { fingerprint: "f0", since: NOW - 5000, heldSince: NOW - 100_000 },
    expect: { action: "hold", started: true, since: NOW, releaseAt: NOW + 20_000 },
  },
  {
    name: "reduced answers that kept changing for 4 windows: the newest is applied (expired)",
    applied: keys(4),
    candidate: keys(1),
    fingerprint: "f1",
    pending: { fingerprint: "f0", since: NOW - 5000, heldSince: NOW - 120_000 },
    expect: { action: "apply", release: "expired", removed: 3 },
  },
  {
    name: "the answer came back (flap over): applied, hold ends as recovered",
    applied: keys(4),
    candidate: keys(4),
    pending: { fingerprint: "f0", since: NOW - 5000, heldSince: NOW - 5000 },
    expect: { action: "apply", release: "recovered", removed: 0 },
  },
  {
    name: "window 0 disables the guard",
    applied: keys(4),
    candidate: keys(0),
    settings: { confirmMs: 0 },
    expect: { action: "apply", removed: 4 },
  },
  {
    name: "share 1 never holds",
    applied: keys(4),
    candidate: keys(0),
    settings: { maxRemovalShare: 1 },
    expect: { action: "apply" },
  },
  {
    name: "share 0 holds any removal",
    applied: keys(10),
    candidate: keys(9),
    settings: { maxRemovalShare: 0 },
    expect: { action: "hold", removed: 1 },
  },
];

test("decideRemovalHold: apply at once, hold, confirm, restart, recover", () => {
  for (const c of CASES) {
    const decision = decideRemovalHold({
      applied: c.applied,
      candidate: c.candidate,
      fingerprint: c.fingerprint ?? "f0",
      pending: c.pending ?? null,
      now: c.now ?? NOW,
      wallNow: c.now ?? NOW,
      settings: { ...SETTINGS, ...c.settings },
    });
    const e = c.expect;
    assert.equal(decision.action, e.action, c.name);
    if (e.removed !== undefined) assert.equal(decision.removal.removed, e.removed, c.name);
    if (e.share !== undefined) assert.equal(decision.removal.share, e.share, c.name);
    if (decision.action === "hold") {
      if (e.started !== undefined) assert.equal(decision.started, e.started, c.name);
      if (e.since !== undefined) assert.equal(decision.pending.since, e.since, c.name);
      if (e.releaseAt !== undefined) assert.equal(decision.releaseAt, e.releaseAt, c.name);
      assert.match(decision.reason, /keeping the last files/, c.name);
    } else if (e.release !== undefined) assert.equal(decision.release?.outcome ?? null, e.release, c.name);
  }
});

test("answers that alternate between two reduced ones (a container crash-looping while stacks are gone) are applied after 4 windows", () => {
  let pending: PendingRemoval | null = null;
  let appliedAt: number | null = null;
  let release: string | null = null;
  for (let now = 0; now <= 600_000 && appliedAt === null; now += 20_000) {
    const decision = decideRemovalHold({
      applied: keys(10),
      candidate: keys(now % 40_000 === 0 ? 2 : 3),
      fingerprint: now % 40_000 === 0 ? "two" : "three",
      pending,
      now,
      wallNow: now,
      settings: SETTINGS,
    });
    if (decision.action === "hold") pending = decision.pending;
    else [appliedAt, release] = [now, decision.release?.outcome ?? null];
  }
  // Each answer restarted the 30 s window, and nothing was applied for as long as they alternated.
  assert.equal(appliedAt, 120_000);
  assert.equal(release, "expired");
});

test("a hold walks through a whole window with a ticking clock and applies exactly at its end", () => {
  let pending: PendingRemoval | null = null;
  const actions: string[] = [];
  for (let now = 0; now <= 4000; now += 1000) {
    const decision = decideRemovalHold({
      applied: keys(4),
      candidate: keys(0),
      fingerprint: "empty",
      pending,
      now,
      wallNow: now,
      settings: { maxRemovalShare: 0.5, confirmMs: 3000 },
    });
    pending = decision.action === "hold" ? decision.pending : null;
    actions.push(decision.action);
  }
  assert.deepEqual(actions, ["hold", "hold", "hold", "apply", "hold"]);
});

test("server keys from a table equal the keys parsed back from its rendered backends file", () => {
  const table = buildRoutingTable(
    {
      containers: [
        container({ stack_name: "Shop" }),
        container({ stack_name: "shop", service_name: "api" }),
        container({ stack_name: "blog", labels: { "map-public-http": "8080", "send-proxy": "send-proxy" } }),
        container({ stack_name: "blog", state: "stopped" }),
      ],
      aliases: {},
    },
    MODEL_OPTIONS,
  );
  const fromTable = routedServerKeys(table);
  assert.equal(fromTable.size, 2);
  assert.deepEqual(parseServerKeys(renderBackends(table)), fromTable);
  assert.deepEqual(
    parseServerKeys(
      "# hand-edited\nserver lost 9.9.9.9:1\nbackend a\n  mode http\n  server x 1.2.3.4:80\nserver y 5.6.7.8:80\n" +
        "frontend f\n  server no 1.1.1.1:1\nbackend b\n\tserver z 1.1.1.1:1 check\n",
    ),
    new Set(["a/x", "a/y", "b/z"]),
    "a section runs until the next section keyword, whatever the indent",
  );
  assert.deepEqual(parseServerKeys(""), new Set());
});

test("fingerprints are equal for equal tables and differ when any line differs", () => {
  const one = container();
  const a = buildRoutingTable({ containers: [one], aliases: { shop: ["www"] } }, MODEL_OPTIONS);
  const b = buildRoutingTable(
    { containers: [structuredClone(one)], aliases: { shop: ["www"] } },
    MODEL_OPTIONS,
  );
  const c = buildRoutingTable({ containers: [one], aliases: {} }, MODEL_OPTIONS);
  const d = buildRoutingTable(
    { containers: [{ ...one, primary_ip: "127.0.0.99" }], aliases: {} },
    MODEL_OPTIONS,
  );
  assert.equal(fingerprintTable(a), fingerprintTable(b));
  assert.notEqual(fingerprintTable(a), fingerprintTable(c));
  assert.notEqual(fingerprintTable(c), fingerprintTable(d));
});

test("observeChurn: enough idle version changes in a row start churn; an interval wake ends it", () => {
  let state: ChurnState = { churning: false, idleChanges: 0 };
  const transitions: (string | null)[] = [];
  const step = (wake: LoopWake, changed: boolean) => {
    const next = observeChurn(state, wake, changed);
    state = next.state;
    transitions.push(next.transition);
  };
  for (let i = 0; i < CHURN_THRESHOLD - 1; i++) step("changed", false);
  step("changed", true); // a real change resets the count
  assert.equal(state.churning, false);
  for (let i = 0; i < CHURN_THRESHOLD; i++) step("changed", false);
  assert.equal(state.churning, true);
  step("changed", false);
  step("retry", false);
  step("hold-expired", false);
  assert.equal(state.churning, true, "only an interval wake ends churn");
  step("interval", false);
  assert.equal(state.churning, false);
  assert.deepEqual(
    transitions.filter((t) => t !== null),
    ["started", "ended"],
  );
});

test("idle changes spaced CHURN_SPACING_MS or more apart are a busy environment: no churn, and a churn ends", () => {
  const { logger, lines } = captureLogger();
  let at = 0;
  const watchdog = createLoopWatchdog(logger, () => at);
  // Unrelated containers changing every 3 s: the version moves, the routing does not.
  for (let i = 0; i < 3 * CHURN_THRESHOLD; i++) {
    at += 3000;
    watchdog.afterCycle("changed", `busy-${i}`, false);
  }
  assert.equal(watchdog.minGapMs(250), 250, "not slowed down");
  // A server whose version moves on every request (cycles 250 ms apart, then 1 s once slowed): churn.
  for (let i = 0; i < CHURN_THRESHOLD; i++) {
    at += 250;
    watchdog.afterCycle("changed", `churn-${i}`, false);
  }
  assert.equal(watchdog.minGapMs(250), CHURN_CYCLE_GAP_MS);
  at += CHURN_CYCLE_GAP_MS + 100;
  watchdog.afterCycle("changed", "still-churning", false);
  assert.equal(watchdog.minGapMs(250), CHURN_CYCLE_GAP_MS, "slowed to the churn gap, it still counts");
  // Once idle changes come CHURN_SPACING_MS apart, the churn is over (no quiet interval needed).
  at += CHURN_SPACING_MS;
  watchdog.afterCycle("changed", "busy-again", false);
  assert.equal(watchdog.minGapMs(250), 250);
  assert.deepEqual(
    lines()
      .map((line) => line["event"])
      .filter((event) => String(event).startsWith("version-churn")),
    ["version-churn", "version-churn-ended"],
  );
});

test("the loop watchdog reports a change only the interval refetch found, once per episode", () => {
  const { logger, lines } = captureLogger();
  const watchdog = createLoopWatchdog(logger);
  const missed = () => lines().filter((line) => line["event"] === "longpoll-missed-change");
  watchdog.afterCycle("start", "v1", true);
  watchdog.afterCycle("interval", "v1", false); // quiet interval: nothing missed
  watchdog.afterCycle("retry", "v2", true); // after a failure: not the long poll's fault
  assert.equal(missed().length, 0);
  watchdog.afterCycle("interval", "v3", true);
  watchdog.afterCycle("interval", "v4", true);
  assert.deepEqual(
    missed().map((line) => [line["from"], line["to"]]),
    [["v2", "v3"]],
  );
  watchdog.afterCycle("changed", "v5", true); // the long poll works again
  watchdog.afterCycle("interval", "v6", true);
  assert.equal(missed().length, 2);
  assert.equal(watchdog.minGapMs(250), 250);
  for (let i = 0; i < CHURN_THRESHOLD; i++) watchdog.afterCycle("changed", `c${i}`, false);
  assert.equal(watchdog.minGapMs(250), CHURN_CYCLE_GAP_MS, "churn slows the loop down");
  assert.equal(lines().filter((line) => line["event"] === "version-churn").length, 1);
});

test("a held removal counts as a routing change for the churn count; an unchanged cycle does not", () => {
  const hold = decideRemovalHold({
    applied: keys(4),
    candidate: keys(0),
    fingerprint: "empty",
    pending: null,
    now: 0,
    wallNow: 0,
    settings: SETTINGS,
  });
  assert.equal(hold.action, "hold");
  const unchanged = [{ path: "b.cfg", status: "unchanged" as const }];
  assert.equal(cycleMovedRouting({ outcomes: unchanged, guard: hold }), true, "held: no version churn");
  assert.equal(cycleMovedRouting({ outcomes: unchanged, guard: null }), false);
  const { logger, lines } = captureLogger();
  const watchdog = createLoopWatchdog(logger);
  for (let i = 0; i < CHURN_THRESHOLD + 2; i++)
    watchdog.afterCycle("changed", `v${i}`, cycleMovedRouting({ outcomes: unchanged, guard: hold }));
  assert.equal(lines().filter((line) => line["event"] === "version-churn").length, 0);
});

test("the windows run on the monotonic clock; the wall clock only dates the times shown, a step of it changes no decision", () => {
  const WALL = Date.UTC(2026, 11, 1, 12, 0, 0);
  const HOUR = 3_600_000;
  const decide = (now: number, wallNow: number, pending: PendingRemoval | null) =>
    decideRemovalHold({
      applied: keys(4),
      candidate: keys(0),
      fingerprint: "empty",
      pending,
      now,
      wallNow,
      settings: SETTINGS,
    });
  const first = decide(5_000, WALL, null);
  assert.ok(first.action === "hold");
  assert.equal(first.releaseAt, 5_000 + SETTINGS.confirmMs);
  assert.deepEqual(first.shown, { since: WALL, heldSince: WALL, releaseAt: WALL + SETTINGS.confirmMs });
  // 15 s later by the monotonic clock, the wall clock stepped back an hour: the same window, shown as it reads.
  const stepped = decide(20_000, WALL + 15_000 - HOUR, first.pending);
  assert.ok(stepped.action === "hold");
  assert.equal(stepped.releaseAt, first.releaseAt);
  assert.equal(stepped.shown.releaseAt, WALL + SETTINGS.confirmMs - HOUR);
  const done = decide(5_000 + SETTINGS.confirmMs, WALL - HOUR, stepped.pending);
  assert.equal(done.action === "apply" ? done.release?.outcome : done.action, "confirmed");
});
