// @rancher-haproxy/core: the pieces both sidekicks share (metadata client, logging, atomic files, status listener, options).
export * from "./metadata/index.js";
export * from "./log/index.js";
export * from "./fs/index.js";
export * from "./status/index.js";
export * from "./options/index.js";
