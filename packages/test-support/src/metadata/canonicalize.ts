// Private, Go-ordered copies of the trees the stand-in is given.
import { compareGoStrings } from "./go-format.js";

// A deep copy whose objects have their keys in Go's order; `keysSorted` is false when some object has
// integer-like keys (which JavaScript always enumerates first), so JSON must be written the slow way.
export interface CanonicalValue<T = unknown> {
  value: T;
  keysSorted: boolean;
}

const INTEGER_LIKE = /^(0|[1-9][0-9]{0,9})$/;

// Deep-copies a JSON-like value with sorted keys. Shared sub-objects stay shared (one copy each),
// so a tree whose services embed the same container objects as `containers` is copied once.
export function canonicalize<T>(value: T): CanonicalValue<T> {
  const memo = new Map<object, unknown>();
  let keysSorted = true;

  const copy = (v: unknown): unknown => {
    if (typeof v !== "object" || v === null) return typeof v === "function" ? undefined : v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    if (Array.isArray(v)) {
      const out: unknown[] = new Array<unknown>(v.length);
      memo.set(v, out);
      for (let i = 0; i < v.length; i++) out[i] = v[i] === undefined ? null : copy(v[i]);
      return out;
    }
    const withToJson = v as { toJSON?: () => unknown };
    if (typeof withToJson.toJSON === "function") return copy(withToJson.toJSON());
    const source = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    memo.set(v, out);
    const keys = Object.keys(source);
    if (!isSorted(keys)) keys.sort(compareGoStrings);
    for (const key of keys) {
      const child = source[key];
      if (child === undefined || typeof child === "function" || typeof child === "symbol") continue;
      if (INTEGER_LIKE.test(key) && Number(key) < 4294967295) keysSorted = false;
      setOwn(out, key, copy(child));
    }
    return out;
  };

  return { value: copy(value) as T, keysSorted };
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
