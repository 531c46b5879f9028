// The plain-text rendering of the real server's respondText.
import { formatTextNumber, queryEscape } from "./go-format.js";

const MAGIC_ARRAY_KEYS = ["name", "uuid"] as const;

// Thrown where the Go server panics (a `name`/`uuid` that is not a string in a text listing):
// net/http then drops the connection without an answer.
export class GoPanic extends Error {}

// Thrown for a value Go's respondText does not know (answered 500 with this message).
export class UnknownTypeError extends Error {
  constructor() {
    super("Value is of a type I don't know how to handle");
  }
}

// True for what Go decodes as map[string]interface{}.
export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Text mode: scalars raw, null empty, maps list their keys (sorted, `/` after maps and arrays),
// arrays list indexes (`i=name` for objects with a name or uuid, `i/` for other maps and arrays).
export function renderText(value: unknown): string {
  if (value === null || value === undefined) return "";
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return formatTextNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      return Array.isArray(value) ? listArray(value) : listMap(value as Record<string, unknown>);
    default:
      throw new UnknownTypeError();
  }
}

// In the real server a container's or service's `links` is a typed nil map: JSON null, yet listed as `links/`.
const TYPED_NIL_LINKS = new Set(["container", "service"]);

function listMap(map: Record<string, unknown>): string {
  const typedNilLinks = TYPED_NIL_LINKS.has(map["metadata_kind"] as string);
  const lines = Object.keys(map).map((key) => {
    const child = map[key];
    const nested = typeof child === "object" && (child !== null || (typedNilLinks && key === "links"));
    return queryEscape(key) + (nested ? "/\n" : "\n");
  });
  lines.sort();
  return lines.join("");
}

function listArray(array: unknown[]): string {
  let out = "";
  for (let i = 0; i < array.length; i++) {
    const child = array[i];
    if (isMap(child)) {
      const magic = MAGIC_ARRAY_KEYS.find((key) => Object.hasOwn(child, key));
      if (magic !== undefined) {
        const name = child[magic];
        if (typeof name !== "string") throw new GoPanic(`interface conversion: ${magic} is not a string`);
        out += `${i}=${queryEscape(name)}\n`;
        continue;
      }
    }
    out += typeof child === "object" && child !== null ? `${i}/\n` : `${i}\n`;
  }
  return out;
}
