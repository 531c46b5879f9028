// A TCP port held across a reloader restart: its only container (with a PROXY or maxconn label) left the
// routing, its tcp_<port> backend is kept with no server line, and the reloader is restarted meanwhile
// (killed, so the next one adopts the running HAProxy). The container comes back at runtime, as it
// would have without the restart (DESIGN.md: a container added to a backend that exists is a runtime
// step). Until 2026-12-05 a restart read slots.json's free slots without their options, so the held
// backend's free slots lost the container's PROXY/maxconn label and its return was a
// server-options-changed reload.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderBackends, type SharedServer } from "@rancher-haproxy/core";
import { freePort, readReloadCounter } from "../../test-support/src/haproxy/index.ts";
import { startEchoServer } from "../../test-support/src/tcp/index.ts";
import { createFixture, waitForApply } from "./helpers/fixture.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";

for (const [label, extra, host] of [
  ["a PROXY label", { proxy: "send-proxy" }, "127.0.0.121"],
  ["a maxconn label", { maxconn: 10 }, "127.0.0.122"],
] as const) {
  test(`a held TCP port's container with ${label} comes back at runtime after a reloader restart`, async (t) => {
    const db = await startEchoServer({ name: "db", host });
    t.after(() => db.close());
    const port = await freePort();
    const files = (servers: SharedServer[]) => ({
      backends: renderBackends({ backends: [{ name: `tcp_${port}`, mode: "tcp", servers }] }),
      map: "",
    });
    const up = [{ name: "db-1", address: db.host, port: db.port, ...extra }];
    const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, ...files(up) });
    const args = ["--tcp-ports", String(port)];
    const first = await fixture.start(args);
    const masterPid = Number((await first.waitForEvent("haproxy.ready"))["pid"]);
    t.after(() => killIfHaproxy(masterPid));

    let from = first.logs.length;
    await fixture.write(files([])); // held: the block stays, with no server
    await first.waitForEvent("runtime.applied", { from });
    process.kill(first.pid, "SIGKILL");
    await first.exited;

    const second = await fixture.start(args);
    await second.waitForEvent("adopt.reloaded");
    const before = await readReloadCounter(fixture.stateDir);
    from = second.logs.length;
    await fixture.write(files(up)); // back
    const applied = await waitForApply(second, from);
    const after = await readReloadCounter(fixture.stateDir);
    const planned = second.logs.slice(from).find((line) => line.event === "reload.planned");
    assert.equal(applied.event, "runtime.applied", JSON.stringify(planned));
    assert.equal(after.reloads, before.reloads, "HAProxy's own reload counter");
  });
}
