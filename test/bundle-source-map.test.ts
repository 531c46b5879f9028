// Each program's bundle (scripts/bundle.mjs) carries a source map made from tsc's maps of dist/, so a stack
// trace under NODE_OPTIONS=--enable-source-maps names the TypeScript source and its line, not a line of
// dist/bundle/cli.js (a crash's `stack` in reloader.crash was unreadable without it).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { assertBuilt, repoPath } from "@rancher-haproxy/test-support";

// A function each bundle holds, and the source file that declares it.
const PROBES = {
  "generate-maps": { name: "buildRoutingTable", source: "src/model/build-routing-table.ts" },
  reloader: { name: "planUpdate", source: "src/model/plan-update.ts" },
} as const;

// The 0-based line and column where `needle` first occurs in `text`.
function positionOf(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not found`);
  const before = text.slice(0, at).split("\n");
  return { line: before.length - 1, column: (before.at(-1) ?? "").length };
}

test("each bundle's source map leads its functions back to their TypeScript source and line", () => {
  for (const [program, probe] of Object.entries(PROBES)) {
    assertBuilt(program as keyof typeof PROBES);
    const bundlePath = repoPath("packages", program, "dist", "bundle", "cli.js");
    const bundle = readFileSync(bundlePath, "utf8");
    assert.match(bundle, /\n\/\/# sourceMappingURL=cli\.js\.map\n?$/, `${program}: the bundle names its map`);
    const map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, "utf8")));
    const inBundle = positionOf(bundle, `function ${probe.name}(`);
    const entry = map.findEntry(inBundle.line, inBundle.column) as {
      originalSource?: string;
      originalLine?: number;
    };
    const sourcePath = repoPath("packages", program, probe.source);
    assert.equal(resolve(dirname(bundlePath), entry.originalSource ?? ""), sourcePath, JSON.stringify(entry));
    const declared = positionOf(readFileSync(sourcePath, "utf8"), `export function ${probe.name}(`);
    assert.equal(entry.originalLine, declared.line, `${program}: ${probe.name}'s line in ${probe.source}`);
  }
});

test("node reads the bundle's map under --enable-source-maps, and only then", () => {
  const bundlePath = repoPath("packages", "generate-maps", "dist", "bundle", "cli.js");
  const url = pathToFileURL(bundlePath).href;
  // The bundle runs `--version` (it prints and ends); at exit, node's own map of the module, if it read one.
  const script = [
    `import { findSourceMap } from "node:module";`,
    `process.argv = [process.execPath, ${JSON.stringify(bundlePath)}, "--version"];`,
    `process.on("exit", () => {`,
    `  const entry = findSourceMap(${JSON.stringify(url)})?.findEntry(0, 0);`,
    `  console.log("MAP " + (entry === undefined ? "none" : "loaded"));`,
    `});`,
    `await import(${JSON.stringify(url)});`,
  ].join("\n");
  const run = (flags: string[]) =>
    spawnSync(process.execPath, [...flags, "--input-type=module", "-e", script], { encoding: "utf8" });
  const mapped = run(["--enable-source-maps"]);
  assert.equal(mapped.status, 0, mapped.stderr);
  assert.match(mapped.stdout, /^MAP loaded$/m, mapped.stdout);
  const plain = run([]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /^MAP none$/m, "without the flag node does not read the map");
});
