// Logs each skipped container and alias (and each route note) once: when it first appears or its reason changes, not every cycle.
import { safeLogText, writeLogLines, type Logger, type LogLine } from "@rancher-haproxy/core";
import { listAliasSkips, MAX_LISTED_ALIAS_SKIPS } from "../model/list-alias-skips.js";
import { noteLevel, skipLevel } from "../model/reasons.js";
import type { RoutingTable } from "../model/routing-table.js";

// The most characters of one metadata value (a name, a reason) a skip line carries (explain's text too).
export const METADATA_TEXT_CHARS = 200;

// Remembers what was last reported; one per loop (no global state).
export interface SkipLog {
  report(table: RoutingTable): void;
}

// Creates an empty skip log writing to `logger`.
export function createSkipLog(logger: Logger): SkipLog {
  const containers = new Memory();
  const aliases = new Memory();
  const notes = new Memory();
  return {
    report(table) {
      // One write for all of them (writeLogLines): a first cycle may log thousands.
      const lines: LogLine[] = [];
      const keyOf = (s: (typeof table.skipped)[number]) =>
        `${s.uuid ?? ""}\0${s.container}\0${s.route ?? ""}`;
      for (const skip of containers.fresh(table.skipped, keyOf)) {
        const { code } = skip;
        // Metadata's own strings: escaped and cut to a readable length (the logger caps the rest).
        const container = metadataText(skip.container);
        const reason = metadataText(skip.reason);
        const fields = {
          event: "container-skipped",
          container,
          uuid: skip.uuid === null ? null : metadataText(skip.uuid),
          stack: skip.stack === null ? null : metadataText(skip.stack),
          route: skip.route ?? "http",
          code,
          reason,
        };
        lines.push({ level: skipLevel(code), fields, msg: `not routing ${container}: ${reason}` });
      }
      // The first MAX_LISTED_ALIAS_SKIPS new skips of each code, one line each; a line per code counts the rest.
      const fresh = listAliasSkips(aliases.fresh(table.skippedAliases, (s) => `${s.stack}\0${s.alias}`));
      for (const skip of fresh.listed) {
        const { code } = skip;
        const [alias, stack, reason] = [skip.alias, skip.stack, skip.reason].map(metadataText);
        const fields = { event: "alias-skipped", alias, stack, code, reason };
        lines.push({ level: skipLevel(code), fields, msg: `not routing alias ${alias}: ${reason}` });
      }
      for (const [code, count] of fresh.unlisted) {
        const fields = { event: "alias-skipped-unlisted", code, count };
        const msg = `not routing ${count} more aliases (${code}), not logged one by one: a cycle logs the first ${MAX_LISTED_ALIAS_SKIPS} of each code; GET /routes counts them, /explain?host=<alias> explains one`;
        lines.push({ level: skipLevel(code), fields, msg });
      }
      for (const note of notes.fresh(
        table.notes,
        (n) => `${n.backend}\0${n.container ?? ""}\0${n.code}\0${n.reason}`,
      )) {
        const backend = metadataText(note.backend);
        const reason = metadataText(note.reason);
        const container = note.container === null ? null : metadataText(note.container);
        const fields = { event: "route-note", backend, container, code: note.code, reason };
        lines.push({ level: noteLevel(note.code), fields, msg: `backend ${backend}: ${reason}` });
      }
      writeLogLines(logger, lines);
    },
  };
}

// A metadata value as a skip line carries it: escaped and cut to METADATA_TEXT_CHARS.
function metadataText(value: string): string {
  return safeLogText(value, METADATA_TEXT_CHARS);
}

// The last code and reason seen per key; `fresh` returns the entries that are new or changed and forgets
// the gone ones. It keeps the entry itself, not its code and reason joined: a reason the model shares
// among skips (an aliases key's) was copied once per skip.
class Memory {
  private seen = new Map<string, { code: string; reason: string }>();

  fresh<T extends { code: string; reason: string }>(entries: readonly T[], keyOf: (entry: T) => string): T[] {
    const next = new Map<string, { code: string; reason: string }>();
    const fresh: T[] = [];
    for (const entry of entries) {
      const key = keyOf(entry);
      if (next.has(key)) continue;
      next.set(key, entry);
      const last = this.seen.get(key);
      if (last?.code !== entry.code || last.reason !== entry.reason) fresh.push(entry);
    }
    this.seen = next;
    return fresh;
  }
}
