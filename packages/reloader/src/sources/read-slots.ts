// slots.json of a snapshot (the trusted state dir, still read defensively): which container held which
// slot. Only the container names are kept (each a valid server name); options are rendered afresh.
import { constants } from "node:buffer";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { isBackendName, isServerName, parseTcpBackendName } from "@rancher-haproxy/core";
import { SNAPSHOT_SLOTS } from "../output/snapshot-layout.js";
import type { Slot } from "../model/server-slots.js";

/** the most a slots.json is read of: one string's worth. The reloader writes it for whatever table the
 * contract accepts (at SERVER_SLOTS=1000, 700 backends of two containers with every server option take
 * over 64 MiB), so a smaller cap lost the assignment of a large table at every restart. */
const MAX_SLOTS_BYTES = constants.MAX_STRING_LENGTH;

// The assignment in `snapshotDir`, or null when there is none (an older snapshot) or it is not readable.
export async function readSlots(snapshotDir: string): Promise<Map<string, Slot[]> | null> {
  let json: unknown;
  try {
    const path = join(snapshotDir, SNAPSHOT_SLOTS);
    if ((await stat(path)).size > MAX_SLOTS_BYTES) return null;
    json = JSON.parse(await readFile(path, "utf8"));
  } catch {
    return null;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const slots = new Map<string, Slot[]>();
  for (const [backend, list] of Object.entries(json)) {
    // every backend the files may name: a stack, `<stack>.<service>` (a path label) or `tcp_<port>`
    if (!(isBackendName(backend) || parseTcpBackendName(backend) !== undefined) || !Array.isArray(list))
      continue;
    slots.set(
      backend,
      list.map((entry: unknown): Slot => {
        const server = (entry as { server?: unknown } | null)?.server;
        return { server: typeof server === "string" && isServerName(server) ? server : null, options: {} };
      }),
    );
  }
  return slots;
}
