// A tcp_<port> backend on the port of one of the reloader's own listeners (map-public-tcp=80:…, HTTP_PORT
// 80): that listener gets its connections (an HTTP client's 400 to a database client), and TCP_PORTS
// cannot list the port (the reloader exits 2). Until 2026-12-05 the report said nothing listened for it
// and asked for the port in TCP_PORTS; following that advice stopped the reloader at its next start.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { renderBackends } from "@rancher-haproxy/core";
import { renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { readStatusJson } from "../../test-support/src/status/index.ts";
import { createFixture } from "./helpers/fixture.ts";

// What the listener on `port` (127.0.0.1) answers to a line a TCP client sends first.
function firstAnswer(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let data = "";
    socket.on("connect", () => socket.write("PING\r\n\r\n"));
    socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
    socket.on("close", () => resolve(data));
    socket.on("error", reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer")));
  });
}

test("a TCP backend on HTTP_PORT: the report says HTTP_PORT gets its connections, not to list it in TCP_PORTS", async (t) => {
  const server = { name: "s1", address: "127.0.0.1", port: 5432 };
  const draft = await createFixture((fn) => t.after(fn), { deferStart: true });
  const httpPort = draft.httpPort;
  await draft.write({
    backends: renderBackends({
      backends: [
        { name: "app", servers: [{ ...server, port: 8080 }] },
        { name: `tcp_${httpPort}`, mode: "tcp", servers: [server] },
        { name: "tcp_6379", mode: "tcp", servers: [server] },
      ],
    }),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const reloader = await draft.start(["--status-port", "0"]);
  const url = String((await reloader.waitForEvent("status.listening"))["url"]);
  const warned = await reloader.waitForEvent("tcp.ports-unlisted");
  assert.deepEqual(
    warned["ports"],
    [6379, httpPort].sort((a, b) => a - b),
  );
  assert.deepEqual(warned["taken"], [{ port: httpPort, listener: "HTTP_PORT" }]);
  const msg = String(warned["msg"]);
  assert.ok(
    msg.includes(
      `${httpPort} is HTTP_PORT: its listener gets those connections, and TCP_PORTS cannot list it`,
    ),
    msg,
  );
  assert.ok(
    msg.endsWith("nothing listens for the others (add the ports to TCP_PORTS and publish them)"),
    msg,
  );

  const health = await readStatusJson<{ warnings: string[] }>(url, "/healthz");
  assert.deepEqual(health.json.warnings.sort(), [
    `backend tcp_${httpPort} is routed but ${httpPort} is HTTP_PORT: its listener gets those connections, ` +
      "and TCP_PORTS cannot list it (give the TCP service another public port)",
    "backend tcp_6379 is routed but TCP_PORTS does not list 6379: nothing listens for it",
  ]);
  // what the warning says: HAProxy's HTTP listener answers the TCP client on that port
  assert.match(await firstAnswer(httpPort), /^HTTP\/1\.[01] 400 /);
});
