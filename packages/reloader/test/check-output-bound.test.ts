// `haproxy -c` output is kept for the log within a bound (its beginning and its end), whatever the files
// make HAProxy print: a user --config with a problem on each of 100 000 lines prints megabytes, and every
// check used to hold all of it (execa's default buffer: 100 MB a stream) and log it as one line. The verdict
// is still the exit code. A fixture script stands in for haproxy.
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { BoundedOutput, OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES } from "../src/haproxy/bounded-output.ts";
import { checkConfig } from "../src/haproxy/check-config.ts";
import { findOffendingLines } from "../src/haproxy/find-offending-lines.ts";

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rh-check-output-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// A haproxy that prints `first`, then 8 MB of warnings and `last` on stderr, and exits with `code`.
async function chattyHaproxy(dir: string, code: number): Promise<string> {
  const bin = join(dir, `chatty-${code}`);
  const warning = "[WARNING]  (1) : config : parsing [x.cfg:1] : a warning about line one";
  await writeFile(
    bin,
    `#!/bin/sh\necho first\nyes '${warning}' | head -c 8000000 >&2\necho >&2\necho last >&2\nexit ${code}\n`,
  );
  await chmod(bin, 0o755);
  return bin;
}

test("BoundedOutput keeps everything under the bound, and the head and tail of more", () => {
  const small = new BoundedOutput(10, 5);
  small.add("abc");
  small.add(Buffer.from("def"));
  assert.equal(small.text(), "abcdef");
  assert.equal(small.droppedBytes(), 0);

  const big = new BoundedOutput(10, 5);
  for (const chunk of ["0123456", "789ABCDEF", "GHIJ", "KLMNOPQRST"]) big.add(chunk);
  assert.equal(big.droppedBytes(), 30 - 15);
  assert.equal(big.text(), "0123456789\n[… 15 bytes of output not kept …]\nPQRST");
});

test("checkConfig keeps a bounded head and tail of a check's output; the exit code is the verdict", async (t) => {
  const dir = await scratch(t);
  const config = join(dir, "haproxy.cfg");
  await writeFile(config, "global\n");
  const bound = OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES + 100;
  for (const code of [0, 1]) {
    const result = await checkConfig(await chattyHaproxy(dir, code), [config]);
    assert.equal(result.ok, code === 0);
    assert.equal(result.exitCode, code);
    assert.equal(result.stopped, null);
    assert.ok(Buffer.byteLength(result.output) <= bound, `output ${Buffer.byteLength(result.output)} bytes`);
    assert.match(result.output, /^first\n\[WARNING\]/);
    assert.match(result.output, /bytes of output not kept/);
    assert.match(result.output, /\nlast$/);
  }
});

test("findOffendingLines reads and splits a file once however often the output names its lines", () => {
  const file = Array.from({ length: 1_000 }, (_, i) => `line ${i + 1}`).join("\n");
  const output = "[ALERT] parsing [a.cfg:7] : bad\n".repeat(5_000) + "[ALERT] parsing [a.cfg:9] : x";
  // Each lookup of a file's text used to split it: 5 000 splits of one file here, and of a 10 MB
  // backends file for an output naming its lines that often.
  let lookups = 0;
  const contents = new (class extends Map<string, string> {
    override get(key: string): string | undefined {
      lookups += 1;
      return super.get(key);
    }
  })([["a.cfg", file]]);
  const found = findOffendingLines(output, contents);
  assert.deepEqual(
    found.map((line) => line.text),
    ["line 7", "line 9"],
  );
  assert.equal(lookups, 1);
});
