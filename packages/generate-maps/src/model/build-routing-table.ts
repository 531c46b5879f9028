// The model: one metadata snapshot in, the whole routing table out. Pure and total: bad input becomes a
// skipped entry with a reason, never a throw; equal input in any order gives an equal table.
import { compareStrings } from "@rancher-haproxy/core";
import { groupBackends } from "./group-backends.js";
import { resolveAliases } from "./resolve-aliases.js";
import type {
  ContainerRef,
  HostRoute,
  MetadataInput,
  ModelOptions,
  RoutingTable,
  SkippedAlias,
} from "./routing-table.js";
import { selectContainers } from "./select-containers.js";

// select containers -> group them into backends -> add stack hosts and alias hosts -> sort and count.
export function buildRoutingTable(input: MetadataInput, options: ModelOptions): RoutingTable {
  const selection = selectContainers(input.containers, options);
  const grouping = groupBackends(selection.candidates);
  const routed = new Set(grouping.backends.map((backend) => backend.name));
  const aliases = resolveAliases(input.aliases, routed, options.domain);

  const stackHosts: HostRoute[] = grouping.backends.map((backend) => ({
    fqdn: `${backend.name}.${options.domain}`,
    backend: backend.name,
    source: "stack",
  }));
  const hosts = [...stackHosts, ...aliases.hosts].sort((a, b) => compareStrings(a.fqdn, b.fqdn));
  const skipped = [...selection.skipped, ...grouping.skipped].sort(compareRefs);
  const skippedAliases = [...aliases.skipped].sort(compareAliases);
  const unlabelled = [...selection.unlabelled].sort(compareRefs);
  const routedCount = grouping.backends.reduce((sum, backend) => sum + backend.servers.length, 0);
  return {
    hosts,
    backends: grouping.backends,
    skipped,
    skippedAliases,
    unlabelled,
    counts: {
      containers: input.containers.length,
      labelled: input.containers.length - unlabelled.length,
      routed: routedCount,
      skipped: skipped.length,
      unlabelled: unlabelled.length,
      backends: grouping.backends.length,
      hosts: hosts.length,
      skippedAliases: skippedAliases.length,
    },
  };
}

function compareRefs(a: ContainerRef, b: ContainerRef): number {
  return (
    compareStrings(a.container, b.container) ||
    compareStrings(a.uuid ?? "", b.uuid ?? "") ||
    compareStrings(a.stack ?? "", b.stack ?? "") ||
    compareStrings(JSON.stringify(a), JSON.stringify(b))
  );
}

function compareAliases(a: SkippedAlias, b: SkippedAlias): number {
  return (
    compareStrings(a.alias, b.alias) || compareStrings(a.stack, b.stack) || compareStrings(a.reason, b.reason)
  );
}
