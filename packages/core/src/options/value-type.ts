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
}

// A value type from a zod schema (made by `schema` from zod at the first parse); the text is trimmed
// first (a stray space in a compose file is no error).
export function valueType<T>(
  name: string,
  accepts: string,
  schema: (zod: Zod) => z.ZodType<T, string>,
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
  };
}

// A value type from a function returning the value, or undefined (or throwing) when the text is bad.
export function checkedType<T>(
  name: string,
  accepts: string,
  parse: (text: string) => T | undefined,
): ValueType<T> {
  const schema = (z: Zod) =>
    z.string().transform((text, context) => {
      let value: T | undefined;
      try {
        value = parse(text);
      } catch {
        value = undefined;
      }
      if (value !== undefined) return value;
      context.addIssue({ code: "custom", message: `must be ${accepts}` });
      return z.NEVER;
    });
  return valueType(name, accepts, schema);
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
  const parsed = type.schema.safeParse(text);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: `must be ${type.accepts}` };
}
