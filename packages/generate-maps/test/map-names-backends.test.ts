// The premise of a reloader check of a stale domain map ("a stack backend the backends file declares
// that no map line names"): does every stack backend (not `tcp_<port>`) generate-maps renders get a map
// line naming it? Not always: two services of one stack asking for the same path render two backends
// and one key (`<stack>.<domain><path>`, a host-conflict note), so the loser is declared and never named.
// What holds, over generated hostile documents (the fuzz test's arbitraries; FUZZ_SEED=<n> replays a run):
// every stack with a stack backend has one named, and an unnamed backend is always such a loser.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseSharedFiles, parseTcpBackendName, unroutedStacks } from "@rancher-haproxy/core";
import { buildRoutingTable, renderFiles, type MetadataInput, type ModelOptions } from "../src/index.js";
import { fuzzSeed } from "./fuzz-support/fuzz-seed.js";
import { documentArb, OPTION_SETS } from "./fuzz-support/metadata-arbitraries.js";
import { container, MODEL_OPTIONS } from "./helpers.js";

const DOCUMENTS = 3_000;
const SEED = fuzzSeed(process.env["FUZZ_SEED"]);
const PATHS = { backendsPath: "backends.cfg", domainMapPath: "domain.map" };

// The stack backends of the rendered files that no map line names, and the stacks none of whose
// backends a map line names (the stack: a backend name up to its first dot).
function unnamed(input: MetadataInput, options: ModelOptions) {
  const table = buildRoutingTable(input, options);
  const files = renderFiles(table, PATHS);
  const targets = new Set(files.map.content.split("\n").map((line) => line.split(" ")[1]));
  const declared = [...files.backends.content.matchAll(/^backend (\S+)$/gm)]
    .map((match) => match[1] ?? "")
    .filter((name) => parseTcpBackendName(name) === undefined);
  const stackOf = (name: string) => name.split(".")[0] ?? name;
  const namedStacks = new Set(declared.filter((name) => targets.has(name)).map(stackOf));
  // what the reloader's stale-map check (core's unroutedStacks) finds in the parse of the same files
  const parsed = parseSharedFiles({ backends: files.backends.content, map: files.map.content });
  assert.ok(parsed.ok, "the rendered pair parses");
  return {
    checked: unroutedStacks(parsed.table),
    table,
    declared,
    backends: declared.filter((name) => !targets.has(name)),
    stacks: [...new Set(declared.map(stackOf))].filter((stack) => !namedStacks.has(stack)),
  };
}

test("two services of a stack asking for one path: the loser's backend is declared, no map line names it", () => {
  const path = (service: string) =>
    container({ service_name: service, labels: { "map-public-http": "80", "map-public-http.path": "/api" } });
  const found = unnamed({ containers: [path("web"), path("api")], aliases: {} }, MODEL_OPTIONS);
  assert.deepEqual(found.declared, ["shop.api", "shop.web"]);
  assert.deepEqual(found.backends, ["shop.web"]);
  assert.deepEqual(found.stacks, []);
  assert.deepEqual(found.checked, [], "the reloader's check finds no stale map in this pair");
  assert.deepEqual(
    found.table.notes.map((note) => [note.backend, note.code, note.host]),
    [["shop.web", "host-conflict", "shop.dev.tld/api"]],
  );
});

test(`${DOCUMENTS} generated documents: each stack has a named backend; the unnamed ones lost their key`, () => {
  console.log(`fuzz: seed ${SEED}`);
  let withStackBackends = 0;
  let withLosers = 0;
  fc.assert(
    fc.property(
      fc
        .constantFrom(...OPTION_SETS)
        .chain((options) => fc.tuple(fc.constant(options), documentArb(options))),
      ([options, input]) => {
        const found = unnamed(input, options);
        if (found.declared.length > 0) withStackBackends += 1;
        if (found.backends.length > 0) withLosers += 1;
        assert.deepEqual(found.stacks, []);
        assert.deepEqual(found.checked, []);
        for (const name of found.backends) {
          const backend = found.table.backends.find((candidate) => candidate.name === name);
          const key = `${backend?.stack}.${options.domain}${backend?.path ?? ""}`;
          const lost = found.table.notes.some(
            (note) => note.backend === name && note.code === "host-conflict" && note.host === key,
          );
          assert.ok(backend?.path !== undefined && lost, `${name} is named by no map line`);
        }
      },
    ),
    { numRuns: DOCUMENTS, seed: SEED },
  );
  console.log(`fuzz: ${withStackBackends} documents with stack backends, ${withLosers} with an unnamed one`);
  // not vacuous: most documents route some stack, about 1 in 90 has a loser (service-path-twin)
  assert.ok(withStackBackends > DOCUMENTS / 4, `${withStackBackends} documents with stack backends`);
  assert.ok(withLosers > 0, "no document with an unnamed stack backend");
});
