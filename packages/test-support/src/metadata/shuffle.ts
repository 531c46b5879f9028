// Go map iteration order: the real server builds these top-level arrays from maps, so their order is random.

// The top-level arrays whose order the real server randomises on every (re)load.
export const GO_MAP_ARRAYS = [
  "containers",
  "services",
  "stacks",
  "hosts",
  "networks",
  "environments",
] as const;

// A shallow copy of the tree's top level with those arrays in a fresh random order (Fisher–Yates).
export function shuffleTopLevel(top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...top };
  for (const key of GO_MAP_ARRAYS) {
    const list = top[key];
    if (Array.isArray(list)) out[key] = shuffled(list);
  }
  return out;
}

// A copy of `items` in random order.
export function shuffled<T>(items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}
