// A slot never takes a new address in the change that took its old one away (issue 12): a request in
// flight on the old address would leave its server connection attached to a keep-alive client's
// session, which then keeps reaching the old address through the slot (HAProxy 2.6). Re-addressed
// containers move to another free slot; a slot freed by a change is reused from the next change on.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SharedBackend, SharedServer, SharedTable } from "@rancher-haproxy/core";
import { serverCommand } from "../src/haproxy/runtime-commands.ts";
import { assignSlots } from "../src/model/assign-slots.ts";
import { planUpdate, type AppliedState } from "../src/model/plan-update.ts";

const server = (name: string, last: number): SharedServer => ({ name, address: `10.0.0.${last}`, port: 80 });
const table = (servers: SharedServer[]): SharedTable => ({
  backends: [{ name: "app", servers } satisfies SharedBackend],
  hosts: [{ fqdn: "app.tld", backend: "app" }],
});
const options = { slotsPerBlock: 4, runtimeUpdates: true };
const applied = (t: SharedTable): AppliedState => ({
  baseHash: "base",
  table: t,
  slots: assignSlots(null, t.backends, 4, "reload").slots,
});
const commands = (previous: AppliedState, next: SharedTable) => {
  const plan = planUpdate(previous, { baseHash: "base", table: next }, options);
  assert.equal(plan.kind, "runtime");
  return plan.kind === "runtime" ? plan.serverOps.map((op) => serverCommand(op).command) : [];
};

describe("slot reuse at runtime", () => {
  it("moves a re-addressed container to another slot and leaves its old slot in maintenance", () => {
    const before = applied(table([server("a", 1), server("b", 2)]));
    assert.deepEqual(commands(before, table([server("a", 1), server("b", 9)])), [
      "shutdown sessions server app/s3",
      "set server app/s3 addr 10.0.0.9 port 80",
      "set server app/s3 state ready",
      "set server app/s2 state maint",
    ]);
  });

  it("gives a container replacing another a slot that was already free", () => {
    const before = applied(table([server("a", 1), server("b", 2)]));
    assert.deepEqual(commands(before, table([server("a", 1), server("c", 3)])), [
      "shutdown sessions server app/s3",
      "set server app/s3 addr 10.0.0.3 port 80",
      "set server app/s3 state ready",
      "set server app/s2 state maint",
    ]);
  });

  it("reuses a freed slot from the next change on, and reloads when only freed slots are left", () => {
    // a full block: the slot b frees is the only free one (a newcomer takes a slot that never had an
    // address first, see the next test)
    const one = table([server("a", 1), server("b", 2), server("d", 4), server("e", 5)]);
    const two = table([server("a", 1), server("d", 4), server("e", 5)]);
    const plan = planUpdate(applied(one), { baseHash: "base", table: two }, options);
    const after: AppliedState = { baseHash: "base", table: two, slots: plan.slots };
    assert.deepEqual(
      commands(after, table([server("a", 1), server("c", 3), server("d", 4), server("e", 5)])),
      [
        "shutdown sessions server app/s2",
        "set server app/s2 addr 10.0.0.3 port 80",
        "set server app/s2 state ready",
      ],
    );
    const full = applied(table([1, 2, 3, 4].map((n) => server(`s-${n}`, n))));
    const moved = table([1, 2, 3, 5].map((n) => server(`s-${n}`, n)));
    const reload = planUpdate(full, { baseHash: "base", table: moved }, options);
    assert.deepEqual(reload.kind === "reload" && reload.reason, "slots-exhausted");
  });

  // A container out of the routing (unhealthy) keeps its streams in its slot, in maintenance, until a
  // container at another address takes that slot (with `shutdown sessions`): a newcomer takes a free
  // slot that holds no address first, so a database briefly unhealthy while another container came kept
  // its clients (until 2026-12-05 the newcomer took the lowest free slot, the database's).
  it("gives a newcomer a free slot that holds no address before one a container only left", () => {
    const one = table([server("a", 1), server("b", 2)]);
    const two = table([server("b", 2)]);
    const plan = planUpdate(applied(one), { baseHash: "base", table: two }, options);
    let after: AppliedState = { baseHash: "base", table: two, slots: plan.slots };
    const servers = [server("b", 2), server("c", 3), server("d", 4)];
    const three = table(servers);
    assert.deepEqual(commands(after, three), [
      "shutdown sessions server app/s3",
      "shutdown sessions server app/s4",
      "set server app/s3 addr 10.0.0.3 port 80",
      "set server app/s4 addr 10.0.0.4 port 80",
      "set server app/s3 state ready",
      "set server app/s4 state ready",
    ]);
    const four = planUpdate(after, { baseHash: "base", table: three }, options);
    after = { baseHash: "base", table: three, slots: four.slots };
    assert.deepEqual(commands(after, table([server("a", 1), ...servers])), [
      "set server app/s1 addr 10.0.0.1 port 80",
      "set server app/s1 state ready",
    ]);
  });

  // Found by a review: the reload kept the backend at its size (a reload puts the newcomer in the
  // freed slot), so every later replacement in that full backend was one more slots-exhausted reload.
  it("grows a backend that ran out by a block, so the next replacement needs no reload", () => {
    const full = applied(table([1, 2, 3, 4].map((n) => server(`s-${n}`, n))));
    const replaced = table([2, 3, 4, 5].map((n) => server(`s-${n}`, n)));
    const reload = planUpdate(full, { baseHash: "base", table: replaced }, options);
    assert.equal(reload.kind === "reload" && reload.reason, "slots-exhausted");
    assert.equal(reload.slots.get("app")?.length, 8, "one more block");
    const after: AppliedState = { baseHash: "base", table: replaced, slots: reload.slots };
    const again = table([3, 4, 5, 6].map((n) => server(`s-${n}`, n)));
    assert.equal(planUpdate(after, { baseHash: "base", table: again }, options).kind, "runtime");
  });

  // Found by a review: the block was given only when the reload's reason was slots-exhausted; a
  // replacement in a full backend that came with a reload for another reason (a stack added, another
  // backend's options) had the newcomer take the freed slot, so the next replacement reloaded again.
  it("grows a backend that ran out by a block when the change reloads for another reason", () => {
    const full = applied(table([1, 2, 3, 4].map((n) => server(`s-${n}`, n))));
    const withApi = (servers: SharedServer[]): SharedTable => ({
      backends: [{ name: "api", servers: [server("x", 50)] }, ...table(servers).backends],
      hosts: table(servers).hosts,
    });
    const replaced = withApi([2, 3, 4, 5].map((n) => server(`s-${n}`, n)));
    const reload = planUpdate(full, { baseHash: "base", table: replaced }, options);
    assert.equal(reload.kind === "reload" && reload.reason, "backends-changed");
    const after: AppliedState = { baseHash: "base", table: replaced, slots: reload.slots };
    const again = withApi([3, 4, 5, 6].map((n) => server(`s-${n}`, n)));
    const next = planUpdate(after, { baseHash: "base", table: again }, options);
    assert.equal(next.kind === "reload" ? next.detail : next.kind, "runtime");
  });
});
