// The sections of a base config whose names a generated backend could take. HAProxy 2.6 keeps one name
// space for `backend`, `listen` and `log-forward` sections (checked with `haproxy -c`: "backend 'legacy'
// has the same name as proxy 'legacy'"; a `frontend`, `defaults`, `peers`, `resolvers`, `userlist`,
// `cache`, `ring`, `program`, `http-errors` or `mailers` section of that name passes), so such a section
// named like a stack (a DNS label, `<stack>.<service>`) or a `tcp_<port>` makes every `haproxy -c` of
// files holding that backend fail. The rendered base config names its own sections with `_` (`rh_stats`),
// which only `tcp_<port>` has, and it declares no `tcp_<port>` backend. Read with configReadLines: a
// section in a `.if` branch HAProxy skips is none (`.if 0`, or `.if defined(X)` with no X in
// `environment`, the names HAProxy inherits). Pure and total.
import { isBackendName, parseTcpBackendName } from "@rancher-haproxy/core";
import { configReadLines } from "./config-read-words.js";

// A section of the base config a generated backend of the same name would collide with.
export interface ClashingSection {
  /** `backend`, `listen` or `log-forward` */
  kind: string;
  name: string;
  /** 1-based line of its header */
  line: number;
}

// The section keywords whose names share HAProxy's name space with a generated `backend`.
const BACKEND_NAME_SPACE = new Set(["backend", "listen", "log-forward"]);

// The sections of `base` a generated backend's name could clash with, in the order of the text.
export function clashingSections(base: string, environment?: ReadonlySet<string>): ClashingSection[] {
  return configReadLines(base, environment).flatMap(({ line, words }) => {
    const [kind = "", name = ""] = words;
    if (!BACKEND_NAME_SPACE.has(kind)) return [];
    const generated = isBackendName(name) || parseTcpBackendName(name) !== undefined;
    return generated ? [{ kind, name, line }] : [];
  });
}

// `backend legacy` (line 12): how a log line or a warning names a section.
export function describeSection(section: ClashingSection): string {
  return `${section.kind} ${section.name} (line ${section.line})`;
}
