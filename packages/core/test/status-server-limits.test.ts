// Issue 11, item 14: the status listener binds 0.0.0.0 in the image, so it is bounded. 20 000 idle
// connections made the reloader fail its own file reads (EMFILE) and slow clients stayed ~40 s instead
// of 10 s. Real server on loopback: a connection cap, timeouts enforced on time, and STATUS_TOKEN.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { Writable } from "node:stream";
import { test, type TestContext } from "node:test";
import { waitFor } from "@rancher-haproxy/test-support";
import {
  createConnectionDrops,
  createLogger,
  jsonResponse,
  MAX_PIPELINED_REQUESTS,
  startStatusServer,
  textResponse,
  withBytes,
  type StatusRoutes,
  type StatusServerOptions,
} from "../src/index.js";
import { captureLogger } from "./helpers.js";

const logger = createLogger({
  name: "status-limits-test",
  level: "silent",
  format: "json",
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});
const METRICS: StatusRoutes = { "/metrics": () => textResponse("up 1") };
const ROUTES: StatusRoutes = { "/healthz": () => jsonResponse({ status: "ok" }), ...METRICS };

// A status server on 127.0.0.1 (a free port) with ROUTES and the silent logger unless `options` say
// otherwise, closed after the test.
async function listen(t: TestContext, options: Partial<StatusServerOptions> = {}) {
  const server = await startStatusServer({ host: "127.0.0.1", port: 0, routes: ROUTES, logger, ...options });
  t.after(() => server.close());
  return server;
}

// Open a socket; resolves once connected, `closed` settles when the server closes it. The socket
// reads (and drops) what arrives: a server that writes its 408 before closing leaves bytes unread
// otherwise, and an unread socket never sees the end, so its close would go unnoticed.
function openSocket(port: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.resume();
    const closed = new Promise<number>((done) => socket.on("close", () => done(performance.now())));
    socket.on("error", () => undefined);
    socket.once("connect", () => resolve({ socket, closed }));
    socket.once("error", reject);
  });
}

test("connections beyond the cap are closed at once; the listener answers again when they go", async (t) => {
  const server = await listen(t);
  const sockets = await Promise.all(Array.from({ length: 100 }, () => openSocket(server.port)));
  t.after(() => sockets.forEach(({ socket }) => socket.destroy()));
  const deadline = new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 2000).unref());
  const outcomes = await Promise.all(sockets.map(({ closed }) => Promise.race([closed, deadline])));
  const cut = outcomes.filter((outcome) => outcome !== "open").length;
  assert.equal(cut, 100 - 64, "the 36 connections above the default cap of 64 are closed");
  sockets.forEach(({ socket }) => socket.destroy());
  // The server learns of the closes when it next reads them: until then a new connection may still be
  // one over the cap (closed at once), so it is asked again until answered; within 4 s, well before
  // the 10 s idle timeout would free the 64 connections had they stayed.
  const status = await waitFor(
    async () => (await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) })).status,
    { timeoutMs: 4000, message: "/healthz answered once the 100 connections went" },
  );
  assert.equal(status, 200);
});

test("a slow client and an idle one are cut after the timeout, not ~30 s later", async (t) => {
  // 2 s instead of the default 10 s to keep the test short; Node's own check ran every 30 s.
  const server = await listen(t, { timeoutMs: 2000 });
  const started = performance.now();
  const slow = await openSocket(server.port);
  const idle = await openSocket(server.port);
  t.after(() => [slow, idle].forEach(({ socket }) => socket.destroy()));
  // Headers a byte every 300 ms: the socket is never idle, only the header timeout can end it.
  const header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(60);
  let index = 0;
  const drip = setInterval(() => slow.socket.write(header[index++ % header.length] ?? "a"), 300);
  t.after(() => clearInterval(drip));
  const limit = new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 10_000).unref());
  const [slowEnd, idleEnd] = await Promise.all([
    Promise.race([slow.closed, limit]),
    Promise.race([idle.closed, limit]),
  ]);
  clearInterval(drip);
  assert.ok(slowEnd - started < 6000, `slow client cut after ${Math.round(slowEnd - started)} ms`);
  assert.ok(idleEnd - started < 6000, `idle client cut after ${Math.round(idleEnd - started)} ms`);
});

test("STATUS_TOKEN: everything but /healthz needs the bearer token", async (t) => {
  const server = await listen(t, { token: "s3cret-token" });
  const status = async (path: string, authorization?: string) =>
    (
      await fetch(`${server.url}${path}`, {
        headers: authorization ? { authorization } : {},
        signal: AbortSignal.timeout(5000),
      })
    ).status;
  assert.equal(await status("/healthz"), 200);
  assert.equal(await status("/metrics"), 401);
  assert.equal(await status("/"), 401);
  assert.equal(await status("/nope"), 401);
  assert.equal(await status("/metrics", "Bearer wrong"), 401);
  assert.equal(await status("/metrics", "Basic czNjcmV0LXRva2Vu"), 401);
  assert.equal(await status("/metrics", "Bearer s3cret-token"), 200);
  assert.equal(await status("/", "bearer s3cret-token"), 200);
});

// One raw request on its own connection; resolves with the status line (or "closed" if none came).
function rawStatusLine(port: number, requestLine: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("close", () => resolve(answer.split("\r\n")[0] || "closed"));
    socket.on("error", reject);
    socket.write(`${requestLine}\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

test("a request target that is not a path, or no URL can be made of, is a 400, never a crash (with or without the token)", async (t) => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on("unhandledRejection", onRejection);
  t.after(() => process.off("unhandledRejection", onRejection));
  for (const token of [null, "s3cret-token"]) {
    const server = await listen(t, { token });
    // `new URL(target, base)` throws on each of these (it used to, unguarded, in an un-awaited promise).
    for (const target of ["//", "//a:b@", "http://[", "//[::1"]) {
      assert.throws(() => new URL(target, "http://status.invalid"), `${target} is not a URL`);
      assert.equal(await rawStatusLine(server.port, `GET ${target} HTTP/1.1`), "HTTP/1.1 400 Bad Request");
    }
    // `*` (asterisk form) is no path: it was read as `/*`, a 404 (GET), 405 (OPTIONS) or 401 (token).
    for (const line of ["OPTIONS * HTTP/1.1", "GET * HTTP/1.1", "GET *healthz HTTP/1.1"])
      assert.equal(await rawStatusLine(server.port, line), "HTTP/1.1 400 Bad Request", line);
    const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    assert.equal(response.status, 200, "the listener still answers");
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(rejections, []);
});

test("a target starting with // or /\\ is no path: //healthz is a 400, never `/`'s 200 list or another route", async (t) => {
  // A failing /healthz: a health check at a doubled slash (a base URL ending in / joined with /healthz)
  // was answered `/`'s path list with 200, so it saw a healthy process whatever /healthz said.
  const routes: StatusRoutes = { "/healthz": () => jsonResponse({ status: "failing" }, 503), ...METRICS };
  for (const token of [null, "s3cret-token"]) {
    const server = await listen(t, { routes, token });
    // `\` is a `/` in an http URL: `/\healthz` was host healthz and path `/` too (found 2026-12-05)
    for (const target of [
      "//healthz",
      "//healthz?x=1",
      "//status.invalid/healthz",
      "//x/metrics",
      "/\\healthz",
      "/\\\\healthz",
      "/\\status.invalid/healthz",
      "/\\x/metrics",
    ])
      assert.equal(
        await rawStatusLine(server.port, `GET ${target} HTTP/1.1`),
        "HTTP/1.1 400 Bad Request",
        `${target} (token ${String(token)})`,
      );
    assert.equal(
      await rawStatusLine(server.port, "GET /healthz HTTP/1.1"),
      "HTTP/1.1 503 Service Unavailable",
    );
  }
});

// Every drop reason at 0 (a test names the ones it expects).
const NO_DROPS = { max_connections: 0, timeout: 0, pipelined: 0, body: 0, malformed: 0, evicted: 0 };

const dropLines = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => line["event"] === "status.connections-dropped");

test("connections over the cap are counted and logged: the first at once, the rest in one line per interval", async (t) => {
  const { logger: capturing, lines } = captureLogger("status-drops-test");
  const drops = createConnectionDrops();
  const server = await listen(t, { logger: capturing, maxConnections: 4, drops });
  const sockets = await Promise.all(Array.from({ length: 10 }, () => openSocket(server.port)));
  t.after(() => sockets.forEach(({ socket }) => socket.destroy()));
  const deadline = new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 2000).unref());
  const outcomes = await Promise.all(sockets.map(({ closed }) => Promise.race([closed, deadline])));
  assert.equal(outcomes.filter((outcome) => outcome !== "open").length, 6);
  assert.deepEqual(drops, {
    ...NO_DROPS,
    unauthorized: 0,
    busy: 0,
    max_connections: 6,
    timeout: 0,
    pipelined: 0,
  });
  assert.equal(server.drops, drops);
  const first = dropLines(lines);
  assert.equal(first.length, 1, "one line within the interval (60 s)");
  assert.equal(first[0]?.["level"], 40, "a warning");
  assert.deepEqual(first[0]?.["reasons"], { ...NO_DROPS, max_connections: 1, timeout: 0, pipelined: 0 });

  sockets.forEach(({ socket }) => socket.destroy());
  await server.close();
  const all = dropLines(lines);
  assert.equal(all.length, 2, "close logs what was still pending");
  assert.equal(all[1]?.["dropped"], 5, "the count since the last line");
  assert.deepEqual(all[1]?.["reasons"], { ...NO_DROPS, max_connections: 5, timeout: 0, pipelined: 0 });
});

test("timeouts are counted (a slow request, a silent connection), an idle keep-alive connection after its answer is not", async (t) => {
  const { logger: capturing, lines } = captureLogger("status-drops-test");
  const server = await listen(t, { logger: capturing, timeoutMs: 1000 });
  const slow = await openSocket(server.port);
  const silent = await openSocket(server.port);
  const kept = await openSocket(server.port);
  t.after(() => [slow, silent, kept].forEach(({ socket }) => socket.destroy()));
  const drip = setInterval(() => slow.socket.write("a"), 200);
  slow.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  t.after(() => clearInterval(drip));
  kept.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const limit = new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 10_000).unref());
  const ends = await Promise.all([slow, silent, kept].map(({ closed }) => Promise.race([closed, limit])));
  clearInterval(drip);
  assert.ok(!ends.includes("open"), "all three were closed");
  assert.deepEqual(server.drops, {
    ...NO_DROPS,
    unauthorized: 0,
    busy: 0,
    max_connections: 0,
    timeout: 2,
    pipelined: 0,
  });
  await server.close();
  const logged = dropLines(lines).map((line) => (line["reasons"] as Record<string, number>)["timeout"] ?? 0);
  assert.equal(
    logged.reduce((sum, count) => sum + count, 0),
    2,
    "the lines add up to every drop",
  );
});

test("a keep-alive connection that stalls in the headers of its next request is counted as a timeout when cut", async (t) => {
  // The production timeouts: an answered connection is cut after the keep-alive idle time (5 s, and
  // Node's 1 s margin), before a request's header timeout (10 s) would answer 408.
  const server = await listen(t);
  const { socket, closed } = await openSocket(server.port);
  t.after(() => socket.destroy());
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  await waitFor(() => received.includes("\r\n\r\n{"), { message: "the first request answered" });
  socket.write("GET /healthz HTTP/1.1\r\nHo");
  const limit = new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 20_000).unref());
  assert.notEqual(await Promise.race([closed, limit]), "open", "the stalled connection was cut");
  assert.deepEqual(server.drops, { ...NO_DROPS, unauthorized: 0, busy: 0, timeout: 1 });
});

test("a client pipelining requests without reading the answers is cut after MAX_PIPELINED_REQUESTS, counted; one at a time is never cut", async (t) => {
  const { logger: capturing, lines } = captureLogger("status-drops-test");
  const drops = createConnectionDrops();
  let handled = 0;
  const routes: StatusRoutes = {
    ...ROUTES,
    "/metrics": async () => {
      handled += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return textResponse("up 1");
    },
  };
  const server = await listen(t, { routes, logger: capturing, drops });

  // 20 000 requests (≈ 900 KB) written at once, none of the answers read.
  const { socket, closed } = await openSocket(server.port);
  t.after(() => socket.destroy());
  socket.pause();
  socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(20_000));
  const deadline = new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 5000).unref());
  assert.notEqual(await Promise.race([closed, deadline]), "open", "the connection is cut");
  assert.ok(
    handled <= MAX_PIPELINED_REQUESTS,
    `at most ${MAX_PIPELINED_REQUESTS} handlers started (${handled})`,
  );
  assert.deepEqual(drops, {
    ...NO_DROPS,
    unauthorized: 0,
    busy: 0,
    max_connections: 0,
    timeout: 0,
    pipelined: 1,
  });
  assert.deepEqual(dropLines(lines)[0]?.["reasons"], {
    ...NO_DROPS,
    max_connections: 0,
    timeout: 0,
    pipelined: 1,
  });
  const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) });
  assert.equal(health.status, 200);

  // 50 requests one after the other on one keep-alive connection.
  handled = 0;
  for (let i = 0; i < 50; i++) {
    const response = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(2000) });
    assert.equal(await response.text(), "up 1\n");
  }
  assert.equal(handled, 50);
  assert.equal(drops.pipelined, 1, "no sequential client cut");
});

// Send `request` on a fresh connection; resolves with what came back once the server closes it (or
// after `waitMs`), and whether it closed.
async function rawExchange(
  port: number,
  request: string,
  waitMs = 3000,
): Promise<{ text: string; closed: boolean }> {
  const socket = connect(port, "127.0.0.1");
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  const closed = new Promise<boolean>((resolve) => socket.on("close", () => resolve(true)));
  socket.write(request);
  const limit = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), waitMs).unref());
  const ended = await Promise.race([closed, limit]);
  socket.destroy();
  return { text, closed: ended };
}

// Send `head` on a fresh connection, then bytes (`fill`, 64 KiB at a time) as fast as the socket takes
// them until it is closed: a client streaming what the server must not read. `closed` settles with the
// time of the close, `answer()` is what came back so far.
function floodAfter(port: number, head: string, fill: number) {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  let answer = "";
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
  const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(performance.now())));
  socket.write(head);
  const chunk = Buffer.alloc(64 * 1024, fill);
  const pump = () => {
    while (!socket.destroyed && socket.write(chunk));
  };
  socket.on("drain", pump);
  pump();
  return { socket, closed, answer: () => answer };
}

test("a request with a body is answered 413 and cut at once, counted; it no longer streams until the timeout", async (t) => {
  const { logger: capturing, lines } = captureLogger("status-drops-test");
  const server = await listen(t, { logger: capturing });
  // A 100 GB body announced and sent as fast as the socket takes it: before, read and thrown away for
  // the whole 10 s timeout (a core busy, gigabytes read).
  const started = performance.now();
  const flood = floodAfter(
    server.port,
    "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n",
    120,
  );
  const limit = new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 5000).unref());
  const end = await Promise.race([flood.closed, limit]);
  flood.socket.destroy();
  assert.ok(end - started < 3000, `cut after ${Math.round(end - started)} ms`);
  assert.match(flood.answer(), /^HTTP\/1\.1 413 /);
  // A chunked body too.
  const chunked = await rawExchange(
    server.port,
    "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
  );
  assert.match(chunked.text, /^HTTP\/1\.1 413 /);
  assert.ok(chunked.closed, "the connection is closed after the 413");
  assert.equal(server.drops.body, 2);
  // A bad chunk after the 413 is the same connection: counted once.
  const badChunk = await rawExchange(
    server.port,
    "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n",
  );
  assert.match(badChunk.text, /^HTTP\/1\.1 413 /);
  assert.equal(server.drops.body, 3);
  assert.equal(server.drops.malformed, 0, "no second count for the same connection");
  // `Content-Length: 00` announces no body.
  const zero = await rawExchange(
    server.port,
    "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 00\r\n\r\n",
    500,
  );
  assert.match(zero.text, /^HTTP\/1\.1 200 /);
  await server.close();
  const logged = dropLines(lines).map((line) => (line["reasons"] as Record<string, number>)["body"] ?? 0);
  assert.equal(
    logged.reduce((sum, count) => sum + count, 0),
    3,
    "the lines add up to every body refused",
  );
});

test("what Node's parser refuses (garbage, oversized headers), a CONNECT and a bad Expect are counted as malformed", async (t) => {
  const server = await listen(t);
  const garbage = await rawExchange(server.port, "NOT HTTP AT ALL\r\n\r\n");
  assert.match(garbage.text, /^HTTP\/1\.1 400 /);
  const large = await rawExchange(
    server.port,
    `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
  );
  assert.match(large.text, /^HTTP\/1\.1 431 /);
  const tunnel = await rawExchange(
    server.port,
    "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n",
  );
  assert.ok(tunnel.closed, "a CONNECT is closed");
  const expect = await rawExchange(server.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\n\r\n");
  assert.match(expect.text, /^HTTP\/1\.1 417 /);
  assert.deepEqual(server.drops, { ...NO_DROPS, unauthorized: 0, busy: 0, malformed: 4 });
  // A well-formed request on the same listener is answered as usual.
  assert.equal((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) })).status, 200);
});

test("an HTTP/1.1 request without Host is a 400 counted as malformed, not a refusal no metric shows", async (t) => {
  const { logger: capturing, lines } = captureLogger("status-drops-test");
  const server = await listen(t, { logger: capturing, dropLogIntervalMs: 0 });
  // Node answered this 400 itself, before any request event: no count, no log line, and a health check
  // sent as `GET /healthz HTTP/1.1` without Host failed with nothing on /metrics to say why.
  for (const head of [
    "GET /healthz HTTP/1.1\r\n\r\n",
    "GET /metrics HTTP/1.1\r\nConnection: keep-alive\r\n\r\n",
  ]) {
    const answer = await rawExchange(server.port, head);
    assert.match(answer.text, /^HTTP\/1\.1 400 /);
    assert.match(answer.text, /Host/, "the answer says what is missing");
    assert.ok(answer.closed, "the connection is closed after the 400");
  }
  assert.deepEqual(server.drops, { ...NO_DROPS, unauthorized: 0, busy: 0, malformed: 2 });
  const logged = dropLines(lines).map(
    (line) => (line["reasons"] as Record<string, number>)["malformed"] ?? 0,
  );
  assert.equal(
    logged.reduce((sum, count) => sum + count, 0),
    2,
    "both are logged",
  );
  // HTTP/1.0 needs no Host; HTTP/1.1 with one, even empty (RFC 9112 3.2), is answered as usual.
  const empty = await rawExchange(server.port, "GET /healthz HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n");
  assert.match(empty.text, /^HTTP\/1\.1 200 /);
  const old = await rawExchange(server.port, "GET /healthz HTTP/1.0\r\n\r\n");
  assert.match(old.text, /^HTTP\/1\.1 200 /);
  const usual = await rawExchange(
    server.port,
    "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assert.match(usual.text, /^HTTP\/1\.1 200 /);
  assert.equal(server.drops.malformed, 2);
});

test("a request target that is not a path is a 400 counted as malformed, and its connection closed", async (t) => {
  const { logger: capturing, lines } = captureLogger("status-drops-test");
  const server = await listen(t, { logger: capturing, dropLogIntervalMs: 0 });
  // A health check at `//healthz` got its 400 and nothing on /metrics or in the log said why, unlike
  // every 400 of the parser; the connection stayed open for more such requests.
  for (const line of ["GET //healthz HTTP/1.1", "OPTIONS * HTTP/1.1", "GET http://[ HTTP/1.1"]) {
    const answer = await rawExchange(server.port, `${line}\r\nHost: x\r\n\r\n`);
    assert.match(answer.text, /^HTTP\/1\.1 400 /, line);
    assert.ok(answer.closed, `the connection is closed after the 400 (${line})`);
  }
  assert.deepEqual(server.drops, { ...NO_DROPS, unauthorized: 0, busy: 0, malformed: 3 });
  const logged = dropLines(lines).map(
    (line) => (line["reasons"] as Record<string, number>)["malformed"] ?? 0,
  );
  assert.equal(
    logged.reduce((sum, count) => sum + count, 0),
    3,
    "each is logged",
  );
  // A 404 is an answer, not a refusal: not counted, the connection kept.
  const missing = await rawExchange(server.port, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n", 500);
  assert.match(missing.text, /^HTTP\/1\.1 404 /);
  assert.equal(missing.closed, false);
  assert.equal(server.drops.malformed, 3);
});

test("401s are counted and logged (a guessing client shows); a failing route's error stays in the log, not the answer", async (t) => {
  const { logger: capturing, lines } = captureLogger("status-drops-test");
  const routes: StatusRoutes = {
    ...ROUTES,
    "/boom": () => {
      throw new Error("ENOENT: /secret/state/path");
    },
  };
  const server = await listen(t, { routes, logger: capturing, token: "right-token" });
  for (const authorization of [undefined, "Bearer wrong", "Basic abc"]) {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    const response = await fetch(`${server.url}/metrics`, { headers, signal: AbortSignal.timeout(2000) });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  }
  const failed = await fetch(`${server.url}/boom`, {
    headers: { authorization: "Bearer right-token" },
    signal: AbortSignal.timeout(2000),
  });
  assert.equal(failed.status, 500);
  assert.doesNotMatch(await failed.text(), /secret/);
  assert.equal(server.drops.unauthorized, 3);
  await server.close();
  assert.equal(
    dropLines(lines).reduce((sum, line) => sum + Number(line["unauthorized"]), 0),
    3,
    "the lines add up to every 401",
  );
  const handlerLine = lines.find((line) => line["event"] === "status.handler-failed");
  assert.match(String(handlerLine?.["err"]), /secret/);
});

test("a pipelined request whose answer stalls unread is counted as a timeout, though the first was answered", async (t) => {
  const big = textResponse("x".repeat(32 * 1024 * 1024));
  const routes: StatusRoutes = { ...ROUTES, "/big": () => big };
  const server = await listen(t, { routes, timeoutMs: 1000 });
  const { socket } = await openSocket(server.port);
  t.after(() => socket.destroy());
  // Never read: the paused client sees no end either, so the count is what the test waits for.
  socket.pause();
  socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /big HTTP/1.1\r\nHost: x\r\n\r\n");
  await waitFor(() => server.drops.timeout === 1, {
    timeoutMs: 10_000,
    message: `the stalled connection is cut and counted (${JSON.stringify(server.drops)})`,
  });
});

test("a request asking for an Upgrade is answered and its connection closed; the bytes after it are not read until the timeout", async (t) => {
  const server = await listen(t, { timeoutMs: 2000 });
  // What `curl --http2` sends to an http:// URL: the upgrade is ignored, the answer is HTTP/1.1 as ever.
  const h2c = await rawExchange(
    server.port,
    "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n" +
      "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
    10_000,
  );
  assert.match(h2c.text, /^HTTP\/1\.1 200 /);
  assert.match(h2c.text, /\r\nconnection: close\r\n/i, "the connection ends with the answer");
  assert.ok(h2c.closed);
  // The same request followed by bytes as fast as the socket takes them: Node's parser stopped at the
  // Upgrade, so it read them and threw them away until the timeout cut the connection.
  await floodAfter(
    server.port,
    "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    65,
  ).closed;
  assert.equal(server.drops.timeout, 0, "closed after its answer, not cut by the timeout");
  assert.equal((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);
});

// A client that asks for `path` and then stops reading once the status line came (a slow reader: the
// rest of its answer waits in the server's socket); its status code, and the socket to end it.
async function stalledReader(port: number, path: string): Promise<{ status: number; socket: Socket }> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  const first = await new Promise<Buffer>((resolve) =>
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      resolve(chunk);
    }),
  );
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(first.toString("latin1"))?.[1]), socket };
}

test("slow readers holding large answers of different versions are bounded: a new large answer past the budget is a 503, counted; small ones still go", async (t) => {
  // What the reloader's /config is: one kept buffer per running generation, shared by its requests. Each
  // slow reader kept its generation's buffer: 60 of them held 60 generations of a 14 MB /config (880 MB).
  const size = 32 * 1024 * 1024;
  let version = 0;
  let kept = withBytes(textResponse("0".repeat(size - 1)));
  const bump = () => (kept = withBytes(textResponse(String(++version).repeat(size - 1))));
  const routes: StatusRoutes = { ...ROUTES, "/config": () => ({ ...kept }) };
  const server = await listen(t, { routes, maxAnswerBytesInFlight: 2 * size });
  const readers: Socket[] = [];
  t.after(() => readers.forEach((socket) => socket.destroy()));
  const stall = async () => {
    const reader = await stalledReader(server.port, "/config");
    readers.push(reader.socket);
    return reader.status;
  };
  assert.equal(await stall(), 200, "the first large answer goes");
  assert.equal(await stall(), 200, "a second reader of the same version shares its bytes");
  bump();
  assert.equal(await stall(), 200, "a second version fits the budget");
  bump();
  assert.equal(await stall(), 503, "a third version is over the budget");
  const refused = await fetch(`${server.url}/config`, { signal: AbortSignal.timeout(5000) });
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "5");
  assert.match(await refused.text(), /^busy: \d+ bytes of large answers are still being sent/);
  assert.equal((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);
  assert.equal((await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5000) })).status, 200);
  assert.equal(server.drops.busy, 2, "each refusal counted");
  assert.equal(server.drops.timeout + server.drops.pipelined, 0, "no connection was dropped");
  // The readers go: their answers' bytes are released, and the newest version is served whole.
  readers.forEach((socket) => socket.destroy());
  const whole = await waitFor(
    async () => {
      const answer = await fetch(`${server.url}/config`, { signal: AbortSignal.timeout(10_000) });
      const bytes = await answer.arrayBuffer();
      return answer.status === 200 ? bytes.byteLength : null;
    },
    { timeoutMs: 10_000, message: "a large answer goes again once the slow readers left" },
  );
  assert.equal(whole, size);
});

test("a client gone while its large answer was being built holds none of the budget", async (t) => {
  const size = 4 * 1024 * 1024;
  let version = 0;
  let entered = 0;
  let open = () => undefined as void;
  let gate = Promise.resolve();
  const routes: StatusRoutes = {
    ...ROUTES,
    "/config": async () => {
      entered++;
      const answer = withBytes(textResponse(String(++version % 10).repeat(size - 1)));
      await gate;
      return answer;
    },
  };
  const server = await listen(t, { routes, maxAnswerBytesInFlight: size });
  // Three clients ask for a version of their own and leave before it is built; the server sees each go
  // (a /healthz answered after the close) before the handlers go on.
  gate = new Promise<void>((resolve) => (open = resolve));
  for (let client = 1; client <= 3; client++) {
    const socket = connect(server.port, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.write("GET /config HTTP/1.1\r\nHost: x\r\n\r\n");
    await waitFor(() => entered === client, { message: `client ${client}'s handler runs` });
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.destroy();
    await closed;
  }
  assert.equal((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);
  open();
  // Their handlers end with nobody to send to: the next large answer goes, alone in the budget.
  const answer = await fetch(`${server.url}/config`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(answer.status, 200);
  assert.equal((await answer.arrayBuffer()).byteLength, size);
  assert.equal(server.drops.busy, 0);
});
