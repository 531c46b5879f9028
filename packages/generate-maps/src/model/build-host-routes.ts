// The domain.map keys of every backend: its stack's host, its stack's aliases and its own `hosts` claims,
// each followed by the backend's path prefix. A claim cannot take a name another stack owns (its host, its
// alias hosts and every name under them, whether that stack is routed at the moment or not), nor the domain
// or a parent of it (a catch-all over every stack); its own stack's host and alias hosts are its own. One
// key claimed twice goes to the stack host, then the alias, then the claim, then the first backend by
// name; a stack's alias keys stop at MAX_ALIAS_KEYS_PER_STACK, the table's alias keys and `hosts` claims
// at MAX_TABLE_ALIAS_KEYS and MAX_TABLE_HOSTS_CLAIMS (backends in name order); every refusal is a note.
import { compareStrings, MAX_DNS_NAME_LENGTH } from "@rancher-haproxy/core";
import { groupBy } from "./group-by.js";
import { aliasOwnerOf, aliasParents, otherThan, ownerOf, type HostOwners } from "./host-owners.js";
import type { NoteBudget } from "./note-budget.js";
import { MAX_MAP_BYTES, mapByteRoom, mapLineBytes, type MapByteRoom } from "./map-byte-room.js";
import { planAliasKeys } from "./plan-alias-keys.js";
import type { Backend, HostRoute } from "./routing-table.js";

export type { HostOwners } from "./host-owners.js";
export { MAX_ALIAS_KEYS_PER_STACK, MAX_TABLE_ALIAS_KEYS } from "./plan-alias-keys.js";

const RANK: Readonly<Record<HostRoute["source"], number>> = { stack: 0, alias: 1, hosts: 2 };

// The most `hosts` claims of the whole table: each container's label is bounded, not their total, so
// 160 000 stacks of 32 claims each made 5 million claims (and as many notes).
export const MAX_TABLE_HOSTS_CLAIMS = 100_000;

// `aliases`: the alias hosts resolveAliases kept (backend = the stack); `owners`: see HostOwners (every
// routed stack and every mapped alias host among them); refusals go to `notes`. The map's lines, sorted by key.
export function buildHostRoutes(
  backends: readonly Backend[],
  aliases: readonly HostRoute[],
  domain: string,
  owners: HostOwners,
  notes: NoteBudget,
): HostRoute[] {
  const owner = (host: string) => ownerOf(host, owners.stacks, domain) ?? aliasOwnerOf(host, owners.aliases);
  const parents = aliasParents(owners.aliases, domain);
  // The aliases by stack, in their order: one pass, not one over every alias per backend.
  const aliasesOf = groupBy(aliases, (alias) => alias.backend);
  const backendsOf = groupBy(backends, (backend) => backend.stack);
  const room = mapByteRoom(backends, domain);
  const aliasShares = planAliasKeys(backends, aliasesOf, backendsOf, room);
  const claims: HostRoute[] = [];
  let hostsClaims = 0;
  const limit = (backend: string, reason: string) =>
    notes.add({ backend, container: null, code: "host-limit", reason });
  for (const backend of backends) {
    const path = backend.path ?? "";
    claims.push({ fqdn: `${backend.stack}.${domain}${path}`, backend: backend.name, source: "stack" });
    const share = aliasShares.get(backend.stack);
    const mapped = (aliasesOf.get(backend.stack) ?? []).slice(0, share?.count ?? 0);
    for (const alias of mapped)
      claims.push({ fqdn: `${alias.fqdn}${path}`, backend: backend.name, source: "alias" });
    // Its stack's mapped alias hosts: its own to claim (another stack's alias host is refused by its owner).
    const ownAliases = new Set(mapped.map((alias) => alias.fqdn));
    if (share?.reason) limit(backend.name, share.reason);
    const claimRoom = MAX_TABLE_HOSTS_CLAIMS - hostsClaims;
    if (backend.hostClaims.length > claimRoom)
      limit(
        backend.name,
        `only the first ${claimRoom} of its ${backend.hostClaims.length} hosts names are looked at: the table's hosts claims reached ${MAX_TABLE_HOSTS_CLAIMS} (backends in name order)`,
      );
    for (const host of backend.hostClaims.slice(0, claimRoom)) {
      hostsClaims += 1;
      const bare = host.startsWith("*.") ? host.slice(2) : host;
      const taken = owner(bare);
      const above = otherThan(parents.get(bare), backend.stack);
      const refuse = (reason: string) =>
        notes.add({ backend: backend.name, container: null, code: "host-owned", reason, host });
      if (taken !== undefined && taken.stack !== backend.stack)
        refuse(
          `hosts name ${host} belongs to stack ${taken.stack} (its ${taken.alias === null ? `host ${taken.stack}.${domain}` : `alias host ${taken.alias}`} and the names under it)`,
        );
      else if (above !== undefined)
        refuse(
          `hosts name ${host} is a parent of an alias host of stack ${above}: it would catch that alias's names whenever they have no key`,
        );
      else if (coversDomain(bare, domain))
        refuse(
          `hosts name ${host} would take every name under ${domain} no key maps (stacks' own names among them)`,
        );
      else if (host === `${backend.stack}.${domain}` || ownAliases.has(host))
        continue; // the stack's own host or one of its mapped alias hosts, already there
      else if (host.length > MAX_DNS_NAME_LENGTH) refuse(`hosts name ${host} is too long`);
      else if (!takeRoom(room, `${host}${path}`, backend.name)) {
        limit(
          backend.name,
          `hosts names from ${host} on are not mapped: the map would pass ${MAX_MAP_BYTES} bytes (backends in name order)`,
        );
        break;
      } else claims.push({ fqdn: `${host}${path}`, backend: backend.name, source: "hosts" });
    }
  }
  claims.sort(
    (a, b) =>
      compareStrings(a.fqdn, b.fqdn) ||
      RANK[a.source] - RANK[b.source] ||
      compareStrings(a.backend, b.backend),
  );
  const hosts: HostRoute[] = [];
  for (const claim of claims) {
    const winner = hosts[hosts.length - 1];
    if (winner?.fqdn !== claim.fqdn) hosts.push(claim);
    else if (winner.backend !== claim.backend)
      notes.add({
        backend: claim.backend,
        container: null,
        code: "host-conflict",
        reason: `${claim.fqdn} (${claim.source}) is also claimed by backend ${winner.backend} (${winner.source}), which wins`,
        host: claim.fqdn,
      });
  }
  return hosts;
}

// Takes one map line's bytes from `room`; false (nothing taken) when they do not fit.
function takeRoom(room: MapByteRoom, key: string, backend: string): boolean {
  const bytes = mapLineBytes(key, backend);
  if (bytes > room.bytes) return false;
  room.bytes -= bytes;
  return true;
}

// True when `name` is the domain or one of its parents: as a key (a mapped parent) or a wildcard it would
// catch the names of every stack under the domain that has no key for them at that moment (a stack with
// only path keys, one whose containers are all down, an unknown name that should get the 503).
function coversDomain(name: string, domain: string): boolean {
  return name === domain || domain.endsWith(`.${name}`);
}
