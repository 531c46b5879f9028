// Go-ordered versions of the trees the stand-in is given.
import { compareGoStrings } from "./go-format.js";

// A JSON-like value whose objects have their keys in Go's order; `keysSorted` is false when some object
// has integer-like keys (which JavaScript always enumerates first), so JSON must be written the slow way.
export interface CanonicalValue<T = unknown> {
  value: T;
  keysSorted: boolean;
}

const INTEGER_LIKE = /^(0|[1-9][0-9]{0,9})$/;

// Returns the value with every object's keys in Go's order and undefined/function members dropped.
// Parts already in that form are reused, not copied (so 50 000 generated containers cost one walk);
// the server therefore owns what it is given: change a tree through update(), not in place.
// Shared sub-objects stay shared, so a tree whose services embed `containers` objects stays small.
export function canonicalize<T>(value: T): CanonicalValue<T> {
  const memo = new Map<object, unknown>();
  let keysSorted = true;

  const visit = (v: unknown): unknown => {
    if (typeof v !== "object" || v === null)
      return typeof v === "function" || typeof v === "symbol" ? undefined : v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    memo.set(v, v);
    const result = Array.isArray(v) ? visitArray(v) : visitObject(v as Record<string, unknown>);
    memo.set(v, result);
    return result;
  };

  const visitArray = (list: unknown[]): unknown[] => {
    let out: unknown[] | null = null;
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      const next = item === undefined ? null : (visit(item) ?? null);
      if (next !== item && out === null) out = list.slice(0, i);
      if (out !== null) out.push(next);
    }
    return out ?? list;
  };

  const visitObject = (source: Record<string, unknown>): unknown => {
    const withToJson = source as { toJSON?: unknown };
    if (typeof withToJson.toJSON === "function") return visit((source as { toJSON: () => unknown }).toJSON());
    const keys = Object.keys(source);
    let copy = !isSorted(keys);
    if (copy) keys.sort(compareGoStrings);
    const values = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const code = key.charCodeAt(0);
      if (code >= 48 && code <= 57 && INTEGER_LIKE.test(key) && Number(key) < 4294967295) keysSorted = false;
      const child = source[key];
      const next = visit(child);
      values[i] = next;
      if (next !== child || next === undefined || key === "__proto__") copy = true;
    }
    if (!copy) return source;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++)
      if (values[i] !== undefined) setOwn(out, keys[i] as string, values[i]);
    return out;
  };

  return { value: visit(value) as T, keysSorted };
}

// Sets an own enumerable property, "__proto__" included (plain assignment would change the prototype).
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } else o[key] = value;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) {
    if (compareGoStrings(keys[i - 1] as string, keys[i] as string) > 0) return false;
  }
  return true;
}
