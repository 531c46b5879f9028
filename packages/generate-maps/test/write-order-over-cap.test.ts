// The write order when an old output is over the cycle's read cap (2 × the new size + 1 MiB: one write
// drops more than half of a file over 1 MiB, as when a large environment is torn down): the file is
// replaced unread, but its names are still read chunk by chunk, so every state between two renames stays
// consistent. Before, the old file counted as empty: the new backends went first while the old map still
// named the removed backends.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { test } from "node:test";
import { renderBackends, type SharedBackend } from "@rancher-haproxy/core";
import {
  declaredBackends,
  mapBackends,
  oldOutputCap,
  planWrites,
  scanDeclaredNames,
  writeOutputs,
} from "../src/index.js";
import { runInSmallHeap, tempDir } from "./helpers.js";

const backendsOf = (names: readonly string[]): string =>
  renderBackends({
    backends: names.map((name, i): SharedBackend => ({
      name,
      servers: [{ name: `web-${i}`, address: `127.0.0.${(i % 250) + 1}`, port: 8080 }],
    })),
  });
const mapOf = (routes: readonly [string, string][]): string =>
  routes.map(([host, backend]) => `${host} ${backend}\n`).join("");
const stacks = (count: number) => Array.from({ length: count }, (_, i) => `app-${i}`);

// Writes `next` over `old` in `dir`, checking both files after every rename; returns the renames.
async function writeChecked(
  dir: string,
  old: { backends: string; map: string },
  next: { backends: string; map: string },
): Promise<string[]> {
  const paths = { backends: join(dir, "backends.cfg"), map: join(dir, "domain.map") };
  await writeFile(paths.backends, old.backends);
  await writeFile(paths.map, old.map);
  const renames: string[] = [];
  const outcomes = await writeOutputs(
    {
      backends: { path: paths.backends, content: next.backends },
      map: { path: paths.map, content: next.map },
    },
    {
      async afterRename(path) {
        renames.push(basename(path));
        const declared = declaredBackends(await readFile(paths.backends, "utf8"));
        for (const backend of mapBackends(await readFile(paths.map, "utf8")))
          assert.ok(
            declared.has(backend),
            `after renaming ${basename(path)}: the map names missing ${backend}`,
          );
      },
    },
  );
  assert.deepEqual(
    outcomes.map((outcome) => outcome.status),
    ["changed", "changed"],
  );
  assert.equal(await readFile(paths.backends, "utf8"), next.backends);
  assert.equal(await readFile(paths.map, "utf8"), next.map);
  return renames;
}

test("30 000 stacks torn down to 10 and one new: the old backends file is over the cap, every state is consistent", async (t) => {
  const dir = await tempDir(t);
  const old = {
    backends: backendsOf(stacks(30_000)),
    map: mapOf(stacks(30_000).map((s) => [`${s}.a-long-name-so-the-map-is-large-too.dev.tld`, s])),
  };
  const kept = [...stacks(10), "fresh"];
  const next = { backends: backendsOf(kept), map: mapOf(kept.map((s) => [`${s}.dev.tld`, s])) };
  assert.ok(old.backends.length > oldOutputCap(next.backends), "the old backends file is over the read cap");
  assert.ok(old.map.length > oldOutputCap(next.map), "so is the old map");
  // The map without `fresh` first (the old file does not declare it), then the backends, then the map.
  assert.deepEqual(await writeChecked(dir, old, next), ["domain.map", "backends.cfg", "domain.map"]);
});

test("an old map over the cap routing removed backends: the map goes first", async (t) => {
  const dir = await tempDir(t);
  // Many aliases of 40 stacks make the map large while the backends file stays small.
  const hosts = Array.from({ length: 80_000 }, (_, i): [string, string] => [
    `h${i}.dev.tld`,
    `app-${i % 40}`,
  ]);
  const old = { backends: backendsOf(stacks(40)), map: mapOf(hosts) };
  const next = { backends: backendsOf(stacks(5)), map: mapOf(stacks(5).map((s) => [`${s}.dev.tld`, s])) };
  assert.ok(old.map.length > oldOutputCap(next.map), "the old map is over the read cap");
  assert.ok(old.backends.length <= oldOutputCap(next.backends), "the old backends file is read");
  assert.deepEqual(await writeChecked(dir, old, next), ["domain.map", "backends.cfg"]);
});

test("scanDeclaredNames reads `backend` lines across chunks, skips what breaks the naming rules, and gives up past its caps", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "f");
  // Lines of 1000 characters around the names, so headers straddle the 1 MiB chunks somewhere.
  const filler = "#".repeat(999) + "\n";
  const headers = Array.from({ length: 3000 }, (_, i) => `backend app-${i}\n${filler}`).join("");
  await writeFile(path, `${headers}backend Bad_Name\n    backend indented\nbackends x\nbackend tcp_5432`);
  const expected = new Set([...Array.from({ length: 3000 }, (_, i) => `app-${i}`), "tcp_5432"]);
  assert.deepEqual(await scanDeclaredNames(path), expected);
  // A line longer than any header is not taken for one, nor is its rest in the next chunk.
  await writeFile(
    path,
    `${"x".repeat(1024 * 1024 - 3)}\nbackend app-1 \n${"y".repeat(2 * 1024 * 1024)}backend fake\nbackend app-2`,
  );
  assert.deepEqual(await scanDeclaredNames(path), new Set(["app-1", "app-2"]));
  assert.equal(await scanDeclaredNames(path, 10), null, "over the byte cap");
  await writeFile(path, "backend a\nbackend b\n");
  assert.equal(await scanDeclaredNames(path, 1 << 20, 1), null, "over the name cap");
  assert.equal(await scanDeclaredNames(join(dir, "absent")), null);
  assert.equal(await scanDeclaredNames(dir), null, "a directory");
});

test("planWrites: the map without new backends goes first only when the old file's names are known, never an empty map for an absent file", () => {
  const next = {
    backends: backendsOf(["app-1", "fresh"]),
    map: mapOf([
      ["a.dev.tld", "app-1"],
      ["f.dev.tld", "fresh"],
    ]),
  };
  const oldMap = mapOf([
    ["a.dev.tld", "app-1"],
    ["gone.dev.tld", "gone"],
  ]);
  // Names read from an old backends file over the cap: a.dev.tld stays routed while fresh is not declared.
  const scanned = planWrites(
    next,
    { backends: null, map: oldMap },
    { backendNames: new Set(["app-1", "gone"]) },
  );
  assert.deepEqual(
    scanned.map((step) => [step.file, step.content]),
    [
      ["map", "a.dev.tld app-1\n"],
      ["backends", next.backends],
      ["map", next.map],
    ],
  );
  // No backends file at all (nothing known of it): the new backends first, as before, not a map routing nothing.
  const absent = planWrites(next, { backends: null, map: oldMap });
  assert.deepEqual(
    absent.map((step) => step.file),
    ["backends", "map"],
  );
  assert.equal(absent[0]?.content, next.backends);
});

test("planWrites with the old map unread: it may name any old backend, so the new backends never go first while they drop one", () => {
  const oldBackends = backendsOf(["app-1", "gone"]);
  const removal = { backends: backendsOf(["app-1"]), map: mapOf([["a.dev.tld", "app-1"]]) };
  assert.deepEqual(
    planWrites(removal, { backends: oldBackends, map: null }, { map: true }).map((step) => step.file),
    ["map", "backends"],
  );
  // Additions only: the old backends stay declared, so the new ones may go first.
  const addition = {
    backends: backendsOf(["app-1", "gone", "fresh"]),
    map: mapOf([
      ["a.dev.tld", "app-1"],
      ["f.dev.tld", "fresh"],
    ]),
  };
  assert.deepEqual(
    planWrites(addition, { backends: oldBackends, map: null }, { map: true }).map((step) => step.file),
    ["backends", "map"],
  );
  // Both: the union step, whatever the old map held.
  const both = { backends: backendsOf(["app-1", "fresh"]), map: mapOf([["f.dev.tld", "fresh"]]) };
  const steps = planWrites(both, { backends: oldBackends, map: null }, { map: true });
  assert.deepEqual(
    steps.map((step) => step.file),
    ["backends", "map", "backends"],
  );
  assert.deepEqual(declaredBackends(steps[0]?.content ?? ""), new Set(["app-1", "fresh", "gone"]));
  // Both files unread, the backends' names scanned: the map without `fresh` first.
  const scanned = planWrites(
    both,
    { backends: null, map: null },
    { map: true, backendNames: new Set(["app-1", "gone"]) },
  );
  assert.deepEqual(
    scanned.map((step) => [step.file, step.content]),
    [
      ["map", ""],
      ["backends", both.backends],
      ["map", both.map],
    ],
  );
});

test("mapBackends reads a line's second field only: one line of 32 MiB of words in a 128 MiB heap", () => {
  // The old map is untrusted (up to its read cap, 2 × the new size + 1 MiB): split whole, such a line
  // was an array of 16 million one-letter strings (found by a review).
  const run = runInSmallHeap(`
    const text = "www.dev.tld shop\\n" + "a ".repeat(16 * 1024 * 1024) + "\\n# c blog\\nnews.dev.tld blog x\\n";
    process.stdout.write(JSON.stringify([...src.mapBackends(text)]));`);
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  assert.deepEqual(JSON.parse(run.stdout), ["shop", "a", "blog"]);
});
