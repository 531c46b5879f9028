// A TCP container that leaves the routing and comes back at the same address (its health check failed
// for a while): the connections it had through HAProxy stayed open while it was out (its slot in
// maintenance), and stay open when it is back. Until 2026-12-05 it took its old slot back with
// `shutdown sessions`, so every client of a database back from unhealthy lost its connection then.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderBackends, type SharedServer } from "@rancher-haproxy/core";
import { freePort } from "../../test-support/src/haproxy/index.ts";
import {
  openEchoConnection,
  startEchoServer,
  type EchoConnection,
} from "../../test-support/src/tcp/index.ts";
import { createFixture } from "./helpers/fixture.ts";

test("a TCP container back at its address keeps the connections it had; one at a new address takes none", async (t) => {
  const a = await startEchoServer({ name: "A", host: "127.0.0.111" });
  const b = await startEchoServer({ name: "B", host: "127.0.0.112" });
  const c = await startEchoServer({ name: "C", host: "127.0.0.113" });
  t.after(() => Promise.all([a.close(), b.close(), c.close()]));
  const port = await freePort();
  const server = (name: string, echo: { host: string; port: number }): SharedServer => ({
    name,
    address: echo.host,
    port: echo.port,
  });
  const files = (servers: SharedServer[]) => ({
    backends: renderBackends({ backends: [{ name: `tcp_${port}`, mode: "tcp", servers }] }),
    map: "",
  });
  const fixture = await createFixture((fn) => t.after(fn), {
    deferStart: true,
    ...files([server("db-a", a), server("db-b", b)]),
  });
  const reloader = await fixture.start(["--tcp-ports", String(port)]);
  const opened: EchoConnection[] = [];
  t.after(() => opened.forEach((connection) => connection.destroy()));
  // a connection to A (round robin: one of the first two)
  const toA = async () => {
    for (;;) {
      const connection = await openEchoConnection(port);
      opened.push(connection);
      if (connection.server === "A") return connection;
    }
  };
  const apply = async (servers: SharedServer[]) => {
    const from = reloader.logs.length;
    await fixture.write(files(servers));
    const applied = await reloader.waitForEvent("runtime.applied", { from });
    assert.equal(reloader.count("reload.planned"), 0, "runtime steps, no reload");
    return applied;
  };

  const first = await toA();
  await first.roundTrip("before");
  await apply([server("db-b", b)]); // A unhealthy: out of the routing
  await first.roundTrip("while A is out");
  await apply([server("db-a", a), server("db-b", b)]); // A healthy again, same address
  await first.roundTrip("A is back");
  const again = await toA();
  await again.roundTrip("a new connection reaches A");

  // Another address in that slot still cuts what was left on it (streams to an address gone).
  const second = await toA();
  await apply([server("db-b", b)]);
  await second.roundTrip("while A is out again");
  await apply([server("db-b", b), server("db-c", c)]); // C takes A's slot: A's streams are cut
  await assert.rejects(second.roundTrip("A's slot is C's now"), /closed by the peer/);
});
