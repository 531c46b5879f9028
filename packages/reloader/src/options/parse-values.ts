// Small parsers for option values: each returns the typed value or an error sentence without the source.

// A parse outcome: the value, or why the text is not acceptable.
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

const TRUE = new Set(["true", "1", "yes", ""]);
const FALSE = new Set(["false", "0", "no"]);

// ENABLE_* style booleans: true/false, 1/0, yes/no in any case (a bare flag, "", means true).
export function parseBoolean(text: string): Parsed<boolean> {
  const lower = text.trim().toLowerCase();
  if (TRUE.has(lower)) return ok(true);
  if (FALSE.has(lower)) return ok(false);
  return bad("must be true or false (also 1/0, yes/no)");
}

// A TCP port 1-65535, decimal digits only.
export function parsePort(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return bad("must be a port number 1-65535");
  const port = Number(trimmed);
  return port >= 1 && port <= 65535 ? ok(port) : bad("must be a port number 1-65535");
}

// A non-negative integer within bounds (counts, milliseconds).
export function parseInteger(text: string, min: number, max: number): Parsed<number> {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return bad(`must be an integer from ${min} to ${max}`);
  const value = Number(trimmed);
  return value >= min && value <= max ? ok(value) : bad(`must be an integer from ${min} to ${max}`);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// A duration such as 500ms, 30s, 2m or 1h (a bare number is milliseconds, as in HAProxy).
export function parseDurationMs(text: string, maxMs = 24 * 3_600_000): Parsed<number> {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return bad("must be a duration like 500ms, 30s, 2m or 1h");
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? "ms"] ?? 1);
  return ms <= maxMs ? ok(ms) : bad(`must be at most ${maxMs / 1000}s`);
}

// An HTTP redirect code HAProxy's `redirect ... code` accepts.
export function parseRedirectCode(text: string): Parsed<301 | 302 | 303 | 307 | 308> {
  const code = Number(text.trim());
  if (code === 301 || code === 302 || code === 303 || code === 307 || code === 308) return ok(code);
  return bad("must be one of 301, 302, 303, 307, 308");
}
