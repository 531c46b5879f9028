// The guards against faults that are not errors: mass removals (hold until confirmed) and a churning
// or silent version (loop watchdog).
export * from "./decide-removal-hold.js";
export * from "./count-removal.js";
export * from "./alias-keys.js";
export * from "./fingerprint-table.js";
export * from "./server-keys.js";
export * from "./create-removal-guard.js";
export * from "./removal-guard.js";
export * from "./read-map-alias-keys.js";
export * from "./loop-watchdog.js";
