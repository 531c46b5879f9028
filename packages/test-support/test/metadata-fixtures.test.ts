// Replays every reproducible entry of the recorded rancher-metadata v0.10.4 responses (index.json)
// against the stand-in: status, framing/CORS headers and body bytes.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { repoPath } from "../src/repo-root.ts";
import {
  fetchRaw,
  findFixturesDir,
  loadRecordedTrees,
  readRecordedJson,
  startMetadataServer,
  type MetadataServer,
  type RawResponse,
} from "../src/metadata/index.ts";

interface Entry {
  file: string;
  method: string;
  path: string;
  request_headers: Record<string, string> | string;
  status: number;
  response_headers: Record<string, string> | string;
  elapsed_s: number | string;
  note?: string;
}

const FIXTURES = findFixturesDir();
const ENTRIES = readRecordedJson("index.json", FIXTURES) as Entry[];
const RECORDED_VERSIONS = /3f6c122c-a93f-4a22-9c03-a7aa8c671098|b2fc4416-efb8-4a5f-aa68-a043c73e0349/g;
const FRAMING_HEADERS = [
  "Access-Control-Allow-Origin",
  "Content-Type",
  "Content-Length",
  "Transfer-Encoding",
  "X-Content-Type-Options",
  "Location",
];
const TICK_MS = 250;
// Scheduling noise on a loaded 2-core CI machine (the end-to-end files run beside this one): six parallel
// replays have been seen to stall 1.1 s. A timed long poll must still end within maxWait + tick + slack, and
// an immediate answer must come before its maxWait would have run out (or within the slack).
const SLACK_MS = 2500;
const RANDOM_LIST = /^\/[^/]+\/(containers|services|stacks|hosts|networks)\/?$/;
const WHOLE_TREE = /^\/[^/]+\/?$/;

// Why an entry cannot be replayed here (null: it can).
function skipReason(e: Entry): string | null {
  if (e.file.startsWith("reload--")) return "reload listener (POST /v1/reload) is not emulated";
  if (e.file.includes("--after-")) return "state after a reload: metadata-scenarios.test.ts";
  if (e.file.includes("--wait-change-") || e.file.includes("interrupted-by-sighup")) {
    return "reload during a wait: metadata-long-poll.test.ts";
  }
  if (Number(e.elapsed_s) > 10) return "long poll over 10 s: maxWait parsing is unit-tested";
  return null;
}

function isTimedLongPoll(e: Entry): boolean {
  return e.path.includes("wait=true") && Number(e.elapsed_s) >= 1;
}

async function replay(server: MetadataServer, e: Entry): Promise<{ res: RawResponse; expected: Buffer }> {
  const path = e.path.replace(RECORDED_VERSIONS, server.version);
  const headers = typeof e.request_headers === "object" ? e.request_headers : {};
  const res = await fetchRaw(server.url + path, { method: e.method, headers });
  const recorded = readFileSync(join(FIXTURES, e.file), "latin1").replace(RECORDED_VERSIONS, server.version);
  return { res, expected: Buffer.from(recorded, "latin1") };
}

function assertFraming(e: Entry, res: RawResponse): void {
  assert.equal(res.status, e.status, "status");
  const recorded = typeof e.response_headers === "object" ? e.response_headers : {};
  for (const name of FRAMING_HEADERS) {
    assert.equal(res.headers[name.toLowerCase()], recorded[name], `header ${name}`);
  }
}

// Order-insensitive view of a body whose arrays the real server builds from Go maps.
function normalise(e: Entry, body: Buffer): unknown {
  const path = e.path.split("?")[0] ?? "";
  const sortList = (list: unknown) =>
    Array.isArray(list) ? list.map((x) => JSON.stringify(sortKeys(x))).sort() : list;
  if (e.file.endsWith(".txt") && RANDOM_LIST.test(path)) {
    return body
      .toString()
      .split("\n")
      .map((line) => line.replace(/^\d+=/, ""))
      .sort();
  }
  if (!e.file.endsWith(".json") || body.length === 0 || e.status !== 200) return body.toString();
  const value = JSON.parse(body.toString()) as Record<string, unknown>;
  if (RANDOM_LIST.test(path)) return sortList(value);
  if (!WHOLE_TREE.test(path)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sortList(v)]));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => [k, sortKeys(x)]),
  );
}

describe("recorded responses, replayed in the recorded order (shuffle: none)", { concurrency: true }, () => {
  let server: MetadataServer;
  let empty: MetadataServer;
  before(async () => {
    server = await startMetadataServer({
      trees: loadRecordedTrees(),
      xff: true,
      shuffle: "none",
      longPollTickMs: TICK_MS,
    });
    empty = await startMetadataServer({ xff: true, longPollTickMs: TICK_MS });
  });
  after(async () => {
    await server.close();
    await empty.close();
  });

  it("fewer than a quarter of the recordings are not replayed here; a reason naming a test file names one that exists", () => {
    const notReplayed = ENTRIES.filter((e) => skipReason(e) !== null);
    for (const e of notReplayed) {
      const named = /\b([\w-]+\.test\.ts)\b/.exec(skipReason(e) ?? "")?.[1];
      if (named !== undefined)
        assert.ok(existsSync(repoPath("packages", "test-support", "test", named)), `${e.file}: ${named}`);
    }
    assert.ok(
      notReplayed.length < ENTRIES.length / 4,
      `${notReplayed.length} of ${ENTRIES.length} not replayed`,
    );
  });

  for (const e of ENTRIES.filter((entry) => skipReason(entry) === null)) {
    it(`${e.file}: ${e.method} ${e.path}`, async () => {
      const target = e.file.startsWith("missing-answers-file--") ? empty : server;
      const { res, expected } = await replay(target, e);
      assertFraming(e, res);
      assert.equal(
        res.body.toString("latin1"),
        e.method === "HEAD" ? "" : expected.toString("latin1"),
        "body",
      );
      const maxWait = Number(/maxWait=(\d+)/.exec(e.path)?.[1] ?? "0");
      if (isTimedLongPoll(e)) {
        assert.ok(res.elapsedMs >= maxWait * 1000, `returned after ${res.elapsedMs} ms, before maxWait`);
        const latest = maxWait * 1000 + TICK_MS + SLACK_MS;
        assert.ok(res.elapsedMs <= latest, `returned after ${res.elapsedMs} ms, long after the tick`);
      } else if (e.path.includes("wait=")) {
        assert.ok(
          res.elapsedMs < Math.max(SLACK_MS, maxWait * 1000),
          `immediate answer took ${res.elapsedMs} ms (maxWait ${maxWait} s)`,
        );
      }
    });
  }
});

describe(
  "recorded responses, replayed against Go-map-like random order (shuffle: per-reload)",
  { concurrency: true },
  () => {
    let server: MetadataServer;
    before(async () => {
      server = await startMetadataServer({ trees: loadRecordedTrees(), xff: true });
    });
    after(() => server.close());

    const replayable = ENTRIES.filter(
      (e) =>
        skipReason(e) === null &&
        !e.path.includes("wait=") &&
        !e.file.startsWith("missing-answers-file--") &&
        !e.path.includes("/containers/0"),
    );
    for (const e of replayable) {
      it(`${e.file}: ${e.method} ${e.path}`, async () => {
        const { res, expected } = await replay(server, e);
        assertFraming(e, res);
        assert.deepEqual(
          normalise(e, res.body),
          normalise(e, e.method === "HEAD" ? Buffer.alloc(0) : expected),
        );
      });
    }
  },
);
