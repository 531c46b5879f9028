// writeLogLines against pino's per-line path on random flat lines: the batch writes what
// `logger[level](fields, msg)` writes, byte for byte but the time, whichever of its paths a line takes (the
// fields as JSON.stringify writes them, plainLogJson, or the walk that cuts, escapes and censors first).
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import fc from "fast-check";
import { createLogger, writeLogLines, type LogFormat, type Logger, type LogLine } from "../src/index.js";

// The text a logger writes, read back after each batch.
function capture(format: LogFormat): { logger: Logger; take(): string } {
  const sink = new PassThrough();
  let text = "";
  sink.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const logger = createLogger({ name: "t", level: "info", format, destination: sink });
  return { logger, take: () => [text, (text = "")][0] ?? "" };
}

// The time blanked: the only part two writes of one line may differ in.
const untimed = (text: string) =>
  text.replace(/"time":"[^"]*"/g, '"time":"T"').replace(/^\[\d\d:\d\d:\d\d\.\d{3}\]/gm, "[T]");

// Any UTF-16 unit (lone surrogates too), weighted toward what the walk changes: C0, DEL, C1, separators,
// bidi controls, surrogates, and the text `\ud8`.
const unit = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "\u0000",
      "\n",
      "\u001b",
      "\u007f",
      "\u0085",
      "\u009f",
      "\u2028",
      "\u2029",
      "\u202e",
      "\u2066",
      "\ud800",
      "\udfff",
      "\ud83d\ude00",
      "\\",
      '"',
      "\\ud8",
      "\\udc",
      "\ufffd",
    ),
  },
);
const text = (maxLength: number) => fc.string({ unit, maxLength });
// A string of `length` units around a cut (4096 a value, 128 a key), its last units random.
const near = (length: number) =>
  fc
    .tuple(fc.integer({ min: length - 2, max: length + 2 }), text(2))
    .map(([size, tail]) => "x".repeat(Math.max(0, size - tail.length)) + tail);

const key = fc.oneof(
  { weight: 4, arbitrary: text(8) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "event",
      "__proto__",
      "constructor",
      "toString",
      "time",
      "level",
      "pid",
      "name",
      "hostname",
      "err",
      "diff",
      "key",
      "password",
      "ssl_key",
      "ssl_cert",
      "0",
      "1",
      "4294967295",
      "-1",
      "",
    ),
  },
  { weight: 1, arbitrary: near(128) },
);
const value = fc.oneof(
  { weight: 4, arbitrary: text(12) },
  { weight: 1, arbitrary: near(4096) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, "", true, false) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.double(),
      fc.integer(),
      fc.constantFrom(Number.NaN, -0, Infinity, -Infinity, 1e21, 5e-324, Number.MAX_SAFE_INTEGER + 2),
    ),
  },
);
// Fields built as JSON.parse and Object.fromEntries build them (`__proto__` an own key like any other),
// one in eight with a toJSON it inherits (a class's method): pino's path writes the own fields.
const TO_JSON = { toJSON: () => ({ forged: true }) };
const fields = fc
  .tuple(fc.array(fc.tuple(key, value), { maxLength: 6 }), fc.integer({ min: 0, max: 7 }))
  .map(([entries, pick]) => {
    const own = Object.fromEntries(entries.filter(([name]) => name !== "msg")) as Record<string, unknown>;
    return pick === 0
      ? (Object.create(TO_JSON, Object.getOwnPropertyDescriptors(own)) as Record<string, unknown>)
      : own;
  });
const line = fc.record({
  level: fc.constantFrom("debug" as const, "info" as const, "warn" as const, "error" as const),
  fields,
  msg: fc.oneof({ weight: 4, arbitrary: text(16) }, { weight: 1, arbitrary: near(4096) }),
});

for (const format of ["json", "pretty"] as LogFormat[]) {
  test(`writeLogLines writes what pino's per-line path writes, for any flat line (${format})`, () => {
    const each = capture(format);
    const batch = capture(format);
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), (lines: LogLine[]) => {
        for (const one of lines) each.logger[one.level](one.fields, one.msg);
        writeLogLines(batch.logger, lines);
        assert.equal(untimed(batch.take()), untimed(each.take()));
      }),
      { numRuns: format === "json" ? 1000 : 200 },
    );
  });
}
