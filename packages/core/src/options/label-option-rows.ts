// The ONE registry of per-stack routing options (issue 13): labels `<RANCHER_LABEL>.<name>` on routed
// containers. Each row: its value type (parsed from the label's text), its default, how it renders into the
// shared-file contract, what an invalid value does, and its description. The README's label table is
// generated from it (`<!-- options:labels begin/end -->`, `npm run docs:options`).
// The contract's rules by file, not its index (the renderers and parsers): the option table is all
// --help and a refused option load.
import { isDnsName, lowerAscii } from "../contract/name-rules.js";
import {
  isCheckPath,
  isPathPrefix,
  MAX_CHECK_PATH_LENGTH,
  MAX_HSTS_SECONDS,
  MAX_PATH_SEGMENT_LENGTH,
  MAX_SERVER_MAXCONN,
  parseBoundedInteger,
  parseDuration,
} from "../contract/option-rules.js";
import { BALANCE_ALGORITHMS, type BackendOptions, type BalanceAlgorithm } from "../contract/shared-table.js";
import { checkedType, type ValueType } from "./value-type.js";

/** the most names one `hosts` label may list */
export const MAX_LABEL_HOSTS = 32;

// What the options of one container amount to: the route (hosts, path), the backend's options and the
// server's own additions; `applyLabelOption` fills it row by row.
export interface LabelSettings {
  hosts: string[];
  path?: string;
  backend: BackendOptions;
  server: { check?: true; maxconn?: number };
}

// One row: "default" falls back to the default with a warning; "skip" leaves the container unrouted
// (security-relevant options, and `path`, which would otherwise route the stack's `/`, never fail open).
export interface LabelOptionRow<T> {
  type: ValueType<T>;
  default: string | null;
  invalid: "default" | "skip";
  describe: string;
  apply: (value: T, settings: LabelSettings) => void;
}

const row = <T>(value: LabelOptionRow<T>): LabelOptionRow<T> => value;
const bool = checkedType("boolean", "true or false", (v) =>
  v === "true" ? true : v === "false" ? false : undefined,
);
const HTTPS_MODES = ["allow", "redirect", "only"] as const;
const duration = checkedType(
  "duration",
  "a duration such as 500ms, 30s, 5m, 1h, 1d (at most 24 days)",
  (v) => (parseDuration(v) === undefined ? undefined : v),
);

// Every label option by name, in the order of the docs.
export const LABEL_OPTIONS = {
  hosts: row({
    type: checkedType(
      "hosts",
      `a comma list of up to ${MAX_LABEL_HOSTS} host names or *.wildcards`,
      parseHosts,
    ),
    default: null,
    invalid: "default",
    describe:
      "routed besides `<stack>.<domain>`; exact beats wildcard, the longest wildcard wins; a name a stack owns (its host and the names under it) or an alias is refused",
    apply: (hosts, settings) => void (settings.hosts = hosts),
  }),
  path: row({
    // `/`, the default, is the whole stack: as without the label (it was refused, and the container skipped)
    type: checkedType(
      "path",
      `\`/\` or a path prefix \`/seg[/seg[/seg]]\` of \`[A-Za-z0-9_~.-]\`, each segment at most ${MAX_PATH_SEGMENT_LENGTH} characters`,
      (v) => (v === "/" || isPathPrefix(v) ? v : undefined),
    ),
    default: "/",
    invalid: "skip",
    describe:
      "only requests under this prefix (by segments: `/api` is `/api` and `/api/x`, not `/apix`) go to these containers, the longest prefix wins; the backend becomes `<stack>.<service>`",
    apply: (path, settings) => void (path !== "/" && (settings.path = path)),
  }),
  "strip-path": row({
    type: bool,
    default: "false",
    invalid: "default",
    describe: "remove the path prefix before forwarding (`/api/x` → `/x`, `/api` → `/`)",
    apply: (strip, settings) => void (strip && settings.path && (settings.backend.stripPath = settings.path)),
  }),
  check: row({
    type: checkedType(
      "check path",
      `an HTTP path \`/[A-Za-z0-9_~./-]*\` of at most ${MAX_CHECK_PATH_LENGTH} characters`,
      (v) => (isCheckPath(v) ? v : undefined),
    ),
    default: null,
    invalid: "default",
    describe:
      "HAProxy health checks (`option httpchk GET <path>`, `check inter 2s fall 3 rise 2`) on top of Rancher's health state",
    apply: (path, settings) => {
      settings.backend.check = path;
      settings.server.check = true;
    },
  }),
  balance: row({
    type: checkedType("balance", BALANCE_ALGORITHMS.join(", "), (v) =>
      BALANCE_ALGORITHMS.find((algorithm) => algorithm === v),
    ),
    default: "roundrobin",
    invalid: "default",
    describe: "the backend's balance algorithm",
    apply: (balance: BalanceAlgorithm, settings) =>
      void (balance !== "roundrobin" && (settings.backend.balance = balance)),
  }),
  sticky: row({
    type: bool,
    default: "false",
    invalid: "default",
    describe:
      "cookie stickiness (`cookie rh_sticky insert indirect nocache`), a stable cookie value per container (its server slot's name, e.g. s3)",
    apply: (sticky, settings) => void (sticky && (settings.backend.sticky = true)),
  }),
  "timeout-server": row({
    type: duration,
    default: "50s",
    invalid: "default",
    describe: "how long a server may stay silent while answering, e.g. a long poll (`timeout server`)",
    apply: (value, settings) => void (settings.backend.timeoutServer = value),
  }),
  "timeout-tunnel": row({
    type: duration,
    default: "1h",
    invalid: "default",
    describe: "how long an upgraded connection (WebSocket) may stay idle (`timeout tunnel`)",
    apply: (value, settings) => void (settings.backend.timeoutTunnel = value),
  }),
  https: row({
    type: checkedType("https", "allow, redirect or only", (v) => HTTPS_MODES.find((mode) => mode === v)),
    default: "allow",
    invalid: "skip",
    describe: "plain HTTP is served, redirected to HTTPS (301 for GET/HEAD, 308 others) or refused (403)",
    apply: (https, settings) => void (https !== "allow" && (settings.backend.https = https)),
  }),
  hsts: row({
    type: checkedType("seconds", `whole seconds 0-${MAX_HSTS_SECONDS}`, (v) =>
      parseBoundedInteger(v, 0, MAX_HSTS_SECONDS),
    ),
    default: null,
    invalid: "skip",
    describe: "`Strict-Transport-Security: max-age=<seconds>` on HTTPS answers",
    apply: (seconds, settings) => void (settings.backend.hsts = seconds),
  }),
  maxconn: row({
    type: checkedType("count", `an integer 1-${MAX_SERVER_MAXCONN}`, (v) =>
      parseBoundedInteger(v, 1, MAX_SERVER_MAXCONN),
    ),
    default: null,
    invalid: "default",
    describe: "per-server connection limit; requests beyond it queue",
    apply: (maxconn, settings) => void (settings.server.maxconn = maxconn),
  }),
} as const;

export type LabelOptionName = keyof typeof LABEL_OPTIONS;

// `www.Example.com, *.example.com` -> lower-cased, de-duplicated names; undefined when any is bad, or is
// not ASCII (checked before lower-casing: `\u212Aey.com`, a Kelvin sign, would have become `key.com`).
// Split at most one name past the limit: a label of millions of commas is refused without millions of strings.
function parseHosts(text: string): string[] | undefined {
  const names = text.split(",", MAX_LABEL_HOSTS + 1).map((name) => lowerAscii(name.trim()));
  const valid = names.every(
    (name) => name !== undefined && isDnsName(name.startsWith("*.") ? name.slice(2) : name),
  );
  return valid && names.length <= MAX_LABEL_HOSTS ? [...new Set(names as string[])] : undefined;
}
