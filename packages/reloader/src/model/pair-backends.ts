// Two tables' backends side by side by name, for a plan: which were added or removed and which differ.
// Cheap in the common case of a change that neither adds nor removes one (the same names in the same
// order: compared by position, no map built). Pure and total.
import type { SharedBackend } from "@rancher-haproxy/core";

// A backend before and after (undefined: absent on that side).
export interface BackendPair {
  before: SharedBackend | undefined;
  after: SharedBackend | undefined;
}

// Names only on one side, and every name whose backend is not the very same object on both sides.
export interface PairedBackends {
  added: string[];
  removed: string[];
  changed: Map<string, BackendPair>;
}

// Pair `before` with `after` by backend name.
export function pairBackends(
  before: readonly SharedBackend[],
  after: readonly SharedBackend[],
): PairedBackends {
  const changed = new Map<string, BackendPair>();
  if (
    before.length === after.length &&
    before.every((backend, index) => backend.name === after[index]?.name)
  ) {
    for (const [index, backend] of after.entries())
      if (before[index] !== backend) changed.set(backend.name, { before: before[index], after: backend });
    return { added: [], removed: [], changed };
  }
  const old = new Map(before.map((backend) => [backend.name, backend]));
  const now = new Map(after.map((backend) => [backend.name, backend]));
  for (const name of new Set([...old.keys(), ...now.keys()]))
    if (old.get(name) !== now.get(name)) changed.set(name, { before: old.get(name), after: now.get(name) });
  return {
    added: [...now.keys()].filter((name) => !old.has(name)),
    removed: [...old.keys()].filter((name) => !now.has(name)),
    changed,
  };
}
