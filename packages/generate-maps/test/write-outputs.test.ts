// The output stage on a real filesystem: write only on change, backends before map, failures contained.
import assert from "node:assert/strict";
import { watch } from "node:fs";
import { mkdir, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import {
  cleanStaleTemps,
  fileDiff,
  logWriteOutcomes,
  oldOutputCap,
  outcomeError,
  writeOutputs,
  type OutputFiles,
} from "../src/index.js";
import { captureLogger, dropStagedTemps, tempDir, waitFor } from "./helpers.js";

function files(dir: string, backends: string, map: string): OutputFiles {
  return {
    backends: { path: join(dir, "backends.cfg"), content: backends },
    map: { path: join(dir, "domain.map"), content: map },
  };
}

test("files are created, then left alone (same inode) while the bytes are equal, then replaced", async (t) => {
  const dir = await tempDir(t);
  const first = await writeOutputs(files(dir, "B1\n", "M1\n"));
  assert.deepEqual(
    first.map((o) => o.status),
    ["changed", "changed"],
  );
  const inode = (await stat(join(dir, "domain.map"))).ino;
  const again = await writeOutputs(files(dir, "B1\n", "M1\n"));
  assert.deepEqual(
    again.map((o) => o.status),
    ["unchanged", "unchanged"],
  );
  assert.equal((await stat(join(dir, "domain.map"))).ino, inode);
  const third = await writeOutputs(files(dir, "B1\n", "M2\n"));
  assert.deepEqual(
    third.map((o) => o.status),
    ["unchanged", "changed"],
  );
  assert.deepEqual(third[1], {
    path: join(dir, "domain.map"),
    status: "changed",
    previous: "M1\n",
    content: "M2\n",
  });
  assert.equal(await readFile(join(dir, "domain.map"), "utf8"), "M2\n");
  assert.deepEqual((await readdir(dir)).sort(), ["backends.cfg", "domain.map"], "no temp file left");
});

test("backends is written before the map (the map never names a backend not yet on disk)", async (t) => {
  const dir = await tempDir(t);
  const seen: string[] = [];
  const watcher = watch(dir, (_event, name) => {
    if (name === "backends.cfg" || name === "domain.map") seen.push(name);
  });
  t.after(() => watcher.close());
  await writeOutputs(files(dir, "B\n", "M\n"));
  await waitFor("both renames seen", 2000, () => (seen.includes("domain.map") ? true : undefined));
  assert.equal(seen[0], "backends.cfg");
  assert.equal(seen.indexOf("backends.cfg") < seen.indexOf("domain.map"), true);
});

test("a directory where the backends file should be: it fails, the map is not touched, nothing left behind", async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, "backends.cfg"));
  await writeFile(join(dir, "domain.map"), "old\n");
  const outcomes = await writeOutputs(files(dir, "B\n", "new\n"));
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["failed", "not-attempted"],
  );
  assert.equal(await readFile(join(dir, "domain.map"), "utf8"), "old\n");
  assert.deepEqual((await readdir(dir)).sort(), ["backends.cfg", "domain.map"]);
  const { logger, lines } = captureLogger();
  logWriteOutcomes(logger, outcomes);
  const logged = lines();
  assert.equal(logged[0]?.["event"], "write-failed");
  assert.equal(logged[0]?.["kind"], "EISDIR");
  assert.match(
    String(logged[0]?.["msg"]),
    /cannot write .*backends\.cfg, it keeps its previous content; retrying/,
  );
  assert.equal(logged[1]?.["event"], "write-postponed");
});

test("a map that cannot be written (its directory is a file) fails alone; the written backends stays", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "notadir"), "");
  const outcomes = await writeOutputs({
    backends: { path: join(dir, "backends.cfg"), content: "B\n" },
    map: { path: join(dir, "notadir", "domain.map"), content: "M\n" },
  });
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["changed", "failed"],
  );
  assert.deepEqual((await readdir(dir)).sort(), ["backends.cfg", "notadir"]);
});

test("every changed file is logged with a unified diff", async (t) => {
  const dir = await tempDir(t);
  const { logger, lines } = captureLogger();
  logWriteOutcomes(logger, await writeOutputs(files(dir, "B\n", "a x\n")));
  logWriteOutcomes(logger, await writeOutputs(files(dir, "B\n", "a x\nb y\n")));
  const changes = lines().filter((line) => line["event"] === "file-changed");
  assert.deepEqual(
    changes.map((c) => [c["path"], c["created"]]),
    [
      [join(dir, "backends.cfg"), true],
      [join(dir, "domain.map"), true],
      [join(dir, "domain.map"), false],
    ],
  );
  const diff = String(changes[2]?.["diff"]);
  assert.match(diff, /^--- .*domain\.map\tbefore$/m);
  assert.match(diff, /^\+\+\+ .*domain\.map\tafter$/m);
  assert.match(diff, /^ a x$/m);
  assert.match(diff, /^\+b y$/m);
  assert.equal(fileDiff("p", "same\n", "same\n").includes("@@"), false);
});

test("an old output over twice the new one's size + 1 MiB is replaced unread, not parsed or diffed; the next write reads ours", async (t) => {
  const dir = await tempDir(t);
  // What a hostile writer leaves in the shared volume: 4 MiB of short lines, far under core's 64 MiB cap
  // (an 8 MiB one cost a 6 s cycle, 63 MiB of empty lines the process).
  const bomb = "x y\n".repeat(1024 * 1024);
  await writeFile(join(dir, "domain.map"), bomb);
  await writeFile(join(dir, "backends.cfg"), "B0\n");
  const wanted = files(dir, "B\n", "a.dev.tld a\n");
  const { logger, lines } = captureLogger();
  const outcomes = await writeOutputs(wanted);
  const reason = `it holds ${bomb.length} bytes, more than the ${oldOutputCap(wanted.map.content)}-byte cap`;
  const [backends, map] = outcomes;
  assert.equal(map?.status === "changed" ? map.replaced : map?.status, reason);
  assert.deepEqual(map, {
    path: wanted.map.path,
    status: "changed",
    previous: null,
    content: "a.dev.tld a\n",
    replaced: reason,
  });
  assert.deepEqual(backends, {
    path: wanted.backends.path,
    status: "changed",
    previous: "B0\n",
    content: "B\n",
  });
  assert.equal(await readFile(wanted.map.path, "utf8"), "a.dev.tld a\n");
  assert.equal(await readFile(wanted.backends.path, "utf8"), "B\n");
  logWriteOutcomes(logger, outcomes);
  const logged = lines().filter((line) => line["path"] === wanted.map.path);
  assert.deepEqual(
    logged.map((line) => [line["event"], line["reason"] ?? line["diff"], line["created"]]),
    [
      ["output-replaced", reason, undefined],
      ["file-changed", `… not diffed: the previous file was not read (${reason})\n`, false],
    ],
  );
  // The next cycle reads the file it wrote, well under the cap: nothing to do.
  assert.deepEqual(
    (await writeOutputs(wanted)).map((o) => o.status),
    ["unchanged", "unchanged"],
  );
  // A file at the cap is still read (and diffed): the cap leaves a legitimate shrink alone.
  const cap = oldOutputCap(wanted.map.content);
  await writeFile(wanted.map.path, "a.dev.tld a\n" + "#".repeat(cap - 13) + "\n");
  const atCap = await writeOutputs(wanted);
  assert.equal(atCap[1]?.status, "changed");
  assert.equal(atCap[1]?.status === "changed" && atCap[1].previous?.length, cap);
});

// Files that need the union step: the map moves from backend a to backend b.
const HEADER = "# generated by generate-maps: do not edit\n\n";
const block = (name: string) => `backend ${name}\n    mode http\n    server web-1 10.42.0.1:80\n`;
const UNION = `${HEADER}${block("a")}\n${block("b")}`;

async function unionCase(t: TestContext): Promise<{ dir: string; wanted: OutputFiles }> {
  const dir = await tempDir(t);
  const wanted = files(dir, HEADER + block("b"), "b.dev.tld b\n");
  await writeFile(wanted.backends.path, HEADER + block("a"));
  await writeFile(wanted.map.path, "a.dev.tld a\n");
  return { dir, wanted };
}

test("the map's write fails after the union step: the backends file is reported changed to the union, its last step postponed", async (t) => {
  const { dir, wanted } = await unionCase(t);
  let renames = 0;
  const outcomes = await writeOutputs(wanted, {
    async afterRename() {
      if (++renames === 1) await dropStagedTemps(dir, "domain.map");
    },
  });
  assert.equal(await readFile(wanted.backends.path, "utf8"), UNION, "the union is on disk");
  assert.equal(await readFile(wanted.map.path, "utf8"), "a.dev.tld a\n");
  const [backends, map] = outcomes;
  assert.deepEqual(backends, {
    path: wanted.backends.path,
    status: "changed",
    previous: HEADER + block("a"),
    content: UNION,
    unfinished: { waitingFor: wanted.map.path },
  });
  assert.equal(map?.status, "failed");
  assert.equal(map?.status === "failed" && (map.error as NodeJS.ErrnoException).code, "ENOENT");
  assert.deepEqual(outcomes.map(outcomeError), [undefined, { error: map?.status === "failed" && map.error }]);
  const { logger, lines } = captureLogger();
  logWriteOutcomes(logger, outcomes);
  const logged = lines();
  assert.deepEqual(
    logged.map((line) => [line["event"], line["path"], line["intermediate"]]),
    [
      ["file-changed", wanted.backends.path, undefined],
      ["write-postponed", wanted.backends.path, true],
      ["write-failed", wanted.map.path, undefined],
    ],
  );
  assert.match(String(logged[0]?.["diff"]), /^\+backend b$/m);
  assert.match(
    String(logged[1]?.["msg"]),
    /^not finishing .*backends\.cfg until .*domain\.map is written: it holds the old and the new backends together/,
  );
  // The next attempt finishes: the map, then the final backends.
  const retry = await writeOutputs(wanted);
  assert.deepEqual(
    retry.map((o) => o.status),
    ["changed", "changed"],
  );
  assert.equal(await readFile(wanted.backends.path, "utf8"), HEADER + block("b"));
});

test("the last step fails after the union and the map were written: the backends file is changed to the union, with the failure", async (t) => {
  const { dir, wanted } = await unionCase(t);
  const outcomes = await writeOutputs(wanted, {
    async afterRename(path) {
      if (path === wanted.map.path) await dropStagedTemps(dir, "backends.cfg");
    },
  });
  assert.equal(await readFile(wanted.backends.path, "utf8"), UNION, "the union is on disk");
  assert.equal(await readFile(wanted.map.path, "utf8"), "b.dev.tld b\n");
  const [backends, map] = outcomes;
  assert.equal(backends?.status, "changed");
  assert.equal(backends?.status === "changed" && backends.content, UNION);
  const unfinished = backends?.status === "changed" ? backends.unfinished : undefined;
  assert.ok(unfinished && "error" in unfinished, JSON.stringify(backends));
  assert.equal((unfinished.error as NodeJS.ErrnoException).code, "ENOENT");
  assert.deepEqual(outcomeError(backends ?? { path: "", status: "unchanged" }), { error: unfinished.error });
  assert.equal(map?.status, "changed");
  const { logger, lines } = captureLogger();
  logWriteOutcomes(logger, outcomes);
  const failed = lines().filter((line) => line["event"] === "write-failed");
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.["intermediate"], true);
  assert.equal(failed[0]?.["kind"], "ENOENT");
  assert.match(
    String(failed[0]?.["msg"]),
    /^cannot finish writing .*backends\.cfg: it holds the old and the new backends together \(the union step\), not the new content; retrying/,
  );
  assert.doesNotMatch(String(failed[0]?.["msg"]), /keeps its previous content/);
});

test("a generator started beside a running one (a start-before-stop upgrade) leaves its staged temps alone; old ones go", async (t) => {
  const dir = await tempDir(t);
  const wanted = files(dir, "B1\n", "M1\n");
  // What a writer killed an hour ago left.
  const leftover = ".domain.map.7.0123abcd.tmp";
  await writeFile(join(dir, leftover), "x");
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(join(dir, leftover), hourAgo, hourAgo);
  const { logger, lines } = captureLogger();
  const outcomes = await writeOutputs(wanted, {
    // The new generator's first writing cycle, between the running one's renames.
    async afterRename() {
      await cleanStaleTemps(wanted, logger);
    },
  });
  // Before, it removed the running generator's staged map: that rename failed (ENOENT), a failed cycle.
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["changed", "changed"],
  );
  assert.equal(await readFile(wanted.map.path, "utf8"), "M1\n");
  assert.deepEqual((await readdir(dir)).sort(), ["backends.cfg", "domain.map"]);
  assert.deepEqual(
    lines()
      .filter((line) => line["event"] === "temp-removed")
      .map((line) => line["file"]),
    [leftover],
  );
  // Too young to tell: kept, and the cycle tries again later.
  await writeFile(join(dir, ".backends.cfg.7.0123abcd.tmp"), "x");
  assert.equal(await cleanStaleTemps(wanted, logger), false);
  assert.ok((await readdir(dir)).includes(".backends.cfg.7.0123abcd.tmp"));
});

test("a temp dated in the future (a clock stepped back since the killed write) is taken for stale, not kept for ever", async (t) => {
  const dir = await tempDir(t);
  const wanted = files(dir, "B1\n", "M1\n");
  const leftover = ".domain.map.7.0123abcd.tmp";
  await writeFile(join(dir, leftover), "x");
  const dayAhead = new Date(Date.now() + 86_400_000);
  await utimes(join(dir, leftover), dayAhead, dayAhead);
  const { logger, lines } = captureLogger();
  // Before, its age was negative, so "too young" at every cycle: kept and looked for again until the clock
  // passed the date, with no word about it.
  assert.equal(await cleanStaleTemps(wanted, logger), true);
  assert.deepEqual(await readdir(dir), []);
  assert.deepEqual(
    lines()
      .filter((line) => line["event"] === "temp-removed")
      .map((line) => line["file"]),
    [leftover],
  );
});
