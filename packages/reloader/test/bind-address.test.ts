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
  // Without the IPv6 loopback (a container with IPv6 off) only the IPv4 side can be checked, and `::`
  // cannot be bound at all: said in the test's output, not skipped.
  const ipv6 = await hasIpv6Loopback();
  if (!ipv6) t.diagnostic("no IPv6 loopback here: only BIND_ADDRESS empty on IPv4 is checked");
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true });
  const port = fixture.httpPort;
  await fixture.start(["--bind-address", ""]);
  assert.equal(await accepts("127.0.0.1", port), true, "empty: IPv4 accepted");
  if (!ipv6) return;
  assert.equal(await accepts("::1", port), false, "empty: IPv6 refused");
  await fixture.reloader.stop();
  await fixture.start(["--bind-address", "::"]);
  assert.deepEqual([await accepts("127.0.0.1", port), await accepts("::1", port)], [true, true]);
});
