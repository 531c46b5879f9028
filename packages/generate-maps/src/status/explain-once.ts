// --explain: read metadata once, build the routing table, explain the query; writes nothing.
import { safeLogText, type MetadataClient } from "@rancher-haproxy/core";
import { buildRoutingTable } from "../model/build-routing-table.js";
import type { GeneratorOptions } from "../options/generator-options.js";
import { describeFailure } from "../report/describe-failure.js";
import { readMapAliases } from "../sources/read-map-aliases.js";
import { readMetadata, snapshotReadError } from "../sources/read-metadata.js";
import { explain } from "./explain.js";
import { renderExplanation } from "./render-explanation.js";

// Exit codes of --explain: found (routed or not), metadata unreadable, no such container or host.
export const EXPLAIN_EXIT = { found: 0, unreadable: 1, notFound: 3 } as const;

// What cli.ts prints and returns.
export interface ExplainOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// Explains `query` (a container name or uuid, or a host) against live metadata.
export async function explainOnce(
  client: MetadataClient,
  options: GeneratorOptions,
  query: string,
): Promise<ExplainOutcome> {
  // One line: the message may quote the metadata service's answer (an error body), escaped as in the log.
  const unreadable = (error: unknown): ExplainOutcome => {
    const failure = describeFailure(error);
    return {
      exitCode: EXPLAIN_EXIT.unreadable,
      stdout: "",
      stderr: `generate-maps: cannot read metadata (${safeLogText(failure.kind)}): ${safeLogText(failure.message)}\n`,
    };
  };
  let snapshot;
  try {
    snapshot = await readMetadata(client);
  } catch (error) {
    return unreadable(error);
  }
  // As a generator just started (carry-aliases.ts): metadata's 404 on the aliases of a container it does
  // not know says nothing about them, so the aliases the map on disk routes stand for them.
  if (!snapshot.selfKnown)
    snapshot = { ...snapshot, aliases: await readMapAliases(options.domainMapPath, options.domain) };
  const table = buildRoutingTable(snapshot, options);
  const late = snapshotReadError(snapshot);
  if (late !== null) return unreadable(late);
  const explanation = explain(
    table,
    { by: "any", value: query },
    {
      version: snapshot.version,
      options,
      guard: null,
    },
  );
  if (!snapshot.selfKnown)
    explanation.notes.unshift(
      "metadata does not know the generator's own container (its client IP): the aliases are those of the map on disk (a running generator keeps the ones it read last)",
    );
  const stdout = options.json ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation);
  return { exitCode: explanation.found ? EXPLAIN_EXIT.found : EXPLAIN_EXIT.notFound, stdout, stderr: "" };
}
