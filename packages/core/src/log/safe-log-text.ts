// Log-safe text: values from metadata and the shared volume end up in log lines, where a newline could
// forge a line of the terminal (pretty) format and a 100 kB name would be logged whole. The logger cuts
// every long string in both formats and escapes control characters: all of them in the pretty one, and
// in JSON those JSON.stringify leaves raw (C1, separators, bidi controls); call sites that log metadata
// values escape and cut them in both formats.

// The longest string a log field or message keeps (the rest is counted, not logged).
export const MAX_LOG_STRING = 4096;

// Which control characters a string keeps: none (all escaped), line feeds and tabs, or the C0 controls
// that JSON encodes itself ("json": DEL, C1, the line/paragraph separators and bidi controls escaped,
// which JSON.stringify leaves raw and a terminal would act on), or all (cut only).
export type KeepControls = "none" | "lines" | "json" | "all";

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides/isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same without the line feed and tab, for fields that are multi-line by design (a diff).
const UNSAFE_KEEP_NEWLINE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// What JSON.stringify writes raw but a terminal showing the line acts on: DEL, C1 (NEL, CSI...), U+2028/
// U+2029 and the bidi overrides/isolates (a name that reverses the rest of the line).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// The pattern of the characters `keep` escapes (undefined: none, "all").
function unsafeFor(keep: KeepControls): RegExp | undefined {
  if (keep === "none") return UNSAFE;
  if (keep === "lines") return UNSAFE_KEEP_NEWLINE;
  return keep === "json" ? UNSAFE_IN_JSON : undefined;
}

// `text` with its control characters escaped (\n, \u001b...; see `keep`) and cut at `max` characters.
export function safeLogText(text: string, max = MAX_LOG_STRING, keep: KeepControls = "none"): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const unsafe = unsafeFor(keep);
  // A lone surrogate becomes U+FFFD, as the UTF-8 stream writes it (JSON.stringify would write `\ud800`).
  const whole = unsafe === undefined || isWellFormed(cut) ? cut : toWellFormed(cut);
  // search() first: a string with nothing to escape (nearly all) skips the replacer's slower path.
  const escaped =
    unsafe === undefined || whole.search(unsafe) === -1 ? whole : whole.replace(unsafe, escapeChar);
  return text.length > max ? `${escaped}…(${text.length - max} more characters)` : escaped;
}

// String.prototype.isWellFormed / toWellFormed (ES2024, in Node 20; not in this project's ES2023 lib).
type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };
const isWellFormed = (text: string) => (text as Es2024String).isWellFormed();
const toWellFormed = (text: string) => (text as Es2024String).toWellFormed();

function escapeChar(char: string): string {
  if (char === "\n") return "\\n";
  if (char === "\r") return "\\r";
  if (char === "\t") return "\\t";
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

// Fields that hold several lines by design and are bounded where they are built (a file diff).
const MULTILINE_FIELDS: ReadonlySet<string> = new Set(["diff"]);
const MAX_DEPTH = 4;

// Keys whose values never reach a log line: certificates, keys, passwords. Censored on the line's own
// fields and on the fields of a plain object one level down (what pino's `key` / `*.key` paths meant).
const SECRET_KEYS: ReadonlySet<string> = new Set(["ssl_key", "ssl_cert", "key", "password"]);
const SECRET_DEPTH = 1;
// What a censored value is logged as.
export const REDACTED = "[redacted]";

// A copy of a log line's fields with every string cut and, unless `keep` is "all", escaped (plain objects
// and arrays, 4 levels deep; other objects such as errors are left to their serializers), and the values
// of secret keys (SECRET_KEYS, two levels) replaced by REDACTED: one walk does both, per line.
export function safeLogFields(
  fields: Record<string, unknown>,
  keep: KeepControls = "none",
): Record<string, unknown> {
  return safeObject(fields, 0, keep);
}

function safeObject(
  fields: Record<string, unknown>,
  depth: number,
  keep: KeepControls,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    const safeKey = safeLogText(key, 128, keep);
    if (depth <= SECRET_DEPTH && value !== undefined && SECRET_KEYS.has(key)) out[safeKey] = REDACTED;
    else if (typeof value === "string" && MULTILINE_FIELDS.has(key))
      out[safeKey] = safeLogText(value, 64 * 1024, keep === "none" ? "lines" : keep);
    else out[safeKey] = safeValue(value, depth + 1, keep);
  }
  return out;
}

// What makes a JSON text of strings differ from the same strings made safe for "json" lines: a character
// UNSAFE_IN_JSON escapes (JSON.stringify writes it raw), or a lone surrogate, which JSON.stringify writes
// as the text \udXXX (lower-case hex) where safeLogText makes it U+FFFD. The text \udXXX itself in a
// value also matches (its backslash is written doubled): such a line is only walked as before.
const NOT_PLAIN_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\\ud[89a-f]/;

// A flat line's fields and its message as JSON.stringify writes them, when safeLogFields and safeLogText
// would leave them as they are under "json" escaping (no key over 128 characters, no `__proto__` key, no
// string over its cut, no secret key with a value, nothing to escape, no lone surrogate, no toJSON);
// undefined when anything needs them. `fields` holds only strings, numbers, booleans, null and undefined.
// Two searches over the written text instead of the walk's copy and two searches per field (with
// writeLogLines' stamp reuse, 1 000 skip lines cost a one-shot cycle ≈ 0.025 G instructions less:
// bench/README.md, "Measured on 2026-12-05 19:43–20:12").
export function plainLogJson(
  fields: Record<string, unknown>,
  msg: string,
): { fields: string; msg: string } | undefined {
  if (msg.length > MAX_LOG_STRING) return undefined;
  // A toJSON the fields inherit (a class's method): JSON.stringify writes what it returns, the walk's copy
  // (a plain object) the own fields.
  if (typeof (fields as { toJSON?: unknown }).toJSON === "function") return undefined;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    // `__proto__`: the walk's copy sets it as a plain assignment does (the prototype, or nothing for a
    // string), so the line goes without it; JSON.stringify writes it as an own key.
    if (key.length > 128 || key === "__proto__" || (value !== undefined && SECRET_KEYS.has(key)))
      return undefined;
    if (typeof value === "string" && value.length > (MULTILINE_FIELDS.has(key) ? 64 * 1024 : MAX_LOG_STRING))
      return undefined;
  }
  const json = { fields: JSON.stringify(fields), msg: JSON.stringify(msg) };
  return NOT_PLAIN_IN_JSON.test(json.fields) || NOT_PLAIN_IN_JSON.test(json.msg) ? undefined : json;
}

function safeValue(value: unknown, depth: number, keep: KeepControls): unknown {
  if (typeof value === "string") return safeLogText(value, MAX_LOG_STRING, keep);
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => safeValue(item, depth + 1, keep));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return safeObject(value as Record<string, unknown>, depth, keep);
}
