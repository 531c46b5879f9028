// `npm run docs:options`: rewrites the option tables of the Markdown files from core's option table.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { optionDocs } from "./option-docs.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
for (const { file, text, wanted } of optionDocs(root)) {
  if (wanted === text) continue;
  writeFileSync(join(root, file), wanted);
  console.log(`rewrote the option tables of ${file}`);
}
