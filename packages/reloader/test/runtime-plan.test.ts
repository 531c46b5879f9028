// Pure pieces of the runtime-API path: slot assignment, the slotted rendering, the runtime-or-reload
// plan (with the path-host markers), the answer allow-list and the read-back comparison.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  parseSharedFiles,
  type SharedBackend,
  type SharedServer,
  type SharedTable,
} from "@rancher-haproxy/core";
import { parseServersState } from "../src/haproxy/parse-servers-state.ts";
import { runtimePhases } from "../src/reload/apply-runtime.ts";
import { mapCommand, serverCommand } from "../src/haproxy/runtime-commands.ts";
import { assignSlots } from "../src/model/assign-slots.ts";
import { compareMapEntry, compareServers } from "../src/model/compare-readback.ts";
import { withMarkerOps } from "../src/model/path-host-markers.ts";
import { planUpdate, type AppliedState } from "../src/model/plan-update.ts";
import { slotsToJson, type SlotMap } from "../src/model/server-slots.ts";
import { renderPathHostsMap, renderPathHostsMapOf } from "../src/render/render-path-hosts-map.ts";
import { renderSlottedBackends } from "../src/render/render-slotted-backends.ts";
import { readSlots } from "../src/sources/read-slots.ts";

const server = (name: string, last: number, extra: Partial<SharedServer> = {}): SharedServer => ({
  name,
  address: `10.0.0.${last}`,
  port: 80,
  ...extra,
});
const backend = (name: string, servers: SharedServer[]): SharedBackend => ({ name, servers });
const table = (backends: SharedBackend[], hosts: Record<string, string> = {}): SharedTable => ({
  backends,
  hosts: Object.entries(hosts).map(([fqdn, to]) => ({ fqdn, backend: to })),
});
const holders = (slots: SlotMap, name: string) => slots.get(name)?.map((slot) => slot.server);
const options = { slotsPerBlock: 4, runtimeUpdates: true };

// The applied state of `t` after a reload (slots assigned afresh from `previous`).
function applied(t: SharedTable, previous: SlotMap | null = null): AppliedState {
  return { baseHash: "base", table: t, slots: assignSlots(previous, t.backends, 4, "reload").slots };
}

describe("assignSlots", () => {
  it("keeps a container's slot, gives a newcomer the lowest free slot, grows by one block", () => {
    const first = assignSlots(null, [backend("app", [server("b", 2), server("a", 1)])], 2, "reload");
    assert.deepEqual(holders(first.slots, "app"), ["a", "b"]);
    const replaced = [backend("app", [server("b", 2), server("c", 3)])];
    // At runtime, a slot freed by a change is not reused in it (a request to the old address may still be
    // in flight): c takes a new block. A reload may use any slot.
    const second = assignSlots(first.slots, replaced, 2, "runtime");
    assert.deepEqual(holders(second.slots, "app"), [null, "b", "c", null]);
    assert.deepEqual(second.grown, ["app"]);
    const reloaded = assignSlots(first.slots, replaced, 2, "reload");
    assert.deepEqual(holders(reloaded.slots, "app"), ["c", "b"]);
    assert.deepEqual(reloaded.grown, []);
    const third = assignSlots(
      reloaded.slots,
      [backend("app", [server("b", 2), server("c", 3), server("d", 4)])],
      2,
      "reload",
    );
    assert.deepEqual(holders(third.slots, "app"), ["c", "b", "d", null]);
    assert.deepEqual(third.grown, ["app"]);
  });

  it("a reload releases the free blocks past one spare, never a kept container's slot; a runtime step keeps them", () => {
    const many = (count: number) =>
      Array.from({ length: count }, (_, i) => server(`s${1000 + i}`, (i % 200) + 1));
    const burst = assignSlots(null, [backend("app", many(100))], 10, "reload").slots;
    assert.equal(burst.get("app")?.length, 100);
    const all = many(100);
    const [first, at25] = [all[0], all[25]];
    assert.ok(first && at25);
    // Back to one container: at runtime the 100 slots stay (a step cannot remove servers).
    const calm = [backend("app", [first])];
    assert.equal(assignSlots(burst, calm, 10, "runtime").slots.get("app")?.length, 100);
    // On a reload: 10 for the container and 10 spare.
    const shrunk = assignSlots(burst, calm, 10, "reload");
    assert.deepEqual(holders(shrunk.slots, "app")?.slice(0, 2), [first.name, null]);
    assert.equal(shrunk.slots.get("app")?.length, 20);
    assert.deepEqual(shrunk.grown, []);
    // A kept container in slot 26 keeps it: 30 slots for it, and 10 spare.
    const high = assignSlots(burst, [backend("app", [at25])], 10, "reload").slots;
    assert.equal(high.get("app")?.length, 40);
    assert.equal(high.get("app")?.[25]?.server, at25.name);
    // Three newcomers besides: still room, no growth reported.
    const more = assignSlots(burst, [backend("app", [at25, server("n1", 1), server("n2", 2)])], 10, "reload");
    assert.deepEqual(more.grown, []);
    assert.deepEqual(holders(more.slots, "app")?.slice(0, 2), ["n1", "n2"]);
  });

  it("renders free slots with the first used slot's options on a reload, and keeps them at runtime", () => {
    const proxied = backend("app", [server("a", 1, { proxy: "send-proxy" })]);
    const loaded = assignSlots(null, [proxied], 3, "reload").slots;
    assert.deepEqual(
      loaded.get("app")?.map((slot) => slot.options),
      [{ proxy: "send-proxy" }, { proxy: "send-proxy" }, { proxy: "send-proxy" }],
    );
    const emptied = assignSlots(loaded, [backend("app", [])], 3, "runtime").slots;
    assert.deepEqual(emptied.get("app")?.[0], { server: null, options: { proxy: "send-proxy" } });
  });
});

describe("renderSlottedBackends", () => {
  it("renders used slots with the container's address, free ones disabled, and parses back", () => {
    const t = table([backend("app", [server("web-1", 1, { proxy: "send-proxy-v2" })])]);
    const text = renderSlottedBackends(t, assignSlots(null, t.backends, 2, "reload").slots);
    assert.match(
      text,
      /^backend app\n {4}mode http\n {4}server s1 10\.0\.0\.1:80 send-proxy-v2\n {4}server s2 127\.0\.0\.1:1 send-proxy-v2 disabled\n$/m,
    );
    // every line but `disabled` is the contract's own
    const parsed = parseSharedFiles({ backends: text.replace(/ disabled$/gm, ""), map: "" });
    assert.ok(parsed.ok);
  });
});

describe("planUpdate", () => {
  const base = table([backend("app", [server("a", 1)]), backend("api", [server("x", 9)])], {
    "app.tld": "app",
  });

  it("applies scale events, re-addressing (to another slot) and map lines at runtime: the free slots' leftover sessions cut, then addr, then ready, then the freed slots to maint (a backend is never left without a server)", () => {
    const next = table([backend("app", [server("a", 5), server("b", 2)]), backend("api", [])], {
      "app.tld": "api",
      "www.tld": "app",
    });
    const plan = planUpdate(applied(base), { baseHash: "base", table: next }, options);
    assert.equal(plan.kind, "runtime");
    if (plan.kind !== "runtime") return;
    assert.deepEqual(
      plan.serverOps.map((op) => serverCommand(op).command),
      [
        "shutdown sessions server app/s2",
        "shutdown sessions server app/s3",
        "set server app/s2 addr 10.0.0.5 port 80",
        "set server app/s3 addr 10.0.0.2 port 80",
        "set server app/s2 state ready",
        "set server app/s3 state ready",
        "set server api/s1 state maint",
        "set server app/s1 state maint",
      ],
    );
    assert.deepEqual(
      plan.mapOps.map((op) => mapCommand(op).command),
      ["set map domain.map app.tld api", "add map domain.map www.tld app"],
    );
    const back = planUpdate(
      { ...applied(next), slots: plan.slots },
      { baseHash: "base", table: base },
      options,
    );
    assert.equal(back.kind, "runtime");
    if (back.kind === "runtime")
      assert.deepEqual(back.mapOps, [
        { action: "set", fqdn: "app.tld", backend: "app" },
        { action: "del", fqdn: "www.tld" },
      ]);
  });

  it("adds a path-host marker after a host's first path key and deletes it after its last one", () => {
    const app = [backend("app", [server("a", 1)])];
    const hosts = { "a.tld": "app", "a.tld/x": "app", "*.w.tld/api/v1": "app", "b.tld/y": "app" };
    assert.equal(renderPathHostsMap(Object.keys(hosts)), "*.w.tld 1\na.tld 1\nb.tld 1\n");
    assert.equal(renderPathHostsMapOf("a.tld app\nc.tld app\n"), "");
    const commands = (from: Record<string, string>, to: Record<string, string>) => {
      const plan = planUpdate(
        applied(table(app, from)),
        { baseHash: "base", table: table(app, to) },
        options,
      );
      assert.equal(plan.kind, "runtime");
      return plan.kind === "runtime" ? plan.mapOps.map((op) => mapCommand(op).command) : [];
    };
    const added = { ...hosts, "c.tld/z": "app", "a.tld/x/y": "app", "a.tld": "api" };
    assert.deepEqual(commands(hosts, added), [
      "set map domain.map a.tld api",
      "add map domain.map c.tld/z app",
      "add map domain.map a.tld/x/y app",
      "add map path-hosts.map c.tld 1",
    ]);
    const { "a.tld/x": _x, "b.tld/y": _y, ...removed } = hosts;
    assert.deepEqual(commands(hosts, { ...removed, "b.tld": "app" }), [
      "add map domain.map b.tld app",
      "del map domain.map a.tld/x",
      "del map domain.map b.tld/y",
      "del map path-hosts.map a.tld",
      "del map path-hosts.map b.tld",
    ]);
    const keyOps = [
      { action: "add", fqdn: "a.tld/x", backend: "app" },
      { action: "add", fqdn: "b.tld/y", backend: "app" },
    ] as const;
    const markerOps = withMarkerOps(keyOps, table(app, removed).hosts, table(app, hosts).hosts);
    assert.deepEqual(markerOps, [
      ...keyOps,
      { action: "add", fqdn: "a.tld", backend: "1", map: "path-hosts" },
      { action: "add", fqdn: "b.tld", backend: "1", map: "path-hosts" },
    ]);
  });

  it("a reload whose previous state is unknown keeps the last staged assignment: containers keep their slots", () => {
    const abc = table([backend("app", [server("a", 1), server("b", 2), server("c", 3)])]);
    const known = applied(abc);
    // b removed at runtime: its slot goes to maintenance, c keeps s3.
    const removed = planUpdate(
      known,
      { baseHash: "base", table: table([backend("app", [server("a", 1), server("c", 3)])]) },
      options,
    );
    assert.equal(removed.kind, "runtime");
    assert.deepEqual(holders(removed.slots, "app"), ["a", null, "c", null]);
    // Then HAProxy restarts (state unknown) and d arrives: the reload keeps a in s1 and c in s3.
    const next = table([backend("app", [server("a", 1), server("c", 3), server("d", 4)])]);
    const plan = planUpdate(
      null,
      { baseHash: "base", table: next },
      { ...options, lastSlots: removed.slots },
    );
    assert.equal(plan.kind === "reload" ? plan.reason : "runtime", "state-unknown");
    assert.deepEqual(holders(plan.slots, "app"), ["a", "d", "c", null]);
  });

  it("reloads, with the reason, for what the runtime API cannot do", () => {
    const reason = (previous: AppliedState | null, next: SharedTable, overrides = {}) =>
      planUpdate(previous, { baseHash: "base", table: next }, { ...options, ...overrides });
    const reasonOf = (plan: ReturnType<typeof planUpdate>) =>
      plan.kind === "reload" ? plan.reason : "runtime";
    assert.equal(reasonOf(reason(null, base)), "state-unknown");
    assert.equal(reasonOf(reason(applied(base), base, { runtimeUpdates: false })), "runtime-disabled");
    assert.equal(
      reasonOf(planUpdate(applied(base), { baseHash: "other", table: base }, options)),
      "base-changed",
    );
    assert.equal(
      reasonOf(reason(applied(base), table([...base.backends, backend("new", [])]))),
      "backends-changed",
    );
    assert.equal(
      reasonOf(reason(applied(base), table([backend("app", [server("a", 1)])]))),
      "backends-changed",
    );
    const five = [1, 2, 3, 4, 5].map((n) => server(`s-${n}`, n));
    assert.equal(
      reasonOf(reason(applied(base), table([backend("app", five), base.backends[1] as SharedBackend]))),
      "slots-exhausted",
    );
    const proxied = table([
      backend("app", [server("a", 1, { proxy: "send-proxy" })]),
      base.backends[1] as SharedBackend,
    ]);
    assert.equal(reasonOf(reason(applied(base), proxied)), "server-options-changed");
    assert.equal(reasonOf(reason(applied(base), base)), "runtime");
  });

  // Found by a review: free slots all took the first used slot's options, so in a stack whose services
  // differ in a per-server option (maxconn, the PROXY label), every scale-up of the other service was
  // a server-options-changed reload, and that reload gave the free slots the first options again.
  it("scales at runtime the service of a backend whose per-server options differ from its first slot's", () => {
    const limited = (n: number) => server(`a-${n}`, n, { maxconn: 100 });
    const plain = (n: number) => server(`b-${n}`, 10 + n);
    const mixed = (...plains: number[]) => table([backend("app", [limited(1), ...plains.map(plain)])]);
    // s1 a-1, s2 b-1; the free slots s3 and s4 take each option set in turn
    let state = applied(mixed(1));
    for (const plains of [[1, 2], [2], [2, 3]]) {
      const plan = planUpdate(state, { baseHash: "base", table: mixed(...plains) }, options);
      assert.equal(plan.kind === "reload" ? plan.detail : plan.kind, "runtime", `b-${plains.join(", b-")}`);
      state = { baseHash: "base", table: mixed(...plains), slots: plan.slots };
    }
  });

  // Found by a review: with fewer free slots than option sets (two containers with a maxconn label and
  // one without in a block of 4: one free slot, given the first set), every replacement of the other
  // service was a server-options-changed reload, and that reload left its set without a free slot again.
  it("replaces at runtime a container whose options no free slot had, from the reload after on", () => {
    const limited = (n: number) => server(`a-${n}`, n, { maxconn: 100 });
    const mixed = (plain: number) =>
      table([backend("app", [limited(1), limited(2), server(`b-${plain}`, 20)])]);
    let state = applied(mixed(1));
    const reasons: string[] = [];
    for (const plain of [2, 3, 4]) {
      const plan = planUpdate(state, { baseHash: "base", table: mixed(plain) }, options);
      reasons.push(plan.kind === "reload" ? plan.reason : plan.kind);
      state = { baseHash: "base", table: mixed(plain), slots: plan.slots };
    }
    assert.deepEqual(reasons, ["runtime", "runtime", "runtime"]);
  });

  // A service scaled to zero while its sibling keeps the backend: a reload meanwhile (another stack)
  // gave the free slots the sibling's options only, so the service's return was a server-options-changed
  // reload. Its set keeps one free slot, after one for each set of the backend's containers, and never
  // grows the backend.
  it("brings back at runtime a service scaled to zero beside its sibling after a reload", () => {
    const limited = (n: number) => server(`a-${n}`, n, { maxconn: 100 });
    const plain = (n: number) => server(`b-${n}`, 10 + n);
    const zoo = backend("zoo", [server("z", 30)]);
    const app = (servers: SharedServer[], extra: SharedBackend[] = []) =>
      table([backend("app", servers), ...extra]);
    let state = applied(app([limited(1), plain(1)]));
    const down = planUpdate(state, { baseHash: "base", table: app([plain(1)]) }, options);
    assert.equal(down.kind, "runtime");
    state = { baseHash: "base", table: app([plain(1)]), slots: down.slots };
    const added = planUpdate(state, { baseHash: "base", table: app([plain(1)], [zoo]) }, options);
    assert.equal(added.kind === "reload" ? added.reason : added.kind, "backends-changed");
    assert.deepEqual(
      added.slots.get("app")?.map((slot) => slot.options),
      [{}, {}, {}, { maxconn: 100 }],
    );
    state = { baseHash: "base", table: app([plain(1)], [zoo]), slots: added.slots };
    const back = planUpdate(state, { baseHash: "base", table: app([limited(2), plain(1)], [zoo]) }, options);
    assert.equal(back.kind === "reload" ? back.detail : back.kind, "runtime");

    // A full block but one slot: the sibling's set keeps it, the gone one's is dropped.
    const plains = [plain(1), plain(2), plain(3)];
    const full = assignSlots(
      applied(app([limited(1), ...plains])).slots,
      [backend("app", plains)],
      4,
      "reload",
    );
    assert.deepEqual(full.grown, []);
    assert.deepEqual(
      full.slots.get("app")?.map((slot) => slot.options),
      [{}, {}, {}, {}],
    );
  });

  // A carried set (a service scaled to zero, or gone for good) holds the last free slot: the sibling
  // filling the backend reaches it first, and that reload (server-options-changed) left the backend full
  // without a spare block, so its next container reloaded again (slots-exhausted): two reloads where a
  // reload without the carried set had one. A reload for a newcomer that needed another slot's options
  // gives the backend a free block when it leaves it none, as a slots-exhausted one does.
  it("gives a spare block to a backend a newcomer filled past a carried set's slot", () => {
    const plain = (n: number) => server(`b-${n}`, 10 + n);
    const zoo = backend("zoo", [server("z", 30)]);
    const app = (servers: SharedServer[], extra: SharedBackend[] = []) =>
      table([backend("app", servers), ...extra]);
    const siblings = (count: number) => Array.from({ length: count }, (_, index) => plain(index + 1));
    let state = applied(app([server("a-1", 1, { maxconn: 100 }), plain(1)]));
    const down = planUpdate(state, { baseHash: "base", table: app([plain(1)]) }, options);
    state = { baseHash: "base", table: app([plain(1)]), slots: down.slots };
    const added = planUpdate(state, { baseHash: "base", table: app([plain(1)], [zoo]) }, options);
    assert.deepEqual(
      added.slots.get("app")?.map((slot) => slot.options),
      [{}, {}, {}, { maxconn: 100 }],
    );
    state = { baseHash: "base", table: app([plain(1)], [zoo]), slots: added.slots };
    const reasons: string[] = [];
    for (const count of [3, 4, 5]) {
      const next = { baseHash: "base", table: app(siblings(count), [zoo]) };
      const plan = planUpdate(state, next, options);
      reasons.push(plan.kind === "reload" ? plan.reason : plan.kind);
      state = { ...next, slots: plan.slots };
    }
    assert.deepEqual(reasons, ["runtime", "server-options-changed", "runtime"]);
    assert.deepEqual(holders(state.slots, "app"), ["b-2", "b-1", "b-3", "b-4", "b-5", null, null, null]);
  });

  // The sibling that grew into a carried set's slot paid for it (that reload): the set is not carried
  // again. Carried on, the spare block that reload gave the backend held it in the last free slot, a
  // later reload after the sibling shrank released that block and put the set in the last slot again,
  // and the sibling reaching it reloaded again: one reload more on each rise and fall, without end.
  it("a carried set costs one reload at most: not carried past the reload of the sibling that took its slot", () => {
    const plain = (n: number) => server(`b-${n}`, 10 + n);
    const zoo = backend("zoo", [server("z", 30)]);
    const app = (count: number, extra: SharedBackend[] = []) =>
      table([
        backend(
          "app",
          Array.from({ length: count }, (_, index) => plain(index + 1)),
        ),
        ...extra,
      ]);
    let state = applied(table([backend("app", [server("a-1", 1, { maxconn: 100 }), plain(1)])]));
    const reasons: string[] = [];
    const to = (next: SharedTable) => {
      const plan = planUpdate(state, { baseHash: "base", table: next }, options);
      reasons.push(plan.kind === "reload" ? plan.reason : plan.kind);
      state = { baseHash: "base", table: next, slots: plan.slots };
    };
    to(app(1)); // db scaled to zero
    to(app(1, [zoo])); // a reload: db's set keeps the last free slot
    for (const cycle of [1, 2, 3]) {
      for (let count = 2; count <= 4; count++) to(app(count, cycle % 2 === 1 ? [zoo] : []));
      for (let count = 3; count >= 1; count--) to(app(count, cycle % 2 === 1 ? [zoo] : []));
      to(app(1, cycle % 2 === 1 ? [] : [zoo])); // a reload, with the sibling down to one
    }
    const rises = ["runtime", "runtime", "runtime", "runtime", "runtime", "runtime"];
    assert.deepEqual(reasons, [
      "runtime",
      "backends-changed",
      ...["runtime", "runtime", "server-options-changed", "runtime", "runtime", "runtime"],
      "backends-changed",
      ...rises,
      "backends-changed",
      ...rises,
      "backends-changed",
    ]);
    assert.deepEqual(
      state.slots.get("app")?.map((slot) => slot.options),
      Array.from({ length: 8 }, () => ({})),
    );
  });

  // A reload puts a newcomer in a free slot loaded with its own options first, so a reload that also
  // brings the sibling's next container (a restart, a stack added) keeps the set of a service scaled to
  // zero: put in the lowest free slot, the service's own old one, the newcomer would have paid for the
  // set (the test above) and the service's return would have been a server-options-changed reload.
  it("keeps a scaled-to-zero service's slot at a reload that brings the sibling's next container", () => {
    const plain = (n: number) => server(`b-${n}`, 10 + n);
    const zoo = backend("zoo", [server("z", 30)]);
    const app = (servers: SharedServer[], extra: SharedBackend[] = []) =>
      table([backend("app", servers), ...extra]);
    // A full block: db-1's slot is the only one loaded with its set.
    let state = applied(app([server("a-1", 1, { maxconn: 100 }), plain(1), plain(2), plain(3)]));
    const down = planUpdate(state, { baseHash: "base", table: app([plain(1)]) }, options);
    assert.equal(down.kind, "runtime");
    state = { baseHash: "base", table: app([plain(1)]), slots: down.slots };
    const next = app([plain(1), plain(4)], [zoo]);
    const added = planUpdate(state, { baseHash: "base", table: next }, options);
    assert.equal(added.kind === "reload" ? added.reason : added.kind, "backends-changed");
    assert.deepEqual(
      added.slots.get("app")?.map((slot) => slot.options),
      [{}, {}, {}, { maxconn: 100 }],
    );
    state = { baseHash: "base", table: next, slots: added.slots };
    const back = app([plain(1), plain(4), server("a-2", 2, { maxconn: 100 })], [zoo]);
    const plan = planUpdate(state, { baseHash: "base", table: back }, options);
    assert.equal(plan.kind === "reload" ? plan.detail : plan.kind, "runtime");
  });

  // The same when that reload also changes the backend's check (the sibling upgraded with a new check
  // path, its containers replaced): the free slots were loaded without `check` and the newcomers have it,
  // so none looked loaded with a set some container has, the first newcomer took the lowest free slot,
  // the scaled-to-zero service's, and its set was lost (its return reloaded, server-options-changed).
  it("keeps a scaled-to-zero service's slot at a reload that also changes the backend's check", () => {
    const plain = (n: number, extra: Partial<SharedServer> = {}) => server(`b-${n}`, 10 + n, extra);
    const checked = (servers: SharedServer[]): SharedBackend => ({
      name: "app",
      servers,
      options: { check: "/health" },
    });
    // A full block: a-1's slot is the only one loaded with its set.
    let state = applied(
      table([backend("app", [server("a-1", 1, { maxconn: 100 }), plain(1), plain(2), plain(3)])]),
    );
    const down = table([backend("app", [plain(1)])]);
    const scaled = planUpdate(state, { baseHash: "base", table: down }, options);
    assert.equal(scaled.kind, "runtime");
    state = { baseHash: "base", table: down, slots: scaled.slots };
    // The sibling upgraded: a new check path, new containers.
    const upgraded = table([checked([plain(5, { check: true }), plain(6, { check: true })])]);
    const reload = planUpdate(state, { baseHash: "base", table: upgraded }, options);
    assert.equal(reload.kind === "reload" ? reload.reason : reload.kind, "backend-options-changed");
    assert.deepEqual(
      reload.slots.get("app")?.map((slot) => slot.options),
      [{ check: true }, { check: true }, { check: true }, { maxconn: 100, check: true }],
    );
    state = { baseHash: "base", table: upgraded, slots: reload.slots };
    const back = table([
      checked([
        plain(5, { check: true }),
        plain(6, { check: true }),
        server("a-2", 2, { maxconn: 100, check: true }),
      ]),
    ]);
    const plan = planUpdate(state, { baseHash: "base", table: back }, options);
    assert.equal(plan.kind === "reload" ? plan.detail : plan.kind, "runtime");
  });

  // The same, in two backends at once (a service behind two TCP ports beside a scaled-to-zero one with a
  // maxconn label, say): the plan stopped at the first backend by name, so only that one got its spare
  // block, and the other's next container reloaded again (slots-exhausted). A backend the change does not
  // touch keeps its slots as they were.
  it("gives a spare block to every backend a newcomer filled past a carried set's slot in one change", () => {
    const plain = (n: number) => server(`b-${n}`, 10 + n);
    const zoo = backend("zoo", [server("z-1", 30), server("z-2", 31)]);
    const both = (servers: SharedServer[], extra: SharedBackend[] = []) =>
      table([backend("app", servers), backend("web", servers), ...extra]);
    const siblings = (count: number) => Array.from({ length: count }, (_, index) => plain(index + 1));
    let state = applied(both([server("a-1", 1, { maxconn: 100 }), plain(1)], [zoo]));
    const down = planUpdate(state, { baseHash: "base", table: both([plain(1)], [zoo]) }, options);
    state = { baseHash: "base", table: both([plain(1)], [zoo]), slots: down.slots };
    const added = [zoo, backend("zoo2", [server("y", 40)])];
    const stack = planUpdate(state, { baseHash: "base", table: both([plain(1)], added) }, options);
    state = { baseHash: "base", table: both([plain(1)], added), slots: stack.slots };
    const zooBefore = state.slots.get("zoo");
    const reasons: string[] = [];
    for (const count of [3, 4, 5]) {
      const next = { baseHash: "base", table: both(siblings(count), added) };
      const plan = planUpdate(state, next, options);
      reasons.push(plan.kind === "reload" ? plan.reason : plan.kind);
      if (count === 4) assert.deepEqual(plan.slots.get("zoo"), zooBefore, "zoo's slots");
      if (count === 4 && plan.kind === "reload")
        assert.equal(
          plan.detail,
          "backend app: server b-4 needs options its slot was not loaded with (and 1 more backend)",
        );
      state = { ...next, slots: plan.slots };
    }
    assert.deepEqual(reasons, ["runtime", "server-options-changed", "runtime"]);
    for (const name of ["app", "web"])
      assert.deepEqual(holders(state.slots, name), ["b-2", "b-1", "b-3", "b-4", "b-5", null, null, null]);
  });

  // A path or hosts stack held while it redeploys has a backend with no server line (DESIGN.md: it
  // goes down and comes back through the runtime API). A reload while it was held (another stack added,
  // a restart) gave its free slots no options at all, so its containers, which carry the backend's
  // `check` and sticky cookie (and their own PROXY/maxconn labels), came back by a
  // server-options-changed reload.
  it("brings a held backend's containers back at runtime after a reload while it had no server", () => {
    const up = (n: number) =>
      server(`web-${n}`, n, { proxy: "send-proxy", check: true, maxconn: 50, cookie: `c${n}` });
    const held = (servers: SharedServer[], extra: SharedBackend[] = []) =>
      table([{ name: "shop", options: { sticky: true, check: "/health" }, servers }, ...extra], {
        "shop.tld": "shop",
      });
    let state = applied(held([up(1), up(2)]));
    const down = planUpdate(state, { baseHash: "base", table: held([]) }, options);
    assert.equal(down.kind, "runtime");
    state = { baseHash: "base", table: held([]), slots: down.slots };
    // another stack comes while shop is held: a reload
    const other = held([], [backend("zoo", [server("z", 30)])]);
    const added = planUpdate(state, { baseHash: "base", table: other }, options);
    assert.equal(added.kind === "reload" ? added.reason : added.kind, "backends-changed");
    state = { baseHash: "base", table: other, slots: added.slots };
    const back = held([up(3), up(4)], [backend("zoo", [server("z", 30)])]);
    const plan = planUpdate(state, { baseHash: "base", table: back }, options);
    assert.equal(plan.kind === "reload" ? plan.detail : plan.kind, "runtime");
  });

  // The same at a start with no slot assignment kept (a state dir on a tmpfs): the free slots take what
  // the backend's options add to every container of it, its check and its sticky cookie.
  it("brings a held backend's containers back at runtime after a start while it had no server", () => {
    const held = (servers: SharedServer[]) =>
      table([{ name: "shop", options: { sticky: true, check: "/health" }, servers }], { "shop.tld": "shop" });
    const up = held([server("web-3", 3, { check: true, cookie: "c3" })]);
    const plan = planUpdate(applied(held([])), { baseHash: "base", table: up }, options);
    assert.equal(plan.kind === "reload" ? plan.detail : plan.kind, "runtime");
  });

  // A held stack whose own options change meanwhile (its sticky sessions dropped): the reload for that
  // change gave its free slots the old cookie, so its containers, without one, came back by a reload.
  it("brings a held backend's containers back at runtime after its own options changed while held", () => {
    const shop = (sticky: boolean, servers: SharedServer[]) =>
      table([{ name: "shop", options: { ...(sticky ? { sticky } : {}), check: "/health" }, servers }], {
        "shop.tld": "shop",
      });
    let state = applied(shop(true, [server("web-1", 1, { check: true, cookie: "c1" })]));
    const down = planUpdate(state, { baseHash: "base", table: shop(true, []) }, options);
    assert.equal(down.kind, "runtime");
    state = { baseHash: "base", table: shop(true, []), slots: down.slots };
    const changed = planUpdate(state, { baseHash: "base", table: shop(false, []) }, options);
    assert.equal(changed.kind === "reload" ? changed.reason : changed.kind, "backend-options-changed");
    state = { baseHash: "base", table: shop(false, []), slots: changed.slots };
    const back = shop(false, [server("web-2", 2, { check: true })]);
    const plan = planUpdate(state, { baseHash: "base", table: back }, options);
    assert.equal(plan.kind === "reload" ? plan.detail : plan.kind, "runtime");
  });

  // A container renamed at its address (same address and port, a new server name): it keeps its slot,
  // with no step. Before, it moved to another slot and its old one went to maintenance with the
  // address; the next change that reused that slot cut, by `shutdown sessions`, the streams (websockets)
  // still open to that address, which is the renamed container's.
  it("keeps a container renamed at its address in its slot: no step, no shutdown later", () => {
    const app = (servers: SharedServer[]) => table([backend("app", servers)], { "app.tld": "app" });
    let state = applied(app([server("a", 1), server("b", 2)]));
    const renamed = app([server("a2", 1), server("b", 2)]);
    const plan = planUpdate(state, { baseHash: "base", table: renamed }, options);
    assert.equal(plan.kind, "runtime");
    assert.deepEqual(holders(plan.slots, "app"), ["a2", "b", null, null]);
    assert.deepEqual(plan.serverOps, []);
    state = { baseHash: "base", table: renamed, slots: plan.slots };
    const scaled = app([server("a2", 1), server("b", 2), server("c", 3)]);
    const next = planUpdate(state, { baseHash: "base", table: scaled }, options);
    assert.equal(next.kind, "runtime");
    assert.deepEqual(
      next.serverOps.filter((op) => op.slot === 0),
      [],
    );
  });

  it("scales a sticky backend at runtime: each slot's cookie is the slot's name, whatever container holds it", () => {
    const sticky = (name: string, last: number) => server(name, last, { cookie: `cookie-of-${name}` });
    const one = table([backend("app", [sticky("a", 1)])], { "app.tld": "app" });
    const three = table([backend("app", [sticky("a", 1), sticky("b", 2), sticky("c", 3)])], {
      "app.tld": "app",
    });
    const before = applied(one);
    const plan = planUpdate(before, { baseHash: "base", table: three }, options);
    assert.equal(plan.kind, "runtime", plan.kind === "reload" ? plan.detail : "");
    const text = renderSlottedBackends(three, plan.slots);
    assert.match(text, /server s1 10\.0\.0\.1:80 cookie s1\n/);
    assert.match(text, /server s2 10\.0\.0\.2:80 cookie s2\n/);
    assert.match(text, /server s4 127\.0\.0\.1:1 cookie s4 disabled\n/);
    assert.doesNotMatch(text, /cookie-of-/);
  });
});

describe("runtime answers and read-back", () => {
  it("accepts only the answers that mean done", () => {
    const addr = serverCommand({ backend: "app", slot: 0, action: "addr", address: "10.0.0.1", port: 80 });
    assert.ok(
      addr.expected(
        "IP changed from '127.0.0.1' to '10.0.0.1', port changed from '1' to '80' by 'stats socket command'",
      ),
    );
    assert.ok(
      addr.expected("no need to change the addr, no need to change the port by 'stats socket command'"),
    );
    assert.ok(!addr.expected("No such server."));
    assert.ok(!addr.expected(""));
    const ready = serverCommand({ backend: "app", slot: 0, action: "ready" });
    assert.ok(ready.expected(""));
    assert.ok(!ready.expected("No such server."));
    assert.ok(!mapCommand({ action: "set", fqdn: "a.tld", backend: "app" }).expected("entry not found."));
  });

  it("parses show servers state and compares it with the slots", () => {
    const answer = [
      "1",
      "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port",
      "3 app 1 s1 10.0.0.1 2 4 1 1 1 1 0 0 8 0 0 0 - 80 - 0 0 - - 0",
      "3 app 2 s2 127.0.0.1 0 5 1 1 3 1 0 0 8 0 0 0 - 1 - 0 0 - - 0",
      "",
    ].join("\n");
    const states = parseServersState(answer, "app");
    assert.deepEqual(
      states.map((s) => [s.name, s.ready, s.maint]),
      [
        ["s1", true, false],
        ["s2", false, true],
      ],
    );
    const slots = [
      { server: "a", options: {} },
      { server: null, options: {} },
    ];
    assert.equal(compareServers("app", slots, [server("a", 1)], states), null);
    assert.match(
      compareServers("app", slots, [server("a", 7)], states) ?? "",
      /runs 10\.0\.0\.1:80, not 10\.0\.0\.7:80/,
    );
    const both = [
      { server: "a", options: {} },
      { server: "b", options: {} },
    ];
    assert.match(
      compareServers("app", both, [server("a", 1), server("b", 2)], states) ?? "",
      /app\/s2 \(b\) is not ready/,
    );
  });

  it("compares get map answers", () => {
    const found = 'type=str, case=sensitive, found=yes, idx=tree, key="a.tld", value="app", type="str"';
    assert.equal(compareMapEntry("a.tld", "app", found), null);
    assert.match(compareMapEntry("a.tld", "api", found) ?? "", /goes to "app"/);
    assert.match(compareMapEntry("a.tld", null, found) ?? "", /still mapped/);
    assert.equal(compareMapEntry("a.tld", null, "type=str, case=sensitive, found=no"), null);
    assert.match(compareMapEntry("a.tld", "app", "Unknown map identifier.") ?? "", /unexpected answer/);
  });
});

describe("readSlots", () => {
  it("keeps only valid backend and server names, each server once, and valid slot options from slots.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-slots-"));
    try {
      assert.equal(await readSlots(dir), null, "no slots.json: none");
      await writeFile(join(dir, "slots.json"), "{not json");
      assert.equal(await readSlots(dir), null);
      const evil = { proxy: "evil\nbackend x", check: "yes", maxconn: 1.5, cookie: "x\ny", extra: 1 };
      const json = {
        app: [
          { server: "web-1", options: evil },
          {
            server: "Bad Name",
            options: { proxy: "send-proxy-v2", check: true, maxconn: 7, cookie: "slot" },
          },
          null,
          { server: null, options: { maxconn: 0 } },
          { server: "web-1", options: { maxconn: 3 } },
        ],
        "Bad\nBackend": [{ server: "web-2" }],
      };
      await writeFile(join(dir, "slots.json"), JSON.stringify(json));
      const slots = await readSlots(dir);
      assert.deepEqual([...(slots?.keys() ?? [])], ["app"]);
      assert.deepEqual(slots?.get("app"), [
        { server: "web-1", options: {} },
        { server: null, options: { proxy: "send-proxy-v2", check: true, maxconn: 7, cookie: "slot" } },
        { server: null, options: {} },
        { server: null, options: {} },
        { server: null, options: { maxconn: 3 } },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // A restart's reload (state-unknown) starts from slots.json: after a server-options-changed reload that
  // gave a backend its spare block and ended a carried set, and with a set still carried in another
  // backend (with the backend's check and sticky cookie, PROXY and maxconn), it gives the same slots,
  // byte for byte in slots.json and backends.cfg, and so does the next restart.
  it("gives the same slots.json and backends.cfg after a restart as the reload before it", async () => {
    const limited = (n: number) =>
      server(`a-${n}`, n, { proxy: "send-proxy-v2", check: true, maxconn: 100, cookie: `a${n}` });
    const plain = (n: number) => server(`b-${n}`, 10 + n, { check: true, cookie: `b${n}` });
    const sticky = (name: string, servers: SharedServer[]): SharedBackend => ({
      name,
      options: { check: "/health", sticky: true },
      servers,
    });
    const siblings = (count: number) => Array.from({ length: count }, (_, index) => plain(index + 1));
    const both = (app: number, web: number, extra: SharedBackend[] = []) =>
      table([sticky("app", siblings(app)), sticky("web", siblings(web)), ...extra]);
    const first = table([sticky("app", [limited(1), plain(1)]), sticky("web", [limited(1), plain(1)])]);
    let state = applied(first);
    const to = (next: SharedTable) => {
      const plan = planUpdate(state, { baseHash: "base", table: next }, options);
      state = { baseHash: "base", table: next, slots: plan.slots };
      return plan.kind === "reload" ? plan.reason : plan.kind;
    };
    const zoo = backend("zoo", [server("z", 30)]);
    assert.deepEqual(
      [to(both(1, 1)), to(both(1, 1, [zoo])), to(both(4, 2, [zoo]))],
      ["runtime", "backends-changed", "server-options-changed"],
    );
    const json = JSON.stringify(slotsToJson(state.slots));
    const cfg = renderSlottedBackends(state.table, state.slots);
    assert.ok(json.includes('"maxconn":100'), "web still carries db's set");
    const dir = await mkdtemp(join(tmpdir(), "rh-slots-"));
    try {
      for (const restart of [1, 2]) {
        await writeFile(join(dir, "slots.json"), json);
        const lastSlots = await readSlots(dir);
        const plan = planUpdate(null, { baseHash: "base", table: state.table }, { ...options, lastSlots });
        assert.equal(plan.kind === "reload" ? plan.reason : plan.kind, "state-unknown");
        assert.equal(JSON.stringify(slotsToJson(plan.slots)), json, `restart ${restart}: slots.json`);
        assert.equal(renderSlottedBackends(state.table, plan.slots), cfg, `restart ${restart}: backends.cfg`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps path backends (<stack>.<service>) and TCP backends, so a restart keeps their slots", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rh-slots-"));
    try {
      const names = ["shop", "shop.api", "tcp_5432"];
      const json = Object.fromEntries(names.map((name) => [name, [{ server: null }, { server: "web-2" }]]));
      await writeFile(join(dir, "slots.json"), JSON.stringify({ ...json, tcp_0: [], "a.b.c": [] }));
      const previous = await readSlots(dir);
      assert.deepEqual([...(previous?.keys() ?? [])], names);
      const backends = names.map((name) => backend(name, [server("web-2", 2)]));
      const slots = assignSlots(previous, backends, 4, "reload").slots;
      for (const name of names) assert.deepEqual(holders(slots, name)?.slice(0, 2), [null, "web-2"], name);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("runtime phases", () => {
  it("addresses alone first; then new slots ready, the map, and only then slots given up to maintenance", () => {
    // app's only container moves to a new backend in one change: shop's slot takes it, app's slot is
    // given up, and app.dev.tld is re-pointed to shop. With the map after the maintenance step, the host
    // pointed at a backend without a server (a 503) between two commands of one line.
    const phases = runtimePhases({
      kind: "runtime",
      slots: new Map(),
      serverOps: [
        { backend: "shop", slot: 0, action: "shutdown" },
        { backend: "shop", slot: 0, action: "addr", address: "127.0.0.7", port: 8080 },
        { backend: "shop", slot: 0, action: "ready" },
        { backend: "app", slot: 0, action: "maint" },
      ],
      mapOps: [{ action: "set", fqdn: "app.dev.tld", backend: "shop" }],
    });
    assert.deepEqual(
      phases.map((steps) => steps.map((step) => step.command)),
      [
        ["shutdown sessions server shop/s1", "set server shop/s1 addr 127.0.0.7 port 8080"],
        [
          "set server shop/s1 state ready",
          `set map ${mapCommand({ action: "set", fqdn: "x", backend: "y" }).command.split(" ")[2]} app.dev.tld shop`,
          "set server app/s1 state maint",
        ],
      ],
    );
  });
});
