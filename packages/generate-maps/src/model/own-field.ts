// An own property of a parsed JSON object (never one inherited from Object.prototype).
export function ownField(object: unknown, key: string): unknown {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return undefined;
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}
