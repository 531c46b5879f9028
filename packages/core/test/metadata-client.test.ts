import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, get, type IncomingMessage, type ServerResponse } from "node:http";
import { isDeepStrictEqual } from "node:util";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import {
  createMetadataClient,
  JsonArrayEntries,
  MAX_ERROR_ANSWER_BYTES,
  MAX_SMALL_ANSWER_BYTES,
  MAX_VERSION_ANSWER_BYTES,
  MetadataError,
} from "../src/index.js";
import { BLOCK_BYTES, readCapped } from "../src/metadata/read-capped.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

// A server on 127.0.0.1 answering with `handler`, a client of it (timeout 300 ms unless `timeoutMs` says
// otherwise, `maxReadMs` if given), and the server's close.
async function serve(handler: Handler, maxReadMs?: number, timeoutMs = 300) {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    client: createMetadataClient({
      apiHost: `127.0.0.1:${port}`,
      apiVersion: "2015-12-19",
      timeoutMs,
      ...(maxReadMs === undefined ? {} : { maxReadMs }),
    }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function rejectsKind(promise: Promise<unknown>, kind: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MetadataError, String(error));
    assert.equal(error.kind, kind, error.message);
    return true;
  });
}

test("getJson sends Accept: application/json and parses the body", async () => {
  const seen: string[] = [];
  const s = await serve((req, res) => {
    seen.push(`${req.url} ${req.headers.accept}`);
    res.end('{"app-r123":["www","shop"]}');
  });
  assert.deepEqual(await s.client.getJson("self/service/metadata/aliases"), { "app-r123": ["www", "shop"] });
  assert.deepEqual(seen, ["/2015-12-19/self/service/metadata/aliases application/json"]);
  await s.close();
});

test("errors are classified: 404, 500, garbage JSON, empty body, timeout, refused", async () => {
  const s = await serve((req, res) => {
    if (req.url?.endsWith("/missing")) {
      res.statusCode = 404;
      res.end('{"code":404,"message":"Not found","type":"error"}\n');
    } else if (req.url?.endsWith("/boom")) {
      res.statusCode = 500;
      res.end("internal");
    } else if (req.url?.endsWith("/garbage")) res.end('{"containers": [');
    else if (req.url?.endsWith("/empty")) res.end("");
    else if (req.url?.endsWith("/slow")) setTimeout(() => res.end("[]"), 2000);
  });
  await rejectsKind(s.client.getJson("missing"), "not-found");
  await rejectsKind(s.client.getJson("boom"), "http-status");
  await rejectsKind(s.client.getJson("garbage"), "invalid-json");
  await rejectsKind(s.client.getJson("empty"), "invalid-json");
  await rejectsKind(s.client.getJson("slow"), "timeout");
  await s.close();
  await rejectsKind(s.client.getJson("containers"), "network");
});

test("getText reads plain-text answers without an Accept header", async () => {
  const s = await serve((req, res) =>
    res.end(req.headers.accept === "application/json" ? "wrong" : "127.0.0.250"),
  );
  assert.equal(await s.client.getText("self/host/agent_ip"), "127.0.0.250");
  await s.close();
});

test("waitForVersion long-polls with wait=true, value and maxWait", async () => {
  const urls: string[] = [];
  const s = await serve((req, res) => {
    urls.push(req.url ?? "");
    setTimeout(() => res.end('"v2"'), 50);
  });
  assert.equal(await s.client.waitForVersion("v1", 10), "v2");
  assert.deepEqual(urls, ["/2015-12-19/version?wait=true&value=v1&maxWait=10"]);
  await s.close();
});

// rancher-metadata v0.10.4 reads maxWait with Go's strconv.Atoi: "9.987" does not parse and means 60 s,
// "0" too (fixtures: run2--latest__version--wait-same-maxWaitabc/-maxWait0, 63.9 s each), so the watcher's
// fractional seconds left (9.987 at a 10 s interval, 0.3 near its deadline) must go out as whole seconds.
test("waitForVersion sends maxWait as whole seconds from 1 to 120, never a fraction or 0", async () => {
  const urls: string[] = [];
  const s = await serve((req, res) => {
    urls.push(req.url ?? "");
    res.end('"v2"');
  });
  for (const seconds of [9.987, 9.4, 0.3, 0.0004, 1.5, 500]) await s.client.waitForVersion("v1", seconds);
  assert.deepEqual(
    urls.map((url) => new URLSearchParams(url.split("?")[1]).get("maxWait")),
    ["10", "9", "1", "1", "2", "120"],
  );
  await s.close();
});

test("waitForVersion refuses a version that is not a short printable token (a lone surrogate, spaces, 300 characters)", async () => {
  const answers = ['"\\ud800"', '"a b"', JSON.stringify("v".repeat(257)), '""', "7"];
  let next = 0;
  const s = await serve((_req, res) => res.end(answers[next++]));
  for (const answer of answers)
    await assert.rejects(s.client.waitForVersion("v1", 1), (error: unknown) => {
      assert.ok(error instanceof MetadataError, `${answer}: ${String(error)}`);
      assert.equal(error.kind, "invalid-json");
      assert.match(error.message, /version is not 1 to 256 printable ASCII characters/);
      return true;
    });
  await s.close();
});

test("waitForVersion can be aborted by the caller", async () => {
  const s = await serve(() => undefined);
  const controller = new AbortController();
  const pending = s.client.waitForVersion("v1", 10, controller.signal);
  setTimeout(() => controller.abort(), 50);
  await rejectsKind(pending, "aborted");
  await s.close();
});

test("an answer past maxAnswerBytes fails as too-large at once, however it is framed", async () => {
  const body = JSON.stringify(Array.from({ length: 200 }, (_, i) => `container-${i}`));
  const server = createServer((req, res) => {
    if (req.url?.includes("endless")) {
      res.writeHead(200, { "Content-Type": "application/json" });
      const timer = setInterval(() => res.write('"x",'.repeat(256)), 1);
      res.on("close", () => clearInterval(timer));
    } else res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const options = { apiHost: `127.0.0.1:${port}`, apiVersion: "2015-12-19", timeoutMs: 5000 };
  const capped = createMetadataClient({ ...options, maxAnswerBytes: 1000 });
  await rejectsKind(capped.getJson("containers"), "too-large");
  const started = Date.now();
  await rejectsKind(capped.getJson("endless"), "too-large");
  assert.ok(Date.now() - started < 4000, "long before the timeout");
  await assert.rejects(capped.getJson("containers"), /larger than 1000 bytes \(the metadata answer cap\)/);
  const roomy = createMetadataClient({ ...options, maxAnswerBytes: body.length });
  assert.equal(((await roomy.getJson("containers")) as unknown[]).length, 200);
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

test("a /version answer over MAX_VERSION_ANSWER_BYTES is refused unread, plain or long-polled (the general cap let 64 MiB through)", async (t) => {
  const wide = `[${"{},".repeat(100_000)}{}]`;
  const s = await serve((req, res) => {
    if (req.url?.includes("value=gone")) {
      res.statusCode = 404;
      res.end(`<html>${"x".repeat(5000)}</html>`);
    } else if (req.url?.includes("value=error")) {
      res.statusCode = 503;
      res.end(`<html>${"x".repeat(5000)}</html>`);
    } else if (req.url?.includes("/version")) res.end(wide);
    else res.end('"1-2-3"');
  });
  t.after(() => s.close());
  // An error page larger than the cap is still an HTTP error, not a version too large.
  await assert.rejects(s.client.waitForVersion("error", 1), (error: unknown) => {
    assert.ok(error instanceof MetadataError);
    assert.equal(error.kind, "http-status");
    // Read no further than a version's cap: the rest of the page is never buffered. Its first characters
    // are shown though the page came in one piece past the cap (they were left out: no piece before it).
    assert.ok(
      error.message.endsWith(
        `HTTP 503: (an answer over ${MAX_VERSION_ANSWER_BYTES} bytes) <html>${"x".repeat(194)}… (the rest not read)`,
      ),
      error.message,
    );
    return true;
  });
  await assert.rejects(s.client.getJson("version"), (error: unknown) => {
    assert.ok(error instanceof MetadataError);
    assert.equal(error.kind, "too-large");
    assert.match(error.message, new RegExp(`larger than ${MAX_VERSION_ANSWER_BYTES} bytes`));
    return true;
  });
  await rejectsKind(s.client.waitForVersion("v1", 1), "too-large");
  await rejectsKind(s.client.waitForVersion("gone", 1), "not-found");
  // Any other path keeps the general cap.
  assert.equal(await s.client.getJson("self/service/name"), "1-2-3");
});

test("a large answer in odd-sized chunks that cut characters in two: entries and value read the same", async () => {
  // About 4 MB, mostly three-byte "€": several 1 MiB decoding batches, whose ends (like the 7 777-byte
  // writes) fall inside characters.
  const list = Array.from({ length: 20_000 }, (_, i) => ({
    name: `café-${"€".repeat(40)}-${i}`,
    labels: { "a,]}": '"[{' },
  }));
  const bytes = Buffer.from(JSON.stringify(list));
  const s = await serve((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    let at = 0;
    const next = () => {
      if (at >= bytes.length) return void res.end();
      res.write(bytes.subarray(at, (at += 7777)), next);
    };
    next();
  });
  // (A boolean: a failed deepEqual would spend minutes writing the diff of 20 000 entries.)
  assert.ok(isDeepStrictEqual(await s.client.getJson("containers"), list), "the whole answer, decoded");
  const entries = await s.client.getJson("containers", undefined, "entries");
  assert.ok(entries instanceof JsonArrayEntries);
  const read = [...entries];
  assert.equal(read.length, list.length);
  assert.deepEqual(read[12_345], list[12_345]);
  assert.deepEqual(read.at(-1), list.at(-1));
  assert.equal(entries.failure(), null);
  await s.close();
});

// A chunked answer may frame every byte alone. Each chunk was kept as it came, ≈ 150 bytes of heap apiece:
// a trickle held ≈ 35 bytes of memory per byte of body (189 MB of RSS for 5.4 MB read in 10 s).
test("a body trickled one byte a chunk is kept packed: a few pieces, not one per chunk, the same bytes", async () => {
  // 3 000 one-byte chunks, a 20 000-byte one, 3 000 more; each sent once the one before was read.
  const parts = [
    ...Array.from({ length: 3000 }, (_, i) => Buffer.from([97 + (i % 26)])),
    Buffer.alloc(20_000, "L"),
    ...Array.from({ length: 3000 }, (_, i) => Buffer.from([65 + (i % 26)])),
  ];
  let response: ServerResponse | undefined;
  let sent = 0;
  const sendNext = () => {
    const part = parts[sent++];
    if (part === undefined) response?.end();
    else response?.write(part);
  };
  const server = createServer((_req, res) => {
    response = res;
    res.writeHead(200, { "Content-Type": "application/json" });
    sendNext();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  try {
    const answer = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`http://127.0.0.1:${port}/`, resolve).on("error", reject),
    );
    const pieces = await readCapped(answer, 1 << 20, sendNext);
    assert.ok(Buffer.concat(pieces).equals(Buffer.concat(parts)), "the same bytes in the same order");
    // Before: 6 001 pieces. The large chunk is kept as it came (or, cut in two by the socket, packed).
    assert.ok(pieces.length <= 3, `${pieces.length} pieces`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("an answer of one-byte chunks across several blocks reads the same as entries and as a value", async () => {
  // Three-byte "€" characters, so block ends (every 64 KiB) fall inside characters too.
  const list = Array.from({ length: 2000 }, (_, i) => ({ name: `café-${"€".repeat(20)}-${i}` }));
  const bytes = Buffer.from(JSON.stringify(list));
  assert.ok(bytes.length > 2 * BLOCK_BYTES);
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    for (let at = 0; at < bytes.length; at++) res.write(bytes.subarray(at, at + 1));
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  // (The server's 170 000 writes run on this process's loop too: the default timeout, not serve()'s 300 ms.)
  const client = createMetadataClient({ apiHost: `127.0.0.1:${port}`, apiVersion: "2015-12-19" });
  try {
    assert.ok(isDeepStrictEqual(await client.getJson("containers"), list), "the whole answer, decoded");
    const entries = await client.getJson("containers", undefined, "entries");
    assert.ok(entries instanceof JsonArrayEntries);
    assert.ok(isDeepStrictEqual([...entries], list), "every entry");
    assert.equal(entries.failure(), null);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

// node-fetch asks for gzip and decodes it: the chunks readCapped sees are zlib's (16 KiB when its buffer
// fills, anything smaller at a member's end), not the socket's, and the cap counts the decoded bytes.
test("a gzip answer in many members (decoded chunks of 1 byte to 16 KiB and more) reads the same; the cap counts decoded bytes", async () => {
  const list = Array.from({ length: 3000 }, (_, i) => ({ name: `café-${"€".repeat(i % 40)}-${i}` }));
  const bytes = Buffer.from(JSON.stringify(list));
  const sizes = [1, 3, 700, 16 * 1024, 16 * 1024 - 1, 40_000, 5, BLOCK_BYTES, BLOCK_BYTES + 1];
  const members: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    members.push(gzipSync(bytes.subarray(at, at + size)));
    at += size;
  }
  const gzipped = Buffer.concat(members);
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
    for (let at = 0; at < gzipped.length; at += 1000) res.write(gzipped.subarray(at, at + 1000));
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const options = { apiHost: `127.0.0.1:${port}`, apiVersion: "2015-12-19" };
  try {
    const client = createMetadataClient({ ...options, maxAnswerBytes: bytes.length });
    assert.ok(isDeepStrictEqual(await client.getJson("containers"), list), "the whole answer, decoded");
    const entries = await client.getJson("containers", undefined, "entries");
    assert.ok(entries instanceof JsonArrayEntries);
    assert.ok(isDeepStrictEqual([...entries], list), "every entry");
    assert.equal(entries.failure(), null);
    const capped = createMetadataClient({ ...options, maxAnswerBytes: bytes.length - 1 });
    await rejectsKind(capped.getJson("containers"), "too-large");
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

// A large answer from a busy server keeps coming in pieces: the timeout is the longest pause, not the
// whole read (5 s for the whole body cut a large /containers, cycle after cycle); a pause that long, or a
// trickle past the cap in all, still times out. Server and client share this process: stalled past a
// piece's time (a loaded machine), it fires the client's timer in the same turn as the server's, before
// the piece is read; pieces 200 ms apart under a 300 ms timeout were cut by a 200 ms stall. Pieces 100 ms
// apart under 600 ms leave room for a 500 ms one.
test("the timeout bounds the wait for the answer and each pause in its body, and maxReadMs the whole read", async () => {
  // When each piece of the body is sent (ms after the request), by path.
  const every100 = (lastMs: number) => Array.from({ length: lastMs / 100 + 1 }, (_, i) => i * 100);
  const schedules: Record<string, number[]> = {
    steady: every100(1200),
    stalls: [0, 1500],
    trickle: every100(2400),
  };
  const { client, close } = await serve(
    (req, res) => {
      const schedule = schedules[req.url?.split("/").at(-1) ?? ""] ?? [0];
      res.write("[");
      schedule.forEach((at, index) =>
        setTimeout(() => {
          if (res.destroyed) return;
          res.write(index === 0 ? "1" : ",1");
          if (index === schedule.length - 1) res.end("]");
        }, at),
      );
    },
    2000,
    600,
  );
  try {
    // 1.2 s in all, never 600 ms without a piece: read whole.
    assert.deepEqual(await client.getJson("steady"), Array<number>(13).fill(1));
    // A 1.5 s pause: cut after 600 ms of it.
    await rejectsKind(client.getJson("stalls"), "timeout");
    // Pieces every 100 ms for 2.4 s: past the 2 s cap in all.
    await rejectsKind(client.getJson("trickle"), "timeout");
  } finally {
    await close();
  }
});

test("a /version answer trickled without end fails within the request's timeout in all, plain or long-polled: the body extension is for large answers", async () => {
  // Headers at once, then a JSON space every `drip` ms that never ends (a hang that still sends bytes).
  const sent: Record<string, number> = { plain: 0, poll: 0 };
  const { client, close } = await serve((req, res) => {
    const name = req.url?.includes("wait=true") ? "poll" : "plain";
    res.writeHead(200, { "Content-Type": "application/json" });
    const timer = setInterval(
      () => {
        res.write(" ");
        sent[name] = (sent[name] ?? 0) + 1;
      },
      name === "poll" ? 250 : 50,
    );
    res.on("close", () => clearInterval(timer));
  }, 10_000);
  try {
    // The long poll with maxWait=1 may take 11 s; before, 20.7 s here (80 s by default, where a hang fails
    // at 20 s); the plain read 300 ms, before 10 s (65 s by default).
    const [plain, poll] = await Promise.all([
      client.getJson("version").then(
        () => assert.fail("a trickle is no answer"),
        (error: unknown) => error,
      ),
      client.waitForVersion("v1", 1).then(
        () => assert.fail("a trickle is no answer"),
        (error: unknown) => error,
      ),
    ]);
    assert.ok(plain instanceof MetadataError && plain.kind === "timeout", String(plain));
    assert.match(plain.message, /past 300 ms in all/);
    assert.ok(poll instanceof MetadataError && poll.kind === "timeout", String(poll));
    assert.match(poll.message, /past 11000 ms in all/);
    // What the server managed to send before the client gave up: ≈ 6 and ≈ 44 (before, ≈ 200 and ≈ 83).
    assert.ok((sent["plain"] ?? 0) < 100, `plain: ${sent["plain"]} bytes sent`);
    assert.ok((sent["poll"] ?? 0) < 70, `poll: ${sent["poll"]} bytes sent`);
  } finally {
    await close();
  }
});

// A small answer (a uuid, a service's name, the host's address) had the 60 s body extension meant for a
// large /containers: each byte of a trickle gave the rest another timeout (review of 2026-12-06).
test("an answer read to a cap of 4 KiB or less must come whole within the timeout; a larger cap keeps the extension", async () => {
  // A JSON string sent a piece every 50 ms for 1.5 s, never 600 ms (the timeout) without one: room for a
  // 500 ms stall of this process (server and client); under a 300 ms timeout, one of 300 ms cut the read.
  const { client, close } = await serve(
    (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('"');
      for (let at = 50; at <= 1500; at += 50)
        setTimeout(() => {
          if (!res.destroyed) res.write(at < 1500 ? "x" : 'x"');
          if (at === 1500) res.end();
        }, at);
    },
    10_000,
    600,
  );
  try {
    assert.equal(MAX_SMALL_ANSWER_BYTES, 4096);
    const path = "self/container/environment_uuid";
    await assert.rejects(
      client.getJson(path, undefined, "value", MAX_SMALL_ANSWER_BYTES),
      (error: unknown) => {
        assert.ok(error instanceof MetadataError && error.kind === "timeout", String(error));
        assert.match(error.message, /past 600 ms in all$/);
        return true;
      },
    );
    // One byte more of cap: the answer is read whole, as a large one trickling in is.
    assert.equal(await client.getJson(path, undefined, "value", MAX_SMALL_ANSWER_BYTES + 1), "x".repeat(30));
  } finally {
    await close();
  }
});

test("what an error's message shows of an answer never ends in half an emoji: an HTTP error's page, a preview of what is not JSON", async () => {
  // 200 and 80 UTF-16 code units: each cut falls between the two halves of 😀 (U+1F600).
  const bodies: Record<string, [number, string]> = {
    page: [500, `${"x".repeat(199)}😀 and more`],
    garbage: [200, `x${"😀".repeat(100)}`],
  };
  const { client, close } = await serve((req, res) => {
    const [status, body] = bodies[req.url?.split("/").at(-1) ?? ""] ?? [404, ""];
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(body);
  });
  try {
    for (const [path, kind, shown] of [
      ["page", "http-status", `HTTP 500: ${"x".repeat(199)}`],
      ["garbage", "invalid-json", `401 bytes: x${"😀".repeat(39)}…)`],
    ] as const) {
      const error = await client.getJson(path).then(
        () => assert.fail(`${path} is no answer`),
        (e: unknown) => e,
      );
      assert.ok(error instanceof MetadataError && error.kind === kind, String(error));
      // JSON.stringify writes a lone half as `\ud83d`, as /healthz's answer (lastCycle.error) did.
      assert.doesNotMatch(JSON.stringify(error.message), /\\ud[89ab]/, path);
      assert.ok(error.message.endsWith(shown), error.message);
    }
  } finally {
    await close();
  }
});

// A server sending more bytes than its Content-Length: Node's parser fails on the rest after the body and
// node-fetch, already resolved, drops the body unread: the answer was refused as "0 bytes: empty body" (as
// JSON; as text it read as ""), a count that was not what came.
test("an answer longer than its Content-Length is refused with the counts, as JSON or text; an encoded one with its length reads", async (t) => {
  const answers: Record<string, string> = {
    longer: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n{"a":1}',
    after: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}EXTRA',
  };
  const gzipped = gzipSync('{"a":1}');
  const server = createNetServer((socket) => {
    socket.on("error", () => undefined);
    socket.once("data", (request) => {
      const path = /^GET \S*\/(\w+) /.exec(request.toString("latin1"))?.[1] ?? "";
      const answer = answers[path];
      if (answer !== undefined) return void socket.end(answer);
      socket.write(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gzipped.length}\r\n\r\n`);
      socket.end(gzipped);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  const client = createMetadataClient({ apiHost: `127.0.0.1:${port}`, apiVersion: "2015-12-19" });
  for (const [path, announced] of [
    ["longer", 3],
    ["after", 7],
  ] as const)
    for (const read of [() => client.getJson(path), () => client.getText(path)])
      await assert.rejects(read(), (error: unknown) => {
        assert.ok(error instanceof MetadataError, String(error));
        assert.equal(error.kind, "network", error.message);
        assert.match(
          error.message,
          new RegExp(`request failed: \\d+ of the ${announced} bytes its Content-Length announced were read`),
        );
        assert.doesNotMatch(error.message, /empty body/);
        return true;
      });
  // node-fetch decodes gzip: its Content-Length counts the encoded bytes, not what is read.
  assert.deepEqual(await client.getJson("encoded"), { a: 1 });
});

// An error page was read up to the 64 MiB answer cap to show its first 200 characters.
test("an error page is read to MAX_ERROR_ANSWER_BYTES at most, its first characters shown; a small one whole, as before", async (t) => {
  let sent = 0;
  const server = createServer((req, res) => {
    if (req.url?.endsWith("/small")) {
      res.statusCode = 502;
      return void res.end("<html>bad gateway</html>\n");
    }
    res.writeHead(req.url?.endsWith("/gone") ? 404 : 500, { "Content-Type": "text/html" });
    const piece = Buffer.alloc(64 * 1024, "x");
    const write = () => {
      while (!res.destroyed && res.write(piece)) sent += piece.length;
      if (!res.destroyed) res.once("drain", write);
    };
    res.write("<html>endless");
    write();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const { port } = server.address() as AddressInfo;
  // The default answer cap (64 MiB) and timeout.
  const client = createMetadataClient({ apiHost: `127.0.0.1:${port}`, apiVersion: "2015-12-19" });
  for (const [path, kind, status] of [
    ["containers", "http-status", 500],
    ["gone", "not-found", 404],
  ] as const) {
    sent = 0;
    await assert.rejects(client.getJson(path, undefined, "entries"), (error: unknown) => {
      assert.ok(error instanceof MetadataError, String(error));
      assert.equal(error.kind, kind, error.message);
      assert.ok(
        error.message.endsWith(
          `HTTP ${status}: (an answer over ${MAX_ERROR_ANSWER_BYTES} bytes) <html>endless${"x".repeat(187)}… (the rest not read)`,
        ),
        error.message,
      );
      return true;
    });
    // Before: 64 MiB and more. Loopback buffers hold a few MiB beyond what the client read.
    assert.ok(sent < 16 * 1024 * 1024, `${path}: ${sent} bytes sent`);
  }
  await assert.rejects(client.getJson("small"), /\/small: HTTP 502: <html>bad gateway<\/html>$/);
});

test("getJson's own cap applies under the general one and is named when passed", async (t) => {
  const s = await serve((_req, res) => res.end(JSON.stringify("x".repeat(100))));
  t.after(() => s.close());
  await assert.rejects(s.client.getJson("self/service/name", undefined, "value", 101), (error: unknown) => {
    assert.ok(error instanceof MetadataError);
    assert.equal(error.kind, "too-large");
    assert.ok(
      error.message.endsWith(
        "answer larger than 101 bytes (the cap of this path's answer): not read further",
      ),
      error.message,
    );
    return true;
  });
  assert.equal(
    ((await s.client.getJson("self/service/name", undefined, "value", 102)) as string).length,
    100,
  );
  // A cap over the client's is the client's.
  const port = new URL(s.client.baseUrl).port;
  const small = createMetadataClient({
    apiHost: `127.0.0.1:${port}`,
    apiVersion: "2015-12-19",
    maxAnswerBytes: 50,
  });
  await assert.rejects(
    small.getJson("self/service/name", undefined, "value", 1000),
    /larger than 50 bytes \(the metadata answer cap\)/,
  );
});
