// Short, log-safe rendering of any value for a skip reason: JSON-like, quoted and escaped strings, cut at
// 80 characters. Bounded whatever the value: nesting past 4 levels prints as [...] / {...}, only the first
// elements are looked at, and no recursion goes deeper than that (a 10 000-deep array cannot crash it).
const MAX_CHARS = 80;
const MAX_DEPTH = 4;
const MAX_ITEMS = 8;

// The value as text for a log line or a reason; "missing" for undefined.
export function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  const text = render(value, 0);
  return text.length > MAX_CHARS ? `${wholeSlice(text, MAX_CHARS - 3)}...` : text;
}

// The first `end` code units of `text`, one fewer where the last would be the first half of a surrogate
// pair (an emoji): a lone half is no character, and /routes' JSON wrote it as `\ud83d`, which strict
// JSON readers refuse. Every cut of a metadata value for a reason goes through it (clipForNote too).
export function wholeSlice(text: string, end: number): string {
  const last = text.charCodeAt(end - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? end - 1 : end);
}

function render(value: unknown, depth: number): string {
  if (typeof value === "string") return JSON.stringify(wholeSlice(value, MAX_CHARS));
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean" || value === null) return String(value);
  if (typeof value !== "object") return typeof value;
  const isList = Array.isArray(value);
  if (depth >= MAX_DEPTH) return isList ? "[...]" : "{...}";
  const parts: string[] = [];
  let more = false;
  if (isList) {
    for (const [index, item] of value.entries()) {
      if (index >= MAX_ITEMS) {
        more = true;
        break;
      }
      parts.push(render(item, depth + 1));
    }
  } else {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (parts.length >= MAX_ITEMS) {
        more = true;
        break;
      }
      parts.push(`${JSON.stringify(wholeSlice(key, MAX_CHARS))}:${render(ownValue(value, key), depth + 1)}`);
    }
  }
  if (more) parts.push("...");
  return isList ? `[${parts.join(",")}]` : `{${parts.join(",")}}`;
}

function ownValue(object: object, key: string): unknown {
  return (object as Record<string, unknown>)[key];
}
