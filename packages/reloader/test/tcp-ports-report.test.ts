// A tcp_<port> backend going live whose port TCP_PORTS does not list: nothing listens for it, so the
// reloader says so once per change (log line), on /healthz (warnings, still healthy) and in a metric.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger, parseSharedFiles } from "@rancher-haproxy/core";
import { renderTestBackends } from "../../test-support/src/haproxy/index.ts";
import {
  createTcpPortReport,
  findUnlistedTcpPorts,
  MAX_LOGGED_PORTS,
} from "../src/reload/report-tcp-ports.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { judgeReloaderHealth } from "../src/status/judge-reloader-health.ts";
import { MAX_TCP_PORT_WARNINGS } from "../src/status/unlisted-tcp-warnings.ts";
import { appliedState } from "./helpers/applied-state.ts";

const backends = (...ports: number[]) =>
  renderTestBackends([
    { name: "app", servers: [{ address: "10.42.0.1:80" }] },
    ...ports.map((port) => ({
      name: `tcp_${port}`,
      mode: "tcp" as const,
      servers: [{ address: "10.42.0.2:5432" }],
    })),
  ]);

// A JSON logger writing into memory, and its `tcp.*` lines parsed.
function captureLog() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = createLogger({ name: "reloader", level: "info", format: "json", destination });
  const rawLines = () => chunks.join("").split("\n").filter(Boolean);
  const tcpLines = () =>
    rawLines()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => String(line["event"]).startsWith("tcp."));
  return { logger, tcpLines, rawLines };
}

test("findUnlistedTcpPorts: the tcp_<port> backends TCP_PORTS does not list, ascending; null for a bad file", () => {
  assert.deepEqual(findUnlistedTcpPorts(backends(6379, 5432, 22), [5432]), [22, 6379]);
  assert.deepEqual(findUnlistedTcpPorts(backends(5432), [5432, 6379]), []);
  assert.deepEqual(findUnlistedTcpPorts(backends(), []), []);
  assert.equal(findUnlistedTcpPorts("backend tcp_5432\n    mode http\n", [5432]), null);
  // the backends the contract check already parsed (what the applier passes) give the same answer
  const parsed = parseSharedFiles({ backends: backends(6379, 5432, 22), map: "" });
  assert.ok(parsed.ok);
  assert.deepEqual(findUnlistedTcpPorts(parsed.table.backends, [5432]), [22, 6379]);
});

test("the report logs each change once and /healthz lists the warnings while staying healthy", () => {
  const { logger, tcpLines: events } = captureLog();
  const status = new ReloaderStatus();
  const report = createTcpPortReport([5432], logger, status);

  report(Buffer.from(backends(5432)));
  assert.deepEqual(events(), [], "every port listed: nothing to say");
  report(Buffer.from(backends(5432, 6379)));
  report(Buffer.from(backends(5432, 6379)));
  assert.deepEqual(
    events().map((line) => [line["event"], line["ports"]]),
    [["tcp.ports-unlisted", [6379]]],
  );
  assert.deepEqual(status.snapshot().unlistedTcpPorts, [6379]);

  status.haproxyStarted(100);
  status.workerConfirmed(101, 1);
  const applied = appliedState();
  const health = judgeReloaderHealth(status.snapshot(), applied, 1000, 5000);
  assert.equal(health.healthy, true);
  assert.deepEqual(health.body.warnings, [
    "backend tcp_6379 is routed but TCP_PORTS does not list 6379: nothing listens for it",
  ]);

  report(Buffer.from(backends(5432)));
  assert.deepEqual(
    events().map((line) => line["event"]),
    ["tcp.ports-unlisted", "tcp.ports-listed"],
  );
  assert.deepEqual(status.snapshot().unlistedTcpPorts, []);
});

test("the report on parsed backends (what the applier passes): the same lines, whatever it skips", () => {
  const { logger, tcpLines } = captureLog();
  const events = () => tcpLines().map((line) => [line["event"], line["ports"] ?? null]);
  const parsed = (...ports: number[]) => {
    const files = parseSharedFiles({ backends: backends(...ports), map: "" });
    assert.ok(files.ok);
    return files.table.backends;
  };
  const status = new ReloaderStatus();
  const report = createTcpPortReport([5432], logger, status);

  report(Buffer.from(backends(5432, 6379))); // the start: the file's bytes
  report(parsed(5432, 6379)); // the same names, parsed afresh (new objects)
  assert.deepEqual(events(), [["tcp.ports-unlisted", [6379]]]);
  report(parsed(5432));
  report(parsed(5432));
  assert.deepEqual(events().at(-1), ["tcp.ports-listed", null]);
  assert.equal(events().length, 2);
  report(Buffer.from(backends(5432, 22))); // bytes again, then the same names parsed: reported once
  report(parsed(5432, 22));
  assert.deepEqual(events().at(-1), ["tcp.ports-unlisted", [22]]);
  assert.equal(events().length, 3);
  report(Buffer.from(backends(5432, 6379)));
  report(parsed(5432, 22)); // the names of two calls ago, but not of the last one
  assert.deepEqual(events().slice(3), [
    ["tcp.ports-unlisted", [6379]],
    ["tcp.ports-unlisted", [22]],
  ]);
  report(parsed(5432, 6379, 22));
  assert.deepEqual(events().at(-1), ["tcp.ports-unlisted", [22, 6379]]);
  assert.deepEqual(status.snapshot().unlistedTcpPorts, [22, 6379]);
});

// Ports 1..count, none in TCP_PORTS: the generator does not cap tcp_<port> backends (up to 65 535).
const manyPorts = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

test("thousands of unlisted ports: the log line names the lowest MAX_LOGGED_PORTS and counts them all", () => {
  const { logger, tcpLines, rawLines } = captureLog();
  const status = new ReloaderStatus();
  const report = createTcpPortReport([], logger, status);

  report(Buffer.from(backends(...manyPorts(3000))));
  const [line, ...others] = tcpLines();
  assert.deepEqual(others, []);
  assert.equal(line?.["event"], "tcp.ports-unlisted");
  assert.deepEqual(line?.["ports"], manyPorts(MAX_LOGGED_PORTS));
  assert.equal(line?.["portCount"], 3000);
  const msg = String(line?.["msg"]);
  assert.match(msg, /^TCP backends tcp_1, tcp_2, .*tcp_100 and 2900 more are routed by the generator/);
  assert.match(msg, /does not list 1, 2, .*, 100 and 2900 more: nothing listens for them/);
  assert.ok(!msg.includes("more characters)"), "the message is whole, not cut by the logger");
  assert.ok((rawLines()[0]?.length ?? Infinity) < 4096, "the line stays a few kB");
  // the metric and /healthz still see every port
  assert.equal(status.snapshot().unlistedTcpPorts.length, 3000);

  // a small set logs every port, and its count
  report(Buffer.from(backends(22, 6379)));
  assert.deepEqual(
    tcpLines()
      .map((entry) => [entry["ports"], entry["portCount"]])
      .at(-1),
    [[22, 6379], 2],
  );
});

test("thousands of unlisted ports: /healthz lists MAX_TCP_PORT_WARNINGS of them and one summary with the total", () => {
  const status = new ReloaderStatus();
  status.haproxyStarted(100);
  status.workerConfirmed(101, 1);
  const applied = appliedState();
  const warningsFor = (count: number) => {
    status.tcpPortsUnlisted(manyPorts(count));
    const health = judgeReloaderHealth(status.snapshot(), applied, 1000, 5000);
    assert.equal(health.healthy, true, "still healthy");
    return health.body.warnings;
  };
  const perPort = (port: number) =>
    `backend tcp_${port} is routed but TCP_PORTS does not list ${port}: nothing listens for it`;

  const many = warningsFor(65_535);
  assert.equal(many.length, MAX_TCP_PORT_WARNINGS + 1);
  assert.deepEqual(many.slice(0, MAX_TCP_PORT_WARNINGS), manyPorts(MAX_TCP_PORT_WARNINGS).map(perPort));
  const summary = (rest: number, total: number) =>
    `${rest} more tcp_<port> backends routed whose port TCP_PORTS does not list, ${total} in all: ` +
    "nothing listens for them (the metric reloader_tcp_backends_unlisted counts them, " +
    "the tcp.ports-unlisted log line names the lowest ones)";
  assert.equal(many.at(-1), summary(65_535 - MAX_TCP_PORT_WARNINGS, 65_535));
  assert.ok(JSON.stringify(many).length < 4096, "the warnings stay a few kB");

  // up to the bound, one warning per port and no summary
  assert.deepEqual(warningsFor(MAX_TCP_PORT_WARNINGS), manyPorts(MAX_TCP_PORT_WARNINGS).map(perPort));
  assert.equal(warningsFor(MAX_TCP_PORT_WARNINGS + 1).at(-1), summary(1, MAX_TCP_PORT_WARNINGS + 1));
});
