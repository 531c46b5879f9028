// Both files of a cycle, rendered from one table and paired with their paths.
import { renderBackends, renderDomainMap } from "@rancher-haproxy/core";
import type { RoutingTable } from "../model/routing-table.js";
import type { OutputFiles } from "../output/write-outputs.js";

// Where the two files go.
export interface OutputPaths {
  backendsPath: string;
  domainMapPath: string;
}

// Renders backends.cfg and domain.map for `table`; pure, the same table gives the same bytes.
export function renderFiles(table: RoutingTable, paths: OutputPaths): OutputFiles {
  return {
    backends: { path: paths.backendsPath, content: renderBackends(table) },
    map: { path: paths.domainMapPath, content: renderDomainMap(table) },
  };
}
