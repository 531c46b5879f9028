// Observability: the status listener's state, metrics and routes, and explain (HTTP and --explain).
export * from "./explanation.js";
export * from "./explain.js";
export * from "./explain-container.js";
export * from "./explain-host.js";
export * from "./lookup-names.js";
export * from "./explain-once.js";
export * from "./explain-budget.js";
export * from "./render-explanation.js";
export * from "./routes-report.js";
export * from "./judge-health.js";
export * from "./status-state.js";
export * from "./instrument-client.js";
export * from "./generator-metrics.js";
export * from "./generator-routes.js";
export * from "./start-generator-status.js";
