// Walking a client's tree by path segments, as the real server's Versions.Matching does.
import { isMap } from "./render-text.js";

// The outcome of a lookup: the value at the path, or not found.
export type Match = { found: true; value: unknown } | { found: false };

const NOT_FOUND: Match = { found: false };
const INT64 = /^[+-]?[0-9]+$/;

// Looks a path up; when it is not found as given, tries it again all lower-cased.
export function matchPath(root: unknown, segments: readonly string[]): Match {
  const exact = valueForPath(root, segments);
  if (exact.found) return exact;
  const lower = segments.map((s) => s.toLowerCase());
  return lower.some((s, i) => s !== segments[i]) ? valueForPath(root, lower) : NOT_FOUND;
}

// Maps by key; arrays by integer index (out of range: not found), else by the first element whose
// `name` or `uuid` equals the segment.
export function valueForPath(root: unknown, segments: readonly string[]): Match {
  let current = root;
  for (const key of segments) {
    if (Array.isArray(current)) {
      const index = parseInt64(key);
      if (index !== null) {
        if (index < 0 || index >= current.length) return NOT_FOUND;
        current = current[index];
        continue;
      }
      const child = current.find((c) => isMap(c) && (c["name"] === key || c["uuid"] === key));
      if (child === undefined) return NOT_FOUND;
      current = child;
    } else if (isMap(current)) {
      if (!Object.hasOwn(current, key)) return NOT_FOUND;
      current = current[key];
    } else return NOT_FOUND;
  }
  return { found: true, value: current };
}

// Go's strconv.ParseInt(key, 10, 64): null when it fails (bad syntax or out of int64 range).
function parseInt64(key: string): number | null {
  if (!INT64.test(key)) return null;
  const big = BigInt(key);
  if (big > 9223372036854775807n || big < -9223372036854775808n) return null;
  return big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
}
