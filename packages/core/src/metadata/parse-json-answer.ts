// A metadata answer's body as JSON: parsed whole, or (for a large list read entry by entry) as entries.
import { JsonArrayEntries, notJson } from "./json-array-entries.js";
import { splitJsonArray } from "./split-json-array.js";

// How a caller wants a JSON answer: `value`, parsed whole; `entries`, an array answer as JsonArrayEntries
// (any other answer parsed whole, as `value` would).
export type JsonReading = "value" | "entries";

// The body of the answer from `url` (one string, or the pieces it was decoded in), as `reading` asks;
// throws MetadataError "invalid-json" when a whole parse fails (an entry that does not parse is reported
// by the entries' failure()).
export function parseJsonAnswer(
  body: string | readonly string[],
  url: string,
  reading: JsonReading = "value",
): unknown {
  const pieces = typeof body === "string" ? [body] : body;
  const slices = reading === "entries" ? splitJsonArray(pieces) : null;
  if (slices !== null) return new JsonArrayEntries(pieces, slices, url);
  try {
    return JSON.parse(pieces.join("")) as unknown;
  } catch {
    throw notJson(url, pieces);
  }
}
