// What an option's value may be: a zod schema from the raw text (a flag's or a variable's) to the typed
// value, and the words saying what it accepts (used in the error message and the generated docs). The
// schema is built (and zod loaded) at its first use: --help reads only the names and words.
import type { z } from "zod";
import { loadZod, type Zod } from "./load-zod.js";

// One kind of value: `name` for the docs, `accepts` completes "must be …", `schema` parses the text.
export interface ValueType<T> {
  name: string;
  accepts: string;
  readonly schema: z.ZodType<T, string>;
  /** checkedType's parse of the text, trimmed, as the schema does it: parseValue calls it without zod */
  readonly check?: (text: string) => T | undefined;
}

// A value type from a zod schema (made by `schema` from zod at the first parse); the text is trimmed
// first (a stray space in a compose file is no error). `check`, when given, must read the untrimmed
// text exactly as the schema does (checkedType's).
export function valueType<T>(
  name: string,
  accepts: string,
  schema: (zod: Zod) => z.ZodType<T, string>,
  check?: (text: string) => T | undefined,
): ValueType<T> {
  let built: z.ZodType<T, string> | null = null;
  return {
    name,
    accepts,
    get schema() {
      if (built) return built;
      const zod = loadZod();
      return (built = zod.string().trim().pipe(schema(zod)));
    },
    ...(check === undefined ? {} : { check }),
  };
}

// A value type from a function returning the value, or undefined (or throwing) when the text is bad.
// parseValue calls `check` directly: through zod's trim and pipe, each label value took ≈ 1 µs of zod
// (≈ 35 % of readLabelOptions for a container with a dozen option labels).
export function checkedType<T>(
  name: string,
  accepts: string,
  parse: (text: string) => T | undefined,
): ValueType<T> {
  const attempt = (text: string): T | undefined => {
    try {
      return parse(text);
    } catch {
      return undefined;
    }
  };
  const schema = (z: Zod) =>
    z.string().transform((text, context) => {
      const value = attempt(text);
      if (value !== undefined) return value;
      context.addIssue({ code: "custom", message: `must be ${accepts}` });
      return z.NEVER;
    });
  return valueType(name, accepts, schema, (text) => attempt(text.trim()));
}

// One of a fixed list of words (compared in lower case).
export function oneOfType<const T extends string>(
  name: string,
  words: readonly T[],
  accepts = `one of ${words.join(", ")}`,
): ValueType<T> {
  return checkedType(name, accepts, (text) => words.find((word) => word === text.toLowerCase()));
}

// Parses `text` with `type`: the value, or the reason ("must be …") it is refused.
export function parseValue<T>(
  type: ValueType<T>,
  text: string,
): { ok: true; value: T } | { ok: false; reason: string } {
  if (type.check !== undefined && typeof text === "string") {
    const value = type.check(text);
    return value !== undefined ? { ok: true, value } : { ok: false, reason: `must be ${type.accepts}` };
  }
  const parsed = type.schema.safeParse(text);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: `must be ${type.accepts}` };
}
