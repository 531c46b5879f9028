// End to end, the timeout labels through the pair and real HAProxy: a WebSocket idle for 55 s survives
// with the default tunnel timeout (1 h; the 50 s client/server timeouts would have cut it), one labelled
// timeout-tunnel=2s is cut after its idle time, and a long poll longer than timeout-server gets 504
// while the same poll answers with a larger timeout-server label.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { httpRequest, startBackend } from "@rancher-haproxy/test-support";
import { assertCleanStop, get, host, startWorldPair } from "./helpers/e2e.ts";
import { startEchoBackend } from "./helpers/label-backends.ts";

const L = "map-public-http";

// A WebSocket upgrade through HAProxy on a raw socket; resolves once the 101 is read.
async function openTunnel(
  url: string,
  hostName: string,
): Promise<{ socket: Socket; closed: Promise<number> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const opened = performance.now();
  const closed = new Promise<number>((resolve) =>
    socket.on("close", () => resolve(performance.now() - opened)),
  );
  socket.on("error", () => socket.destroy());
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: ${hostName}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
  );
  const head = await new Promise<string>((resolve, reject) => {
    socket.once("data", (data) => resolve(data.toString("latin1")));
    socket.once("close", () => reject(new Error("closed before the 101")));
  });
  assert.match(head, /^HTTP\/1\.1 101 /);
  return { socket, closed };
}

// Sends `text` and resolves with what comes back (or rejects when the tunnel is closed).
function echo(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed || socket.readableEnded) return reject(new Error("the tunnel was closed"));
    socket.once("end", () => reject(new Error("the tunnel was closed")));
    socket.once("data", (data) => resolve(data.toString()));
    socket.once("close", () => reject(new Error("the tunnel was closed")));
    socket.write(text);
  });
}

test("a WebSocket idle 55 s survives the default 1 h tunnel timeout; timeout-tunnel=2s cuts an idle one; timeout-server bounds a long poll", async (t) => {
  const ws = await startEchoBackend(t, "ws-web-1", "127.0.0.71");
  const short = await startEchoBackend(t, "short-web-1", "127.0.0.72");
  const poll = await startBackend({ name: "poll-web-1", host: "127.0.0.73", delayMs: 4000 });
  const patient = await startBackend({ name: "patient-web-1", host: "127.0.0.74", delayMs: 4000 });
  t.after(() => Promise.all([poll.close(), patient.close()]));
  const pair = await startWorldPair(t, {
    stacks: {
      ws: [{ backend: ws }],
      short: [{ backend: short, labels: { [`${L}.timeout-tunnel`]: "2s" } }],
      poll: [{ backend: poll, labels: { [`${L}.timeout-server`]: "2s" } }],
      patient: [{ backend: patient, labels: { [`${L}.timeout-server`]: "10s" } }],
    },
  });
  await pair.waitForApplied((files) => files.backends.includes("timeout tunnel 2s"));

  const longLived = await openTunnel(pair.url, host("ws"));
  t.after(() => longLived.socket.destroy());
  assert.equal(await echo(longLived.socket, "hello"), "hello");
  const idleSince = performance.now();
  const cut = await openTunnel(pair.url, host("short"));
  t.after(() => cut.socket.destroy());
  assert.equal(await echo(cut.socket, "hello"), "hello");

  // while the long-lived tunnel idles: the short one is cut, and the two polls run into their timeouts
  const cutAfter = await cut.closed;
  assert.ok(
    cutAfter >= 1500 && cutAfter < 20_000,
    `timeout-tunnel=2s closed the idle tunnel after ${cutAfter} ms`,
  );
  // The patient answer comes 4 s after its request: the client waits longer than get()'s 5 s (1 s to spare
  // for HAProxy and this process on a loaded machine was not always enough); HAProxy's own bound is tested.
  const [timedOut, answered] = await Promise.all([
    get(pair, host("poll")).catch((error: Error) => error),
    httpRequest({ url: pair.url, host: host("patient"), timeoutMs: 30_000 }).catch((error: Error) => error),
  ]);
  assert.equal(timedOut instanceof Error ? timedOut.message : timedOut.status, 504);
  assert.equal(answered instanceof Error ? answered.message : answered.body, "patient-web-1");

  // idle 55 s in all (5 s beyond the client/server timeouts), counted from its last byte
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 55_000 - (performance.now() - idleSince))));
  assert.equal(await echo(longLived.socket, "still there"), "still there", "idle 55 s, the tunnel is open");
  longLived.socket.destroy();
  await assertCleanStop(pair);
});
