// The option value types that were zod schemas until 2026-12-06 are checking functions now (no zod at
// start: ≈ 55 ms of CPU a start). Each must read every text as its schema did, value and refusal alike:
// the schemas are kept here, as they were written, and both read the same texts (edge cases and random
// ones). zod is a development dependency for this test only.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { z } from "zod";
import {
  DNS_NAME,
  isHostName,
  LABEL_KEY,
  OPTION_TABLE,
  parseValue,
  PATH,
  PORT,
  SHARE,
  STATS_PASSWORD,
  STATS_USERNAME,
  STATUS_TOKEN,
  TEXT,
  integerType,
  type ValueType,
} from "../src/index.js";

// The schemas as value-type.ts built them: the text trimmed, then the type's own schema.
const trimmed = <T>(schema: z.ZodType<T, string>) => z.string().trim().pipe(schema);
const integerSchema = (min: number, max: number) =>
  trimmed(
    z
      .string()
      .regex(/^[0-9]+$/)
      .transform(Number)
      .pipe(z.number().min(min).max(max)),
  );

const CASES: [string, ValueType<unknown>, z.ZodType<unknown, string>][] = [
  ["TEXT", TEXT, trimmed(z.string().min(1))],
  ["explain's text", OPTION_TABLE.explain.type, trimmed(z.string().min(1))],
  [
    "PATH",
    PATH,
    trimmed(
      z
        .string()
        .min(1)
        .regex(/^[^"'\\\p{Cc}]+$/u)
        .transform((text) => resolve(text)),
    ),
  ],
  [
    "PORT",
    PORT,
    trimmed(
      z
        .string()
        .regex(/^[0-9]{1,5}$/)
        .transform(Number)
        .pipe(z.number().min(1).max(65535)),
    ),
  ],
  ["integer 1-1000", integerType(1, 1000), integerSchema(1, 1000)],
  ["integer 0-60000", integerType(0, 60_000), integerSchema(0, 60_000)],
  ["integer 65536-2147483647", integerType(65_536, 2_147_483_647), integerSchema(65_536, 2_147_483_647)],
  [
    "SHARE",
    SHARE,
    trimmed(
      z
        .string()
        .regex(/^(?:0(?:\.[0-9]{1,3})?|1(?:\.0{1,3})?)$/)
        .transform(Number),
    ),
  ],
  ["LABEL_KEY", LABEL_KEY, trimmed(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,252}$/))],
  [
    "DNS_NAME",
    DNS_NAME,
    trimmed(
      z
        .string()
        .refine(isHostName)
        .transform((name) => name.toLowerCase()),
    ),
  ],
  ["STATS_USERNAME", STATS_USERNAME, trimmed(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/))],
  ["STATS_PASSWORD", STATS_PASSWORD, trimmed(z.string().regex(/^[A-Za-z0-9._~+=@%^*!,/?-]{1,128}$/))],
  ["STATUS_TOKEN", STATUS_TOKEN, trimmed(z.string().regex(/^[\x21-\x7e]{16,256}$/))],
];

// Texts near each type's edges: empty, blank, padded, signs, decimals, bounds, bad characters, lengths.
const EDGES = [
  ...["", " ", "\t\n", "x", " x ", "0", "1", "01", "-1", "+1", "1.5", "1e3", "0x10", " 42 ", "4 2"],
  ...["65535", "65536", "000001", "1000", "1001", "60000", "60001", "65536", "2147483647", "2147483648"],
  ...["9".repeat(400), "0.5", "0.123", "0.1234", "1.0", "1.000", "1.0001", "1.5", ".5", "0.", "1."],
  ...[
    "/var/run",
    "rel/path",
    "a b#c",
    "it's",
    'a"b',
    "a\\b",
    "a\u0000b",
    "a\u007fb",
    "a\u0085b",
    "\u00a0/x\u00a0",
  ],
  ...["map-public-http", "io.example/port", "-lead", "_lead", "a".repeat(253), "a".repeat(254), "a:b"],
  ...["dev.example.com", "Dev.TLD", "\u212Adev.tld", "a..b", "-a.b", "a-.b", "x".repeat(63), "x".repeat(64)],
  ...[
    "user.name_1",
    "a".repeat(64),
    "a".repeat(65),
    "p@ss%word!",
    "pass word",
    "p".repeat(128),
    "p".repeat(129),
  ],
  ...[
    "x".repeat(15),
    "x".repeat(16),
    "~".repeat(256),
    "~".repeat(257),
    "tok en-0123456789",
    "tok\u00e9n-0123456789",
  ],
];

function compare(name: string, type: ValueType<unknown>, schema: z.ZodType<unknown, string>, text: string) {
  const read = schema.safeParse(text);
  const expected = read.success
    ? { ok: true, value: read.data }
    : { ok: false, reason: `must be ${type.accepts}` };
  assert.deepEqual(parseValue(type, text), expected, `${name} ${JSON.stringify(text)}`);
}

test("each value type that was a zod schema reads the edge texts as its schema did", () => {
  let accepted = 0;
  for (const [name, type, schema] of CASES)
    for (const text of EDGES) {
      compare(name, type, schema, text);
      if (schema.safeParse(text).success) accepted += 1;
    }
  // Both sides of every type are met: each accepts some edge texts and refuses others.
  for (const [name, , schema] of CASES) {
    const results = EDGES.map((text) => schema.safeParse(text).success);
    assert.ok(results.includes(true) && results.includes(false), `${name}: only one outcome`);
  }
  assert.ok(accepted > 0);
});

test("each value type that was a zod schema reads random texts as its schema did", () => {
  // Texts from the characters the types tell apart, and any text at all.
  const alphabet = fc.constantFrom(
    ..."0123456789.-_/:+@%^*!,?~= \t\"'\\#aZkK".split(""),
    "\u0000",
    "\u007f",
    "\u00a0",
    "\u212A",
    "\u00e9",
  );
  const text = fc.oneof(
    fc.string({ unit: alphabet, maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.integer({ min: -10, max: 3_000_000_000 }).map(String),
  );
  for (const [name, type, schema] of CASES)
    fc.assert(
      fc.property(text, (sample) => compare(name, type, schema, sample)),
      { numRuns: 2000, seed: 20261206 },
    );
});
