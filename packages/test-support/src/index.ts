// Test, demo and benchmark support: everything that stands in for the outside world on loopback.
export * from "./metadata/index.js";
export * from "./http/index.js";
export * from "./haproxy/index.js";
export * from "./load/index.js";
export * from "./pair/index.js";
export * from "./status/index.js";
export * from "./tcp/index.js";
export * from "./repo-root.js";
export * from "./random/seeded-random.js";
