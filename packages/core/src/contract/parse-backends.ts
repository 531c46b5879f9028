// The reading side of haproxy-backends.cfg: only comments, `backend <name>` headers and their
// `mode http` / `server` lines and the option lines of render-backend-options.ts; anything else (another
// section, another directive, a bad name) is a problem with its line number, because `haproxy -c` would accept it.
import { contentLines, type ProblemList } from "./content-lines.js";
import { isIPv4, isServerName, parsePort } from "./name-rules.js";
import { parseBackendOptions, type OptionLine } from "./parse-backend-options.js";
import { isBackendName, isCookieValue, MAX_SERVER_MAXCONN, parseBoundedInteger } from "./option-rules.js";
import { SERVER_CHECK } from "./render-backend-options.js";
import { PROXY_OPTIONS, type ProxyOption, type SharedBackend, type SharedServer } from "./shared-table.js";

// The backends `text` declares, in file order; what it cannot accept goes to `problems`. Never throws.
export function parseBackends(text: string, problems: ProblemList): SharedBackend[] {
  const backends: SharedBackend[] = [];
  const declared = new Map<string, number>();
  let section: { backend: SharedBackend | null; options: OptionLine[] } | null = null;
  const close = () => {
    if (section?.backend && section.options.length > 0) {
      const options = parseBackendOptions(section.options);
      if (options !== undefined) section.backend.options = options;
    }
  };
  for (const { line, raw, words, problem } of contentLines(text, "backends", problems)) {
    if (!/^[ \t]/.test(raw)) {
      const [keyword, name = ""] = words;
      let backend: SharedBackend | null = null;
      if (keyword !== "backend" || words.length !== 2)
        problem("only `backend <stack>` sections are allowed in the backends file");
      else if (!isBackendName(name))
        problem(`backend name "${name}" is not a DNS label or <stack>.<service>`);
      else if (declared.has(name))
        problem(`backend "${name}" is declared twice (first on line ${declared.get(name)})`);
      else {
        close(); // only before a good header: a refused one is the first problem, not the lines above it
        declared.set(name, line);
        backend = { name, servers: [] };
        backends.push(backend);
      }
      // a refused `backend` header still opens a section, so its lines are not reported once more
      section = keyword === "backend" ? { backend, options: [] } : null;
    } else if (section === null) problem("a directive outside a backend section");
    else if (words[0] === "mode" && words[1] === "http" && words.length === 2) continue;
    else if (words[0] !== "server") section.options.push({ text: words.join(" "), problem });
    else {
      // a server name used twice in a backend is left to `haproxy -c`, which refuses it by name
      const server = parseServer(words, problem);
      if (server !== null) section.backend?.servers.push(server);
    }
  }
  close();
  return backends;
}

// `server <name> <ipv4>:<port>[ <proxy option>][ check ...][ maxconn <n>][ cookie <v>]`, or null once
// its problem is reported.
function parseServer(words: readonly string[], problem: (reason: string) => void): SharedServer | null {
  const [, name = "", endpoint = "", ...rest] = words;
  const colon = endpoint.lastIndexOf(":");
  const address = endpoint.slice(0, Math.max(colon, 0));
  const portText = endpoint.slice(colon + 1);
  const port = colon > 0 && /^[1-9]/.test(portText) ? parsePort(portText) : undefined;
  if (!isServerName(name)) problem(`server name "${name}" is not a safe token`);
  else if (!isIPv4(address) || port === undefined)
    problem(`server address "${endpoint}" is not <ipv4>:<port>`);
  else {
    const server = readServerOptions({ name, address, port }, rest);
    if (server !== null) return server;
    problem(
      `after the address only: one of ${PROXY_OPTIONS.join(", ")}, \`${SERVER_CHECK}\`, \`maxconn <n>\`, \`cookie <v>\`, in this order`,
    );
  }
  return null;
}

// The server with the options `words` add, each at most once and in the renderer's order, or null.
function readServerOptions(server: SharedServer, words: readonly string[]): SharedServer | null {
  let at = 0;
  if (isProxyOption(words[at])) server.proxy = words[at++] as ProxyOption;
  if (words.slice(at, at + 7).join(" ") === SERVER_CHECK) {
    server.check = true;
    at += 7;
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

// One of PROXY_OPTIONS.
export function isProxyOption(value: unknown): value is ProxyOption {
  return typeof value === "string" && (PROXY_OPTIONS as readonly string[]).includes(value);
}
