// The model's validators for every value that reaches HAProxy's files: the shared-file contract's name
// rules (one definition in @rancher-haproxy/core, which the reloader's parser uses too).
export {
  MAX_DNS_NAME_LENGTH,
  isDnsLabel,
  isDnsName,
  isIPv4,
  parsePort,
  isServerToken,
  isUuidToken,
} from "@rancher-haproxy/core";
