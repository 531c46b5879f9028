// Finds a container whose name the table holds cut (containerRef: clipForNote, `<first 200 units>… (N more
// characters)`) by its whole name in any case. Cutting the query and lower-casing both cut names missed
// two ways: lower-cased as a whole, a cut name's last `Σ` became a final `ς` where the whole name has `σ`,
// and `İ` lower-cases to two units, so a query that spells it in another case was cut at another letter.
// Here each character is lower-cased alone, and the query is read until it covers the cut name's kept part.
import { NOTE_VALUE_UNITS as KEPT_UNITS } from "../model/note-budget.js";

// The count clipForNote appends to the characters it keeps (at most KEPT_UNITS: one fewer when the last
// would begin a surrogate pair).
const CUT = /… \((\d+) more characters\)$/;

// A test of cut names against `query`: true for a cut name whose kept characters are the query's first
// ones in any case and whose count of the rest is what the query has left (the same first 200 characters
// and the same length).
export function cutNameMatcher(query: string): (name: string) => boolean {
  // the query lower-cased a character at a time, and how many of its units each folded length took
  const unitsAt = new Map<number, number>();
  let folded = "";
  let units = 0;
  for (const char of query) {
    if (folded.length > 2 * KEPT_UNITS) break;
    folded += char.toLowerCase();
    units += char.length;
    unitsAt.set(folded.length, units);
  }
  return (name) => {
    if (name.length <= KEPT_UNITS) return false;
    const cut = CUT.exec(name);
    if (cut === null || cut.index < KEPT_UNITS - 1 || cut.index > KEPT_UNITS) return false;
    const kept = foldEach(name.slice(0, cut.index));
    const used = unitsAt.get(kept.length);
    return used !== undefined && folded.startsWith(kept) && query.length - used === Number(cut[1]);
  };
}

function foldEach(text: string): string {
  let out = "";
  for (const char of text) out += char.toLowerCase();
  return out;
}
