// @rancher-haproxy/core: the pieces both sidekicks share (metadata client, logging, atomic files, status
// listener, and the contract of the files they share).
export * from "./metadata/index.js";
export * from "./log/index.js";
export * from "./fs/index.js";
export * from "./status/index.js";
export * from "./contract/index.js";
