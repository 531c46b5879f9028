// An own property of a parsed JSON object (never one inherited from Object.prototype): for keys the
// user or metadata names (labels). The model reads a container's fixed fields (`primary_ip`, `uuid`...)
// as plain properties instead: no such name is on Object.prototype, so a JSON-parsed object's property
// of that name is its own or absent, and a named read per site stays cheap (one shared keyed read was
// ≈ 0.06 G instructions of a `--once` cycle at 10 000 containers, bench/README.md).
export function ownField(object: unknown, key: string): unknown {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return undefined;
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}
