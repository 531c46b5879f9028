// freePort gives ports outside the kernel's ephemeral range (where outgoing connections take their source
// ports), that can be listened on, and distinct ones when asked for several.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { test } from "node:test";
import { freePort, freePorts } from "../src/haproxy/index.ts";

test("free ports lie below the ephemeral range, can be listened on, and freePorts gives distinct ones", async () => {
  const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
    .trim()
    .split(/\s+/)
    .map(Number);
  assert.ok(low !== undefined && low > 10_000);
  const ports = await freePorts(20);
  assert.equal(new Set(ports).size, 20);
  for (const port of ports) assert.ok(port >= 10_000 && port < low, `${port} below ${low}`);
  const port = await freePort();
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  await new Promise((resolve) => server.close(resolve));
});
