// An explanation as text for a terminal: one headline per container or host, the reasons indented.
import type { ContainerExplanation, Explanation, HostExplanation, ServerView } from "./explanation.js";

// The text --explain prints (and /explain?format=text serves).
export function renderExplanation(explanation: Explanation): string {
  const lines: string[] = [];
  for (const match of explanation.matches)
    lines.push(...(match.kind === "container" ? containerLines(match) : hostLines(match)));
  for (const note of explanation.notes) lines.push(`note: ${note}`);
  const { containers, notes } = explanation.left;
  if (containers + notes > 0)
    lines.push(`left out: ${containers} containers, ${notes} notes (ask for one container by uuid)`);
  lines.push(`(metadata version ${explanation.version}, domain ${explanation.domain})`);
  return `${lines.join("\n")}\n`;
}

function containerLines(match: ContainerExplanation, indent = ""): string[] {
  const where = [match.stack === null ? "no stack" : `stack ${match.stack}`];
  if (match.uuid !== null) where.push(`uuid ${match.uuid}`);
  const verdict = match.status === "routed" ? "routed" : "NOT routed";
  const lines = [`${indent}container ${match.container} (${where.join(", ")}): ${verdict}`];
  if (match.status === "routed" && match.server && match.backend) {
    lines.push(`${indent}  backend ${match.backend}: ${serverText(match.server)}`);
    const hosts =
      match.hostCount === undefined
        ? match.hosts.join(", ") || "(none)"
        : `${match.hostCount} (left out, see the notes)`;
    lines.push(`${indent}  hosts: ${hosts}`);
  } else {
    lines.push(`${indent}  reason: ${match.code ?? match.status}: ${match.reason}`);
    if (match.meaning) lines.push(`${indent}  meaning: ${match.meaning}`);
  }
  return lines;
}

function hostLines(match: HostExplanation): string[] {
  const verdict = match.status === "routed" ? `routed to backend ${match.backend ?? "?"}` : "NOT routed";
  const lines = [`host ${match.host}: ${verdict}`, `  ${match.reason}`];
  for (const server of match.servers) lines.push(`  ${serverText(server)}`);
  if (match.notRouted.length > 0) lines.push("  not routed in this stack:");
  for (const container of match.notRouted) lines.push(...containerLines(container, "    "));
  for (const alias of match.aliases)
    lines.push(`  alias ${alias.alias} (stack ${alias.stack}) NOT routed: ${alias.code}: ${alias.reason}`);
  const { servers, notRouted, aliases } = match.left;
  if (servers + notRouted + aliases > 0)
    lines.push(
      `  left out: ${servers} servers, ${notRouted} containers, ${aliases} aliases (ask for one with ?container=)`,
    );
  return lines;
}

function serverText(server: ServerView): string {
  const proxy = server.proxy === null ? "" : ` ${server.proxy}`;
  return `server ${server.name} ${server.address}:${server.port}${proxy}`;
}
