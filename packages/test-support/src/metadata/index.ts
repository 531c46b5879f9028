// The stand-in Rancher metadata server (rancher-metadata v0.10.4 behaviour) and its scenario helpers.
export {
  startMetadataServer,
  type MetadataServer,
  type MetadataServerOptions,
} from "./start-metadata-server.js";
export type {
  Container,
  Host,
  MetadataFault,
  Network,
  RequestRecord,
  Service,
  ShuffleMode,
  Stack,
  Tree,
} from "./types.js";
export { RequestLog } from "./request-log.js";
export { buildTree } from "./build-tree.js";
export type {
  ContainerSpec,
  DomainSelfSpec,
  HostSpec,
  ServiceSpec,
  StackSpec,
  TreeSpec,
} from "./tree-spec.js";
export { deterministicUuid } from "./deterministic-uuid.js";
export { LOOPBACK_REMAP, remapIps } from "./remap-ips.js";
export {
  applyRecordedChange,
  findFixturesDir,
  loadRecordedTree,
  loadRecordedTrees,
  readRecordedJson,
  RECORDED_API_VERSIONS,
} from "./load-recorded-tree.js";
export { DERIVED_API_VERSIONS, deriveApiTree } from "./derive-api-tree.js";
export { effectiveMaxWaitMs } from "./long-poll.js";
export { negotiateContentType, type ContentKind } from "./negotiate-content-type.js";
export { renderJson } from "./render-json.js";
export { renderText } from "./render-text.js";
export { renderYaml } from "./render-yaml.js";
export { cleanPath } from "./parse-request-target.js";
export { matchPath } from "./match-path.js";
export { fetchRaw, type RawResponse } from "./fetch-raw.js";
