// Issue 7, process faults, generator half: a generator stopped (SIGTERM) or killed (SIGKILL) and started
// again must not rewrite identical files in its first cycle: same inode, same mtime, same bytes, so the
// reloader sees no change and HAProxy is not reloaded for nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadRecordedTree, remapIps, startMetadataServer } from "@rancher-haproxy/test-support";
import {
  assertUnchanged,
  leftoverTempFiles,
  readFileStates,
  readOrUndefined,
} from "./fault-support/file-state.js";
import { outputPaths, startGenerator } from "./fault-support/spawn-generator.js";
import { tempDir, waitFor } from "./helpers.js";

const TREE = remapIps(loadRecordedTree());

for (const signal of ["SIGTERM", "SIGKILL"] as const)
  test(`after ${signal}, the restarted generator's first cycle leaves identical files alone`, async (t) => {
    const server = await startMetadataServer({ tree: TREE, longPollTickMs: 100 });
    t.after(() => server.close());
    const dir = await tempDir(t);
    const paths = outputPaths(dir);
    const first = startGenerator(t, { hostPort: server.hostPort, dir, confirmSeconds: 30 });
    await waitFor("the files", 10_000, async () =>
      (await readOrUndefined(paths.map))?.includes("www.dev.tld") ? true : undefined,
    );
    await waitFor("the long poll", 5000, () => (server.waitingLongPolls > 0 ? true : undefined));
    assert.deepEqual(
      await first.stop({ signal, timeoutMs: 5000 }),
      signal === "SIGTERM" ? { code: 0, signal: null } : { code: null, signal: "SIGKILL" },
    );
    const before = await readFileStates([paths.backends, paths.map]);

    const second = startGenerator(t, { hostPort: server.hostPort, dir, confirmSeconds: 30 });
    const cycle = await second.waitForEvent("cycle", { timeoutMs: 10_000 });
    assert.deepEqual(cycle["changed"], [], "the first cycle changed nothing");
    assert.equal(cycle["routed"], 3);
    await assertUnchanged(before, `restart after ${signal}`);
    assert.equal(second.count("file-changed"), 0);
    assert.deepEqual(await leftoverTempFiles(paths.map), []);
  });
