// The input watcher's timing: a change is reported at once (not after the quiet period), a burst gives
// the leading report and exactly one trailing report. Counts and order only: no millisecond assertions.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createLogger, writeFileAtomic } from "@rancher-haproxy/core";
import { waitFor } from "@rancher-haproxy/test-support";
import { dirIdentities } from "../src/watch/dir-identities.ts";
import { watchInputs } from "../src/watch/watch-inputs.ts";

const logger = createLogger({ name: "watch-test", level: "silent", format: "json" });

// A watcher over backends + map in a fresh directory, recording each report's firstEventAt.
async function startWatching(t: { after(fn: () => Promise<void>): void }, quietMs: number) {
  const dir = await mkdtemp(join(tmpdir(), "rh-watch-"));
  const paths = { backends: join(dir, "haproxy-backends.cfg"), map: join(dir, "domain.map") };
  await writeFileAtomic(paths.backends, "# empty\n");
  await writeFileAtomic(paths.map, "");
  const reports: number[] = [];
  const watcher = watchInputs([paths.backends, paths.map], quietMs, (at) => reports.push(at), logger);
  t.after(async () => {
    await watcher.close();
    await rm(dir, { recursive: true, force: true });
  });
  await watcher.ready;
  return { paths, reports };
}

test("a change is reported at once, not after the quiet period", async (t) => {
  // A quiet period of 60 s: a report within the 20 s deadline can only be the leading one.
  const { paths, reports } = await startWatching(t, 60_000);
  const written = performance.now();
  await writeFileAtomic(paths.backends, "# one\n");
  await waitFor(() => reports.length >= 1, { timeoutMs: 20_000, message: "the leading report" });
  assert.equal(reports.length, 1);
  assert.ok((reports[0] ?? 0) >= written, "reported with the time of the event, after the write");
});

test("a burst gives the leading report and exactly one trailing report", async (t) => {
  // A quiet period no pause between two renames of the burst reaches, even on a loaded machine: with 2 s,
  // one stall of the test process that long between two of them split the burst in two (4 reports).
  const quietMs = 10_000;
  const { paths, reports } = await startWatching(t, quietMs);
  // Renames of both files back to back (no fsync, so a busy disk does not stretch the burst past the
  // quiet period): the first event is reported at once, the rest collapse into one trailing report.
  for (let i = 1; i <= 6; i++) {
    await writeAndRename(paths.backends, `# burst ${i}\n`);
    await writeAndRename(paths.map, `burst-${i}.dev.tld app\n`);
  }
  await waitFor(() => reports.length >= 2, { timeoutMs: 60_000, message: "leading + trailing reports" });
  // Nothing more comes after the trailing report: every timer of the burst is at most one quiet period.
  await new Promise((resolve) => setTimeout(resolve, quietMs + 1000));
  assert.equal(reports.length, 2);
  // The trailing report names the first event after the leading report, or the leading event itself when
  // the whole burst arrived before the leading report fired (a starved machine: the 10 ms settle ran late).
  const [leading = 0, trailing = 0] = reports;
  assert.ok(trailing >= leading, "the trailing report names the leading event or a later one");
});

test("a single event is read again once after the quiet period (chokidar may have dropped a rename)", async (t) => {
  const { paths, reports } = await startWatching(t, 200);
  await writeFileAtomic(paths.map, "one.dev.tld app\n");
  await waitFor(() => reports.length >= 2, { timeoutMs: 20_000, message: "leading + trailing" });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(reports.length, 2);
  const [leading = 0, trailing = 0] = reports;
  assert.ok(trailing >= leading, "the trailing report names the leading event or a later one");
});

// Found by a review: the directory watch followed the directory's inode, so once the directory was replaced
// (removed and made again, renamed over, a symlink to it swapped as Kubernetes' `..data` is) no write into
// the new one was ever reported; with --rescan-interval 0 the change never went live.
for (const [how, linked, replace] of [
  [
    "removed and made again",
    false,
    async (dir: string) => {
      await rm(dir, { recursive: true });
      await mkdir(dir);
    },
  ],
  [
    "renamed over by a new one",
    false,
    async (dir: string) => {
      await mkdir(`${dir}.new`);
      await rename(dir, `${dir}.old`);
      await rename(`${dir}.new`, dir);
    },
  ],
  [
    "a symlink to it swapped for one to another",
    true,
    async (dir: string) => {
      await mkdir(`${dir}-2`);
      await symlink(`${dir}-2`, `${dir}.next`);
      await rename(`${dir}.next`, dir);
    },
  ],
  // The link's own entry is unchanged: only its target's, which was not watched (found by a review).
  [
    "the symlink's target removed and made again",
    true,
    async (dir: string) => {
      await rm(`${dir}-1`, { recursive: true });
      await mkdir(`${dir}-1`);
    },
  ],
] as const)
  test(`a write is still reported after the inputs' directory was replaced: ${how}`, async (t) => {
    const root = await mkdtemp(join(tmpdir(), "rh-watch-"));
    t.after(() => rm(root, { recursive: true, force: true }));
    const dir = join(root, "live");
    if (linked) {
      await mkdir(`${dir}-1`);
      await symlink(`${dir}-1`, dir);
    } else await mkdir(dir);
    const map = join(dir, "domain.map");
    await writeFileAtomic(map, "");
    const reports: number[] = [];
    const paths = [join(dir, "haproxy-backends.cfg"), map];
    const watcher = watchInputs(paths, 100, (at) => reports.push(at), logger);
    t.after(() => watcher.close());
    await watcher.ready;
    const armed = reports.length;
    await replace(dir);
    // The watch on the new directory reports once it is ready (what was written meanwhile is read then):
    // waited for, so the write below is heard by that watch, not counted by that catch-up report.
    await waitFor(() => reports.length > armed, { timeoutMs: 10_000, message: "the watch re-armed" });
    await quiet(reports, 1000);
    const before = reports.length;
    await writeFileAtomic(map, "new.dev.tld app\n");
    await waitFor(() => reports.length > before, { timeoutMs: 10_000, message: "the write is reported" });
  });

// Found by a review: the inputs' directory a dangling symlink (the start goes on, the inputs missing), its
// target made later; the link's entry did not change, so the watch heard nothing: with --rescan-interval 0
// the files written there went live only at the 10 s recheck, and never without one.
test("a write is reported once the target of the inputs' dangling symlink is made", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "rh-watch-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, "live");
  await symlink("live-1", dir);
  const reports: number[] = [];
  const map = join(dir, "domain.map");
  const watcher = watchInputs(
    [join(dir, "haproxy-backends.cfg"), map],
    100,
    (at) => reports.push(at),
    logger,
  );
  t.after(() => watcher.close());
  await watcher.ready;
  const armed = reports.length;
  await mkdir(join(root, "live-1"));
  await waitFor(() => reports.length > armed, { timeoutMs: 10_000, message: "the watch re-armed" });
  await quiet(reports, 1000);
  const before = reports.length;
  await writeFileAtomic(map, "new.dev.tld app\n");
  await waitFor(() => reports.length > before, { timeoutMs: 10_000, message: "the write is reported" });
});

// Found by a review: the recheck started a stat of the directories at each tick without waiting for the
// last; on a hung mount (a stat that never returns) they piled up without bound, filling libuv's threads.
test("the recheck has at most one stat of the directories in flight", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-watch-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const paths = [join(dir, "haproxy-backends.cfg"), join(dir, "domain.map")];
  const hung: (() => void)[] = [];
  const identities = (dirs: readonly string[]) =>
    new Promise<Map<string, string>>((resolve) => hung.push(() => void dirIdentities(dirs).then(resolve)));
  const recheck = { intervalMs: 10, onProblem: () => undefined, identities };
  const watcher = watchInputs(paths, 100, () => undefined, logger, recheck);
  t.after(() => watcher.close());
  await watcher.ready;
  await waitFor(() => hung.length >= 1, { timeoutMs: 10_000, message: "a first recheck" });
  await new Promise((resolve) => setTimeout(resolve, 300)); // 30 ticks of the recheck
  assert.equal(hung.length, 1, "no second stat while the first hangs");
  hung[0]?.(); // the mount answers: the rechecks go on
  await waitFor(() => hung.length >= 2, { timeoutMs: 10_000, message: "the next recheck" });
});

// Resolves once no report came for `ms`.
async function quiet(reports: readonly number[], ms: number): Promise<void> {
  for (let seen = -1; seen !== reports.length;) {
    seen = reports.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

async function writeAndRename(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp-test`, content);
  await rename(`${path}.tmp-test`, path);
}
