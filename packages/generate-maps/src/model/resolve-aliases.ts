// Step 3 of the model: the aliases of /self/service/metadata/aliases become extra host names of routed
// stacks; anything unusable is skipped with a reason, and every collision has one deterministic winner.
import { describeValue } from "./describe-value.js";
import { compareStrings, isDnsName, lowerAscii, MAX_DNS_NAME_LENGTH } from "@rancher-haproxy/core";
import { ownerOf } from "./host-owners.js";
import { clipForNote } from "./note-budget.js";
import type { AliasSkipCode } from "./reasons.js";
import type { HostRoute, SkippedAlias } from "./routing-table.js";

// The alias host lines (sorted by fqdn), the aliases left out, and every usable alias host with the
// (lower-cased) stack it names, routed or not: the names no other stack's `hosts` claim may take. An alias
// host another stack owns (see AliasStacks) is not among them: that stack's names are its own.
export interface AliasResolution {
  hosts: HostRoute[];
  skipped: SkippedAlias[];
  reserved: Map<string, string>;
}

// The most stacks, and the most alias names of all stacks together, read from the aliases answer: each
// becomes a record (a host, a skip), and a 64 MiB answer of `[1,1,...]` made 3.8 GB of them. Real answers
// name a few dozen.
export const MAX_ALIAS_ENTRIES = 100_000;

// The (lower-cased) stacks an alias is resolved against. `routed`: the stacks with a routed HTTP backend,
// the only ones an alias maps to. `present`: every stack with a labelled container, routed or skipped
// (the owners of `hosts` claims, host-owners.ts): each owns `<stack>.<domain>` and every name under it,
// so no alias of another stack takes them, not even while that stack deploys and none of its containers
// is routed. A routed stack counts as present whether `present` lists it or not. `tcp`: the stacks with a
// routed TCP backend, which an alias's skip names (routed, but by port: an alias is a host name).
export interface AliasStacks {
  routed: ReadonlySet<string>;
  present: ReadonlySet<string>;
  tcp?: ReadonlySet<string>;
}

// Resolves `{ stack: [alias, ...] }` against the routed backends. A stack's own host and the names under
// it always beat another stack's alias while that stack has a labelled container (`alias-shadowed`); an
// alias claimed by several stacks goes to the first stack by name. An answer that is not such an object
// (a list, a string) gives no alias and one skipped entry. Never throws.
export function resolveAliases(answer: unknown, known: AliasStacks, domain: string): AliasResolution {
  const { routed } = known;
  const owners = new Set([...known.present, ...routed]);
  const skipped: SkippedAlias[] = [];
  const skip = (alias: string, stack: string, code: AliasSkipCode, reason: string) =>
    skipped.push({ alias, stack, code, reason });
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
    const shown = describeValue(answer);
    const reason = `the aliases answer must map stack names to lists of names, not ${shown}`;
    skip(shown, "(all stacks)", "alias-invalid", reason);
    return { hosts: [], skipped, reserved: new Map() };
  }
  const aliases = answer as Readonly<Record<string, unknown>>;
  const stacks = Object.keys(aliases);
  if (stacks.length > MAX_ALIAS_ENTRIES) {
    const reason = `the aliases answer names ${stacks.length} stacks, more than ${MAX_ALIAS_ENTRIES}: no alias is used`;
    skip(`(${stacks.length} stacks)`, "(all stacks)", "alias-limit", reason);
    return { hosts: [], skipped, reserved: new Map() };
  }
  let room = MAX_ALIAS_ENTRIES;
  let leftOut = 0;
  let firstCut: string | null = null;
  const claims = new Map<string, Map<string, string>>(); // alias -> backend -> stack key as written
  const reserved = new Map<string, string>(); // alias host -> the first stack by name that names it
  for (const key of stacks.sort(compareStrings)) {
    const value = aliases[key];
    // undefined: a stack name outside ASCII, which is never routed (lower-cased, `\u212Aapp` is `kapp`)
    const backend = lowerAscii(key);
    // The key as skips and reasons show it, cut: a key no stack can have (a megabyte of `k`) was repeated
    // in each of its aliases' skips, and 100 000 of them kept the loop busy for minutes, past a SIGTERM.
    const stack = clipForNote(key);
    // The reason that names only the stack (alias-stack-not-routed), made at its first skip and shared by
    // the key's others (not one copy of the cut key per alias: 100 000 of them held 25 MB)
    let notRouted: string | undefined;
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list)) {
      skip(
        describeValue(value),
        stack,
        "alias-invalid",
        `aliases of ${stack} must be a list of names, not ${describeValue(value)}`,
      );
      continue;
    }
    const kept = (list as unknown[]).slice(0, room);
    room -= kept.length;
    if (kept.length < list.length) {
      leftOut += list.length - kept.length;
      firstCut ??= stack;
    }
    for (const entry of kept) {
      const alias = typeof entry === "string" ? lowerAscii(entry) : "";
      const shown = typeof entry === "string" ? entry : describeValue(entry);
      if (alias === undefined) {
        const reason = `alias ${describeValue(entry)} is not a DNS name: it has a character outside ASCII (it could lower-case to another name)`;
        skip(shown, stack, "alias-invalid", reason);
        continue;
      }
      if (!isDnsName(alias)) {
        skip(shown, stack, "alias-invalid", `alias ${describeValue(entry)} is not a DNS name`);
        continue;
      }
      if (alias.length + 1 + domain.length > MAX_DNS_NAME_LENGTH) {
        const reason = `host ${alias}.${domain} is longer than ${MAX_DNS_NAME_LENGTH} characters`;
        skip(shown, stack, "alias-invalid", reason);
        continue;
      }
      if (backend === undefined) {
        notRouted ??= `stack ${stack} has no routed container: its name has a character outside ASCII`;
        skip(shown, stack, "alias-stack-not-routed", notRouted);
        continue;
      }
      const host = `${alias}.${domain}`;
      // The stack owning the host by its own name (`shop` or `login.shop` while stack shop is there).
      const owner = ownerOf(host, owners, domain)?.stack;
      const shadowed = owner !== undefined && owner !== backend;
      if (!shadowed && !reserved.has(host)) reserved.set(host, backend);
      if (!routed.has(backend)) {
        notRouted ??= notRoutedReason(stack, known.tcp?.has(backend) === true);
        skip(shown, stack, "alias-stack-not-routed", notRouted);
      } else if (alias === backend)
        skip(shown, stack, "alias-redundant", `alias ${alias} is the stack's own name`);
      else if (shadowed) skip(shown, stack, "alias-shadowed", shadowReason(alias, owner, routed, domain));
      else {
        const byBackend = claims.get(alias) ?? new Map<string, string>();
        if (!byBackend.has(backend)) byBackend.set(backend, stack);
        claims.set(alias, byBackend);
      }
    }
  }
  if (leftOut > 0) {
    const reason = `the aliases answer names more than ${MAX_ALIAS_ENTRIES} aliases: the ${leftOut} past that (from stack ${String(firstCut)} on, in stack name order) are not used`;
    skip(`(${leftOut} aliases)`, firstCut ?? "", "alias-limit", reason);
  }
  const hosts: HostRoute[] = [];
  for (const [alias, byBackend] of claims) {
    const [winner, ...losers] = [...byBackend.keys()].sort(compareStrings);
    if (winner === undefined) continue;
    hosts.push({ fqdn: `${alias}.${domain}`, backend: winner, source: "alias" });
    for (const loser of losers) {
      const reason = `alias ${alias} is also claimed by stack ${winner}, which wins (first by name)`;
      skip(alias, byBackend.get(loser) ?? loser, "alias-conflict", reason);
    }
  }
  hosts.sort((a, b) => compareStrings(a.fqdn, b.fqdn));
  for (const host of hosts) reserved.set(host.fqdn, host.backend); // a mapped alias: its winner owns it
  return { hosts, skipped, reserved };
}

// Why an alias of `stack` (no routed HTTP container) is not mapped; `tcp`: the stack is routed by TCP port
// (until 2026-12-04 the reason said it had no routed container).
function notRoutedReason(stack: string, tcp: boolean): string {
  return tcp
    ? `stack ${stack} has no container routed by host: it is routed by TCP port only, and an alias is a host name`
    : `stack ${stack} has no routed container`;
}

// Why an alias host belongs to stack `owner`: it is its host, or a name under it.
function shadowReason(alias: string, owner: string, routed: ReadonlySet<string>, domain: string): string {
  if (routed.has(owner))
    return alias === owner
      ? `alias ${alias} is the name of routed stack ${owner}, which keeps its host`
      : `alias ${alias} is under the host ${owner}.${domain} of routed stack ${owner}, which keeps its host and the names under it`;
  const what =
    alias === owner ? `the name of stack ${owner}` : `under the host ${owner}.${domain} of stack ${owner}`;
  return `alias ${alias} is ${what}, which has an HTTP-labelled container (none routed at the moment: deploying, stopped or failing its checks) and keeps its host and the names under it`;
}
