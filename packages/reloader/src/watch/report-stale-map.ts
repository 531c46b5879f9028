// A domain map that is not empty but leaves whole stacks of the backends file without a host line is
// logged, counted and shown in /healthz: generate-maps writes a line naming at least one backend of each
// stack it declares (its `<stack>.<domain>[<path>]` key; core's unroutedStacks), so such a map is not the
// one it writes beside these backends (a file it wrote before its path changed, an old file left in the
// volume) and every stack deployed since gets 503. An empty map is report-empty-map.ts's: one cause,
// one warning. Missed: a new path service of a stack the stale map already reaches (that stack is routed).
import { unroutedStacks, type Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { startGraceReport, type GraceProbe, type GraceReport } from "./grace-report.js";
import { onDiskCheck, type ParsedInputs } from "./parsed-inputs.js";

/** how many of the unrouted stacks the log line and /healthz name */
export const STALE_MAP_NAMED = 5;

export type { ParsedInputs } from "./parsed-inputs.js";

// A running report.
export type StaleMapReport = GraceReport;

// Looks at `latest()` now and every `intervalMs` (0: only when check() is called), one pass over each
// table once. Stacks no line of a non-empty map reaches, at two checks in a row, are logged once
// (`inputs.map-stale`, warn) and reported to `status` (their count kept current at later checks); once
// there are none, or the map is empty, `inputs.map-stale-cleared` (info) clears that. No table changes
// nothing (the applier's reads and checks report unreadable and refused inputs), nor do files replaced
// since the table's parse (until 2026-12-06 a pair the applier read between generate-maps' two renames was
// judged for as long as it applied it, and two checks in that pass reported a correct pair).
export function reportStaleMap(
  latest: () => ParsedInputs | null,
  mapPath: string,
  status: ReloaderStatus,
  logger: Logger,
  intervalMs: number,
  now: () => number = Date.now,
): StaleMapReport {
  let known: { table: ParsedInputs["table"]; stacks: string[] } | null = null;
  const onDisk = onDiskCheck();
  const probe = async (): Promise<GraceProbe<string[]>> => {
    const parsed = latest();
    if (parsed === null) return null;
    // Files replaced since their parse (a pair read between generate-maps' two renames, its map renamed
    // while the applier still applies it: a reload, seconds): they are not judged until parsed.
    if (parsed.read !== undefined && !(await onDisk(parsed.read))) return null;
    if (parsed.mapBytes === 0) return { holds: false };
    if (known?.table !== parsed.table) known = { table: parsed.table, stacks: unroutedStacks(parsed.table) };
    const { stacks } = known;
    return stacks.length === 0 ? { holds: false } : { holds: true, found: stacks };
  };
  const show = (stacks: string[], since: number) =>
    status.mapStale({
      since,
      path: mapPath,
      stackCount: stacks.length,
      stacks: stacks.slice(0, STALE_MAP_NAMED),
    });
  let reportedSince = 0;
  return startGraceReport(
    probe,
    {
      report(stacks, since, ms) {
        const seconds = Math.round(ms / 1000);
        const named = stacks.slice(0, STALE_MAP_NAMED);
        logger.warn(
          { event: "inputs.map-stale", path: mapPath, stackCount: stacks.length, stacks: named, seconds },
          `no line of ${mapPath} has reached ${stacks.length} stack(s) the backends file declares ` +
            `(${named.join(", ")}${stacks.length > named.length ? ", …" : ""}) for ${seconds} s: ` +
            "generate-maps writes a host line for each stack it declares, so this map is not the one it " +
            "writes (a stale file) and their hosts get 503; check that both read and write the same " +
            "HAPROXY_DOMAIN_MAP, and generate-maps' write-failed lines",
        );
        reportedSince = since;
        show(stacks, since);
      },
      still: (stacks) => show(stacks, reportedSince),
      clear(wasReported) {
        if (wasReported)
          logger.info(
            { event: "inputs.map-stale-cleared", path: mapPath },
            `every stack the backends file declares has a line in ${mapPath} again, or the map is empty`,
          );
        status.mapStale(null);
      },
    },
    intervalMs,
    now,
  );
}
