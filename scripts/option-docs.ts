// The Markdown files whose `<!-- options:NAME begin/end -->` regions are generated from core's option
// table: README.md, packages/*/README.md and docs/*.md. Used by `npm run docs:options` and its test.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { rewriteOptionRegions } from "@rancher-haproxy/core";

// The Markdown files that may hold option regions, relative to the repository root.
export function optionDocFiles(root: string): string[] {
  const packages = readdirSync(join(root, "packages")).map((name) => join("packages", name, "README.md"));
  const docs = existsSync(join(root, "docs"))
    ? readdirSync(join(root, "docs"))
        .filter((name) => name.endsWith(".md"))
        .map((name) => join("docs", name))
    : [];
  return ["README.md", ...packages, ...docs].filter((file) => existsSync(join(root, file))).sort();
}

// Each file with its text now and the text its regions should have.
export function optionDocs(root: string): { file: string; text: string; wanted: string }[] {
  return optionDocFiles(root).map((file) => {
    const text = readFileSync(join(root, file), "utf8");
    return { file, text, wanted: rewriteOptionRegions(text) };
  });
}
