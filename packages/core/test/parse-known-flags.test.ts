// readCommandLine reads a command line of known flags without yargs (parseKnownFlags) and must answer
// exactly what yargs answers: the same flags, or the same refusal, for every command line below.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { assertBuilt, repoPath } from "@rancher-haproxy/test-support";
import { optionRowsOf, readCommandLine, type Program } from "../src/index.ts";
import { parseKnownFlags } from "../src/options/parse-known-flags.ts";
import { readWithYargs } from "../src/options/read-command-line.ts";
import { SWITCH } from "../src/options/value-types.ts";

const TEXT = { usage: "$0 [options]", epilog: "", version: "9.9.9" };
const PROGRAMS: readonly Program[] = ["generate-maps", "reloader"];

// Every spelling of every flag of `program` with awkward values, then mixes and refusals.
function commandLines(program: Program): string[][] {
  const lines: string[][] = [[]];
  const rows = optionRowsOf(program).map(([, row]) => row);
  for (const row of rows)
    for (const name of [row.flag, ...(row.aliases ?? [])]) {
      const dash = name.length === 1 ? "-" : "--";
      if (row.type === SWITCH)
        for (const tail of [[], ["=false"], ["=true"], [" false"], [" true"], ["=1"], ["=no"], ["=x"]])
          lines.push(`${dash}${name}${tail.join("")}`.split(" "));
      else
        for (const value of ["x", "", "-x", "a=b", "[::1]:80", "080", "1e3", "true", "a b", "--", "-1"])
          lines.push([`${dash}${name}`, value], [`${dash}${name}=${value}`]);
      lines.push([`${dash}${name}`], [`${dash}${name}.sub=1`], [`--no-${name}`], [`${dash}${name}`, "word"]);
    }
  const flags = rows.filter((row) => row.type !== SWITCH).map((row) => row.flag);
  const switches = rows.filter((row) => row.type === SWITCH).map((row) => row.flag);
  lines.push(flags.flatMap((flag, index) => [`--${flag}`, `v${index}`]));
  lines.push(switches.filter((flag) => flag !== "help" && flag !== "version").map((flag) => `--${flag}`));
  lines.push(["--bogus"], ["word"], ["--", "word"], ["--"], ["-"], ["-xyz"], ["--=x"], ["---x"], ["--a.b"]);
  lines.push(["--log-level", "debug", "--bogus=1"], ["--__proto__=x"], ["--constructor"], ["--toString=1"]);
  return lines;
}

async function outcome(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return await read();
  } catch (error) {
    return { refused: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

test("every command line gets from readCommandLine exactly what yargs gives it", async () => {
  let fast = 0;
  for (const program of PROGRAMS) {
    const rows = optionRowsOf(program).map(([, row]) => row);
    for (const argv of commandLines(program)) {
      const got = await outcome(() => readCommandLine(program, argv, TEXT));
      // refuseRepeats and refuseSwitchValues run first on both paths; a repeat, or a switch given a
      // value other than true or false, never reaches either parser.
      if (
        typeof got === "object" &&
        got !== null &&
        "refused" in got &&
        /more than once|must be true or false/.test(String(got.refused))
      )
        continue;
      const expected = await outcome(() => readWithYargs(program, argv, TEXT));
      assert.deepEqual(got, expected, `${program} ${JSON.stringify(argv)}`);
      if (parseKnownFlags(rows, argv) !== null) fast += 1;
    }
  }
  // The comparison means something only if the fast path answered most runs itself.
  assert.ok(fast > 1000, `only ${fast} command lines were read without yargs`);
});

// The children load core's dist (checked fresh), as the programs do: through tsx each paid ≈ 1.1 s more CPU.
test("a run of known flags does not load yargs; --help does", () => {
  assertBuilt("generate-maps");
  const hook = `data:text/javascript,${encodeURIComponent(
    `export async function resolve(s, c, next) { if (/^yargs($|\\/)/.test(s)) process.stderr.write("loaded " + s + "\\n"); return next(s, c); }`,
  )}`;
  const register = `import { register } from "node:module"; register(${JSON.stringify(hook)});`;
  const script = (argv: string[]) =>
    `const { readCommandLine } = await import(${JSON.stringify(repoPath("packages", "core", "dist", "index.js"))});` +
    `const r = await readCommandLine("generate-maps", ${JSON.stringify(argv)}, { usage: "", epilog: "", version: "1" });` +
    `process.stdout.write(r.kind);`;
  const run = (argv: string[]) =>
    spawnSync(
      process.execPath,
      [
        "--import",
        `data:text/javascript,${encodeURIComponent(register)}`,
        "--input-type=module",
        "-e",
        script(argv),
      ],
      { encoding: "utf8" },
    );
  const plain = run(["--once", "--log-level", "debug", "--rancher-api-host=127.0.0.1:1"]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, "run");
  assert.doesNotMatch(plain.stderr, /loaded yargs/);
  const help = run(["--help"]);
  assert.equal(help.stdout, "help", help.stderr);
  assert.match(help.stderr, /loaded yargs/);
});
