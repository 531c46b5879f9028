// After runtime steps that failed and a fallback snapshot whose check did not pass, the store's slot
// assignment is the one the worker runs again, not the never-run snapshot's (found by a read-only
// review: the next reload kept the refused plan's slots). A real snapshot store on a temp dir, a script
// for haproxy -c, a stub supervisor; the master socket does not exist, so the steps fail at once.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createLogger } from "@rancher-haproxy/core";
import type { ApplierOptions } from "../src/reload/applier-options.ts";
import type { KnownState } from "../src/reload/applier-state.ts";
import { applyRuntimePlan, type RuntimeChange } from "../src/reload/apply-runtime-plan.ts";
import { CheckStoppedError } from "../src/reload/check-stopped-error.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import type { SlotMap } from "../src/model/server-slots.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";

for (const verdict of ["refused", "none"] as const) {
  test(`a fallback snapshot whose check ${verdict === "refused" ? "refuses it" : "gives no verdict"} leaves the slots the worker runs`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), "rh-refused-slots-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    // The check's binary: refuses (exit 1), or is killed before its verdict.
    const bin = join(dir, "check-haproxy");
    await writeFile(bin, `#!/bin/sh\n${verdict === "refused" ? "exit 1" : "kill -9 $$"}\n`, { mode: 0o755 });
    const logger = createLogger({ name: "t", level: "silent", format: "json" });
    const layout = stateLayout(join(dir, "state"));
    await mkdir(layout.dir, { recursive: true });
    const store = new SnapshotStore(bin, layout, logger);
    const running = new Map([["app", [{ server: "app-0", options: {} }]]]) as unknown as SlotMap;
    const planned = new Map([
      [
        "app",
        [
          { server: "app-0", options: {} },
          { server: "app-9", options: {} },
        ],
      ],
    ]) as unknown as SlotMap;
    const files = { base: Buffer.from(""), backends: Buffer.from(""), map: Buffer.from(""), hash: "H" };
    const table = { backends: [], hosts: [] };
    const runningGeneration = await store.stage(files, table, running); // what the worker runs
    await store.makeCurrent(runningGeneration);
    const supervisor = {
      exclusive: <T>(task: () => Promise<T>) => task(),
      isSettled: () => true,
      isStopping: () => false,
      reload: async () => ({ ok: true, workerPid: 42, info: { reloads: 2 } }),
    };
    const services = {
      logger,
      status: new ReloaderStatus(),
      supervisor,
      store,
      runtimeTimeoutMs: 500,
    } as unknown as Pick<ApplierOptions, "logger" | "status" | "supervisor" | "store" | "runtimeTimeoutMs">;
    // The master socket does not exist: the steps fail at once, and the fallback's check runs.
    const change = {
      plan: {
        kind: "runtime",
        slots: planned,
        serverOps: [{ backend: "app", slot: 1, action: "ready" }],
        mapOps: [],
      },
      files,
      table,
      started: performance.now(),
      since: null,
      workerPid: 42,
    } as unknown as RuntimeChange;
    const known = {
      masterPid: 41,
      generation: runningGeneration,
      state: { baseHash: "B" },
    } as unknown as KnownState;
    const steps = applyRuntimePlan(change, known, services);
    const run = async () => {
      for (let step = await steps.next(); !step.done; step = await steps.next());
    };
    if (verdict === "none") await assert.rejects(run, CheckStoppedError);
    else await run();
    assert.equal(store.lastAssignment(), running);
  });
}
