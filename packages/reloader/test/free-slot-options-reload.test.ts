// A backend shared by two services (a TCP port, or a stack's hosts): one service, whose containers carry a
// PROXY or maxconn label, scaled to zero while its sibling keeps the backend, then a reload for another
// reason (a new stack). The service comes back at runtime, as it would have without that reload
// (DESIGN.md "Runtime updates": a reload keeps a free slot for each option set its free slots were loaded
// with). Until 2026-12-05 a reload gave the free slots the option sets of the backend's containers only,
// so the label was lost and the service's return was a server-options-changed reload.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderBackends, type SharedBackend, type SharedServer } from "@rancher-haproxy/core";
import { freePort, readReloadCounter } from "../../test-support/src/haproxy/index.ts";
import { startEchoServer } from "../../test-support/src/tcp/index.ts";
import { createFixture, waitForApply } from "./helpers/fixture.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";

for (const [label, extra, host] of [
  ["a PROXY label", { proxy: "send-proxy" }, "127.0.0.123"],
  ["a maxconn label", { maxconn: 10 }, "127.0.0.124"],
] as const) {
  test(`a service with ${label} scaled to zero beside its sibling comes back at runtime after a reload`, async (t) => {
    const db = await startEchoServer({ name: "db", host });
    t.after(() => db.close());
    const sibling = await startEchoServer({ name: "sibling", host: "127.0.0.125" });
    t.after(() => sibling.close());
    const port = await freePort();
    const other = await freePort();
    const files = (servers: SharedServer[], more: SharedBackend[] = []) => ({
      backends: renderBackends({ backends: [{ name: `tcp_${port}`, mode: "tcp", servers }, ...more] }),
      map: "",
    });
    const kept = { name: "sibling-1", address: sibling.host, port: sibling.port };
    const up = [{ name: "db-1", address: db.host, port: db.port, ...extra }, kept];
    const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, ...files(up) });
    const reloader = await fixture.start(["--tcp-ports", `${port},${other}`]);
    const masterPid = Number((await reloader.waitForEvent("haproxy.ready"))["pid"]);
    t.after(() => killIfHaproxy(masterPid));

    let from = reloader.logs.length;
    await fixture.write(files([kept])); // db scaled to zero, its sibling keeps the backend
    assert.equal((await waitForApply(reloader, from)).event, "runtime.applied");
    from = reloader.logs.length;
    // another stack: a reload (backends-changed)
    const stack = { name: `tcp_${other}`, mode: "tcp" as const, servers: [{ ...kept, name: "other-1" }] };
    await fixture.write(files([kept], [stack]));
    assert.equal((await waitForApply(reloader, from)).event, "reload.applied");

    const before = await readReloadCounter(fixture.stateDir);
    from = reloader.logs.length;
    await fixture.write(files(up, [stack])); // db back
    const applied = await waitForApply(reloader, from);
    const after = await readReloadCounter(fixture.stateDir);
    const planned = reloader.logs.slice(from).find((line) => line.event === "reload.planned");
    assert.equal(applied.event, "runtime.applied", JSON.stringify(planned));
    assert.equal(after.reloads, before.reloads, "HAProxy's own reload counter");
  });
}
