// The reading side of haproxy-backends.cfg: only comments, `backend <name>` headers and their
// `mode http` (a stack) or `mode tcp` (a `tcp_<port>` backend, which must say so), `server` lines and, in
// an HTTP backend, the option lines of render-backend-options.ts; anything else (another section, another
// directive, a bad name) is a problem with its line number, because `haproxy -c` would accept it.
import {
  contentLines,
  MAX_SHARED_BACKENDS,
  MAX_SHARED_SERVERS,
  type ContentLine,
  type ProblemList,
} from "./content-lines.js";
import { FirstLines } from "./first-lines.js";
import { isIPv4, isServerName, parsePort, parseTcpBackendName } from "./name-rules.js";
import { parseBackendOptions, type OptionLine } from "./parse-backend-options.js";
import { isBackendName, isCookieValue, MAX_SERVER_MAXCONN, parseBoundedInteger } from "./option-rules.js";
import { SERVER_CHECK } from "./render-backend-options.js";
import { PROXY_OPTIONS, type ProxyOption, type SharedBackend, type SharedServer } from "./shared-table.js";

// The section being read: its backend (null once its header was refused), what its mode must be, its
// option lines (read when the section closes) and the line each of its server names is first on.
interface Section {
  backend: SharedBackend | null;
  tcp: boolean;
  modeSeen: boolean;
  options: OptionLine[];
  problem: (reason: string) => void;
  serverLines: FirstLines;
}

// The backends `text` declares, in file order; what it cannot accept goes to `problems`. Never throws.
export function parseBackends(text: string, problems: ProblemList): SharedBackend[] {
  const backends: SharedBackend[] = [];
  const declared = new FirstLines();
  let section: Section | null = null;
  let servers = 0;
  for (const entry of contentLines(text, "backends", problems)) {
    const { line, words } = entry;
    if (!entry.indented) {
      const [keyword, name = ""] = words;
      const tcp = parseTcpBackendName(name) !== undefined;
      let backend: SharedBackend | null = null;
      if (keyword !== "backend" || words.length !== 2)
        entry.problem(
          "only `backend <stack>` sections are allowed in the backends file (and `backend tcp_<port>`)",
        );
      else if (!tcp && !isBackendName(name))
        entry.problem(`backend name "${name}" is not a DNS label or <stack>.<service> (nor tcp_<port>)`);
      else if (declared.lineOf(name) !== undefined)
        entry.problem(`backend "${name}" is declared twice (first on line ${declared.lineOf(name)})`);
      else if (backends.length >= MAX_SHARED_BACKENDS) {
        tooMany(problems, line, `${MAX_SHARED_BACKENDS} backends`);
        break;
      } else {
        closeSection(section); // only before a good header: a refused one is the first problem, not the lines above it
        declared.add(name, line);
        backend = tcp ? { name, mode: "tcp", servers: [] } : { name, servers: [] };
        backends.push(backend);
      }
      // a refused `backend` header still opens a section, so its lines are not reported once more
      section =
        keyword === "backend"
          ? {
              backend,
              tcp,
              modeSeen: false,
              options: [],
              problem: entry.reporter(),
              serverLines: new FirstLines(),
            }
          : null;
    } else if (section === null) entry.problem("a directive outside a backend section");
    else if (words[0] === "mode" && words.length === 2 && words[1] === (section.tcp ? "tcp" : "http"))
      section.modeSeen = true;
    else if (words[0] === "mode")
      entry.problem(section.tcp ? "a tcp_<port> backend is `mode tcp`" : "a stack's backend is `mode http`");
    else if (words[0] !== "server" && section.tcp)
      entry.problem("only `mode tcp` and `server` lines are allowed in a tcp_<port> backend");
    else if (words[0] !== "server")
      section.options.push({ text: words.join(" "), problem: entry.reporter() });
    else if (++servers > MAX_SHARED_SERVERS) {
      tooMany(problems, line, `${MAX_SHARED_SERVERS} servers`);
      break;
    } else {
      const server = parseServer(entry);
      const first = server === null ? undefined : section.serverLines.firstOf(server.name, line);
      // a server name used twice in a backend: the reloader renames servers to slots, so `haproxy -c`
      // would not see it, and which of the two was meant cannot be told
      if (server !== null && first !== undefined && section.backend !== null)
        entry.problem(
          `server "${server.name}" is declared twice in backend "${section.backend.name}" (first on line ${first})`,
        );
      else if (server !== null) section.backend?.servers.push(server);
    }
  }
  closeSection(section);
  return backends;
}

// A count cap passed at `line`: the file is refused and the parse ends there.
function tooMany(problems: ProblemList, line: number, what: string): void {
  problems.halt({ file: "backends", line, text: null, reason: `more than ${what}` });
}

// A section ends: its option lines are read into its backend's options; a tcp_<port> backend without
// `mode tcp` would inherit mode http, so it is refused at its header line.
function closeSection(section: Section | null): void {
  if (!section?.backend) return;
  if (section.tcp && !section.modeSeen)
    section.problem(
      `backend "${section.backend.name}" has no \`mode tcp\` line (a tcp_<port> backend needs one)`,
    );
  if (section.options.length > 0) {
    const options = parseBackendOptions(section.options);
    if (options !== undefined) section.backend.options = options;
  }
}

// `server <name> <ipv4>:<port>[ <proxy option>][ check ...][ maxconn <n>][ cookie <v>]`, or null once
// its problem is reported.
function parseServer(entry: ContentLine): SharedServer | null {
  const { words } = entry;
  const name = words[1] ?? "";
  const endpoint = words[2] ?? "";
  const colon = endpoint.lastIndexOf(":");
  const address = endpoint.slice(0, Math.max(colon, 0));
  const portText = endpoint.slice(colon + 1);
  const port = colon > 0 && /^[1-9]/.test(portText) ? parsePort(portText) : undefined;
  if (!isServerName(name)) entry.problem(`server name "${name}" is not a safe token`);
  else if (!isIPv4(address) || port === undefined)
    entry.problem(`server address "${endpoint}" is not <ipv4>:<port>`);
  else {
    const server = readServerOptions({ name, address, port }, words, 3);
    if (server !== null) return server;
    entry.problem(
      `after the address only: one of ${PROXY_OPTIONS.join(", ")}, \`${SERVER_CHECK}\`, \`maxconn <n>\`, \`cookie <v>\`, in this order`,
    );
  }
  return null;
}

// The server with the options `words` add from index `at` on, each at most once and in the renderer's
// order, or null.
function readServerOptions(server: SharedServer, words: readonly string[], at: number): SharedServer | null {
  if (isProxyOption(words[at])) server.proxy = words[at++] as ProxyOption;
  if (words[at] === SERVER_CHECK_WORDS[0] && SERVER_CHECK_WORDS.every((word, i) => words[at + i] === word)) {
    server.check = true;
    at += SERVER_CHECK_WORDS.length;
  }
  if (words[at] === "maxconn") {
    const maxconn = parseBoundedInteger(words[at + 1] ?? "", 1, MAX_SERVER_MAXCONN);
    if (maxconn === undefined) return null;
    server.maxconn = maxconn;
    at += 2;
  }
  if (words[at] === "cookie") {
    const cookie = words[at + 1] ?? "";
    if (!isCookieValue(cookie)) return null;
    server.cookie = cookie;
    at += 2;
  }
  return at === words.length ? server : null;
}

/** SERVER_CHECK's words, as a server line's words hold them */
const SERVER_CHECK_WORDS: readonly string[] = SERVER_CHECK.split(" ");

// One of PROXY_OPTIONS.
export function isProxyOption(value: unknown): value is ProxyOption {
  return typeof value === "string" && (PROXY_OPTIONS as readonly string[]).includes(value);
}
