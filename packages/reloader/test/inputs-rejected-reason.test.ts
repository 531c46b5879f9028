// A map refused for a line wrong in itself is refused naming that line, not one of the keys that only
// wait for a backend the backends file does not declare yet (found by a read-only review: with more than
// 20 such keys the reason, /healthz and the log named the first of them).
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { createLogger } from "@rancher-haproxy/core";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";

test("the refusal names the line wrong in itself, after keys that wait for their backend", () => {
  const sink = new PassThrough();
  const lines: string[] = [];
  sink.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
  const logger = createLogger({ name: "t", format: "json", destination: sink });
  const store = new SnapshotStore("haproxy", stateLayout("/nonexistent/state"), logger);
  const waiting = Array.from({ length: 25 }, (_, i) => `new${i}.dev.tld new${i}\n`).join("");
  const validated = store.validate({
    base: Buffer.from("global\n"),
    backends: Buffer.from("backend app\n    server web-1 127.0.0.1:80\n"),
    map: Buffer.from(`${waiting}app.dev.tld app extra\n`),
    hash: "H",
  });
  assert.ok(!validated.ok);
  assert.ok(!("unsettled" in validated && validated.unsettled), "refused, not waited on");
  assert.match(validated.reason, /^inputs rejected: map:26 a map line has 2 fields/);
  const line = JSON.parse(lines.join("")) as { event: string; msg: string };
  assert.equal(line.event, "inputs.rejected");
  assert.match(line.msg, /\(map:26 a map line has 2 fields/);
});

test("a domain.map or backends file with CRLF line endings (saved on Windows) is refused naming the file, the line and the carriage return", () => {
  // The contract refuses a control character anywhere (HAProxy 2.6 itself would end a map line at its
  // `\r`, but no `\r` is ever passed on): the running config is kept, and the reason (the log line, and
  // through the loop's last error /healthz) says which file, which line and which character to strip.
  const sink = new PassThrough();
  const lines: string[] = [];
  sink.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
  const logger = createLogger({ name: "t", format: "json", destination: sink });
  const store = new SnapshotStore("haproxy", stateLayout("/nonexistent/state"), logger);
  const backends = "backend app\n    server web-1 127.0.0.1:80\n";
  const map = "app.dev.tld app\nwww.dev.tld app\n";
  const crlf = (text: string) => Buffer.from(text.replaceAll("\n", "\r\n"));
  const base = Buffer.from("global\n");
  assert.ok(store.validate({ base, backends: Buffer.from(backends), map: Buffer.from(map), hash: "H" }).ok);
  const cases = [
    { files: { backends: Buffer.from(backends), map: crlf(map) }, shown: "map:1", column: 16 },
    { files: { backends: crlf(backends), map: Buffer.from(map) }, shown: "backends:1", column: 12 },
  ];
  for (const { files, shown, column } of cases) {
    lines.length = 0;
    const validated = store.validate({ base, ...files, hash: "H" });
    assert.ok(!validated.ok);
    assert.ok(!("unsettled" in validated && validated.unsettled), "refused, not waited on");
    const reason = `${shown} contains a control character: a carriage return (\\r) at column ${column} (a CRLF line ending?)`;
    assert.equal(validated.reason, `inputs rejected: ${reason}`);
    const line = JSON.parse(lines.join("")) as { event: string; msg: string };
    assert.equal(line.event, "inputs.rejected");
    assert.ok(line.msg.includes(`(${reason})`), line.msg);
  }
});
