import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { createLogger, REDACTED, type LogFormat } from "../src/index.js";

// Log lines written by a fresh logger for `write`, as parsed JSON objects.
function linesOf(write: (logger: ReturnType<typeof createLogger>) => void, format: LogFormat = "json") {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (chunk: Buffer) => chunks.push(chunk));
  write(createLogger({ name: "t", level: "info", format, destination: sink }));
  return Buffer.concat(chunks)
    .toString("utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("secret keys are censored on the line and one level down, other fields kept", () => {
  const [line] = linesOf((logger) =>
    logger.info(
      {
        event: "e",
        key: "k",
        ssl_key: "-----BEGIN PRIVATE KEY-----",
        ssl_cert: "-----BEGIN CERTIFICATE-----",
        password: "hunter2",
        cert: { ssl_key: "x", ssl_cert: "y", key: "z", password: "p", name: "site.pem" },
        ops: [{ key: "app.dev.tld", value: "app" }],
        missing: undefined,
      },
      "message",
    ),
  );
  assert.ok(line);
  assert.equal(line.key, REDACTED);
  assert.equal(line.ssl_key, REDACTED);
  assert.equal(line.ssl_cert, REDACTED);
  assert.equal(line.password, REDACTED);
  assert.deepEqual(line.cert, {
    ssl_key: REDACTED,
    ssl_cert: REDACTED,
    key: REDACTED,
    password: REDACTED,
    name: "site.pem",
  });
  // Two levels, as pino's `key` / `*.key` paths did: a list's entries are data (map keys), not secrets.
  assert.deepEqual(line.ops, [{ key: "app.dev.tld", value: "app" }]);
  assert.equal(line.event, "e");
  assert.equal(line.msg, "message");
  assert.equal(Object.hasOwn(line, "missing"), false);
  const text = JSON.stringify(line);
  for (const secret of ["BEGIN PRIVATE KEY", "BEGIN CERTIFICATE", "hunter2"])
    assert.ok(!text.includes(secret));
});

test("strings are cut to MAX_LOG_STRING and the line stays one JSON object", () => {
  const [line] = linesOf((logger) => logger.info({ event: "e", name: "a\nb".repeat(3000) }, "m\nforged"));
  assert.ok(line);
  assert.match(String(line.name), /…\(\d+ more characters\)$/);
  assert.equal(line.msg, "m\nforged");
});
