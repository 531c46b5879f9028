// A running count of the entries a status answer copies into lists that repeat (a backend's servers
// under each of its hosts in /routes, a backend's hosts under each of its containers in /explain): a
// list is given whole while fewer than `limit` entries were given, so an answer holds at most `limit`
// entries plus one list, and the lists left out are counted so the answer can say so.

// The count for one answer (a fresh one per answer: nothing is shared between requests).
export interface EntryBudget {
  readonly limit: number;
  /** true when a list of `size` entries may be given whole (it is counted); false when it is left out */
  take(size: number): boolean;
  /** how many non-empty lists were left out */
  omitted(): number;
}

// A budget of `limit` entries.
export function entryBudget(limit: number): EntryBudget {
  let given = 0;
  let left = 0;
  return {
    limit,
    take(size) {
      if (size === 0) return true;
      if (given >= limit) {
        left += 1;
        return false;
      }
      given += size;
      return true;
    },
    omitted: () => left,
  };
}
