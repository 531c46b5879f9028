import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { pino } from "pino";
import { createLogger, writeLogLines, type LogFormat, type Logger, type LogLine } from "../src/index.js";

// What a logger writes: the text of each write() call.
function capture(make: (sink: PassThrough) => Logger): { logger: Logger; writes: string[] } {
  const sink = new PassThrough();
  const writes: string[] = [];
  sink.on("data", (chunk: Buffer) => writes.push(chunk.toString("utf8")));
  return { logger: make(sink), writes };
}

// A line with its time blanked (the only part that differs between two writes of one line).
const untimed = (text: string) =>
  text.replace(/"time":"[^"]*"/g, '"time":"T"').replace(/^\[\d\d:\d\d:\d\d\.\d{3}\]/gm, "[T]");

// Hostile values as the skip log passes them (metadata strings), and a field whose value is a secret.
const LINES: LogLine[] = [
  {
    level: "info",
    fields: { event: "container-skipped", container: "a\u001b[2J\u009b\u202e", uuid: null, n: 3 },
    msg: "not routing a\u0085b\u2028c",
  },
  { level: "debug", fields: { event: "hidden" }, msg: "below the level" },
  { level: "warn", fields: { event: "e", password: "hunter2", nested: { key: "k" } }, msg: "x".repeat(4100) },
  { level: "error", fields: { event: "e", diff: "+a\n+b\u202e", skipped: undefined }, msg: "m\nforged" },
  // A lone surrogate (U+FFFD on both paths, never the text \ud800 on one of them).
  { level: "info", fields: { event: "e", name: "web\ud800", k: "\udc00x" }, msg: "not routing web\ud800" },
  // Values only pino's serializers know: an error, a bigint, a function (a toJSON would take over).
  { level: "warn", fields: { event: "e", err: new Error("boom"), big: 10n }, msg: "serialized" },
  { level: "info", fields: { event: "e", toJSON: () => ({ forged: true }) }, msg: "not forged" },
];

for (const format of ["json", "pretty"] as LogFormat[]) {
  test(`writeLogLines writes what one call per line writes, in one write (${format})`, () => {
    const each = capture((sink) => createLogger({ name: "t", level: "info", format, destination: sink }));
    for (const line of LINES) each.logger[line.level](line.fields, line.msg);
    const batch = capture((sink) => createLogger({ name: "t", level: "info", format, destination: sink }));
    writeLogLines(batch.logger, LINES);
    assert.equal(untimed(batch.writes.join("")), untimed(each.writes.join("")));
    assert.ok(!each.writes.join("").includes("below the level"), "the debug line is left out");
    assert.ok(batch.writes.join("").includes("not routing"));
    if (format === "json") {
      const lines = batch.writes.join("").split("\n").slice(0, -1);
      assert.equal(lines.length, 6);
      assert.ok(!batch.writes.join("").includes("\\ud800"));
      assert.ok(!batch.writes.join("").includes('forged":true'));
      // Flat lines that follow each other go out in one write (the 4th and 5th: an error line and a
      // lone surrogate one); the nested, error, bigint and function lines go through pino, one each.
      assert.equal(batch.writes.length, 5);
      assert.equal(batch.writes[2]?.split("\n").length, 2 + 1);
    }
  });
}

// Flat lines at the edges of what writeLogLines writes as they are (plainLogJson) and what it walks first:
// strings at and past their cut, a long key, a secret with and without a value, the text \ud800 (a false
// alarm: walked), C0 controls and a surrogate pair (JSON's own), integer-like keys, no field at all, an
// own `__proto__` key, an inherited toJSON.
const EDGES: LogLine[] = [
  {
    level: "info",
    fields: { event: "e", a: "x".repeat(4096), diff: "d".repeat(5000) },
    msg: "y".repeat(4096),
  },
  { level: "info", fields: { event: "e", a: "x".repeat(4097) }, msg: "m" },
  { level: "info", fields: { event: "e", diff: "d".repeat(64 * 1024 + 1) }, msg: "m" },
  { level: "info", fields: { event: "e" }, msg: "y".repeat(4097) },
  { level: "info", fields: { event: "e", ["k".repeat(128)]: 1, ["l".repeat(129)]: 2 }, msg: "m" },
  { level: "info", fields: { event: "e", key: undefined, password: null }, msg: "m" },
  { level: "info", fields: { event: "e", ssl_cert: "pem" }, msg: "m" },
  {
    level: "info",
    fields: { event: "e", text: "web\\ud800", c0: 'a\u0001b\n\t"\\', pair: "\ud83d\ude00" },
    msg: "\\udfff",
  },
  {
    level: "info",
    fields: { z: 1, 2: "b", 1: "a", t: true, f: false, n: null, u: undefined, x: -0 },
    msg: "m",
  },
  { level: "info", fields: { event: "e", name: "web\ud800" }, msg: "\udc00" },
  { level: "info", fields: { event: "e", name: "a\u0085b" }, msg: "c\u202ed" },
  { level: "info", fields: {}, msg: "no fields" },
  { level: "info", fields: { u: undefined }, msg: "only undefined" },
  { level: "info", fields: { event: "e", num: Number.NaN, inf: Infinity }, msg: "" },
  // An own `__proto__` key (JSON.parse and Object.fromEntries make one): the walk's copy leaves it out.
  { level: "info", fields: JSON.parse('{"event":"e","__proto__":"x"}') as Record<string, unknown>, msg: "m" },
  { level: "info", fields: Object.fromEntries([["__proto__", null]]) as Record<string, unknown>, msg: "m" },
  // A toJSON the fields inherit (a class's method, a prototype's): pino's path writes the own fields.
  {
    level: "info",
    fields: new (class {
      event = "e";
      toJSON() {
        return { forged: true };
      }
    })() as unknown as Record<string, unknown>,
    msg: "m",
  },
  {
    level: "info",
    fields: Object.assign(Object.create({ toJSON: () => ({ forged: true }) }) as object, { event: "e" }),
    msg: "m",
  },
];

for (const format of ["json", "pretty"] as LogFormat[]) {
  test(`writeLogLines writes lines with nothing to escape as pino's path does, in one write (${format})`, () => {
    const each = capture((sink) => createLogger({ name: "t", level: "info", format, destination: sink }));
    for (const line of EDGES) each.logger[line.level](line.fields, line.msg);
    const batch = capture((sink) => createLogger({ name: "t", level: "info", format, destination: sink }));
    writeLogLines(batch.logger, EDGES);
    assert.equal(untimed(batch.writes.join("")), untimed(each.writes.join("")));
    if (format === "json") assert.equal(batch.writes.length, 1);
  });
}

test("writeLogLines keeps the order when a line must go through pino (a msg field)", () => {
  const { logger, writes } = capture((sink) =>
    createLogger({ name: "t", format: "json", destination: sink }),
  );
  writeLogLines(logger, [
    { level: "info", fields: { event: "one" }, msg: "1" },
    { level: "info", fields: { event: "two", msg: "field" }, msg: "2" },
    { level: "info", fields: { event: "three" }, msg: "3" },
  ]);
  const events = writes
    .join("")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { event: string }).event);
  assert.deepEqual(events, ["one", "two", "three"]);
});

test("writeLogLines logs line by line through a logger createLogger did not make", () => {
  const { logger, writes } = capture((sink) => pino({ level: "info" }, sink));
  writeLogLines(logger, [
    { level: "info", fields: { event: "one" }, msg: "1" },
    { level: "warn", fields: { event: "two" }, msg: "2" },
  ]);
  assert.equal(writes.length, 2);
  assert.deepEqual(
    writes.map((text) => (JSON.parse(text) as { msg: string; level: number }).level),
    [30, 40],
  );
});

test("JSON lines escape C1, DEL, line separators and bidi controls as text; C0 stays JSON's to encode", () => {
  const { logger, writes } = capture((sink) =>
    createLogger({ name: "t", format: "json", destination: sink }),
  );
  logger.info(
    { event: "e", name: "a\u0085b\u007fc\u2028d\u2029e\u202ef\u2066g\u001b[2Jh\ni" },
    "m\u009b2J\u202e",
  );
  const text = writes.join("");
  assert.doesNotMatch(text, /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  const line = JSON.parse(text) as { name: string; msg: string };
  assert.equal(line.name, "a\\u0085b\\u007fc\\u2028d\\u2029e\\u202ef\\u2066g\u001b[2Jh\ni");
  assert.equal(line.msg, "m\\u009b2J\\u202e");
});
