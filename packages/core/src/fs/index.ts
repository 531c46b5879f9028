// The only file-writing primitives: atomic replace and write-if-changed.
export * from "./write-file-atomic.js";
export * from "./write-files-atomic.js";
export * from "./read-regular-file.js";
export * from "./read-bounded.js";
