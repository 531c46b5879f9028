// BIND_ADDRESS through a real HAProxy: empty binds `:<port>`, which HAProxy takes as every IPv4 address
// only (an IPv6 client is refused), and `::` binds IPv4 and IPv6 alike; the docs said empty was "all".
import assert from "node:assert/strict";
import { connect, createServer } from "node:net";
import { test } from "node:test";
import { OPTION_TABLE } from "@rancher-haproxy/core";
import { createFixture } from "./helpers/fixture.ts";

// Whether something accepts a TCP connection at host:port.
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

// Whether this host has the IPv6 loopback (a CI container may have IPv6 off).
function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(0, "::1", () => server.close(() => resolve(true)));
  });
}

test("BIND_ADDRESS empty listens on every IPv4 address, `::` on IPv4 and IPv6, as documented", async (t) => {
  const { describe } = OPTION_TABLE.bindAddress;
  assert.match(describe, /empty: every IPv4 address/);
  assert.match(describe, /`::`: every IPv4 and IPv6 address/);
  if (!(await hasIpv6Loopback())) return t.skip("no IPv6 loopback here");
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true });
  const port = fixture.httpPort;
  await fixture.start(["--bind-address", ""]);
  assert.deepEqual([await accepts("127.0.0.1", port), await accepts("::1", port)], [true, false]);
  await fixture.reloader.stop();
  await fixture.start(["--bind-address", "::"]);
  assert.deepEqual([await accepts("127.0.0.1", port), await accepts("::1", port)], [true, true]);
});
