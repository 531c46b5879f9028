// The shared status listener on a real loopback socket: routes, 404/405/HEAD/500, the settings parsers,
// `status.listening` with the bound port, a busy port that is logged but not fatal, and a close that
// does not wait for idle keep-alive clients.
import assert from "node:assert/strict";
import { request as httpRequest, Agent } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { test } from "node:test";
import {
  createLogger,
  jsonResponse,
  parseStatusBind,
  parseStatusPort,
  startStatusListener,
  startStatusServer,
  textResponse,
  type StatusRoutes,
} from "../src/index.js";

function captureLogger() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = createLogger({ name: "status-test", level: "debug", format: "json", destination });
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

const ROUTES: StatusRoutes = {
  "/healthz": () => jsonResponse({ status: "ok" }),
  "/echo": (request) => textResponse(`q=${request.query.get("q") ?? ""}`),
  "/slow": async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return textResponse("late", 503);
  },
  "/broken": () => {
    throw new Error("boom");
  },
};

async function get(url: string, method = "GET") {
  const response = await fetch(url, { method, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

test("routes answer with their status, content type and no caching; / lists them, unknown paths 404", async (t) => {
  const { logger, lines } = captureLogger();
  const server = await startStatusServer({ host: "127.0.0.1", port: 0, routes: ROUTES, logger });
  t.after(() => server.close());
  assert.ok(server.port > 0);
  assert.equal(server.url, `http://127.0.0.1:${server.port}`);

  const health = await get(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(health.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal(health.headers.get("cache-control"), "no-store");
  assert.deepEqual(JSON.parse(health.body), { status: "ok" });
  assert.ok(health.body.endsWith("\n"));

  assert.equal((await get(`${server.url}/echo?q=a%20b`)).body, "q=a b\n");
  assert.equal((await get(`${server.url}/slow`)).status, 503);
  const index = await get(`${server.url}/`);
  assert.equal(index.status, 200);
  assert.equal(index.body, "/broken\n/echo\n/healthz\n/slow\n");
  const missing = await get(`${server.url}/nope`);
  assert.equal(missing.status, 404);
  assert.match(missing.body, /\/healthz/);
  assert.equal((await get(`${server.url}/__proto__`)).status, 404, "only the table's own paths");

  const broken = await get(`${server.url}/broken`);
  assert.equal(broken.status, 500);
  // The error's text is logged, never answered (it may name paths; /healthz needs no token).
  assert.doesNotMatch(broken.body, /boom/);
  assert.ok(
    lines().some(
      (line) =>
        line["event"] === "status.handler-failed" &&
        line["path"] === "/broken" &&
        /boom/.test(String(line["err"])),
    ),
  );
});

test("only GET and HEAD: HEAD has the headers and no body, POST is 405", async (t) => {
  const { logger } = captureLogger();
  const server = await startStatusServer({ host: "127.0.0.1", port: 0, routes: ROUTES, logger });
  t.after(() => server.close());
  const head = await get(`${server.url}/healthz`, "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
  assert.ok(Number(head.headers.get("content-length")) > 0);
  const post = await get(`${server.url}/healthz`, "POST");
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
});

test("STATUS_PORT and STATUS_BIND parsers: off, 0, ports, addresses; errors say what is expected", () => {
  assert.equal(parseStatusPort("off"), null);
  assert.equal(parseStatusPort(" OFF "), null);
  assert.equal(parseStatusPort("0"), 0);
  assert.equal(parseStatusPort("9101"), 9101);
  for (const bad of ["", "-1", "65536", "9101a", "1e3", "on"])
    assert.throws(() => parseStatusPort(bad), /must be a port 1-65535, 0 for any free port, or off/, bad);
  assert.equal(parseStatusBind("0.0.0.0"), "0.0.0.0");
  assert.equal(parseStatusBind("::1"), "::1");
  for (const bad of ["", "localhost", "127.0.0.256", "[::1]"])
    assert.throws(() => parseStatusBind(bad), /must be an IPv4 or IPv6 address/, bad);
});

test("the listener logs status.listening with the bound port; off logs status.disabled and listens nowhere", async (t) => {
  const { logger, lines } = captureLogger();
  const server = await startStatusListener({ port: 0, bind: "127.0.0.1" }, ROUTES, logger);
  assert.ok(server);
  t.after(() => server.close());
  const listening = lines().find((line) => line["event"] === "status.listening");
  assert.equal(listening?.["port"], server.port);
  assert.equal(listening?.["url"], server.url);
  assert.equal((await get(`${listening?.["url"]}/healthz`)).status, 200);

  assert.equal(await startStatusListener({ port: null, bind: "127.0.0.1" }, ROUTES, logger), null);
  assert.ok(lines().some((line) => line["event"] === "status.disabled"));
});

test("a busy port is logged as status.listen-failed naming STATUS_PORT, and is not fatal", async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as AddressInfo).port;
  const { logger, lines } = captureLogger();
  assert.equal(await startStatusListener({ port, bind: "127.0.0.1" }, ROUTES, logger), null);
  const failed = lines().find((line) => line["event"] === "status.listen-failed");
  assert.equal(failed?.["code"], "EADDRINUSE");
  assert.equal(failed?.["port"], port);
  assert.match(String(failed?.["msg"]), /STATUS_PORT/);
  assert.equal(failed?.["level"], 50);
});

test("close() ends at once with an idle keep-alive client connected", async () => {
  const { logger } = captureLogger();
  const server = await startStatusServer({ host: "127.0.0.1", port: 0, routes: ROUTES, logger });
  const agent = new Agent({ keepAlive: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(`${server.url}/healthz`, { agent }, (response) => {
        response.resume();
        response.on("end", resolve);
      });
      request.on("error", reject);
      request.end();
    });
    const started = Date.now();
    await server.close();
    // Functional bound: far below the close grace (2 s) that would cut a busy connection.
    assert.ok(Date.now() - started < 1500, "idle keep-alive connections do not hold close()");
    await assert.rejects(get(`${server.url}/healthz`));
  } finally {
    agent.destroy();
  }
});
