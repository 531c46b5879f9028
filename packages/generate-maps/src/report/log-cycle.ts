// The per-cycle log lines: one clear line when metadata cannot be read, one routing summary per change.
import type { Logger } from "@rancher-haproxy/core";
import type { RoutingTable } from "../model/routing-table.js";
import type { FileOutcome } from "../output/write-outputs.js";
import type { FailureDescription } from "./describe-failure.js";

// Says that metadata could not be read and that both files stay as they are.
export function logReadFailure(
  logger: Logger,
  paths: { domainMapPath: string; backendsPath: string },
  failure: FailureDescription,
  durationMs: number,
): void {
  const fields = { event: "metadata-unavailable", kind: failure.kind, error: failure.message, durationMs };
  const kept = `keeping ${paths.domainMapPath} and ${paths.backendsPath} as they are`;
  logger.warn(fields, `cannot read metadata, ${kept}: ${failure.message}`);
}

// Summarises a cycle (counts, version, changed files): info when a file changed or on the first cycle, else debug.
export function logRouting(
  logger: Logger,
  cycle: {
    version: string;
    table: RoutingTable;
    outcomes: readonly FileOutcome[];
    durationMs: number;
    first: boolean;
  },
): void {
  const { table } = cycle;
  const changed = cycle.outcomes
    .filter((outcome) => outcome.status === "changed")
    .map((outcome) => outcome.path);
  const fields = {
    event: "cycle",
    version: cycle.version,
    ...table.counts,
    changed,
    durationMs: cycle.durationMs,
  };
  const summary = `routing: ${table.counts.hosts} hosts, ${table.counts.routed} servers`;
  if (changed.length > 0 || cycle.first) logger.info(fields, summary);
  else logger.debug(fields, `${summary}, files unchanged`);
}
