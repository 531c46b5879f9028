// A metadata answer's body as JSON: parsed whole, or (for a large list read entry by entry) as entries.
import { Buffer } from "node:buffer";
import { decodeBody, type BodyBytes } from "./body-bytes.js";
import { JsonArrayEntries, notJson } from "./json-array-entries.js";
import { findCompactEntries } from "./find-compact-entries.js";
import { jsonShapeProblem, MAX_JSON_DEPTH, MAX_JSON_VALUES } from "./json-depth.js";
import { MetadataError } from "./metadata-error.js";
import { splitJsonArray } from "./split-json-array.js";

// How a caller wants a JSON answer: `value`, parsed whole; `entries`, an array answer as JsonArrayEntries
// (any other answer parsed whole, as `value` would).
export type JsonReading = "value" | "entries";

// The body of the answer from `url` (its bytes in the chunks they arrived in, or a string, taken as
// UTF-8), as `reading` asks; throws MetadataError "invalid-json" when a whole parse fails (an entry that
// does not parse is reported by the entries' failure()).
export function parseJsonAnswer(
  body: string | BodyBytes,
  url: string,
  reading: JsonReading = "value",
): unknown {
  const pieces = typeof body === "string" ? [Buffer.from(body)] : body;
  if (reading === "entries") {
    // A compact list of objects is cut by a native search (tentative, checked entry by entry); any other
    // array by the exact scan.
    const compact = findCompactEntries(pieces);
    if (compact !== null) return new JsonArrayEntries(pieces, compact, url, "tentative");
    const slices = splitJsonArray(pieces);
    if (slices !== null) return new JsonArrayEntries(pieces, slices, url, "exact");
  }
  const text = decodeBody(pieces);
  const shape = jsonShapeProblem(text);
  if (shape === "deep")
    throw new MetadataError("too-large", url, `answer nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (shape === "wide")
    throw new MetadataError("too-large", url, `answer holds more than ${MAX_JSON_VALUES} values`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw notJson(url, pieces);
  }
}
