// The sections of a base config whose names a generated backend could take. HAProxy 2.6 keeps one name
// space for `backend`, `listen` and `log-forward` sections (checked with `haproxy -c`: "backend 'legacy'
// has the same name as proxy 'legacy'"; a `frontend`, `defaults`, `peers`, `resolvers`, `userlist`,
// `cache`, `ring`, `program`, `http-errors` or `mailers` section of that name passes), so such a section
// named like a stack (a DNS label, `<stack>.<service>`) or a `tcp_<port>` makes every `haproxy -c` of
// files holding that backend fail. The rendered base config names its own sections with `_` (`rh_stats`),
// which only `tcp_<port>` has, and it declares no `tcp_<port>` backend. Read with configReadings: the
// keyword and name as HAProxy builds them (`backend le"ga"cy`, `backend leg\x61cy`, `backend "$X"` with
// X from `environment`, the variables HAProxy inherits), and a section in a `.if` branch HAProxy skips is
// none (`.if 0`, `.if defined(X)` with no X, `.if streq("$X",on)`...). A name built from a variable not
// known here is not named. When the config's own setenv-family lines change a variable, a section is
// named as every reading names it (configReadings: `haproxy -c`'s and a master reload's; a name either
// gives fails the check or the reload). `self`: what HAProxy knows of itself (its build, for `.if
// feature(...)` and `version_*(...)`, and the host name, HAPROXY_LOCALPEER). Pure and total.
import { isBackendName, parseTcpBackendName } from "@rancher-haproxy/core";
import { configReadings, type HaproxyEnvironment, type ReadLine } from "./config-read-words.js";
import type { HaproxySelf } from "./haproxy-build.js";
import { cWord } from "./haproxy-line-words.js";

// A section of the base config a generated backend of the same name would collide with.
export interface ClashingSection {
  /** `backend`, `listen` or `log-forward` */
  kind: string;
  name: string;
  /** 1-based line of its header */
  line: number;
}

// The sections of a base config with the bytes they were read from: the --config's, read at start, are
// handed to BackendClashes, which reads a base config again only when the bytes it is handed differ.
export interface ReadSections {
  bytes: Buffer;
  sections: ClashingSection[];
}

// The section keywords whose names share HAProxy's name space with a generated `backend`.
const BACKEND_NAME_SPACE = new Set(["backend", "listen", "log-forward"]);

// The sections of `base` a generated backend's name could clash with, in the order of the text.
export function clashingSections(
  base: string,
  environment?: HaproxyEnvironment,
  self?: HaproxySelf,
): ClashingSection[] {
  const named = new Map<string, ClashingSection>();
  let readings = 0;
  for (const reading of configReadings(base, environment, self)) {
    readings += 1;
    for (const section of sectionsOf(reading))
      named.set(`${section.line} ${section.kind} ${section.name}`, section);
  }
  const sections = [...named.values()];
  return readings === 1 ? sections : sections.sort((one, other) => one.line - other.line);
}

// The sections of one reading a generated backend's name could clash with.
function sectionsOf(reading: readonly ReadLine[]): ClashingSection[] {
  return reading.flatMap(({ line, exact }) => {
    const [kind, name, third, fourth] = (exact ?? []).map((word) => (word === null ? null : cWord(word)));
    if (kind === null || kind === undefined || !BACKEND_NAME_SPACE.has(kind)) return [];
    if (name === null || name === undefined || !makesProxy(third, fourth)) return [];
    const generated = isBackendName(name) || parseTcpBackendName(name) !== undefined;
    return generated ? [{ kind, name, line }] : [];
  });
}

// Whether a header with these third and fourth words makes a proxy HAProxy 2.6.12 names (checked with
// `haproxy -c`): none (`backend legacy`) or `from <defaults>` does; any other third word (`backend legacy
// extra`, `backend legacy from`) makes none, and a `backend legacy` beside it passes. Not known: it does.
function makesProxy(third: string | null | undefined, fourth: string | null | undefined): boolean {
  if (third === undefined || third === "" || third === null) return true;
  return third === "from" && fourth !== undefined && fourth !== "";
}

// `backend legacy` (line 12): how a log line or a warning names a section.
export function describeSection(section: ClashingSection): string {
  return `${section.kind} ${section.name} (line ${section.line})`;
}
