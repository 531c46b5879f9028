// The aliases the map on disk routes, as metadata's aliases answer would give them ({stack: [name]}): what
// a generator started while metadata does not know its own container keeps (carry-aliases.ts) instead of
// none. Keys with a path come from the same alias names, so only the plain ones are taken. Bounded like
// the removal guard's baseline; a map that is missing, refused or unreadable gives none.
import { readRegularFile } from "@rancher-haproxy/core";
import { parseMapAliases } from "../guard/alias-keys.js";
import { GUARD_BASELINE_MAX_BYTES } from "../guard/removal-guard.js";

// The alias names of each stack in the map at `path` (host names under `domain`), or {} when there are none.
export async function readMapAliases(path: string, domain: string): Promise<Record<string, string[]>> {
  let content: string;
  try {
    const found = await readRegularFile(path, GUARD_BASELINE_MAX_BYTES);
    if (found.kind !== "file") return {};
    content = found.content;
  } catch {
    return {};
  }
  const aliases: Record<string, string[]> = {};
  for (const [key, backend] of parseMapAliases(content, domain)) {
    if (key.includes("/") || backend.includes(".")) continue;
    const name = key.slice(0, -(domain.length + 1));
    (aliases[backend] ??= []).push(name);
  }
  return aliases;
}
