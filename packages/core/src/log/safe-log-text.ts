// Log-safe text: values from metadata and the shared volume end up in log lines, where a newline could
// forge a line of the terminal (pretty) format and a 100 kB name would be logged whole. Both formats get
// control characters escaped and long strings cut, by the logger itself and at the call sites.

// The longest string a log field or message keeps (the rest is counted, not logged).
export const MAX_LOG_STRING = 1024;

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides/isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same without the line feed and tab, for fields that are multi-line by design (a diff).
const UNSAFE_KEEP_NEWLINE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// `text` with every control character escaped (\n, \u001b...) and cut at `max` characters; with
// `keepNewlines`, line feeds and tabs stay (the field is multi-line by design).
export function safeLogText(text: string, max = MAX_LOG_STRING, keepNewlines = false): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(keepNewlines ? UNSAFE_KEEP_NEWLINE : UNSAFE, escapeChar);
  return text.length > max ? `${escaped}…(${text.length - max} more characters)` : escaped;
}

function escapeChar(char: string): string {
  if (char === "\n") return "\\n";
  if (char === "\r") return "\\r";
  if (char === "\t") return "\\t";
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

// Fields that hold several lines by design and are bounded where they are built (a file diff).
const MULTILINE_FIELDS: ReadonlySet<string> = new Set(["diff"]);
const MAX_DEPTH = 4;

// A copy of a log line's fields with every string made safe (plain objects and arrays, 4 levels deep;
// other objects such as errors are left to their serializers).
export function safeLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  return safeObject(fields, 0);
}

function safeObject(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const safeKey = safeLogText(key, 128);
    if (typeof value === "string")
      out[safeKey] = MULTILINE_FIELDS.has(key) ? safeLogText(value, 64 * 1024, true) : safeLogText(value);
    else out[safeKey] = safeValue(value, depth + 1);
  }
  return out;
}

function safeValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return safeLogText(value);
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => safeValue(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return safeObject(value as Record<string, unknown>, depth);
}
