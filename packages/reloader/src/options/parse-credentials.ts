// Stats credentials: restricted characters so they can stand unquoted in haproxy.cfg, never echoed back.
import type { Parsed } from "./parse-values.js";

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;
const PASSWORD = /^[A-Za-z0-9._~+=@%^*!,/?-]{1,128}$/;

// STATS_USERNAME: 1-64 of A-Z a-z 0-9 . _ -
export function parseStatsUsername(text: string): Parsed<string> {
  return USERNAME.test(text)
    ? { ok: true, value: text }
    : { ok: false, reason: "must be 1-64 of A-Z a-z 0-9 . _ -" };
}

// STATS_PASSWORD: 1-128 of A-Z a-z 0-9 and . _ ~ + = @ % ^ * ! , / ? - (the reason never contains it).
export function parseStatsPassword(text: string): Parsed<string> {
  if (PASSWORD.test(text)) return { ok: true, value: text };
  return {
    ok: false,
    reason: "must be 1-128 of A-Z a-z 0-9 and . _ ~ + = @ % ^ * ! , / ? - (value not shown)",
  };
}
