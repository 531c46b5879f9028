// planUpdate on a hostile shared file: a backend of tens of thousands of containers is planned (runtime
// steps or a reload), never throws, and places every container as it should (found by a review). How long
// the two cases that were quadratic take is not asserted here (no timed unit tests): 20 000 newcomers
// behind free slots of other options took 13 s before the fix and 0.9 s after it; 60 000 backends that
// ran out at once 5.5 s and 1.5 s (measured by the review).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SharedServer, SharedTable } from "@rancher-haproxy/core";
import { assignSlots } from "../src/model/assign-slots.ts";
import { MAX_RUNTIME_STEPS, planUpdate, type AppliedState } from "../src/model/plan-update.ts";

// The step cap lifted: these cases are about planning huge step lists (the cap is the next test's).
const options = { slotsPerBlock: 10, runtimeUpdates: true, maxSteps: Infinity };

// `count` containers named <prefix>-<n> (sorted), from address 10.x.y.z of `first` on.
function servers(prefix: string, count: number, first: number, extra: Partial<SharedServer> = {}) {
  return Array.from({ length: count }, (_, index): SharedServer => {
    const n = first + index;
    const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255 || 1}`;
    return { name: `${prefix}-${String(index).padStart(6, "0")}`, address, port: 80, ...extra };
  });
}
const table = (list: SharedServer[]): SharedTable => ({
  backends: [{ name: "app", servers: list }],
  hosts: [],
});

// The state after a reload onto `t`.
function reloaded(t: SharedTable): AppliedState {
  return { baseHash: "base", table: t, slots: assignSlots(null, t.backends, 10, "reload").slots };
}

// The state after `t` went live at runtime from `from`.
function runtime(from: AppliedState, t: SharedTable): AppliedState {
  const plan = planUpdate(from, { baseHash: "base", table: t }, options);
  assert.equal(plan.kind, "runtime");
  return { baseHash: "base", table: t, slots: plan.slots };
}

describe("planUpdate on a backend of tens of thousands of containers", () => {
  // The step list was built with serverOps.push(...ops): past about 120 000 steps in one backend the
  // spread exceeds V8's argument limit, planUpdate threw a RangeError, and the pass was retried forever
  // without the change (nor a reload) ever going live.
  it("plans 60 000 newcomers (180 000 steps) without a RangeError", () => {
    const empty = runtime(reloaded(table(servers("a", 60_000, 1))), table([]));
    const plan = planUpdate(
      empty,
      { baseHash: "base", table: table(servers("b", 60_000, 100_000)) },
      options,
    );
    assert.equal(plan.kind, "runtime");
    assert.equal(plan.kind === "runtime" ? plan.serverOps.length : 0, 180_000);
  });

  // A newcomer's search for a free slot loaded with its options started at the lowest free slot each
  // time: behind 20 000 free slots of other options (a service with a maxconn label, scaled away), each
  // of 20 000 newcomers scanned them all again (13 s at 20 000, a minute at 40 000, on the applier's
  // event loop).
  it("places 20 000 newcomers behind 20 000 free slots of other options in the free slots loaded with theirs", () => {
    const limited = servers("a", 20_000, 1, { maxconn: 5 });
    const plain = servers("b", 20_000, 20_000);
    const emptied = runtime(reloaded(table([...limited, ...plain])), table([]));
    const plan = planUpdate(
      emptied,
      { baseHash: "base", table: table(servers("c", 20_000, 40_000)) },
      options,
    );
    assert.equal(plan.kind, "runtime");
    // they take the plain free slots, in order
    assert.equal(plan.slots.get("app")?.[20_000]?.server, "c-000000");
    assert.equal(plan.slots.get("app")?.[39_999]?.server, "c-019999");
  });

  // The slots-exhausted reload looked each backend up in the list of those that ran out
  // (exhausted.includes): quadratic when thousands run out at once (60 000 took 7 s, 250 000, as many as
  // the contract allows with SERVER_SLOTS=1, minutes).
  it("plans a slots-exhausted reload for 60 000 backends that ran out at once, each grown by a block", () => {
    const stacks = (each: number): SharedTable => ({
      backends: Array.from({ length: 60_000 }, (_, index) => ({
        name: `app${String(index).padStart(6, "0")}`,
        servers: servers("a", each, index * 2),
      })),
      hosts: [],
    });
    // SERVER_SLOTS=1: each backend's one slot is taken, and its second container runs it out
    const one = stacks(1);
    const full = { baseHash: "base", table: one, slots: assignSlots(null, one.backends, 1, "reload").slots };
    const plan = planUpdate(full, { baseHash: "base", table: stacks(2) }, { ...options, slotsPerBlock: 1 });
    assert.equal(plan.kind === "reload" ? plan.reason : plan.kind, "slots-exhausted");
    // each backend that ran out gets a free slot beside its two containers
    assert.equal(plan.slots.get("app059999")?.length, 3);
  });
});

// A change of more than MAX_RUNTIME_STEPS steps is one reload: each step is a master-CLI command on the
// supervisor's lock, and 80 000 of them held it 45 s (measured by a review), past /healthz's apply window.
it("plans a reload (too-many-steps) for a change of more than MAX_RUNTIME_STEPS steps, keeping the slots", () => {
  const capped = { slotsPerBlock: 10, runtimeUpdates: true };
  // 6 000 containers, 2 000 free slots (the service was scaled down from 8 000 at runtime)
  const running = servers("a", 6_000, 1);
  const from = runtime(reloaded(table(servers("a", 8_000, 1))), table(running));
  // 1 667 newcomers (3 steps each: shutdown, addr, ready) are 5 001 steps, 1 666 are 4 998
  const next = (count: number) => table([...running, ...servers("b", count, 50_000)]);
  const over = planUpdate(from, { baseHash: "base", table: next(1_667) }, capped);
  assert.equal(over.kind === "reload" ? over.reason : over.kind, "too-many-steps");
  assert.match(over.kind === "reload" ? over.detail : "", new RegExp(`more than ${MAX_RUNTIME_STEPS}`));
  assert.equal(over.slots.get("app")?.[0]?.server, "a-000000", "the running containers keep their slots");
  const under = planUpdate(from, { baseHash: "base", table: next(1_666) }, capped);
  assert.equal(under.kind, "runtime");
  assert.ok(under.kind === "runtime" && under.serverOps.length + under.mapOps.length <= MAX_RUNTIME_STEPS);
});
