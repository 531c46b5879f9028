// The model: one metadata snapshot in, the whole routing table out. Pure and total: bad input becomes a
// skipped entry with a reason, never a throw; equal input in any order gives an equal table.
import { compareStrings, lowerAscii } from "@rancher-haproxy/core";
import { limitBackendBytes } from "./backends-byte-room.js";
import { buildHostRoutes } from "./build-host-routes.js";
import { groupBackendSteps } from "./group-backends.js";
import { groupTcpBackends } from "./group-tcp-backends.js";
import { NoteBudget } from "./note-budget.js";
import { resolveAliases } from "./resolve-aliases.js";
import type {
  ContainerRef,
  MetadataInput,
  ModelOptions,
  RoutingTable,
  SkippedAlias,
} from "./routing-table.js";
import { runSteps, type Steps } from "./run-steps.js";
import { selectContainerSteps, type Selection } from "./select-containers.js";

// select containers -> group them into backends (stacks, TCP ports) -> stack hosts, aliases and hosts
// claims (HTTP backends only) -> sort and count.
export function buildRoutingTable(input: MetadataInput, options: ModelOptions): RoutingTable {
  return runSteps(routingTableSteps(input, options));
}

// buildRoutingTable as steps: one per container entry (selectContainerSteps), one per backend
// (groupBackendSteps), then one per stage after those, so a cycle can pause between them.
export function* routingTableSteps(input: MetadataInput, options: ModelOptions): Steps<RoutingTable> {
  const selection = yield* selectContainerSteps(input.containers, options, input.environment ?? null);
  // Route notes, bounded: labels multiply them (see note-budget.ts).
  const budget = new NoteBudget();
  const grouping = yield* groupBackendSteps(selection.candidates, budget, selection.pathHolds);
  const tcp = groupTcpBackends(selection.tcpCandidates, budget, selection.tcpClaims, options.tcpLabel);
  yield;
  // The backends file's bytes are bounded like the map's (backends-byte-room.ts); the stacks left out
  // still own their names (present below), as while they are down.
  const stackNames = new Map([...grouping.stackNames, ...tcp.stackNames]);
  const fitting = limitBackendBytes([...grouping.backends, ...tcp.backends], undefined, stackNames);
  yield;
  const httpBackends = fitting.kept.filter((backend) => backend.mode !== "tcp");
  // (a held port's backend, with no server, routes nothing: not counted, no stack routed by it)
  const tcpBackends = fitting.kept.filter((backend) => backend.mode === "tcp" && backend.servers.length > 0);
  const routed = new Set(httpBackends.map((backend) => backend.stack));
  // The stacks that own their host: aliases and `hosts` claims alike must leave it (and the names under it).
  // For aliases, only stacks with an HTTP-labelled container: a TCP-only stack serves no HTTP host, and an
  // alias of its name was mapped before the aliases learnt to leave other stacks' hosts.
  const present = presentStacks(selection);
  const httpPresent = presentStacks(selection, "http");
  const tcpRouted = new Set(tcpBackends.map((backend) => backend.stack));
  const aliases = resolveAliases(
    input.aliases,
    { routed, present: httpPresent, tcp: tcpRouted },
    options.domain,
  );
  const owners = { stacks: present, aliases: aliases.reserved };
  yield;
  const hosts = buildHostRoutes(httpBackends, aliases.hosts, options.domain, owners, budget);
  yield;
  const notes = budget
    .notes()
    .sort(
      (a, b) =>
        compareStrings(a.backend, b.backend) ||
        compareStrings(a.container ?? "", b.container ?? "") ||
        compareStrings(a.code, b.code) ||
        compareStrings(a.reason, b.reason),
    );
  const skipped = [...selection.skipped, ...grouping.skipped, ...tcp.skipped, ...fitting.skipped].sort(
    compareRefs,
  );
  yield;
  const backends = fitting.kept;
  const skippedAliases = [...aliases.skipped].sort(compareAliases);
  const unlabelled = [...selection.unlabelled].sort(compareRefs);
  yield;
  const routedCount = backends.reduce((sum, backend) => sum + backend.servers.length, 0);
  return {
    hosts,
    backends,
    skipped,
    skippedAliases,
    notes,
    noteTotals: budget.totals(),
    unlabelled,
    counts: {
      containers: selection.entries,
      labelled: selection.entries - unlabelled.length,
      routed: routedCount,
      skipped: skipped.length,
      unlabelled: unlabelled.length,
      backends: httpBackends.length,
      tcpBackends: tcpBackends.length,
      hosts: hosts.length,
      skippedAliases: skippedAliases.length,
      notesDropped: budget.dropped,
    },
  };
}

// Every stack with a labelled container in the snapshot (`http`: an HTTP-labelled one), lower-cased,
// routed or skipped (neither another stack's alias nor its `hosts` claim can take its names while it is
// down or redeploying). A stack whose containers are all unlabelled asks for no name.
function presentStacks(selection: Selection, only?: "http"): Set<string> {
  const stacks = new Set<string>();
  const add = (stack: string | null) => {
    // a name outside ASCII is never routed, and reserves no name (lower-cased, `\u212Aapp` is `kapp`)
    const name = stack === null ? undefined : lowerAscii(stack);
    if (name !== undefined) stacks.add(name);
  };
  for (const candidate of selection.candidates) stacks.add(candidate.stack);
  if (only === undefined) for (const candidate of selection.tcpCandidates) add(candidate.ref.stack);
  for (const skip of selection.skipped)
    // another environment's stack serves no host here, and keeps no name from this one's aliases or claims
    if (skip.code !== "other-environment" && (only === undefined || skip.route !== "tcp")) add(skip.stack);
  return stacks;
}

function compareRefs(a: ContainerRef, b: ContainerRef): number {
  return (
    compareStrings(a.container, b.container) ||
    compareStrings(a.uuid ?? "", b.uuid ?? "") ||
    compareStrings(a.stack ?? "", b.stack ?? "") ||
    compareStrings(routeOf(a), routeOf(b)) ||
    compareStrings(JSON.stringify(a), JSON.stringify(b))
  );
}

function routeOf(ref: ContainerRef): string {
  return "route" in ref && ref.route === "tcp" ? "tcp" : "http";
}

function compareAliases(a: SkippedAlias, b: SkippedAlias): number {
  return (
    compareStrings(a.alias, b.alias) || compareStrings(a.stack, b.stack) || compareStrings(a.reason, b.reason)
  );
}
