// The reloader's own check of the generated files against the DESIGN.md contract, before any byte of
// them reaches `haproxy -c`: haproxy -c accepts an injected section and a map value naming no backend.
// Pure and total: every problem is reported, nothing throws.
import type { InputFiles } from "../sources/read-inputs.js";

// One reason to reject the inputs; `line` is 1-based (null: the whole file).
export interface InputProblem {
  file: "base" | "backends" | "map";
  line: number | null;
  text: string | null;
  reason: string;
  /** "unsettled": the map names a backend the backends file does not declare yet (the generator is
   * between its two writes, or died there): retried, not a rejection */
  kind?: "unsettled";
}

const BACKEND_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const SERVER_NAME = /^[a-z0-9][a-z0-9_.-]{0,254}$/i;
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const IPV4_PORT = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}:([1-9][0-9]{0,4})$`);
const PROXY_OPTIONS = new Set(["send-proxy", "send-proxy-v2", "send-proxy-v2-ssl", "send-proxy-v2-ssl-cn"]);
// Control characters other than tab (a CR, an escape...).
const CONTROL = { test: (text: string) => [...text].some((c) => (c < " " && c !== "\t") || c === "\u007f") };
const MAX_PROBLEMS = 20;

// Problems of the triple (empty: acceptable). The base config is the user's or ours: only its encoding.
export function validateInputs(files: Pick<InputFiles, "base" | "backends" | "map">): InputProblem[] {
  const problems: InputProblem[] = [];
  const texts: Partial<Record<InputProblem["file"], string>> = {};
  for (const file of ["base", "backends", "map"] as const) {
    const text = decodeText(files[file]);
    if (typeof text === "string") texts[file] = text;
    else problems.push({ file, line: null, text: null, reason: text.reason });
  }
  const backends = texts.backends === undefined ? null : checkBackends(texts.backends, problems);
  if (texts.map !== undefined && backends !== null) checkMap(texts.map, backends, problems);
  return problems.slice(0, MAX_PROBLEMS);
}

// UTF-8 text without NUL bytes, or why not.
function decodeText(bytes: Buffer): string | { reason: string } {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { reason: `contains a NUL byte (at byte ${nul})` };
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { reason: "is not valid UTF-8" };
  }
}

// Only comments, `backend <stack>` headers and their `mode http` / `server` lines; returns the backends.
function checkBackends(text: string, problems: InputProblem[]): Set<string> {
  const declared = new Set<string>();
  let inBackend = false;
  for (const { raw, words, problem } of contentLines(text, "backends", problems)) {
    const indented = /^[ \t]/.test(raw);
    if (!indented) {
      const name = words[1] ?? "";
      if (words[0] !== "backend" || words.length !== 2)
        problem("only `backend <stack>` sections are allowed in the backends file");
      else if (!BACKEND_NAME.test(name)) problem(`backend name "${name}" is not a DNS label`);
      else declared.add(name);
      inBackend = words[0] === "backend";
      continue;
    }
    if (!inBackend) problem("a directive outside a backend section");
    else if (words[0] === "mode" && words[1] === "http" && words.length === 2) continue;
    else if (words[0] === "server") checkServer(words, problem);
    else problem("only `mode http` and `server` lines are allowed in a backend");
  }
  return declared;
}

// `server <name> <ipv4>:<port>[ <proxy option>]`.
function checkServer(words: string[], problem: (reason: string) => void): void {
  const [, name = "", address = "", option, ...extra] = words;
  const port = IPV4_PORT.exec(address)?.[1];
  if (!SERVER_NAME.test(name)) problem(`server name "${name}" is not a safe token`);
  else if (port === undefined || Number(port) > 65_535)
    problem(`server address "${address}" is not <ipv4>:<port>`);
  else if ((option !== undefined && !PROXY_OPTIONS.has(option)) || extra.length > 0)
    problem(`only one of ${[...PROXY_OPTIONS].join(", ")} may follow the address`);
}

// `<host> <backend>` lines: a lower-case DNS name, once, naming a declared backend.
function checkMap(text: string, backends: ReadonlySet<string>, problems: InputProblem[]): void {
  const seen = new Map<string, number>();
  for (const { line, words, problem } of contentLines(text, "map", problems)) {
    const [host = "", backend = ""] = words;
    if (words.length !== 2) problem(`a map line has 2 fields (<host> <backend>), this one ${words.length}`);
    else if (host.length > 253 || !HOST_NAME.test(host)) problem(`"${host}" is not a lower-case DNS name`);
    else if (seen.has(host)) problem(`"${host}" is mapped twice (first on line ${seen.get(host)})`);
    else if (!backends.has(backend))
      problems.push({
        file: "map",
        line,
        text: null,
        reason: `backend "${backend}" is not declared in the backends file`,
        kind: "unsettled",
      });
    if (!seen.has(host)) seen.set(host, line);
  }
}

// One line that holds something: its 1-based number, raw text, words, and a reporter for its problems.
interface ContentLine {
  line: number;
  raw: string;
  words: string[];
  problem: (reason: string) => void;
}

// The lines of a file that are neither blank nor comments; lines with control characters are reported
// here and not yielded, so each checker sees only words to judge.
function* contentLines(
  text: string,
  file: "backends" | "map",
  problems: InputProblem[],
): Generator<ContentLine> {
  for (const [index, raw] of splitLines(text, file, problems).entries()) {
    const problem = (reason: string) =>
      problems.push({ file, line: index + 1, text: raw.slice(0, 200), reason });
    if (CONTROL.test(raw)) {
      problem("contains a control character (a CR line ending?)");
      continue;
    }
    const trimmed = raw.replace(/^[ \t]+|[ \t]+$/g, "");
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    yield { line: index + 1, raw, words: trimmed.split(/[ \t]+/), problem };
  }
}

// The lines of a non-empty file that must end with a newline (a file cut short is not a configuration).
function splitLines(text: string, file: "backends" | "map", problems: InputProblem[]): string[] {
  if (text === "") return [];
  if (!text.endsWith("\n"))
    problems.push({ file, line: null, text: null, reason: "does not end with a newline (cut short?)" });
  return text.replace(/\n$/, "").split("\n");
}
