// One entry point for /explain and --explain: a container query, a host query, or either (containers
// first; a name no container has is taken as a host). Pure: the table in, the explanation out.
import type { RemovalDecision } from "../guard/decide-removal-hold.js";
import type { ModelOptions, RoutingTable } from "../model/routing-table.js";
import { entryBudget } from "./entry-budget.js";
import { explainContainers, MAX_EXPLAIN_HOST_ENTRIES } from "./explain-container.js";
import { explainHost } from "./explain-host.js";
import type { ExplainQuery, Explanation } from "./explanation.js";
import { notesAbout } from "./notes-about.js";

// What the table came from: the metadata version and the removal guard's verdict on it.
export interface ExplainContext {
  version: string;
  options: ModelOptions;
  guard: RemovalDecision | null;
}

// The most notes on the matches one answer gives (option fallbacks, disagreements, refused hosts): the
// containers of one name may each have theirs. The rest are counted.
export const MAX_EXPLAIN_NOTES = 5000;

// Explains `query` against `table`.
export function explain(table: RoutingTable, query: ExplainQuery, context: ExplainContext): Explanation {
  const { options } = context;
  const notes: string[] = [];
  if (context.guard?.action === "hold")
    notes.push(
      `the removal guard holds this answer back until ${new Date(context.guard.shown.releaseAt).toISOString()}: ` +
        `the files still route the previous one (${context.guard.reason})`,
    );
  const answer = (found: boolean, matches: Explanation["matches"], leftContainers = 0): Explanation => {
    // the notes on the backends and containers matched (option fallbacks, disagreements, refused hosts)
    const about = notesAbout(table.notes, matches);
    for (const note of about.slice(0, MAX_EXPLAIN_NOTES))
      notes.push(
        `backend ${note.backend}${note.container ? `, container ${note.container}` : ""}: ${note.code}: ${note.reason}`,
      );
    const left = { containers: leftContainers, notes: Math.max(0, about.length - MAX_EXPLAIN_NOTES) };
    return { query, found, version: context.version, domain: options.domain, matches, notes, left };
  };
  if (query.by !== "host") {
    const budget = entryBudget(MAX_EXPLAIN_HOST_ENTRIES);
    const containers = explainContainers(table, query.value, options, budget);
    if (containers.list.length > 0 || query.by === "container") {
      if (containers.list.length === 0) notes.push(`no container is named ${query.value} or has that uuid`);
      if (budget.omitted() > 0)
        notes.push(
          `${budget.omitted()} routed containers have hostCount but no hosts: the answer lists ${MAX_EXPLAIN_HOST_ENTRIES} ` +
            `host names at most (each container repeats its backend's hosts); ask for one by uuid, or see /routes`,
        );
      return answer(containers.list.length > 0, containers.list, containers.left);
    }
  }
  const host = explainHost(table, query.value, options);
  if (!host.found && query.by === "any")
    notes.push(`no container is named ${query.value} or has that uuid, and no stack or alias is called that`);
  return answer(host.found, [host.explanation]);
}
