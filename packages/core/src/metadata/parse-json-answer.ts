// A metadata answer's body as JSON: parsed whole, or (for a large list read entry by entry) as entries.
import { JsonArrayEntries, notJson } from "./json-array-entries.js";
import { splitJsonArray } from "./split-json-array.js";

// How a caller wants a JSON answer: `value`, parsed whole; `entries`, an array answer as JsonArrayEntries
// (any other answer parsed whole, as `value` would).
export type JsonReading = "value" | "entries";

// The body of the answer from `url`, as `reading` asks; throws MetadataError "invalid-json" when a whole
// parse fails (an entry that does not parse is reported by the entries' failure()).
export function parseJsonAnswer(body: string, url: string, reading: JsonReading = "value"): unknown {
  const slices = reading === "entries" ? splitJsonArray(body) : null;
  if (slices !== null) return new JsonArrayEntries(body, slices, url);
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw notJson(url, body);
  }
}
