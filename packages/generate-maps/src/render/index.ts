// The renderers: pure text from a RoutingTable, deterministic bytes, no clock.
export * from "./render-domain-map.js";
export * from "./render-backends.js";
export * from "./render-files.js";
export * from "./render-dry-run.js";
