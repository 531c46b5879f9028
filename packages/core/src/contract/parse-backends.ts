// The reading side of haproxy-backends.cfg: only comments, `backend <name>` headers and their
// `mode http` / `server` lines; anything else (another section, another directive, a bad name) is a
// problem with its line number, because `haproxy -c` would accept an injected section.
import { contentLines, type ProblemList } from "./content-lines.js";
import { isDnsLabel, isIPv4, isServerName, parsePort } from "./name-rules.js";
import { PROXY_OPTIONS, type ProxyOption, type SharedBackend, type SharedServer } from "./shared-table.js";

// The backends `text` declares, in file order; what it cannot accept goes to `problems`. Never throws.
export function parseBackends(text: string, problems: ProblemList): SharedBackend[] {
  const backends: SharedBackend[] = [];
  const declared = new Map<string, number>();
  let section: { backend: SharedBackend | null } | null = null;
  for (const { line, raw, words, problem } of contentLines(text, "backends", problems)) {
    if (!/^[ \t]/.test(raw)) {
      const [keyword, name = ""] = words;
      let backend: SharedBackend | null = null;
      if (keyword !== "backend" || words.length !== 2)
        problem("only `backend <stack>` sections are allowed in the backends file");
      else if (!isDnsLabel(name)) problem(`backend name "${name}" is not a DNS label`);
      else if (declared.has(name))
        problem(`backend "${name}" is declared twice (first on line ${declared.get(name)})`);
      else {
        declared.set(name, line);
        backend = { name, servers: [] };
        backends.push(backend);
      }
      // a refused `backend` header still opens a section, so its lines are not reported once more
      section = keyword === "backend" ? { backend } : null;
    } else if (section === null) problem("a directive outside a backend section");
    else if (words[0] === "mode" && words[1] === "http" && words.length === 2) continue;
    else if (words[0] !== "server") problem("only `mode http` and `server` lines are allowed in a backend");
    else {
      // a server name used twice in a backend is left to `haproxy -c`, which refuses it by name
      const server = parseServer(words, problem);
      if (server !== null) section.backend?.servers.push(server);
    }
  }
  return backends;
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
