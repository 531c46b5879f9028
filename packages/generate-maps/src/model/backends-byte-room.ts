// The bytes haproxy-backends.cfg may take. The reloader refuses an input over 64 MiB (MAX_INPUT_BYTES),
// and a refused file holds every stack's changes back; only the metadata answer's cap bounded this file,
// and option labels render to more bytes than they take (`https=redirect`: 34 bytes of label, 144 of
// config; a stripped path of dots doubles): a 40 MiB /containers answer made a 64 MiB file (found by a
// review). The backends past the bound, in name order, are left out; their containers are skipped. A
// stack's HTTP backends go together: kept without its `/api` backend, `<stack>.<domain>/api` would go to
// its `/` backend (over plain HTTP when /api asks for https=only).
import { BACKENDS_HEADER, compareStrings } from "@rancher-haproxy/core";
import { backendBlock } from "./backend-block.js";
import type { Backend, SkippedContainer } from "./routing-table.js";

// The most bytes of the backends file: under half the reloader's 64 MiB, as a write that adds and removes
// backends at once first renames a union of the old file's blocks and the new one's (plan-writes.ts).
export const MAX_BACKENDS_BYTES = 30 * 1024 * 1024;

// The backends whose blocks fit in `max` bytes of the file (`kept`, sorted by name), and the containers
// of the others, from the first that does not fit on, with every HTTP backend of their stacks (`skipped`,
// code `backend-limit`), named with their stack as metadata spells it (`stackNames`, by backend name;
// else the lower-cased stack).
export function limitBackendBytes(
  backends: readonly Backend[],
  max = MAX_BACKENDS_BYTES,
  stackNames: ReadonlyMap<string, string> = new Map(),
): { kept: Backend[]; skipped: SkippedContainer[] } {
  const sorted = [...backends].sort((a, b) => compareStrings(a.name, b.name));
  // renderBackends: the header line, then each block after a blank line (names and lines are ASCII)
  let bytes = BACKENDS_HEADER.length + 1;
  let cut = sorted.length;
  for (const [index, backend] of sorted.entries()) {
    bytes += backendBlock(backend).length + 1;
    if (bytes > max) {
      cut = index;
      break;
    }
  }
  const cutStacks = new Set(sorted.slice(cut).flatMap((b) => (b.mode === "tcp" ? [] : [b.stack])));
  const fits = (backend: Backend, index: number) =>
    index < cut && (backend.mode === "tcp" || !cutStacks.has(backend.stack));
  // The reason names no other backend (not the first one left out): it stays the same while the cut
  // moves before it, so the skip log does not log every container left out again at each move.
  const skipped: SkippedContainer[] = [];
  for (const backend of sorted.filter((backend, index) => !fits(backend, index)))
    for (const server of backend.servers)
      skipped.push({
        container: server.container,
        uuid: server.uuid,
        stack: stackNames.get(backend.name) ?? backend.stack,
        code: "backend-limit",
        reason: `backend ${backend.name} is left out: haproxy-backends.cfg would pass ${max} bytes (backends in name order, a stack's together; the reloader refuses a file over 64 MiB)`,
        ...(backend.mode === "tcp" ? { route: "tcp" as const } : {}),
      });
  return { kept: sorted.filter(fits), skipped };
}
