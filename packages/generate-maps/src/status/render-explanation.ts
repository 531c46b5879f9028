// An explanation as text for a terminal: one headline per container or host, the reasons indented. What
// metadata (or the query) spells is escaped as in the log (core's safeLogText): a name holding a newline
// or a terminal escape can neither forge a line of the answer nor reach the terminal that prints it.
import { safeLogText } from "@rancher-haproxy/core";
import { METADATA_TEXT_CHARS } from "../report/log-skips.js";
import type { ContainerExplanation, Explanation, HostExplanation, ServerView } from "./explanation.js";

// A name metadata spells freely (container, uuid, stack, alias): escaped and cut like a skip line's.
const name = (text: string): string => safeLogText(text, METADATA_TEXT_CHARS);
// Any other text that may quote metadata (a reason, a note, a host, a server line): escaped, never cut
// (the answer's lists are bounded where they are built).
const text = (value: string): string => safeLogText(value, Infinity);

// The text --explain prints (and /explain?format=text serves).
export function renderExplanation(explanation: Explanation): string {
  const lines: string[] = [];
  for (const match of explanation.matches)
    lines.push(...(match.kind === "container" ? containerLines(match) : hostLines(match)));
  for (const note of explanation.notes) lines.push(`note: ${text(note)}`);
  const { containers, notes } = explanation.left;
  if (containers + notes > 0)
    lines.push(`left out: ${containers} containers, ${notes} notes (ask for one container by uuid)`);
  lines.push(`(metadata version ${text(explanation.version)}, domain ${text(explanation.domain)})`);
  return `${lines.join("\n")}\n`;
}

function containerLines(match: ContainerExplanation, indent = ""): string[] {
  const where = [match.stack === null ? "no stack" : `stack ${name(match.stack)}`];
  if (match.uuid !== null) where.push(`uuid ${name(match.uuid)}`);
  // a container with both labels has an entry per route: the TCP one says so
  const route = match.route === "tcp" ? " by TCP port" : "";
  const verdict = `${match.status === "routed" ? "routed" : "NOT routed"}${route}`;
  const lines = [`${indent}container ${name(match.container)} (${where.join(", ")}): ${verdict}`];
  if (match.status === "routed" && match.server && match.backend) {
    lines.push(`${indent}  backend ${text(match.backend)}: ${serverText(match.server)}`);
    const hosts =
      match.hostCount === undefined
        ? match.hosts.map(text).join(", ") || "(none)"
        : `${match.hostCount} (left out, see the notes)`;
    lines.push(`${indent}  hosts: ${hosts}`);
  } else {
    lines.push(`${indent}  reason: ${match.code ?? match.status}: ${text(match.reason)}`);
    if (match.meaning) lines.push(`${indent}  meaning: ${match.meaning}`);
  }
  return lines;
}

function hostLines(match: HostExplanation): string[] {
  const backend = match.backend === null ? "?" : text(match.backend);
  const verdict = match.status === "routed" ? `routed to backend ${backend}` : "NOT routed";
  const lines = [`host ${text(match.host)}: ${verdict}`, `  ${text(match.reason)}`];
  for (const server of match.servers) lines.push(`  ${serverText(server)}`);
  if (match.notRouted.length > 0) lines.push("  not routed in this stack:");
  for (const container of match.notRouted) lines.push(...containerLines(container, "    "));
  for (const alias of match.aliases)
    lines.push(
      `  alias ${name(alias.alias)} (stack ${name(alias.stack)}) NOT routed: ${alias.code}: ${text(alias.reason)}`,
    );
  const { servers, notRouted, aliases } = match.left;
  if (servers + notRouted + aliases > 0)
    lines.push(
      `  left out: ${servers} servers, ${notRouted} containers, ${aliases} aliases (ask for one with ?container=)`,
    );
  return lines;
}

function serverText(server: ServerView): string {
  const proxy = server.proxy === null ? "" : ` ${server.proxy}`;
  return text(`server ${server.name} ${server.address}:${server.port}${proxy}`);
}
