// @rancher-haproxy/generate-maps: the cycle and the loop, and their parts, for tests and later packages.
export * from "./main.js";
export * from "./model/index.js";
export * from "./render/index.js";
export * from "./output/index.js";
export * from "./options/generator-options.js";
export * from "./options/parse-options.js";
export * from "./sources/read-metadata.js";
export * from "./sources/metadata-shape-error.js";
export * from "./sources/watch-version.js";
export * from "./sources/version-watcher.js";
export { LONG_POLL_MAX_WAIT_MS, LONG_POLL_RETRY_MS } from "./sources/long-poll-timing.js";
export * from "./report/describe-failure.js";
export * from "./report/log-skips.js";
export * from "./loop/backoff.js";
export * from "./loop/clock.js";
export * from "./guard/index.js";
export * from "./status/index.js";
