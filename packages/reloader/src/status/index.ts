// The reloader's status listener: health, metrics and the running config.
export * from "./applied-state-probe.js";
export * from "./hash-triple.js";
export * from "./judge-reloader-health.js";
export * from "./pending-since.js";
export * from "./read-applied-state.js";
export * from "./read-running-config.js";
export * from "./reloader-metrics.js";
export * from "./reloader-routes.js";
export * from "./start-reloader-status.js";
