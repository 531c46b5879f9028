#!/usr/bin/env node
// Runs every *.test.ts under the given roots (default: packages and test) with node:test through tsx.
// Node 20's --test does not expand globs itself, so the file list is built here.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["packages", "test"];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name === "dist") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".test.ts")) files.push(path);
  }
}
for (const root of roots) if (existsSync(root)) walk(root);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(", ")}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-force-exit",
    "--test-concurrency=2",
    "--test-timeout=300000",
    ...files,
  ],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
