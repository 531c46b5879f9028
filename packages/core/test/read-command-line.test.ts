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

test("a switch given a value other than true or false is refused naming it, never read as false", async () => {
  // yargs reads `--dry-run=yes` as false: the generator then ran for real and wrote both files.
  for (const value of ["yes", "1", "True", "TRUE", "on", "", "no", "0"])
    await assert.rejects(readCommandLine("generate-maps", [`--dry-run=${value}`], TEXT), (error: unknown) => {
      assert.ok(error instanceof OptionsError, String(error));
      assert.equal(error.message, `invalid --dry-run ${JSON.stringify(value)}: must be true or false`);
      return true;
    });
  await refused(["--help=1"], /^invalid --help "1": must be true or false$/);
  await refused(["-h=yes"], /^invalid -h "yes": must be true or false$/);
  await assert.rejects(
    readCommandLine("generate-maps", ["--once=yes"], TEXT),
    /^OptionsError: invalid --once "yes"/,
  );
  await assert.rejects(readCommandLine("generate-maps", ["--json=1"], TEXT), /invalid --json "1"/);
  // true and false as such, and a value flag's own `=`, are read as before.
  for (const [argv, flags] of [
    [["--dry-run=true"], { "dry-run": "true" }],
    [["--once=false"], { once: "false" }],
    [["--dry-run", "--explain=a=b"], { "dry-run": "true", explain: "a=b" }],
  ] as const)
    assert.deepEqual(await readCommandLine("generate-maps", [...argv], TEXT), { kind: "run", flags });
});

test("an explicitly empty boolean flag is refused, not read as a bare flag (true)", async () => {
  // `--enable-ssl=` and `--strict-sni "$UNSET"` turned TLS and strict SNI on, where ENABLE_SSL= is unset
  // and generate-maps refuses `--dry-run=`.
  for (const argv of [["--enable-ssl="], ["--strict-sni", ""], ["--runtime-updates=", "--http-port", "80"]])
    await assert.rejects(readCommandLine("reloader", argv, TEXT), (error: unknown) => {
      assert.ok(error instanceof OptionsError, String(error));
      assert.equal(
        error.message,
        `invalid --${argv[0]?.replace(/^--|=$/g, "")} "": must be true or false (also 1/0, yes/no)`,
      );
      return true;
    });
  // A bare flag is still true, before another flag or at the end; an empty value flag is still empty.
  const run = await readCommandLine("reloader", ["--enable-ssl", "--strict-sni", "--tcp-ports="], TEXT);
  assert.deepEqual(run, { kind: "run", flags: { "enable-ssl": "", "strict-sni": "", "tcp-ports": "" } });
  const values = resolveOptionValues("reloader", run.kind === "run" ? run.flags : {}, { ENABLE_SSL: "" });
  assert.deepEqual([values.get("enableSsl"), values.get("strictSni")], [true, true]);
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

// yargs read `--domain-map.a /x` (a dotted flag) as an object: its text "[object Object]" passed as a
// path, so generate-maps wrote its map to ./[object Object] and the reloader made its state dir there
// (`--haproxy-bin.x` ran "[object Object]"); a bad value showed as "[object Object]", not as given.
test("a dotted flag is an unknown flag, never a value of its own", async () => {
  await refused(["--domain-map.a", "/x"], /^Unknown argument: domain-map\.a \(see --help\)$/);
  await refused(["--log-level.x=debug"], /^Unknown argument: log-level\.x \(see --help\)$/);
  await assert.rejects(readCommandLine("reloader", ["--state-dir.x", "/srv/state"], TEXT), (error) => {
    assert.ok(error instanceof OptionsError, String(error));
    assert.equal(error.message, "Unknown argument: state-dir.x (see --help)");
    return true;
  });
});
