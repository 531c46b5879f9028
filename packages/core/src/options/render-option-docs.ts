// The option table as Markdown: a full table per program and one summary of every variable, written
// between `<!-- options:NAME begin -->` and `<!-- options:NAME end -->` markers (`npm run docs:options`).
import { defaultFor, describeFor, PROGRAMS, type OptionRow, type Program } from "./option-row.js";
import { LABEL_OPTIONS, type LabelOptionRow } from "./label-option-rows.js";
import { OPTION_TABLE, optionRowsOf } from "./option-table.js";
import { SWITCH } from "./value-types.js";

const REGION = /(<!-- options:([a-z-]+) begin -->)[\s\S]*?(<!-- options:\2 end -->)/g;

const code = (text: string): string => `\`${text}\``;
// Markdown-safe table cell text: plain parts escaped, `code` parts kept (only | is escaped in both).
const cell = (text: string): string =>
  text
    .replaceAll("\n", " ")
    .split("`")
    .map((part, index) =>
      index % 2 === 1
        ? part.replaceAll("|", "\\|")
        : part
            .replace(/[\\|*_]/g, (char) => `\\${char}`)
            .replaceAll("<", "&lt;")
            .replaceAll(">", "&gt;"),
    )
    .join("`");
const table = (head: string[], rows: string[][]): string =>
  [head, head.map(() => "---"), ...rows].map((row) => `| ${row.map(cell).join(" | ")} |`).join("\n");

function flags(row: OptionRow): string {
  const names = [row.flag, ...(row.aliases ?? [])].map((name) =>
    name.length === 1 ? `-${name}` : `--${name}`,
  );
  return names.map(code).join(", ");
}

function shownDefault(row: OptionRow, program: Program): string {
  if (row.required !== undefined) return "required";
  const text = defaultFor(row, program);
  if (text === null || row.type === SWITCH) return "–";
  return text === "" ? "(empty)" : code(text);
}

// The full table of one program: flag | variable | default | description.
export function renderOptionTable(program: Program): string {
  const rows = optionRowsOf(program).map(([, row]) => [
    flags(row),
    row.env === null ? "–" : code(row.env),
    shownDefault(row, program),
    row.type === SWITCH ? describeFor(row, program) : `${describeFor(row, program)}; ${row.type.accepts}`,
  ]);
  return table(["flag", "variable", "default", "description"], rows);
}

// One short table of every variable of both programs: variable | flag | used by | default.
export function renderOptionSummary(): string {
  const rows = Object.values(OPTION_TABLE as Record<string, OptionRow>)
    .filter((row) => row.env !== null)
    .map((row) => {
      const users = PROGRAMS.filter((program) => row.programs.includes(program));
      const defaults = [...new Set(users.map((program) => shownDefault(row, program)))];
      const fallback =
        defaults.length === 1
          ? (defaults[0] ?? "–")
          : users.map((program) => `${shownDefault(row, program)} (${program})`).join(", ");
      return [code(row.env ?? ""), flags(row), users.length === 2 ? "both" : users.join(", "), fallback];
    });
  return table(["variable", "flag", "used by", "default"], rows);
}

// The label options of the registry: label | value | default | invalid value | effect.
export function renderLabelOptionTable(): string {
  const rows = Object.entries(LABEL_OPTIONS as Record<string, LabelOptionRow<unknown>>).map(([name, row]) => [
    code(`<RANCHER_LABEL>.${name}`),
    row.type.accepts,
    row.default === null ? "–" : code(row.default),
    row.invalid === "skip" ? "container not routed" : "default, with a warning",
    row.describe,
  ]);
  return table(["label", "value", "default", "invalid value", "effect"], rows);
}

// The Markdown of region `name`: `generate-maps`, `reloader`, `summary` or `labels`.
export function renderOptionRegion(name: string): string {
  if (name === "summary") return renderOptionSummary();
  if (name === "labels") return renderLabelOptionTable();
  const program = PROGRAMS.find((candidate) => candidate === name);
  if (program === undefined)
    throw new Error(`unknown options region "${name}" (generate-maps, reloader, summary, labels)`);
  return renderOptionTable(program);
}

// `markdown` with every marked region rewritten from the table (the markers themselves are kept).
export function rewriteOptionRegions(markdown: string): string {
  return markdown.replace(
    REGION,
    (_match, begin: string, name: string, end: string) => `${begin}\n\n${renderOptionRegion(name)}\n\n${end}`,
  );
}
