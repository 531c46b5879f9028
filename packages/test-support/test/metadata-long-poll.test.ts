// Long polls: timing against the shared ticker, immediate answers, wake-ups on reload, close().
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { goAtoi } from "../src/metadata/go-format.ts";
import {
  applyRecordedChange,
  effectiveMaxWaitMs,
  fetchRaw,
  loadRecordedTree,
  remapIps,
  startMetadataServer,
  type MetadataServer,
} from "../src/metadata/index.ts";

const TICK_MS = 100;
const JSON_ACCEPT = { Accept: "application/json" };

function poll(server: MetadataServer, query: string, path = "/latest/version") {
  return fetchRaw(`${server.url}${path}?${query}`, { headers: JSON_ACCEPT });
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("maxWait parsing (the real server's Atoi and limits)", () => {
  it("treats omitted, 0 and unparsable as 60 s, caps at 120 s, keeps negatives", () => {
    for (const [raw, ms] of [
      [null, 60_000],
      ["", 60_000],
      ["0", 60_000],
      ["abc", 60_000],
      ["2.5", 60_000],
      [" 2", 60_000],
      ["+2", 2_000],
      ["7", 7_000],
      ["120", 120_000],
      ["200", 120_000],
      ["-1", -1_000],
    ] as const) {
      assert.equal(effectiveMaxWaitMs(goAtoi(raw)), ms, `maxWait=${String(raw)}`);
    }
  });
});

describe("long polls", { concurrency: true }, () => {
  let server: MetadataServer;
  before(async () => {
    server = await startMetadataServer({ tree: remapIps(loadRecordedTree()), longPollTickMs: TICK_MS });
  });
  after(() => server.close());

  it("with the current value, returns at the first tick after maxWait", async () => {
    const res = await poll(server, `wait=true&value=${server.version}&maxWait=1`);
    assert.equal(res.body.toString(), JSON.stringify(server.version));
    assert.ok(res.elapsedMs >= 1000 && res.elapsedMs <= 1000 + TICK_MS + 900, `took ${res.elapsedMs} ms`);
  });

  it("returns at once for another value, no value, an empty value, wait=TRUE or a negative maxWait", async () => {
    for (const query of [
      "wait=true&value=other&maxWait=5",
      "wait=true&maxWait=5",
      "wait=true&value=&maxWait=5",
      `wait=TRUE&value=${server.version}&maxWait=5`,
      `wait=true&value=${server.version}&maxWait=-1`,
    ]) {
      const res = await poll(server, query);
      assert.equal(res.status, 200);
      assert.ok(res.elapsedMs < 1000, `${query} took ${res.elapsedMs} ms (maxWait 5 s)`);
    }
  });

  it("on a missing key waits for maxWait, then answers 404", async () => {
    const res = await poll(server, "wait=true&value=x&maxWait=1", "/latest/nonexistent");
    assert.equal(res.status, 404);
    assert.equal(res.body.toString(), '{"code":404,"message":"Not found","type":"error"}\n');
    assert.ok(res.elapsedMs >= 1000, `took ${res.elapsedMs} ms`);
  });
});

describe("long polls woken by reloads", () => {
  it("setTree(), update() and reload() wake every waiter at once with the new version", async () => {
    const server = await startMetadataServer({ tree: loadRecordedTree(), longPollTickMs: 5000 });
    try {
      for (const change of [
        () => server.setTree(loadRecordedTree()),
        () => server.update(applyRecordedChange),
        () => server.reload(),
      ]) {
        const old = server.version;
        const waiting = Array.from({ length: 50 }, () => poll(server, `wait=true&value=${old}&maxWait=60`));
        await until(() => server.waitingLongPolls === 50);
        const next = change();
        for (const res of await Promise.all(waiting)) {
          assert.equal(res.body.toString(), JSON.stringify(next));
          assert.ok(res.elapsedMs < 2000, `took ${res.elapsedMs} ms`);
        }
      }
      assert.equal(server.requests.longPolls, 150);
      assert.equal(server.requests.count("/latest/version"), 150);
    } finally {
      await server.close();
    }
  });

  it("long-polls any key by its printed value (fmt.Sprint), e.g. the aliases map", async () => {
    const server = await startMetadataServer({ tree: loadRecordedTree(), longPollTickMs: 5000 });
    try {
      const path = "/2015-12-19/self/service/metadata/aliases";
      const waiting = poll(server, "wait=true&value=" + encodeURIComponent("map[app-r123:[www shop]]"), path);
      await until(() => server.waitingLongPolls === 1);
      server.reload();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(server.waitingLongPolls, 1, "an unchanged value keeps waiting across a reload");
      server.update(applyRecordedChange);
      assert.equal((await waiting).body.toString(), '{"app-r123":["www","shop"],"app-r124":["beta"]}');
    } finally {
      await server.close();
    }
  });

  it("close() ends hanging long polls and open sockets", async () => {
    const server = await startMetadataServer({ tree: loadRecordedTree() });
    const waiting = poll(server, `wait=true&value=${server.version}`).then(
      () => "answered",
      () => "dropped",
    );
    await until(() => server.waitingLongPolls === 1);
    const started = Date.now();
    await server.close();
    assert.equal(await waiting, "dropped");
    assert.ok(Date.now() - started < 1000);
  });
});
