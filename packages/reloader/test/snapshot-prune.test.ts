// Pruning old snapshots is housekeeping: it never fails a pass that applied a change, and a confirmed
// reload is recorded before it runs (found by a read-only review: a prune that threw after a confirmed
// reload lost the change, and the pass was retried as a failure, staging yet another snapshot).
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { createLogger } from "@rancher-haproxy/core";
import type { ApplierOptions } from "../src/reload/applier-options.ts";
import type { StateChange } from "../src/reload/applier-state.ts";
import { reloadTo, type ReloadTarget } from "../src/reload/reload-to.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import type { StateLayout } from "../src/output/snapshot-layout.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";

const busy = () =>
  Object.assign(new Error("EBUSY: resource busy or locked, rmdir 'gen-1'"), { code: "EBUSY" });

test("a confirmed reload is recorded before the old snapshots are pruned", async () => {
  const status = new ReloaderStatus();
  status.haproxyStarted(41); // the master the worker is confirmed under (the known state records it)
  const logger = createLogger({ name: "t", level: "silent", format: "json" });
  const supervisor = {
    switchTo: (generation: number) => {
      status.currentIs(generation);
      return Promise.resolve({
        kind: "reloaded",
        verdict: { ok: true, workerPid: 42, info: { reloads: 1 } },
        kept: 1,
      });
    },
  };
  const store = { prune: () => Promise.reject(busy()) };
  const target = {
    generation: 2,
    hash: "H",
    check: { durationMs: 1 },
    state: {},
    reason: "backends-changed",
    started: performance.now(),
    since: null,
  } as unknown as ReloadTarget;
  const services = { logger, status, supervisor, store } as unknown as Pick<
    ApplierOptions,
    "logger" | "status" | "supervisor" | "store"
  >;
  const changes: StateChange[] = [];
  const steps = reloadTo(target, services);
  await assert.rejects(async () => {
    for (let step = await steps.next(); !step.done; step = await steps.next()) changes.push(step.value);
  }, /EBUSY/);
  const last = changes.at(-1);
  assert.equal(last?.settledHash, "H", "the change is settled before the prune");
  assert.equal(last?.known?.masterPid, 41, "the confirmed reload's state is known");
  assert.deepEqual(last?.switched, { generation: 2, hash: "H" });
});

test("a prune that fails is logged and does not throw", async () => {
  const sink = new PassThrough();
  const lines: string[] = [];
  sink.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
  const logger = createLogger({ name: "t", level: "info", format: "json", destination: sink });
  // A layout whose directory cannot be read stands in for a failing removal (root removes anything).
  const layout = {
    get dir(): string {
      throw busy();
    },
    current: "/nonexistent/current",
  } as unknown as StateLayout;
  await new SnapshotStore("haproxy", layout, logger).prune();
  const line = JSON.parse(lines.join("")) as { event: string; level: number; err: string };
  assert.equal(line.event, "snapshot.prune-failed");
  assert.equal(line.level, 40);
  assert.match(line.err, /EBUSY/);
});
