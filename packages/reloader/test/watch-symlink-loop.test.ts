// A symlink loop put at an input's path (a writer of the shared volume can) made chokidar raise ELOOP
// while scanning the directory: `inputs.watch-error`, `reloader_input_watch_ok 0` and the /healthz
// warning said the watch had failed although the directory watch went on working, and the warning stayed
// until a re-arm. Found by a review. Such a path is an input the applier refuses, not a watch failure.
import assert from "node:assert/strict";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createLogger, writeFileAtomic } from "@rancher-haproxy/core";
import { waitFor } from "@rancher-haproxy/test-support";
import { watchInputs } from "../src/watch/watch-inputs.ts";

const logger = createLogger({ name: "watch-test", level: "silent", format: "json" });

test("a symlink loop at the map's path is no watch failure, and the map written over it is seen", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-watch-loop-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const backends = join(dir, "haproxy-backends.cfg");
  const map = join(dir, "domain.map");
  await writeFileAtomic(backends, "# empty\n");
  await symlink(map, map);
  const problems: (string | null)[] = [];
  const reports: number[] = [];
  const watcher = watchInputs([backends, map], 200, (at) => reports.push(at), logger, {
    intervalMs: 0,
    onProblem: (problem) => problems.push(problem),
  });
  t.after(() => watcher.close());
  await watcher.ready;
  await writeFileAtomic(map, "one.dev.tld app\n");
  await waitFor(() => reports.length >= 1, { timeoutMs: 20_000, message: "the map written over the loop" });
  assert.deepEqual(problems, [], "no watch failure reported");
});
