// Rancher metadata client shared by generate-maps (containers, aliases) and the reloader (agent_ip, certs).
export * from "./json-array-entries.js";
export * from "./json-depth.js";
export * from "./metadata-client.js";
export * from "./metadata-client-options.js";
export * from "./metadata-error.js";
export * from "./parse-json-answer.js";
export * from "./split-json-array.js";
export * from "./find-compact-entries.js";
export * from "./metadata-version.js";
