// The status listener both sidekicks serve /healthz, /metrics and the rest on.
export * from "./answers-in-flight.js";
export * from "./connection-drops.js";
export * from "./status-response.js";
export * from "./status-settings.js";
export * from "./start-status-server.js";
export * from "./status-server.js";
export * from "./start-status-listener.js";
