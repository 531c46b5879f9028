// The command line of both programs (core's readCommandLine + resolveOptionValues): strict, one line per
// error, a flag given twice refused under any spelling, switches, -h/--help and --version.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OptionsError, readCommandLine, resolveOptionValues } from "../src/index.ts";

const TEXT = { usage: "$0 [options]", epilog: "", version: "9.9.9" };

async function refused(argv: string[], message: RegExp): Promise<void> {
  for (const program of ["generate-maps", "reloader"] as const)
    await assert.rejects(readCommandLine(program, argv, TEXT), (error: unknown) => {
      assert.ok(error instanceof OptionsError, String(error));
      assert.match(error.message, message, program);
      assert.ok(!error.message.includes("\n"), "one line");
      return true;
    });
}

test("a switch or a value flag given twice is refused, whatever its spelling", async () => {
  await refused(["--log-level", "info", "--log-level=warn"], /^--log-level is given more than once$/);
  await refused(["--help", "-h"], /^--help and -h are the same option, given more than once$/);
  await refused(["--backends", "/a", "--backend-config", "/b"], /^--backends and --backend-config are/);
});

test("unknown flags and stray words are refused; a flag of the other program is unknown", async () => {
  await refused(["--bogus"], /^Unknown argument: bogus \(see --help\)$/);
  await refused(["--no-version"], /^Unknown argument: no-version \(see --help\)$/);
  await refused(["--", "word"], /^Unknown argument: word/);
  await assert.rejects(readCommandLine("reloader", ["--once"], TEXT), /Unknown argument: once/);
  await assert.rejects(
    readCommandLine("generate-maps", ["--http-port", "80"], TEXT),
    /Unknown argument: http-port/,
  );
});

test("-h and --help give the help, --version the version; switches and aliases map to the main flag", async () => {
  for (const program of ["generate-maps", "reloader"] as const) {
    const help = await readCommandLine(program, ["-h"], TEXT);
    assert.ok(help.kind === "help" && help.text.includes("--log-level"), program);
    assert.deepEqual(await readCommandLine(program, ["--version"], TEXT), { kind: "help", text: "9.9.9" });
    assert.deepEqual(await readCommandLine(program, ["--rancher-api-host", "[::1]:80"], TEXT), {
      kind: "run",
      flags: { "api-host": "[::1]:80" },
    });
  }
  const run = await readCommandLine("generate-maps", ["--once", "--explain=x"], TEXT);
  assert.deepEqual(run, { kind: "run", flags: { explain: "x", once: "true" } });
  const values = resolveOptionValues("generate-maps", run.kind === "run" ? run.flags : {}, {
    STACK_DOMAIN: "dev.tld",
  });
  assert.deepEqual([values.get("once"), values.get("dryRun"), values.get("explain")], [true, false, "x"]);
  assert.throws(() => values.get("httpPort"), /generate-maps does not read option httpPort/);
});

test("every bad value is reported, on one line; a secret is never shown", () => {
  assert.throws(
    () =>
      resolveOptionValues(
        "reloader",
        { "stats-password": "bad pass" },
        { HTTP_PORT: "x", ENABLE_SSL: "maybe" },
      ),
    (error: unknown) => {
      assert.ok(error instanceof OptionsError);
      assert.deepEqual(error.problems, [
        'invalid HTTP_PORT "x": must be a port number 1-65535',
        'invalid ENABLE_SSL "maybe": must be true or false (also 1/0, yes/no)',
        "invalid --stats-password (value not shown): must be 1-128 of A-Z a-z 0-9 and . _ ~ + = @ % ^ * ! , / ? -",
      ]);
      assert.equal(error.message, error.problems.join("; "));
      assert.ok(!error.message.includes("bad pass"));
      return true;
    },
  );
});
