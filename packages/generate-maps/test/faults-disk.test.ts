// Issue 7, disk and file faults, generator half: the real command writing to a full disk (a 64 KiB tmpfs),
// a read-only filesystem (the tmpfs remounted ro) and paths replaced by directories. For each: the failure
// is logged with its errno and retried, nothing is half-written (the old files keep inode, mtime and bytes,
// the map never runs ahead of the backends file), no temporary file is left, and the pending change is
// written on its own once the fault is removed.
import assert from "node:assert/strict";
import { mkdir, rm } from "node:fs/promises";
import { after, describe, it, type TestContext } from "node:test";
import {
  applyRecordedChange,
  loadRecordedTree,
  remapIps,
  startMetadataServer,
} from "@rancher-haproxy/test-support";
import {
  assertUnchanged,
  leftoverTempFiles,
  readFileStates,
  readOrUndefined,
  type FileState,
} from "./fault-support/file-state.js";
import { outputPaths, startGenerator, type GeneratorProcess } from "./fault-support/spawn-generator.js";
import { mountTmpfs, type Tmpfs } from "./fault-support/tmpfs.js";
import { tempDir, waitFor } from "./helpers.js";

const TREE = remapIps(loadRecordedTree());
const CHANGED_BACKEND_LINE =
  "server web-c0000124-0002-4000-8000-000000000002 127.0.0.22:8080 send-proxy-v2\n";
const CHANGED_MAP_LINE = "beta.dev.tld app-r124\n";

interface Paths {
  backends: string;
  map: string;
}

// One fault: how to cause and remove it, which errno it gives, and which files it must leave untouched.
interface DiskFault {
  name: string;
  tmpfs: boolean;
  errno: string;
  /** the files the fault must not change (the backends file is written when only the map is broken) */
  untouched: (paths: Paths) => string[];
  cause(paths: Paths, fs: Tmpfs | undefined): Promise<() => Promise<void>>;
}

const FAULTS: DiskFault[] = [
  {
    name: "disk full",
    tmpfs: true,
    errno: "ENOSPC",
    untouched: (p) => [p.backends, p.map],
    async cause(_paths, fs) {
      const filler = await fs!.fill();
      return () => rm(filler);
    },
  },
  {
    name: "read-only filesystem",
    tmpfs: true,
    errno: "EROFS",
    untouched: (p) => [p.backends, p.map],
    async cause(_paths, fs) {
      await fs!.remount("ro");
      return () => fs!.remount("rw");
    },
  },
  {
    name: "backends file replaced by a directory",
    tmpfs: false,
    errno: "EISDIR",
    untouched: (p) => [p.map],
    async cause(paths) {
      await rm(paths.backends);
      await mkdir(paths.backends);
      return () => rm(paths.backends, { recursive: true });
    },
  },
  {
    name: "map replaced by a directory",
    tmpfs: false,
    errno: "EISDIR",
    untouched: () => [],
    async cause(paths) {
      await rm(paths.map);
      await mkdir(paths.map);
      return () => rm(paths.map, { recursive: true });
    },
  },
];

const survived: string[] = [];

describe("disk and file faults against the real command", { concurrency: 4 }, () => {
  for (const fault of FAULTS)
    it(`${fault.name} (${fault.errno})`, async (t) => {
      await survive(t, fault);
      survived.push(fault.name);
    });
  after(() => {
    console.log(
      `faults: ${survived.length} of ${FAULTS.length} disk and file faults survived by generate-maps ` +
        `(logged, retried, nothing half-written, written once removed): ${survived.join(", ")}`,
    );
  });
});

async function survive(t: TestContext, fault: DiskFault): Promise<void> {
  // node:test runs a test's after() hooks in the order they were registered: this one first, so the
  // generator is stopped before its directory (a tmpfs) is unmounted and removed, not while it may write.
  const started: GeneratorProcess[] = [];
  t.after(() => Promise.all(started.map((child) => child.stop({ signal: "SIGKILL", timeoutMs: 5000 }))));
  const fs = fault.tmpfs ? await mountTmpfs(t, 64) : undefined;
  const dir = fs?.dir ?? (await tempDir(t));
  const paths = outputPaths(dir);
  const server = await startMetadataServer({ tree: TREE, longPollTickMs: 100 });
  t.after(() => server.close());
  const gen = startGenerator(t, { hostPort: server.hostPort, dir, interval: 2 });
  started.push(gen);
  await waitFor("the first files", 10_000, async () =>
    (await readOrUndefined(paths.map))?.includes("www.dev.tld") ? true : undefined,
  );
  await waitFor("the long poll", 5000, () => (server.waitingLongPolls > 0 ? true : undefined));
  const untouched: FileState[] = await readFileStates(fault.untouched(paths));
  const removeFault = await fault.cause(paths, fs);
  const from = gen.logs.length;
  server.setTree(applyRecordedChange(TREE));

  const isFault = (line: Record<string, unknown>) => line["kind"] === fault.errno;
  await gen.waitForEvent("write-failed", { from, match: isFault, timeoutMs: 8000 });
  const first = gen.count("write-failed", isFault);
  await waitFor("a retry that fails again", 8000, () =>
    gen.count("write-failed", isFault) > first ? true : undefined,
  );
  await assertUnchanged(untouched, fault.name);
  assert.deepEqual(await leftoverTempFiles(paths.map), [], "no temporary file left");
  if (fault.untouched(paths).includes(paths.map) && !fault.untouched(paths).includes(paths.backends))
    assert.ok(gen.count("write-postponed") > 0, "the map waits for the backends file");
  if (fault.name.startsWith("map"))
    assert.match((await readOrUndefined(paths.backends)) ?? "", new RegExp(CHANGED_BACKEND_LINE.trim()));
  assert.equal(gen.count("cycle") > 0, true);

  const recoveredFrom = gen.logs.length;
  await removeFault();
  await waitFor("the change written after the fault", 10_000, async () =>
    (await readOrUndefined(paths.map))?.includes(CHANGED_MAP_LINE) ? true : undefined,
  );
  assert.ok((await readOrUndefined(paths.backends))?.includes(CHANGED_BACKEND_LINE));
  await gen.waitForEvent("recovered", { from: recoveredFrom, timeoutMs: 5000 });
  assert.deepEqual(await leftoverTempFiles(paths.map), [], "no temporary file left");
}
