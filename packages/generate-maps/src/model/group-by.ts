// Items grouped by a key, each group in input order (Node 20 has no Map.groupBy): the first step of both
// backend groupings (by backend name, by public TCP port) and the aliases by stack.
export function groupBy<K, T>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
