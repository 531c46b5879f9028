// The rows only generate-maps reads: what to route and how carefully to change it, and its one-shot modes.
import { CIDR_LIST, DNS_NAME } from "./network-types.js";
import type { OptionRow } from "./option-row.js";
import { checkedType } from "./value-type.js";
import { LABEL_KEY, SHARE, SWITCH, integerType, secondsType } from "./value-types.js";

const GENERATOR = ["generate-maps"] as const;
// TEXT in other words.
const QUERY = checkedType("text", "a container name or uuid, or a host", (text) =>
  text === "" ? undefined : text,
);

// generate-maps' own options, in help order (see option-table.ts for how to add one).
export const GENERATE_MAPS_OPTION_ROWS = {
  domain: {
    flag: "domain",
    env: "STACK_DOMAIN",
    type: DNS_NAME,
    default: null,
    required: "dev.example.com",
    describe: "domain the stacks are served under: <stack>.<domain> (required)",
    programs: GENERATOR,
  },
  label: {
    flag: "label",
    env: "RANCHER_LABEL",
    type: LABEL_KEY,
    default: "map-public-http",
    describe: "container label holding the port to route to",
    programs: GENERATOR,
  },
  proxyLabel: {
    flag: "proxy-label",
    env: "RANCHER_PROXY_LABEL",
    type: LABEL_KEY,
    default: "send-proxy",
    describe: "container label choosing a PROXY protocol option for its server line",
    programs: GENERATOR,
  },
  tcpLabel: {
    flag: "tcp-label",
    env: "RANCHER_TCP_LABEL",
    type: LABEL_KEY,
    default: "map-public-tcp",
    describe:
      "container label holding <public port>:<container port> of a TCP service (<label>.proxy-protocol: its PROXY protocol option)",
    programs: GENERATOR,
  },
  interval: {
    flag: "interval",
    env: "POLL_INTERVAL",
    type: secondsType(1, 86400, "a number of seconds from 1 to 86400"),
    default: "10",
    describe:
      "seconds (up to 3 decimals) between the safety-net checks of the /version long poll: a full refetch when /version or the files moved, and every 6th time",
    programs: GENERATOR,
  },
  maxRemovalShare: {
    flag: "max-removal-share",
    env: "MAX_REMOVAL_SHARE",
    type: SHARE,
    default: "0.5",
    describe:
      "share (0-1) of the routed containers (and of the aliases of stacks still routed) one cycle may remove at once; more waits for confirmation",
    programs: GENERATOR,
  },
  backendNetworks: {
    flag: "backend-networks",
    env: "BACKEND_NETWORKS",
    type: CIDR_LIST,
    default: null,
    describe:
      "only route container addresses inside these networks, e.g. 10.42.0.0/16 (default: any address but loopback, unspecified, link-local, multicast, reserved and broadcast)",
    programs: GENERATOR,
  },
  metadataMaxBytes: {
    flag: "metadata-max-bytes",
    env: "METADATA_MAX_BYTES",
    type: integerType(65_536, 2_147_483_647),
    default: "67108864",
    describe:
      "largest metadata answer read (bytes); a larger one, or a /containers list of more than 250 000 entries, is a failed read, logged as too-large",
    programs: GENERATOR,
  },
  removalConfirmSeconds: {
    flag: "removal-confirm-seconds",
    env: "REMOVAL_CONFIRM_SECONDS",
    type: secondsType(0, 86400, "a number of seconds from 0 (off) to 86400"),
    default: "30",
    describe: "seconds a larger removal must stay the same before it is written (0 disables the guard)",
    programs: GENERATOR,
  },
  explain: {
    flag: "explain",
    env: null,
    type: QUERY,
    default: null,
    describe:
      "read metadata once, write nothing, and say why a container (name or uuid) or a host is routed or not; " +
      "exit 0 found, 1 metadata unreadable, 3 no such container or host",
    programs: GENERATOR,
  },
  json: {
    flag: "json",
    env: null,
    type: SWITCH,
    default: "false",
    describe: "with --explain: print the explanation as JSON",
    programs: GENERATOR,
  },
  once: {
    flag: "once",
    env: null,
    type: SWITCH,
    default: "false",
    describe:
      "run one cycle, write the files, exit 0 (1 if metadata could not be read or a file could not be written)",
    programs: GENERATOR,
  },
  dryRun: {
    flag: "dry-run",
    env: null,
    type: SWITCH,
    default: "false",
    describe: "like --once, but print both files to stdout and write nothing",
    programs: GENERATOR,
  },
} as const satisfies Record<string, OptionRow>;
