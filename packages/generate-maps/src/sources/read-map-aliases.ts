// The aliases the map on disk routes, as metadata's aliases answer would give them ({stack: [name]}): what
// a generator started while metadata does not know its own container keeps (carry-aliases.ts) instead of
// none. A key with a path (`news.dev.tld/api blog.api`) gives its host's name to its backend's stack. An
// approximation: a `hosts` label claim of the form `<name>.<domain>` is read back as an alias too, until
// metadata answers. Bounded like the removal guard's baseline; the shared volume is untrusted, so a map
// that is missing, refused, unreadable or odd gives none, and no stack name can reach an inherited member.
import { readMapAliasKeys } from "../guard/read-map-alias-keys.js";

// The alias names of each stack in the map at `path` (host names under `domain`), or {} when there are none.
export async function readMapAliases(path: string, domain: string): Promise<Record<string, string[]>> {
  const found = await readMapAliasKeys(path, domain);
  if (found.kind !== "keys") return {};
  const byStack = new Map<string, Set<string>>();
  for (const [key, backend] of found.keys) {
    const slash = key.indexOf("/");
    const host = slash === -1 ? key : key.slice(0, slash);
    const name = host.slice(0, -(domain.length + 1));
    const stack = backend.split(".")[0] ?? backend;
    const names = byStack.get(stack) ?? new Set<string>();
    names.add(name);
    byStack.set(stack, names);
  }
  // An object without a prototype: a stack called `__proto__` or `constructor` is one more key.
  const aliases = Object.create(null) as Record<string, string[]>;
  for (const [stack, names] of byStack) aliases[stack] = [...names].sort();
  return aliases;
}
