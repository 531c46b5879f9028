// The observability options at the edge: STATUS_PORT / --status-port (off, 0, a port), STATUS_BIND /
// --status-bind, --explain and --json; bad values name the flag or variable and the value.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OptionsError } from "@rancher-haproxy/core";
import { parseOptions, type GeneratorOptions } from "../src/index.js";

const ENV = { STACK_DOMAIN: "dev.tld" };

async function options(argv: string[], env: NodeJS.ProcessEnv = ENV): Promise<GeneratorOptions> {
  const parsed = await parseOptions(argv, env);
  assert.equal(parsed.kind, "run");
  if (parsed.kind !== "run") throw new Error("help");
  return parsed.options;
}

async function rejects(argv: string[], env: NodeJS.ProcessEnv, message: RegExp): Promise<void> {
  await assert.rejects(parseOptions(argv, env), (error: unknown) => {
    assert.ok(error instanceof OptionsError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

test("the status listener defaults to 127.0.0.1:9101; off disables it, 0 asks for any free port", async () => {
  assert.deepEqual((await options([])).status, {
    port: 9101,
    bind: "127.0.0.1",
    token: null,
  });
  assert.deepEqual((await options([], { ...ENV, STATUS_PORT: "off", STATUS_BIND: "0.0.0.0" })).status, {
    port: null,
    bind: "0.0.0.0",
    token: null,
  });
  const flags = await options(["--status-port", "0", "--status-bind", "::1"], { ...ENV, STATUS_PORT: "off" });
  assert.deepEqual(flags.status, { port: 0, bind: "::1", token: null }, "the flag wins over the variable");
});

test("--explain takes a name once and --json switches its output; neither is set by default", async () => {
  const plain = await options([]);
  assert.deepEqual([plain.explain, plain.json], [null, false]);
  const asked = await options(["--explain", " app-r123-web-3 ", "--json"]);
  assert.deepEqual([asked.explain, asked.json], ["app-r123-web-3", true]);
});

test("bad observability options fail with one line naming the flag or variable", async () => {
  await rejects(
    [],
    { ...ENV, STATUS_PORT: "91o1" },
    /^invalid STATUS_PORT "91o1": must be a port 1-65535, 0/,
  );
  await rejects(["--status-port", "70000"], ENV, /^invalid --status-port "70000"/);
  await rejects(
    [],
    { ...ENV, STATUS_BIND: "localhost" },
    /^invalid STATUS_BIND "localhost": must be an IPv4/,
  );
  await rejects(["--explain", "a", "--explain", "b"], ENV, /^--explain is given more than once/);
  await rejects(["--explain", "  "], ENV, /^invalid --explain ""/);
  await rejects(["--explain"], ENV, /explain/);
  await rejects(["--explain", "x", "--dry-run"], ENV, /cannot be combined with --once or --dry-run/);
  // Alone, it used to start the loop with the other settings' defaults.
  await rejects(["--json"], ENV, /^--json is for --explain only/);
  await rejects(["--json", "--once"], ENV, /^--json is for --explain only/);
});

test("--help lists the status options with their variables, and --explain with its exit codes", async () => {
  const parsed = await parseOptions(["--help"], {});
  assert.equal(parsed.kind, "help");
  if (parsed.kind !== "help") return;
  for (const text of ["--status-port", "STATUS_PORT", "--status-bind", "STATUS_BIND", "--explain", "--json"])
    assert.ok(parsed.text.includes(text), text);
  assert.match(parsed.text, /3 --explain found no such container or host/);
});
