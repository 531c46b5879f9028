// JSON exactly as Go's json.Marshal writes a decoded value.
import { compareGoStrings } from "./go-format.js";

const NEEDS_GO_ESCAPE = /[<>&\u2028\u2029]|\\[bf]/;
const GO_ESCAPES = /\\\\|\\b|\\f|[<>&\u2028\u2029]/g;
const REPLACEMENTS: Record<string, string> = {
  "\\\\": "\\\\",
  "\\b": "\\u0008",
  "\\f": "\\u000c",
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

// Go's json.Marshal: compact, map keys sorted, <>& and U+2028/9 escaped, no trailing newline.
// `keysSorted` says every object already has its keys in Go order and none is integer-like,
// so V8's native JSON.stringify gives the same bytes much faster.
export function renderJson(value: unknown, keysSorted: boolean): string {
  const json = keysSorted ? (JSON.stringify(value) ?? "null") : stringifySorted(value);
  return NEEDS_GO_ESCAPE.test(json) ? json.replace(GO_ESCAPES, (m) => REPLACEMENTS[m] ?? m) : json;
}

function stringifySorted(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      return "null";
  }
  if (Array.isArray(value)) return "[" + value.map(stringifySorted).join(",") + "]";
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return stringifySorted(withToJson.toJSON());
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort(compareGoStrings)) {
    const v = record[key];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    parts.push(JSON.stringify(key) + ":" + stringifySorted(v));
  }
  return "{" + parts.join(",") + "}";
}
