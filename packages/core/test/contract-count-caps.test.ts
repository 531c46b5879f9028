// The contract's count caps (issue 9's trust boundary): the 64 MiB byte cap let 2 million server lines
// (or 6 million map lines) through, whose check, slot assignment and render held the reloader's loop for
// tens of seconds. Past MAX_SHARED_SERVERS / _BACKENDS / _MAP_KEYS the files are refused with one
// problem, by the whole parse and by the incremental one alike, and the parse stops there.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  MAX_SHARED_BACKENDS,
  MAX_SHARED_MAP_KEYS,
  MAX_SHARED_SERVERS,
  parseSharedFiles,
  SharedFilesParser,
  type ParsedFiles,
} from "../src/index.js";

const bytes = (text: string) => Buffer.from(text, "utf8");
const servers = (n: number) =>
  Array.from({ length: n }, (_, i) => `    server s${i} 127.0.${(i >> 8) & 255}.${i & 255}:80\n`).join("");
const reasons = (parsed: ParsedFiles) =>
  parsed.ok ? [] : parsed.problems.map((p) => `${p.file}: ${p.reason}`);

// Both parsers, the incremental one after it accepted a small pair (so it reads by section).
function bothParse(backends: string, map: string): [ParsedFiles, ParsedFiles] {
  const incremental = new SharedFilesParser();
  assert.equal(incremental.parse({ backends: bytes("backend a\n"), map: bytes("") }).ok, true);
  return [
    parseSharedFiles({ backends, map }),
    incremental.parse({ backends: bytes(backends), map: bytes(map) }),
  ];
}

test("MAX_SHARED_SERVERS servers are accepted; one more refuses the file, in both parsers (each parse ≈ 1 s here)", () => {
  const half = servers(MAX_SHARED_SERVERS / 2); // the same names in both backends: built once
  const at = `backend a\n${half}backend b\n${half}`;
  assert.equal(parseSharedFiles({ backends: at, map: "" }).ok, true);
  const over = `${at}    server extra 127.0.0.1:81\n`;
  for (const parsed of bothParse(over, ""))
    assert.deepEqual(reasons(parsed), [`backends: more than ${MAX_SHARED_SERVERS} servers`]);
});

test("one backend more than MAX_SHARED_BACKENDS refuses the file, in both parsers", () => {
  const headers = Array.from({ length: MAX_SHARED_BACKENDS + 1 }, (_, i) => `backend b${i}\n`).join("");
  for (const parsed of bothParse(headers, ""))
    assert.deepEqual(reasons(parsed), [`backends: more than ${MAX_SHARED_BACKENDS} backends`]);
});

test("one map line more than MAX_SHARED_MAP_KEYS refuses the map, in both parsers", () => {
  // built once: the map at the cap is the one over it without its last line
  const over = Array.from({ length: MAX_SHARED_MAP_KEYS + 1 }, (_, i) => `h${i}.dev.tld a\n`).join("");
  const at = over.slice(0, over.lastIndexOf("h"));
  assert.equal(at.split("\n").length - 1, MAX_SHARED_MAP_KEYS);
  assert.equal(parseSharedFiles({ backends: "backend a\n", map: at }).ok, true);
  for (const parsed of bothParse("backend a\n", over))
    assert.deepEqual(reasons(parsed), [`map: more than ${MAX_SHARED_MAP_KEYS} lines`]);
});
