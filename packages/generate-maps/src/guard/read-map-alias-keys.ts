// The removal guard's cap on a baseline file, and the alias keys of a map on disk read under it.
import { readRegularFile } from "@rancher-haproxy/core";
import { parseMapAliases } from "./alias-keys.js";

// The most bytes of a file on disk read as the guard's baseline. The shared volume is untrusted: under
// core's 64 MiB cap a map of short lines cost ≈ 10 s and ≈ 0.9 GB at each start. The files of 250 000
// containers (the /containers entry cap) are ≈ 20 MB of backends and ≈ 13 MB of map.
export const GUARD_BASELINE_MAX_BYTES = 32 * 1024 * 1024;

// The alias keys (key → backend, parseMapAliases) of the map at `path`, read under the baseline cap: the
// guard's baseline, and the aliases a generator that metadata does not know starts with.
export async function readMapAliasKeys(
  path: string,
  domain: string,
): Promise<
  { kind: "keys"; keys: Map<string, string> } | { kind: "refused"; reason: string } | { kind: "none" }
> {
  try {
    const found = await readRegularFile(path, GUARD_BASELINE_MAX_BYTES);
    if (found.kind === "refused") return found;
    return found.kind === "file"
      ? { kind: "keys", keys: parseMapAliases(found.content, domain) }
      : { kind: "none" };
  } catch (error) {
    // Not "none": a map that exists but cannot be read (EACCES, EIO, a name too long) is said, not lost.
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { kind: "refused", reason: `it cannot be read (${code})` };
  }
}
