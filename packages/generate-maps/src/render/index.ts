// The renderers: pure text from a RoutingTable, deterministic bytes, no clock. Both files are rendered by
// the shared-file contract in @rancher-haproxy/core, the one the reloader parses them with.
export { BACKENDS_HEADER, renderBackends, renderDomainMap } from "@rancher-haproxy/core";
export * from "./render-files.js";
export * from "./render-dry-run.js";
