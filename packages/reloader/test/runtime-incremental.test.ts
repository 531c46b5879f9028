// The reloader's per-change shortcuts give the answers of the full computation: over random sequences
// of tables read by one SharedFilesParser (which reuses unchanged backends), planUpdate equals the plan
// made from deep copies (no object shared, so no shortcut taken), and the remembering renderers give
// the bytes of renderSlottedBackends and JSON.stringify(slotsToJson).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  renderBackends,
  renderDomainMap,
  SharedFilesParser,
  type SharedBackend,
  type SharedServer,
} from "@rancher-haproxy/core";
import { assignSlots } from "../src/model/assign-slots.ts";
import { planUpdate, type AppliedState } from "../src/model/plan-update.ts";
import { slotsToJson, type SlotMap } from "../src/model/server-slots.ts";
import { renderSlottedBackends } from "../src/render/render-slotted-backends.ts";
import { SlotsJsonRenderer } from "../src/render/slots-json-renderer.ts";
import { SlottedBackendsRenderer } from "../src/render/slotted-backends-renderer.ts";

// Few names and addresses, so that consecutive tables share most backends; "9" and "10" are names
// JSON orders as numbers, before the others.
const server: fc.Arbitrary<SharedServer> = fc
  .record({
    name: fc.constantFrom("w1", "w2", "w3"),
    address: fc.constantFrom("127.0.0.1", "127.0.0.2"),
    port: fc.constant(80),
    proxy: fc.option(fc.constant("send-proxy" as const), { nil: undefined }),
    cookie: fc.option(fc.constant("c1"), { nil: undefined }),
  })
  .map(
    (s) =>
      Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as unknown as SharedServer,
  );
const backend = (name: string): fc.Arbitrary<SharedBackend> =>
  fc.record({
    name: fc.constant(name),
    servers: fc.uniqueArray(server, { selector: (s) => s.name, maxLength: 3 }),
    options: fc.option(fc.constant({ balance: "leastconn" as const }), { nil: undefined }),
  });
const NAMES = ["a", "b", "c", "9", "10"];
// A change: one backend's servers replaced (mostly an address, so options stay), its host sent to
// another backend, the backend dropped or put back.
const edit = fc.record({
  which: fc.nat(NAMES.length - 1),
  kind: fc.constantFrom("address", "address", "address", "servers", "route", "drop", "back"),
  servers: fc.uniqueArray(server, { selector: (s) => s.name, maxLength: 3 }),
});

// The first step changes nothing.
const edit0 = { which: 0, kind: "none", servers: [] };

test("planUpdate and the remembering renderers equal their full computations over change sequences", () => {
  let runtimePlans = 0;
  fc.assert(
    fc.property(
      fc.tuple(...NAMES.map(backend)),
      fc.array(edit, { minLength: 1, maxLength: 10 }),
      (start, edits) => {
        const parser = new SharedFilesParser();
        const slotted = new SlottedBackendsRenderer();
        const json = new SlotsJsonRenderer();
        const current = new Map<string, SharedBackend>(start.map((b) => [b.name, b]));
        const dropped = new Map<string, SharedBackend>();
        const routed = new Map<string, string>();
        let previous: AppliedState | null = null;
        for (const [index, { which, kind, servers }] of [null, ...edits].map(
          (e, i) => [i, e ?? edit0] as const,
        )) {
          const name = NAMES[which] ?? "a";
          const old = current.get(name) ?? dropped.get(name);
          if (old && kind === "address")
            current.set(name, {
              ...old,
              servers: old.servers.map((s, i) => (i === 0 ? { ...s, port: s.port + 1 } : s)),
            });
          if (old && kind === "servers") current.set(name, { ...old, servers });
          if (kind === "drop" && current.has(name) && old) {
            current.delete(name);
            dropped.set(name, old);
          }
          if (kind === "back" && old && !current.has(name)) current.set(name, old);
          if (kind === "route") routed.set(name, NAMES[(which + 1) % NAMES.length] ?? "a");
          const backends = [...current.values()].map((b) =>
            b.options === undefined ? { name: b.name, servers: b.servers } : b,
          );
          const hosts = backends
            .map((b) => ({ fqdn: `${b.name}.tld`, backend: routed.get(b.name) ?? b.name }))
            .filter((host) => current.has(host.backend));
          const parsed = parser.parse({
            backends: Buffer.from(renderBackends({ backends })),
            map: Buffer.from(renderDomainMap({ hosts })),
          });
          assert.ok(parsed.ok);
          const next = { baseHash: "base", table: parsed.table };
          const options = { slotsPerBlock: 2, runtimeUpdates: index % 7 !== 6 };
          const plan = planUpdate(previous, next, options);
          // The slot maps compared as maps (a runtime plan's may be an overlay of the last one).
          const plain = (made: typeof plan) => ({ ...made, slots: new Map(made.slots) });
          // Each cloned on its own: one structuredClone of both keeps an object they share shared (a
          // backend the parse reused), and the identity shortcuts would be taken on both sides alike.
          const cloned: { previous: AppliedState | null; next: typeof next } = {
            previous: previous === null ? null : structuredClone(previous),
            next: structuredClone(next),
          };
          if (cloned.previous) cloned.previous.slots = new Map(structuredClone([...(previous?.slots ?? [])]));
          assert.deepEqual(plain(plan), plain(planUpdate(cloned.previous, cloned.next, options)));
          const slots: SlotMap =
            plan.kind === "runtime"
              ? plan.slots
              : assignSlots(previous?.slots ?? null, next.table.backends, 2, "reload").slots;
          if (plan.kind === "runtime") runtimePlans += 1;
          // An oracle of its own: the map steps, applied to what ran, give the new map.
          if (plan.kind === "runtime" && previous !== null) {
            const ran: ReadonlyArray<{ fqdn: string; backend: string }> = previous.table.hosts;
            const routedNow = new Map<string, string>();
            for (const host of ran) routedNow.set(host.fqdn, host.backend);
            for (const op of plan.mapOps)
              if (op.map === undefined)
                if (op.action === "del") routedNow.delete(op.fqdn);
                else routedNow.set(op.fqdn, op.backend);
            const wanted = new Map<string, string>();
            for (const host of next.table.hosts) wanted.set(host.fqdn, host.backend);
            assert.deepEqual(routedNow, wanted);
          }
          assert.equal(
            Buffer.concat(slotted.render(next.table, slots)).toString(),
            renderSlottedBackends(next.table, slots),
          );
          assert.equal(
            Buffer.concat(json.render(slots)).toString(),
            `${JSON.stringify(slotsToJson(slots))}\n`,
          );
          previous = { baseHash: "base", table: next.table, slots };
        }
      },
    ),
    { numRuns: 200 },
  );
  assert.ok(runtimePlans > 100, `only ${runtimePlans} runtime plans: the shortcuts are barely exercised`);
});
