// Every fault mode of the stand-in, each switched on and off again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  fetchRaw,
  loadRecordedTree,
  remapIps,
  startMetadataServer,
  type MetadataServer,
} from "../src/metadata/index.ts";

const JSON_ACCEPT = { Accept: "application/json" };
const TICK_MS = 100;

describe("faults", () => {
  let server: MetadataServer;
  const get = (path: string, headers: Record<string, string> = JSON_ACCEPT) =>
    fetchRaw(server.url + path, { headers });

  before(async () => {
    server = await startMetadataServer({ tree: remapIps(loadRecordedTree()), longPollTickMs: TICK_MS });
  });
  after(() => server.close());

  it("refuse: stops listening, then listens again on the same port", async () => {
    const port = server.port;
    await server.setFault({ kind: "refuse" });
    await assert.rejects(get("/latest/version"), /ECONNREFUSED/);
    await server.setFault(null);
    assert.equal(server.port, port);
    assert.equal((await get("/latest/version")).status, 200);
  });

  it("status-500: every request fails with a body", async () => {
    await server.setFault({ kind: "status-500" });
    for (const path of ["/", "/2015-12-19/containers", "/latest/version"]) {
      const res = await get(path);
      assert.equal(res.status, 500);
      assert.equal(res.body.toString(), "Internal Server Error\n");
    }
    await server.setFault(null);
  });

  it("containers-404: only /containers is not found", async () => {
    await server.setFault({ kind: "containers-404" });
    assert.equal((await get("/2015-12-19/containers")).status, 404);
    assert.equal((await get("/2015-12-19/containers/")).status, 404);
    assert.equal((await get("/2015-12-19/services")).status, 200);
    await server.setFault(null);
    assert.equal((await get("/2015-12-19/containers")).status, 200);
  });

  it("slow: delays every response", async () => {
    await server.setFault({ kind: "slow", delayMs: 300 });
    const res = await get("/latest/version");
    assert.equal(res.status, 200);
    assert.ok(res.elapsedMs >= 290, `took ${res.elapsedMs} ms`);
    await server.setFault(null);
  });

  it("cut: sends the headers and half the body, then drops the connection", async () => {
    await server.setFault({ kind: "cut" });
    await assert.rejects(get("/2015-12-19/containers"));
    await assert.rejects(get("/2015-12-19/self/service/metadata"));
    await server.setFault(null);
    assert.equal((await get("/2015-12-19/self/service/metadata")).status, 200);
  });

  it("invalid-json, wrong-shape and empty-body: 200 answers clients cannot use", async () => {
    await server.setFault({ kind: "invalid-json" });
    const invalid = (await get("/2015-12-19/containers")).body.toString();
    assert.throws(() => JSON.parse(invalid));
    await server.setFault({ kind: "wrong-shape" });
    assert.equal(Array.isArray(JSON.parse((await get("/2015-12-19/containers")).body.toString())), false);
    assert.equal(Array.isArray(JSON.parse((await get("/2015-12-19/self/service")).body.toString())), true);
    await server.setFault({ kind: "empty-body" });
    const empty = await get("/2015-12-19/containers");
    assert.equal(empty.status, 200);
    assert.equal(empty.body.length, 0);
    assert.equal(empty.headers["content-type"], undefined);
    await server.setFault(null);
    assert.ok(Array.isArray(JSON.parse((await get("/2015-12-19/containers")).body.toString())));
  });

  it("invalid-entry: /containers gets one more entry that is not JSON; other answers stay as they are", async () => {
    const good = JSON.parse((await get("/2015-12-19/containers")).body.toString()) as unknown[];
    await server.setFault({ kind: "invalid-entry" });
    const bad = (await get("/2015-12-19/containers")).body.toString();
    assert.throws(() => JSON.parse(bad));
    assert.ok(bad.endsWith(',{"name": nope}]\n'), bad.slice(-40));
    const rest = JSON.parse(bad.slice(0, -',{"name": nope}]\n'.length) + "]") as unknown[];
    assert.equal(rest.length, good.length);
    assert.equal(typeof JSON.parse((await get("/2015-12-19/version")).body.toString()), "string");
    const service = JSON.parse((await get("/2015-12-19/self/service")).body.toString()) as unknown;
    assert.equal(typeof service, "object");
    assert.ok(service !== null && !Array.isArray(service));
    await server.setFault(null);
  });

  it("version-churn: a new version on every /version request, so long polls return at once", async () => {
    await server.setFault({ kind: "version-churn" });
    const first = (await get("/latest/version")).body.toString();
    const second = (await get("/2015-12-19/version")).body.toString();
    assert.notEqual(first, second);
    const polled = await get(`/latest/version?wait=true&value=${server.version}&maxWait=5`);
    assert.ok(polled.elapsedMs < 2000, `took ${polled.elapsedMs} ms (maxWait 5 s)`);
    await server.setFault(null);
    assert.equal(
      (await get("/latest/version")).body.toString(),
      (await get("/latest/version")).body.toString(),
    );
  });

  it("longpoll-hang: long polls never return until the fault is cleared", async () => {
    await server.setFault({ kind: "longpoll-hang" });
    const polled = get(`/latest/version?wait=true&value=other&maxWait=1`);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    assert.equal(server.waitingLongPolls, 1);
    assert.equal((await get("/latest/version")).status, 200, "plain requests still work");
    // Answered once the fault is cleared, not left hanging; not judged by the poll's whole time (the sleep
    // above alone may run 0.5 s late on a loaded machine).
    assert.equal(server.waitingLongPolls, 1, "still hanging just before the clear");
    await server.setFault(null);
    let timer: NodeJS.Timeout | undefined;
    const hangs = new Promise<"hangs">((resolve) => (timer = setTimeout(() => resolve("hangs"), 10_000)));
    const res = await Promise.race([polled, hangs]).finally(() => clearTimeout(timer));
    if (res === "hangs") assert.fail("the long poll still hangs 10 s after the fault was cleared");
    assert.equal(res.status, 200);
  });

  it("slow responses are abandoned by close()", async () => {
    const slow = await startMetadataServer({ tree: loadRecordedTree() });
    await slow.setFault({ kind: "slow" });
    assert.equal(slow.fault?.kind, "slow");
    const pending = fetchRaw(`${slow.url}/latest/version`).then(
      () => "answered",
      () => "dropped",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await slow.close();
    assert.equal(await pending, "dropped");
    assert.ok(Date.now() - started < 1000);
  });
});
