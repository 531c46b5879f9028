// slots.json of a snapshot (the trusted state dir, still read defensively): which container held which
// slot, and the options each slot was loaded with (each a valid server name, each option one a server
// line may carry, anything else dropped). A used slot's options are rendered afresh from its container;
// a free slot of a backend with no container (a held stack or TCP port) keeps its own, so a container
// with a PROXY or maxconn label comes back at runtime after a restart too.
import { constants } from "node:buffer";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  isBackendName,
  isProxyOption,
  isServerName,
  MAX_SERVER_MAXCONN,
  parseTcpBackendName,
} from "@rancher-haproxy/core";
import { SNAPSHOT_SLOTS } from "../output/snapshot-layout.js";
import { SLOT_COOKIE, type ServerOptions, type Slot } from "../model/server-slots.js";

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
  // One frozen object per distinct option set, shared by its slots (as loadFreeSlots loads them): a
  // million slots were a million objects, and carriedSets looks at each shared one once.
  const sets = new Map<string, ServerOptions>();
  for (const [backend, list] of Object.entries(json)) {
    // every backend the files may name: a stack, `<stack>.<service>` (a path label) or `tcp_<port>`
    if (!(isBackendName(backend) || parseTcpBackendName(backend) !== undefined) || !Array.isArray(list))
      continue;
    // A server listed twice keeps its first slot; the other is free (kept, it held both for good).
    const seen = new Set<string>();
    slots.set(
      backend,
      list.map((entry: unknown): Slot => {
        const { server, options } = (entry ?? {}) as { server?: unknown; options?: unknown };
        const valid = typeof server === "string" && isServerName(server) && !seen.has(server);
        if (valid) seen.add(server);
        return { server: valid ? server : null, options: sharedOptions(sets, readOptions(options)) };
      }),
    );
  }
  return slots;
}

// A slot's options as slots.json holds them (slotListJson): only the values a server line may carry.
function readOptions(json: unknown): ServerOptions {
  if (typeof json !== "object" || json === null) return {};
  const { proxy, check, maxconn, cookie } = json as Record<string, unknown>;
  const options: ServerOptions = {};
  if (isProxyOption(proxy)) options.proxy = proxy;
  if (check === true) options.check = true;
  if (Number.isInteger(maxconn) && (maxconn as number) >= 1 && (maxconn as number) <= MAX_SERVER_MAXCONN)
    options.maxconn = maxconn as number;
  if (cookie === SLOT_COOKIE) options.cookie = SLOT_COOKIE;
  return options;
}

// The one object of `options`' set in `sets` (added, frozen, when it is the first of its set).
function sharedOptions(sets: Map<string, ServerOptions>, options: ServerOptions): ServerOptions {
  const key = `${options.proxy ?? ""} ${options.check ?? ""} ${options.maxconn ?? ""} ${options.cookie ?? ""}`;
  let shared = sets.get(key);
  if (shared === undefined) {
    shared = Object.freeze(options);
    sets.set(key, shared);
  }
  return shared;
}
