// The model: pure functions from a metadata snapshot to a RoutingTable.
export * from "./build-routing-table.js";
export * from "./reasons.js";
export * from "./note-budget.js";
export {
  MAX_ALIAS_KEYS_PER_STACK,
  MAX_TABLE_ALIAS_KEYS,
  MAX_TABLE_HOSTS_CLAIMS,
} from "./build-host-routes.js";
export { MAX_MAP_BYTES, mapByteRoom } from "./map-byte-room.js";
export { MAX_BACKENDS_BYTES, limitBackendBytes } from "./backends-byte-room.js";
export { planAliasKeys } from "./plan-alias-keys.js";
export * from "./routing-table.js";
export * from "./select-containers.js";
export * from "./evaluate-container.js";
export * from "./group-backends.js";
export * from "./resolve-aliases.js";
export * from "./container-ref.js";
export * from "./check-container.js";
export * from "./evaluate-tcp-container.js";
export * from "./group-tcp-backends.js";
