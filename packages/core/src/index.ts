// @rancher-haproxy/core: the pieces both sidekicks share (metadata client, logging, atomic files, status
// listener, the contract of the files they share, the option table of both programs, IPv4 networks,
// HAProxy's master CLI).
export * from "./metadata/index.js";
export * from "./log/index.js";
export * from "./fs/index.js";
export * from "./status/index.js";
export * from "./contract/index.js";
export * from "./options/index.js";
export * from "./net/index.js";
export * from "./haproxy/index.js";
export * from "./signals/index.js";
export * from "./launch/index.js";
