// A TCP container renamed at its address (a new server name, the same address and port: its service
// renamed, say): the connections it had through HAProxy stay open, then and at every later change. Until
// 2026-12-05 it moved to another slot and its old one went to maintenance with the connections still on
// it; the next container added took that slot with `shutdown sessions`, cutting them all.
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

test("a TCP container renamed at its address keeps its connections, also when a container is added after", async (t) => {
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
  let toA: EchoConnection | undefined;
  while (toA === undefined) {
    const connection = await openEchoConnection(port);
    opened.push(connection);
    if (connection.server === "A") toA = connection;
  }
  const apply = async (servers: SharedServer[]) => {
    const from = reloader.logs.length;
    await fixture.write(files(servers));
    await reloader.waitForEvent("runtime.applied", { from });
    assert.equal(reloader.count("reload.planned"), 0, "runtime steps, no reload");
  };

  await toA.roundTrip("before");
  await apply([server("db-a2", a), server("db-b", b)]); // renamed, same address
  await toA.roundTrip("renamed");
  await apply([server("db-a2", a), server("db-b", b), server("db-c", c)]); // a container added
  await toA.roundTrip("a container added after the rename");
});
