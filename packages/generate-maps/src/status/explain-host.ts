// Explains a host name from the routing table: its domain.map line (stack host or alias), or a mapped
// parent name, and in every case the containers and aliases of that name that are not routed, and why.
import { SUBDOMAIN_LEVELS } from "@rancher-haproxy/core";
import { SKIP_CODES } from "../model/reasons.js";
import type { ModelOptions, RoutingTable } from "../model/routing-table.js";
import { explainSkipped, explainUnlabelled, serverView } from "./explain-container.js";
import type { HostExplanation } from "./explanation.js";

// The host a query names: lower case, no trailing dot or port; a bare name (no dot) is <name>.<domain>.
export function normalizeHost(query: string, domain: string): string {
  const host = query
    .trim()
    .toLowerCase()
    .replace(/:[0-9]+$/, "")
    .replace(/\.$/, "");
  return host.includes(".") ? host : `${host}.${domain}`;
}

// The explanation of `query`, and whether anything in metadata goes by that name.
export function explainHost(
  table: RoutingTable,
  query: string,
  options: ModelOptions,
): { found: boolean; explanation: HostExplanation } {
  const host = normalizeHost(query, options.domain);
  const suffix = `.${options.domain}`;
  const name = host.endsWith(suffix) ? host.slice(0, -suffix.length) : null;
  const aliases = table.skippedAliases
    .filter((skip) => name !== null && skip.alias.toLowerCase() === name)
    .map((skip) => ({ ...skip, meaning: SKIP_CODES[skip.code] }));
  const notRoutedOf = (stack: string | null) => [
    ...table.skipped.filter((skip) => skip.stack?.toLowerCase() === stack).map(explainSkipped),
    ...table.unlabelled
      .filter((ref) => ref.stack?.toLowerCase() === stack)
      .map((ref) => explainUnlabelled(ref, options)),
  ];
  const routed = (fqdn: string) => table.hosts.find((entry) => entry.fqdn === fqdn);
  const serversOf = (backend: string) =>
    (table.backends.find((entry) => entry.name === backend)?.servers ?? []).map(serverView);
  // A routed answer: how the name reached `backend` (via: the wildcard or parent key that matched).
  const routedBy = (
    source: NonNullable<HostExplanation["source"]>,
    backend: string,
    via: string | null,
    reason: string,
  ) => ({
    found: true,
    explanation: {
      kind: "host" as const,
      host,
      status: "routed" as const,
      source,
      backend,
      via,
      reason,
      servers: serversOf(backend),
      notRouted: notRoutedOf(backend),
      aliases,
    },
  });

  // a host with path keys only (`<host>/api`): the longest prefix of the request path picks among them
  const paths = table.hosts.filter((entry) => entry.fqdn.startsWith(`${host}/`));
  const exact = routed(host) ?? paths[0];
  if (exact) {
    const what =
      exact.source === "stack"
        ? "the stack's own host"
        : exact.source === "alias"
          ? `an alias of stack ${exact.backend}`
          : `a hosts label of backend ${exact.backend}`;
    const byPath =
      paths.length > 0
        ? `; by path prefix: ${paths.map((entry) => `${entry.fqdn.slice(host.length)} → ${entry.backend}`).join(", ")}`
        : "";
    return routedBy(
      exact.source,
      exact.backend,
      null,
      `domain.map routes ${exact.fqdn} to backend ${exact.backend} (${what})${byPath}`,
    );
  }
  const labels = host.split(".");
  for (let strip = 1; strip <= SUBDOMAIN_LEVELS && strip < labels.length; strip++) {
    const suffix = labels.slice(strip).join(".");
    const wildcard = routed(`*.${suffix}`);
    const parent = wildcard ?? routed(suffix);
    if (!parent) continue;
    if (wildcard)
      return routedBy(
        "wildcard",
        wildcard.backend,
        wildcard.fqdn,
        `domain.map routes ${host} by the wildcard ${wildcard.fqdn} to backend ${wildcard.backend} (no exact name, no longer wildcard or mapped parent)`,
      );
    return routedBy(
      "parent",
      parent.backend,
      parent.fqdn,
      `${host} is not in domain.map, but ${parent.fqdn} is: the reloader's HAProxy config routes ` +
        `sub-domains of a mapped name (up to ${SUBDOMAIN_LEVELS} extra labels) to backend ${parent.backend}`,
    );
  }
  const notRouted = name === null ? [] : notRoutedOf(name);
  let reason: string;
  if (name === null)
    reason = `${host} is not under the domain ${options.domain}: only <stack>.${options.domain} and aliases are routed`;
  else if (notRouted.length > 0) reason = `stack ${name} has no routed container (see notRouted)`;
  else if (aliases.length > 0) reason = `${name} is an alias that is not routed (see aliases)`;
  else reason = `no stack and no alias is named ${name}`;
  return {
    found: notRouted.length > 0 || aliases.length > 0,
    explanation: {
      kind: "host",
      host,
      status: "not-routed",
      source: null,
      backend: null,
      via: null,
      reason,
      servers: [],
      notRouted,
      aliases,
    },
  };
}
