// Structured logging shared by both sidekicks.
export * from "./create-logger.js";
export * from "./parse-log-level.js";
export * from "./safe-log-text.js";
export * from "./write-log-lines.js";
