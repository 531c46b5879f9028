// The TCP-port report (onRunning) hears only of backends that go live: never those of a snapshot
// haproxy -c refused (found by a read-only review: /healthz warned about ports of refused files), and a
// reload's only once HAProxy took it (reload-to.ts; warnings-running-config.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger, type SharedBackend } from "@rancher-haproxy/core";
import type { ApplierOptions } from "../src/reload/applier-options.ts";
import { planChange } from "../src/reload/plan-change.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";

test("planning a reload reports nothing to onRunning, whether haproxy -c passes its snapshot or not", async () => {
  const heard: (Buffer | readonly SharedBackend[])[] = [];
  const backends: SharedBackend[] = [];
  const accepted = {
    files: { base: "global\n", backends: "", map: "", hash: "H" },
    table: { backends, hosts: [] },
    started: performance.now(),
    since: null,
  } as unknown as Parameters<typeof planChange>[0];
  const options = (ok: boolean) =>
    ({
      logger: createLogger({ name: "t", level: "silent", format: "json" }),
      status: new ReloaderStatus(),
      store: {
        lastAssignment: () => null,
        stageChecked: async () =>
          ok
            ? { ok: true, generation: 2, check: { durationMs: 1 }, table: accepted.table, slots: new Map() }
            : { ok: false, generation: null, reason: "gen-2 fails haproxy -c" },
        currentFailsToo: async () => null,
      },
      onRunning: (seen: Buffer | readonly SharedBackend[]) => heard.push(seen),
      slotsPerBlock: 10,
      runtimeUpdates: true,
      supervisor: { isSettled: () => true, settled: async () => true, oldWorkersSeen: () => null },
    }) as unknown as Pick<
      ApplierOptions,
      "logger" | "status" | "store" | "onRunning" | "slotsPerBlock" | "runtimeUpdates" | "supervisor"
    >;
  const refused = await planChange(accepted, null, options(false));
  assert.equal(refused.kind, "refused");
  assert.equal(heard.length, 0, "a refused snapshot's backends are not reported");
  const reload = await planChange(accepted, null, options(true));
  assert.equal(reload.kind, "reload");
  assert.deepEqual(heard, [], "reported once HAProxy takes it, by reloadTo");
});
