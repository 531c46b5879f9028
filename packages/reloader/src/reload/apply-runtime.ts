// Runtime steps for one planned change, on the supervisor's lock (never during a reload, start or
// restart): the new slots' addresses, then the rest (runtimePhases), each a batch (one master-CLI
// connection per 12 KB) to the worker that runs the state the plan was made from (asked again on the
// lock), each answer checked against its allow-list, then a read-back of every touched backend, map key
// and path-host marker compared with the snapshot, in batches of at most READBACK_ROWS answer rows
// (readback-groups.ts). Each batch also checks, at its end, that this worker is still the current one
// (worker-commands.ts). Once a stop of HAProxy began none is sent: asked on the lock, and again right
// before each batch line is written (the stop's SIGUSR1 is not on the lock).
import type { SharedTable } from "@rancher-haproxy/core";
import type { HaproxySupervisor } from "../haproxy/haproxy-supervisor.js";
import { parseServersState } from "../haproxy/parse-servers-state.js";
import { mapCommand, mapFileOf, serverCommand, type RuntimeCommand } from "../haproxy/runtime-commands.js";
import { readbackGroups } from "../haproxy/readback-groups.js";
import { sendWorkerCommands, type WorkerAnswer } from "../haproxy/worker-commands.js";
import { compareMapEntry, compareServers } from "../model/compare-readback.js";
import { PATH_HOST_MARKER, pathHostMarkers } from "../model/path-host-markers.js";
import type { ServerOp, UpdatePlan } from "../model/plan-update.js";

// Where to send the steps.
export interface RuntimeTarget {
  supervisor: HaproxySupervisor;
  masterSocket: string;
  /** the worker the plan was made for: any other one fails the batch */
  workerPid: number;
  /** the worker that runs the plan's state, asked again on the lock (null: none does), instead of
   * workerPid: a reload of the same snapshot (the certificates') between the plan and the lock started
   * another worker, which runs it too */
  worker?: () => number | null;
  timeoutMs: number;
  /** points `current` at the staged snapshot before the steps, and back when they fail: on the same
   * lock, so no restart or reload in between loads a snapshot whose steps are not confirmed */
  current?: { point(): Promise<void>; restore(): Promise<void> };
}

// Done and read back on worker `workerPid`, or why not (`readback`: the steps were answered as expected
// but the read-back differs; false: an unexpected answer, no worker, a timeout; `stopping`: a stop of
// HAProxy began, and no batch was sent from then on, or the steps failed once it had: neither a failure
// nor a reason to reload).
export type RuntimeOutcome =
  | { ok: true; ops: number; detail: string; workerPid: number }
  | { ok: false; readback: boolean; reason: string; stopping?: true };

// Point `current`, send the plan's steps and read back, all on the lock; never throws. Once a stop of
// HAProxy began, nothing is sent and `current` stays (or is pointed back) on what the workers ran: until
// 2026-12-06 a pass that outlasted the stop's wait for it sent its steps and read-back to the stopping
// worker, then, on a difference, tried the fallback reload.
export function applyRuntime(
  plan: Extract<UpdatePlan, { kind: "runtime" }>,
  table: SharedTable,
  target: RuntimeTarget,
): Promise<RuntimeOutcome> {
  return target.supervisor.exclusive(async (): Promise<RuntimeOutcome> => {
    if (target.supervisor.isStopping())
      return { ok: false, readback: false, stopping: true, reason: "no runtime-API command sent" };
    const sent = await pointAndSend(plan, table, target);
    // A failure seen once the stop began is the stop's too: a line written right before the SIGUSR1 and
    // answered after it (a soft-stopped worker answers `Proxy is disabled.` to a `set server`), or one
    // still unanswered then. Until a review on 2026-12-06 it was a runtime.fallback during the stop.
    const outcome = !sent.ok && target.supervisor.isStopping() ? { ...sent, stopping: true as const } : sent;
    if (outcome.ok || !target.current) return outcome;
    // The reason is logged with the fallback: a `current` left on this snapshot must show.
    const restored = await target.current.restore().then(
      () => "",
      (error: unknown) => `; pointing current back failed: ${String(error)}`,
    );
    return { ...outcome, reason: `${outcome.reason}${restored}` };
  });
}

async function pointAndSend(
  plan: Extract<UpdatePlan, { kind: "runtime" }>,
  table: SharedTable,
  target: RuntimeTarget,
): Promise<RuntimeOutcome> {
  // A reload (of the certificates, say) timed out since the plan was made: the master may be reading
  // `current`, which must not move; the fallback reload waits for it (switchTo).
  if (!target.supervisor.isSettled())
    return { ok: false, readback: false, reason: "a reload timed out after this change was planned" };
  const workerPid = target.worker ? target.worker() : target.workerPid;
  if (workerPid === null)
    return { ok: false, readback: false, reason: "no worker runs the state this change was planned from" };
  try {
    await target.current?.point();
    return await sendAndReadBack(plan, table, target.masterSocket, {
      timeoutMs: target.timeoutMs,
      workerPid,
      stopping: () => target.supervisor.isStopping(),
    });
  } catch (error) {
    return { ok: false, readback: false, reason: String(error) };
  }
}

// The plan's commands in the batches they are sent in, in order. Addresses first, in a batch of their
// own, checked before any slot is set ready: HAProxy runs every command of a line whatever the one before
// answered, so a slot whose `addr` failed would otherwise serve its old address (the placeholder, or a
// removed container's) until the fallback reload. Then the new slots ready, the map's changes, and only
// then the slots given up to maintenance: a host moved off a backend whose last container goes in the
// same change is never left pointing at a backend with no server (a 503) between two commands.
export function runtimePhases(plan: Extract<UpdatePlan, { kind: "runtime" }>): RuntimeCommand[][] {
  const ops = (...actions: ServerOp["action"][]) =>
    plan.serverOps.filter((op) => actions.includes(op.action)).map(serverCommand);
  return [ops("shutdown", "addr"), [...ops("ready"), ...plan.mapOps.map(mapCommand), ...ops("maint")]];
}

async function sendAndReadBack(
  plan: Extract<UpdatePlan, { kind: "runtime" }>,
  table: SharedTable,
  masterSocket: string,
  { timeoutMs, workerPid, stopping }: { timeoutMs: number; workerPid: number; stopping: () => boolean },
): Promise<RuntimeOutcome> {
  // A batch refused by the stop (asked right before each line) fails like any other; applyRuntime, asking
  // the supervisor once more, makes it the stop's.
  const send = { timeoutMs, expectedPid: workerPid, stopping };
  for (const steps of runtimePhases(plan)) {
    if (steps.length === 0) continue;
    const batch = await sendWorkerCommands(
      masterSocket,
      steps.map((step) => step.command),
      send,
    );
    if (!batch.ok) return { ok: false, readback: false, reason: batch.reason };
    for (const [index, { command, answer }] of batch.answers.entries())
      if (!steps[index]?.expected(answer))
        return {
          ok: false,
          readback: false,
          reason: `unexpected answer to "${command}": ${JSON.stringify(answer.slice(0, 200))}`,
        };
  }
  const backends = [...new Set(plan.serverOps.map((op) => op.backend))].sort();
  const keys = plan.mapOps;
  // A backend's answer is a row per slot (and a header), a key's one line.
  const reads = [
    ...backends.map((backend) => ({
      command: `show servers state ${backend}`,
      rows: (plan.slots.get(backend)?.length ?? 0) + 1,
    })),
    ...keys.map((op) => ({ command: `get map ${mapFileOf(op)} ${op.fqdn}`, rows: 1 })),
  ];
  if (reads.length === 0) return { ok: true, ops: 0, detail: "nothing to change", workerPid };
  const answers: WorkerAnswer[] = [];
  for (const group of readbackGroups(reads, (one) => one.rows)) {
    const batch = await sendWorkerCommands(
      masterSocket,
      group.map((one) => one.command),
      send,
    );
    if (!batch.ok) return { ok: false, readback: false, reason: `read-back: ${batch.reason}` };
    for (const answer of batch.answers) answers.push(answer);
  }
  // Only what was touched is looked up (the table may hold thousands); the markers are derived from
  // every key only when a marker was touched (a path key's first or last one came or went).
  const servers = new Map(
    touchedItems(table.backends, new Set(backends), (b) => b.name).map((b) => [b.name, b.servers]),
  );
  const fqdns = new Set(keys.map((op) => op.fqdn));
  const hosts = new Map(touchedItems(table.hosts, fqdns, (h) => h.fqdn).map((h) => [h.fqdn, h.backend]));
  const markers = keys.some((op) => op.map === "path-hosts")
    ? new Set(pathHostMarkers(table.hosts.map((host) => host.fqdn)))
    : new Set<string>();
  const differences: string[] = [];
  for (const [index, backend] of backends.entries()) {
    const answer = answers[index]?.answer ?? "";
    const slots = plan.slots.get(backend) ?? [];
    const difference = compareServers(
      backend,
      slots,
      servers.get(backend) ?? [],
      parseServersState(answer, backend),
    );
    if (difference !== null) differences.push(difference);
  }
  for (const [index, { fqdn, map }] of keys.entries()) {
    const answer = answers[backends.length + index]?.answer ?? "";
    const expected = map === "path-hosts" ? (markers.has(fqdn) ? PATH_HOST_MARKER : null) : hosts.get(fqdn);
    const difference = compareMapEntry(fqdn, expected ?? null, answer);
    if (difference !== null) differences.push(difference);
  }
  if (differences.length > 0)
    return { ok: false, readback: true, reason: `read-back differs: ${differences.slice(0, 3).join("; ")}` };
  const ops = plan.serverOps.length + plan.mapOps.length;
  const detail = `${backends.length} backends and ${keys.length} map keys match the snapshot`;
  return { ok: true, ops, detail, workerPid };
}

// The items whose key is in `touched` (each key once in `items`), read only as far as the last of them:
// a scale event reads no map key and one backend of a table of thousands.
function touchedItems<T>(items: readonly T[], touched: ReadonlySet<string>, key: (item: T) => string): T[] {
  const found: T[] = [];
  for (let index = 0; index < items.length && found.length < touched.size; index++) {
    const item = items[index] as T;
    if (touched.has(key(item))) found.push(item);
  }
  return found;
}
