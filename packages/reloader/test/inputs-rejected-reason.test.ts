// A map refused for a line wrong in itself is refused naming that line, not one of the keys that only
// wait for a backend the backends file does not declare yet (found by a read-only review: with more than
// 20 such keys the reason, /healthz and the log named the first of them).
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { createLogger } from "@rancher-haproxy/core";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";

// A snapshot store (nothing on disk) whose log lines are collected in `lines`, as JSON text.
function storeWithLog(): { store: SnapshotStore; lines: string[] } {
  const sink = new PassThrough();
  const lines: string[] = [];
  sink.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
  const logger = createLogger({ name: "t", format: "json", destination: sink });
  return { store: new SnapshotStore("haproxy", stateLayout("/nonexistent/state"), logger), lines };
}

test("the refusal names the line wrong in itself, after keys that wait for their backend", () => {
  const { store, lines } = storeWithLog();
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
  const { store, lines } = storeWithLog();
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

test("files read from the volume are named by their paths in the refusal, not as `map` and `backends`", () => {
  // The reason (the log line, /healthz lastError) said `map:2` or `backends:1`: with the map and the
  // backends file anywhere the flags put them, the user was not told which file to fix. Files not read
  // from the volume (no paths: the empty routing at start) are named by their role as before.
  const { store, lines } = storeWithLog();
  const paths = { backends: "/srv/shared/haproxy-backends.cfg", map: "/srv/shared/domain.map" };
  const base = Buffer.from("global\n");
  const backends = Buffer.from("backend app\n    server web-1 127.0.0.1:80\n");
  const cases = [
    {
      files: { backends, map: Buffer.from("app.dev.tld app\nx.dev.tld app extra\n") },
      reason:
        "inputs rejected: /srv/shared/domain.map:2 a map line has 2 fields (<host> <backend>), this one 3",
    },
    {
      files: { backends: Buffer.from("frontend evil\n"), map: Buffer.from("") },
      reason:
        "inputs rejected: /srv/shared/haproxy-backends.cfg:1 only `backend <stack>` sections are allowed in the backends file (and `backend tcp_<port>`)",
    },
    {
      files: { backends: Buffer.from("backend app\n    server web-1 127.0.0.1:80"), map: Buffer.from("") },
      reason: "inputs rejected: /srv/shared/haproxy-backends.cfg does not end with a newline (cut short?)",
    },
    {
      files: { backends, map: Buffer.from("app.dev.tld app\nnew.dev.tld new\n") },
      reason:
        'not settled yet: /srv/shared/domain.map:2 backend "new" is not declared in the backends file (the generator is between its writes?)',
    },
  ];
  for (const { files, reason } of cases) {
    lines.length = 0;
    const validated = store.validate({ base, ...files, hash: "H", paths });
    assert.ok(!validated.ok);
    assert.equal(validated.reason, reason);
    if (reason.startsWith("inputs rejected: ")) {
      const line = JSON.parse(lines.join("")) as { event: string; msg: string };
      assert.equal(line.event, "inputs.rejected");
      assert.ok(line.msg.includes(`(${reason.slice("inputs rejected: ".length)})`), line.msg);
    }
  }
  const unnamed = store.validate({ base, backends, map: Buffer.from("x.dev.tld app extra\n"), hash: "H" });
  assert.ok(!unnamed.ok);
  assert.match(unnamed.reason, /^inputs rejected: map:1 a map line has 2 fields/);
});
