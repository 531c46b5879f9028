// Explains a host name from the routing table: its domain.map line (stack host or alias), or a mapped
// parent name, and in every case the containers and aliases of that name that are not routed, and why.
import { SUBDOMAIN_LEVELS } from "@rancher-haproxy/core";
import { SKIP_CODES } from "../model/reasons.js";
import type { Backend, HostRoute, ModelOptions, RoutingTable } from "../model/routing-table.js";
import { explainSkipped, explainUnlabelled, serverView } from "./explain-container.js";
import type { HostExplanation } from "./explanation.js";
import { heldNote } from "./held-note.js";
import { isAboutKeyOf, lookupNames, normalizeHost, type Level } from "./lookup-names.js";
import { tcpServed } from "./tcp-served.js";

// The most entries of each list a host's explanation gives (a few MB at most): a stack of 100 000
// unlabelled containers made a 50 MB answer and 1.8 s of blocked event loop per request.
export const MAX_HOST_LIST = 5000;

// The first MAX_HOST_LIST of `items`, made into what the answer shows, and how many were left out.
function firstOf<T, U>(items: readonly T[], view: (item: T) => U): { list: U[]; left: number } {
  return { list: items.slice(0, MAX_HOST_LIST).map(view), left: Math.max(0, items.length - MAX_HOST_LIST) };
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
  const aliases = firstOf(
    table.skippedAliases.filter((skip) => name !== null && skip.alias.toLowerCase() === name),
    (skip) => ({ ...skip, meaning: SKIP_CODES[skip.code] }),
  );
  // Filtered first (cheap), explained only as far as they are given.
  const notRoutedOf = (stack: string | null) => {
    const skipped = table.skipped.filter((skip) => skip.stack?.toLowerCase() === stack);
    const unlabelled = table.unlabelled.filter((ref) => ref.stack?.toLowerCase() === stack);
    const room = Math.max(0, MAX_HOST_LIST - skipped.length);
    const list = [
      ...skipped.slice(0, MAX_HOST_LIST).map(explainSkipped),
      ...unlabelled.slice(0, room).map((ref) => explainUnlabelled(ref, options)),
    ];
    return { list, left: skipped.length + unlabelled.length - list.length };
  };
  const backendOf = (name: string) => table.backends.find((entry) => entry.name === name);
  const serversOf = (entry: Backend | undefined) => firstOf(entry?.servers ?? [], serverView);
  const lists = (
    servers: ReturnType<typeof serversOf>,
    notRouted: ReturnType<typeof notRoutedOf>,
  ): Pick<HostExplanation, "servers" | "notRouted" | "aliases" | "left"> => ({
    servers: servers.list,
    notRouted: notRouted.list,
    aliases: aliases.list,
    left: { servers: servers.left, notRouted: notRouted.left, aliases: aliases.left },
  });
  // A routed answer: how the name reached `backend` (via: the wildcard or parent key that matched).
  const routedBy = (
    source: NonNullable<HostExplanation["source"]>,
    backend: string,
    via: string | null,
    reason: string,
  ) => {
    const entry = backendOf(backend); // one scan of the table's backends for the three uses
    return {
      found: true,
      explanation: {
        kind: "host" as const,
        host,
        status: "routed" as const,
        source,
        backend,
        via,
        reason: reason + heldNote(entry),
        // the containers of its stack: a path backend's name is `<stack>.<service>`, no stack's
        ...lists(serversOf(entry), notRoutedOf(entry?.stack ?? backend)),
      },
    };
  };

  // A name's own key and its path keys (`<name>/api`: the longest prefix of the request path picks among
  // them). One pass over the keys per name, as the lookups of the names alone took.
  const lookup = (name: string) => {
    const prefix = `${name}/`;
    let own: HostRoute | undefined;
    const paths: HostRoute[] = [];
    for (const entry of table.hosts)
      if (entry.fqdn === name) own = entry;
      else if (entry.fqdn.startsWith(prefix)) paths.push(entry);
    return { own, paths };
  };
  // The names the reloader looks up, in its order: the host, then per stripped level the wildcard and the
  // mapped parent. Each name's path keys come first; a request under none of them goes on to the next
  // name, so the answer is the first name with a key of its own (before, a name with path keys only
  // stopped the search and was named as the host's route, while HAProxy sent `/` on to a wildcard).
  // Failing that, the first name with path keys. Every path key looked up on the way is named.
  const names = lookupNames(host);
  const seen: { name: string; level: Level; key: HostRoute; paths: HostRoute[] }[] = [];
  let answer: (typeof seen)[number] | undefined;
  for (const { name, level } of names) {
    const { own, paths } = lookup(name);
    const key = own ?? paths[0];
    if (key === undefined) continue;
    seen.push({ name, level, key, paths });
    if (own !== undefined) {
      answer = seen[seen.length - 1];
      break;
    }
  }
  answer ??= seen[0];
  if (answer) {
    const { name: answered, key } = answer;
    const prefixes = seen.flatMap((step) =>
      step.paths.map(
        (entry) => `${step === answer ? entry.fqdn.slice(answered.length) : entry.fqdn} → ${entry.backend}`,
      ),
    );
    const byPath = prefixes.length > 0 ? `; by path prefix: ${prefixes.join(", ")}` : "";
    if (answer.level === "exact") {
      const what =
        key.source === "stack"
          ? "the stack's own host"
          : key.source === "alias"
            ? `an alias of stack ${key.backend}`
            : `a hosts label of backend ${key.backend}`;
      return routedBy(
        key.source,
        key.backend,
        null,
        `domain.map routes ${key.fqdn} to backend ${key.backend} (${what})${byPath}`,
      );
    }
    if (answer.level === "wildcard")
      return routedBy(
        "wildcard",
        key.backend,
        key.fqdn,
        `domain.map routes ${host} by the wildcard ${key.fqdn} to backend ${key.backend} (no exact name, no longer wildcard or mapped parent)${byPath}`,
      );
    return routedBy(
      "parent",
      key.backend,
      key.fqdn,
      `${host} is not in domain.map, but ${key.fqdn} is: the reloader's HAProxy config routes ` +
        `sub-domains of a mapped name (up to ${SUBDOMAIN_LEVELS} extra labels) to backend ${key.backend}${byPath}`,
    );
  }
  const notRouted = name === null ? { list: [], left: 0 } : notRoutedOf(name);
  const tcp = name === null ? "" : tcpServed(table, name);
  const looked = new Set(names.map((entry) => entry.name));
  const refused = table.notes.some((note) => note.code === "host-owned" && isAboutKeyOf(note, looked));
  let reason: string;
  if (name === null && refused)
    reason = `${host} is not under the domain ${options.domain}, and the hosts claims that would route it are refused (see notes)`;
  else if (name === null)
    reason = `${host} is not under the domain ${options.domain}, and no hosts label of a routed container maps it`;
  else if (tcp !== "")
    reason = `stack ${name} serves no host: none of its containers is routed by the ${options.label} label${notRouted.list.length > 0 ? " (see notRouted)" : ""}; it serves TCP, ${tcp}`;
  else if (notRouted.list.length > 0) reason = `stack ${name} has no routed container (see notRouted)`;
  else if (aliases.list.length > 0) reason = `${name} is an alias that is not routed (see aliases)`;
  else if (refused)
    reason = `no stack and no alias is named ${name}, and the hosts claims that would route it are refused (see notes)`;
  else reason = `no stack and no alias is named ${name}`;
  return {
    found: tcp !== "" || refused || notRouted.list.length > 0 || aliases.list.length > 0,
    explanation: {
      kind: "host",
      host,
      status: "not-routed",
      source: null,
      backend: null,
      via: null,
      reason,
      ...lists({ list: [], left: 0 }, notRouted),
    },
  };
}
