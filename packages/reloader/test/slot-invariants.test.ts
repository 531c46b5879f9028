// Randomized (fixed seeds) walks of the runtime-or-reload plan over scale events, renames, re-addressing,
// label, check and sticky cookie changes, stacks added and removed and restarts, checking what every
// assignment must hold whatever the path to it: a kept container never moves (its streams would be cut),
// every container has exactly one slot with its own options (PROXY, maxconn, check, cookie), a backend
// is whole blocks and a reload's size is bounded, and the same input gives the same plan.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { SharedBackend, SharedServer, SharedTable } from "@rancher-haproxy/core";
import { seededRandom } from "@rancher-haproxy/test-support";
import { planUpdate, type AppliedState } from "../src/model/plan-update.ts";
import { sameOptions, serverOptions, type SlotMap } from "../src/model/server-slots.ts";

const SERVICES: { name: string; options: Partial<SharedServer> }[] = [
  { name: "a", options: {} },
  { name: "b", options: { maxconn: 10 } },
  { name: "c", options: { maxconn: 20 } },
  { name: "d", options: { proxy: "send-proxy" } },
];

// One walk: `steps` random changes of a table of one HTTP backend and one TCP backend (the same
// services, without the check), and now and then a third backend.
function walk(seed: number, steps: number): void {
  const next = seededRandom(seed);
  const pick = (count: number) => Math.floor(next() * count);
  const block = [2, 4, 10][pick(3)] ?? 4;
  const services = SERVICES.slice(0, 1 + pick(SERVICES.length));
  const counts = services.map(() => pick(4));
  const generation = services.map(() => 0);
  const hosts = new Map<string, number>();
  let check = false;
  let sticky = false;
  let stack = false;
  const build = (): SharedTable => {
    const servers: SharedServer[] = [];
    const tcp: SharedServer[] = [];
    for (const [index, service] of services.entries())
      for (let count = 0; count < (counts[index] ?? 0); count++) {
        const name = `${service.name}-${count}-${generation[index] ?? 0}`;
        if (!hosts.has(name)) hosts.set(name, hosts.size + 1);
        const host = hosts.get(name) ?? 0;
        const address = `10.${Math.floor(host / 62500) % 250}.${Math.floor(host / 250) % 250}.${(host % 250) + 1}`;
        tcp.push({ name, address, port: 80, ...service.options });
        const cookie = sticky ? { cookie: `k${host}` } : {};
        servers.push({
          name,
          address,
          port: 80,
          ...service.options,
          ...(check ? { check: true } : {}),
          ...cookie,
        });
      }
    const settings = { ...(check ? { check: "/health" } : {}), ...(sticky ? { sticky: true as const } : {}) };
    const app: SharedBackend = { name: "app", servers, ...(check || sticky ? { options: settings } : {}) };
    const backends: SharedBackend[] = [app, { name: "tcp_9000", mode: "tcp", servers: tcp }];
    if (stack) backends.push({ name: "zoo", servers: [{ name: "z-1", address: "10.9.9.9", port: 80 }] });
    return { backends, hosts: [] };
  };
  let state: AppliedState | null = null;
  let lastSlots: SlotMap | null = null;
  for (let step = 0; step < steps; step++) {
    const roll = next();
    const service = pick(services.length);
    if (roll < 0.6) counts[service] = Math.max(0, Math.min(25, (counts[service] ?? 0) + pick(7) - 3));
    else if (roll < 0.7) generation[service] = (generation[service] ?? 0) + 1;
    else if (roll < 0.8) stack = !stack;
    else if (roll < 0.85 && pick(2) === 0) check = !check;
    else if (roll < 0.85) sticky = !sticky;
    else if (roll < 0.9 && hosts.size > 0) {
      const names = [...hosts.keys()];
      const name = names[pick(names.length)] ?? "";
      hosts.set(name, (hosts.get(name) ?? 0) + 100_000);
    } else if (roll < 0.95) state = null; // a restart: what HAProxy runs is not known
    const target = { baseHash: "base", table: build() };
    const options: Parameters<typeof planUpdate>[2] = {
      slotsPerBlock: block,
      runtimeUpdates: true,
      lastSlots,
    };
    const plan = planUpdate(state, target, options);
    const at = `seed ${seed} step ${step} (${plan.kind === "reload" ? plan.reason : "runtime"})`;
    assert.deepEqual(planUpdate(state, target, options), plan, `the same plan: ${at}`);
    const before = state?.slots ?? lastSlots;
    for (const backend of target.table.backends) {
      const slots = plan.slots.get(backend.name) ?? [];
      assert.equal(slots.length % block, 0, `whole blocks: ${at}`);
      const held = slots.flatMap((slot) => (slot.server === null ? [] : [slot.server]));
      assert.deepEqual(
        held.sort(),
        backend.servers.map((one) => one.name).sort(),
        `each container in one slot: ${at}`,
      );
      for (const slot of slots) {
        const server = backend.servers.find((one) => one.name === slot.server);
        if (server) assert.ok(sameOptions(slot.options, serverOptions(server)), `its options: ${at}`);
      }
      const old = before?.get(backend.name);
      if (old === undefined) continue;
      const was = state?.table.backends.find((one) => one.name === backend.name)?.servers ?? [];
      let highest = -1;
      for (const [index, slot] of old.entries()) {
        const now = backend.servers.find((one) => one.name === slot.server);
        if (now === undefined) continue;
        highest = index;
        const then = was.find((one) => one.name === slot.server);
        // A re-addressed container moves to another slot (assign-slots.ts); any other stays.
        if (then !== undefined && (then.address !== now.address || then.port !== now.port)) continue;
        assert.equal(slots[index]?.server, slot.server, `a kept container stays: ${at}`);
      }
      if (plan.kind !== "reload") continue;
      // Its kept containers and its count, one spare block, and blocks for up to 8 option sets.
      const needed = Math.ceil(Math.max(backend.servers.length, highest + 1) / block) * block;
      const bound = needed + block + Math.ceil(8 / block) * block;
      assert.ok(slots.length <= bound, `a reload's size ${slots.length} > ${bound}: ${at}`);
    }
    state = { baseHash: "base", table: target.table, slots: plan.slots };
    lastSlots = plan.slots;
  }
}

it("keeps every container where it was, bounded and the same for the same input, over random walks", () => {
  for (let seed = 1; seed <= 60; seed++) walk(seed, 50);
});
