// The cap on the server slots a table is rendered into. The contract caps the shared file at 500 000
// backends and 500 000 servers, but every backend HAProxy loads holds whole blocks of SERVER_SLOTS slots
// (one block at least), and HAProxy allocates each slot, free ones too (≈ 5 KB a server in `haproxy -c`
// and in every process loading it: 200 000 slots took 0.98 GB here). So 500 000 one-server backends, a
// 25 MB file within every cap, asked 5 million slots of each HAProxy process (≈ 24 GB) and of the
// reloader's own slot assignment and rendering first. Pure and total.
import type { SharedBackend } from "@rancher-haproxy/core";

/** the most server slots, free ones included, a table may be rendered into (≈ 5 GB in each HAProxy) */
export const MAX_TOTAL_SLOTS = 1_000_000;

// The fewest slots `backends` are rendered into at `block` slots a block: whole blocks for each
// backend's servers, one block at least (assign-backend-slots.ts never gives fewer). Stops counting
// once past `limit`.
export function minimumSlots(
  backends: readonly Pick<SharedBackend, "servers">[],
  block: number,
  limit = Infinity,
): number {
  let total = 0;
  for (const backend of backends) {
    total += Math.max(1, Math.ceil(backend.servers.length / block)) * block;
    if (total > limit) break;
  }
  return total;
}

// Why `backends` cannot be rendered at `block` slots a block (more than MAX_TOTAL_SLOTS), or null.
export function slotBoundProblem(
  backends: readonly Pick<SharedBackend, "servers">[],
  block: number,
): string | null {
  if (minimumSlots(backends, block, MAX_TOTAL_SLOTS) <= MAX_TOTAL_SLOTS) return null;
  const slots = minimumSlots(backends, block);
  return (
    `${backends.length} backends need at least ${slots} server slots at SERVER_SLOTS=${block}, more than ` +
    `${MAX_TOTAL_SLOTS} (HAProxy allocates every slot, free ones too: ≈ 5 KB each in every process): ` +
    "lower SERVER_SLOTS or route fewer backends"
  );
}

// The slots an assignment renders, free ones included; stops counting once past `limit`. Over the
// minimum (minimumSlots) by a spare block per backend that ran out, a block for its free option sets, and
// whatever size a burst left a backend whose kept container holds its highest slot: a reload shrinks a
// backend only down to that container.
export function assignedSlots(slots: ReadonlyMap<string, readonly unknown[]>, limit = Infinity): number {
  let total = 0;
  for (const list of slots.values()) {
    total += list.length;
    if (total > limit) break;
  }
  return total;
}
