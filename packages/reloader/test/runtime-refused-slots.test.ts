// After runtime steps that failed and a fallback snapshot whose check did not pass, the store's slot
// assignment is the one the worker runs again, not the never-run snapshot's (found by a read-only
// review: the next reload kept the refused plan's slots). Stubs stand in for HAProxy and the disk; the
// master socket does not exist, so the steps fail at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "@rancher-haproxy/core";
import type { ApplierOptions } from "../src/reload/applier-options.ts";
import type { KnownState } from "../src/reload/applier-state.ts";
import { applyRuntimePlan, type RuntimeChange } from "../src/reload/apply-runtime-plan.ts";
import { CheckStoppedError } from "../src/reload/check-stopped-error.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";

for (const verdict of ["refused", "none"] as const) {
  test(`a fallback snapshot whose check ${verdict === "refused" ? "refuses it" : "gives no verdict"} leaves the slots the worker runs`, async () => {
    const running = new Map([["app", [{ server: "app-0", options: {} }]]]);
    const planned = new Map([
      [
        "app",
        [
          { server: "app-0", options: {} },
          { server: "app-9", options: {} },
        ],
      ],
    ]);
    let lastSlots: unknown = running;
    const store = {
      layout: { masterSocket: "/nonexistent/rh-test/master.sock" },
      lastAssignment: () => lastSlots,
      stage: async (_files: unknown, _table: unknown, slots: unknown) => {
        lastSlots = slots;
        return 3;
      },
      makeCurrent: async () => undefined,
      restoreAssignment: (slots: unknown) => {
        lastSlots = slots;
      },
      check: async (generation: number) => {
        if (verdict === "none") throw new CheckStoppedError(generation, "haproxy -c was killed by SIGKILL");
        return { ok: false, generation, reason: `gen-${generation} fails haproxy -c` };
      },
      prune: async () => undefined,
    };
    const supervisor = {
      exclusive: <T>(task: () => Promise<T>) => task(),
      reload: async () => ({ ok: true, workerPid: 42, info: { reloads: 2 } }),
    };
    const services = {
      logger: createLogger({ name: "t", level: "silent", format: "json" }),
      status: new ReloaderStatus(),
      supervisor,
      store,
      runtimeTimeoutMs: 500,
    } as unknown as Pick<ApplierOptions, "logger" | "status" | "supervisor" | "store" | "runtimeTimeoutMs">;
    const change = {
      plan: {
        kind: "runtime",
        slots: planned,
        serverOps: [{ backend: "app", slot: 1, action: "ready" }],
        mapOps: [],
      },
      files: { base: Buffer.from(""), backends: Buffer.from(""), map: Buffer.from(""), hash: "H" },
      table: { backends: [], hosts: [] },
      started: performance.now(),
      since: null,
    } as unknown as RuntimeChange;
    const known = { workerPid: 42, generation: 2, state: { baseHash: "B" } } as unknown as KnownState;
    const steps = applyRuntimePlan(change, known, services);
    const run = async () => {
      for (let step = await steps.next(); !step.done; step = await steps.next());
    };
    if (verdict === "none") await assert.rejects(run, CheckStoppedError);
    else await run();
    assert.equal(lastSlots, running);
  });
}
