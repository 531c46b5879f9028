// What an option's value may be: a checking function from the raw text (a flag's, a variable's or a
// label's) to the typed value, and the words saying what it accepts (used in the error message and the
// generated docs). Plain functions, not zod schemas: loading zod cost every start of either program
// ≈ 55 ms of CPU (≈ 25 ms of it zod's locales), and a label value ≈ 1 µs each through zod's trim and pipe.

// One kind of value: `name` for the docs, `accepts` completes "must be …", `check` reads the text.
export interface ValueType<T> {
  name: string;
  accepts: string;
  /** the value of the text (trimmed first: a stray space in a compose file is no error), or undefined */
  readonly check: (text: string) => T | undefined;
}

// A value type from a function returning the value, or undefined (or throwing) when the text is bad; the
// function gets the text trimmed.
export function checkedType<T>(
  name: string,
  accepts: string,
  parse: (text: string) => T | undefined,
): ValueType<T> {
  return {
    name,
    accepts,
    check: (text) => {
      try {
        return parse(text.trim());
      } catch {
        return undefined;
      }
    },
  };
}

// A value type whose value is the text itself, when it matches `pattern` (which must refuse "").
export function patternType(name: string, accepts: string, pattern: RegExp): ValueType<string> {
  return checkedType(name, accepts, (text) => (pattern.test(text) ? text : undefined));
}

// One of a fixed list of words (compared in lower case).
export function oneOfType<const T extends string>(
  name: string,
  words: readonly T[],
  accepts = `one of ${words.join(", ")}`,
): ValueType<T> {
  return checkedType(name, accepts, (text) => words.find((word) => word === text.toLowerCase()));
}

// Parses `text` with `type`: the value, or the reason ("must be …") it is refused. Anything but a string
// (never given by the command line or the environment) is refused alike.
export function parseValue<T>(
  type: ValueType<T>,
  text: string,
): { ok: true; value: T } | { ok: false; reason: string } {
  const value = typeof text === "string" ? type.check(text) : undefined;
  return value !== undefined ? { ok: true, value } : { ok: false, reason: `must be ${type.accepts}` };
}
