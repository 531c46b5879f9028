// The connections a TCP container has through HAProxy survive the runtime steps that keep it serving at
// its address. Back at the same address after leaving the routing (its health check failed for a while):
// its connections stayed open while it was out (its slot in maintenance) and stay open when it is back;
// until 2026-12-05 it took its old slot back with `shutdown sessions`, so every client of a database back
// from unhealthy lost its connection then. Renamed at its address (a new server name, same address and
// port): until 2026-12-05 it moved to another slot and its old one went to maintenance with the
// connections still on it, and the next container added took that slot with `shutdown sessions`. Out
// of the routing while another container is added: until 2026-12-05 the newcomer took the lowest free
// slot, the one out's, with `shutdown sessions`, though other free slots had no address left.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { renderBackends, type SharedServer } from "@rancher-haproxy/core";
import { freePort } from "../../test-support/src/haproxy/index.ts";
import {
  openEchoConnection,
  startEchoServer,
  type EchoConnection,
  type EchoServer,
} from "../../test-support/src/tcp/index.ts";
import { createFixture } from "./helpers/fixture.ts";

// A reloader routing tcp_<port> to db-a (echo server A) and db-b (B); C is started, not routed.
// `server(name, echo)` makes a server line, `toA()` opens connections until one reaches A, `apply(servers)`
// writes the backend with those servers and waits for its runtime step (no reload).
async function echoFixture(t: TestContext, args: readonly string[] = []) {
  const a = await startEchoServer({ name: "A", host: "127.0.0.111" });
  const b = await startEchoServer({ name: "B", host: "127.0.0.112" });
  const c = await startEchoServer({ name: "C", host: "127.0.0.113" });
  t.after(() => Promise.all([a.close(), b.close(), c.close()]));
  const port = await freePort();
  const server = (name: string, echo: EchoServer): SharedServer => ({
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
  const reloader = await fixture.start(["--tcp-ports", String(port), ...args]);
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
    await reloader.waitForEvent("runtime.applied", { from });
    assert.equal(reloader.count("reload.planned"), 0, "runtime steps, no reload");
  };
  return { a, b, c, server, toA, apply };
}

test("a TCP container back at its address keeps the connections it had; one at a new address takes none", async (t) => {
  // two slots: the only free one is A's, so C has to take it
  const { a, b, c, server, toA, apply } = await echoFixture(t, ["--server-slots", "2"]);
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

test("a TCP container out of the routing keeps its connections when another container is added meanwhile", async (t) => {
  const { a, b, c, server, toA, apply } = await echoFixture(t);
  const first = await toA();
  await first.roundTrip("before");
  await apply([server("db-b", b)]); // A unhealthy: out of the routing
  await apply([server("db-b", b), server("db-c", c)]); // C added: a free slot that is not A's
  await first.roundTrip("C added while A is out");
  await apply([server("db-a", a), server("db-b", b), server("db-c", c)]); // A back
  await first.roundTrip("A is back");
});

test("a TCP container renamed at its address keeps its connections, also when a container is added after", async (t) => {
  const { a, b, c, server, toA, apply } = await echoFixture(t);
  const toAConnection = await toA();
  await toAConnection.roundTrip("before");
  await apply([server("db-a2", a), server("db-b", b)]); // renamed, same address
  await toAConnection.roundTrip("renamed");
  await apply([server("db-a2", a), server("db-b", b), server("db-c", c)]); // a container added
  await toAConnection.roundTrip("a container added after the rename");
});
