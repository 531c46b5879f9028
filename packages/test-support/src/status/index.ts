// Reading the sidekicks' status listeners in tests: GET a path, parse /metrics.
export { readStatus, readStatusJson, type StatusAnswer } from "./read-status.js";
export { metricValue, parseMetrics, scrapeMetrics, type MetricSample } from "./parse-metrics.js";
export { checkTokenGuard } from "./check-token-guard.js";
export { floodStatusListener } from "./flood-status-listener.js";
