// Rancher metadata client shared by generate-maps (containers, aliases) and the reloader (agent_ip, certs).
export * from "./metadata-client.js";
export * from "./metadata-error.js";
