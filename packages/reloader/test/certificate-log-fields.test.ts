// docs/observability.md: every log line has `name` (`reloader`), once. A certs.skipped line carried the
// refused certificate's name in a second `name` key: parsers kept the last one (the line then seemed
// not to come from the reloader) or refused the line for its duplicate key.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger } from "@rancher-haproxy/core";
import { reportCertificates } from "../src/certs/report-certificates.ts";

test("a certs.skipped line names the certificate in `certificate`; `name` stays the process's, once", () => {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ name: "reloader", format: "json", destination });
  const plan = {
    default: null,
    certs: [],
    skipped: [{ name: "metadata/shop", reason: "the certificate expired on Feb  1 00:00:00 2020 GMT" }],
  };
  reportCertificates(logger, plan, null, []);
  const line = raw.find((text) => text.includes('"certs.skipped"'));
  assert.ok(line, raw.join("\n"));
  assert.equal(line.match(/"name":/g)?.length, 1, `one name key: ${line}`);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(parsed["name"], "reloader");
  assert.equal(parsed["certificate"], "metadata/shop");
  assert.match(String(parsed["reason"]), /expired/);
});
