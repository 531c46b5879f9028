// The reading side of haproxy-backends.cfg: only comments, `backend <name>` headers and their
// `mode http` (a stack) or `mode tcp` (a `tcp_<port>` backend, which must say so) and `server` lines;
// anything else (another section, another directive, a bad name) is a problem with its line number,
// because `haproxy -c` would accept an injected section.
import { contentLines, type ProblemList } from "./content-lines.js";
import { isDnsLabel, isIPv4, isServerName, parsePort, parseTcpBackendName } from "./name-rules.js";
import { PROXY_OPTIONS, type ProxyOption, type SharedBackend, type SharedServer } from "./shared-table.js";

// The section being read: its backend (null once its header was refused) and what its mode must be.
interface Section {
  backend: SharedBackend | null;
  tcp: boolean;
  modeSeen: boolean;
  problem: (reason: string) => void;
}

// The backends `text` declares, in file order; what it cannot accept goes to `problems`. Never throws.
export function parseBackends(text: string, problems: ProblemList): SharedBackend[] {
  const backends: SharedBackend[] = [];
  const declared = new Map<string, number>();
  let section: Section | null = null;
  for (const { line, raw, words, problem } of contentLines(text, "backends", problems)) {
    if (!/^[ \t]/.test(raw)) {
      closeSection(section);
      const [keyword, name = ""] = words;
      const tcp = parseTcpBackendName(name) !== undefined;
      let backend: SharedBackend | null = null;
      if (keyword !== "backend" || words.length !== 2)
        problem(
          "only `backend <stack>` sections are allowed in the backends file (and `backend tcp_<port>`)",
        );
      else if (!tcp && !isDnsLabel(name))
        problem(`backend name "${name}" is not a DNS label (nor tcp_<port>)`);
      else if (declared.has(name))
        problem(`backend "${name}" is declared twice (first on line ${declared.get(name)})`);
      else {
        declared.set(name, line);
        backend = tcp ? { name, mode: "tcp", servers: [] } : { name, servers: [] };
        backends.push(backend);
      }
      // a refused `backend` header still opens a section, so its lines are not reported once more
      section = keyword === "backend" ? { backend, tcp, modeSeen: false, problem } : null;
    } else if (section === null) problem("a directive outside a backend section");
    else if (words[0] === "mode" && words.length === 2 && words[1] === (section.tcp ? "tcp" : "http"))
      section.modeSeen = true;
    else if (words[0] === "mode")
      problem(section.tcp ? "a tcp_<port> backend is `mode tcp`" : "a stack's backend is `mode http`");
    else if (words[0] !== "server")
      problem(
        "only `mode http` and `server` lines are allowed in a backend (`mode tcp` in a tcp_<port> one)",
      );
    else {
      // a server name used twice in a backend is left to `haproxy -c`, which refuses it by name
      const server = parseServer(words, problem);
      if (server !== null) section.backend?.servers.push(server);
    }
  }
  closeSection(section);
  return backends;
}

// A tcp_<port> backend without `mode tcp` would inherit mode http: refused at its header line.
function closeSection(section: Section | null): void {
  if (section?.tcp && section.backend !== null && !section.modeSeen)
    section.problem(
      `backend "${section.backend.name}" has no \`mode tcp\` line (a tcp_<port> backend needs one)`,
    );
}

// `server <name> <ipv4>:<port>[ <proxy option>]`, or null once its problem is reported.
function parseServer(words: readonly string[], problem: (reason: string) => void): SharedServer | null {
  const [, name = "", endpoint = "", option, ...extra] = words;
  const colon = endpoint.lastIndexOf(":");
  const address = endpoint.slice(0, Math.max(colon, 0));
  const portText = endpoint.slice(colon + 1);
  const port = colon > 0 && /^[1-9]/.test(portText) ? parsePort(portText) : undefined;
  if (!isServerName(name)) problem(`server name "${name}" is not a safe token`);
  else if (!isIPv4(address) || port === undefined)
    problem(`server address "${endpoint}" is not <ipv4>:<port>`);
  else if ((option !== undefined && !isProxyOption(option)) || extra.length > 0)
    problem(`only one of ${PROXY_OPTIONS.join(", ")} may follow the address`);
  else return option === undefined ? { name, address, port } : { name, address, port, proxy: option };
  return null;
}

// One of PROXY_OPTIONS.
export function isProxyOption(value: unknown): value is ProxyOption {
  return typeof value === "string" && (PROXY_OPTIONS as readonly string[]).includes(value);
}
