// The routing table without the backends a section of the base config already names (clashing-sections):
// HAProxy refuses two proxies of one name, so such a backend cannot be loaded beside the user's section,
// and keeping it would fail every `haproxy -c`, freezing every other stack's changes. It is left out, and
// so is every domain.map line that names it: its hosts get the base config's default, not the user's own
// section of that name. Everything HAProxy loads (snapshot, runtime steps, read-back) is rendered from
// the table this returns, so the files stay the truth. Pure and total.
import type { SharedTable } from "@rancher-haproxy/core";
import type { ClashingSection } from "./clashing-sections.js";

// A generated backend left out because a section of the base config has its name.
export interface RefusedBackend {
  backend: string;
  /** the section of the base config with that name (the first one) */
  section: ClashingSection;
  /** domain.map lines that named it, left out with it */
  hosts: number;
}

// `table` without the backends `sections` name and their map lines (the same table when none is named).
export function withoutClashingBackends(
  table: SharedTable,
  sections: readonly ClashingSection[],
): { table: SharedTable; refused: RefusedBackend[] } {
  if (sections.length === 0) return { table, refused: [] };
  const sectionOf = new Map<string, ClashingSection>();
  for (const section of sections) if (!sectionOf.has(section.name)) sectionOf.set(section.name, section);
  const refused = table.backends.flatMap((backend) => {
    const section = sectionOf.get(backend.name);
    return section === undefined ? [] : [{ backend: backend.name, section, hosts: 0 }];
  });
  if (refused.length === 0) return { table, refused };
  const byName = new Map(refused.map((entry) => [entry.backend, entry]));
  const hosts = table.hosts.filter((host) => {
    const entry = byName.get(host.backend);
    if (entry !== undefined) entry.hosts += 1;
    return entry === undefined;
  });
  const backends = table.backends.filter((backend) => !byName.has(backend.name));
  return { table: { hosts, backends }, refused };
}

// `2 domain.map lines`, `1 domain.map line`: how /healthz counts a refused backend's hosts.
export function mapLines(count: number): string {
  return `${count} domain.map line${count === 1 ? "" : "s"}`;
}
