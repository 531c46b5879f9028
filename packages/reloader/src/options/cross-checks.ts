// The rules between the reloader's options, checked once they are each valid: credentials, redirection,
// the state dir's path, one port per listener.
import type { OptionId, OptionValues } from "@rancher-haproxy/core/options";
import { PLAIN_PATH } from "../certs/render/render-crt-list.js";
import { listenerPorts } from "./listener-ports.js";
import type { ReloaderOptions } from "./reloader-options.js";

// Unix socket paths are limited to 107 bytes, and HAProxy 2.6 keeps 10 of them for the temporary name it
// binds first (`<path>.<pid>.tmp`): 97 ("too long (max 97)"). master.sock, the longer of the two sockets,
// lives in the state dir, so the dir may have 85 bytes.
export const MAX_STATE_DIR = 97 - "/master.sock".length;

// The rules between options: credentials, redirection, socket path length, one port per listener.
export function crossChecks(options: ReloaderOptions, values: OptionValues, redirect: boolean): string[] {
  const problems: string[] = [];
  const { stats, ssl } = options;
  const named = (id: OptionId) => values.nameOf(id);
  const on = (id: OptionId) => turnedOn(values, id);
  // The default password is refused whatever the username (an empty STATS_PASSWORD means the default).
  if (stats.enabled && stats.password === "haproxy" && !values.get("statsAllowDefaultPassword"))
    problems.push(
      `${on("enableStats")} with the default ${named("statsPassword")} (haproxy; an empty STATS_PASSWORD means the ` +
        `default), whatever STATS_USERNAME is: set your own password, or ${on("statsAllowDefaultPassword")} ` +
        "to accept it",
    );
  if (redirect && !ssl.enabled)
    problems.push(
      `${on("enableSslRedirection")} needs ${on("enableSsl")} (there is no HTTPS frontend to redirect to)`,
    );
  // generate-maps refuses this too; here the map's lines were no backends file: every host 503, for good.
  if (options.domainMap === options.backendConfig)
    problems.push(
      `${named("domainMap")} and ${named("backends")} are the same file: ${options.domainMap} (the map and the backends are two files)`,
    );
  if (Buffer.byteLength(options.stateDir) > MAX_STATE_DIR)
    problems.push(
      `invalid ${values.sourceOf("stateDir")} ${JSON.stringify(options.stateDir)}: too long for a unix socket path (max ${MAX_STATE_DIR} bytes)`,
    );
  // `-S <dir>/master.sock,mode,600`: HAProxy splits the master CLI's argument at commas.
  if (options.stateDir.includes(","))
    problems.push(
      `invalid ${values.sourceOf("stateDir")} ${JSON.stringify(options.stateDir)}: no comma allowed (HAProxy's -S splits its argument at commas)`,
    );
  // `stats socket '<dir>/admin.sock'`: HAProxy expands `$NAME` and `${NAME}` in haproxy.cfg even inside
  // single quotes (and drops a lone `$`), so the admin socket would be bound at another path.
  if (options.stateDir.includes("$"))
    problems.push(
      `invalid ${values.sourceOf("stateDir")} ${JSON.stringify(options.stateDir)}: no $ allowed (HAProxy expands environment variables in haproxy.cfg, even inside single quotes)`,
    );
  // The crt-list and the runtime API name the certificates in the dir unquoted (a comma is refused above).
  if (ssl.enabled && !options.stateDir.includes(",") && !PLAIN_PATH.test(options.stateDir))
    problems.push(
      `invalid ${values.sourceOf("stateDir")} ${JSON.stringify(options.stateDir)}: with ${on("enableSsl")} only letters, digits and ._/@:+- (a crt-list and the runtime API cannot quote a path)`,
    );
  const used = listenerPorts(options, named);
  // Every port two or more listeners share, with all their names (not only the first pair's).
  for (const port of new Set(used.map(([, port]) => port))) {
    const names = used.filter(([, other]) => other === port).map(([name]) => name);
    if (names.length > 1)
      problems.push(
        `${listOf(names.sort())} are ${names.length > 2 ? "all" : "both"} ${port}: each listener needs its own port`,
      );
  }
  problems.push(...tcpPortProblems(named("tcpPorts"), options.tcpPorts, used));
  return problems;
}

// A switch as the user turned it on: `--enable-ssl`, or `ENABLE_SSL=true`.
export function turnedOn(values: OptionValues, id: OptionId): string {
  const name = values.nameOf(id);
  return name.startsWith("--") ? name : `${name}=true`;
}

// TCP_PORTS (`option`: as the user gave it): each port once, and none a listener's port already.
function tcpPortProblems(
  option: string,
  ports: readonly number[],
  used: readonly [string, number][],
): string[] {
  const problems: string[] = [];
  for (const [index, port] of ports.entries()) {
    const names = used.filter(([, otherPort]) => otherPort === port).map(([name]) => name);
    const first = ports.indexOf(port);
    // a repeat is said once, at its second listing
    if (first !== index) {
      if (ports.indexOf(port, first + 1) === index) problems.push(`${option} lists ${port} twice`);
    } else if (names.length > 0)
      problems.push(`${option} lists ${port}, which is ${listOf(names)}: each listener needs its own port`);
  }
  return problems;
}

// `A`, `A and B`, `A, B and C`.
function listOf(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}` : (names[0] ?? "");
}
