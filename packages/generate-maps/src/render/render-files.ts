// Both files of a cycle, rendered from one table and paired with their paths.
import { joinBackendBlocks, renderDomainMap } from "@rancher-haproxy/core";
import { backendBlock } from "../model/backend-block.js";
import type { RoutingTable } from "../model/routing-table.js";
import type { OutputFiles } from "../output/write-outputs.js";

// Where the two files go.
export interface OutputPaths {
  backendsPath: string;
  domainMapPath: string;
}

// Renders backends.cfg and domain.map for `table`; pure, the same table gives the same bytes (the blocks
// the model's byte bound rendered are not rendered again: backend-block.ts), and what they were rendered
// from, for a write's union step.
export function renderFiles(table: RoutingTable, paths: OutputPaths): OutputFiles {
  return {
    backends: { path: paths.backendsPath, content: joinBackendBlocks(table.backends, backendBlock) },
    map: { path: paths.domainMapPath, content: renderDomainMap(table) },
    rendered: { backends: table.backends, blockOf: backendBlock },
  };
}
