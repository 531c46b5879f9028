#!/usr/bin/env node
// Bundles each program's built entry (packages/<program>/dist/cli.js, after `tsc -b`) with its imports into
// one file, packages/<program>/dist/bundle/cli.js, which the program's bin loads when it is as new as the
// build (bin/<program>.js). Node 20 loads an ES module graph slowly: the ≈ 370 modules a program imports
// (≈ 180 of them ours, small files by design) cost ≈ 0.25 s of CPU at every start; the bundle starts in
// ≈ 0.2 s of CPU instead of ≈ 0.45 (a generate-maps whose metadata refuses, measured on 2026-12-06). A
// restarted reloader is ready sooner, a one-shot run is cheaper, and the test suite, which starts the
// programs ≈ 580 times, spends ≈ 130 s less CPU (≈ 0.23 s a start in trust-boundary.test.ts).
//
// Left outside the bundle, loaded from node_modules as before:
// - `@rancher-haproxy/core/signals`: the bin imports it before the bundle, and its module state (the
//   signals counted until the logger exists) must be the one instance both share;
// - what the sources load on demand with createRequire (pino-pretty): esbuild leaves those calls
//   alone, so they resolve from the bundle's directory as from dist/'s;
// - yargs (imported on demand, for --help and refusals only): it reads its translations from
//   `../../../locales` relative to its own file; bundled, that was packages/<program>/locales, none, and a
//   German LANG got English help and refusals from the bundle, German from dist/cli.js.
// The bundle sits two directories below the package, as every dist/ module that reads `../../package.json`
// (the version) does, so those reads resolve to the same file.
// Its source map (`cli.js.map`, made from tsc's maps of dist/, no sources inside) leads a stack trace
// back to the TypeScript sources under `NODE_OPTIONS=--enable-source-maps`; without that flag node does
// not read it, and a start costs what it did.
import { build } from "esbuild";
import { join } from "node:path";

const PROGRAMS = ["generate-maps", "reloader"];

// A CommonJS dependency's require() of node's own modules needs a require in an ES module bundle.
const banner =
  "import { createRequire as bundleRequire } from 'node:module';\n" +
  "const require = bundleRequire(import.meta.url);";

for (const program of PROGRAMS) {
  const dir = join("packages", program, "dist");
  await build({
    entryPoints: [join(dir, "cli.js")],
    outfile: join(dir, "bundle", "cli.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["@rancher-haproxy/core/signals", "yargs"],
    banner: { js: banner },
    sourcemap: "linked",
    sourcesContent: false,
    logLevel: "warning",
  });
}
