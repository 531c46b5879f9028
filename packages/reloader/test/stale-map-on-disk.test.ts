// reportStaleMap judges the table the applier last parsed only while the files on disk are still the ones
// it parsed. The applier parses a pair, then applies it (a reload for a new stack: seconds on a loaded
// host, up to --reload-timeout); file events wait for that pass. A pair read between generate-maps' two
// renames (the new stack's backend, the map without its line yet) stayed the "latest" table for the whole
// pass after the map's rename, and two checks in it (a short --rescan-interval) logged inputs.map-stale
// on a correct pair. A file written again with the same bytes is parsed no more by the applier (its hash
// is unchanged), so those are still judged. Real files, read by the applier's readInputs.
import assert from "node:assert/strict";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { parseSharedFiles, renderBackends, type SharedBackend } from "@rancher-haproxy/core";
import { readInputs, type InputPaths } from "../src/sources/read-inputs.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { parsedInputsOf, type ParsedInputs } from "../src/watch/parsed-inputs.ts";
import { reportStaleMap } from "../src/watch/report-stale-map.ts";
import { captureLog } from "./helpers/capture-log.ts";

const server = { name: "web-1", address: "127.0.0.65", port: 8080 };
const backends: SharedBackend[] = ["blog", "shop"].map((name) => ({ name, servers: [server] }));

// Replaces `path` as generate-maps does: a temp file renamed over it.
async function replace(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

// The inputs as the applier reads and the store validates them (the contract's parse of the two files).
async function parse(paths: InputPaths): Promise<ParsedInputs> {
  const read = await readInputs(paths);
  assert.ok(read.ok, "the inputs are readable");
  const parsed = parseSharedFiles({ backends: read.files.backends, map: read.files.map });
  assert.ok(parsed.ok, "the pair keeps the contract");
  return parsedInputsOf(read.files, parsed.table, paths);
}

// A report checked by the test (interval 0) on whatever `latest` holds, with a clock it moves.
function start(latest: () => ParsedInputs | null) {
  const status = new ReloaderStatus();
  const log = captureLog();
  let clock = 5_000_000;
  const report = reportStaleMap(latest, "/data/domain.map", status, log.logger, 0, () => clock);
  const checks = async (count: number) => {
    for (let done = 0; done < count; done += 1) {
      clock += 10_000;
      await report.check();
    }
  };
  return { status, checks, events: () => log.events().map((line) => line["event"]) };
}

// The three inputs in a new temporary directory, removed after the test.
async function inputsDir(t: TestContext): Promise<InputPaths> {
  const dir = await mkdtemp(join(tmpdir(), "stale-map-on-disk-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const at = (name: string) => join(dir, name);
  return { base: at("base.cfg"), backends: at("backends.cfg"), map: at("domain.map") };
}

// The inputs in a new directory, shop's backend declared and the map without its line (between
// generate-maps' two renames, or a stale map), and the applier's parse of them.
async function withoutShop(t: TestContext): Promise<{ paths: InputPaths; parsed: ParsedInputs }> {
  const paths = await inputsDir(t);
  await writeFile(paths.base, "global\n");
  await replace(paths.backends, renderBackends({ backends }));
  await replace(paths.map, "blog.dev.tld blog\n");
  return { paths, parsed: await parse(paths) };
}

test("a parsed pair the disk has moved past is not reported; the same pair still on disk is", async (t) => {
  const { paths, parsed: between } = await withoutShop(t);
  assert.equal(between.table.hosts.length, 1);
  // The map's rename lands; the applier is still applying `between` (its pass has not read the files).
  await replace(paths.map, "blog.dev.tld blog\nshop.dev.tld shop\n");
  const busy = start(() => between);
  await busy.checks(3);
  assert.deepEqual(busy.events(), [], "the disk holds a correct pair: no stale-map line");
  assert.equal(busy.status.snapshot().mapStale, null);

  // The same table while its files are still on disk: a stale map, reported.
  await replace(paths.map, "blog.dev.tld blog\n");
  const stale = await parse(paths);
  const lasting = start(() => stale);
  await lasting.checks(3);
  assert.deepEqual(lasting.events(), ["inputs.map-stale"]);
  assert.deepEqual(lasting.status.snapshot().mapStale?.stacks, ["shop"]);
});

test("a stale map written again with the same bytes (a copy loop) is still judged: the applier parses it no more", async (t) => {
  const { paths, parsed: stale } = await withoutShop(t);
  // A new inode, the same bytes: the applier's pass finds the hash unchanged and parses nothing.
  await replace(paths.map, "blog.dev.tld blog\n");
  const copied = start(() => stale);
  await copied.checks(2);
  assert.deepEqual(copied.events(), ["inputs.map-stale"]);
  await replace(paths.map, "blog.dev.tld blog\n");
  await copied.checks(1);
  assert.deepEqual(copied.status.snapshot().mapStale?.stacks, ["shop"], "and again, still");
  // Other bytes, not parsed yet: nothing is told (neither cleared nor counted again).
  await replace(paths.map, "blog.dev.tld blog\nshop.dev.tld shop\n");
  await copied.checks(2);
  assert.deepEqual(copied.events(), ["inputs.map-stale"]);
});
