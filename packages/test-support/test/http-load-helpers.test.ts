// The helpers other tests and the benchmarks lean on: backends (plain and PROXY protocol), the checked
// load generator, waitFor and freePort.
import assert from "node:assert/strict";
import { createConnection, createServer } from "node:net";
import { describe, it } from "node:test";
import { freePort, waitFor } from "../src/haproxy/index.ts";
import { httpRequest, parseProxyHeader, startBackend } from "../src/http/index.ts";
import { runLoad } from "../src/load/index.ts";

// Send raw bytes on a new connection and read until the server closes it.
function rawExchange(port: number, host: string, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = createConnection({ port, host }, () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
  });
}

const REQUEST = Buffer.from("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
const V2_SIGNATURE = Buffer.from("0d0a0d0a000d0a515549540a", "hex");

function v2Header(source: string, sourcePort: number): Buffer {
  const body = Buffer.alloc(12);
  source.split(".").forEach((part, index) => body.writeUInt8(Number(part), index));
  [127, 0, 0, 1].forEach((part, index) => body.writeUInt8(part, 4 + index));
  body.writeUInt16BE(sourcePort, 8);
  body.writeUInt16BE(80, 10);
  const head = Buffer.from([0x21, 0x11, 0x00, 12]);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}

describe("startBackend", () => {
  it("answers 200 with its name as body and x-backend, and counts requests", async () => {
    const backend = await startBackend({ name: "alpha", host: "127.0.0.81" });
    try {
      const answer = await httpRequest({ url: `http://${backend.address}/path?q=1`, host: "a.dev.tld" });
      assert.equal(answer.status, 200);
      assert.equal(answer.body, "alpha");
      assert.equal(answer.headers["x-backend"], "alpha");
      assert.equal(backend.requests, 1);
      assert.equal(backend.seen[0]?.url, "/path?q=1");
      assert.equal(backend.seen[0]?.headers["host"], "a.dev.tld");
    } finally {
      await backend.close();
    }
    await assert.rejects(httpRequest({ url: `http://${backend.address}/`, timeoutMs: 1000 }));
  });

  it("with proxyProtocol: parses v1 and v2 headers and refuses connections without one", async () => {
    const backend = await startBackend({ name: "pp", host: "127.0.0.82", proxyProtocol: true });
    try {
      const v1 = await rawExchange(
        backend.port,
        backend.host,
        Buffer.concat([Buffer.from("PROXY TCP4 10.0.0.7 127.0.0.1 4567 80\r\n"), REQUEST]),
      );
      assert.match(v1, /^HTTP\/1\.1 200/);
      assert.match(v1, /x-proxy-protocol: v1 10\.0\.0\.7:4567/i);
      const v2 = await rawExchange(
        backend.port,
        backend.host,
        Buffer.concat([v2Header("192.0.2.9", 5555), REQUEST]),
      );
      assert.match(v2, /x-proxy-protocol: v2 192\.0\.2\.9:5555/i);
      assert.equal(backend.seen.at(-1)?.proxy?.sourceAddress, "192.0.2.9");
      const none = await rawExchange(backend.port, backend.host, REQUEST);
      assert.equal(none, "");
      assert.equal(backend.rejectedConnections, 1);
      assert.equal(backend.requests, 2);
    } finally {
      await backend.close();
    }
  });
});

describe("parseProxyHeader", () => {
  it("needs more bytes, refuses garbage, and reads v1 UNKNOWN, v2 LOCAL and v2 TCP6", () => {
    assert.deepEqual(parseProxyHeader(Buffer.from("PROXY TCP4 1.2")), { kind: "incomplete" });
    assert.deepEqual(parseProxyHeader(V2_SIGNATURE.subarray(0, 8)), { kind: "incomplete" });
    assert.equal(parseProxyHeader(Buffer.from("GET / HTTP/1.1\r\n")).kind, "invalid");
    const unknown = parseProxyHeader(Buffer.from("PROXY UNKNOWN\r\nGET"));
    assert.ok(unknown.kind === "ok" && unknown.header.command === "UNKNOWN" && unknown.length === 15);
    const local = parseProxyHeader(Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]));
    assert.ok(local.kind === "ok" && local.header.command === "LOCAL" && local.length === 16);
    const body = Buffer.alloc(36);
    body.writeUInt16BE(0xfd00, 0);
    body.writeUInt16BE(1, 14);
    body.writeUInt16BE(1234, 32);
    const v6 = parseProxyHeader(Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x21, 0x00, 36]), body]));
    assert.ok(v6.kind === "ok");
    assert.equal(v6.header.family, "TCP6");
    assert.equal(v6.header.sourceAddress, "fd00:0:0:0:0:0:0:1");
    assert.equal(v6.header.sourcePort, 1234);
  });
});

describe("runLoad", () => {
  it("counts ok only for 200 from the expected backend, and stops at maxRequests", async () => {
    const backend = await startBackend({ name: "bravo", host: "127.0.0.83" });
    try {
      const good = await runLoad({
        url: `http://${backend.address}/`,
        targets: [{ host: "b.dev.tld", expect: "bravo" }],
        keepAlive: true,
        maxRequests: 300,
      });
      assert.deepEqual([good.sent, good.ok, good.failed], [300, 300, 0]);
      const wrong = await runLoad({
        url: `http://${backend.address}/`,
        targets: [{ host: "b.dev.tld", expect: "charlie" }],
        keepAlive: false,
        concurrency: 4,
        maxRequests: 10,
      });
      assert.deepEqual([wrong.sent, wrong.ok, wrong.failed], [10, 0, 10]);
      assert.deepEqual(wrong.failureKinds, { "wrong backend": 10 });
      assert.deepEqual(wrong.failures[0], { host: "b.dev.tld", status: 200, error: null, body: "bravo" });
      const predicate = await runLoad({
        url: `http://${backend.address}/`,
        targets: [{ host: "b", expect: (a) => a.headers["x-backend"] === "bravo" }],
        keepAlive: true,
        durationMs: 200,
      });
      assert.ok(predicate.sent > 0 && predicate.failed === 0);
    } finally {
      await backend.close();
    }
  });

  it("counts connection errors as failures, samples a bounded number, and needs a bound", async () => {
    const port = await freePort();
    const refused = await runLoad({
      url: `http://127.0.0.1:${port}/`,
      targets: [{ host: "x", expect: "x" }],
      keepAlive: false,
      maxRequests: 50,
      failureSampleLimit: 5,
    });
    assert.equal(refused.failed, 50);
    assert.equal(refused.failures.length, 5);
    assert.deepEqual(refused.failureKinds, { ECONNREFUSED: 50 });
    await assert.rejects(
      runLoad({ url: "http://127.0.0.1:1/", targets: [{ host: "x", expect: "x" }], keepAlive: true }),
      TypeError,
    );
  });

  it("with hold, a request is answered only once the hold settles", async () => {
    let release = () => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    const backend = await startBackend({ name: "held", host: "127.0.0.87", hold });
    try {
      const answer = httpRequest({ url: `http://${backend.address}/`, host: "h", timeoutMs: 30_000 });
      await waitFor(() => backend.seen.length > 0, { timeoutMs: 10_000, message: "the request" });
      // Not answered while held: no answer is counted, however long the machine took to get here.
      assert.equal(backend.requests, 0);
      release();
      assert.equal((await answer).body, "held");
      assert.equal(backend.requests, 1);
    } finally {
      await backend.close();
    }
  });

  it("with pauseMs, each client waits that long after each answer", async () => {
    const backend = await startBackend({ name: "slow", host: "127.0.0.85" });
    try {
      // 2 clients, 100 ms apart each, for 300 ms: at most 4 requests each (at once without the pause:
      // hundreds); the bound holds however slow the machine is.
      const result = await runLoad({
        url: `http://${backend.address}/`,
        targets: [{ host: "s", expect: "slow" }],
        keepAlive: true,
        concurrency: 2,
        durationMs: 300,
        pauseMs: 100,
      });
      assert.ok(result.sent >= 2 && result.sent <= 8, `${result.sent} requests`);
      assert.equal(result.failed, 0);
    } finally {
      await backend.close();
    }
  });

  it("stops when its signal aborts", async () => {
    const backend = await startBackend({ name: "echo", host: "127.0.0.84" });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const result = await runLoad({
        url: `http://${backend.address}/`,
        targets: [{ host: "e", expect: "echo" }],
        keepAlive: true,
        signal: controller.signal,
      });
      assert.ok(result.sent > 0 && result.failed === 0 && result.durationMs < 5000);
    } finally {
      await backend.close();
    }
  });
});

describe("waitFor and freePort", () => {
  it("waitFor resolves with the first truthy value and rejects with its message after the deadline", async () => {
    let n = 0;
    assert.equal(await waitFor(() => (++n >= 3 ? n : 0), { intervalMs: 1 }), 3);
    await assert.rejects(
      waitFor(() => false, { timeoutMs: 50, message: "never" }),
      /timed out after 50 ms waiting for never/,
    );
    await assert.rejects(
      waitFor(
        () => {
          throw new Error("boom");
        },
        { timeoutMs: 30 },
      ),
      /last error: Error: boom/,
    );
  });

  it("freePort gives a port that can be bound", async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
