// The names the reloader's HAProxy config looks a request's host up by in domain.map, in its order
// (explain-host.ts, notes-about.ts).
import { SUBDOMAIN_LEVELS } from "@rancher-haproxy/core";
import type { RouteNote } from "../model/routing-table.js";

// Where a name is looked up: the host itself, a wildcard of a stripped level, or its mapped parent.
export type Level = "exact" | "wildcard" | "parent";

// The host a query names: lower case, no trailing dot or port; a bare name (no dot) is <name>.<domain>.
export function normalizeHost(query: string, domain: string): string {
  const host = query
    .trim()
    .toLowerCase()
    .replace(/:[0-9]+$/, "")
    .replace(/\.$/, "");
  return host.includes(".") ? host : `${host}.${domain}`;
}

// The names the reloader looks `host` up by, in its order: the host, then per stripped level (up to
// SUBDOMAIN_LEVELS) the wildcard and the mapped parent.
export function lookupNames(host: string): { name: string; level: Level }[] {
  const names: { name: string; level: Level }[] = [{ name: host, level: "exact" }];
  const labels = host.split(".");
  for (let strip = 1; strip <= SUBDOMAIN_LEVELS && strip < labels.length; strip++) {
    const suffix = labels.slice(strip).join(".");
    names.push({ name: `*.${suffix}`, level: "wildcard" }, { name: suffix, level: "parent" });
  }
  return names;
}

// True when `note` is about a key of one of `names` (lookupNames): a `hosts` claim of it refused
// (host-owned: the domain, another stack's name, an alias's parent), or lost to another backend.
export function isAboutKeyOf(note: RouteNote, names: ReadonlySet<string>): boolean {
  return note.host !== undefined && names.has(note.host);
}
