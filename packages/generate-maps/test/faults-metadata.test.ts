// Issue 7, metadata faults, generator half: the real command against the stand-in in each of its ten fault
// modes. For each: the files keep their inode, mtime and bytes while the fault holds, a log line names
// what happened, and routing catches up on its own once the fault ends (a change made during the fault
// lands: during it when metadata stays readable, right after it otherwise).
import assert from "node:assert/strict";
import { after, describe, it, type TestContext } from "node:test";
import {
  applyRecordedChange,
  loadRecordedTree,
  remapIps,
  startMetadataServer,
  type MetadataServer,
  type Tree,
} from "@rancher-haproxy/test-support";
import {
  assertUnchanged,
  leftoverTempFiles,
  readFileStates,
  readOrUndefined,
} from "./fault-support/file-state.js";
import { METADATA_FAULT_CASES, type MetadataFaultCase } from "./fault-support/metadata-fault-cases.js";
import { outputPaths, startGenerator, type GeneratorProcess } from "./fault-support/spawn-generator.js";
import { tempDir, waitFor } from "./helpers.js";

const TREE = remapIps(loadRecordedTree());
const MAP =
  "app-r123.dev.tld app-r123\napp-r124.dev.tld app-r124\nshop.dev.tld app-r123\nwww.dev.tld app-r123\n";
const FIRST_CHANGE = "beta.dev.tld app-r124\n"; // applyRecordedChange: app-r124-web-2 runs, alias beta
const SECOND_CHANGE = "app-r125.dev.tld app-r125\n"; // app-r125-web-1 becomes healthy

const survived: string[] = [];

describe("metadata faults against the real command", { concurrency: 5 }, () => {
  for (const faultCase of METADATA_FAULT_CASES)
    it(`${faultCase.name} (${faultCase.fault.kind})`, async (t) => {
      await survive(t, faultCase);
      survived.push(faultCase.fault.kind);
    });
  after(() => {
    console.log(
      `faults: ${survived.length} of ${METADATA_FAULT_CASES.length} metadata faults survived by generate-maps ` +
        `(files untouched, logged, recovered on their own): ${survived.join(", ")}`,
    );
  });
});

async function survive(t: TestContext, c: MetadataFaultCase): Promise<void> {
  const server = await startMetadataServer({ tree: TREE, longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const paths = outputPaths(dir);
  // Readable faults are told apart from the interval refetch by timing: a 5 s interval leaves room.
  const gen = startGenerator(t, { hostPort: server.hostPort, dir, interval: c.readable ? 5 : 2 });
  await waitFor("the first files", 10_000, async () =>
    (await readOrUndefined(paths.map)) === MAP ? true : undefined,
  );
  await waitFor("the long poll", 5000, () => (server.waitingLongPolls > 0 ? true : undefined));
  const before = await readFileStates([paths.backends, paths.map]);
  const faultStart = gen.logs.length;
  await server.setFault(c.fault);

  if (!c.readable) {
    const first = await evidence(gen, c, faultStart, 15_000);
    assert.match(
      String(first.msg),
      /cannot read metadata, keeping .*domain\.map and .*backends\.cfg as they are/,
    );
    await assertUnchanged(before, `${c.fault.kind}, first failure`);
    const changeAt = gen.logs.length;
    changeTree(server, applyRecordedChange);
    await evidence(gen, c, changeAt, 15_000); // it keeps trying, and keeps failing while the fault holds
    await assertUnchanged(before, `${c.fault.kind}, a change made during the fault`);
    const endAt = gen.logs.length;
    await server.setFault(null);
    await landed(paths.map, FIRST_CHANGE, 15_000);
    await gen.waitForEvent("recovered", { from: endAt, timeoutMs: 5000 });
  } else if (c.fault.kind === "version-churn") {
    await evidence(gen, c, faultStart, 15_000);
    await assertUnchanged(before, "version churn");
    assert.ok(gen.count("cycle") > 10, "it kept cycling through the churn");
    changeTree(server, applyRecordedChange);
    await landed(paths.map, FIRST_CHANGE, 3000); // still routed at once through the churn
    await server.setFault(null);
    changeTree(server, healR125);
    await landed(paths.map, SECOND_CHANGE, 3000);
    await gen.waitForEvent("version-churn-ended", { from: faultStart, timeoutMs: 12_000 });
  } else {
    // A hanging long poll: the interval refetch carries on, the change it finds is reported as missed.
    const wake = await gen.waitForEvent("wake", {
      from: faultStart,
      match: (l) => l["reason"] === "interval",
      timeoutMs: 8000,
    });
    // The check it woke: the same version and files, so no refetch.
    await gen.waitForEvent("interval-unchanged", { from: gen.logs.indexOf(wake), timeoutMs: 5000 });
    await assertUnchanged(before, "hanging long poll");
    changeTree(server, applyRecordedChange);
    await landed(paths.map, FIRST_CHANGE, 8000);
    const missed = await evidence(gen, c, faultStart, 2000);
    assert.match(String(missed.msg), /the long poll did not report it/);
    await server.setFault(null);
    await waitFor("a long poll after the fault", 8000, () =>
      server.waitingLongPolls > 0 ? true : undefined,
    );
    changeTree(server, healR125);
    await landed(paths.map, SECOND_CHANGE, 3000); // through the long poll again: well before the 5 s interval
  }
  assert.deepEqual(await leftoverTempFiles(paths.map), [], "no temporary file left");
  assert.equal(gen.count("write-failed"), 0);
  assert.equal(
    gen.logs.some((line) => line.raw !== undefined && line.raw !== ""),
    false,
    "every output line is a JSON log line",
  );
}

async function evidence(gen: GeneratorProcess, c: MetadataFaultCase, from: number, timeoutMs: number) {
  const { event, kind, error } = c.evidence;
  const line = await gen.waitForEvent(event, { from, timeoutMs });
  if (kind !== undefined)
    assert.equal(line["kind"], kind, `${c.fault.kind}: kind of ${JSON.stringify(line)}`);
  if (error !== undefined) assert.match(String(line["error"]), error, c.fault.kind);
  return line;
}

function changeTree(server: MetadataServer, edit: (tree: Tree) => Tree): void {
  server.update((tree) => edit(tree));
}

function healR125(tree: Tree): Tree {
  for (const c of tree.containers as Record<string, unknown>[])
    if (c["name"] === "app-r125-web-1") c["health_state"] = "healthy";
  return tree;
}

async function landed(path: string, line: string, deadlineMs: number): Promise<void> {
  await waitFor(`${line.trim()} in ${path}`, deadlineMs, async () =>
    (await readOrUndefined(path))?.includes(line) ? true : undefined,
  );
}
