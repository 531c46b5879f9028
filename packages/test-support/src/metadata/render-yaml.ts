// Block YAML as gopkg.in/yaml.v2's Marshal writes a decoded JSON value (what Accept: application/yaml gets).
import { isMap } from "./render-text.js";
import { compareYamlKeys, isLiteralBlock, yamlScalar } from "./yaml-scalar.js";

// yaml.v2 Marshal: 2-space indented maps, `- ` sequences flush with their key, `|` literal blocks
// for multi-line strings, `{}`/`[]` for empty collections, always ending with a newline.
export function renderYaml(value: unknown): string {
  if (isMap(value) && Object.keys(value).length > 0) return mapLines(value, "");
  if (Array.isArray(value) && value.length > 0) return sequenceLines(value, "");
  return inlineValue(value, "  ");
}

// A value that fits after `key:` or `- `: a scalar, an empty collection or a literal block header.
function inlineValue(value: unknown, blockIndent: string): string {
  if (isMap(value)) return "{}\n";
  if (Array.isArray(value)) return "[]\n";
  if (isLiteralBlock(value)) return literalBlock(value, blockIndent);
  return yamlScalar(value) + "\n";
}

function isBlockCollection(value: unknown): boolean {
  return (isMap(value) && Object.keys(value).length > 0) || (Array.isArray(value) && value.length > 0);
}

function mapLines(map: Record<string, unknown>, indent: string): string {
  let out = "";
  for (const key of Object.keys(map).sort(compareYamlKeys)) {
    const child = map[key];
    const head = indent + yamlScalar(key) + ":";
    if (isMap(child) && isBlockCollection(child)) out += head + "\n" + mapLines(child, indent + "  ");
    else if (Array.isArray(child) && child.length > 0) out += head + "\n" + sequenceLines(child, indent);
    else out += head + " " + inlineValue(child, indent + "  ");
  }
  return out;
}

function sequenceLines(items: unknown[], indent: string): string {
  let out = "";
  const inner = indent + "  ";
  for (const item of items) {
    if (isBlockCollection(item)) {
      const block = isMap(item) ? mapLines(item, inner) : sequenceLines(item as unknown[], inner);
      out += indent + "- " + block.slice(inner.length);
    } else out += indent + "- " + inlineValue(item, inner);
  }
  return out;
}

function literalBlock(s: string, indent: string): string {
  const trailing = /\n*$/.exec(s)?.[0].length ?? 0;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const body = trailing > 0 ? s.slice(0, -1) : s;
  const lines = body.split("\n").map((line) => (line === "" ? "" : indent + line));
  return `|${chomp}\n${lines.join("\n")}\n`;
}
