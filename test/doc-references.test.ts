// The cross-references of the Markdown files resolve: a relative link names a file that exists (and its
// `#anchor` one of that file's headings), a section named in quotes (`DESIGN.md "Metadata"`,
// `README, "Deploying on Rancher 1.6"`, `reloader README, "Trust boundary"`) is a heading of that file
// (or a bold lead-in, `**Cost per change.**`), a backquoted source path is a file of the repository, and a
// test quoted by name (`` `e2e-health.test.ts`: "…" ``) is in that test file. A section renamed or moved
// left such references pointing at nothing (docs/observability.md named a README section "In the image"
// after the README lost it), which no other test saw. And the end-to-end table of docs/reliability.md
// has a row for every test/e2e-*.test.ts (e2e-union-salvage.test.ts had none), and its count of
// security.md's attacks is the table's (it said 62 rows when there were 68).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { test } from "node:test";
import { ROOT } from "./helpers/deploy-files.ts";

// The Markdown files a user reads, relative to the root.
function markdownFiles(): string[] {
  const packages = readdirSync(join(ROOT, "packages")).map((name) => join("packages", name, "README.md"));
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => join("docs", name));
  const files = ["README.md", "DESIGN.md", "bench/README.md", ...packages, ...docs];
  return files.filter((file) => existsSync(join(ROOT, file))).sort();
}

// Every file of the repository (no dependencies, builds or .git), relative to the root.
function repositoryFiles(dir = ""): string[] {
  const skip = new Set(["node_modules", ".git", "dist", ".test-build"]);
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? repositoryFiles(path) : [path];
  });
}

const read = (file: string): string => readFileSync(join(ROOT, file), "utf8");

// The text without its code blocks (a `# comment` there is no heading), its lines kept where they were.
const withoutBlocks = (text: string): string =>
  text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, (block) => block.replace(/[^\n]/g, ""));

// The text without any code (a regex in a span is no link either).
const prose = (text: string): string => withoutBlocks(text).replace(/`[^`\n]*`/g, "``");

// The headings of a Markdown file, as written (inline code's backquotes removed).
const headings = (file: string): string[] =>
  [...withoutBlocks(read(file)).matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
    (match[1] ?? "").replaceAll("`", ""),
  );

// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`.
const slug = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, "")
    .replaceAll(" ", "-");

// The line of `index` in `text`, for messages.
const lineOf = (text: string, index: number): number => text.slice(0, index).split("\n").length;

// The file a reference from `doc` names: relative to `doc`, else to the root; null when neither exists.
function resolve(doc: string, target: string): string | null {
  for (const candidate of [join(dirname(doc), target), target].map((path) => normalize(path)))
    if (existsSync(join(ROOT, candidate))) return candidate;
  return null;
}

test("every relative link of the docs names a file that exists, and its #anchor one of its headings", () => {
  const broken: string[] = [];
  for (const doc of markdownFiles()) {
    const text = prose(read(doc));
    for (const match of text.matchAll(/\]\(([^)\s]*)\)/g)) {
      const link = match[1] ?? "";
      if (/^[a-z]+:/.test(link)) continue;
      const [path = "", anchor] = link.split("#");
      const target = path === "" ? doc : resolve(doc, path);
      const where = `${doc}:${lineOf(text, match.index)}: ${link}`;
      if (target === null) broken.push(`${where} (no such file)`);
      else if (anchor !== undefined && target.endsWith(".md") && !headings(target).map(slug).includes(anchor))
        broken.push(`${where} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});

test('every section the docs name in quotes (DESIGN.md "Metadata", README, "…") is a heading of that file', () => {
  const named =
    /(?:\]\(([^)#\s]+\.md)\)|\b([\w./-]+\.md)\b|\b(?:(reloader|generate-maps)'?s? )?README\b(?!\.))(?:,)? "([A-Z][^"]*)"/g;
  const broken: string[] = [];
  let checked = 0;
  for (const doc of markdownFiles()) {
    const text = read(doc);
    for (const match of text.matchAll(named)) {
      const [, link, file, program, quoted = ""] = match;
      const section = quoted.replace(/\s+/g, " ");
      const name = link ?? file ?? (program ? `packages/${program}/README.md` : "README.md");
      const target = (link ?? file) ? resolve(doc, name) : name;
      const where = `${doc}:${lineOf(text, match.index)}: ${name} "${section}"`;
      checked++;
      if (target === null) broken.push(`${where} (no such file)`);
      else if (
        !headings(target).some((heading) => heading.startsWith(section)) &&
        !read(target).includes(`**${section}`)
      )
        broken.push(`${where} (no such section in ${target})`);
    }
  }
  assert.ok(checked >= 10, `found ${checked} references`);
  assert.deepEqual(broken, []);
});

test("every backquoted source or test path in the docs is a file of the repository", () => {
  const files = repositoryFiles();
  // Files of other projects the docs name on purpose: the original's generator.
  const elsewhere = new Set(["gen-haproxy-map.py"]);
  const missing: string[] = [];
  for (const doc of markdownFiles()) {
    const text = read(doc);
    for (const match of text.matchAll(/`([\w./-]+\.(?:ts|mjs|js|sh|py))`/g)) {
      const path = match[1] ?? "";
      if (elsewhere.has(path) || resolve(doc, path) !== null) continue;
      // A built file (`dist/cli.js`, or its bundle `dist/bundle/cli.js`) is there once its source is.
      const source = path.replace(/^dist\/(?:bundle\/)?(.*)\.js$/, "src/$1.ts");
      // A short form (`reload/old-workers-cap.ts`, `e2e-health.test.ts`) is the end of one file's path.
      if (!files.some((file) => file.endsWith(`/${source}`)))
        missing.push(`${doc}:${lineOf(text, match.index)}: ${path}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every test the docs quote by name (`x.test.ts`: "…") is in that test file (or its cases)', () => {
  const files = repositoryFiles().filter((file) => file.endsWith(".ts"));
  const missing: string[] = [];
  let checked = 0;
  for (const doc of markdownFiles()) {
    const text = read(doc);
    for (const match of text.matchAll(/`([\w./-]+\.test\.ts)`: "([^"]+)"/g)) {
      const [, path = "", name = ""] = match;
      const testFile = files.find((file) => file === path || file.endsWith(`/${path}`));
      checked++;
      // A name may be built from a table of cases beside the test (the metadata fault cases).
      const sources = testFile ? files.filter((file) => file.startsWith(`${dirname(testFile)}/`)) : [];
      if (!sources.some((file) => read(file).includes(name)))
        missing.push(`${doc}:${lineOf(text, match.index)}: ${path}: "${name}"`);
    }
  }
  assert.ok(checked >= 5, `found ${checked} quoted tests`);
  assert.deepEqual(missing, []);
});

test("every end-to-end test file (test/e2e-*.test.ts) has a row in docs/reliability.md's table", () => {
  const text = read("docs/reliability.md");
  const start = text.indexOf("\n## End-to-end tests\n");
  assert.notEqual(start, -1);
  const rows = new Set(
    [...text.slice(start).matchAll(/^\| `([\w.-]+\.test\.ts)` \|/gm)].map((match) => match[1] ?? ""),
  );
  const files = readdirSync(join(ROOT, "test")).filter((name) => /^e2e-.*\.test\.ts$/.test(name));
  assert.ok(files.length >= 5, `found ${files.length}`);
  assert.deepEqual(
    files.filter((name) => !rows.has(name)),
    [],
    "add a row saying what it proves",
  );
});

test("docs/reliability.md counts the rows of docs/security.md's table of attacks as they are", () => {
  const security = read("docs/security.md");
  const start = security.indexOf("\n## Attacks tried");
  const end = security.indexOf("\n## ", start + 1);
  assert.ok(start !== -1 && end !== -1, "security.md has its Attacks section");
  const rows = security.slice(start, end).match(/^\| \d+ \|/gm)?.length ?? 0;
  const quoted = /the attacks listed in \[security\.md\]\(security\.md\) \((\d+) rows\)/.exec(
    read("docs/reliability.md"),
  );
  assert.ok(quoted, "reliability.md quotes the count");
  assert.equal(Number(quoted[1]), rows);
});
