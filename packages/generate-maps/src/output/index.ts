// The only code that writes files, and the logs of what it wrote.
export * from "./write-outputs.js";
export * from "./scan-declared-names.js";
export * from "./log-diff.js";
export * from "./log-write-outcomes.js";
export * from "./plan-writes.js";
export * from "./clean-stale-temps.js";
export * from "./old-output-cap.js";
