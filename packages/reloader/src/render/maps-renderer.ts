// domain.map and path-hosts.map for a reloader that renders one snapshot after another: the texts of the
// last rendering again while the parse hands back the very host list they were rendered from.
import { renderDomainMap, type SharedTable } from "@rancher-haproxy/core";
import { renderPathHostsMap } from "./render-path-hosts-map.js";

// Remembers its last rendering only.
export class MapsRenderer {
  /** domain.map and path-hosts.map as last rendered, kept while the parse hands back the same host list */
  private lastMaps: { hosts: SharedTable["hosts"]; map: string; pathHosts: string } | null = null;

  // domain.map and path-hosts.map for `table`: the last texts again when its host list is the very list
  // they were rendered from (the parse reuses an unchanged map's list), else rendered afresh.
  render(table: SharedTable): { map: string; pathHosts: string } {
    if (this.lastMaps?.hosts !== table.hosts) {
      const pathHosts = renderPathHostsMap(table.hosts.map((host) => host.fqdn));
      this.lastMaps = { hosts: table.hosts, map: renderDomainMap(table), pathHosts };
    }
    return { map: this.lastMaps.map, pathHosts: this.lastMaps.pathHosts };
  }
}
