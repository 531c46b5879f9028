// The fuzz test's fast-check seed: FUZZ_SEED replays a run (fuzz-generator.test.ts prints each run's).
// The value is read as fast-check prints a seed, a decimal integer of 32 bits: anything else (a blank,
// `0x10`, `1e3`, `1.0`) fails naming the variable, as Number() would have read it as some other seed.

// FUZZ_SEED's value as fast-check's seed, or a random one when it is unset or empty.
export function fuzzSeed(text: string | undefined): number {
  if (text === undefined || text === "") return Math.floor(Math.random() * 2 ** 32) - 2 ** 31;
  const seed = /^-?[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(seed >= -(2 ** 31) && seed < 2 ** 31) || Object.is(seed, -0))
    throw new Error(
      `FUZZ_SEED must be a 32-bit integer (as fast-check prints it), not ${JSON.stringify(text)}`,
    );
  return seed;
}
