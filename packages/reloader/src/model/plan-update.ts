// What a change needs: runtime-API steps (server slots re-addressed or toggled, map lines added, set or
// deleted), or a reload and why. Compares the applied state (table + slots HAProxy runs) with the new
// table. Pure and total.
import {
  compareStrings,
  renderBackendBlock,
  type SharedBackend,
  type SharedTable,
} from "@rancher-haproxy/core";
import { assignSlots } from "./assign-slots.js";
import { mapOps } from "./map-ops.js";
import { withMarkerOps } from "./path-host-markers.js";
import { pairBackends } from "./pair-backends.js";
import type { SlotMap } from "./server-slots.js";
import { slotOps } from "./slot-ops.js";

// What HAProxy runs (or will, once a change is applied): the base config's hash, the table, the slots.
export interface AppliedState {
  baseHash: string;
  table: SharedTable;
  slots: SlotMap;
}

// Why a change reloads (the `reason` label of reloader_reloads_by_reason_total).
export const RELOAD_REASONS = [
  "state-unknown",
  "runtime-disabled",
  "base-changed",
  "backends-changed",
  "backend-options-changed",
  "server-options-changed",
  "slots-exhausted",
  "too-many-steps",
  "runtime-fallback",
  "certificates",
] as const;
export type ReloadReason = (typeof RELOAD_REASONS)[number];

// The most runtime steps (server and map) one change may take; a larger one reloads (`too-many-steps`).
// Each step is one master-CLI command to the worker, ≈ 0.4-0.6 ms, read back after, all on the
// supervisor's lock: 80 000 steps held it 45 s (a review), past /healthz's apply window, while a reload
// of any table costs about a second.
export const MAX_RUNTIME_STEPS = 5_000;

// One runtime step on a slot: to maintenance, cut what is left on a free slot before it takes a new
// container (HAProxy keeps an idle keep-alive server connection attached to its client's session and
// reuses it for the same server object whatever its new address), to a new address, or ready (routable).
export type ServerOp =
  | { backend: string; slot: number; action: "maint" | "shutdown" | "ready" }
  | { backend: string; slot: number; action: "addr"; address: string; port: number };

// One runtime step on domain.map (or, with `map: "path-hosts"`, on path-hosts.map, the markers of the
// hosts with path keys): a new key, a key re-pointed, a key removed.
export type MapOp = (
  { action: "add" | "set"; fqdn: string; backend: string } | { action: "del"; fqdn: string }
) & { map?: "path-hosts" };

// The plan: runtime steps (the new slots first: shutdown, address, ready; then the map; then the freed
// slots to maintenance: runtimePhases in apply-runtime.ts), or a reload.
export type UpdatePlan =
  | { kind: "runtime"; slots: SlotMap; serverOps: ServerOp[]; mapOps: MapOp[] }
  | { kind: "reload"; reason: ReloadReason; detail: string; slots: SlotMap };

// Plan the change from `previous` (null: what HAProxy runs is not known) to `next`. `maxSteps`: the
// runtime steps' cap (MAX_RUNTIME_STEPS unless a test lifts it). `lastSlots`: the
// assignment of the last snapshot staged, which a reload keeps when `previous` is not known, so a
// container keeps its slot (and its sticky cookie) across a restart, an adoption or an unconfirmed reload.
export function planUpdate(
  previous: AppliedState | null,
  next: { baseHash: string; table: SharedTable },
  options: { slotsPerBlock: number; runtimeUpdates: boolean; lastSlots?: SlotMap | null; maxSteps?: number },
): UpdatePlan {
  const block = options.slotsPerBlock;
  const runtime = assignSlots(
    previous?.slots ?? null,
    next.table.backends,
    block,
    "runtime",
    previous?.table.backends ?? [],
  );
  // The backends that ran out at runtime (not new ones) get a free block from any reload of a known
  // state, whatever its reason: a reload for another one put the newcomer in the freed slot, and the
  // full backend's next replacement reloaded again.
  const exhausted =
    previous === null || !options.runtimeUpdates
      ? []
      : runtime.grown.filter((name) => previous.slots.has(name));
  // `full`: more backends that ran out of slots of their own options (server-options-changed).
  const reload = (reason: ReloadReason, detail: string, full: readonly string[] = []): UpdatePlan => ({
    kind: "reload",
    reason,
    detail,
    slots: assignSlots(
      previous?.slots ?? options.lastSlots ?? null,
      next.table.backends,
      block,
      "reload",
      [],
      [...exhausted, ...full],
    ).slots,
  });
  if (!options.runtimeUpdates) return reload("runtime-disabled", "RUNTIME_UPDATES is false");
  if (previous === null)
    return reload("state-unknown", "what HAProxy runs is not known (start, adopt or restart)");
  if (previous.baseHash !== next.baseHash) return reload("base-changed", "the base config changed");
  const paired = pairBackends(previous.table.backends, next.table.backends);
  const { added, removed } = paired;
  if (added.length + removed.length > 0) return reload("backends-changed", describeSet(added, removed));
  // Only a backend that is not the very same object (the parse reuses unchanged ones) can differ.
  for (const [name, { before: old, after: backend }] of paired.changed)
    if (old && backend && renderBackendBlock(old, () => []) !== renderBackendBlock(backend, () => []))
      return reload("backend-options-changed", `backend ${name}: a line other than a server line changed`);
  if (runtime.grown.length > 0)
    return reload("slots-exhausted", `no free server slot left in ${runtime.grown.join(", ")}`);
  let unchanged: Map<string, SharedBackend> | null = null;
  const serverOps: ServerOp[] = [];
  // Every backend a newcomer needs another slot's options in, not the first one only: each is given a
  // free block when the reload leaves it none (until 2026-12-05 only the first by name was, and the
  // others' next container reloaded again, slots-exhausted).
  const full: string[] = [];
  let firstFull = "";
  // The same backend in the same slots has nothing to do (slotOps would find no step): when the
  // assignment says which lists it made anew, only those and the changed backends are looked at.
  const candidates =
    runtime.reassigned === null
      ? runtime.slots.keys()
      : [...new Set([...runtime.reassigned, ...paired.changed.keys()])].sort(compareStrings);
  for (const name of candidates) {
    const slots = runtime.slots.get(name);
    const pair = paired.changed.get(name);
    if (slots === undefined || (pair === undefined && slots === previous.slots.get(name))) continue;
    const same = () => (unchanged ??= new Map(next.table.backends.map((b) => [b.name, b]))).get(name);
    const { before: old, after: now } = pair ?? { before: same(), after: same() };
    const ops = slotOps(name, previous.slots.get(name) ?? [], slots, old?.servers ?? [], now?.servers ?? []);
    // A free block too when the reload leaves none: the newcomer takes the last free slot (one of a
    // set of a service scaled to zero, say), and the backend's next container reloaded again.
    if (typeof ops === "string") {
      if (full.length === 0) firstFull = ops;
      full.push(name);
      continue;
    }
    // One by one: a spread of a backend's steps (3 per newcomer) throws a RangeError past ~120 000.
    if (full.length === 0) for (const op of ops) serverOps.push(op);
  }
  if (full.length > 0) return reload("server-options-changed", describeFull(firstFull, full.length), full);
  // A slot taking a container is ready before a slot giving one up goes to maintenance: a backend whose
  // only container is re-addressed (it moves to another slot) is never left without a server, which
  // HAProxy answers with a 503 (test/e2e-runtime-scale.test.ts). A slot is never on both sides of one
  // change (assign-slots.ts), so the order changes nothing else.
  const order = { shutdown: 0, addr: 1, ready: 2, maint: 3 } as const;
  serverOps.sort((a, b) => order[a.action] - order[b.action]);
  const keyOps = mapOps(previous.table, next.table);
  const allMapOps = withMarkerOps(keyOps, previous.table.hosts, next.table.hosts);
  const steps = serverOps.length + allMapOps.length;
  const maxSteps = options.maxSteps ?? MAX_RUNTIME_STEPS;
  if (steps > maxSteps) return reload("too-many-steps", `${steps} runtime steps, more than ${maxSteps}`);
  return { kind: "runtime", slots: runtime.slots, serverOps, mapOps: allMapOps };
}

// The first backend's reason, and how many more need a reload for the same reason (a count, not their
// names: bounded however many backends a change reaches).
function describeFull(first: string, count: number): string {
  if (count <= 1) return first;
  return `${first} (and ${count - 1} more ${count === 2 ? "backend" : "backends"})`;
}

function describeSet(added: readonly string[], removed: readonly string[]): string {
  const parts = [];
  if (added.length > 0) parts.push(`added ${added.slice(0, 5).join(", ")}${added.length > 5 ? ", …" : ""}`);
  if (removed.length > 0)
    parts.push(`removed ${removed.slice(0, 5).join(", ")}${removed.length > 5 ? ", …" : ""}`);
  return `backends ${parts.join("; ")}`;
}
