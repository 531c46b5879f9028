// A backend shared by two services (a TCP port, or a stack's hosts): one service, whose containers carry a
// PROXY or maxconn label, scaled to zero while its sibling keeps the backend, then a reload for another
// reason (a new stack). The service comes back at runtime, as it would have without that reload
// (DESIGN.md "Runtime updates": a reload keeps a free slot for each option set its free slots were loaded
// with). Until 2026-12-05 a reload gave the free slots the option sets of the backend's containers only,
// so the label was lost and the service's return was a server-options-changed reload.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { renderBackends, type SharedBackend, type SharedServer } from "@rancher-haproxy/core";
import { freePort, readReloadCounter } from "../../test-support/src/haproxy/index.ts";
import { startEchoServer } from "../../test-support/src/tcp/index.ts";
import { createFixture, waitForApply, type Fixture } from "./helpers/fixture.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";

// The test's two echo services, db on `dbHost` and sibling on `siblingHost`, and `siblings(count)`:
// sibling-1..count at the sibling's address.
async function startServices(t: TestContext, dbHost: string, siblingHost: string) {
  const db = await startEchoServer({ name: "db", host: dbHost });
  t.after(() => db.close());
  const sibling = await startEchoServer({ name: "sibling", host: siblingHost });
  t.after(() => sibling.close());
  const siblings = (count: number): SharedServer[] =>
    Array.from({ length: count }, (_, index) => ({
      name: `sibling-${index + 1}`,
      address: sibling.host,
      port: sibling.port,
    }));
  return { db, sibling, siblings };
}

// Starts the fixture's reloader with `args` (its HAProxy killed after the test); `apply` writes `files`
// and gives what the reloader did with them: its apply event and, for a reload, the planned reason.
async function startReloader(t: TestContext, fixture: Fixture, args: string[]) {
  const reloader = await fixture.start(args);
  const masterPid = Number((await reloader.waitForEvent("haproxy.ready"))["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  const apply = async (files: { backends: string; map: string }) => {
    const from = reloader.logs.length;
    await fixture.write(files);
    const applied = await waitForApply(reloader, from);
    const planned = reloader.logs.slice(from).find((line) => line.event === "reload.planned");
    return { event: applied.event, planned };
  };
  return { reloader, apply };
}

// The shared files of TCP backends tcp_<port> for `ports`, each with `servers`, plus `more` backends.
function tcpFiles(ports: readonly number[]) {
  return (servers: SharedServer[], more: SharedBackend[] = []) => ({
    backends: renderBackends({
      backends: [...ports.map((port) => ({ name: `tcp_${port}`, mode: "tcp" as const, servers })), ...more],
    }),
    map: "",
  });
}

// Another stack, a TCP backend on port `other` with one server: adding or removing it is a reload.
function otherStack(other: number, server: SharedServer): SharedBackend {
  return { name: `tcp_${other}`, mode: "tcp", servers: [{ ...server, name: "other-1" }] };
}

for (const [label, extra, host] of [
  ["a PROXY label", { proxy: "send-proxy" }, "127.0.0.123"],
  ["a maxconn label", { maxconn: 10 }, "127.0.0.124"],
] as const) {
  test(`a service with ${label} scaled to zero beside its sibling comes back at runtime after a reload`, async (t) => {
    const { db, siblings } = await startServices(t, host, "127.0.0.125");
    const port = await freePort();
    const other = await freePort();
    const files = tcpFiles([port]);
    const up = [{ name: "db-1", address: db.host, port: db.port, ...extra }, ...siblings(1)];
    const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, ...files(up) });
    const { apply } = await startReloader(t, fixture, ["--tcp-ports", `${port},${other}`]);

    // db scaled to zero, its sibling keeps the backend
    assert.equal((await apply(files(siblings(1)))).event, "runtime.applied");
    // another stack: a reload (backends-changed)
    const stack = otherStack(other, siblings(1)[0]!);
    assert.equal((await apply(files(siblings(1), [stack]))).event, "reload.applied");

    const before = await readReloadCounter(fixture.stateDir);
    const back = await apply(files(up, [stack])); // db back
    const after = await readReloadCounter(fixture.stateDir);
    assert.equal(back.event, "runtime.applied", JSON.stringify(back.planned));
    assert.equal(after.reloads, before.reloads, "HAProxy's own reload counter");
  });
}

// The carried set holds the backend's last free slot: the sibling filling the backend reaches it, a
// server-options-changed reload (the price of keeping it). Until 2026-12-05 that reload left the backend
// full with no free block, so the sibling's next container was a second reload (slots-exhausted), where
// a backend without the carried set reloaded once; that reload now gives the backend its spare block.
// The same in two backends in one change (a service behind two TCP ports, beside a scaled-to-zero one
// with a maxconn label on both): the sibling filling both reaches both carried slots at once, one
// server-options-changed reload. Until 2026-12-05 that reload gave a spare block only to the first
// backend by name, so the next container (in both) was a second reload, slots-exhausted.
for (const [title, backendCount, hosts] of [
  [
    "the sibling filling the slot a scaled-to-zero service keeps reloads once, not twice",
    1,
    ["127.0.0.126", "127.0.0.127"],
  ],
  [
    "a sibling filling two backends' carried slots in one change reloads once, not twice",
    2,
    ["127.0.0.130", "127.0.0.131"],
  ],
] as const) {
  test(title, async (t) => {
    const { db, siblings } = await startServices(t, hosts[0], hosts[1]);
    const ports = await Promise.all(Array.from({ length: backendCount }, () => freePort()));
    const other = await freePort();
    const stack = otherStack(other, siblings(1)[0]!);
    const files = tcpFiles(ports);
    const up = [{ name: "db-1", address: db.host, port: db.port, maxconn: 10 }, ...siblings(1)];
    const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, ...files(up) });
    const tcpPorts = [...ports, other].join(",");
    const { apply } = await startReloader(t, fixture, ["--tcp-ports", tcpPorts, "--server-slots", "4"]);

    // db scaled to zero, then a reload: db's set keeps the last free slot (of each backend)
    assert.equal((await apply(files(siblings(1)))).event, "runtime.applied");
    assert.equal((await apply(files(siblings(1), [stack]))).event, "reload.applied");

    const before = await readReloadCounter(fixture.stateDir);
    // the backends' 4 slots full, db's one too; then one more
    assert.equal((await apply(files(siblings(4), [stack]))).event, "reload.applied");
    const next = await apply(files(siblings(5), [stack]));
    assert.equal(next.event, "runtime.applied", JSON.stringify(next.planned));
    const after = await readReloadCounter(fixture.stateDir);
    assert.equal(after.reloads, before.reloads + 1, "HAProxy's own reload counter");
  });
}

// The carried set is in slots.json (a free slot's options): a reloader restarted meanwhile (killed, the
// next one adopts the running HAProxy and reloads, its assignment read back from slots.json) keeps it.
test("a service scaled to zero beside its sibling comes back at runtime after a reloader restart", async (t) => {
  const { db, siblings } = await startServices(t, "127.0.0.128", "127.0.0.129");
  const port = await freePort();
  const files = tcpFiles([port]);
  const up = [{ name: "db-1", address: db.host, port: db.port, maxconn: 10 }, ...siblings(1)];
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, ...files(up) });
  const args = ["--tcp-ports", String(port)];
  const first = await startReloader(t, fixture, args);

  // db scaled to zero
  assert.equal((await first.apply(files(siblings(1)))).event, "runtime.applied");
  process.kill(first.reloader.pid, "SIGKILL");
  await first.reloader.exited;
  const second = await fixture.start(args);
  await second.waitForEvent("adopt.reloaded"); // a reload from slots.json's assignment

  const before = await readReloadCounter(fixture.stateDir);
  const from = second.logs.length;
  await fixture.write(files(up)); // db back
  const applied = await waitForApply(second, from);
  const after = await readReloadCounter(fixture.stateDir);
  const planned = second.logs.slice(from).find((line) => line.event === "reload.planned");
  assert.equal(applied.event, "runtime.applied", JSON.stringify(planned));
  assert.equal(after.reloads, before.reloads, "HAProxy's own reload counter");
});

// The sibling that grew into the carried set's slot paid for it (that reload), and the set is not
// carried on. Until 2026-12-05 it was: the spare block that reload gave the backend held it in the last
// free slot, a later reload after the sibling shrank kept the set in the last slot, and the sibling
// filling the backend again reloaded again: one reload more on each rise and fall, without end.
test("a carried set costs one reload at most: the sibling filling the backend again stays at runtime", async (t) => {
  const { db, siblings } = await startServices(t, "127.0.0.132", "127.0.0.133");
  const port = await freePort();
  const other = await freePort();
  const stack = otherStack(other, siblings(1)[0]!);
  const files = tcpFiles([port]);
  const up = [{ name: "db-1", address: db.host, port: db.port, maxconn: 10 }, ...siblings(1)];
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, ...files(up) });
  const reloader = await startReloader(t, fixture, [
    "--tcp-ports",
    `${port},${other}`,
    "--server-slots",
    "4",
  ]);
  const apply = async (servers: SharedServer[], more: SharedBackend[]) => {
    const { event, planned } = await reloader.apply(files(servers, more));
    return `${String(event)} ${String(planned?.["reason"] ?? "")}`.trim();
  };

  assert.equal(await apply(siblings(1), []), "runtime.applied"); // db scaled to zero
  assert.equal(await apply(siblings(1), [stack]), "reload.applied backends-changed"); // db's set kept
  assert.equal(await apply(siblings(4), [stack]), "reload.applied server-options-changed"); // paid
  assert.equal(await apply(siblings(1), [stack]), "runtime.applied");
  assert.equal(await apply(siblings(1), []), "reload.applied backends-changed"); // 8 slots kept
  const before = await readReloadCounter(fixture.stateDir);
  assert.equal(await apply(siblings(8), []), "runtime.applied"); // the backend full again
  const after = await readReloadCounter(fixture.stateDir);
  assert.equal(after.reloads, before.reloads, "HAProxy's own reload counter");
});

// The same set through a reload that also changes the backend's check (a stack's hosts, say): the sibling
// upgraded with a new check path, its containers replaced. Until 2026-12-05 that reload compared the free
// slots' options as loaded (no `check`) with the newcomers' (with it), found no free slot of a live set,
// put the first newcomer in the scaled-to-zero service's slot and lost its set: the service's return
// reloaded.
test("a service scaled to zero beside its sibling comes back at runtime after the sibling's upgrade changed the check", async (t) => {
  const { db, sibling } = await startServices(t, "127.0.0.134", "127.0.0.135");
  const siblings = (numbers: number[], check: boolean): SharedServer[] =>
    numbers.map((number) => ({
      name: `sibling-${number}`,
      address: sibling.host,
      port: sibling.port,
      ...(check ? { check: true as const } : {}),
    }));
  const files = (servers: SharedServer[], check: boolean) => ({
    backends: renderBackends({
      backends: [{ name: "app", servers, ...(check ? { options: { check: "/health" } } : {}) }],
    }),
    map: "",
  });
  const db1 = { name: "db-1", address: db.host, port: db.port, maxconn: 10 };
  const fixture = await createFixture((fn) => t.after(fn), {
    deferStart: true,
    ...files([db1, ...siblings([1, 2, 3], false)], false),
  });
  const reloader = await startReloader(t, fixture, ["--server-slots", "4"]);
  const apply = async (servers: SharedServer[], check: boolean) => {
    const { event, planned } = await reloader.apply(files(servers, check));
    return `${String(event)} ${String(planned?.["reason"] ?? "")}`.trim();
  };

  assert.equal(await apply(siblings([1], false), false), "runtime.applied"); // db scaled to zero
  assert.equal(await apply(siblings([5, 6], true), true), "reload.applied backend-options-changed");
  const before = await readReloadCounter(fixture.stateDir);
  const back = { ...db1, name: "db-2", check: true as const };
  assert.equal(await apply([back, ...siblings([5, 6], true)], true), "runtime.applied"); // db back
  const after = await readReloadCounter(fixture.stateDir);
  assert.equal(after.reloads, before.reloads, "HAProxy's own reload counter");
});
