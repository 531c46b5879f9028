// slots.json of a snapshot (the trusted state dir, still read defensively): which container held which
// slot. Only the container names are kept (each a valid server name); options are rendered afresh.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isBackendName, isServerName, parseTcpBackendName } from "@rancher-haproxy/core";
import { SNAPSHOT_SLOTS } from "../output/snapshot-layout.js";
import type { Slot } from "../model/server-slots.js";

/** a slots.json this large is not ours */
const MAX_SLOTS_BYTES = 64 * 1024 * 1024;

// The assignment in `snapshotDir`, or null when there is none (an older snapshot) or it is not readable.
export async function readSlots(snapshotDir: string): Promise<Map<string, Slot[]> | null> {
  let json: unknown;
  try {
    const text = await readFile(join(snapshotDir, SNAPSHOT_SLOTS), "utf8");
    if (text.length > MAX_SLOTS_BYTES) return null;
    json = JSON.parse(text);
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
