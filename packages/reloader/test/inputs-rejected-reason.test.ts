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
