// The contract of the shared volume (DESIGN.md "Files"): types, name rules, renderer and parser of
// domain.map and haproxy-backends.cfg. The generator renders with it, the reloader parses with it.
export * from "./shared-table.js";
export * from "./name-rules.js";
export * from "./compare-strings.js";
export * from "./option-rules.js";
export {
  HTTPS_LOCATION,
  HTTPS_PORT_VAR,
  renderBackendOptionLines,
  SERVER_CHECK,
} from "./render-backend-options.js";
export * from "./render-backends.js";
export * from "./render-domain-map.js";
export * from "./unrouted-stacks.js";
export {
  MAX_LINE_LENGTH,
  MAX_PROBLEMS,
  MAX_SHARED_BACKENDS,
  MAX_SHARED_FILE_BYTES,
  MAX_SHARED_MAP_KEYS,
  MAX_SHARED_SERVERS,
} from "./content-lines.js";
export { decodeText } from "./decode-text.js";
export { isProxyOption } from "./parse-backends.js";
export * from "./parse-shared-files.js";
export { SharedFilesParser } from "./shared-files-parser.js";
export { eachLine } from "./each-line.js";
