// The status listener's budget of large answers not sent yet (answers-in-flight.ts, c1a4d46) is released
// on every way an answer ends: sent whole, cut mid-body, queued behind another answer on a pipelined
// connection that goes, its client gone while the handler ran. A byte never released holds its body in
// memory and counts against every later large answer: enough of them, and every /config and /routes is a
// 503 for good. Real server on loopback, raw sockets.
import assert from "node:assert/strict";
import { Agent, get } from "node:http";
import { connect, type Socket } from "node:net";
import { Writable } from "node:stream";
import { test, type TestContext } from "node:test";
import { waitFor } from "@rancher-haproxy/test-support";
import {
  createLogger,
  jsonResponse,
  SMALL_ANSWER_BYTES,
  startStatusServer,
  textResponse,
  withBytes,
  type StatusResponse,
  type StatusRoutes,
  type StatusServerOptions,
} from "../src/index.js";

const logger = createLogger({
  name: "status-answers-in-flight-test",
  level: "silent",
  format: "json",
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

// A status server on 127.0.0.1 (a free port), closed after the test.
async function listen(t: TestContext, routes: StatusRoutes, options: Partial<StatusServerOptions> = {}) {
  const server = await startStatusServer({ host: "127.0.0.1", port: 0, routes, logger, ...options });
  t.after(() => server.close());
  return server;
}

// The texts of large answers by size and digit, each built once for the file: a new one for every answer
// (a string repeated, flattened by the first look at its end) was ≈ 25 ms of CPU per 6 MiB, ≈ 40 % of the
// file's. Every answer is still encoded into a buffer of its own (responseBytes), as a new body is.
const largeTexts = new Map<string, string>();

// `size` bytes: `digit` repeated, then a newline (a text textResponse keeps as it is).
function largeText(size: number, digit: number): string {
  const key = `${size} ${digit}`;
  let text = largeTexts.get(key);
  if (text === undefined) {
    // The first endsWith flattens the joined string in place: later looks and the encodings read it flat.
    text = textResponse(`${String(digit).repeat(size - 1)}\n`).body;
    largeTexts.set(key, text);
  }
  return text;
}

// Answers of `size` bytes: `/kept`, one kept buffer per version (as the reloader's /config), `/fresh`, a
// new body each time, and `/gated`, a new body once `open()` was called; `bump()` makes a new version.
function largeRoutes(size: number) {
  let version = 0;
  const body = () => largeText(size, ++version % 10);
  let kept = withBytes(textResponse(body()));
  let open = () => undefined as void;
  let gate = new Promise<void>((resolve) => (open = resolve));
  let entered = 0;
  const routes: StatusRoutes = {
    "/healthz": () => jsonResponse({ status: "ok" }),
    "/metrics": () => textResponse("up 1"),
    "/kept": (): StatusResponse => ({ ...kept }),
    "/fresh": () => textResponse(body()),
    "/gated": async () => {
      entered++;
      await gate;
      return textResponse(body());
    },
  };
  return {
    routes,
    bump: () => (kept = withBytes(textResponse(body()))),
    entered: () => entered,
    // Opens the gate; resolves once the handlers it held have returned and been answered (they go on in
    // microtasks, all run before the next macrotask).
    open: async () => {
      open();
      await new Promise((resolve) => setImmediate(resolve));
      gate = new Promise<void>((resolve) => (open = resolve));
    },
  };
}

const request = (path: string, method = "GET") => `${method} ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

// `path` is answered 200 with all of its `size` bytes: a large answer the budget lets go.
async function servedWhole(url: string, path: string, size: number): Promise<void> {
  const answer = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(answer.status, 200, path);
  assert.equal((await answer.arrayBuffer()).byteLength, size, path);
}

// Sends `text` on a new connection and reads until `bytes` of answers came (or, first, a whole answer),
// or `answers` whole answers (of GET requests: by their content-length), or the server closed; then stops
// reading. Resolves with the status codes read and the socket, still open.
async function exchange(
  port: number,
  text: string,
  until: { bytes: number } | { answers: number },
): Promise<{ codes: number[]; socket: Socket }> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  socket.write(text);
  const codes: number[] = [];
  let length = 0;
  let head = "";
  let body = 0;
  let whole = 0;
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      for (let at = 0; at < chunk.length;) {
        if (body > 0) {
          const taken = Math.min(body, chunk.length - at);
          body -= taken;
          at += taken;
          if (body === 0) whole += 1;
          continue;
        }
        head += chunk.toString("latin1", at, at + 1);
        at += 1;
        if (!head.endsWith("\r\n\r\n")) continue;
        codes.push(Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]));
        body = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        head = "";
        if (body === 0) whole += 1;
      }
      if ("bytes" in until ? length < until.bytes && whole === 0 : whole < until.answers) return;
      socket.pause();
      socket.off("data", onData);
      resolve();
    };
    socket.on("data", onData);
    socket.once("close", () => resolve());
  });
  return { codes, socket };
}

// Destroys `socket` and resolves once it is closed (at once when it was).
async function cut(socket: Socket): Promise<void> {
  if (socket.closed) return;
  const closed = new Promise((resolve) => socket.once("close", resolve));
  socket.destroy();
  await closed;
}

test("answers queued behind a stalled one on a pipelined connection release their bytes when it goes", async (t) => {
  // 32 MiB: more than loopback's socket buffers take, so the first answer stalls and the others queue.
  const size = 32 * 1024 * 1024;
  const large = largeRoutes(size);
  const server = await listen(t, large.routes, { maxAnswerBytesInFlight: size });
  // Three requests for the kept version in one segment: one being sent, two queued (the same buffer).
  const reader = await exchange(server.port, request("/kept").repeat(3), { bytes: 1 });
  t.after(() => reader.socket.destroy());
  assert.deepEqual(reader.codes, [200]);
  assert.equal(server.answerBytesInFlight, size, "one buffer, counted once");
  await cut(reader.socket);
  // Node emits `close` only for the answer being sent: the queued ones held the buffer for good, and
  // every later large answer was a 503 (the budget is one answer).
  await waitFor(() => server.answerBytesInFlight === 0, { message: "the queued answers released" });
  large.bump();
  await servedWhole(server.url, "/kept", size);
  assert.equal(server.drops.busy, 0);
});

test("a pipelined client gone while its answers were built holds none of the budget", async (t) => {
  const size = 4 * 1024 * 1024;
  const large = largeRoutes(size);
  const server = await listen(t, large.routes, { maxAnswerBytesInFlight: size });
  // Two requests in one segment: the first handler runs while the second waits its turn in the queue.
  const socket = connect(server.port, "127.0.0.1");
  t.after(() => socket.destroy());
  socket.on("error", () => undefined);
  socket.write(request("/gated").repeat(2));
  await waitFor(() => large.entered() === 2, { message: "both handlers run" });
  await cut(socket);
  // The server sees the close (a later request is answered after it), then the handlers return.
  assert.equal((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);
  await large.open();
  assert.equal(server.answerBytesInFlight, 0, "nothing taken for a client that is gone");
  await servedWhole(server.url, "/fresh", size);
});

test("after 80 readers, whole, cut mid-body, pipelined, HEAD and gone early, no byte stays in flight and a large answer goes", async (t) => {
  // 6 MiB answers under a 24 MiB budget: some are refused (503) while others stall, and some are cut
  // while the server still holds them.
  const size = 6 * 1024 * 1024;
  const large = largeRoutes(size);
  const server = await listen(t, large.routes, { maxAnswerBytesInFlight: 4 * size, maxConnections: 256 });
  const open = new Set<Socket>();
  t.after(() => open.forEach((socket) => socket.destroy()));
  const seen = new Map<number, number>();
  const note = (codes: number[]) => codes.forEach((code) => seen.set(code, (seen.get(code) ?? 0) + 1));
  // Each way a reader may go, one per request number.
  const readers: ((port: number) => Promise<void>)[] = [
    // Whole answers, two on one keep-alive connection.
    async (port) => {
      const { codes, socket } = await exchange(port, request("/kept") + request("/fresh"), { answers: 2 });
      note(codes);
      await cut(socket);
    },
    // Cut mid-body (after its first 64 KiB).
    async (port) => {
      const { codes, socket } = await exchange(port, request("/fresh"), { bytes: 64 * 1024 });
      note(codes);
      await cut(socket);
    },
    // Pipelined, the first answer stalled and the rest queued, then cut.
    async (port) => {
      const text = request("/kept") + request("/fresh") + request("/kept") + request("/healthz");
      const { codes, socket } = await exchange(port, text, { bytes: 1 });
      note(codes);
      open.add(socket);
      // Left stalled until a few more readers went, then cut.
      setImmediate(() => void cut(socket).then(() => open.delete(socket)));
    },
    // HEAD (its head only, no body), then a small answer on the same connection.
    async (port) => {
      const { codes, socket } = await exchange(port, request("/fresh", "HEAD") + request("/metrics"), {
        bytes: 1,
      });
      note(codes);
      await cut(socket);
    },
    // Gone before its answer was built: the request, then the connection cut at once.
    async (port) => {
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => undefined);
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(request("/kept") + request("/fresh"));
      await cut(socket);
    },
  ];
  // 8 clients, 10 readers each: 80 requests for a large answer or more (16 of each way), a new kept
  // version every 8. (320 readers took ≈ 21 s of CPU; the leak 92e6fb8 fixed shows with these too.)
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let turn = 0; turn < 10; turn++) {
        const number = next++;
        if (number % 8 === 0) large.bump();
        await readers[number % readers.length]?.(server.port);
      }
    }),
  );
  await waitFor(() => open.size === 0, { message: "the stalled pipelined readers are cut" });
  assert.ok((seen.get(200) ?? 0) > 25, `answers went (${JSON.stringify([...seen])})`);
  // Released as each socket's close comes; a byte never released stays, and the count shows it.
  await waitFor(() => server.answerBytesInFlight === 0).catch(() => undefined);
  assert.equal(server.answerBytesInFlight, 0, "every answer's bytes released");
  // The budget is whole again: a large answer of a new version goes, and /healthz was never refused.
  large.bump();
  await servedWhole(server.url, "/kept", size);
  assert.equal((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);
});

test("an answer of exactly 1 MiB is never counted nor refused, one byte more is; HEAD is never refused", async (t) => {
  // A 32 MiB answer stalled unread fills a 32 MiB budget; what comes next shows what counts.
  const size = 32 * 1024 * 1024;
  const large = largeRoutes(size);
  const routes: StatusRoutes = {
    ...large.routes,
    "/1MiB": () => textResponse("s".repeat(SMALL_ANSWER_BYTES - 1)),
    "/1MiB+1": () => textResponse("s".repeat(SMALL_ANSWER_BYTES)),
  };
  const server = await listen(t, routes, { maxAnswerBytesInFlight: size });
  const reader = await exchange(server.port, request("/kept"), { bytes: 1 });
  t.after(() => reader.socket.destroy());
  assert.deepEqual(reader.codes, [200]);
  assert.equal(server.answerBytesInFlight, size);
  const small = await fetch(`${server.url}/1MiB`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(small.status, 200);
  assert.equal((await small.arrayBuffer()).byteLength, SMALL_ANSWER_BYTES);
  const over = await fetch(`${server.url}/1MiB+1`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(over.status, 503);
  await over.arrayBuffer();
  const head = await fetch(`${server.url}/fresh`, { method: "HEAD", signal: AbortSignal.timeout(10_000) });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(size));
  assert.equal(server.drops.busy, 1, "the one refusal counted");
  assert.equal(server.answerBytesInFlight, size, "neither the small answer nor the HEAD took any");
  await cut(reader.socket);
  await waitFor(() => server.answerBytesInFlight === 0, { message: "the stalled answer released" });
});

test("an answer larger than the whole budget goes when it is alone in flight; a second one waits for it", async (t) => {
  // /config at the contract's caps may outgrow the 256 MiB budget: it must still be served, one at a time.
  const size = 32 * 1024 * 1024;
  const large = largeRoutes(size);
  const server = await listen(t, large.routes, { maxAnswerBytesInFlight: size / 2 });
  const reader = await exchange(server.port, request("/fresh"), { bytes: 1 });
  t.after(() => reader.socket.destroy());
  assert.deepEqual(reader.codes, [200], "alone in flight, it goes");
  const second = await exchange(server.port, request("/fresh"), { answers: 1 });
  t.after(() => second.socket.destroy());
  assert.deepEqual(second.codes, [503], "another one, while the first is still being sent, is refused");
  await cut(reader.socket);
  await waitFor(() => server.answerBytesInFlight === 0, { message: "the first answer released" });
  await servedWhole(server.url, "/fresh", size);
});

test("an answer that fails after it took the budget gives it back once: the count is 0, not below", async (t) => {
  // Node emits the answer's `close` from inside its socket's `close`, so the release runs for both events;
  // counted twice, the count went below 0 (and every later budget check was off by the answer's size).
  const size = 4 * 1024 * 1024;
  const large = largeRoutes(size);
  const routes: StatusRoutes = {
    ...large.routes,
    // A header Node refuses: writeHead throws once the body was admitted, and the connection is dropped.
    "/unsendable": () => ({ status: 200, contentType: "text/plain\nx: y", body: "u".repeat(size) }),
  };
  const server = await listen(t, routes, { maxAnswerBytesInFlight: size });
  const { codes, socket } = await exchange(server.port, request("/unsendable") + request("/kept"), {
    answers: 1,
  });
  t.after(() => socket.destroy());
  assert.deepEqual(codes, [], "the connection is dropped unanswered");
  await waitFor(() => server.answerBytesInFlight <= 0, { message: "the failed answer released" });
  assert.equal(server.answerBytesInFlight, 0);
  await servedWhole(server.url, "/kept", size);
});

test("twenty large answers on one keep-alive connection leave no listener on its socket", async (t) => {
  // Each admitted answer listens for its socket's close; one left behind per answer kept its body alive
  // (the release holds it) for as long as the connection lasted, and the 11th warned.
  const size = 2 * 1024 * 1024;
  const large = largeRoutes(size);
  const server = await listen(t, large.routes);
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on("warning", onWarning);
  t.after(() => process.off("warning", onWarning));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const sockets = new Set<unknown>();
  for (let turn = 0; turn < 20; turn++) {
    const length = await new Promise<number>((resolve, reject) => {
      const asked = get(`${server.url}/${turn % 2 === 0 ? "kept" : "fresh"}`, { agent }, (response) => {
        let bytes = 0;
        response.on("data", (chunk: Buffer) => (bytes += chunk.length));
        response.on("end", () => resolve(bytes));
      });
      asked.on("socket", (socket) => sockets.add(socket));
      asked.on("error", reject);
    });
    assert.equal(length, size);
  }
  assert.equal(sockets.size, 1, "one connection");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    warnings.filter((warning) => warning.startsWith("MaxListenersExceededWarning")),
    [],
  );
  assert.equal(server.answerBytesInFlight, 0);
});
