// The zero-reload tests' judges (issue 12): the routing timeline's tolerance, the `show servers state`
// parser and the runtime-vs-files comparison, on fixed inputs, so a judge that accepts everything fails
// here; and a backend's /stream seen through openStream, cut when the backend goes away.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareWithFiles, parseServersState, waitFor, type RuntimeState } from "../src/haproxy/index.ts";
import { openStream, startBackend } from "../src/http/index.ts";
import { NO_ROUTE_ANSWER, RoutingTimeline, type LoadRecord } from "../src/load/index.ts";

const record = (answer: string | null, startedAt: number, endedAt: number): LoadRecord => ({
  host: "shop",
  connection: "close",
  startedAt,
  endedAt,
  answer,
  error: answer === null ? "ECONNRESET" : null,
});

describe("RoutingTimeline", () => {
  it("allows an answer from its publication until its removal was applied, and nothing else", () => {
    const timeline = new RoutingTimeline();
    timeline.publish("shop", ["a"], 0);
    timeline.applied(5);
    timeline.publish("shop", ["a", "b"], 10);
    timeline.applied(20);
    timeline.publish("shop", ["b"], 30);
    timeline.applied(40);
    const verdicts = timeline
      .judge([
        record("a", 1, 2),
        record("b", 8, 11), // answered after b was published
        record("b", 5, 9), // over before b was published
        record("a", 39, 45), // sent before a's removal was applied: in flight
        record("a", 41, 42), // sent after a's removal was applied
        record("c", 15, 16), // never routed
        record(null, 15, 16), // a network error
      ])
      .map((violation) => [violation.record.answer, violation.record.startedAt]);
    assert.deepEqual(verdicts, [
      ["b", 5],
      ["a", 41],
      ["c", 15],
      [null, 15],
    ]);
  });

  it("keeps an answer open when it is published again before the removal was applied", () => {
    const timeline = new RoutingTimeline();
    timeline.publish("store", [NO_ROUTE_ANSWER], 0);
    timeline.publish("store", ["a"], 10);
    timeline.publish("store", [NO_ROUTE_ANSWER], 12);
    timeline.applied(20);
    assert.ok(timeline.allows("store", NO_ROUTE_ANSWER, 100, 101));
    assert.ok(timeline.allows("store", "a", 15, 16));
    assert.ok(!timeline.allows("store", "a", 21, 22));
  });
});

describe("runtime state", () => {
  const text = [
    "1",
    "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port",
    "4 shop 1 s1 127.0.0.201 2 0 1 1 0 1 0 2 0 0 0 0 - 37411 - 0 0 - - 0",
    "4 shop 2 s2 127.0.0.202 0 1 1 1 0 1 0 2 0 0 0 0 - 42203 - 0 0 - - 0",
    "4 shop 3 s3 127.0.0.203 2 4 1 1 0 1 0 2 0 0 0 0 - 1203 - 0 0 - - 0",
    "",
  ].join("\n");

  it("parses show servers state by its header; maintenance is not ready, a `disabled` slot set ready is", () => {
    assert.deepEqual(
      parseServersState(text).map((server) => [server.backend, server.name, server.address, server.ready]),
      [
        ["shop", "s1", "127.0.0.201:37411", true],
        ["shop", "s2", "127.0.0.202:42203", false],
        ["shop", "s3", "127.0.0.203:1203", true],
      ],
    );
  });

  it("reports every difference between the worker and the files", () => {
    const servers = parseServersState(text).filter((server) => server.name !== "s3");
    const state: RuntimeState = { workerPid: 1, servers, map: ["shop.tld shop"] };
    const files = (servers: string[], map: string) => ({
      backends: `backend shop\n    mode http\n${servers.map((s) => `    server x ${s}\n`).join("")}`,
      map,
    });
    assert.deepEqual(compareWithFiles(state, files(["127.0.0.201:37411"], "shop.tld shop\n")), []);
    assert.equal(
      compareWithFiles(state, files(["127.0.0.201:37411", "127.0.0.202:42203"], "shop.tld shop\n")).length,
      1,
    );
    assert.equal(compareWithFiles(state, files(["127.0.0.201:37411"], "www.tld shop\n")).length, 1);
  });
});

describe("openStream", () => {
  it("reads a backend's /stream and reports the cut when the backend closes", async () => {
    const backend = await startBackend({ name: "streamer", host: "127.0.0.1", streamIntervalMs: 20 });
    const stream = await openStream({ url: `http://${backend.address}/`, host: "x" });
    assert.equal(stream.backend, "streamer");
    await waitFor(() => stream.lines >= 3, { timeoutMs: 5000 });
    assert.equal(backend.openStreams, 1);
    assert.equal(stream.cut, null);
    await backend.close();
    await waitFor(() => stream.cut !== null, { timeoutMs: 5000, message: "the cut to be seen" });
  });
});
